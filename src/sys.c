/* The syscall layer: thin wrappers over bpf() and perf_event_open(). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "awl/compat.h"
#include "awl/diag.h"
#include "awl/sys.h"

#define KV(a, b, c) (((uint32_t)(a) << 16) + ((uint32_t)(b) << 8) + (uint32_t)(c))

/* ---- AWL_FAULT: failures injected, for the tests only (see sys.h) ----
 * Compiled in always: it costs a getenv() when loading starts and a
 * test per call. The counts go per kind of call, and a failure sticks
 * (the Nth call on), as a kernel's would: awl's own retries (a map
 * without its name, a program again for the verifier's log) fail too. */

static const char *const call_names[SYS_NCALLS] = {
	[SYS_MAP_CREATE] = "bpf-map-create", [SYS_PROG_LOAD] = "bpf-prog-load",
	[SYS_LINK_CREATE] = "bpf-link-create", [SYS_RAW_TP_OPEN] = "bpf-raw-tp-open",
	[SYS_PROG_TEST_RUN] = "bpf-prog-test-run", [SYS_PERF_EVENT_OPEN] = "perf-event-open",
	[SYS_IOCTL_ATTACH] = "ioctl-attach", [SYS_IOCTL_ENABLE] = "ioctl-enable",
	[SYS_TRACEFS_WRITE] = "tracefs-write", [SYS_SETRLIMIT] = "setrlimit",
};

static const struct {
	const char *name;
	int err;
} errno_names[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "ESRCH", ESRCH }, { "EINTR", EINTR },
	{ "EIO", EIO }, { "ENXIO", ENXIO }, { "E2BIG", E2BIG }, { "EBADF", EBADF },
	{ "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM }, { "EACCES", EACCES }, { "EFAULT", EFAULT },
	{ "EBUSY", EBUSY }, { "EEXIST", EEXIST }, { "ENODEV", ENODEV }, { "EINVAL", EINVAL },
	{ "ENFILE", ENFILE }, { "EMFILE", EMFILE }, { "ENOSPC", ENOSPC }, { "ERANGE", ERANGE },
	{ "ENOSYS", ENOSYS }, { "EOPNOTSUPP", EOPNOTSUPP }, { "ENOTSUPP", 524 },
	{ "EALREADY", EALREADY },
};

#define MAX_FAULTS 8

static struct fault {
	enum sys_call call;
	int err;
	unsigned long from;	/* the first call (1-based) that fails */
} faults[MAX_FAULTS];
static int nfaults;
static bool armed;
static unsigned long ncalls[SYS_NCALLS];

static int parse_errno(const char *s)
{
	char *end;
	long n;

	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (!strcmp(s, errno_names[i].name))
			return errno_names[i].err;
	n = strtol(s, &end, 10);
	return *s && !*end && n > 0 && n < 4096 ? (int)n : 0;
}

/* One CALL:ERRNO[:N]; false if it is not one. */
static bool parse_fault(char *spec, struct fault *f)
{
	char *call = spec, *err = strchr(spec, ':'), *nth = NULL, *end;

	if (!err)
		return false;
	*err++ = '\0';
	nth = strchr(err, ':');
	if (nth)
		*nth++ = '\0';
	f->err = parse_errno(err);
	f->from = 1;
	if (nth) {
		f->from = strtoul(nth, &end, 10);
		if (!*nth || *end || f->from == 0)
			return false;
	}
	for (int c = 0; c < SYS_NCALLS; c++) {
		if (!strcmp(call, call_names[c])) {
			f->call = (enum sys_call)c;
			return f->err != 0;
		}
	}
	return false;
}

void sys_fault_arm(void)
{
	const char *env = getenv("AWL_FAULT");
	char *copy, *spec, *save = NULL;

	if (armed)
		return;
	armed = true;
	if (!env || !*env)
		return;
	copy = xstrdup(env);
	for (spec = strtok_r(copy, ",", &save); spec; spec = strtok_r(NULL, ",", &save)) {
		struct fault f;
		char *text = xstrdup(spec);

		if (nfaults < MAX_FAULTS && parse_fault(spec, &f))
			faults[nfaults++] = f;
		else
			warn_plain("ignoring AWL_FAULT entry '%s': expected CALL:ERRNO[:N] (at most %d)",
				   text, MAX_FAULTS);
		free(text);
	}
	free(copy);
}

