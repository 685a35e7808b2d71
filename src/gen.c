/* The code generator: each probe's tree to BPF instructions. See gen.h
 * for how values and registers are handled. The generator assumes a
 * checked tree: type errors were all reported by the checker. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awl/builtin.h"
#include "awl/compat.h"
#include "awl/gen.h"
#include "awl/lex.h"
#include "awl/provider.h"

/* Registers that hold values across calls (r6 is the context). */
#define FIRST_VAL_REG R7
#define LAST_VAL_REG R9

void gen_error(struct gen *g, struct loc loc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (g->failed)
		return;
	g->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error_at(loc, "%s", msg);
}

/* The kernel loads at most a million instructions per program; nested
 * unroll() could ask for far more, so generation stops there. */
#define MAX_PROGRAM_INSNS 1000000

void emit(struct gen *g, struct bpf_insn insn)
{
	if (g->ninsns >= MAX_PROGRAM_INSNS) {
		gen_error(g, g->probe->loc, "the probe's program would be larger than the %d instructions the kernel loads (nested unroll?)",
			  MAX_PROGRAM_INSNS);
		return;
	}
	VEC_PUSH(g->insns, g->ninsns, g->capinsns, insn);
}

void emit_ld_imm64(struct gen *g, int reg, uint64_t value)
{
	emit(g, LD_IMM64_LO(reg, 0, (int32_t)(uint32_t)value));
	emit(g, INSN(0, 0, 0, 0, (int32_t)(uint32_t)(value >> 32)));
}

void emit_ld_map(struct gen *g, int reg, int kmap)
{
	/* imm is the kmap index until the loader puts the map's fd there. */
	emit(g, LD_IMM64_LO(reg, BPF_PSEUDO_MAP_FD, kmap));
	emit(g, INSN(0, 0, 0, 0, 0));
}

void emit_call(struct gen *g, int helper)
{
	emit(g, CALL(helper));
}

int label_new(struct gen *g)
{
	VEC_PUSH(g->labels, g->nlabels, g->caplabels, -1);
	return g->nlabels - 1;
}

void label_place(struct gen *g, int label)
{
	g->labels[label] = g->ninsns;
}

void emit_jump(struct gen *g, struct bpf_insn jmp, int label)
{
	struct jump_fixup f = { g->ninsns, label };

	VEC_PUSH(g->fixups, g->nfixups, g->capfixups, f);
	emit(g, jmp);
}

static void resolve_jumps(struct gen *g)
{
	for (int i = 0; i < g->nfixups; i++) {
		int target = g->labels[g->fixups[i].label];
		int off = target - (g->fixups[i].insn + 1);

		if (off < INT16_MIN || off > INT16_MAX) {
			gen_error(g, g->probe->loc, "the probe is too large: a jump spans more than 32767 instructions");
			return;
		}
		g->insns[g->fixups[i].insn].off = (int16_t)off;
	}
}

int stack_alloc(struct gen *g, int size)
{
	g->stack += ALIGN_UP(size, 8);
	if (g->stack > BPF_STACK_SIZE) {
		gen_error(g, g->probe->loc,
			  "the probe needs more than the %d bytes of stack BPF allows: use fewer or shorter strings (str(x, N)) at once",
			  BPF_STACK_SIZE);
		g->stack = BPF_STACK_SIZE;
	}
	g->stack_max = MAX(g->stack_max, g->stack);
	return -g->stack;
}

void emit_zero(struct gen *g, int off, int size)
{
	for (int i = 0; i + 8 <= size; i += 8)
		emit(g, ST_MEM(BPF_DW, FP, (int16_t)(off + i), 0));
}

void emit_copy(struct gen *g, int dst_reg, int dst_off, int src_reg, int src_off, int size)
{
	for (int i = 0; i + 8 <= size; i += 8) {
		emit(g, LDX_MEM(BPF_DW, R5, src_reg, (int16_t)(src_off + i)));
		emit(g, STX_MEM(BPF_DW, dst_reg, R5, (int16_t)(dst_off + i)));
	}
}

struct val val_imm(int64_t imm, struct type *type)
{
	return (struct val){ .kind = V_IMM, .imm = imm, .type = type };
}

struct val val_scalar(struct gen *g, struct type *type)
{
	for (int r = FIRST_VAL_REG; r <= LAST_VAL_REG; r++) {
		if (!(g->busy & (1u << r))) {
			g->busy |= 1u << r;
			return (struct val){ .kind = V_REG, .reg = r, .type = type };
		}
	}
	return (struct val){ .kind = V_STACK, .off = stack_alloc(g, 8), .size = 8, .type = type };
}

static bool fits_imm32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

int val_load(struct gen *g, const struct val *v, int scratch)
{
	switch (v->kind) {
	case V_IMM:
		if (fits_imm32(v->imm))
			emit(g, MOV64_IMM(scratch, (int32_t)v->imm));
		else
			emit_ld_imm64(g, scratch, (uint64_t)v->imm);
		return scratch;
	case V_REG:
		return v->reg;
	case V_STACK:
		emit(g, LDX_MEM(BPF_DW, scratch, FP, (int16_t)v->off));
		return scratch;
	default:
		emit(g, MOV64_IMM(scratch, 0));
		return scratch;
	}
}

void val_store_reg(struct gen *g, const struct val *dst, int reg)
{
	if (dst->kind == V_REG) {
		if (dst->reg != reg)
			emit(g, MOV64_REG(dst->reg, reg));
	} else if (dst->kind == V_STACK) {
		emit(g, STX_MEM(BPF_DW, FP, reg, (int16_t)dst->off));
	}
}

void val_free(struct gen *g, struct val *v)
{
	if (v->kind == V_REG)
		g->busy &= ~(1u << v->reg);
	v->kind = V_NONE;
}

/* Loads v into exactly register `reg` (a scratch register). */
static void val_load_into(struct gen *g, const struct val *v, int reg)
{
	int r = val_load(g, v, reg);

	if (r != reg)
		emit(g, MOV64_REG(reg, r));
}

void emit_extend(struct gen *g, int reg, const struct type *t)
{
	int shift;

	if (t->kind != TY_INT || t->size >= 8)
		return;
	shift = 64 - t->size * 8;
	emit(g, ALU64_IMM(BPF_LSH, reg, shift));
	emit(g, ALU64_IMM(t->is_signed ? BPF_ARSH : BPF_RSH, reg, shift));
}

static int size_code(int size)
{
	return size == 1 ? BPF_B : size == 2 ? BPF_H : size == 4 ? BPF_W : BPF_DW;
}

/* String literals are materialised 4 bytes at a time (ST takes a 32-bit
 * immediate); the tail up to the 8-byte boundary is zero. */
static void gen_str_literal(struct gen *g, const char *s, size_t len, int size, struct val *out)
{
	int alloc = ALIGN_UP(size, 8);
	int off = stack_alloc(g, alloc);

	for (int i = 0; i < alloc; i += 4) {
		uint32_t word = 0;

		for (int k = 3; k >= 0; k--) {
			size_t at = (size_t)(i + k);

			word = word << 8 | (at < len ? (unsigned char)s[at] : 0);
		}
		emit(g, ST_MEM(BPF_W, FP, (int16_t)(off + i), (int32_t)word));
	}
	*out = (struct val){ .kind = V_STACK, .off = off, .size = alloc, .type = type_str(size) };
}

static void store_data(struct gen *g, int base_reg, int off, const struct val *v,
		       const struct type *as);

void gen_store(struct gen *g, int base_reg, int off, const struct val *v, const struct type *as)
{
	if (type_is_scalar(as)) {
		int r = val_load(g, v, R1);

		emit(g, STX_MEM(BPF_DW, base_reg, r, (int16_t)off));
		return;
	}
	store_data(g, base_reg, off, v, as);
}

/* Copies v (stack memory) into the layout of `as`: strings are cut or
 * NUL-padded, tuples are stored element by element when the element
 * layouts differ. */
