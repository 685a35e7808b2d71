/* Strings and addresses: str (ply: dyn), strncmp (ply: strcmp), ntop,
 * kptr and uptr. */
#include <string.h>

#include "awl/builtin.h"
#include "awl/compat.h"
#include "awl/gen.h"
#include "awl/lex.h"
#include "awl/provider.h"

#define INET_SIZE 24	/* u64 family, then 16 address bytes */
#define AF_INET_VALUE 2
#define AF_INET6_VALUE 10
#define MAX_STR_SIZE 256

/* str($1) of a numeric positional parameter is its text. */
static void positional_to_string(struct node *n)
{
	if (n->kind == N_INT && n->op == TOK_POSITIONAL && n->str) {
		n->kind = N_STR;
		n->num = 0;
	}
}

static struct type *check_str(struct checker *c, struct node *call)
{
	struct node *src = call->kids[0];
	struct type *t;
	int64_t size = c->u->opts->str_size;

	positional_to_string(src);
	t = check_expr(c, src);
	if (!t)
		return NULL;
	if (call->nkids == 2) {
		if (!check_int_arg(c, call->kids[1], "the length", false))
			return NULL;
		if (const_int(call->kids[1], &size)) {
			if (size < 1 || size > MAX_STR_SIZE) {
				cerror(c, call->kids[1]->loc, "the length of str() must be from 1 to %d",
				       MAX_STR_SIZE);
				return NULL;
			}
		} else {
			size = c->u->opts->str_size;
		}
	}
	if (t->kind == TY_STR)
		return type_str((int)MIN(size, t->size));
	if (!type_is_scalar(t)) {
		char buf[64];

		cerror(c, src->loc, "str() reads a string from a pointer, not from %s",
		       type_name(t, buf, sizeof(buf)));
		return NULL;
	}
	return type_str((int)size);
}

/* A string in the stack, cut to `size` bytes (keeping a final NUL). */
static int gen_str_copy(struct gen *g, struct node *src, struct type *to, struct val *out)
{
	int off = gen_to_stack(g, src, to);

	*out = (struct val){ .kind = V_STACK, .off = off, .size = type_storage_size(to), .type = to };
	return 0;
}

static int gen_str(struct gen *g, struct node *call, struct val *out)
{
	struct node *src = call->kids[0];
	struct type *t = call->type;
	int alloc = type_storage_size(t), off, r;
	struct val p, len = { 0 };

	if (src->type->kind == TY_STR)
		return gen_str_copy(g, src, t, out);
	if (gen_scalar(g, src, &p))
		return -1;
	if (call->nkids == 2 && call->kids[1]->kind != N_INT && gen_scalar(g, call->kids[1], &len))
		return -1;
	off = stack_alloc(g, alloc);
	/* Zeroed first: strings are compared and hashed as whole buffers. */
	emit_zero(g, off, alloc);
	r = val_load(g, &p, R3);
	if (r != R3)
		emit(g, MOV64_REG(R3, r));
	if (len.kind != V_NONE) {
		/* a run-time length, bounded by the buffer for the verifier */
		int ok = label_new(g);

		emit(g, MOV64_REG(R2, val_load(g, &len, R2)));
		emit_jump(g, JMP_IMM(BPF_JLE, R2, t->size, 0), ok);
		emit(g, MOV64_IMM(R2, t->size));
		label_place(g, ok);
		emit(g, MOV64_REG(R1, FP));
		emit(g, ALU64_IMM(BPF_ADD, R1, off));
		int skip = label_new(g);

		emit_jump(g, JMP_IMM(BPF_JEQ, R2, 0, 0), skip);
		emit_call(g, !g->u->user_str_helpers ? HELPER_probe_read_str :
			  (src->type->kind == TY_PTR ? src->type->as : g->bp->provider->mem) == AS_USER
			  ? HELPER_probe_read_user_str
						   : HELPER_probe_read_kernel_str);
		label_place(g, skip);
		val_free(g, &len);
	} else {
		gen_probe_read(g, off, t->size, R3, src->type->kind == TY_PTR ? src->type->as :
			       g->bp->provider->mem == AS_USER ? AS_USER : AS_KERNEL, true);
	}
	val_free(g, &p);
	*out = (struct val){ .kind = V_STACK, .off = off, .size = alloc, .type = t };
	return 0;
}

static struct type *check_strncmp(struct checker *c, struct node *call)
{
	struct type *a, *b;
	int64_t n;

	positional_to_string(call->kids[0]);
	positional_to_string(call->kids[1]);
	a = check_expr(c, call->kids[0]);
	b = check_expr(c, call->kids[1]);
	if (!a || !b)
		return NULL;
	if (a->kind != TY_STR || b->kind != TY_STR) {
		cerror(c, call->loc, "%s() compares two strings", call->name);
		return NULL;
	}
	if (call->nkids == 3) {
		if (!check_int_arg(c, call->kids[2], "the length", false))
			return NULL;
		if (!const_int(call->kids[2], &n) || n < 0) {
			cerror(c, call->kids[2]->loc, "the length of strncmp() must be a constant");
			return NULL;
		}
		call->num = n;
	} else {
		call->num = MAX(a->size, b->size);
	}
	return &type_s64;
}

