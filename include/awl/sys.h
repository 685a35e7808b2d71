/* The syscall layer: every bpf() and perf_event_open() awl makes goes
 * through here, so failures can be explained (and injected in tests) in
 * one place. Functions return an fd or 0 on success, -errno on failure. */
#ifndef AWL_SYS_H
#define AWL_SYS_H

#include <sys/types.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "awl/util.h"

int sys_bpf(int cmd, union bpf_attr *attr);
int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
			unsigned long flags);

int bpf_map_create(uint32_t type, const char *name, uint32_t key_size, uint32_t value_size,
		   uint32_t max_entries, uint32_t flags);
/* What a program is loaded for: its type, and for BTF-based programs
 * (fentry/fexit) the attach type and the function's BTF id. */
struct prog_target {
	uint32_t prog_type;
	uint32_t expected_attach_type;
	uint32_t attach_btf_id;
};

int bpf_prog_load_for(const struct prog_target *target, const char *name,
		      const struct bpf_insn *insns, int ninsns, char *log, size_t log_size,
		      uint32_t log_level);
/* Attaches a BTF-based program (name NULL) or a raw tracepoint one. */
int bpf_raw_tracepoint_open(const char *name, int prog_fd);
/* log may be NULL; on failure it holds the verifier's log. */
int bpf_prog_load(uint32_t type, const char *name, const struct bpf_insn *insns, int ninsns,
		  char *log, size_t log_size, uint32_t log_level);
int bpf_map_lookup(int fd, const void *key, void *value);
int bpf_map_update(int fd, const void *key, const void *value, uint64_t flags);
int bpf_map_delete(int fd, const void *key);
/* key NULL: the first key. -ENOENT at the end. */
int bpf_map_next_key(int fd, const void *key, void *next_key);
/* Attaches a program to a perf event with a BPF link (5.15+), which
 * detaches at once when closed; -EINVAL on older kernels. */
int bpf_link_perf_event(int prog_fd, int perf_fd);
/* Attaches a program (loaded for AWL_BPF_TRACE_UPROBE_MULTI) to n
 * offsets of one file at once (Linux 6.6): one registration pass
 * instead of n. cookies[i] is what bpf_get_attach_cookie() returns at
 * offsets[i]; pid 0: every process. */
int bpf_link_uprobe_multi(int prog_fd, const char *path, const uint64_t *offsets,
			  const uint64_t *cookies, uint32_t n, bool retprobe, int pid);
/* Runs a program once (BEGIN/END); *retval gets its return value. */
int bpf_prog_test_run(int prog_fd, void *ctx, uint32_t ctx_size, uint32_t *retval);
/* The perf event ioctls that attach a program (before BPF links) and
 * start the event. */
int perf_event_set_bpf(int perf_fd, int prog_fd);
int perf_event_enable(int perf_fd);

/* The kinds of call that fail for reasons outside the script. */
enum sys_call {
	SYS_MAP_CREATE, SYS_PROG_LOAD, SYS_LINK_CREATE, SYS_RAW_TP_OPEN, SYS_PROG_TEST_RUN,
	SYS_PERF_EVENT_OPEN, SYS_IOCTL_ATTACH, SYS_IOCTL_ENABLE,
	SYS_TRACEFS_WRITE,	/* an entry added to kprobe_events/uprobe_events */
	SYS_SETRLIMIT,
	SYS_NCALLS
};

/* Test only: AWL_FAULT=CALL:ERRNO[:N][,CALL:ERRNO[:N]...] fails the
 * Nth call of kind CALL (bpf-map-create, bpf-prog-load, bpf-link-create,
 * bpf-raw-tp-open, bpf-prog-test-run, perf-event-open, ioctl-attach,
 * ioctl-enable, tracefs-write, setrlimit), and every later one, with
 * ERRNO (a name such as EPERM, or a number); N defaults to 1. Calls are
 * counted from sys_fault_arm() on, so the feature probes made before
 * loading are never failed. Returns 0, or the -errno to fail with. */
int sys_fault(enum sys_call call);
void sys_fault_arm(void);

/* Raises RLIMIT_MEMLOCK (which BPF memory counts against before Linux
 * 5.11) as far as allowed, and RLIMIT_NOFILE's soft limit to the hard
 * limit (each probe costs a file descriptor or two, per CPU for some). */
void sys_raise_limits(void);

/* Capabilities by their number (linux/capability.h). */
#define AWL_CAP_DAC_OVERRIDE 1
#define AWL_CAP_SYS_ADMIN 21
#define AWL_CAP_PERFMON 38
#define AWL_CAP_BPF 39
/* Whether the process has cap in its effective set (CapEff in
 * /proc/self/status; without /proc, root is taken to have them all). */
bool sys_has_cap(int cap);
/* The capabilities tracing needs that the process lacks, as "CAP_BPF
 * and CAP_PERFMON" (CAP_SYS_ADMIN before Linux 5.8), or NULL if none. */
const char *sys_missing_tracing_caps(void);
/* A kernel.* sysctl's value (e.g. "perf_event_paranoid"), or dflt. */
int sys_sysctl(const char *name, int dflt);
/* The kernel's lockdown mode ("none", "integrity", "confidentiality"),
 * or NULL where /sys/kernel/security/lockdown cannot be read. */
const char *sys_lockdown(void);

/* For the errors any call of its kind can return (permission, memory,
 * file limits, a missing system call): appends to sb the likely cause
 * and its fix, and returns true; false for the others, which only the
 * caller can explain. */
bool sys_explain(struct strbuf *sb, enum sys_call call, int err);

/* CPUs the kernel may use (per-CPU map values come in this many slots)
 * and those online now (perf events are opened on these). */
int cpus_possible(void);
/* Fills cpus (up to max) with the online CPU numbers; returns the count. */
int cpus_online(int *cpus, int max);

/* The running kernel as KERNEL_VERSION(a, b, c), from uname -r. */
uint32_t kernel_version(void);
uint64_t monotonic_ns(void);

#endif