int sys_fault(enum sys_call call)
{
	if (!armed || !nfaults)
		return 0;
	ncalls[call]++;
	for (int i = 0; i < nfaults; i++)
		if (faults[i].call == call && ncalls[call] >= faults[i].from)
			return -faults[i].err;
	return 0;
}

static int bpf_call_kind(int cmd)
{
	switch (cmd) {
	case BPF_MAP_CREATE: return SYS_MAP_CREATE;
	case BPF_PROG_LOAD: return SYS_PROG_LOAD;
	case BPF_LINK_CREATE: return SYS_LINK_CREATE;
	case BPF_RAW_TRACEPOINT_OPEN: return SYS_RAW_TP_OPEN;
	case BPF_PROG_TEST_RUN: return SYS_PROG_TEST_RUN;
	default: return -1;
	}
}

/* ---- the calls ---- */

int sys_bpf(int cmd, union bpf_attr *attr)
{
	long ret;
	int kind = bpf_call_kind(cmd);

	if (kind >= 0 && (ret = sys_fault((enum sys_call)kind)))
		return (int)ret;
	do
		ret = syscall(__NR_bpf, cmd, attr, sizeof(*attr));
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : (int)ret;
}

int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
			unsigned long flags)
{
	int err = sys_fault(SYS_PERF_EVENT_OPEN);
	long ret;

	if (err)
		return err;
	ret = syscall(__NR_perf_event_open, attr, pid, cpu, group_fd, flags);
	return ret < 0 ? -errno : (int)ret;
}

int perf_event_set_bpf(int perf_fd, int prog_fd)
{
	int err = sys_fault(SYS_IOCTL_ATTACH);

	if (err)
		return err;
	return ioctl(perf_fd, PERF_EVENT_IOC_SET_BPF, prog_fd) < 0 ? -errno : 0;
}

int perf_event_enable(int perf_fd)
{
	int err = sys_fault(SYS_IOCTL_ENABLE);

	if (err)
		return err;
	return ioctl(perf_fd, PERF_EVENT_IOC_ENABLE, 0) < 0 ? -errno : 0;
}

static uint64_t ptr_to_u64(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

int bpf_map_create(uint32_t type, const char *name, uint32_t key_size, uint32_t value_size,
		   uint32_t max_entries, uint32_t flags)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = flags;
	if (name)
		strncpy(attr.map_name, name, sizeof(attr.map_name) - 1);
	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd == -EINVAL && name) {
		/* Names came in 4.15; older kernels refuse the field. */
		memset(attr.map_name, 0, sizeof(attr.map_name));
		fd = sys_bpf(BPF_MAP_CREATE, &attr);
	}
	return fd;
}

int bpf_prog_load_for(const struct prog_target *target, const char *name,
		      const struct bpf_insn *insns, int ninsns, char *log, size_t log_size,
		      uint32_t log_level)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = target->prog_type;
	attr.expected_attach_type = target->expected_attach_type;
	attr.attach_btf_id = target->attach_btf_id;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = (uint32_t)ninsns;
	attr.license = ptr_to_u64("GPL");
	/* Kernels before 5.0 refuse kprobe programs built for another
	 * version: always the running kernel's, never the headers'. */
	attr.kern_version = kernel_version();
	if (name)
		strncpy(attr.prog_name, name, sizeof(attr.prog_name) - 1);
	if (log && log_size) {
		log[0] = '\0';
		attr.log_buf = ptr_to_u64(log);
		attr.log_size = (uint32_t)log_size;
		attr.log_level = log_level;
	}
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd == -EINVAL && name && log && !log[0]) {
		memset(attr.prog_name, 0, sizeof(attr.prog_name));
		fd = sys_bpf(BPF_PROG_LOAD, &attr);
	}
	return fd;
}