static void store_data(struct gen *g, int base_reg, int off, const struct val *v,
		       const struct type *as)
{
	int dst_size = type_storage_size(as);
	int n;

	if (v->kind != V_STACK) {
		gen_error(g, (struct loc){ 0, 0 }, "internal error: data value not in memory");
		return;
	}
	if (as->kind == TY_TUPLE && v->type && v->type->kind == TY_TUPLE &&
	    v->type->size != as->size) {
		for (int i = 0; i < as->nfields; i++) {
			const struct field *src = &v->type->fields[i], *dst = &as->fields[i];
			struct val part = { .kind = V_STACK, .off = v->off + src->offset,
					    .size = type_storage_size(src->type), .type = src->type };

			if (type_is_scalar(dst->type)) {
				emit(g, LDX_MEM(BPF_DW, R1, FP, (int16_t)part.off));
				emit(g, STX_MEM(BPF_DW, base_reg, R1, (int16_t)(off + dst->offset)));
			} else {
				store_data(g, base_reg, off + dst->offset, &part, dst->type);
			}
		}
		return;
	}
	n = MIN(v->size, dst_size);
	if (base_reg == FP && off == v->off && n == dst_size)
		return;
	emit_copy(g, base_reg, off, FP, v->off, n & ~7);
	if (as->kind == TY_STR && n == dst_size && n > 0 && v->size > dst_size) {
		/* A longer string cut short keeps its terminating NUL. */
		emit(g, ST_MEM(BPF_B, base_reg, (int16_t)(off + as->size - 1), 0));
	}
	for (int i = n & ~7; i < dst_size; i += 8)
		emit(g, ST_MEM(BPF_DW, base_reg, (int16_t)(off + i), 0));
}

int gen_to_stack(struct gen *g, struct node *n, const struct type *as)
{
	struct val v;
	int off;

	if (gen_expr(g, n, &v))
		return 0;
	if (v.kind == V_STACK && !type_is_scalar(as) && v.size == type_storage_size(as) &&
	    (as->kind != TY_TUPLE || v.type->size == as->size))
		return v.off;
	off = stack_alloc(g, type_storage_size(as));
	gen_store(g, FP, off, &v, as);
	val_free(g, &v);
	return off;
}

int gen_scalar(struct gen *g, struct node *n, struct val *out)
{
	if (gen_expr(g, n, out))
		return -1;
	if (out->kind == V_IMM) {
		struct val v = val_scalar(g, out->type);
		int r = v.kind == V_REG ? v.reg : R0;

		val_load_into(g, out, r);
		val_store_reg(g, &v, r);
		*out = v;
	}
	return 0;
}

/* ---- maps ---- */

int gen_map_key(struct gen *g, struct node *n)
{
	struct map_sym *m = n->map;
	int off;

	if (!m->key) {
		off = stack_alloc(g, 8);
		emit(g, ST_MEM(BPF_DW, FP, (int16_t)off, 0));
		return off;
	}
	if (n->nkids == 1)
		return gen_to_stack(g, n->kids[0], m->key);
	off = stack_alloc(g, m->key->size);
	for (int i = 0; i < n->nkids; i++) {
		struct val v;
		int mark = g->stack;

		if (gen_expr(g, n->kids[i], &v))
			return off;
		gen_store(g, FP, off + m->key->fields[i].offset, &v, m->key->fields[i].type);
		val_free(g, &v);
		g->stack = mark;
	}
	return off;
}

static void map_call_setup(struct gen *g, int kmap, int key_off)
{
	emit_ld_map(g, R1, kmap);
	emit(g, MOV64_REG(R2, FP));
	emit(g, ALU64_IMM(BPF_ADD, R2, key_off));
}

/* Adds one to slot `slot` of a per-CPU array of counters (no atomics:
 * the CPU's own copy); jumps to done if the lookup fails. */
static void emit_counter_add(struct gen *g, int kmap, int slot, int done)
{
	int key = stack_alloc(g, 8);

	emit(g, ST_MEM(BPF_W, FP, (int16_t)key, slot));
	map_call_setup(g, kmap, key);
	emit_call(g, HELPER_map_lookup_elem);
	emit_jump(g, JMP_IMM(BPF_JEQ, R0, 0, 0), done);
	emit(g, LDX_MEM(BPF_DW, R1, R0, 0));
	emit(g, ALU64_IMM(BPF_ADD, R1, 1));
	emit(g, STX_MEM(BPF_DW, R0, R1, 0));
}

/* After a map update that failed (R0 != 0): a full map refused a new
 * key. Counted per map and per CPU, and reported at exit with the
 * option that raises the size; never silent. */
static void emit_count_refused(struct gen *g, int kmap, int done)
{
	if (g->u->drops_kmap < 0 || kmap >= (int)g->u->kmaps[g->u->drops_kmap].max_entries)
		return;
	emit_counter_add(g, g->u->drops_kmap, kmap, done);
}

/* A map update just called: counts its refusal. */
static void emit_update_check(struct gen *g, int kmap)
{
	int ok = label_new(g);

	emit_jump(g, JMP_IMM(BPF_JEQ, R0, 0, 0), ok);
	emit_count_refused(g, kmap, ok);
	label_place(g, ok);
}

void gen_map_lookup(struct gen *g, int kmap, int key_off, int missing)
{
	map_call_setup(g, kmap, key_off);
	emit_call(g, HELPER_map_lookup_elem);
	emit_jump(g, JMP_IMM(BPF_JEQ, R0, 0, 0), missing);
}

/* Large zero values come from awl's one-entry zero map rather than the
 * 512-byte stack. */
#define MAX_STACK_ZERO 64

void gen_map_lookup_or_init(struct gen *g, int kmap, int key_off, int fail)
{
	int found = label_new(g), mark = g->stack;
	uint32_t size = g->u->kmaps[kmap].value_size;

	map_call_setup(g, kmap, key_off);
	emit_call(g, HELPER_map_lookup_elem);
	emit_jump(g, JMP_IMM(BPF_JNE, R0, 0, 0), found);
	if (size <= MAX_STACK_ZERO) {
		int zero = stack_alloc(g, (int)size);

		emit_zero(g, zero, (int)size);
		emit(g, MOV64_REG(R3, FP));
		emit(g, ALU64_IMM(BPF_ADD, R3, zero));
	} else {
		int key = stack_alloc(g, 8);

		emit(g, ST_MEM(BPF_W, FP, (int16_t)key, 0));
		map_call_setup(g, g->u->zero_kmap, key);
		emit_call(g, HELPER_map_lookup_elem);
		emit_jump(g, JMP_IMM(BPF_JEQ, R0, 0, 0), fail);
		emit(g, MOV64_REG(R3, R0));
	}
	emit_ld_map(g, R1, kmap);
	emit(g, MOV64_REG(R2, FP));
	emit(g, ALU64_IMM(BPF_ADD, R2, key_off));
	emit(g, MOV64_IMM(R4, BPF_NOEXIST));
	emit_call(g, HELPER_map_update_elem);
	map_call_setup(g, kmap, key_off);
	emit_call(g, HELPER_map_lookup_elem);
	emit_jump(g, JMP_IMM(BPF_JNE, R0, 0, 0), found);
	/* neither there nor insertable: the map is full */
	emit_count_refused(g, kmap, fail);
	emit_jump(g, JA(0), fail);
	label_place(g, found);
	g->stack = mark;
}

static int gen_map_read(struct gen *g, struct node *n, struct val *out)
{
	struct map_sym *m = n->map;
	int kmap = m->kmap, key_off = gen_map_key(g, n), done = label_new(g);

	if (type_is_scalar(m->val)) {
		*out = val_scalar(g, m->val);
		/* Absent keys read as zero. */
		if (out->kind == V_REG)
			emit(g, MOV64_IMM(out->reg, 0));
		else
			emit(g, ST_MEM(BPF_DW, FP, (int16_t)out->off, 0));
		gen_map_lookup(g, kmap, key_off, done);
		emit(g, LDX_MEM(BPF_DW, R1, R0, 0));
		val_store_reg(g, out, R1);
	} else {
		int size = type_storage_size(m->val), off = stack_alloc(g, size);

		emit_zero(g, off, size);
		gen_map_lookup(g, kmap, key_off, done);
		emit_copy(g, FP, off, R0, 0, size);
		*out = (struct val){ .kind = V_STACK, .off = off, .size = size, .type = m->val };
	}
	label_place(g, done);
	return 0;
}

