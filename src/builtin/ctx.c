/* Builtins that read the probe's context: args (ply: data), the record
 * of a tracepoint, whose fields are read by the generator's field
 * access; kstack (ply: stack), the kernel stack where the probe fired. */
#include <stdlib.h>

#include "awl/builtin.h"
#include "awl/compat.h"
#include "awl/gen.h"
#include "awl/provider.h"

static struct type *check_args(struct checker *c, struct node *n)
{
	struct attach_point *ap = check_first_ap(c);

	if (!ap || (ap->provider->ctx != CTX_TRACEPOINT && ap->provider->ctx != CTX_BTF_ARGS) ||
	    !ap->tp_args) {
		cerror(c, n->loc, "'%s' is only available in tracepoint and fentry probes%s", n->name,
		       ap && ap->provider->ctx == CTX_PT_REGS ? " (kprobes and uprobes: arg0, arg1, ...)" : "");
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

/* ---- the probed function's registers: kprobes and uprobes ---- */

static const struct provider *probe_provider(struct checker *c)
{
	struct attach_point *ap = check_first_ap(c);

	return ap ? ap->provider : NULL;
}

/* The register layout a probe reads: a 32-bit process under a 64-bit
 * kernel keeps its registers in the compat view. */
static const struct arch *regs_arch(const struct arch *arch, const struct attach_point *ap)
{
	return ap && ap->compat32 && arch->compat32 ? arch->compat32 : arch;
}

static int builtin_number(const struct node *n)
{
	const char *p = n->name;

	while (*p && (*p < '0' || *p > '9'))
		p++;
	return atoi(p);
}

static bool need_regs(struct checker *c, struct node *n, bool entry, bool ret)
{
	const struct provider *p = probe_provider(c);

	if (!p || p->ctx != CTX_PT_REGS) {
		cerror(c, n->loc, "'%s' is only available in kprobe and uprobe probes", n->name);
		return false;
	}
	if (p->is_return && !ret) {
		cerror(c, n->loc, "'%s' is not available at a function's return (%s): save it at entry, e.g. @[tid] = %s",
		       n->name, p->name, n->name);
		return false;
	}
	if (!p->is_return && !entry) {
		cerror(c, n->loc, "'%s' is only available at a function's return (kretprobe, uretprobe, fexit)",
		       n->name);
		return false;
	}
	return true;
}

/* Loads a register of the probed task: a word of the target's size. */
static void emit_reg_load(struct gen *g, int dst, const struct arch *a, int offset)
{
	emit(g, LDX_MEM(a->word_size == 4 ? BPF_W : BPF_DW, dst, CTX_REG, (int16_t)offset));
}

static struct type *check_arg(struct checker *c, struct node *n)
{
	const struct arch *a = regs_arch(c->u->arch, check_first_ap(c));
	int i = builtin_number(n);

	if (probe_provider(c) && probe_provider(c)->ctx == CTX_BTF_ARGS) {
		cerror(c, n->loc, "fentry probes name their arguments: args.NAME (see awl -lv 'fentry:FUNC')");
		return NULL;
	}
	if (!need_regs(c, n, true, false))
		return NULL;
	if (i >= a->narg_regs) {
		cerror(c, n->loc, "%s passes only %d arguments in registers: arg%d is on the stack, sarg%d",
		       a->name, a->narg_regs, i, i - a->narg_regs);
		return NULL;
	}
	return &type_u64;
}

static int gen_arg(struct gen *g, struct node *n, struct val *out)
{
	const struct arch *a = regs_arch(g->arch, g->ap);
	int off = arch_arg_offset(a, builtin_number(n));

	if (off < 0) {
		gen_error(g, n->loc, "%s has no argument register for %s", a->name, n->name);
		return -1;
	}
	*out = val_scalar(g, n->type);
	emit_reg_load(g, R1, a, off);
	val_store_reg(g, out, R1);
	return 0;
}

static struct type *check_retval(struct checker *c, struct node *n)
{
	const struct provider *p = probe_provider(c);

	if (p && p->ctx == CTX_BTF_ARGS && p->is_return)
		return check_first_ap(c)->ret_type;
	if (!need_regs(c, n, false, true))
		return NULL;
	return &type_u64;
}

static int gen_retval(struct gen *g, struct node *n, struct val *out)
{
	const struct arch *a = regs_arch(g->arch, g->ap);

	*out = val_scalar(g, n->type);
	if (g->bp->provider->ctx == CTX_BTF_ARGS) {
		emit(g, LDX_MEM(BPF_DW, R1, CTX_REG, (int16_t)(8 * g->ap->nargs)));
		emit_extend(g, R1, n->type);
	} else {
		emit_reg_load(g, R1, a, arch_reg_offset(a, a->ret_reg));
	}
	val_store_reg(g, out, R1);
	return 0;
}

/* The word at sp + offset in the probed task's memory. */
static void emit_stack_word(struct gen *g, const struct arch *a, int offset, struct val *out)
{
	int tmp = stack_alloc(g, 8);

	emit(g, ST_MEM(BPF_DW, FP, (int16_t)tmp, 0));
	emit_reg_load(g, R3, a, arch_reg_offset(a, a->sp_reg));
	if (offset)
		emit(g, ALU64_IMM(BPF_ADD, R3, offset));
	gen_probe_read(g, tmp, a->word_size, R3, g->bp->provider->mem, false);
	emit(g, LDX_MEM(BPF_DW, R1, FP, (int16_t)tmp));
	val_store_reg(g, out, R1);
}

static struct type *check_sarg(struct checker *c, struct node *n)
{
	return need_regs(c, n, true, false) ? &type_u64 : NULL;
}

static int gen_sarg(struct gen *g, struct node *n, struct val *out)
{
	const struct arch *a = regs_arch(g->arch, g->ap);

	*out = val_scalar(g, n->type);
	emit_stack_word(g, a, a->stack_args_offset + builtin_number(n) * a->word_size, out);
	return 0;
}

static struct type *check_func(struct checker *c, struct node *n)
{
	const struct provider *p = probe_provider(c);

	if (!p || (p->ctx != CTX_PT_REGS && p->ctx != CTX_BTF_ARGS)) {
		cerror(c, n->loc, "'func' is only available in kprobe, uprobe and fentry probes");
		return NULL;
	}
	if (c->probe->naps > 1)
		c->probe->uses_probe_name = true;	/* a constant per point */
	return type_int_fmt(8, false, FMT_FUNC);
}

static int gen_func(struct gen *g, struct node *n, struct val *out)
{
	return gen_point_index(g, n, out);
}

/* ply: the return address at entry, which names the caller. */
static struct type *check_caller(struct checker *c, struct node *n)
{
	if (!need_regs(c, n, true, false))
		return NULL;
	return type_int_fmt(8, false, probe_provider(c)->mem == AS_USER ? FMT_HEX : FMT_KSYM);
}

static int gen_caller(struct gen *g, struct node *n, struct val *out)
{
	const struct arch *a = regs_arch(g->arch, g->ap);

	*out = val_scalar(g, n->type);
	if (a->ret_addr_reg) {
		emit_reg_load(g, R1, a, arch_reg_offset(a, a->ret_addr_reg));
		val_store_reg(g, out, R1);
	} else {
		emit_stack_word(g, a, 0, out);
	}
	return 0;
}


/* ply's regs: every register of the probed task, printed by name. */
static struct type *check_regs(struct checker *c, struct node *n)
{
	const struct provider *p = probe_provider(c);
	const struct arch *a = regs_arch(c->u->arch, check_first_ap(c));
	struct type *t;

	if (!p || (p->ctx != CTX_PT_REGS && p->ctx != CTX_PERF_EVENT)) {
		cerror(c, n->loc, "'regs' is only available in kprobe, uprobe, profile and software probes");
		return NULL;
	}
	/* 8-byte slots in a 64-bit kernel's pt_regs, even for a 32-bit task */
	t = type_new(TY_ARRAY);
	t->elem = type_int(a == c->u->arch->compat32 ? 8 : a->word_size, false);
	t->count = a->pt_regs_size / t->elem->size;
	t->size = a->pt_regs_size;
	t->fmt = FMT_REGS;
	t->name = xstrdup(a->name);
	return t;
}

static int gen_regs(struct gen *g, struct node *n, struct val *out)
{
	int size = ALIGN_UP(n->type->size, 8), off = stack_alloc(g, size), w = n->type->elem->size;

	emit_zero(g, off, size);
	for (int i = 0; i < n->type->size; i += w) {
		emit(g, LDX_MEM(w == 4 ? BPF_W : BPF_DW, R1, CTX_REG, (int16_t)i));
		emit(g, STX_MEM(w == 4 ? BPF_W : BPF_DW, FP, R1, (int16_t)(off + i)));
	}
	*out = (struct val){ .kind = V_STACK, .off = off, .size = size, .type = n->type };
	return 0;
}

/* reg("name"): any register of the probed task, by its arch name. */
static struct type *check_reg(struct checker *c, struct node *call)
{
	const struct provider *p = probe_provider(c);
	struct node *name = call->kids[0];
	const struct arch *a = regs_arch(c->u->arch, check_first_ap(c));

	if (!p || (p->ctx != CTX_PT_REGS && p->ctx != CTX_PERF_EVENT)) {
		cerror(c, call->loc, "reg() is only available in kprobe, uprobe, profile and software probes");
		return NULL;
	}
	if (name->kind != N_STR) {
		cerror(c, name->loc, "reg() takes a register name in quotes, e.g. reg(\"%s\")", a->sp_reg);
		return NULL;
	}
	if (arch_reg_offset(a, name->str) < 0) {
		struct strbuf all = { 0 };

		for (const struct arch_reg *r = a->regs; r->name; r++)
			sb_printf(&all, "%s%s", all.len ? " " : "", r->name);
		cerror(c, name->loc, "%s has no register '%s' (it has: %s)", a->name, name->str, all.s);
		free(all.s);
		return NULL;
	}
	return &type_u64;
}

static int gen_reg(struct gen *g, struct node *call, struct val *out)
{
	const struct arch *a = regs_arch(g->arch, g->ap);

	*out = val_scalar(g, call->type);
	emit_reg_load(g, R1, a, arch_reg_offset(a, call->kids[0]->str));
	val_store_reg(g, out, R1);
	return 0;
}

const struct func funcs_ctx[] = {
	{ "reg", 1, 1, 0, check_reg, gen_reg },
	{ NULL, 0, 0, 0, NULL, NULL },
};

const struct builtin builtins_ctx[] = {
	{ "args", check_args, gen_args },
	{ "data", check_args, gen_args },	/* ply */
	{ "kstack", check_kstack, gen_kstack },
	{ "stack", check_kstack, gen_kstack },	/* ply */
	{ "arg#", check_arg, gen_arg },
	{ "sarg#", check_sarg, gen_sarg },
	{ "retval", check_retval, gen_retval },
	{ "func", check_func, gen_func },
	{ "caller", check_caller, gen_caller },
	{ "regs", check_regs, gen_regs },	/* ply */
	{ NULL, NULL, NULL },
};