int bpf_prog_load(uint32_t type, const char *name, const struct bpf_insn *insns, int ninsns,
		  char *log, size_t log_size, uint32_t log_level)
{
	struct prog_target target = { .prog_type = type };

	return bpf_prog_load_for(&target, name, insns, ninsns, log, log_size, log_level);
}

int bpf_raw_tracepoint_open(const char *name, int prog_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.raw_tracepoint.name = ptr_to_u64(name);
	attr.raw_tracepoint.prog_fd = (uint32_t)prog_fd;
	return sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &attr);
}

/* The element commands share one layout: value and next_key are one
 * field of the attr union. */
static int map_elem_op(int cmd, int fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = ptr_to_u64(key);
	attr.value = ptr_to_u64(value);
	attr.flags = flags;
	return sys_bpf(cmd, &attr);
}

int bpf_map_lookup(int fd, const void *key, void *value)
{
	return map_elem_op(BPF_MAP_LOOKUP_ELEM, fd, key, value, 0);
}

int bpf_map_update(int fd, const void *key, const void *value, uint64_t flags)
{
	return map_elem_op(BPF_MAP_UPDATE_ELEM, fd, key, value, flags);
}

int bpf_map_delete(int fd, const void *key)
{
	return map_elem_op(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

int bpf_map_next_key(int fd, const void *key, void *next_key)
{
	return map_elem_op(BPF_MAP_GET_NEXT_KEY, fd, key, next_key, 0);
}

int bpf_link_perf_event(int prog_fd, int perf_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = (uint32_t)prog_fd;
	attr.link_create.target_fd = (uint32_t)perf_fd;
	attr.link_create.attach_type = AWL_BPF_PERF_EVENT;
	return sys_bpf(BPF_LINK_CREATE, &attr);
}

/* The uprobe_multi member of link_create is newer than the oldest
 * headers awl builds with, so it is written by offset: after prog_fd,
 * target_fd, attach_type and flags come path, offsets, ref_ctr_offsets,
 * cookies (u64 each), then cnt, flags and pid (u32 each). */
int bpf_link_uprobe_multi(int prog_fd, const char *path, const uint64_t *offsets,
			  const uint64_t *cookies, uint32_t n, bool retprobe, int pid)
{
	union bpf_attr attr;
	unsigned char *raw = (unsigned char *)&attr;
	uint64_t u64;
	uint32_t u32;

	_Static_assert(sizeof(attr) >= 60, "bpf_attr has room for uprobe_multi");

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = (uint32_t)prog_fd;
	attr.link_create.attach_type = AWL_BPF_TRACE_UPROBE_MULTI;
	u64 = ptr_to_u64(path);
	memcpy(raw + 16, &u64, 8);
	u64 = ptr_to_u64(offsets);
	memcpy(raw + 24, &u64, 8);
	u64 = ptr_to_u64(cookies);
	memcpy(raw + 40, &u64, 8);
	memcpy(raw + 48, &n, 4);
	u32 = retprobe ? AWL_BPF_F_UPROBE_MULTI_RETURN : 0;
	memcpy(raw + 52, &u32, 4);
	u32 = (uint32_t)(pid > 0 ? pid : 0);
	memcpy(raw + 56, &u32, 4);
	return sys_bpf(BPF_LINK_CREATE, &attr);
}

int bpf_prog_test_run(int prog_fd, void *ctx, uint32_t ctx_size, uint32_t *retval)
{
	union bpf_attr attr;
	int ret;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)prog_fd;
	attr.test.ctx_in = ptr_to_u64(ctx);
	attr.test.ctx_size_in = ctx_size;
	ret = sys_bpf(BPF_PROG_TEST_RUN, &attr);
	if (ret == 0 && retval)
		*retval = attr.test.retval;
	return ret;
}

/* Parses a CPU list such as "0-3,5" from sysfs. */
static int parse_cpu_list(const char *path, int *cpus, int max)
{
	char buf[4096];
	FILE *f = fopen(path, "re");
	int n = 0;

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	for (char *p = buf; *p && *p != '\n';) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p)
			break;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		for (long c = lo; c <= hi; c++) {
			if (cpus && n < max)
				cpus[n] = (int)c;
			n++;
		}
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

int cpus_possible(void)
{
	static int n;
	int cpus[1];

	if (n > 0)
		return n;
	/* The count of the list, not its highest entry plus one: possible
	 * CPUs are numbered 0..n-1 without holes. */
	n = parse_cpu_list("/sys/devices/system/cpu/possible", cpus, 0);
	if (n <= 0)
		n = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (n <= 0)
		n = 1;
	return n;
}

int cpus_online(int *cpus, int max)
{
	int n = parse_cpu_list("/sys/devices/system/cpu/online", cpus, max);

	if (n <= 0) {
		n = (int)sysconf(_SC_NPROCESSORS_ONLN);
		for (int i = 0; i < n && i < max; i++)
			cpus[i] = i;
	}
	return MIN(n, max);
}

uint32_t kernel_version(void)
{
	static uint32_t version;
	struct utsname u;
	unsigned long a = 0, b = 0, c = 0;
	char *p;

	if (version)
		return version;
	/* strtoul, not sscanf: scanf would pull float parsing into a static
	 * binary for nothing */
	if (uname(&u) == 0) {
		a = strtoul(u.release, &p, 10);
		if (*p == '.')
			b = strtoul(p + 1, &p, 10);
		if (*p == '.')
			c = strtoul(p + 1, &p, 10);
	}
	/* KERNEL_VERSION() clamps the sublevel at 255 since 4.9.256. */
	version = (uint32_t)((a << 16) + (b << 8) + MIN(c, 255ul));
	return version;
}

uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- limits ---- */

static int memlock_err;		/* why RLIMIT_MEMLOCK could not be made unlimited */
static int nofile_err;		/* why the soft RLIMIT_NOFILE could not be raised */
static rlim_t nofile_was;	/* the soft limit before it was raised */
static bool nofile_raised;

void sys_raise_limits(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY }, now;
	int err = sys_fault(SYS_SETRLIMIT);

	if (!err && setrlimit(RLIMIT_MEMLOCK, &rl))
		err = -errno;
	/* without CAP_SYS_RESOURCE: as far as the hard limit */
	if (err && !sys_fault(SYS_SETRLIMIT) && getrlimit(RLIMIT_MEMLOCK, &now) == 0 &&
	    now.rlim_cur < now.rlim_max) {
		now.rlim_cur = now.rlim_max;
		setrlimit(RLIMIT_MEMLOCK, &now);
	}
	memlock_err = err;
	if (getrlimit(RLIMIT_NOFILE, &now) || now.rlim_cur >= now.rlim_max)
		return;
	nofile_was = now.rlim_cur;
	now.rlim_cur = now.rlim_max;
	err = sys_fault(SYS_SETRLIMIT);
	if (!err && setrlimit(RLIMIT_NOFILE, &now))
		err = -errno;
	nofile_err = err;
	nofile_raised = !err;
}