/* ---- reading memory ---- */

void gen_probe_read(struct gen *g, int dst_off, int size, int src_reg, enum addr_space as,
		    bool as_str)
{
	int helper;

	if (g->u->user_str_helpers)
		helper = as == AS_USER ? (as_str ? HELPER_probe_read_user_str : HELPER_probe_read_user)
				       : (as_str ? HELPER_probe_read_kernel_str : HELPER_probe_read_kernel);
	else
		helper = as_str ? HELPER_probe_read_str : HELPER_probe_read;
	if (src_reg != R3)
		emit(g, MOV64_REG(R3, src_reg));
	emit(g, MOV64_REG(R1, FP));
	emit(g, ALU64_IMM(BPF_ADD, R1, dst_off));
	emit(g, MOV64_IMM(R2, size));
	emit_call(g, helper);
}

/* ---- events ---- */

/* The register to address the record with (r10, or the pointer in
 * scratch, which must not be r1 or r5: gen_store uses those). */
int record_base(struct gen *g, const struct record *rec, int scratch)
{
	return rec->in_map ? val_load(g, &rec->ptr, scratch) : FP;
}

int gen_record_begin(struct gen *g, int ev, struct record *rec, int fail)
{
	const struct event_desc *e = g->u->events[ev];
	int base;

	memset(rec, 0, sizeof(*rec));
	rec->in_map = e->size > MAX_STACK_EVENT;
	rec->size = e->size;
	if (rec->in_map) {
		int key = stack_alloc(g, 8);

		emit(g, ST_MEM(BPF_DW, FP, (int16_t)key, 0));
		map_call_setup(g, g->u->scratch_kmap, key);
		emit_call(g, HELPER_map_lookup_elem);
		emit_jump(g, JMP_IMM(BPF_JEQ, R0, 0, 0), fail);
		rec->ptr = val_scalar(g, &type_u64);
		val_store_reg(g, &rec->ptr, R0);
	} else {
		rec->off = stack_alloc(g, e->size);
	}
	/* header: the event's id, and the time for ordering perf buffers */
	if (!g->u->ringbuf)
		emit_call(g, HELPER_ktime_get_ns);
	base = record_base(g, rec, R1);
	emit(g, ST_MEM(BPF_DW, base, (int16_t)rec->off, ev));
	if (g->u->ringbuf)
		emit(g, ST_MEM(BPF_DW, base, (int16_t)(rec->off + 8), 0));
	else
		emit(g, STX_MEM(BPF_DW, base, R0, (int16_t)(rec->off + 8)));
	return 0;
}

void gen_record_send(struct gen *g, struct record *rec)
{
	int sent = label_new(g), data = g->u->ringbuf ? R2 : R4;

	if (g->u->ringbuf) {
		emit_ld_map(g, R1, g->u->out_kmap);
		emit(g, MOV64_IMM(R3, rec->size));
		emit(g, MOV64_IMM(R4, 0));
	} else {
		emit(g, MOV64_REG(R1, CTX_REG));
		emit_ld_map(g, R2, g->u->out_kmap);
		/* BPF_F_CURRENT_CPU is 0xffffffff: a 32-bit move zero-extends. */
		emit(g, INSN(BPF_ALU | BPF_MOV | BPF_K, R3, 0, 0, -1));
		emit(g, MOV64_IMM(R5, rec->size));
	}
	if (rec->in_map) {
		emit(g, MOV64_REG(data, record_base(g, rec, data)));
	} else {
		emit(g, MOV64_REG(data, FP));
		emit(g, ALU64_IMM(BPF_ADD, data, rec->off));
	}
	emit_call(g, g->u->ringbuf ? HELPER_ringbuf_output : HELPER_perf_event_output);
	emit_jump(g, JMP_IMM(BPF_JEQ, R0, 0, 0), sent);
	emit_counter_add(g, g->u->lost_kmap, 0, sent);
	label_place(g, sent);
	val_free(g, &rec->ptr);
}

int gen_event(struct gen *g, int ev, struct node **args)
{
	const struct event_desc *e = g->u->events[ev];
	struct record rec;
	int done = label_new(g);

	gen_record_begin(g, ev, &rec, done);
	for (int i = 0; i < e->nargs; i++) {
		struct val v;
		int mark = g->stack;

		if (gen_expr(g, args[i], &v))
			return -1;
		gen_store(g, record_base(g, &rec, R0), rec.off + e->args[i].offset, &v,
			  e->args[i].type);
		val_free(g, &v);
		g->stack = mark;
	}
	gen_record_send(g, &rec);
	label_place(g, done);
	return 0;
}

/* ---- expressions ---- */

static const struct {
	int tok, alu;
} alu_ops[] = {
	{ TOK_PLUS, BPF_ADD }, { TOK_MINUS, BPF_SUB }, { TOK_STAR, BPF_MUL },
	{ TOK_SLASH, BPF_DIV }, { TOK_PERCENT, BPF_MOD }, { TOK_AMP, BPF_AND },
	{ TOK_PIPE, BPF_OR }, { TOK_CARET, BPF_XOR }, { TOK_SHL, BPF_LSH }, { TOK_SHR, BPF_RSH },
	{ TOK_ADD_ASSIGN, BPF_ADD }, { TOK_SUB_ASSIGN, BPF_SUB }, { TOK_MUL_ASSIGN, BPF_MUL },
	{ TOK_DIV_ASSIGN, BPF_DIV }, { TOK_MOD_ASSIGN, BPF_MOD }, { TOK_AND_ASSIGN, BPF_AND },
	{ TOK_OR_ASSIGN, BPF_OR }, { TOK_XOR_ASSIGN, BPF_XOR }, { TOK_SHL_ASSIGN, BPF_LSH },
	{ TOK_SHR_ASSIGN, BPF_RSH }, { TOK_INC, BPF_ADD }, { TOK_DEC, BPF_SUB },
};

static int alu_of(int tok)
{
	for (size_t i = 0; i < ARRAY_SIZE(alu_ops); i++)
		if (alu_ops[i].tok == tok)
			return alu_ops[i].alu;
	return -1;
}

/* One step of binary long division: the next bit of n (r3) into the
 * remainder (r5) and, where the divisor (r4) fits, into the quotient (r2). */
static void emit_division_step(struct gen *g)
{
	int no_fit = label_new(g);

	emit(g, MOV64_REG(R1, R3));
	emit(g, ALU64_IMM(BPF_RSH, R1, 63));
	emit(g, ALU64_IMM(BPF_LSH, R5, 1));
	emit(g, ALU64_REG(BPF_OR, R5, R1));
	emit(g, ALU64_IMM(BPF_LSH, R3, 1));
	emit(g, ALU64_IMM(BPF_LSH, R2, 1));
	emit_jump(g, JMP_REG(BPF_JLT, R5, R4, 0), no_fit);
	emit(g, ALU64_REG(BPF_SUB, R5, R4));
	emit(g, ALU64_IMM(BPF_OR, R2, 1));
	label_place(g, no_fit);
}

