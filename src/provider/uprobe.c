/* uprobe:PATH:FUNC[+OFF], uprobe:PATH:0xADDR and uretprobe:PATH:FUNC
 * (u:, ur:). PATH may be a library's short name (libc) or a program on
 * $PATH; FUNC may be a glob. Functions are found with awl's own ELF
 * reader; the kernel wants the file offset of the code. With -p (or -c)
 * the probes fire only in that process, and names are resolved in its
 * view of the file system (/proc/PID/root, /proc/PID/maps). */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "awl/attach.h"
#include "awl/compat.h"
#include "awl/dynprobe.h"
#include "awl/elf.h"
#include "awl/ldcache.h"
#include "awl/procmaps.h"
#include "awl/provider.h"
#include "awl/sys.h"

/* The process whose uprobes these are: -p's, else -c's, else all (-1). */
static int target_pid(const struct unit *u)
{
	return u->opts->pid ? u->opts->pid : u->opts->cpid ? u->opts->cpid : -1;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A program name without a '/': the first match on $PATH. */
static char *search_path(const char *name, const char *root)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *candidate = xasprintf("%s%s/%s", root, dir, name);

		if (is_file(candidate))
			found = candidate;
		else
			free(candidate);
	}
	free(copy);
	return found;
}

/* The file to probe: a path, a library of the traced process, a library
 * by the dynamic linker's rules, or a program on $PATH. */
static char *resolve_target(const struct unit *u, const char *target)
{
	int pid = u->opts->pid;
	char *root = pid ? xasprintf("/proc/%d/root", pid) : xstrdup(""), *found = NULL;

	if (strchr(target, '/')) {
		found = xasprintf("%s%s", root, target);
		if (!is_file(found)) {
			free(found);
			found = NULL;
		}
	} else {
		if (pid)
			found = proc_maps_find(pid, target);
		if (!found)
			found = lib_resolve(target, root, u->arch->word_size * 8, u->arch->elf_machine);
		if (!found)
			found = lib_resolve(target, root, 0, 0);
		if (!found)
			found = search_path(target, root);
	}
	free(root);
	return found;
}

struct match {
	struct unit *u;
	struct probe *p;
	const struct provider *prov;
	struct elf_file *elf;
	const char *path;	/* as given to the kernel */
	const char *shown;	/* as shown in the probe's name */
	const struct probe_spec *spec;
	uint64_t off;
	bool compat32;
	bool glob;
	int added;
};

/* The kernel's arm uprobes decode ARM instructions only: a Thumb
 * function (most of Debian's armhf) would be decoded wrongly. */
#define EM_ARM_VALUE 40

static int add_point(struct match *m, const char *func, uint64_t vaddr)
{
	uint64_t file_off;
	struct attach_point *ap;
	char *name;

	if (elf_machine(m->elf) == EM_ARM_VALUE && elf_func_is_thumb(m->elf, func)) {
		if (m->glob)
			return 0;	/* skipped: said once by the caller */
		error_at(m->spec->loc, "%s in %s is Thumb code, which the kernel's uprobes cannot probe on arm (build it with -marm)",
			 func, m->shown);
		return -1;
	}

	if (elf_vaddr_to_offset(m->elf, vaddr + m->off, &file_off)) {
		error_at(m->spec->loc, "%s: 0x%llx is not in a loaded segment of the file", m->shown,
			 (unsigned long long)(vaddr + m->off));
		return -1;
	}
	name = m->off ? xasprintf("%s:%s:%s+%llu", m->prov->name, m->shown, func,
				  (unsigned long long)m->off)
		      : xasprintf("%s:%s:%s", m->prov->name, m->shown, func);
	ap = unit_add_ap(m->u, m->p, m->prov, name);
	free(name);
	ap->func = xstrdup(func);
	ap->path = xstrdup(m->path);
	ap->offset = file_off;
	ap->compat32 = m->compat32;
	m->added++;
	return 0;
}

static int add_match(void *arg, const char *name, uint64_t vaddr, uint64_t size)
{
	struct match *m = arg;

	add_point(m, name, vaddr);
	return 0;
}

struct nearest {
	const char *want;
	char best[128];
	int best_d;
};

static int find_nearest(void *arg, const char *name, uint64_t vaddr, uint64_t size)
{
	struct nearest *n = arg;
	int d = edit_distance(n->want, name);

	if (d < n->best_d) {
		n->best_d = d;
		snprintf(n->best, sizeof(n->best), "%s", name);
	}
	return 0;
}

static void explain_missing_func(struct match *m, const char *func)
{
	struct nearest n = { func, "", 4 };

	if (!elf_has_symtab(m->elf)) {
		error_at(m->spec->loc, "%s is stripped (no .symtab): '%s' is not among the functions it exports (see awl -l '%s:%s:*')",
			 m->shown, func, m->prov->name, m->shown);
		return;
	}
	elf_foreach_func(m->elf, NULL, find_nearest, &n);
	if (n.best[0])
		error_at(m->spec->loc, "%s has no function '%s'; did you mean '%s'?", m->shown, func, n.best);
	else
		error_at(m->spec->loc, "%s has no function '%s' (see awl -l '%s:%s:*')", m->shown, func,
			 m->prov->name, m->shown);
}