static void limit_text(struct strbuf *sb, rlim_t v)
{
	if (v == RLIM_INFINITY)
		sb_puts(sb, "unlimited");
	else
		sb_printf(sb, "%llu", (unsigned long long)v);
}

/* Before Linux 5.11 maps and programs count against RLIMIT_MEMLOCK. */
static bool memlock_counts(void)
{
	return kernel_version() < KV(5, 11, 0);
}

static void explain_memlock(struct strbuf *sb)
{
	struct rlimit rl = { 0, 0 };

	getrlimit(RLIMIT_MEMLOCK, &rl);
	sb_puts(sb, "before Linux 5.11, BPF maps and programs count against the locked-memory limit (RLIMIT_MEMLOCK, ");
	limit_text(sb, rl.rlim_cur == RLIM_INFINITY ? rl.rlim_cur : rl.rlim_cur / 1024);
	sb_puts(sb, rl.rlim_cur == RLIM_INFINITY ? "" : " KiB");
	if (memlock_err)
		sb_printf(sb, "; awl could not make it unlimited: %s", strerror(-memlock_err));
	sb_puts(sb, "): raise it (ulimit -l unlimited as root, LimitMEMLOCK=infinity for a service), or make the maps smaller (AWL_MAP_SIZE)");
}

static void explain_fd_limit(struct strbuf *sb)
{
	struct rlimit rl = { 0, 0 };

	getrlimit(RLIMIT_NOFILE, &rl);
	sb_puts(sb, "awl has as many files open as it may (ulimit -n: ");
	limit_text(sb, rl.rlim_cur);
	if (nofile_raised)
		sb_printf(sb, ", raised from %llu to the hard limit", (unsigned long long)nofile_was);
	else if (nofile_err)
		sb_printf(sb, "; awl could not raise it to the hard limit, %llu: %s",
			  (unsigned long long)rl.rlim_max, strerror(-nofile_err));
	else if (rl.rlim_cur == rl.rlim_max)
		sb_puts(sb, ", the hard limit");
	sb_puts(sb, "): raise the hard limit (ulimit -Hn as root, LimitNOFILE= for a service), or trace fewer probes (each takes a file descriptor or two, per CPU for profile and software probes)");
}