void emit_udiv(struct gen *g, int alu, int dst, int src)
{
	int by_zero, done;

	if (!g->arch->jit_no_div64 && !g->long_division) {
		emit(g, ALU64_REG(alu, dst, src));
		return;
	}
	/* 32-bit arm's JIT cannot divide 64-bit values: 64 unrolled steps
	 * of long division (no loop: kernels before 5.3 refuse those) */
	by_zero = label_new(g);
	done = label_new(g);
	emit(g, MOV64_REG(R4, src));
	emit(g, MOV64_REG(R3, dst));
	emit_jump(g, JMP_IMM(BPF_JEQ, R4, 0, 0), by_zero);
	emit(g, MOV64_IMM(R5, 0));
	emit(g, MOV64_IMM(R2, 0));
	for (int bit = 0; bit < 64; bit++)
		emit_division_step(g);
	emit(g, MOV64_REG(dst, alu == BPF_DIV ? R2 : R5));
	emit_jump(g, JA(0), done);
	label_place(g, by_zero);
	if (alu == BPF_DIV)	/* BPF's x / 0 is 0, and x % 0 is x */
		emit(g, MOV64_IMM(dst, 0));
	label_place(g, done);
}

/* BPF divides unsigned only (before the v4 ISA): signed division and
 * remainder divide the magnitudes and fix the sign, as C does. The sign
 * waits on the stack while emit_udiv may use every scratch register. */
static void emit_signed_divmod(struct gen *g, int alu, int dst, int src)
{
	int pos_dst = label_new(g), pos_src = label_new(g), done = label_new(g);
	int sign = stack_alloc(g, 8);

	emit(g, MOV64_REG(R4, dst));
	if (alu == BPF_DIV)
		emit(g, ALU64_REG(BPF_XOR, R4, src));	/* sign of the quotient */
	emit(g, STX_MEM(BPF_DW, FP, R4, (int16_t)sign));
	emit_jump(g, JMP_IMM(BPF_JSGE, dst, 0, 0), pos_dst);
	emit(g, NEG64(dst));
	label_place(g, pos_dst);
	emit(g, MOV64_REG(R5, src));
	emit_jump(g, JMP_IMM(BPF_JSGE, R5, 0, 0), pos_src);
	emit(g, NEG64(R5));
	label_place(g, pos_src);
	emit_udiv(g, alu, dst, R5);
	emit(g, LDX_MEM(BPF_DW, R4, FP, (int16_t)sign));
	emit_jump(g, JMP_IMM(BPF_JSGE, R4, 0, 0), done);
	emit(g, NEG64(dst));
	label_place(g, done);
}

static bool is_power_of_2(int64_t v)
{
	return v > 0 && (v & (v - 1)) == 0;
}

/* dst op= src, with C's semantics for the operand types. dst is a
 * register other than r2, r3, r4 and r5; src is loaded into r2 if needed. */
static void emit_alu(struct gen *g, int alu, bool is_signed, int dst, const struct val *src)
{
	if ((alu == BPF_DIV || alu == BPF_MOD) && src->kind == V_IMM && is_power_of_2(src->imm) &&
	    !is_signed) {
		/* unsigned / and % by 2^k: a shift and a mask, on every JIT */
		int k = __builtin_ctzll((unsigned long long)src->imm);

		if (alu == BPF_DIV)
			emit(g, ALU64_IMM(BPF_RSH, dst, k));
		else if (k < 31)
			emit(g, ALU64_IMM(BPF_AND, dst, (int32_t)((1ll << k) - 1)));
		else {
			emit_ld_imm64(g, R2, (uint64_t)src->imm - 1);
			emit(g, ALU64_REG(BPF_AND, dst, R2));
		}
		return;
	}
	if ((alu == BPF_DIV || alu == BPF_MOD) && is_signed) {
		emit_signed_divmod(g, alu, dst, val_load(g, src, R2));
		return;
	}
	if (alu == BPF_DIV || alu == BPF_MOD) {
		emit_udiv(g, alu, dst, val_load(g, src, R2));
		return;
	}
	if (alu == BPF_RSH && is_signed)
		alu = BPF_ARSH;
	if (src->kind == V_IMM && fits_imm32(src->imm)) {
		emit(g, ALU64_IMM(alu, dst, (int32_t)src->imm));
		return;
	}
	emit(g, ALU64_REG(alu, dst, val_load(g, src, R2)));
}

static bool operands_signed(const struct node *n)
{
	return type_is_signed(n->a->type) && type_is_signed(n->b->type) &&
	       !((n->a->type->size == 8 && !n->a->type->is_signed) ||
		 (n->b->type->size == 8 && !n->b->type->is_signed));
}

/* The pointer side of ptr +/- int steps in units of the pointee. */
static void scale_for_pointer(struct gen *g, struct node *n, struct val *r)
{
	int elem = n->a->type->elem && n->a->type->elem->kind == TY_INT ? n->a->type->elem->size : 1;

	if (elem == 1)
		return;
	if (r->kind == V_IMM) {
		r->imm *= elem;
		return;
	}
	if (r->kind == V_REG) {
		emit(g, ALU64_IMM(BPF_MUL, r->reg, elem));
		return;
	}
	emit(g, LDX_MEM(BPF_DW, R1, FP, (int16_t)r->off));
	emit(g, ALU64_IMM(BPF_MUL, R1, elem));
	emit(g, STX_MEM(BPF_DW, FP, R1, (int16_t)r->off));
}

static int gen_arith(struct gen *g, struct node *n, struct val *out)
{
	struct val l, r, res;
	int w;

	if (gen_expr(g, n->a, &l) || gen_expr(g, n->b, &r))
		return -1;
	if (n->a->type->kind == TY_PTR)
		scale_for_pointer(g, n, &r);
	if (l.kind == V_REG) {
		res = l;
		res.type = n->type;
	} else {
		res = val_scalar(g, n->type);
	}
	w = res.kind == V_REG ? res.reg : R0;
	val_load_into(g, &l, w);
	emit_alu(g, alu_of(n->op), operands_signed(n), w, &r);
	val_store_reg(g, &res, w);
	val_free(g, &r);
	if (l.kind == V_REG && l.reg != res.reg)
		val_free(g, &l);
	*out = res;
	return 0;
}

static const struct {
	int tok, jmp, sjmp, inverse;
} cmp_ops[] = {
	{ TOK_EQ, BPF_JEQ, BPF_JEQ, TOK_NE }, { TOK_NE, BPF_JNE, BPF_JNE, TOK_EQ },
	{ TOK_LT, BPF_JLT, BPF_JSLT, TOK_GE }, { TOK_LE, BPF_JLE, BPF_JSLE, TOK_GT },
	{ TOK_GT, BPF_JGT, BPF_JSGT, TOK_LE }, { TOK_GE, BPF_JGE, BPF_JSGE, TOK_LT },
};

static int cmp_index(int tok)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmp_ops); i++)
		if (cmp_ops[i].tok == tok)
			return (int)i;
	return -1;
}

static void gen_branch(struct gen *g, struct node *n, bool when, int label);

/* Strings equal: the same bytes up to and including the first NUL. */
static void gen_str_equal_branch(struct gen *g, struct node *n, bool when, int label)
{
	struct val a, b;
	int differ = label_new(g), equal = label_new(g), len;
	bool want_equal = (n->op == TOK_EQ) == when;

	if (gen_expr(g, n->a, &a) || gen_expr(g, n->b, &b))
		return;
	len = MIN(a.type->size, b.type->size);
	for (int i = 0; i < len; i++) {
		emit(g, LDX_MEM(BPF_B, R1, FP, (int16_t)(a.off + i)));
		emit(g, LDX_MEM(BPF_B, R2, FP, (int16_t)(b.off + i)));
		emit_jump(g, JMP_REG(BPF_JNE, R1, R2, 0), differ);
		emit_jump(g, JMP_IMM(BPF_JEQ, R1, 0, 0), equal);
	}
	/* Equal for the shorter one's whole size: equal if that one ends
	 * there, i.e. the longer one has its NUL at the same place. */
	if (a.type->size != b.type->size) {
		const struct val *longer = a.type->size > b.type->size ? &a : &b;

		if (len < longer->size) {
			emit(g, LDX_MEM(BPF_B, R1, FP, (int16_t)(longer->off + len)));
			emit_jump(g, JMP_IMM(BPF_JNE, R1, 0, 0), differ);
		}
	}
	label_place(g, equal);
	if (want_equal)
		emit_jump(g, JA(0), label);
	else {
		int skip = label_new(g);

		emit_jump(g, JA(0), skip);
		label_place(g, differ);
		emit_jump(g, JA(0), label);
		label_place(g, skip);
		val_free(g, &a);
		val_free(g, &b);
		return;
	}
	label_place(g, differ);
	val_free(g, &a);
	val_free(g, &b);
}

