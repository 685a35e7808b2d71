/* The syscall layer: thin wrappers over bpf() and perf_event_open(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "awl/compat.h"
#include "awl/sys.h"

int sys_bpf(int cmd, union bpf_attr *attr)
{
	long ret;

	do
		ret = syscall(__NR_bpf, cmd, attr, sizeof(*attr));
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : (int)ret;
}

int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
			unsigned long flags)
{
	long ret = syscall(__NR_perf_event_open, attr, pid, cpu, group_fd, flags);

	return ret < 0 ? -errno : (int)ret;
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
