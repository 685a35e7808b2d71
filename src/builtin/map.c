/* Map operations done in the kernel: delete(@m[k]), delete(@m, k) and
 * ply's `delete m[k]`. (clear and zero go through user space, see
 * print.c: BPF cannot walk a map on old kernels.) */
#include "awl/builtin.h"
#include "awl/compat.h"
#include "awl/gen.h"

static struct type *check_delete(struct checker *c, struct node *call)
{
	struct node *m = call->kids[0];

	if (call->nkids == 2) {
		/* delete(@m, k): the same as delete(@m[k]) */
		if (m->kind != N_MAP || m->nkids) {
			cerror(c, m->loc, "delete(@map, key) needs a map without [keys] first");
			return NULL;
		}
		node_add_kid(m, call->kids[1]);
		call->nkids = 1;
	}
	if (!check_map_ref(c, m, true))
		return NULL;
	if (m->map->key && !m->nkids) {
		cerror(c, m->loc, "delete needs the key of the element: delete(@%s[key]); clear(@%s) empties the map",
		       m->name, m->name);
		return NULL;
	}
	return &type_none;
}

static int gen_delete(struct gen *g, struct node *call, struct val *out)
{
	struct node *m = call->kids[0];
	int key_off = gen_map_key(g, m);

	emit_ld_map(g, R1, m->map->kmap);
	emit(g, MOV64_REG(R2, FP));
	emit(g, ALU64_IMM(BPF_ADD, R2, key_off));
	emit_call(g, HELPER_map_delete_elem);
	*out = (struct val){ .kind = V_NONE, .type = &type_none };
	return 0;
}

const struct func funcs_map[] = {
	{ "delete", 1, 2, F_STMT, check_delete, gen_delete },
	{ NULL, 0, 0, 0, NULL, NULL },
};
