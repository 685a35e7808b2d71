/* The checker: expands probe specs into attach points, resolves every
 * name and gives every expression a type. It runs twice over the
 * program: a quiet pass that learns the maps' types from their
 * assignments (which may come after their uses, in another probe), then
 * the pass that reports errors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awl/builtin.h"
#include "awl/check.h"
#include "awl/fmt.h"
#include "awl/lex.h"
#include "awl/provider.h"

void cerror(struct checker *c, struct loc loc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	c->errors++;
	if (c->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error_at(loc, "%s", msg);
}

struct attach_point *check_first_ap(struct checker *c)
{
	return c->probe && c->probe->naps ? c->probe->aps[0] : NULL;
}

enum addr_space probe_mem(struct checker *c)
{
	struct attach_point *ap = check_first_ap(c);

	return ap && ap->provider->mem == AS_USER ? AS_USER : AS_KERNEL;
}

bool const_int(const struct node *n, int64_t *out)
{
	if (n->kind != N_INT)
		return false;
	*out = n->num;
	return true;
}


static struct map_sym *map_lookup(struct unit *u, const char *name)
{
	for (int i = 0; i < u->nmaps; i++)
		if (!strcmp(u->maps[i]->name, name))
			return u->maps[i];
	return NULL;
}

static struct map_sym *map_get(struct checker *c, struct node *n)
{
	struct map_sym *m = map_lookup(c->u, n->name);

	if (!m) {
		m = xcalloc(1, sizeof(*m));
		m->name = xstrdup(n->name);
		m->bare = n->op == TOK_IDENT;
		m->display = xasprintf("%s%s", m->bare ? "" : "@", m->name);
		m->loc = n->loc;
		m->kmap = -1;
		VEC_PUSH(c->u->maps, c->u->nmaps, c->u->capmaps, m);
	}
	n->map = m;
	return m;
}

static struct var_sym *var_lookup(struct probe *p, const char *name)
{
	for (struct var_sym *v = p->vars; v; v = v->next)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}

void check_free_probe(struct probe *p)
{
	struct var_sym *v = p->vars, *nv;

	for (; v; v = nv) {
		nv = v->next;
		free(v->name);
		free(v);
	}
	p->vars = NULL;
	free(p->aps);
	p->aps = NULL;
	p->naps = 0;
}

bool check_int_arg(struct checker *c, struct node *n, const char *what, bool allow_ptr)
{
	struct type *t = check_expr(c, n);
	char buf[64];

	if (!t)
		return false;
	if (t->kind == TY_INT || (allow_ptr && t->kind == TY_PTR))
		return true;
	cerror(c, n->loc, "%s must be an integer, not %s", what, type_name(t, buf, sizeof(buf)));
	return false;
}

/* Folds integer operations whose operands are constants, in place. */
static bool fold_binop(struct checker *c, struct node *n)
{
	int64_t a, b, r;
	uint64_t ua, ub;
	bool sig = type_is_signed(n->a->type) && type_is_signed(n->b->type);

	if (!const_int(n->a, &a) || !const_int(n->b, &b))
		return false;
	ua = (uint64_t)a;
	ub = (uint64_t)b;
	switch (n->op) {
	case TOK_PLUS: r = (int64_t)(ua + ub); break;
	case TOK_MINUS: r = (int64_t)(ua - ub); break;
	case TOK_STAR: r = (int64_t)(ua * ub); break;
	case TOK_SLASH:
	case TOK_PERCENT:
		if (b == 0) {
			cerror(c, n->loc, "division by zero");
			return false;
		}
		if (sig && !(a == INT64_MIN && b == -1))
			r = n->op == TOK_SLASH ? a / b : a % b;
		else
			r = (int64_t)(n->op == TOK_SLASH ? ua / ub : ua % ub);
		break;
	case TOK_AMP: r = a & b; break;
	case TOK_PIPE: r = a | b; break;
	case TOK_CARET: r = a ^ b; break;
	case TOK_SHL: r = ub >= 64 ? 0 : (int64_t)(ua << ub); break;
	case TOK_SHR:
		if (ub >= 64)
			r = sig && a < 0 ? -1 : 0;
		else
			r = sig ? (a < 0 ? ~(~a >> ub) : a >> ub) : (int64_t)(ua >> ub);
		break;
	case TOK_EQ: r = a == b; break;
	case TOK_NE: r = a != b; break;
	case TOK_LT: r = sig ? a < b : ua < ub; break;
	case TOK_LE: r = sig ? a <= b : ua <= ub; break;
	case TOK_GT: r = sig ? a > b : ua > ub; break;
	case TOK_GE: r = sig ? a >= b : ua >= ub; break;
	case TOK_ANDAND: r = a && b; break;
	case TOK_OROR: r = a || b; break;
	default: return false;
	}
	node_free(n->a);
	node_free(n->b);
	n->a = n->b = NULL;
	n->kind = N_INT;
	n->num = r;
	n->cast_type = n->type;
	return true;
}

