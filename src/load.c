/* Loading: probes what the kernel can do, creates the maps, loads the
 * programs (where the verifier has its say) and runs BEGIN/END. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awl/compat.h"
#include "awl/dynprobe.h"
#include "awl/elf.h"
#include "awl/procmaps.h"
#include "awl/gen.h"
#include "awl/insn.h"
#include "awl/load.h"
#include "awl/provider.h"
#include "awl/sys.h"

#define DEFAULT_RINGBUF_PAGES 64
#define DEFAULT_PERF_PAGES 16
#define LOG_SIZE (4u << 20)

bool kernel_has_ringbuf(void)
{
	static int known = -1;

	if (known < 0) {
		int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "awl_probe", 0, 0,
					(uint32_t)sysconf(_SC_PAGESIZE), 0);

		known = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	return known;
}

/* A helper exists if the verifier's complaint about a call to it is
 * not that it is unknown (its arguments are left unset on purpose). */
bool kernel_has_helper(uint32_t prog_type, int helper)
{
	struct bpf_insn insns[] = { CALL(helper), MOV64_IMM(R0, 0), EXIT_INSN() };
	char log[4096] = "";	/* defined even where the kernel writes none */
	int fd = bpf_prog_load(prog_type, "awl_probe", insns, (int)ARRAY_SIZE(insns), log,
			       sizeof(log), 1);

	if (fd >= 0) {
		close(fd);
		return true;
	}
	return !strstr(log, "invalid func") && !strstr(log, "unknown func");
}

bool kernel_has_test_run(void)
{
	static int known = -1;

	if (known < 0) {
		struct bpf_insn insns[] = { MOV64_IMM(R0, 0), EXIT_INSN() };
		uint64_t ctx = 0;
		int fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "awl_probe", insns, 2, NULL, 0, 0);

		known = fd >= 0 && bpf_prog_test_run(fd, &ctx, sizeof(ctx), NULL) == 0;
		if (fd >= 0)
			close(fd);
	}
	return known;
}

