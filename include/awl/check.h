/* The checker: resolves names (builtins, functions, maps, variables),
 * expands probe specs into attach points, infers and checks types. */
#ifndef AWL_CHECK_H
#define AWL_CHECK_H

#include "awl/unit.h"

struct var_sym {
	char *name;
	struct type *type;
	struct loc loc;
	int stack_off;		/* set by the generator */
	struct var_sym *next;
};

struct checker {
	struct unit *u;
	struct probe *probe;	/* the probe being checked */
	bool quiet;		/* inference pass: errors are not reported */
	int errors;		/* found in this pass */
	int loop_depth;
};

/* Runs every check over the unit's program; returns 0 or -1 after
 * reporting the errors. */
int check_unit(struct unit *u);
void check_free_probe(struct probe *p);

/* For builtins and providers. */
void cerror(struct checker *c, struct loc loc, const char *fmt, ...) PRINTF_LIKE(3, 4);
struct type *check_expr(struct checker *c, struct node *n);
/* Checks n and requires an integer (or pointer, allow_ptr) result. */
bool check_int_arg(struct checker *c, struct node *n, const char *what, bool allow_ptr);
/* A compile-time integer constant (after folding); false if it is not. */
bool const_int(const struct node *n, int64_t *out);
/* A map named as an argument (print(@m), delete(@m[k]), clear(@m)):
 * resolved without reading it. keys: whether @m[k] is allowed. */
struct map_sym *check_map_ref(struct checker *c, struct node *n, bool keys);
/* The first attach point of the probe being checked (for its context). */
struct attach_point *check_first_ap(struct checker *c);
/* Where an integer used as an address points in this probe: user
 * memory in uprobes, else kernel memory. */
enum addr_space probe_mem(struct checker *c);

#endif