static bool is_comparison(int op)
{
	return op == TOK_EQ || op == TOK_NE || op == TOK_LT || op == TOK_LE ||
	       op == TOK_GT || op == TOK_GE;
}

static struct type *check_string_compare(struct checker *c, struct node *n,
					 struct type *ta, struct type *tb)
{
	if (n->op != TOK_EQ && n->op != TOK_NE) {
		cerror(c, n->loc, "strings can only be compared with == and != (use strncmp() to order them)");
		return NULL;
	}
	if (ta->kind != TY_STR || tb->kind != TY_STR) {
		char b1[64], b2[64];
		bool ptr = ta->kind == TY_PTR || tb->kind == TY_PTR;

		cerror(c, n->loc, "cannot compare %s with %s%s", type_name(ta, b1, sizeof(b1)),
		       type_name(tb, b2, sizeof(b2)),
		       ptr ? ": read the string the pointer points to with str()" : "");
		return NULL;
	}
	return &type_s64;
}

/* The type of integer arithmetic: 64 bits, unsigned if either side is
 * an unsigned 64-bit value (as in C), else signed. */
static struct type *arith_type(const struct type *a, const struct type *b)
{
	bool a_u64 = !type_is_signed(a) && a->size == 8;
	bool b_u64 = !type_is_signed(b) && b->size == 8;

	return a_u64 || b_u64 ? &type_u64 : &type_s64;
}

static struct type *check_binop(struct checker *c, struct node *n)
{
	struct type *ta = check_expr(c, n->a), *tb = check_expr(c, n->b);
	char b1[64], b2[64];

	if (!ta || !tb)
		return NULL;
	if ((ta->kind == TY_STR || tb->kind == TY_STR) && is_comparison(n->op))
		return check_string_compare(c, n, ta, tb);
	if (!type_is_scalar(ta) || !type_is_scalar(tb)) {
		cerror(c, n->loc, "operator '%s' needs integers, not %s and %s", tok_name(n->op),
		       type_name(ta, b1, sizeof(b1)), type_name(tb, b2, sizeof(b2)));
		return NULL;
	}
	if (is_comparison(n->op) || n->op == TOK_ANDAND || n->op == TOK_OROR)
		n->type = &type_s64;
	else if (ta->kind == TY_PTR && (n->op == TOK_PLUS || n->op == TOK_MINUS) &&
		 tb->kind == TY_INT)
		n->type = ta;	/* pointer arithmetic, scaled by the generator */
	else
		n->type = arith_type(ta, tb);
	fold_binop(c, n);
	return n->type;
}

static struct type *check_unop(struct checker *c, struct node *n)
{
	struct type *t = check_expr(c, n->a);
	char buf[64];