bool kernel_has_uprobe_multi(void)
{
	static int known = -1;
	struct bpf_insn insns[] = { MOV64_IMM(R0, 0), EXIT_INSN() };
	struct prog_target target = { BPF_PROG_TYPE_KPROBE, AWL_BPF_TRACE_UPROBE_MULTI, 0 };
	struct elf_file *self;
	uint64_t offset;
	char err[128];
	int prog, link;

	if (known >= 0)
		return known;
	known = 0;
	self = elf_open("/proc/self/exe", err, sizeof(err));
	if (!self)
		return false;
	if (elf_vaddr_to_offset(self, elf_entry(self), &offset) == 0) {
		prog = bpf_prog_load_for(&target, "awl_probe", insns, 2, NULL, 0, 0);
		link = prog < 0 ? -1 : bpf_link_uprobe_multi(prog, "/proc/self/exe", &offset, NULL, 1,
							     false, (int)getpid());
		known = link >= 0;
		if (link >= 0)
			close(link);
		if (prog >= 0)
			close(prog);
	}
	elf_close(self);
	return known;
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

int load_prepare(struct unit *u)
{
	const struct awl_opts *o = u->opts;
	uint32_t pages;
	int scratch = 0;

	switch (o->output) {
	case OUTPUT_RINGBUF:
		u->ringbuf = true;
		break;
	case OUTPUT_PERFBUF:
		u->ringbuf = false;
		break;
	default:
		u->ringbuf = o->dry_run || kernel_has_ringbuf();
	}
	/* uprobes share one program and one link per file where they can */
	for (int i = 0; i < u->naps && !u->uprobe_multi; i++)
		if (u->aps[i]->provider->multi_attach)
			u->uprobe_multi = !o->dry_run && kernel_has_uprobe_multi() &&
					  !getenv("AWL_NO_UPROBE_MULTI");
	for (int i = 0; i < u->naps && !u->special_via_uprobe; i++)
		if (u->aps[i]->provider->run_by_loader && !o->dry_run)
			u->special_via_uprobe = !kernel_has_test_run() || getenv("AWL_SPECIAL_VIA_UPROBE");
	u->user_str_helpers = o->dry_run ||
			      kernel_has_helper(BPF_PROG_TYPE_TRACEPOINT, HELPER_probe_read_user_str);
	/* a dry run's code is never loaded: 0 keeps its listing the same
	 * from run to run (the cross checks compare listings) */
	u->start_ns = o->dry_run ? 0 : monotonic_ns();
	if (u->uses_kstack)
		u->stack_kmap = unit_add_kmap(u, "awl_stacks", BPF_MAP_TYPE_STACK_TRACE, 4,
					      KSTACK_DEPTH * 8, o->map_entries, 0);
	if (!u->nevents)
		return 0;
	pages = pow2_at_least(o->output_pages ? o->output_pages :
			      u->ringbuf ? DEFAULT_RINGBUF_PAGES : DEFAULT_PERF_PAGES);
	if (u->ringbuf)
		u->out_kmap = unit_add_kmap(u, "awl_output", BPF_MAP_TYPE_RINGBUF, 0, 0,
					    pages * (uint32_t)sysconf(_SC_PAGESIZE), 0);
	else
		u->out_kmap = unit_add_kmap(u, "awl_output", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4,
					    (uint32_t)cpus_possible(), 0);
	u->output_pages = pages;
	u->lost_kmap = unit_add_kmap(u, "awl_lost", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0);
	for (int i = 0; i < u->nevents; i++)
		scratch = MAX(scratch, u->events[i]->size > MAX_STACK_EVENT ? u->events[i]->size : 0);
	if (scratch)
		u->scratch_kmap = unit_add_kmap(u, "awl_scratch", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
						(uint32_t)scratch, 1, 0);
	return 0;
}

static const struct {
	const char *name, *since;
} map_types[] = {
	[BPF_MAP_TYPE_HASH] = { "hash", "3.19" }, [BPF_MAP_TYPE_ARRAY] = { "array", "3.19" },
	[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = { "perf event array", "4.3" },
	[BPF_MAP_TYPE_PERCPU_HASH] = { "per-CPU hash", "4.6" },
	[BPF_MAP_TYPE_PERCPU_ARRAY] = { "per-CPU array", "4.6" },
	[BPF_MAP_TYPE_STACK_TRACE] = { "stack trace", "4.6" },
	[BPF_MAP_TYPE_RINGBUF] = { "ring buffer", "5.8" },
};

/* What the map's size comes from: the option that makes it smaller. */
static void map_size_option(const struct unit *u, const struct kmap *km, struct strbuf *sb)
{
	int i = (int)(km - u->kmaps);

	if (km->sym || i == u->stack_kmap)
		sb_printf(sb, "make it smaller with AWL_MAP_SIZE=N (entries of every map, now %u)%s",
			  u->opts->map_entries, km->sym ? " or AWL_STRLEN=N (bytes of each string in keys and values)" : "");
	else if (i == u->out_kmap && u->ringbuf)
		sb_printf(sb, "make it smaller with AWL_BUFFER_PAGES=N (now %u)", u->output_pages);
	else if (i == u->scratch_kmap)
		sb_printf(sb, "make the records smaller with AWL_STRLEN=N (bytes of each string, now %d)",
			  u->opts->str_size);
}

static void explain_map_error(const struct unit *u, const struct kmap *km, int err)
{
	bool known = km->type < ARRAY_SIZE(map_types) && map_types[km->type].name;
	const char *what = known ? map_types[km->type].name : "BPF";
	struct strbuf why = { 0 }, size = { 0 };
	char shape[96];

	map_size_option(u, km, &size);
	switch (-err) {
	case E2BIG:
		sb_printf(&why, "it is larger than the kernel allows%s%s", size.s ? ": " : "",
			  size.s ? size.s : "");
		break;
	case ENOMEM:
		sys_explain(&why, SYS_MAP_CREATE, err);
		if (size.s)
			sb_printf(&why, "; or %s", size.s);
		break;
	case EINVAL:
		if (known)
			sb_printf(&why, "the kernel is too old for %s maps (Linux %s), or lacks them (CONFIG_BPF_SYSCALL=y)",
				  what, map_types[km->type].since);
		else
			sb_puts(&why, "the kernel is too old for this map type, or lacks it (CONFIG_BPF_SYSCALL=y)");
		break;
	default:
		sys_explain(&why, SYS_MAP_CREATE, err);
	}
	if (km->type == BPF_MAP_TYPE_RINGBUF)
		snprintf(shape, sizeof(shape), "%u bytes", km->max_entries);
	else
		snprintf(shape, sizeof(shape), "%u entries, %u-byte keys, %u-byte values",
			 km->max_entries, km->key_size, km->value_size);
	error_plain("cannot create %s map %s (%s, %s): bpf(BPF_MAP_CREATE): %s%s%s",
		    km->sym ? "the" : "awl's", km->sym ? km->sym->display : km->name, what, shape,
		    strerror(-err), why.s ? "; " : "", why.s ? why.s : "");
	free(why.s);
	free(size.s);
}

static int create_maps(struct unit *u)
{
	/* named before they are created: a failure names the script's map */
	for (int i = 0; i < u->nmaps; i++)
		u->kmaps[u->maps[i]->kmap].sym = u->maps[i];
	for (int i = 0; i < u->nkmaps; i++) {
		struct kmap *km = &u->kmaps[i];
		int fd = bpf_map_create(km->type, km->name, km->key_size, km->value_size,
					km->max_entries, km->flags);

		if (fd < 0) {
			explain_map_error(u, km, fd);
			return 2;
		}
		km->fd = fd;
	}
	return 0;
}

/* The generator leaves kmap indices in map loads; the kernel wants fds. */
static struct bpf_insn *relocate(struct unit *u, const struct bpf_program *bp)
{
	struct bpf_insn *insns = xmalloc(sizeof(*insns) * (size_t)bp->ninsns);

	memcpy(insns, bp->insns, sizeof(*insns) * (size_t)bp->ninsns);
	for (int i = 0; i < bp->ninsns; i++)
		if (insns[i].code == (BPF_LD | BPF_DW | BPF_IMM) &&
		    insns[i].src_reg == BPF_PSEUDO_MAP_FD)
			insns[i].imm = u->kmaps[insns[i].imm].fd;
	return insns;
}

/* The verifier's log is long; its end says what went wrong. */
static void print_log_tail(const char *log, bool full)
{
	const char *start = log;
	int lines = 0;

	if (!full) {
		for (const char *p = log + strlen(log); p > log; p--) {
			if (p[-1] == '\n' && ++lines > 20) {
				start = p;
				fputs("  ...\n", stderr);
				break;
			}
		}
	}
	for (const char *p = start; *p;) {
		const char *eol = strchr(p, '\n');
		int len = eol ? (int)(eol - p) : (int)strlen(p);

		fprintf(stderr, "  %.*s\n", len, p);
		p += len + (eol ? 1 : 0);
	}
}

static void explain_load_error(struct unit *u, const struct bpf_program *bp, int err,
			       const char *log)
{
	const struct probe *p = bp->probe;
	const char *src = diag_source() ? diag_source()->name : "";
	bool no_log = !log || !*log;
	struct strbuf why = { 0 };

	if ((-err == EPERM || -err == EACCES) && no_log && !sys_missing_tracing_caps() &&
	    bp->prog_type == BPF_PROG_TYPE_TRACING) {
		const struct attach_point *ap = bp->aps[0];
		const char *mode = sys_lockdown();
		/* vfs_read -> *read*: tracepoints are named for the operation */
		const char *word = strrchr(ap->func, '_') ? strrchr(ap->func, '_') + 1 : ap->func;

		error_plain("the kernel refused to load the %s program for %s (%s:%d:%d), a BPF_PROG_TYPE_TRACING program: %s. "
			    "The kernel has BTF and BPF trampolines, so a security policy is the likely cause: kernel lockdown%s%s%s, SELinux or another LSM. "
			    "Trace it with kprobe:%s, or a tracepoint (awl -l 'tracepoint:*%s*'), instead",
			    bp->provider->name, ap->func, src, p->loc.line, p->loc.col, strerror(-err),
			    mode ? " (here: " : "", mode ? mode : "", mode ? ")" : "", ap->func,
			    *word ? word : ap->func);
		return;
	}
	if (-err == E2BIG) {
		error_plain("the program of %s (%s:%d:%d) is too large for this kernel (%d instructions): split the probe or simplify it%s",
			    bp->aps[0]->name, src, p->loc.line, p->loc.col, bp->ninsns,
			    no_log ? "" : "; the verifier's log ends:");
		if (!no_log)
			print_log_tail(log, u->opts->dump);
		return;
	}
	/* no log: the verifier never ran */
	if (no_log && sys_explain(&why, SYS_PROG_LOAD, err)) {
		error_plain("the kernel refused to load the program of %s (%s:%d:%d): bpf(BPF_PROG_LOAD): %s; %s",
			    bp->aps[0]->name, src, p->loc.line, p->loc.col, strerror(-err), why.s);
		free(why.s);
		return;
	}
	/* ENOSPC: the log filled its buffer; what the verifier said is at its end */
	error_plain("the kernel's verifier refused the program of %s (%s:%d:%d): %s%s",
		    bp->aps[0]->name, src, p->loc.line, p->loc.col,
		    -err == ENOSPC && !no_log ? "its log is too long to keep" : strerror(-err),
		    no_log ? "; it gave no log: the kernel lacks this program type (CONFIG_BPF_EVENTS=y) or is too old for it"
			   : "; its log ends:");
	if (!no_log)
		print_log_tail(log, u->opts->dump);
}

static int load_programs(struct unit *u)
{
	char *log = NULL;

	for (int i = 0; i < u->nprogs; i++) {
		struct bpf_program *bp = u->progs[i];
		struct bpf_insn *insns = relocate(u, bp);
		struct prog_target target = { bp->prog_type, bp->expected_attach_type,
					      bp->attach_btf_id };
		int fd = bpf_prog_load_for(&target, bp->name, insns, bp->ninsns, NULL, 0, 0);

		if (fd < 0) {
			/* Again with the log, which is costly, to say why. */
			if (!log)
				log = xmalloc(LOG_SIZE);
			fd = bpf_prog_load_for(&target, bp->name, insns, bp->ninsns, log,
					       LOG_SIZE, 1);
			if (fd < 0) {
				explain_load_error(u, bp, fd, log);
				free(insns);
				free(log);
				return 2;
			}
		}
		free(insns);
		bp->fd = fd;
	}
	free(log);
	return 0;
}

int load_unit(struct unit *u)
{
	int ret;

	/* AWL_FAULT counts from here: the feature probes are done */
	sys_fault_arm();
	sys_raise_limits();
	ret = create_maps(u);
	if (!ret)
		ret = load_programs(u);
	return ret;
}

/* Before Linux 5.10 a raw tracepoint program cannot be test-run: BEGIN
 * and END then run as uprobes on this function, which awl calls. noinline
 * and the asm keep it a real function at an address of its own. */
__attribute__((noinline, used)) void awl_special_trigger(void);
__attribute__((noinline, used)) void awl_special_trigger(void)
{
	__asm__ volatile("" ::: "memory");
}

struct code_offset {
	uint64_t addr;
	uint64_t file_offset;
	bool found;
};

static int find_mapping(void *arg, uint64_t start, uint64_t end, uint64_t offset,
			const char *perms, const char *path)
{
	struct code_offset *c = arg;

	if (c->addr < start || c->addr >= end)
		return 0;
	c->file_offset = c->addr - start + offset;
	c->found = true;
	return 1;
}

/* Where the trigger's code is in awl's own file: what a uprobe wants. */
static int trigger_offset(uint64_t *offset)
{
	struct code_offset c = { (uint64_t)(uintptr_t)awl_special_trigger, 0, false };
	size_t len;
	char *maps = read_file("/proc/self/maps", &len);

	if (!maps)
		return -errno;
	proc_maps_parse(maps, len, find_mapping, &c);
	free(maps);
	*offset = c.file_offset;
	return c.found ? 0 : -ENOENT;
}

static int run_via_uprobe(struct unit *u, struct attach_point *ap)
{
	struct dynprobe dp = { DYN_UPROBE, false, "/proc/self/exe", 0, (int)getpid(), 0 };
	int err = trigger_offset(&dp.offset);

	dynprobe_remove_stale(DYN_UPROBE);
	if (!err)
		err = dynprobe_attach(u, ap, &dp);
	if (!err)
		awl_special_trigger();
	for (int j = 0; j < ap->nlinks; j++)
		close(ap->links[j]);
	for (int j = 0; j < ap->nfds; j++)
		close(ap->fds[j]);
	ap->nlinks = ap->nfds = 0;
	dynprobe_remove_all(u);
	return err;
}

int run_loader_probes(struct unit *u, const struct provider *which)
{
	for (int i = 0; i < u->naps; i++) {
		struct attach_point *ap = u->aps[i];
		uint64_t ctx[8] = { 0 };
		int err;

		if (ap->provider != which)
			continue;
		if (u->special_via_uprobe)
			err = run_via_uprobe(u, ap);
		else
			err = bpf_prog_test_run(ap->prog->fd, ctx, sizeof(ctx), NULL);
		if (err && err != -EALREADY) {
			struct strbuf why = { 0 };

			if (u->special_via_uprobe)
				sb_puts(&why, "before Linux 5.10, BEGIN and END run as uprobes on awl itself: the kernel needs CONFIG_UPROBES=y");
			else
				sys_explain(&why, SYS_PROG_TEST_RUN, err);
			error_plain("cannot run the %s probe: %s%s%s%s", which->name,
				    u->special_via_uprobe ? "" : "bpf(BPF_PROG_TEST_RUN): ", strerror(-err),
				    why.s ? "; " : "", why.s ? why.s : "");
			free(why.s);
		}
		if (err)
			return 2;
	}
	return 0;
}