static void gen_compare_branch(struct gen *g, struct node *n, bool when, int label)
{
	struct val l, r;
	int i = cmp_index(n->op), lr;
	bool sig = operands_signed(n);

	if (n->a->type->kind == TY_STR) {
		gen_str_equal_branch(g, n, when, label);
		return;
	}
	if (!when)
		i = cmp_index(cmp_ops[i].inverse);
	if (gen_expr(g, n->a, &l) || gen_expr(g, n->b, &r))
		return;
	lr = val_load(g, &l, R1);
	if (r.kind == V_IMM && fits_imm32(r.imm))
		emit_jump(g, JMP_IMM(sig ? cmp_ops[i].sjmp : cmp_ops[i].jmp, lr, (int32_t)r.imm, 0), label);
	else
		emit_jump(g, JMP_REG(sig ? cmp_ops[i].sjmp : cmp_ops[i].jmp, lr, val_load(g, &r, R2), 0), label);
	val_free(g, &l);
	val_free(g, &r);
}

/* 1 or 0 when a condition's truth is known at compile time, else -1.
 * Code behind a constant condition is never emitted: the verifier
 * refuses unreachable instructions. */
static int const_truth(const struct node *n)
{
	int a, b;

	if (n->kind == N_INT)
		return n->num != 0;
	if (n->kind == N_UNOP && n->op == TOK_BANG)
		return (a = const_truth(n->a)) < 0 ? -1 : !a;
	if (n->kind == N_BINOP && (n->op == TOK_ANDAND || n->op == TOK_OROR)) {
		bool is_and = n->op == TOK_ANDAND;

		a = const_truth(n->a);
		b = const_truth(n->b);
		if (a == !is_and || b == !is_and)
			return !is_and;	/* false && x, true || x */
		if (a >= 0 && b >= 0)
			return is_and;
	}
	return -1;
}

/* Jumps to label when n's truth is `when`; falls through otherwise.
 * && and || become jump chains, never values. */
static void gen_branch(struct gen *g, struct node *n, bool when, int label)
{
	int known = const_truth(n);

	if (known >= 0) {
		if (known == when)
			emit_jump(g, JA(0), label);
		return;
	}
	if (n->kind == N_BINOP && (n->op == TOK_ANDAND || n->op == TOK_OROR) &&
	    const_truth(n->a) >= 0) {
		/* true && x, false || x: x alone decides */
		gen_branch(g, n->b, when, label);
		return;
	}
	if (n->kind == N_BINOP && (n->op == TOK_ANDAND || n->op == TOK_OROR) &&
	    const_truth(n->b) >= 0) {
		gen_branch(g, n->a, when, label);
		return;
	}
	if (n->kind == N_UNOP && n->op == TOK_BANG) {
		gen_branch(g, n->a, !when, label);
	} else if (n->kind == N_BINOP && (n->op == TOK_ANDAND || n->op == TOK_OROR)) {
		bool is_and = n->op == TOK_ANDAND;

		if (when != is_and) {
			/* &&, jump if false / ||, jump if true: either side decides */
			gen_branch(g, n->a, when, label);
			gen_branch(g, n->b, when, label);
		} else {
			int skip = label_new(g);

			gen_branch(g, n->a, !when, skip);
			gen_branch(g, n->b, when, label);
			label_place(g, skip);
		}
	} else if (n->kind == N_BINOP && cmp_index(n->op) >= 0) {
		gen_compare_branch(g, n, when, label);
	} else if (n->kind == N_INT) {
		if ((n->num != 0) == when)
			emit_jump(g, JA(0), label);
	} else {
		struct val v;

		if (gen_expr(g, n, &v))
			return;
		emit_jump(g, JMP_IMM(when ? BPF_JNE : BPF_JEQ, val_load(g, &v, R1), 0, 0), label);
		val_free(g, &v);
	}
}

/* A condition as a 0/1 value. */
static int gen_bool(struct gen *g, struct node *n, struct val *out)
{
	int is_false, done, known = const_truth(n);

	if (known >= 0) {
		*out = val_imm(known, n->type);
		return 0;
	}
	is_false = label_new(g);
	done = label_new(g);

	gen_branch(g, n, false, is_false);
	*out = val_scalar(g, n->type);
	if (out->kind == V_REG) {
		emit(g, MOV64_IMM(out->reg, 1));
		emit_jump(g, JA(0), done);
		label_place(g, is_false);
		emit(g, MOV64_IMM(out->reg, 0));
	} else {
		emit(g, ST_MEM(BPF_DW, FP, (int16_t)out->off, 1));
		emit_jump(g, JA(0), done);
		label_place(g, is_false);
		emit(g, ST_MEM(BPF_DW, FP, (int16_t)out->off, 0));
	}
	label_place(g, done);
	return 0;
}

static int gen_binop(struct gen *g, struct node *n, struct val *out)
{
	if (cmp_index(n->op) >= 0 || n->op == TOK_ANDAND || n->op == TOK_OROR)
		return gen_bool(g, n, out);
	return gen_arith(g, n, out);
}

static int gen_deref(struct gen *g, struct node *n, struct val *out)
{
	struct val p;
	struct type *t = n->type;
	int off = stack_alloc(g, 8);

	if (gen_expr(g, n->a, &p))
		return -1;
	emit(g, ST_MEM(BPF_DW, FP, (int16_t)off, 0));
	gen_probe_read(g, off, t->size, val_load(g, &p, R3), n->a->type->as, false);
	val_free(g, &p);
	*out = val_scalar(g, t);
	emit(g, LDX_MEM(size_code(t->size), R1, FP, (int16_t)off));
	emit_extend(g, R1, t);
	val_store_reg(g, out, R1);
	return 0;
}

static int gen_unop(struct gen *g, struct node *n, struct val *out)
{
	struct val v, res;
	int w;

	if (n->op == TOK_BANG)
		return gen_bool(g, n, out);
	if (n->op == TOK_STAR)
		return gen_deref(g, n, out);
	if (gen_expr(g, n->a, &v))
		return -1;
	if (n->op == TOK_PLUS) {
		*out = v;
		return 0;
	}
	res = v.kind == V_REG ? v : val_scalar(g, n->type);
	w = res.kind == V_REG ? res.reg : R0;
	val_load_into(g, &v, w);
	if (n->op == TOK_MINUS)
		emit(g, NEG64(w));
	else
		emit(g, ALU64_IMM(BPF_XOR, w, -1));
	val_store_reg(g, &res, w);
	res.type = n->type;
	*out = res;
	return 0;
}

static int gen_ternary(struct gen *g, struct node *n, struct val *out)
{
	int is_false, done, known = const_truth(n->a);
	struct val v;

	if (known >= 0)
		return gen_expr(g, known ? n->b : n->c, out);
	is_false = label_new(g);
	done = label_new(g);

	gen_branch(g, n->a, false, is_false);
	if (type_is_scalar(n->type)) {
		*out = val_scalar(g, n->type);
		int w = out->kind == V_REG ? out->reg : R0;

		if (gen_expr(g, n->b, &v))
			return -1;
		val_load_into(g, &v, w);
		val_free(g, &v);
		val_store_reg(g, out, w);
		emit_jump(g, JA(0), done);
		label_place(g, is_false);
		if (gen_expr(g, n->c, &v))
			return -1;
		val_load_into(g, &v, w);
		val_free(g, &v);
		val_store_reg(g, out, w);
	} else {
		int size = type_storage_size(n->type), off = stack_alloc(g, size);

		if (gen_expr(g, n->b, &v))
			return -1;
		gen_store(g, FP, off, &v, n->type);
		emit_jump(g, JA(0), done);
		label_place(g, is_false);
		if (gen_expr(g, n->c, &v))
			return -1;
		gen_store(g, FP, off, &v, n->type);
		*out = (struct val){ .kind = V_STACK, .off = off, .size = size, .type = n->type };
	}
	label_place(g, done);
	return 0;
}