	if (!t)
		return NULL;
	if (n->op == TOK_AMP) {
		cerror(c, n->loc, "taking the address of a value is not supported");
		return NULL;
	}
	if (n->op == TOK_STAR) {
		if (t->kind != TY_PTR) {
			cerror(c, n->loc, "cannot dereference %s: it is not a pointer",
			       type_name(t, buf, sizeof(buf)));
			return NULL;
		}
		if (!t->elem || t->elem->kind != TY_INT) {
			cerror(c, n->loc, "dereference needs a pointer to an integer: cast it, e.g. *(uint32 *)ptr");
			return NULL;
		}
		return t->elem;
	}
	if (!type_is_scalar(t)) {
		cerror(c, n->loc, "operator '%s' needs an integer, not %s", tok_name(n->op),
		       type_name(t, buf, sizeof(buf)));
		return NULL;
	}
	if (n->a->kind == N_INT) {
		int64_t v = n->a->num;

		n->num = n->op == TOK_MINUS ? (int64_t)(0 - (uint64_t)v) : n->op == TOK_TILDE ? ~v :
			 n->op == TOK_BANG ? !v : v;
		node_free(n->a);
		n->a = NULL;
		n->kind = N_INT;
		n->cast_type = n->op == TOK_BANG ? &type_s64 : t->size == 8 ? t : &type_s64;
		return n->cast_type;
	}
	if (n->op == TOK_BANG)
		return &type_s64;
	return t->size == 8 ? t : &type_s64;
}

static struct type *check_cast(struct checker *c, struct node *n)
{
	struct type *t = check_expr(c, n->a), *to;
	char buf[64];

	if (!t)
		return NULL;
	if (!strcmp(n->name, "void") && n->num == 0) {
		cerror(c, n->loc, "cannot cast to void");
		return NULL;
	}
	to = !strcmp(n->name, "void") ? NULL : type_from_c_name(n->name, c->u->arch->word_size);
	if (!to && strcmp(n->name, "void")) {
		cerror(c, n->loc, "unknown type '%s' in cast", n->name);
		return NULL;
	}
	if (!type_is_scalar(t)) {
		cerror(c, n->loc, "cannot cast %s to an integer type", type_name(t, buf, sizeof(buf)));
		return NULL;
	}
	for (int64_t i = 0; i < n->num; i++)
		to = type_ptr(to, t->kind == TY_PTR ? t->as : probe_mem(c));
	n->cast_type = to;
	if (n->a->kind == N_INT && to->kind == TY_INT) {
		int64_t v = n->a->num;
		int bits = to->size * 8;

		if (bits < 64) {
			uint64_t mask = (1ull << bits) - 1, uv = (uint64_t)v & mask;

			v = to->is_signed && (uv >> (bits - 1)) ? (int64_t)(uv | ~mask) : (int64_t)uv;
		}
		node_free(n->a);
		n->a = NULL;
		n->kind = N_INT;
		n->num = v;
	}
	return to;	/* n->cast_type stays: the folded constant's type */
}

static const struct field *find_field(const struct type *t, const char *name)
{
	for (int i = 0; i < t->nfields; i++)
		if (t->fields[i].name && !strcmp(t->fields[i].name, name))
			return &t->fields[i];
	return NULL;
}

static void suggest_field(struct checker *c, struct loc loc, const struct type *t, const char *name)
{
	const char *best = NULL;
	int best_d = 3;
	struct strbuf all = { 0 };

	for (int i = 0; i < t->nfields; i++) {
		int d = edit_distance(name, t->fields[i].name);

		if (d < best_d) {
			best_d = d;
			best = t->fields[i].name;
		}
		sb_printf(&all, "%s%s", i ? ", " : "", t->fields[i].name);
	}
	if (best)
		cerror(c, loc, "%s has no field '%s'; did you mean '%s'?", t->name ? t->name : "args",
		       name, best);
	else
		cerror(c, loc, "%s has no field '%s' (its fields: %s)", t->name ? t->name : "args",
		       name, all.s ? all.s : "none");
	free(all.s);
}

/* args.f in a probe with several tracepoints: every one must have f,
 * with the same type (offsets may differ: one program per point). */
static struct type *check_struct_field(struct checker *c, struct node *n, struct type *t)
{
	const struct field *f = find_field(t, n->name);
	struct probe *p = c->probe;

