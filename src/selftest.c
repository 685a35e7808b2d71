/* awl -T: one line per kernel feature, what it enables, and the fix
 * when it is missing. Required features fail the test; optional ones
 * only say what will not work. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "awl/compat.h"
#include "awl/insn.h"
#include "awl/load.h"
#include "awl/selftest.h"
#include "awl/sys.h"
#include "awl/tracefs.h"

struct check {
	const char *what;
	bool required;
	bool (*test)(void);
	const char *fix;
};

static bool is_root(void)
{
	return geteuid() == 0;
}

static bool has_bpf_syscall(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "awl_test", 4, 8, 1, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool has_percpu_maps(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "awl_test", 8, 8, 1, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool has_tracefs(void)
{
	static const char *dir;
	static bool tried;

	if (!tried) {
		/* quiet: the result line says what is missing */
		int saved = dup(2), null = open("/dev/null", O_WRONLY);

		if (saved >= 0 && null >= 0)
			dup2(null, 2);
		dir = tracefs_dir();
		if (saved >= 0) {
			dup2(saved, 2);
			close(saved);
		}
		if (null >= 0)
			close(null);
		tried = true;
	}
	return dir != NULL;
}

static bool has_event_dir(const char *sub)
{
	char path[512];
	struct stat st;

	if (!has_tracefs())
		return false;
	snprintf(path, sizeof(path), "%s/events/%s", tracefs_dir(), sub);
	return stat(path, &st) == 0;
}

static bool has_syscall_tracepoints(void)
{
	return has_event_dir("syscalls/sys_enter_getppid");
}

/* A tracepoint program attached through perf: CONFIG_BPF_EVENTS. */
static bool has_bpf_events(void)
{
	struct bpf_insn insns[] = { MOV64_IMM(R0, 0), EXIT_INSN() };
	struct perf_event_attr attr;
	char path[512];
	char *idtext;
	int prog, ev;
	bool ok = false;

	if (!has_tracefs())
		return false;
	snprintf(path, sizeof(path), "%s/events/sched/sched_process_exit/id", tracefs_dir());
	idtext = read_file(path, NULL);
	if (!idtext)
		return false;
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = strtoull(idtext, NULL, 10);
	attr.sample_period = 1;
	free(idtext);
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "awl_test", insns, 2, NULL, 0, 0);
	ev = sys_perf_event_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (prog >= 0 && ev >= 0)
		ok = ioctl(ev, PERF_EVENT_IOC_SET_BPF, prog) == 0;
	if (prog >= 0)
		close(prog);
	if (ev >= 0)
		close(ev);
	return ok;
}

static bool has_perf_events(void)
{
	struct perf_event_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.size = sizeof(attr);
	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	attr.sample_period = 1000000;
	fd = sys_perf_event_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool has_pmu(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/type", name);
	return stat(path, &st) == 0;
}

static bool has_kprobes(void)
{
	return has_pmu("kprobe") || has_event_dir("../kprobe_events");
}

static bool has_uprobes(void)
{
	return has_pmu("uprobe") || has_event_dir("../uprobe_events");
}

static bool has_btf(void)
{
	struct stat st;

	return stat("/sys/kernel/btf/vmlinux", &st) == 0;
}

static bool has_jit(void)
{
	char *v = read_file("/proc/sys/net/core/bpf_jit_enable", NULL);
	bool on = v && atoi(v) > 0;

	free(v);
	return on;
}

static bool has_user_str(void)
{
	return kernel_has_helper(BPF_PROG_TYPE_TRACEPOINT, HELPER_probe_read_user_str);
}

static const struct check checks[] = {
	{ "running as root", true, is_root, "run awl as root (or with CAP_BPF and CAP_PERFMON)" },
	{ "bpf() system call", true, has_bpf_syscall, "CONFIG_BPF_SYSCALL=y" },
	{ "per-CPU maps (aggregations)", true, has_percpu_maps, "Linux 4.6 or newer" },
	{ "perf events", true, has_perf_events, "CONFIG_PERF_EVENTS=y (and kernel.perf_event_paranoid)" },
	{ "tracefs", true, has_tracefs, "CONFIG_FTRACE=y and CONFIG_TRACING; mount -t tracefs nodev /sys/kernel/tracing" },
	{ "BPF on tracepoints", true, has_bpf_events, "CONFIG_BPF_EVENTS=y" },
	{ "syscall tracepoints", false, has_syscall_tracepoints, "CONFIG_FTRACE_SYSCALLS=y" },
	{ "BEGIN/END (test run of raw tracepoint programs)", false, kernel_has_test_run, "Linux 5.10 or newer" },
	{ "BPF ring buffer", false, kernel_has_ringbuf, "Linux 5.8 or newer; perf buffers are used instead" },
	{ "user and kernel string reads", false, has_user_str, "Linux 5.5 or newer; bpf_probe_read_str is used instead" },
	{ "kprobes", false, has_kprobes, "CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y" },
	{ "uprobes", false, has_uprobes, "CONFIG_UPROBES=y and CONFIG_UPROBE_EVENTS=y" },
	{ "BTF (fentry/fexit)", false, has_btf, "CONFIG_DEBUG_INFO_BTF=y" },
	{ "BPF JIT", false, has_jit, "CONFIG_BPF_JIT=y and sysctl net.core.bpf_jit_enable=1 (else the slower interpreter runs)" },
};

int selftest(FILE *out)
{
	int failed = 0;

	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		bool ok = checks[i].test();

		fprintf(out, "%-4s %s%s%s\n", ok ? "ok" : checks[i].required ? "FAIL" : "no",
			checks[i].what, ok ? "" : ": needs ", ok ? "" : checks[i].fix);
		if (!ok && checks[i].required)
			failed++;
	}
	if (failed)
		fprintf(out, "awl cannot trace here: %d required feature%s missing\n", failed,
			failed == 1 ? " is" : "s are");
	return failed ? 2 : 0;
}
