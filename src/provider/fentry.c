/* fentry:FUNC and fexit:FUNC (kfunc:, kretfunc:): BPF trampolines on
 * kernel functions, typed from the kernel's BTF. Each point needs its
 * own program (it is loaded for one function's BTF id); the context is
 * the arguments, one u64 each, then fexit's return value. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "awl/btf.h"
#include "awl/provider.h"
#include "awl/sys.h"

/* The kernel's internal ENOTSUPP, which BPF returns when an arch lacks
 * trampolines; user space has no name for it. */
#define ENOTSUPP_KERNEL 524

/* enum bpf_attach_type values (Linux 5.5) */
#define ATTACH_FENTRY 24
#define ATTACH_FEXIT 25

static struct btf *vmlinux_btf(struct loc loc)
{
	static struct btf *btf;
	static bool tried;
	char err[256];

	if (!tried) {
		tried = true;
		btf = btf_load_vmlinux(err, sizeof(err));
		if (!btf) {
			error_at(loc, "fentry and fexit need the kernel's BTF: %s", err);
			diag_setup_error();
		}
	}
	return btf;
}

/* args: each parameter at its u64 slot in the context. */
static struct type *args_type(const struct btf_func_info *info)
{
	struct type *t = type_new(TY_STRUCT);

	t->fields = xcalloc((size_t)MAX(info->nparams, 1), sizeof(*t->fields));
	t->nfields = info->nparams;
	for (int i = 0; i < info->nparams; i++) {
		t->fields[i].name = xstrdup(info->params[i].name[0] ? info->params[i].name : "");
		t->fields[i].type = info->params[i].type;
		t->fields[i].offset = 8 * i;
	}
	t->size = 8 * info->nparams;
	t->name = xstrdup(info->name);
	return t;
}

static const char *const info_errors[] = {
	[ENOTSUP] = "passes or returns a struct, union, float or __int128 by value, which awl cannot read",
	[E2BIG] = "has more arguments than BPF trampolines take",
	[ERANGE] = "takes variable arguments, which BPF trampolines cannot attach to",
	[EINVAL] = "has a malformed BTF prototype",
};

static int add_point(struct unit *u, struct probe *p, const struct provider *prov,
		     struct btf *btf, const char *func, int id, struct loc loc, bool quiet)
{
	struct btf_func_info info;
	struct attach_point *ap;
	char *name;
	int err = btf_func_info(btf, id, u->arch->word_size, &info);

	if (err && quiet)
		return -1;
	if (err) {
		int e = -err;

		error_at(loc, "%s:%s %s", prov->name, func,
			 e < (int)ARRAY_SIZE(info_errors) && info_errors[e] ? info_errors[e] : strerror(e));
		return -1;
	}
	name = xasprintf("%s:%s", prov->name, func);
	ap = unit_add_ap(u, p, prov, name);
	free(name);
	ap->func = xstrdup(func);
	ap->btf_id = id;
	ap->nargs = info.nparams;
	ap->tp_args = args_type(&info);
	ap->ret_type = info.ret_void ? NULL : info.ret;
	return 0;
}

struct glob_ctx {
	struct unit *u;
	struct probe *p;
	const struct provider *prov;
	struct btf *btf;
	struct loc loc;
	int added, skipped;
};

/* In a glob, functions awl cannot read are skipped, and counted. */
static int add_match(void *arg, const char *name, int id)
{
	struct glob_ctx *g = arg;

	if (!add_point(g->u, g->p, g->prov, g->btf, name, id, g->loc, true))
		g->added++;
	else
		g->skipped++;
	return 0;
}

static int fentry_expand(struct unit *u, struct probe *p, const struct probe_spec *spec,
			 const char *rest)
{
	const struct provider *prov = !strncmp(spec->text, "fexit", 5) ||
				      !strncmp(spec->text, "kretfunc", 8) ? &provider_fexit
									  : &provider_fentry;
	struct btf *btf;
	int id;

	if (!*rest || strchr(rest, ':') || strchr(rest, '+')) {
		error_at(spec->loc, "expected %s:FUNCTION (e.g. %s:vfs_read)", prov->name, prov->name);
		return -1;
	}
	btf = vmlinux_btf(spec->loc);
	if (!btf)
		return -1;
	if (glob_has_magic(rest)) {
		struct glob_ctx g = { u, p, prov, btf, spec->loc, 0, 0 };

		btf_foreach_func(btf, rest, add_match, &g);
		if (g.skipped && g.added)
			note_at(spec->loc, "%d function%s matching '%s' skipped: variadic, or with arguments awl cannot read",
				g.skipped, g.skipped == 1 ? "" : "s", rest);
		if (!g.added) {
			error_at(spec->loc, "no kernel function in BTF matches '%s'", rest);
			return -1;
		}
		return 0;
	}
	id = btf_find_func(btf, rest);
	if (id < 0) {
		error_at(spec->loc, "the kernel's BTF has no function '%s' (see awl -l '%s:%.*s*')", rest,
			 prov->name, 3, rest);
		return -1;
	}
	return add_point(u, p, prov, btf, rest, id, spec->loc, false);
}