	if (!f) {
		suggest_field(c, n->loc, t, n->name);
		return NULL;
	}
	if (n->a->kind == N_IDENT && !strcmp(n->a->name, "args") && p) {
		for (int i = 1; i < p->naps; i++) {
			struct type *other = p->aps[i]->tp_args;
			const struct field *g = other ? find_field(other, n->name) : NULL;

			if (!g) {
				cerror(c, n->loc, "%s has no field '%s' (the probe matches it too)",
				       p->aps[i]->name, n->name);
				return NULL;
			}
			if (!type_compatible(g->type, f->type) || g->type->size != f->type->size) {
				cerror(c, n->loc, "field '%s' has different types in %s and %s",
				       n->name, p->aps[0]->name, p->aps[i]->name);
				return NULL;
			}
			if (g->offset != f->offset)
				p->uses_ctx_fields = true;
		}
	}
	return f->type;
}

static struct type *check_field(struct checker *c, struct node *n)
{
	struct type *t = check_expr(c, n->a);
	char buf[64];

	if (!t)
		return NULL;
	if (t->kind == TY_STRUCT)
		return check_struct_field(c, n, t);
	if (t->kind == TY_TUPLE) {
		char *end;
		long i = strtol(n->name, &end, 10);

		if (*end || i < 0 || i >= t->nfields) {
			cerror(c, n->loc, "tuple has no element '%s' (it has %d: .0 to .%d)", n->name,
			       t->nfields, t->nfields - 1);
			return NULL;
		}
		return t->fields[i].type;
	}
	cerror(c, n->loc, "%s has no fields", type_name(t, buf, sizeof(buf)));
	return NULL;
}

static struct type *check_index(struct checker *c, struct node *n)
{
	struct type *t = check_expr(c, n->a);
	char buf[64];
	int64_t i;

	if (!t || !check_int_arg(c, n->b, "an index", false))
		return NULL;
	if (t->kind == TY_ARRAY) {
		if (const_int(n->b, &i) && (i < 0 || i >= t->count)) {
			cerror(c, n->b->loc, "index %lld is out of bounds (the array has %d elements)",
			       (long long)i, t->count);
			return NULL;
		}
		return t->elem;
	}
	if (t->kind == TY_PTR && t->elem && t->elem->kind == TY_INT)
		return t->elem;
	cerror(c, n->loc, "cannot index %s", type_name(t, buf, sizeof(buf)));
	return NULL;
}

/* The key type of a map access: none, one value, or a tuple. */
static struct type *key_type(struct checker *c, struct node *n)
{
	struct type *elems[n->nkids ? n->nkids : 1];
	char buf[64];

	if (n->nkids == 0)
		return NULL;
	for (int i = 0; i < n->nkids; i++) {
		elems[i] = check_expr(c, n->kids[i]);
		if (!elems[i])
			return &type_none;
		if (elems[i]->kind == TY_AGG || elems[i]->kind == TY_NONE ||
		    elems[i]->kind == TY_STRUCT) {
			cerror(c, n->kids[i]->loc, "%s cannot be a map key",
			       type_name(elems[i], buf, sizeof(buf)));
			return &type_none;
		}
	}
	if (n->nkids == 1)
		return elems[0];
	return type_tuple(elems, n->nkids);
}

static bool check_map_keys(struct checker *c, struct node *n, struct map_sym *m)
{
	struct type *k = key_type(c, n);
	char b1[96], b2[96];

	if (k == &type_none)
		return false;
	if (!m->key_known) {
		m->key = k;
		m->key_known = true;
		m->loc = n->loc;
		return true;
	}
	if (!m->key && !k)
		return true;
	if (!m->key || !k) {

		cerror(c, n->loc, "%s is used %s keys here, %s at %d:%d", m->display, k ? "with" : "without",
		       m->key ? "with keys" : "without", m->loc.line, m->loc.col);
		return false;
	}
	if ((k->kind == TY_TUPLE ? k->nfields : 1) != (m->key->kind == TY_TUPLE ? m->key->nfields : 1) ||
	    !type_compatible(m->key, k)) {

		cerror(c, n->loc, "%s is used with key %s here, but with key %s at %d:%d", m->display,
		       type_name(k, b1, sizeof(b1)), type_name(m->key, b2, sizeof(b2)),
		       m->loc.line, m->loc.col);
		return false;
	}
	m->key = type_unify(m->key, k);
	return true;
}

