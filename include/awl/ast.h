/* The syntax tree: one node shape for every construct; which fields
 * mean what depends on `kind` (see the comments below). */
#ifndef AWL_AST_H
#define AWL_AST_H

#include <stdio.h>
#include "awl/diag.h"
#include "awl/type.h"

enum node_kind {
	/* expressions */
	N_INT,		/* num */
	N_STR,		/* str[len] (may contain NULs) */
	N_IDENT,	/* name: a builtin, or a ply bare-name map */
	N_VAR,		/* $name */
	N_MAP,		/* @name; kids = keys (0 for none) */
	N_CALL,		/* name(kids) */
	N_BINOP,	/* a op b, op is a TOK_* */
	N_UNOP,		/* op a: TOK_MINUS, TOK_BANG, TOK_TILDE, TOK_STAR (deref), TOK_PLUS */
	N_TERNARY,	/* a ? b : c */
	N_CAST,		/* (cast_type) a */
	N_FIELD,	/* a.name or a->name (op = TOK_DOT or TOK_ARROW) */
	N_INDEX,	/* a[b] */
	N_TUPLE,	/* (kids...) */
	N_INCDEC,	/* op is TOK_INC/TOK_DEC; num = 1 if prefix; a = lvalue */
	/* statements */
	N_ASSIGN,	/* a op b; op is TOK_ASSIGN or a compound TOK_*_ASSIGN */
	N_EXPR_STMT,	/* a */
	N_IF,		/* if (a) b else c */
	N_BLOCK,	/* kids */
	N_RETURN,
	N_UNROLL,	/* unroll (num) a */
	N_WHILE,	/* while (a) b */
	N_BREAK,
	N_CONTINUE,
};

struct map_sym;
struct var_sym;

struct node {
	enum node_kind kind;
	struct loc loc;
	int op;
	int64_t num;
	char *name;
	char *str;
	size_t len;
	struct node *a, *b, *c;
	struct node **kids;
	int nkids, capkids;
	struct type *cast_type;	/* N_CAST; a folded constant's type */
	int depth;		/* height of the tree below: bounded by the parser */
	/* Filled in by the checker. */
	struct type *type;
	struct map_sym *map;	/* N_MAP, N_IDENT resolved to a map */
	struct var_sym *var;	/* N_VAR */
	const struct builtin *builtin;	/* N_IDENT resolved to a builtin */
	const struct func *func;	/* N_CALL */
	void *aux;		/* per-function data (printf format, ...) */
	struct node *target;	/* N_CALL of an aggregation: the map it feeds (not owned) */
	int event;		/* index in unit.events, for calls that send one */
};

struct probe_spec {
	char *text;
	struct loc loc;
};

struct probe {
	struct probe_spec *specs;
	int nspecs, capspecs;
	struct node *pred;	/* NULL: always */
	struct node *body;	/* N_BLOCK */
	struct loc loc;
	int index;
	/* Filled in by the checker. */
	struct var_sym *vars;	/* scratch variables, a list */
	struct attach_point **aps;	/* expanded attach points */
	int naps, capaps;
	const struct provider *provider;
	bool uses_probe_name;	/* `probe` builtin: one program per point */
	bool uses_ctx_fields;	/* args.x: layout differs per point */
};

struct program {
	struct probe **probes;
	int nprobes, capprobes;
};

struct node *node_new(enum node_kind kind, struct loc loc);
void node_add_kid(struct node *n, struct node *kid);
void node_free(struct node *n);
void program_free(struct program *prog);
void ast_dump(FILE *out, const struct program *prog);

#endif