/* ---- privileges ---- */

static bool read_caps(uint64_t *eff)
{
	static int known = -1;
	static uint64_t caps;

	if (known < 0) {
		char *status = read_file("/proc/self/status", NULL);
		const char *p = status ? strstr(status, "\nCapEff:") : NULL;

		known = p != NULL;
		if (p)
			caps = strtoull(p + 8, NULL, 16);
		free(status);
	}
	*eff = caps;
	return known;
}

bool sys_has_cap(int cap)
{
	uint64_t eff;

	if (!read_caps(&eff))
		return geteuid() == 0;
	return eff >> cap & 1;
}

const char *sys_missing_tracing_caps(void)
{
	bool bpf, perfmon;

	if (sys_has_cap(AWL_CAP_SYS_ADMIN))
		return NULL;
	/* CAP_BPF and CAP_PERFMON came in Linux 5.8 */
	if (kernel_version() < KV(5, 8, 0))
		return "CAP_SYS_ADMIN";
	bpf = sys_has_cap(AWL_CAP_BPF);
	perfmon = sys_has_cap(AWL_CAP_PERFMON);
	return !bpf && !perfmon ? "CAP_BPF and CAP_PERFMON" : !bpf ? "CAP_BPF" :
	       !perfmon ? "CAP_PERFMON" : NULL;
}

int sys_sysctl(const char *name, int dflt)
{
	char path[128], *text, *end;
	long v;

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	text = read_file(path, NULL);
	if (!text)
		return dflt;
	v = strtol(text, &end, 10);
	if (end == text)
		v = dflt;
	free(text);
	return (int)v;
}

/* securityfs is often not mounted: a child mounts it in a mount
 * namespace of its own, which leaves the system's mounts alone, and
 * sends the lockdown file back. */