static struct type *check_map_read(struct checker *c, struct node *n)
{
	struct map_sym *m = map_get(c, n);

	if (!check_map_keys(c, n, m))
		return NULL;
	if (m->val && m->val->kind == TY_AGG) {
		cerror(c, n->loc, "%s holds %s() per CPU: it can be printed, cleared or deleted, not read in a probe",
		       m->display, agg_name(m->val->agg));
		return NULL;
	}
	if (!m->val) {
		if (!c->quiet) {
			cerror(c, n->loc, "%s is read but never assigned", m->display);
		} else {
			c->errors++;
		}
		return NULL;
	}
	return m->val;
}

struct map_sym *check_map_ref(struct checker *c, struct node *n, bool keys)
{
	struct map_sym *m;

	if (n->kind == N_IDENT) {
		m = map_lookup(c->u, n->name);
		if (m && m->bare) {
			n->kind = N_MAP;
			n->op = TOK_IDENT;
		}
	}
	if (n->kind != N_MAP) {
		cerror(c, n->loc, "expected a map here, e.g. @name");
		return NULL;
	}
	if (n->nkids && !keys) {
		cerror(c, n->loc, "expected a whole map here, without [keys]");
		return NULL;
	}
	m = map_get(c, n);
	if (n->nkids && !check_map_keys(c, n, m))
		return NULL;
	if (!m->val) {

		cerror(c, n->loc, "%s is used but never assigned", m->display);
		return NULL;
	}
	n->type = m->val;
	return m;
}

static struct type *check_ident(struct checker *c, struct node *n)
{
	const struct builtin *b = builtin_find(n->name);
	struct map_sym *m;

	if (b) {
		n->builtin = b;
		return b->check(c, n);
	}
	m = map_lookup(c->u, n->name);
	if (m && m->bare) {
		/* ply: a bare name assigned somewhere is a map. */
		n->kind = N_MAP;
		n->op = TOK_IDENT;
		return check_map_read(c, n);
	}
	cerror(c, n->loc, "unknown identifier '%s'", n->name);
	return NULL;
}

static struct type *check_call(struct checker *c, struct node *n)
{
	const struct func *f = func_find(n->name);

	if (!f) {
		cerror(c, n->loc, "unknown function '%s'", n->name);
		return NULL;
	}
	n->func = f;
	if (n->nkids < f->min_args || n->nkids > f->max_args) {
		if (f->min_args == f->max_args)
			cerror(c, n->loc, "%s() takes %d argument%s, not %d", f->name, f->min_args,
			       f->min_args == 1 ? "" : "s", n->nkids);
		else
			cerror(c, n->loc, "%s() takes %d to %d arguments, not %d", f->name,
			       f->min_args, f->max_args, n->nkids);
		return NULL;
	}
	if ((f->flags & F_UNSAFE) && !c->u->opts->unsafe) {
		cerror(c, n->loc, "%s() can change the system: it needs --unsafe", f->name);
		return NULL;
	}
	return f->check(c, n);
}

static struct type *check_ternary(struct checker *c, struct node *n)
{
	struct type *tc, *ta, *tb;
	char b1[64], b2[64];

	if (!check_int_arg(c, n->a, "the condition", true))
		return NULL;
	ta = check_expr(c, n->b);
	tb = check_expr(c, n->c);
	if (!ta || !tb)
		return NULL;
	if (!type_compatible(ta, tb) || ta->kind == TY_NONE || ta->kind == TY_AGG) {
		cerror(c, n->loc, "the two sides of ?: differ: %s and %s", type_name(ta, b1, sizeof(b1)),
		       type_name(tb, b2, sizeof(b2)));
		return NULL;
	}
	if (type_is_scalar(ta))
		return arith_type(ta, tb);
	tc = type_unify(ta, tb);
	return tc;
}

static struct type *check_tuple(struct checker *c, struct node *n)
{
	struct type *elems[n->nkids];
	char buf[64];

