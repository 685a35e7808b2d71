/* Builtins that read the probe's context: args (ply: data), the record
 * of a tracepoint, whose fields are read by the generator's field
 * access; kstack (ply: stack), the kernel stack where the probe fired. */
#include "awl/builtin.h"
#include "awl/compat.h"
#include "awl/gen.h"
#include "awl/provider.h"

static struct type *check_args(struct checker *c, struct node *n)
{
	struct attach_point *ap = check_first_ap(c);

	if (!ap || ap->provider->ctx != CTX_TRACEPOINT || !ap->tp_args) {
		cerror(c, n->loc, "'%s' is only available in tracepoint probes", n->name);
		return NULL;
	}
	return ap->tp_args;
}

static int gen_args(struct gen *g, struct node *n, struct val *out)
{
	gen_error(g, n->loc, "'%s' can only be used with a field, e.g. %s.%s", n->name, n->name,
		  g->ap->tp_args && g->ap->tp_args->nfields ? g->ap->tp_args->fields[0].name : "x");
	return -1;
}

static struct type *check_kstack(struct checker *c, struct node *n)
{
	c->u->uses_kstack = true;
	/* negative when the kernel could not record the stack */
	return type_int_fmt(8, true, FMT_KSTACK);
}

static int gen_kstack(struct gen *g, struct node *n, struct val *out)
{
	emit(g, MOV64_REG(R1, CTX_REG));
	emit_ld_map(g, R2, g->u->stack_kmap);
	emit(g, MOV64_IMM(R3, 0));	/* kernel stack, no flags */
	emit_call(g, HELPER_get_stackid);
	*out = val_scalar(g, n->type);
	val_store_reg(g, out, R0);
	return 0;
}

const struct builtin builtins_ctx[] = {
	{ "args", check_args, gen_args },
	{ "data", check_args, gen_args },	/* ply */
	{ "kstack", check_kstack, gen_kstack },
	{ "stack", check_kstack, gen_kstack },	/* ply */
	{ NULL, NULL, NULL },
};
