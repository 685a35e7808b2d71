/* Aggregations: count, sum, avg, min, max, stats, hist (ply: quantize)
 * and lhist. Each keeps a per-CPU value in a BPF_MAP_TYPE_PERCPU_HASH,
 * updated with plain loads and stores (no atomics: 32-bit arm's JIT has
 * none) and merged across CPUs when user space reads it. */
#include <string.h>

#include "awl/builtin.h"
#include "awl/compat.h"
#include "awl/gen.h"

/* Largest lhist: a bound on per-CPU memory and on program size. */
#define MAX_LHIST_BUCKETS 1024

static const struct {
	const char *name;
	enum agg_kind agg;
} agg_names[] = {
	{ "count", AGG_COUNT }, { "sum", AGG_SUM }, { "avg", AGG_AVG }, { "min", AGG_MIN },
	{ "max", AGG_MAX }, { "stats", AGG_STATS }, { "hist", AGG_HIST },
	{ "quantize", AGG_HIST }, { "lhist", AGG_LHIST },
};

static enum agg_kind agg_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(agg_names); i++)
		if (!strcmp(agg_names[i].name, name))
			return agg_names[i].agg;
	return AGG_COUNT;
}

static struct type *check_agg(struct checker *c, struct node *call)
{
	enum agg_kind agg = agg_of(call->name);
	struct type *t;

	if (call->nkids >= 1 && !check_int_arg(c, call->kids[0], "the value", true))
		return NULL;
	t = type_agg(agg);
	if (agg == AGG_LHIST) {
		int64_t lo, hi, step;

		for (int i = 1; i < 4; i++)
			if (!check_int_arg(c, call->kids[i], "an lhist bound", false))
				return NULL;
		if (!const_int(call->kids[1], &lo) || !const_int(call->kids[2], &hi) ||
		    !const_int(call->kids[3], &step)) {
			cerror(c, call->loc, "lhist(value, min, max, step) needs constant min, max and step");
			return NULL;
		}
		if (step <= 0 || hi <= lo) {
			cerror(c, call->loc, "lhist needs min < max and step > 0");
			return NULL;
		}
		/* hi - lo in uint64_t: as int64_t it overflows for wide bounds,
		 * and the count + 2 must not wrap either */
		if (((uint64_t)hi - (uint64_t)lo) / (uint64_t)step > MAX_LHIST_BUCKETS - 2) {
			cerror(c, call->loc, "lhist would have more than %d buckets: use a larger step",
			       MAX_LHIST_BUCKETS);
			return NULL;
		}
		t->lh_min = lo;
		t->lh_max = hi;
		t->lh_step = step;
	}
	return t;
}

/* *(u64 *)(r0 + off) += src (a register) */
static void emit_add_at(struct gen *g, int off, int src)
{
	emit(g, LDX_MEM(BPF_DW, R2, R0, (int16_t)off));
	emit(g, ALU64_REG(BPF_ADD, R2, src));
	emit(g, STX_MEM(BPF_DW, R0, R2, (int16_t)off));
}

static void emit_inc_at(struct gen *g, int off)
{
	emit(g, LDX_MEM(BPF_DW, R2, R0, (int16_t)off));
	emit(g, ALU64_IMM(BPF_ADD, R2, 1));
	emit(g, STX_MEM(BPF_DW, R0, R2, (int16_t)off));
}

/* min/max: {value, set}; replace when unset or beyond. */
static void emit_minmax(struct gen *g, bool is_min, int fail)
{
	int set = label_new(g);

	emit(g, LDX_MEM(BPF_DW, R2, R0, 8));
	emit_jump(g, JMP_IMM(BPF_JEQ, R2, 0, 0), set);
	emit(g, LDX_MEM(BPF_DW, R2, R0, 0));
	emit_jump(g, JMP_REG(is_min ? BPF_JSGE : BPF_JSLE, R1, R2, 0), fail);
	label_place(g, set);
	emit(g, STX_MEM(BPF_DW, R0, R1, 0));
	emit(g, ST_MEM(BPF_DW, R0, 8, 1));
}

/* r2 = hist bucket of r1 (see type.c): negatives 0, zero 1, else
 * 2 + floor(log2(v)), by halving the range six times. */
static void emit_log2_bucket(struct gen *g)
{
	int done = label_new(g);

	emit(g, MOV64_IMM(R2, 0));
	emit_jump(g, JMP_IMM(BPF_JSLT, R1, 0, 0), done);
	emit(g, MOV64_IMM(R2, 1));
	emit_jump(g, JMP_IMM(BPF_JEQ, R1, 0, 0), done);
	emit(g, MOV64_IMM(R2, 2));
	for (int shift = 32; shift >= 1; shift /= 2) {
		int skip = label_new(g);

		emit(g, MOV64_REG(R3, R1));
		emit(g, ALU64_IMM(BPF_RSH, R3, shift));
		emit_jump(g, JMP_IMM(BPF_JEQ, R3, 0, 0), skip);
		emit(g, MOV64_REG(R1, R3));
		emit(g, ALU64_IMM(BPF_ADD, R2, shift));
		label_place(g, skip);
	}
	label_place(g, done);
}