static int fentry_attach(struct unit *u, struct attach_point *ap)
{
	int fd = bpf_raw_tracepoint_open(NULL, ap->prog->fd);

	if (fd == -ENOTSUPP_KERNEL || fd == -EOPNOTSUPP) {
		error_plain("cannot attach %s: this kernel has no BPF trampolines for its architecture (riscv64 got them in Linux 6.3, arm64 in 6.0; 32-bit arm has none): use kprobe:%s instead",
			    ap->name, ap->func);
		return -1;
	}
	if (fd < 0) {
		struct strbuf why = { 0 };

		if (fd == -EBUSY)
			sb_puts(&why, "another program is attached there (the function's BPF trampoline is busy): stop the other tracer");
		else if (fd == -E2BIG)
			sb_printf(&why, "the function's BPF trampoline takes no more programs: stop other tracers, or use kprobe:%s",
				  ap->func);
		else
			sys_explain(&why, SYS_RAW_TP_OPEN, fd);
		error_plain("cannot attach %s: bpf(BPF_RAW_TRACEPOINT_OPEN): %s%s%s", ap->name,
			    strerror(-fd), why.s ? "; " : "", why.s ? why.s : "");
		free(why.s);
		return -1;
	}
	/* closing it detaches: a link like the others */
	VEC_PUSH(ap->links, ap->nlinks, ap->caplinks, fd);
	ap->linked = true;
	return 0;
}

struct list_ctx {
	const struct btf *btf;
	const char *prefix;
	const char *glob;
	bool verbose;
	FILE *out;
};

static int list_one(void *arg, const char *name, int id)
{
	struct list_ctx *l = arg;
	char full[300];

	snprintf(full, sizeof(full), "%s:%s", l->prefix, name);
	if (l->glob && fnmatch(l->glob, full, 0))
		return 0;
	fprintf(l->out, "%s\n", full);
	if (l->verbose) {
		fputs("    ", l->out);
		btf_func_print(l->btf, id, l->out);
		fputc('\n', l->out);
	}
	return 0;
}

static int fentry_list(const char *glob, bool verbose, FILE *out)
{
	char err[256];
	struct btf *btf;
	struct list_ctx l = { NULL, "fentry", glob, verbose, out };

	if (glob && strncmp(glob, "fentry:", 7) && strncmp(glob, "fexit:", 6) && !strchr("*?[", glob[0]))
		return 0;
	btf = btf_load_vmlinux(err, sizeof(err));
	if (!btf)
		return glob && glob[0] == 'f' ? (error_plain("%s", err), -1) : 0;
	l.btf = btf;
	if (glob && !strncmp(glob, "fexit:", 6))
		l.prefix = "fexit";
	btf_foreach_func(btf, "*", list_one, &l);
	btf_free(btf);
	return 0;
}

static const char *const fentry_aliases[] = { "kfunc", "f", NULL };
static const char *const fexit_aliases[] = { "kretfunc", "fr", NULL };

const struct provider provider_fentry = {
	.name = "fentry",
	.aliases = fentry_aliases,
	.prog_type = BPF_PROG_TYPE_TRACING,
	.expected_attach_type = ATTACH_FENTRY,
	.ctx = CTX_BTF_ARGS,
	.in_task_context = true,
	.one_program_per_point = true,
	.mem = AS_KERNEL,
	.expand = fentry_expand,
	.attach = fentry_attach,
	.list = fentry_list,
};

const struct provider provider_fexit = {
	.name = "fexit",
	.aliases = fexit_aliases,
	.prog_type = BPF_PROG_TYPE_TRACING,
	.expected_attach_type = ATTACH_FEXIT,
	.ctx = CTX_BTF_ARGS,
	.in_task_context = true,
	.one_program_per_point = true,
	.is_return = true,
	.mem = AS_KERNEL,
	.expand = fentry_expand,
	.attach = fentry_attach,
};