static char *read_lockdown_privately(void)
{
	char buf[256];
	ssize_t n = 0, r;
	int pipefd[2];
	pid_t pid;

	if (!sys_has_cap(AWL_CAP_SYS_ADMIN) || pipe2(pipefd, O_CLOEXEC))
		return NULL;
	pid = fork();
	if (pid == 0) {
		char *text;

		close(pipefd[0]);
		if (unshare(CLONE_NEWNS) == 0 &&
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
		    mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL) == 0 &&
		    (text = read_file("/sys/kernel/security/lockdown", NULL)) &&
		    write(pipefd[1], text, strlen(text)) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	while (pid > 0 && n < (ssize_t)sizeof(buf) - 1 &&
	       ((r = read(pipefd[0], buf + n, sizeof(buf) - 1 - (size_t)n)) > 0 ||
		(r < 0 && errno == EINTR)))
		n += r > 0 ? r : 0;
	close(pipefd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	buf[n] = '\0';
	return n > 0 ? xstrdup(buf) : NULL;
}

const char *sys_lockdown(void)
{
	static char mode[32];
	static bool tried;

	if (!tried) {
		/* "none [integrity] confidentiality": the current one in brackets */
		char *text = read_file("/sys/kernel/security/lockdown", NULL);
		const char *open;

		if (!text)
			text = read_lockdown_privately();
		open = text ? strchr(text, '[') : NULL;

		tried = true;
		if (open)
			snprintf(mode, sizeof(mode), "%.*s", (int)strcspn(open + 1, "]"), open + 1);
		free(text);
	}
	return mode[0] ? mode : NULL;
}

static bool is_bpf_call(enum sys_call call)
{
	return call <= SYS_PROG_TEST_RUN;
}

static bool is_perf_call(enum sys_call call)
{
	return call == SYS_PERF_EVENT_OPEN || call == SYS_IOCTL_ATTACH || call == SYS_IOCTL_ENABLE;
}

static void explain_permission(struct strbuf *sb, enum sys_call call)
{
	const char *missing = sys_missing_tracing_caps(), *lockdown = sys_lockdown();

	if (call == SYS_TRACEFS_WRITE && geteuid() != 0 && !sys_has_cap(AWL_CAP_DAC_OVERRIDE)) {
		sb_puts(sb, "only root may write tracefs's kprobe_events and uprobe_events: run awl as root");
		return;
	}
	if (missing) {
		sb_printf(sb, "this process (uid %d) lacks %s: run awl as root, or give it %s",
			  (int)geteuid(), missing, missing);
		if (is_bpf_call(call) && !sys_has_cap(AWL_CAP_BPF) && sys_sysctl("unprivileged_bpf_disabled", 0))
			sb_printf(sb, " (kernel.unprivileged_bpf_disabled is %d: no BPF at all without it)",
				  sys_sysctl("unprivileged_bpf_disabled", 0));
		if (is_perf_call(call) && !sys_has_cap(AWL_CAP_PERFMON))
			sb_printf(sb, " (kernel.perf_event_paranoid is %d: perf events of the whole system need CAP_PERFMON, or kernel.perf_event_paranoid=-1)",
				  sys_sysctl("perf_event_paranoid", 2));
		return;
	}
	/* integrity mode forbids none of the calls tracing makes */
	if (lockdown && !strcmp(lockdown, "confidentiality")) {
		sb_puts(sb, "the kernel is locked down (lockdown=confidentiality), which forbids reading kernel memory, kprobes, perf events of the kernel and tracefs: boot it with lockdown=none or lockdown=integrity (Secure Boot may turn lockdown on)");
		return;
	}
	if (is_bpf_call(call) && call != SYS_PROG_TEST_RUN && memlock_counts()) {
		explain_memlock(sb);
		sb_puts(sb, "; or ");
	}
	if (lockdown)
		sb_printf(sb, "a security policy refused it (not kernel lockdown, which is %s here): ",
			  lockdown);
	else
		sb_puts(sb, "a security policy refused it: kernel lockdown (see /sys/kernel/security/lockdown), ");
	sb_puts(sb, "a security module (SELinux, AppArmor, the BPF LSM) or a seccomp filter; see the kernel's log (dmesg) or the audit log");
}

bool sys_explain(struct strbuf *sb, enum sys_call call, int err)
{
	switch (-err) {
	case EPERM:
	case EACCES:
		explain_permission(sb, call);
		return true;
	case ENOMEM:
		if (is_bpf_call(call) && memlock_counts())
			explain_memlock(sb);
		else
			sb_puts(sb, "the kernel is short of memory for it (the system's, or that of awl's memory cgroup): free some, or trace less");
		return true;
	case EMFILE:
		explain_fd_limit(sb);
		return true;
	case ENFILE:
		sb_puts(sb, "the system's table of open files is full: close files elsewhere, or raise fs.file-max (sysctl)");
		return true;
	case ENOSYS:
		sb_puts(sb, is_perf_call(call) ? "this kernel has no perf_event_open() system call: it needs CONFIG_PERF_EVENTS=y"
					       : "this kernel has no bpf() system call: it needs CONFIG_BPF_SYSCALL=y");
		return true;
	default:
		return false;
	}
}
