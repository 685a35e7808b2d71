/* Built-in variables (pid, comm, args, ...) and functions (printf,
 * count, str, ...). Each theme lives in src/builtin/ and registers its
 * entries in a table: a new builtin is one entry plus its two hooks. */
#ifndef AWL_BUILTIN_H
#define AWL_BUILTIN_H

#include "awl/check.h"

struct gen;
struct val;

struct builtin {
	const char *name;	/* ends in '#' for a numbered family: arg0, arg1, ... */
	/* Types the identifier in this probe; NULL after an error. */
	struct type *(*check)(struct checker *c, struct node *n);
	int (*gen)(struct gen *g, struct node *n, struct val *out);
};

enum func_flags {
	F_AGG = 1 << 0,		/* an aggregation: only `@map[k] = f(...)` */
	F_STMT = 1 << 1,	/* has no value: only as a statement */
	F_UNSAFE = 1 << 2,	/* needs --unsafe */
};

struct func {
	const char *name;
	int min_args, max_args;
	unsigned flags;
	struct type *(*check)(struct checker *c, struct node *call);
	int (*gen)(struct gen *g, struct node *call, struct val *out);
};

const struct builtin *builtin_find(const char *name);
const struct func *func_find(const char *name);

/* The tables, one per theme (NULL-named entry last). */
extern const struct builtin builtins_proc[], builtins_ctx[];
extern const struct func funcs_agg[], funcs_print[], funcs_str[], funcs_proc[], funcs_map[],
	funcs_ctx[];

#endif