	for (int i = 0; i < n->nkids; i++) {
		elems[i] = check_expr(c, n->kids[i]);
		if (!elems[i])
			return NULL;
		if (elems[i]->kind == TY_AGG || elems[i]->kind == TY_NONE ||
		    elems[i]->kind == TY_STRUCT || elems[i]->kind == TY_TUPLE) {
			cerror(c, n->kids[i]->loc, "%s cannot be in a tuple",
			       type_name(elems[i], buf, sizeof(buf)));
			return NULL;
		}
	}
	return type_tuple(elems, n->nkids);
}

static struct type *check_lvalue_int(struct checker *c, struct node *lv, const char *what);

static struct type *check_incdec(struct checker *c, struct node *n)
{
	return check_lvalue_int(c, n->a, n->op == TOK_INC ? "++" : "--");
}

static struct type *check_int(struct checker *c, struct node *n)
{
	/* folded constants keep the type they were computed with */
	return n->cast_type ? n->cast_type : &type_s64;
}

static struct type *check_str_literal(struct checker *c, struct node *n)
{
	return type_str((int)n->len + 1);
}

static struct type *check_var(struct checker *c, struct node *n)
{
	struct var_sym *v = var_lookup(c->probe, n->name);

	if (!v) {
		cerror(c, n->loc, "variable $%s is used before it is assigned", n->name);
		return NULL;
	}
	n->var = v;
	return v->type;
}

static struct type *check_call_value(struct checker *c, struct node *n)
{
	struct type *t = check_call(c, n);

	if (t && n->func && (n->func->flags & F_AGG) && !n->target) {
		cerror(c, n->loc, "%s() must be assigned to a map, e.g. @x = %s(...)",
		       n->name, n->name);
		return NULL;
	}
	return t;
}

/* The checker of each kind of expression. */
static struct type *(*const expr_checkers[])(struct checker *, struct node *) = {
	[N_INT] = check_int, [N_STR] = check_str_literal, [N_IDENT] = check_ident,
	[N_VAR] = check_var, [N_MAP] = check_map_read, [N_CALL] = check_call_value,
	[N_BINOP] = check_binop, [N_UNOP] = check_unop, [N_TERNARY] = check_ternary,
	[N_CAST] = check_cast, [N_FIELD] = check_field, [N_INDEX] = check_index,
	[N_TUPLE] = check_tuple, [N_INCDEC] = check_incdec,
};

struct type *check_expr(struct checker *c, struct node *n)
{
	if ((size_t)n->kind >= ARRAY_SIZE(expr_checkers) || !expr_checkers[n->kind]) {
		cerror(c, n->loc, "a statement is not an expression");
		return NULL;
	}
	n->type = expr_checkers[n->kind](c, n);
	return n->type;
}

static void check_stmt(struct checker *c, struct node *n);

static bool storable(struct checker *c, struct node *n, struct type *t)
{
	char buf[64];

	if (t->kind == TY_NONE || t->kind == TY_STRUCT) {
		cerror(c, n->loc, "%s has no value that can be stored", type_name(t, buf, sizeof(buf)));
		return false;
	}
	return true;
}

/* The map or variable an assignment writes, given the value's type. */
static bool assign_type(struct checker *c, struct node *lv, struct type *t, struct loc at)
{
	char b1[64], b2[64];

	if (lv->kind == N_VAR) {
		struct var_sym *v = var_lookup(c->probe, lv->name);

		if (t->kind == TY_AGG) {
			cerror(c, at, "an aggregation must be assigned to a map, not to $%s", lv->name);
			return false;
		}
		if (!v) {
			v = xcalloc(1, sizeof(*v));
			v->name = xstrdup(lv->name);
			v->type = t;
			v->loc = lv->loc;
			v->next = c->probe->vars;
			c->probe->vars = v;
		} else if (!type_compatible(v->type, t)) {
			cerror(c, at, "$%s holds %s (from %d:%d), cannot assign %s", lv->name,
			       type_name(v->type, b1, sizeof(b1)), v->loc.line, v->loc.col,
			       type_name(t, b2, sizeof(b2)));
			return false;
		} else {
			v->type = type_unify(v->type, t);
		}
		lv->var = v;
		lv->type = v->type;
		return true;
	}
	if (lv->kind == N_MAP) {
		struct map_sym *m = map_get(c, lv);

		if (!check_map_keys(c, lv, m))
			return false;
		if (!m->val) {
			m->val = t;
		} else if (!type_compatible(m->val, t)) {

			cerror(c, at, "%s holds %s, cannot assign %s", m->display,
			       type_name(m->val, b1, sizeof(b1)), type_name(t, b2, sizeof(b2)));
			return false;
		} else {
			m->val = type_unify(m->val, t);
		}
		m->assigned = true;
		lv->type = m->val;
		return true;
	}
	cerror(c, lv->loc, "cannot assign to this expression: only maps and $variables can be assigned");
	return false;
}