static void emit_cmp_const(struct gen *g, int op, int reg, int64_t k, int label)
{
	if (k >= INT32_MIN && k <= INT32_MAX) {
		emit_jump(g, JMP_IMM(op, reg, (int32_t)k, 0), label);
	} else {
		emit_ld_imm64(g, R3, (uint64_t)k);
		emit_jump(g, JMP_REG(op, reg, R3, 0), label);
	}
}

/* r0 = lhist bucket of r1 (clobbers r1-r5: a division may be long). */
static void emit_linear_bucket(struct gen *g, const struct type *t)
{
	int done = label_new(g), nb = agg_nbuckets(t);

	emit(g, MOV64_IMM(R0, 0));
	emit_cmp_const(g, BPF_JSLT, R1, t->lh_min, done);
	emit(g, MOV64_IMM(R0, nb - 1));
	emit_cmp_const(g, BPF_JSGE, R1, t->lh_max, done);
	emit(g, MOV64_REG(R0, R1));
	if (t->lh_min >= INT32_MIN && t->lh_min <= INT32_MAX) {
		emit(g, ALU64_IMM(BPF_SUB, R0, (int32_t)t->lh_min));
	} else {
		emit_ld_imm64(g, R3, (uint64_t)t->lh_min);
		emit(g, ALU64_REG(BPF_SUB, R0, R3));
	}
	if (t->lh_step > 1 && !(t->lh_step & (t->lh_step - 1))) {
		emit(g, ALU64_IMM(BPF_RSH, R0, __builtin_ctzll((unsigned long long)t->lh_step)));
	} else if (t->lh_step > 1) {
		emit_ld_imm64(g, R2, (uint64_t)t->lh_step);
		emit_udiv(g, BPF_DIV, R0, R2);
	}
	emit(g, ALU64_IMM(BPF_ADD, R0, 1));
	label_place(g, done);
}

/* The bucket of x, computed before the map lookup (which needs r0). */
static struct val bucket_of(struct gen *g, const struct type *t, const struct val *x)
{
	struct val bucket;
	int r = val_load(g, x, R1);

	if (r != R1)
		emit(g, MOV64_REG(R1, r));
	if (t->agg == AGG_HIST) {
		emit_log2_bucket(g);
		emit(g, MOV64_REG(R0, R2));
	} else {
		emit_linear_bucket(g, t);
	}
	bucket = val_scalar(g, &type_u64);
	val_store_reg(g, &bucket, R0);
	return bucket;
}

/* Adds one to bucket r2 of the value at r0; the bound check lets the
 * verifier prove the access stays inside the value. */
static void emit_bucket_inc(struct gen *g, int nbuckets, int fail)
{
	emit_jump(g, JMP_IMM(BPF_JGT, R2, nbuckets - 1, 0), fail);
	emit(g, ALU64_IMM(BPF_LSH, R2, 3));
	emit(g, ALU64_REG(BPF_ADD, R0, R2));
	emit_inc_at(g, 0);
}

static int gen_agg(struct gen *g, struct node *call, struct val *out)
{
	struct node *map = call->target;
	const struct type *t = map->map->val;
	struct val x = { 0 }, bucket = { 0 };
	int key_off, done = label_new(g);

	*out = (struct val){ .kind = V_NONE, .type = &type_none };
	if (call->nkids >= 1 && gen_scalar(g, call->kids[0], &x))
		return -1;
	if (t->agg == AGG_HIST || t->agg == AGG_LHIST)
		bucket = bucket_of(g, t, &x);
	key_off = gen_map_key(g, map);
	gen_map_lookup_or_init(g, map->map->kmap, key_off, done);
	if (call->nkids >= 1) {
		int r = val_load(g, &x, R1);

		if (r != R1)
			emit(g, MOV64_REG(R1, r));
	}
	switch (t->agg) {
	case AGG_COUNT:
		emit_inc_at(g, 0);
		break;
	case AGG_SUM:
		emit_add_at(g, 0, R1);
		break;
	case AGG_AVG:
	case AGG_STATS:
		emit_inc_at(g, 0);
		emit_add_at(g, 8, R1);
		break;
	case AGG_MIN:
	case AGG_MAX:
		emit_minmax(g, t->agg == AGG_MIN, done);
		break;
	case AGG_HIST:
	case AGG_LHIST:
		if (val_load(g, &bucket, R2) != R2)
			emit(g, MOV64_REG(R2, val_load(g, &bucket, R2)));
		emit_bucket_inc(g, agg_nbuckets(t), done);
		break;
	}
	label_place(g, done);
	val_free(g, &bucket);
	val_free(g, &x);
	return 0;
}

const struct func funcs_agg[] = {
	{ "count", 0, 0, F_AGG, check_agg, gen_agg },
	{ "sum", 1, 1, F_AGG, check_agg, gen_agg },
	{ "avg", 1, 1, F_AGG, check_agg, gen_agg },
	{ "min", 1, 1, F_AGG, check_agg, gen_agg },
	{ "max", 1, 1, F_AGG, check_agg, gen_agg },
	{ "stats", 1, 1, F_AGG, check_agg, gen_agg },
	{ "hist", 1, 1, F_AGG, check_agg, gen_agg },
	{ "quantize", 1, 1, F_AGG, check_agg, gen_agg },
	{ "lhist", 4, 4, F_AGG, check_agg, gen_agg },
	{ NULL, 0, 0, 0, NULL, NULL },
};