static int gen_cast(struct gen *g, struct node *n, struct val *out)
{
	struct val v, res;
	int w;

	if (gen_expr(g, n->a, &v))
		return -1;
	if (n->cast_type->kind != TY_INT || n->cast_type->size == 8) {
		v.type = n->cast_type;
		*out = v;
		return 0;
	}
	res = v.kind == V_REG ? v : val_scalar(g, n->cast_type);
	w = res.kind == V_REG ? res.reg : R0;
	val_load_into(g, &v, w);
	emit_extend(g, w, n->cast_type);
	val_store_reg(g, &res, w);
	res.type = n->cast_type;
	*out = res;
	return 0;
}

/* A field of the context record (tracepoint args). Scalars load
 * straight from the context; arrays and strings are copied out. */
static int gen_ctx_field(struct gen *g, struct node *n, struct val *out)
{
	const struct type *args = g->ap->tp_args;
	const struct field *f = NULL;

	for (int i = 0; i < args->nfields; i++)
		if (!strcmp(args->fields[i].name, n->name))
			f = &args->fields[i];
	if (!f) {
		gen_error(g, n->loc, "%s has no field '%s'", g->ap->name, n->name);
		return -1;
	}
	if (f->data_loc) {
		/* u32 (length << 16 | offset from the record's start) */
		*out = val_scalar(g, f->type);
		emit(g, LDX_MEM(BPF_W, R1, CTX_REG, (int16_t)f->offset));
		emit(g, ALU64_IMM(BPF_AND, R1, 0xffff));
		emit(g, ALU64_REG(BPF_ADD, R1, CTX_REG));
		val_store_reg(g, out, R1);
		return 0;
	}
	if (type_is_scalar(f->type)) {
		int size = f->type->kind == TY_PTR ? g->arch->word_size : f->type->size;

		/* fentry's arguments are u64 slots, read whole (the verifier
		 * wants 8-byte loads there) and cut to their type */
		if (g->bp->provider->ctx == CTX_BTF_ARGS)
			size = 8;
		*out = val_scalar(g, f->type);
		emit(g, LDX_MEM(size_code(size), R1, CTX_REG, (int16_t)f->offset));
		emit_extend(g, R1, f->type);
		val_store_reg(g, out, R1);
		return 0;
	}
	int size = ALIGN_UP(f->type->size, 8), off = stack_alloc(g, size);

	emit_zero(g, off, size);
	emit(g, MOV64_REG(R3, CTX_REG));
	emit(g, ALU64_IMM(BPF_ADD, R3, f->offset));
	gen_probe_read(g, off, f->type->size, R3, AS_KERNEL, false);
	*out = (struct val){ .kind = V_STACK, .off = off, .size = size, .type = f->type };
	return 0;
}

static int gen_field(struct gen *g, struct node *n, struct val *out)
{
	struct val t;
	const struct field *f;

	if (n->a->type->kind == TY_STRUCT)
		return gen_ctx_field(g, n, out);
	if (gen_expr(g, n->a, &t))
		return -1;
	f = &n->a->type->fields[atoi(n->name)];
	if (type_is_scalar(f->type)) {
		*out = val_scalar(g, f->type);
		emit(g, LDX_MEM(BPF_DW, R1, FP, (int16_t)(t.off + f->offset)));
		val_store_reg(g, out, R1);
		return 0;
	}
	*out = (struct val){ .kind = V_STACK, .off = t.off + f->offset,
			     .size = type_storage_size(f->type), .type = f->type };
	return 0;
}

/* a[i]: an element of an array in memory, read with a bounds check
 * (an index outside the array reads as 0). */
static int gen_index(struct gen *g, struct node *n, struct val *out)
{
	struct type *t = n->a->type, *elem = n->type;
	struct val base, idx;
	int tmp = stack_alloc(g, 8), skip = label_new(g);

	if (t->kind == TY_ARRAY && n->a->kind == N_FIELD && n->a->a->type->kind == TY_STRUCT) {
		/* an array in the context: read from ctx + field offset */
		const struct type *args = g->ap->tp_args;
		int foff = 0;

		for (int i = 0; i < args->nfields; i++)
			if (!strcmp(args->fields[i].name, n->a->name))
				foff = args->fields[i].offset;
		base = val_scalar(g, t);
		emit(g, MOV64_REG(R1, CTX_REG));
		emit(g, ALU64_IMM(BPF_ADD, R1, foff));
		val_store_reg(g, &base, R1);
	} else if (t->kind == TY_PTR) {
		if (gen_scalar(g, n->a, &base))
			return -1;
	} else {
		gen_error(g, n->loc, "indexing this value is not supported");
		return -1;
	}
	if (gen_expr(g, n->b, &idx))
		return -1;
	emit(g, ST_MEM(BPF_DW, FP, (int16_t)tmp, 0));
	emit(g, MOV64_REG(R3, val_load(g, &idx, R3)));
	if (t->kind == TY_ARRAY)
		emit_jump(g, JMP_IMM(BPF_JGE, R3, t->count, 0), skip);
	emit(g, ALU64_IMM(BPF_MUL, R3, elem->size));
	emit(g, ALU64_REG(BPF_ADD, R3, val_load(g, &base, R1)));
	gen_probe_read(g, tmp, elem->size, R3, t->kind == TY_PTR ? t->as : AS_KERNEL, false);
	label_place(g, skip);
	val_free(g, &idx);
	val_free(g, &base);
	*out = val_scalar(g, elem);
	emit(g, LDX_MEM(size_code(elem->size), R1, FP, (int16_t)tmp));
	emit_extend(g, R1, elem);
	val_store_reg(g, out, R1);
	return 0;
}

static int gen_tuple(struct gen *g, struct node *n, struct val *out)
{
	int off = stack_alloc(g, n->type->size);

	for (int i = 0; i < n->nkids; i++) {
		struct val v;

		if (gen_expr(g, n->kids[i], &v))
			return -1;
		gen_store(g, FP, off + n->type->fields[i].offset, &v, n->type->fields[i].type);
		val_free(g, &v);
	}
	*out = (struct val){ .kind = V_STACK, .off = off, .size = n->type->size, .type = n->type };
	return 0;
}

static int gen_var(struct gen *g, struct node *n, struct val *out)
{
	struct var_sym *v = n->var;

	if (type_is_scalar(v->type)) {
		*out = val_scalar(g, v->type);
		int w = out->kind == V_REG ? out->reg : R1;

		emit(g, LDX_MEM(BPF_DW, w, FP, (int16_t)v->stack_off));
		val_store_reg(g, out, w);
		return 0;
	}
	*out = (struct val){ .kind = V_STACK, .off = v->stack_off,
			     .size = type_storage_size(v->type), .type = v->type };
	return 0;
}

/* x op= v on a map value: lookup, change in place; absent keys start
 * from 0. Returns the new (or, post, the old) value in out if wanted. */
static int gen_map_update_op(struct gen *g, struct node *map, int alu, bool is_signed,
			     struct val *src, struct val *out, bool post)
{
	int kmap = map->map->kmap, key_off, absent = label_new(g), done = label_new(g);
	int slot = stack_alloc(g, 8);

	key_off = gen_map_key(g, map);
	gen_map_lookup(g, kmap, key_off, absent);
	emit(g, LDX_MEM(BPF_DW, R1, R0, 0));
	emit(g, STX_MEM(BPF_DW, FP, R1, (int16_t)slot));	/* the old value */
	emit_alu(g, alu, is_signed, R1, src);
	emit(g, STX_MEM(BPF_DW, R0, R1, 0));
	if (!post)
		emit(g, STX_MEM(BPF_DW, FP, R1, (int16_t)slot));
	emit_jump(g, JA(0), done);
	label_place(g, absent);
	emit(g, MOV64_IMM(R1, 0));
	emit_alu(g, alu, is_signed, R1, src);
	int val_off = stack_alloc(g, 8);