/* 0 when the first n bytes match up to a common NUL, else 1. */
static int gen_strncmp(struct gen *g, struct node *call, struct val *out)
{
	struct val a, b;
	int differ = label_new(g), done = label_new(g), n;

	if (gen_expr(g, call->kids[0], &a) || gen_expr(g, call->kids[1], &b))
		return -1;
	n = (int)MIN(call->num, MIN(a.type->size, b.type->size));
	*out = val_scalar(g, &type_s64);
	for (int i = 0; i < n; i++) {
		emit(g, LDX_MEM(BPF_B, R1, FP, (int16_t)(a.off + i)));
		emit(g, LDX_MEM(BPF_B, R2, FP, (int16_t)(b.off + i)));
		emit_jump(g, JMP_REG(BPF_JNE, R1, R2, 0), differ);
		emit_jump(g, JMP_IMM(BPF_JEQ, R1, 0, 0), done);
	}
	if (n < call->num && a.type->size != b.type->size) {
		/* the shorter buffer ended: equal only if the longer ends too */
		const struct val *longer = a.type->size > b.type->size ? &a : &b;

		emit(g, LDX_MEM(BPF_B, R1, FP, (int16_t)(longer->off + n)));
		emit_jump(g, JMP_IMM(BPF_JNE, R1, 0, 0), differ);
	}
	emit_jump(g, JA(0), done);
	label_place(g, differ);
	emit(g, MOV64_IMM(R0, 1));
	val_store_reg(g, out, R0);
	int end = label_new(g);

	emit_jump(g, JA(0), end);
	label_place(g, done);
	emit(g, MOV64_IMM(R0, 0));
	val_store_reg(g, out, R0);
	label_place(g, end);
	val_free(g, &a);
	val_free(g, &b);
	return 0;
}

static struct type *check_ntop(struct checker *c, struct node *call)
{
	struct node *addr = call->kids[call->nkids - 1];
	struct type *t, *inet;
	char buf[64];

	if (call->nkids == 2 && !check_int_arg(c, call->kids[0], "the address family", false))
		return NULL;
	t = check_expr(c, addr);
	if (!t)
		return NULL;
	if (t->kind != TY_INT && !(t->kind == TY_ARRAY && (t->size == 4 || t->size == 16))) {
		cerror(c, addr->loc, "ntop() takes an IPv4 address (an integer or 4 bytes) or an IPv6 one (16 bytes), not %s",
		       type_name(t, buf, sizeof(buf)));
		return NULL;
	}
	inet = type_new(TY_INET);
	inet->size = INET_SIZE;
	return inet;
}

/* {family, address}: an integer is an IPv4 address as it lies in
 * memory (network order), so its low 4 bytes are stored as they are. */
static int gen_ntop(struct gen *g, struct node *call, struct val *out)
{
	struct node *addr = call->kids[call->nkids - 1];
	int off = stack_alloc(g, INET_SIZE);
	struct val v;

	emit_zero(g, off, INET_SIZE);
	if (call->nkids == 2) {
		if (gen_expr(g, call->kids[0], &v))
			return -1;
		emit(g, STX_MEM(BPF_DW, FP, val_load(g, &v, R1), (int16_t)off));
		val_free(g, &v);
	} else {
		int family = addr->type->kind == TY_ARRAY && addr->type->size == 16 ? AF_INET6_VALUE
										    : AF_INET_VALUE;

		emit(g, ST_MEM(BPF_DW, FP, (int16_t)off, family));
	}
	if (addr->type->kind == TY_INT) {
		if (gen_expr(g, addr, &v))
			return -1;
		emit(g, STX_MEM(BPF_W, FP, val_load(g, &v, R1), (int16_t)(off + 8)));
		val_free(g, &v);
	} else {
		int src = gen_to_stack(g, addr, addr->type);

		emit_copy(g, FP, off + 8, FP, src, addr->type->size & ~7);
		if (addr->type->size == 4) {
			emit(g, LDX_MEM(BPF_W, R1, FP, (int16_t)src));
			emit(g, STX_MEM(BPF_W, FP, R1, (int16_t)(off + 8)));
		}
	}
	*out = (struct val){ .kind = V_STACK, .off = off, .size = INET_SIZE, .type = call->type };
	return 0;
}

/* kptr(x), uptr(x): x is an address in kernel or user memory. */
static struct type *check_addr_space(struct checker *c, struct node *call)
{
	struct type *t;

	if (!check_int_arg(c, call->kids[0], "the address", true))
		return NULL;
	t = call->kids[0]->type;
	return type_ptr(t->kind == TY_PTR ? t->elem : type_int(1, true),
			call->name[0] == 'u' ? AS_USER : AS_KERNEL);
}

static int gen_addr_space(struct gen *g, struct node *call, struct val *out)
{
	if (gen_expr(g, call->kids[0], out))
		return -1;
	out->type = call->type;
	return 0;
}

/* ksym(addr): a kernel address, printed as the symbol it falls in. */
static struct type *check_ksym(struct checker *c, struct node *call)
{
	if (!check_int_arg(c, call->kids[0], "the address", true))
		return NULL;
	return type_int_fmt(8, false, FMT_KSYM);
}

const struct func funcs_str[] = {
	{ "ksym", 1, 1, 0, check_ksym, gen_addr_space },
	{ "str", 1, 2, 0, check_str, gen_str },
	{ "dyn", 1, 1, 0, check_str, gen_str },	/* ply: __data_loc strings */
	{ "strncmp", 3, 3, 0, check_strncmp, gen_strncmp },
	{ "strcmp", 2, 2, 0, check_strncmp, gen_strncmp },	/* ply */
	{ "ntop", 1, 2, 0, check_ntop, gen_ntop },
	{ "kptr", 1, 1, 0, check_addr_space, gen_addr_space },
	{ "uptr", 1, 1, 0, check_addr_space, gen_addr_space },
	{ NULL, 0, 0, 0, NULL, NULL },
};