/* FUNC, FUNC+OFF or 0xADDR, after the last ':'. */
static int expand_func(struct match *m, const char *what)
{
	char func[256];
	const char *plus = strchr(what, '+');
	size_t n = plus ? (size_t)(plus - what) : strlen(what);
	uint64_t vaddr, size;
	char *end;

	if (n == 0 || n >= sizeof(func)) {
		error_at(m->spec->loc, "expected %s:PATH:FUNCTION (e.g. %s:/bin/bash:readline)",
			 m->prov->name, m->prov->name);
		return -1;
	}
	memcpy(func, what, n);
	func[n] = '\0';
	if (plus) {
		m->off = strtoull(plus + 1, &end, 0);
		if (*end || end == plus + 1 || m->prov->is_return) {
			error_at(m->spec->loc, "bad offset in '%s'%s", what,
				 m->prov->is_return ? ": a return probe takes none" : "");
			return -1;
		}
	}
	if (func[0] == '0' && func[1] == 'x') {
		vaddr = strtoull(func, &end, 16);
		if (*end) {
			error_at(m->spec->loc, "bad address '%s'", func);
			return -1;
		}
		return add_point(m, func, vaddr);
	}
	if (glob_has_magic(func)) {
		m->glob = true;
		int matched = elf_foreach_func(m->elf, func, add_match, m);

		if (matched > m->added && m->added)
			note_at(m->spec->loc, "%d Thumb function%s matching '%s' skipped: arm uprobes probe ARM code only",
				matched - m->added, matched - m->added == 1 ? "" : "s", func);
		if (!m->added) {
			error_at(m->spec->loc, "no function of %s matches '%s'", m->shown, func);
			return -1;
		}
		return 0;
	}
	if (elf_find_func(m->elf, func, &vaddr, &size)) {
		explain_missing_func(m, func);
		return -1;
	}
	return add_point(m, func, vaddr);
}

static const struct provider *provider_of(const char *spec)
{
	return !strncmp(spec, "uretprobe", 9) || !strncmp(spec, "ur:", 3) ? &provider_uretprobe
									 : &provider_uprobe;
}

static int uprobe_expand(struct unit *u, struct probe *p, const struct probe_spec *spec,
			 const char *rest)
{
	const char *colon = strrchr(rest, ':');
	struct match m = { u, p, provider_of(spec->text), NULL, NULL, NULL, spec, 0, false, false, 0 };
	char *target, *path, err[256];
	int ret;

	if (!colon || colon == rest) {
		error_at(spec->loc, "expected %s:PATH:FUNCTION (e.g. %s:/bin/bash:readline, %s:libc:malloc)",
			 m.prov->name, m.prov->name, m.prov->name);
		return -1;
	}
	target = xstrndup(rest, (size_t)(colon - rest));
	path = resolve_target(u, target);
	if (!path) {
		error_at(spec->loc, "no file or library '%s'%s", target,
			 strchr(target, '/') ? "" : " (not in ld.so.cache, the library directories or $PATH)");
		free(target);
		return -1;
	}
	m.elf = elf_open(path, err, sizeof(err));
	if (!m.elf) {
		error_at(spec->loc, "cannot read %s: %s", path, err);
		free(target);
		free(path);
		return -1;
	}
	m.path = path;
	/* shown without the /proc/PID/root prefix of -p */
	m.shown = u->opts->pid && !strncmp(path, "/proc/", 6) && strstr(path, "/root/")
		  ? strstr(path, "/root/") + 5 : path;
	m.compat32 = elf_class(m.elf) == 32 && u->arch->word_size == 8 && u->arch->compat32;
	ret = expand_func(&m, colon + 1);
	elf_close(m.elf);
	free(target);
	free(path);
	return ret;
}

static void explain_uprobe_error(const struct attach_point *ap, int err, bool multi)
{
	if (err == -EALREADY)
		return;	/* explained */
	if (err == -ENOENT && !dynprobe_has_pmu(DYN_UPROBE) && !dynprobe_has_tracefs(DYN_UPROBE))
		error_plain("cannot attach %s: this kernel has no uprobes (it needs CONFIG_UPROBES=y and CONFIG_UPROBE_EVENTS=y)",
			    ap->name);
	else if (err == -ENOENT)
		error_plain("cannot attach %s: %s; %s is gone, or the kernel cannot make uprobes (it needs CONFIG_UPROBE_EVENTS=y)",
			    ap->name, strerror(-err), ap->path);
	else if (err == -EINVAL)
		error_plain("cannot attach %s: the kernel refused offset 0x%llx of %s (not an instruction it can probe)",
			    ap->name, (unsigned long long)ap->offset, ap->path);
	else if (err == -ESRCH)
		error_plain("cannot attach %s: the process is gone", ap->name);
	else
		explain_attach_error(ap, multi ? SYS_LINK_CREATE : SYS_PERF_EVENT_OPEN, err);
}