/* A bare name on the left of '=' in a ply script is a map; false
 * (after an error) for a builtin's name. */
static bool bare_name_to_map(struct checker *c, struct node *lv)
{
	if (lv->kind != N_IDENT)
		return true;
	if (builtin_find(lv->name)) {
		cerror(c, lv->loc, "'%s' is a builtin and cannot be assigned", lv->name);
		return false;
	}
	lv->kind = N_MAP;
	lv->op = TOK_IDENT;
	return true;
}

static struct type *check_lvalue_int(struct checker *c, struct node *lv, const char *what)
{
	struct type *t;
	char buf[64];

	if (!bare_name_to_map(c, lv))
		return NULL;
	if (lv->kind == N_VAR && !var_lookup(c->probe, lv->name)) {
		cerror(c, lv->loc, "variable $%s is used before it is assigned", lv->name);
		return NULL;
	}
	if (lv->kind == N_MAP) {
		struct map_sym *m = map_get(c, lv);

		/* @x++ on a map never assigned starts it at 0 as an integer. */
		if (!m->val)
			m->val = &type_s64;
		m->assigned = true;
		if (!check_map_keys(c, lv, m))
			return NULL;
		if (m->val->kind == TY_AGG) {
			cerror(c, lv->loc, "%s on an aggregation: use count() or sum()", what);
			return NULL;
		}
		lv->type = m->val;
		t = m->val;
	} else if (lv->kind == N_VAR) {
		t = check_expr(c, lv);
	} else {
		cerror(c, lv->loc, "%s needs a map or a $variable", what);
		return NULL;
	}
	if (t && t->kind != TY_INT) {
		cerror(c, lv->loc, "%s needs an integer, not %s", what, type_name(t, buf, sizeof(buf)));
		return NULL;
	}
	return t;
}

static void check_assign(struct checker *c, struct node *n)
{
	struct node *lv = n->a, *rv = n->b;
	struct type *t;

	if (!bare_name_to_map(c, lv))
		return;
	if (rv->kind == N_CALL) {
		const struct func *f = func_find(rv->name);

		if (f && (f->flags & F_AGG)) {
			if (lv->kind != N_MAP) {
				cerror(c, n->loc, "%s() must be assigned to a map, e.g. @x = %s(...)",
				       rv->name, rv->name);
				return;
			}
			if (n->op != TOK_ASSIGN) {
				cerror(c, n->loc, "use '=' to feed an aggregation, not '%s'", tok_name(n->op));
				return;
			}
			rv->target = lv;
		}
	}
	if (n->op != TOK_ASSIGN) {
		if (!check_lvalue_int(c, lv, tok_name(n->op)) ||
		    !check_int_arg(c, rv, "the right side", true))
			return;
		return;
	}
	t = check_expr(c, rv);
	if (!t || !storable(c, rv, t))
		return;
	if (t->kind == TY_STR && rv->kind == N_STR)
		t = type_str(MAX(t->size, 8));
	assign_type(c, lv, t, n->loc);
}

static void check_block(struct checker *c, struct node *n)
{
	for (int i = 0; i < n->nkids && !diag_too_many(); i++)
		check_stmt(c, n->kids[i]);
}

