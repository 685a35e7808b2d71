/* Builtins that read the probe's context: args (ply: data), the record
 * of a tracepoint. Its fields are read by the generator's field access. */
#include "awl/builtin.h"
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

const struct builtin builtins_ctx[] = {
	{ "args", check_args, gen_args },
	{ "data", check_args, gen_args },	/* ply */
	{ NULL, NULL, NULL },
};