/* All the points of ap's program on ap's file in one uprobe_multi link,
 * each with its index as cookie (for `probe` and `func`). */
static int attach_multi(struct unit *u, struct attach_point *ap)
{
	struct bpf_program *bp = ap->prog;
	uint64_t *offsets = xcalloc((size_t)bp->naps, sizeof(*offsets));
	uint64_t *cookies = xcalloc((size_t)bp->naps, sizeof(*cookies));
	uint32_t n = 0;
	int link;

	for (int i = 0; i < bp->naps; i++) {
		struct attach_point *other = bp->aps[i];

		if (other->provider != ap->provider || strcmp(other->path, ap->path))
			continue;
		offsets[n] = other->offset;
		cookies[n++] = (uint64_t)other->index;
		other->in_multi_link = other != ap;
		other->linked = true;
	}
	link = bpf_link_uprobe_multi(bp->fd, ap->path, offsets, cookies, n, ap->provider->is_return,
				     target_pid(u));
	free(offsets);
	free(cookies);
	if (link < 0)
		return link;
	VEC_PUSH(ap->links, ap->nlinks, ap->caplinks, link);
	return 0;
}

static int uprobe_attach(struct unit *u, struct attach_point *ap)
{
	bool multi;
	int err;
	struct dynprobe dp = {
		.kind = DYN_UPROBE,
		.retprobe = ap->provider->is_return,
		.target = ap->path,
		.offset = ap->offset,
		.pid = target_pid(u),
	};

	if (ap->in_multi_link)
		return 0;
	if (ap->compat32) {
		/* arm64's uprobes decode AArch64 code only; the kernel refuses,
		 * or with -c silently drops, uprobes in 32-bit processes */
		error_plain("cannot attach %s: %s is a 32-bit ARM program, and arm64 kernels cannot put uprobes in 32-bit code; trace its system calls (tracepoint:raw_syscalls:*) instead",
			    ap->name, ap->path);
		return -1;
	}
	dynprobe_remove_stale(DYN_UPROBE);
	multi = ap->prog->expected_attach_type == AWL_BPF_TRACE_UPROBE_MULTI;
	err = multi ? attach_multi(u, ap) : dynprobe_attach(u, ap, &dp);
	if (err)
		explain_uprobe_error(ap, err, multi);
	return err ? -1 : 0;
}

struct lister {
	const char *prefix;
	const char *glob;
	FILE *out;
};

static int list_func(void *arg, const char *name, uint64_t vaddr, uint64_t size)
{
	struct lister *l = arg;
	char *full = xasprintf("%s%s", l->prefix, name);

	if (!fnmatch(l->glob, full, 0))
		fprintf(l->out, "%s\n", full);
	free(full);
	return 0;
}

/* -l 'uprobe:PATH:GLOB' lists a binary's functions. */
static int uprobe_list(const char *glob, bool verbose, FILE *out)
{
	const char *first = glob ? strchr(glob, ':') : NULL, *last = glob ? strrchr(glob, ':') : NULL;
	struct unit dummy_unit;
	struct awl_opts opts;
	char *target, *path, err[256];
	struct elf_file *elf;

	if (!glob || (strncmp(glob, "uprobe:", 7) && strncmp(glob, "u:", 2)) || first == last)
		return 0;
	memset(&opts, 0, sizeof(opts));
	memset(&dummy_unit, 0, sizeof(dummy_unit));
	opts.arch = arch_native();
	dummy_unit.opts = &opts;
	dummy_unit.arch = opts.arch;
	target = xstrndup(first + 1, (size_t)(last - first - 1));
	path = resolve_target(&dummy_unit, target);
	elf = path ? elf_open(path, err, sizeof(err)) : NULL;
	if (!elf) {
		error_plain("cannot list the functions of '%s': %s", target, path ? err : "no such file or library");
		free(target);
		free(path);
		return -1;
	}
	struct lister l = { NULL, glob, out };
	char *prefix = xasprintf("%.*s%s:", (int)(first - glob + 1), glob, target);

	l.prefix = prefix;
	elf_foreach_func(elf, NULL, list_func, &l);
	free(prefix);
	elf_close(elf);
	free(target);
	free(path);
	return 0;
}

static const char *const uprobe_aliases[] = { "u", NULL };
static const char *const uretprobe_aliases[] = { "ur", NULL };

const struct provider provider_uprobe = {
	.name = "uprobe",
	.aliases = uprobe_aliases,
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.ctx = CTX_PT_REGS,
	.in_task_context = true,
	.multi_attach = true,
	.mem = AS_USER,
	.expand = uprobe_expand,
	.attach = uprobe_attach,
	.list = uprobe_list,
};

const struct provider provider_uretprobe = {
	.name = "uretprobe",
	.aliases = uretprobe_aliases,
	.prog_type = BPF_PROG_TYPE_KPROBE,
	.ctx = CTX_PT_REGS,
	.in_task_context = true,
	.multi_attach = true,
	.is_return = true,
	.mem = AS_USER,
	.expand = uprobe_expand,
	.attach = uprobe_attach,
};