static void check_stmt(struct checker *c, struct node *n)
{
	int64_t count;

	switch (n->kind) {
	case N_EXPR_STMT:
		if (n->a->kind == N_CALL || n->a->kind == N_INCDEC)
			check_expr(c, n->a);
		else if (check_expr(c, n->a) && !c->quiet)
			warn_at(n->loc, "this expression's value is not used");
		break;
	case N_ASSIGN:
		check_assign(c, n);
		break;
	case N_IF:
		check_int_arg(c, n->a, "the condition", true);
		check_stmt(c, n->b);
		if (n->c)
			check_stmt(c, n->c);
		break;
	case N_BLOCK:
		check_block(c, n);
		break;
	case N_RETURN:
		break;
	case N_BREAK:
	case N_CONTINUE:
		if (!c->loop_depth)
			cerror(c, n->loc, "'%s' outside a while loop",
			       n->kind == N_BREAK ? "break" : "continue");
		break;
	case N_UNROLL:
		if (!check_int_arg(c, n->b, "the unroll count", false))
			break;
		if (!const_int(n->b, &count) || count < 1 || count > 100) {
			cerror(c, n->b->loc, "unroll needs a constant count from 1 to 100");
			break;
		}
		n->num = count;
		check_stmt(c, n->a);
		break;
	case N_WHILE:
		check_int_arg(c, n->a, "the condition", true);
		c->loop_depth++;
		check_stmt(c, n->b);
		c->loop_depth--;
		break;
	default:
		check_expr(c, n);
		break;
	}
}

static void expand_probe(struct unit *u, struct probe *p)
{
	for (int i = 0; i < p->nspecs; i++) {
		const char *rest;
		const struct provider *prov = provider_for_spec(&p->specs[i], &rest);

		if (!prov)
			continue;
		if (p->provider && p->provider->ctx != prov->ctx) {
			/* Builtins read the context, which differs between these. */
			error_at(p->specs[i].loc, "a probe's types must share a context: %s cannot be listed with %s",
				 prov->name, p->provider->name);
			continue;
		}
		p->provider = prov;
		prov->expand(u, p, &p->specs[i], rest);
		if (u->naps > MAX_ATTACH_POINTS) {
			error_at(p->specs[i].loc, "the script expands to %d attach points, more than the %d awl attaches: narrow the wildcards",
				 u->naps, MAX_ATTACH_POINTS);
			return;
		}
	}
}

static void check_probe(struct checker *c, struct probe *p)
{
	c->probe = p;
	if (p->pred)
		check_int_arg(c, p->pred, "the predicate", true);
	check_block(c, p->body);
}

static void reset_vars(struct probe *p)
{
	struct var_sym *v = p->vars, *nv;

	for (; v; v = nv) {
		nv = v->next;
		free(v->name);
		free(v);
	}
	p->vars = NULL;
}

static bool any_quiet_progress(struct unit *u, int *typed)
{
	int now = 0;

	for (int i = 0; i < u->nmaps; i++)
		now += u->maps[i]->val != NULL;
	if (now == *typed)
		return false;
	*typed = now;
	return true;
}

int check_unit(struct unit *u)
{
	struct checker c = { .u = u };
	int errors = diag_error_count(), typed = 0;

	for (int i = 0; i < u->prog->nprobes; i++)
		expand_probe(u, u->prog->probes[i]);
	if (diag_error_count() > errors)
		return -1;
	/* Learn map types until nothing new is learnt: a map may be read in
	 * a probe before the probe that assigns it. Folding is idempotent,
	 * so checking a tree twice is harmless. */
	c.quiet = true;
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < u->prog->nprobes; i++) {
			check_probe(&c, u->prog->probes[i]);
			reset_vars(u->prog->probes[i]);
		}
		if (!any_quiet_progress(u, &typed))
			break;
	}
	c.quiet = false;
	c.errors = 0;
	for (int i = 0; i < u->prog->nprobes && !diag_too_many(); i++)
		check_probe(&c, u->prog->probes[i]);
	return c.errors || diag_error_count() > errors ? -1 : 0;
}