	emit(g, STX_MEM(BPF_DW, FP, R1, (int16_t)val_off));
	emit(g, post ? ST_MEM(BPF_DW, FP, (int16_t)slot, 0) : STX_MEM(BPF_DW, FP, R1, (int16_t)slot));
	emit_ld_map(g, R1, kmap);
	emit(g, MOV64_REG(R2, FP));
	emit(g, ALU64_IMM(BPF_ADD, R2, key_off));
	emit(g, MOV64_REG(R3, FP));
	emit(g, ALU64_IMM(BPF_ADD, R3, val_off));
	emit(g, MOV64_IMM(R4, BPF_ANY));
	emit_call(g, HELPER_map_update_elem);
	emit_update_check(g, kmap);
	label_place(g, done);
	if (out)
		*out = (struct val){ .kind = V_STACK, .off = slot, .size = 8, .type = map->type };
	return 0;
}

static int gen_var_update_op(struct gen *g, struct node *var, int alu, bool is_signed,
			     struct val *src, struct val *out, bool post)
{
	int off = var->var->stack_off;

	if (out) {
		*out = val_scalar(g, var->type);
		if (post) {
			emit(g, LDX_MEM(BPF_DW, R1, FP, (int16_t)off));
			val_store_reg(g, out, R1);
		}
	}
	emit(g, LDX_MEM(BPF_DW, R1, FP, (int16_t)off));
	emit_alu(g, alu, is_signed, R1, src);
	emit_extend(g, R1, var->var->type);
	emit(g, STX_MEM(BPF_DW, FP, R1, (int16_t)off));
	if (out && !post)
		val_store_reg(g, out, R1);
	return 0;
}

static int gen_update_op(struct gen *g, struct node *lv, int alu, bool is_signed,
			 struct val *src, struct val *out, bool post)
{
	if (lv->kind == N_MAP)
		return gen_map_update_op(g, lv, alu, is_signed, src, out, post);
	return gen_var_update_op(g, lv, alu, is_signed, src, out, post);
}

static int gen_incdec(struct gen *g, struct node *n, struct val *out)
{
	struct val one = val_imm(1, &type_s64);

	return gen_update_op(g, n->a, n->op == TOK_INC ? BPF_ADD : BPF_SUB,
			     type_is_signed(n->a->type), &one, out, n->num == 0);
}

static int gen_int(struct gen *g, struct node *n, struct val *out)
{
	*out = val_imm(n->num, n->type);
	return 0;
}

static int gen_str(struct gen *g, struct node *n, struct val *out)
{
	gen_str_literal(g, n->str, n->len, n->type->size, out);
	return 0;
}

static int gen_builtin(struct gen *g, struct node *n, struct val *out)
{
	return n->builtin->gen(g, n, out);
}

static int gen_call(struct gen *g, struct node *n, struct val *out)
{
	return n->func->gen(g, n, out);
}

/* The generator of each kind of expression. */
static int (*const expr_generators[])(struct gen *, struct node *, struct val *) = {
	[N_INT] = gen_int, [N_STR] = gen_str, [N_IDENT] = gen_builtin, [N_VAR] = gen_var,
	[N_MAP] = gen_map_read, [N_CALL] = gen_call, [N_BINOP] = gen_binop,
	[N_UNOP] = gen_unop, [N_TERNARY] = gen_ternary, [N_CAST] = gen_cast,
	[N_FIELD] = gen_field, [N_INDEX] = gen_index, [N_TUPLE] = gen_tuple,
	[N_INCDEC] = gen_incdec,
};

int gen_expr(struct gen *g, struct node *n, struct val *out)
{
	memset(out, 0, sizeof(*out));
	if (g->failed)
		return -1;
	if ((size_t)n->kind >= ARRAY_SIZE(expr_generators) || !expr_generators[n->kind]) {
		gen_error(g, n->loc, "internal error: cannot generate this expression");
		return -1;
	}
	return expr_generators[n->kind](g, n, out);
}

int gen_point_index(struct gen *g, struct node *n, struct val *out)
{
	if (g->bp->expected_attach_type != AWL_BPF_TRACE_UPROBE_MULTI) {
		*out = val_imm(g->ap->index, n->type);
		return 0;
	}
	emit(g, MOV64_REG(R1, CTX_REG));
	emit_call(g, HELPER_get_attach_cookie);
	*out = val_scalar(g, n->type);
	val_store_reg(g, out, R0);
	return 0;
}

/* ---- statements ---- */

static void gen_stmt(struct gen *g, struct node *n);

static void gen_assign_map(struct gen *g, struct node *lv, struct node *rv)
{
	struct map_sym *m = lv->map;
	int val_off, key_off;

	if (type_is_scalar(m->val)) {
		struct val v;

		if (gen_expr(g, rv, &v))
			return;
		val_off = stack_alloc(g, 8);
		gen_store(g, FP, val_off, &v, m->val);
		val_free(g, &v);
	} else {
		val_off = gen_to_stack(g, rv, m->val);
	}
	key_off = gen_map_key(g, lv);
	emit_ld_map(g, R1, m->kmap);
	emit(g, MOV64_REG(R2, FP));
	emit(g, ALU64_IMM(BPF_ADD, R2, key_off));
	emit(g, MOV64_REG(R3, FP));
	emit(g, ALU64_IMM(BPF_ADD, R3, val_off));
	emit(g, MOV64_IMM(R4, BPF_ANY));
	emit_call(g, HELPER_map_update_elem);
	emit_update_check(g, m->kmap);
}

static void gen_assign(struct gen *g, struct node *n)
{
	struct node *lv = n->a, *rv = n->b;
	struct val v;

	if (rv->kind == N_CALL && rv->target) {
		gen_expr(g, rv, &v);	/* an aggregation updates its map */
		return;
	}
	if (n->op != TOK_ASSIGN) {
		bool sig = type_is_signed(lv->type) && type_is_signed(rv->type);

		if (gen_expr(g, rv, &v))
			return;
		gen_update_op(g, lv, alu_of(n->op), sig, &v, NULL, false);
		val_free(g, &v);
		return;
	}
	if (lv->kind == N_MAP) {
		gen_assign_map(g, lv, rv);
		return;
	}
	if (gen_expr(g, rv, &v))
		return;
	if (type_is_scalar(lv->var->type)) {
		int r = val_load(g, &v, R1);

		if (v.type && v.type->kind == TY_INT && lv->var->type->kind == TY_INT &&
		    lv->var->type->size < 8) {
			if (r != R1)
				emit(g, MOV64_REG(R1, r));
			emit_extend(g, R1, lv->var->type);
			r = R1;
		}
		emit(g, STX_MEM(BPF_DW, FP, r, (int16_t)lv->var->stack_off));
	} else {
		gen_store(g, FP, lv->var->stack_off, &v, lv->var->type);
	}
	val_free(g, &v);
}

static void gen_if(struct gen *g, struct node *n)
{
	int is_false, done, known = const_truth(n->a);

	if (known >= 0) {
		if (known)
			gen_stmt(g, n->b);
		else if (n->c)
			gen_stmt(g, n->c);
		return;
	}
	is_false = label_new(g);
	done = label_new(g);

	gen_branch(g, n->a, false, is_false);
	gen_stmt(g, n->b);
	if (n->c) {
		emit_jump(g, JA(0), done);
		label_place(g, is_false);
		gen_stmt(g, n->c);
		label_place(g, done);
	} else {
		label_place(g, is_false);
	}
}

