/* kprobe:FUNC[+OFF] and kretprobe:FUNC (ply: k:, kr:), with globs
 * expanded through available_filter_functions. Attached through the
 * kprobe PMU, else kprobe_events (see dynprobe.c). */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "awl/attach.h"
#include "awl/dynprobe.h"
#include "awl/provider.h"
#include "awl/tracefs.h"

struct name_set {
	char **names;
	int n, cap;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void name_set_free(struct name_set *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	memset(s, 0, sizeof(*s));
}

static bool name_set_has(const struct name_set *s, const char *name)
{
	return s->n && bsearch(&name, s->names, (size_t)s->n, sizeof(char *), cmp_str);
}

/* Reads one name per line (the first word, or the one after a tab for
 * the blacklist's "0xSTART-0xEND\tname"), sorted and without repeats. */
static int read_names(const char *path, bool after_tab, struct name_set *out)
{
	size_t len;
	char *text = read_file(path, &len), *p, *end;

	if (!text)
		return -errno;
	for (p = text, end = text + len; p < end;) {
		char *eol = memchr(p, '\n', (size_t)(end - p)), *word = p, *w_end;

		if (!eol)
			eol = end;
		if (after_tab) {
			char *tab = memchr(p, '\t', (size_t)(eol - p));

			word = tab ? tab + 1 : eol;
		}
		for (w_end = word; w_end < eol && *w_end != ' ' && *w_end != '\t'; w_end++)
			;
		if (w_end > word)
			VEC_PUSH(out->names, out->n, out->cap, xstrndup(word, (size_t)(w_end - word)));
		p = eol + 1;
	}
	free(text);
	if (out->n)
		qsort(out->names, (size_t)out->n, sizeof(char *), cmp_str);
	int kept = 0;

	for (int i = 0; i < out->n; i++) {
		if (kept && !strcmp(out->names[kept - 1], out->names[i]))
			free(out->names[i]);
		else
			out->names[kept++] = out->names[i];
	}
	out->n = kept;
	return 0;
}

static int traceable_functions(struct name_set *out, struct loc loc, const char *glob)
{
	char path[512];
	int err;

	if (!tracefs_dir())
		return -1;
	snprintf(path, sizeof(path), "%s/available_filter_functions", tracefs_dir());
	err = read_names(path, false, out);
	if (err) {
		error_at(loc, "cannot expand '%s': %s is not readable (%s); the kernel needs CONFIG_FUNCTION_TRACER, and a lockdown policy may hide it",
			 glob, path, strerror(-err));
		diag_setup_error();
		return -1;
	}
	return 0;
}

/* FUNC, FUNC+OFF; OFF is only for kprobes (not returns). */
static bool split_offset(const char *rest, char *func, size_t len, uint64_t *off)
{
	const char *plus = strchr(rest, '+');
	size_t n = plus ? (size_t)(plus - rest) : strlen(rest);
	char *end;

	if (n == 0 || n >= len)
		return false;
	memcpy(func, rest, n);
	func[n] = '\0';
	*off = 0;
	if (plus) {
		*off = strtoull(plus + 1, &end, 0);
		if (*end || end == plus + 1)
			return false;
	}
	return true;
}

static void add_point(struct unit *u, struct probe *p, const struct provider *prov,
		      const char *func, uint64_t off)
{
	char *name = off ? xasprintf("%s:%s+%llu", prov->name, func, (unsigned long long)off)
			 : xasprintf("%s:%s", prov->name, func);
	struct attach_point *ap = unit_add_ap(u, p, prov, name);

	free(name);
	ap->func = xstrdup(func);
	ap->offset = off;
}

static int kprobe_expand(struct unit *u, struct probe *p, const struct probe_spec *spec,
			 const char *rest)
{
	const struct provider *prov = strchr("kK", spec->text[0]) && spec->text[1] == 'r' ?
				      &provider_kretprobe :
				      !strncmp(spec->text, "kretprobe", 9) ? &provider_kretprobe :
				      &provider_kprobe;
	struct name_set funcs = { 0 }, blacklist = { 0 };
	char func[256];
	uint64_t off;
	int matched = 0, skipped = 0;

	if (!split_offset(rest, func, sizeof(func), &off) || (off && prov->is_return)) {
		error_at(spec->loc, "expected %s:FUNCTION%s (e.g. %s:vfs_read)", prov->name,
			 prov->is_return ? "" : "[+OFFSET]", prov->name);
		return -1;
	}
	if (!glob_has_magic(func)) {
		add_point(u, p, prov, func, off);
		return 0;
	}
	if (traceable_functions(&funcs, spec->loc, func))
		return -1;
	read_names("/sys/kernel/debug/kprobes/blacklist", true, &blacklist);
	for (int i = 0; i < funcs.n; i++) {
		if (fnmatch(func, funcs.names[i], 0))
			continue;
		if (name_set_has(&blacklist, funcs.names[i])) {
			skipped++;
			continue;
		}
		add_point(u, p, prov, funcs.names[i], off);
		matched++;
	}
	if (skipped && !u->opts->dry_run)
		note_at(spec->loc, "%d function%s matching '%s' cannot be kprobed (the kernel's kprobe blacklist): skipped",
			skipped, skipped == 1 ? "" : "s", func);
	name_set_free(&funcs);
	name_set_free(&blacklist);
	if (!matched) {
		error_at(spec->loc, "no kernel function that can be traced matches '%s'", func);
		return -1;
	}
	return 0;
}

static bool have_btf(void)
{
	struct stat st;

	return stat("/sys/kernel/btf/vmlinux", &st) == 0;
}

static void explain_kprobe_error(const struct attach_point *ap, int err)
{
	if (err == -ENOENT && !dynprobe_has_pmu(DYN_KPROBE) && !dynprobe_has_tracefs(DYN_KPROBE)) {
		error_plain("cannot attach %s: this kernel has no kprobes (it needs CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y); %s",
			    ap->name, have_btf()
			    ? "try fentry:FUNC instead (this kernel has BTF), or a tracepoint (awl -l 'tracepoint:*')"
			    : "trace a tracepoint instead (awl -l 'tracepoint:*')");
	} else if (err == -ENOENT || err == -EINVAL) {
		error_plain("cannot attach %s: no kernel function '%s' can be probed there (it may not exist, be inlined, or be notrace; see awl -l 'kprobe:%s*')",
			    ap->name, ap->func, ap->func);
	} else if (err != -EALREADY) {
		explain_perf_error(ap, err);	/* permissions, limits */
	}
}

static int kprobe_attach(struct unit *u, struct attach_point *ap)
{
	const char *maxactive = getenv("AWL_KRETPROBE_MAXACTIVE");
	struct dynprobe dp = {
		.kind = DYN_KPROBE,
		.retprobe = ap->provider->is_return,
		.target = ap->func,
		.offset = ap->offset,
		.pid = -1,
		.maxactive = maxactive && ap->provider->is_return ? atoi(maxactive) : 0,
	};
	int err;

	dynprobe_remove_stale(DYN_KPROBE);
	err = dynprobe_attach(u, ap, &dp);
	if (err)
		explain_kprobe_error(ap, err);
	return err ? -1 : 0;
}

static int kprobe_list(const char *glob, bool verbose, FILE *out)
{
	struct name_set funcs = { 0 };
	char path[512];

	if (glob && !strchr("k*?[", glob[0]))
		return 0;
	if (!tracefs_dir())
		return -1;
	snprintf(path, sizeof(path), "%s/available_filter_functions", tracefs_dir());
	if (read_names(path, false, &funcs)) {
		if (glob && glob[0] == 'k')
			error_plain("cannot list kernel functions: %s is not readable", path);
		return glob && glob[0] == 'k' ? -1 : 0;
	}
	for (int i = 0; i < funcs.n; i++) {
		char name[300];

		snprintf(name, sizeof(name), "kprobe:%s", funcs.names[i]);
		if (!glob || !fnmatch(glob, name, 0))
			fprintf(out, "%s\n", name);
	}
	name_set_free(&funcs);
	return 0;
}

static const char *const kprobe_aliases[] = { "k", NULL };
static const char *const kretprobe_aliases[] = { "kr", NULL };

const struct provider provider_kprobe = {
	.name = "kprobe",
	.aliases = kprobe_aliases,
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.ctx = CTX_PT_REGS,
	.in_task_context = true,
	.mem = AS_KERNEL,
	.expand = kprobe_expand,
	.attach = kprobe_attach,
	.list = kprobe_list,
};

const struct provider provider_kretprobe = {
	.name = "kretprobe",
	.aliases = kretprobe_aliases,
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.ctx = CTX_PT_REGS,
	.in_task_context = true,
	.is_return = true,
	.mem = AS_KERNEL,
	.expand = kprobe_expand,
	.attach = kprobe_attach,
};