/* Bounded loops need kernel 5.3; the verifier proves the bound. */
static void gen_while(struct gen *g, struct node *n)
{
	int top, done, saved_break = g->break_label, saved_continue = g->continue_label;

	if (const_truth(n->a) == 0)
		return;
	top = label_new(g);
	done = label_new(g);

	label_place(g, top);
	gen_branch(g, n->a, false, done);
	g->break_label = done;
	g->continue_label = top;
	gen_stmt(g, n->b);
	emit_jump(g, JA(0), top);
	label_place(g, done);
	g->break_label = saved_break;
	g->continue_label = saved_continue;
}

static void gen_stmt(struct gen *g, struct node *n)
{
	int mark = g->stack;
	unsigned busy = g->busy;
	struct val v;

	if (g->failed)
		return;
	switch (n->kind) {
	case N_EXPR_STMT:
		if (gen_expr(g, n->a, &v) == 0)
			val_free(g, &v);
		break;
	case N_ASSIGN:
		gen_assign(g, n);
		break;
	case N_IF:
		gen_if(g, n);
		break;
	case N_BLOCK:
		for (int i = 0; i < n->nkids; i++) {
			enum node_kind k = n->kids[i]->kind;

			gen_stmt(g, n->kids[i]);
			/* what follows a jump is dead, and refused by the verifier */
			if (k == N_RETURN || k == N_BREAK || k == N_CONTINUE)
				break;
		}
		break;
	case N_RETURN:
		emit_jump(g, JA(0), g->exit_label);
		break;
	case N_BREAK:
		emit_jump(g, JA(0), g->break_label);
		break;
	case N_CONTINUE:
		emit_jump(g, JA(0), g->continue_label);
		break;
	case N_UNROLL:
		for (int64_t i = 0; i < n->num && !g->failed; i++)
			gen_stmt(g, n->a);
		break;
	case N_WHILE:
		gen_while(g, n);
		break;
	default:
		if (gen_expr(g, n, &v) == 0)
			val_free(g, &v);
		break;
	}
	/* Statements leave nothing behind: their temporaries die here. */
	g->stack = mark;
	g->busy = busy;
}

/* ---- programs ---- */

static void gen_prologue(struct gen *g)
{
	struct var_sym *v;
	const struct awl_opts *o = g->u->opts;

	emit(g, MOV64_REG(CTX_REG, R1));
	for (v = g->probe->vars; v; v = v->next) {
		int size = type_storage_size(v->type);

		v->stack_off = stack_alloc(g, size);
		emit_zero(g, v->stack_off, size);
	}
	/* -p PID: probes that fire in a task's context fire for that process
	 * only (timers fire in whatever task they interrupt: not those). */
	if (g->bp->provider->in_task_context && o->pid) {
		emit_call(g, HELPER_get_current_pid_tgid);
		emit(g, ALU64_IMM(BPF_RSH, R0, 32));
		emit_jump(g, JMP_IMM(BPF_JNE, R0, o->pid, 0), g->exit_label);
	}
}

static int gen_program(struct unit *u, struct bpf_program *bp)
{
	struct gen g;
	struct probe *p = bp->probe;

	memset(&g, 0, sizeof(g));
	g.u = u;
	g.bp = bp;
	g.probe = p;
	g.ap = bp->aps[0];
	g.arch = u->arch;
	g.exit_label = label_new(&g);
	g.break_label = g.continue_label = -1;
	g.long_division = getenv("AWL_LONG_DIVISION") != NULL;
	gen_prologue(&g);
	if (p->pred)
		gen_branch(&g, p->pred, false, g.exit_label);
	if (!p->pred || const_truth(p->pred) != 0)
		gen_stmt(&g, p->body);
	label_place(&g, g.exit_label);
	emit(&g, MOV64_IMM(R0, 0));
	emit(&g, EXIT_INSN());
	if (!g.failed)
		resolve_jumps(&g);
	bp->insns = g.insns;
	bp->ninsns = g.ninsns;
	bp->stack_size = g.stack_max;
	free(g.fixups);
	free(g.labels);
	return g.failed ? -1 : 0;
}

/* Program names: what bpftool shows, "awl_" and 11 characters of the
 * probe, [A-Za-z0-9_]: whoever finds one knows where it came from. */
static void program_name(struct bpf_program *bp, struct attach_point *ap, bool per_point)
{
	const char *src = per_point && ap->tp_event ? ap->tp_event : ap->provider->name;
	int n = snprintf(bp->name, sizeof(bp->name), "awl_");

	for (const char *s = src; *s && n < (int)sizeof(bp->name) - 1; s++)
		bp->name[n++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				       (*s >= '0' && *s <= '9') ? *s : '_');
	bp->name[n] = '\0';
}

/* One program per probe, shared by its attach points, unless the code
 * differs between points (`probe`, or args at different offsets). */
static void plan_programs(struct unit *u)
{
	for (int i = 0; i < u->prog->nprobes; i++) {
		struct probe *p = u->prog->probes[i];
		/* with one link for many uprobes, `probe` and `func` read the
		 * point's cookie: no program of its own needed */
		bool multi = p->provider && p->provider->multi_attach && u->uprobe_multi;
		bool per_point = (p->uses_probe_name && !multi) || p->uses_ctx_fields ||
				 (p->provider && p->provider->one_program_per_point);
		struct bpf_program *shared = NULL;

		for (int j = 0; j < p->naps; j++) {
			struct attach_point *ap = p->aps[j];
			struct bpf_program *bp = per_point ? NULL : shared;

			if (!bp) {
				bp = xcalloc(1, sizeof(*bp));
				bp->probe = p;
				bp->provider = ap->provider;
				bp->fd = -1;
				/* before Linux 5.10, BEGIN/END run as uprobes on awl */
				bp->prog_type = ap->provider->run_by_loader && u->special_via_uprobe
						? BPF_PROG_TYPE_KPROBE : ap->provider->prog_type;
				bp->expected_attach_type = multi ? AWL_BPF_TRACE_UPROBE_MULTI
								 : ap->provider->expected_attach_type;
				bp->attach_btf_id = (uint32_t)ap->btf_id;
				program_name(bp, ap, per_point);
				VEC_PUSH(u->progs, u->nprogs, u->capprogs, bp);
				shared = bp;
			}
			VEC_PUSH(bp->aps, bp->naps, bp->capaps, ap);
			ap->prog = bp;
		}
	}
}

/* The kernel maps behind the script's maps. */
static void declare_maps(struct unit *u)
{
	int zero_size = 0;

	for (int i = 0; i < u->nmaps; i++) {
		struct map_sym *m = u->maps[i];
		bool agg = m->val->kind == TY_AGG;
		uint32_t key_size = m->key ? (uint32_t)type_storage_size(m->key) : 8;
		uint32_t val_size = agg ? (uint32_t)agg_value_size(m->val)
					: (uint32_t)type_storage_size(m->val);
		char name[16];

		snprintf(name, sizeof(name), "%s", m->name[0] ? m->name : "at");
		m->kmap = unit_add_kmap(u, name, agg ? BPF_MAP_TYPE_PERCPU_HASH : BPF_MAP_TYPE_HASH,
					key_size, val_size, m->key ? u->opts->map_entries : 1, 0);
		if (agg && val_size > MAX_STACK_ZERO)
			zero_size = MAX(zero_size, (int)val_size);
	}
	/* keyed maps fill up: their refused updates are counted, by kmap
	 * index (the maps above are the last ones it needs to hold) */
	for (int i = 0; i < u->nmaps; i++)
		if (u->maps[i]->key) {
			u->drops_kmap = unit_add_kmap(u, "awl_drops", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8,
						      (uint32_t)u->nkmaps, 0);
			break;
		}
	if (zero_size) {
		u->zero_kmap = unit_add_kmap(u, "awl_zero", BPF_MAP_TYPE_ARRAY, 4,
					     (uint32_t)zero_size, 1, 0);
		u->zero_size = zero_size;
	}
}

int gen_unit(struct unit *u)
{
	int ret = 0;

	declare_maps(u);
	plan_programs(u);
	for (int i = 0; i < u->nprogs; i++)
		if (gen_program(u, u->progs[i]))
			ret = -1;
	return ret;
}
