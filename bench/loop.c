/* The bench's workload: N getppid() system calls, straight to the
 * kernel; prints the mean nanoseconds per call. With --floor it first
 * attaches an empty BPF program to sys_enter_getppid (the cost every
 * tracer pays before doing anything), so the tracers' own cost can be
 * told apart from the tracepoint's. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int attach_empty_program(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	struct perf_event_attr pe;
	char buf[32] = "";
	FILE *f;
	int prog, ev;

	f = fopen("/sys/kernel/tracing/events/syscalls/sys_enter_getppid/id", "r");
	if (!f)
		f = fopen("/sys/kernel/debug/tracing/events/syscalls/sys_enter_getppid/id", "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		fprintf(stderr, "loop: cannot read the tracepoint id (mount tracefs)\n");
		return -1;
	}
	fclose(f);
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	memset(&pe, 0, sizeof(pe));
	pe.type = PERF_TYPE_TRACEPOINT;
	pe.size = sizeof(pe);
	pe.config = strtoull(buf, NULL, 10);
	pe.sample_period = 1;
	ev = (int)syscall(SYS_perf_event_open, &pe, -1, 0, -1, 0);
	if (prog < 0 || ev < 0 || ioctl(ev, PERF_EVENT_IOC_SET_BPF, prog) ||
	    ioctl(ev, PERF_EVENT_IOC_ENABLE, 0)) {
		fprintf(stderr, "loop: cannot attach the empty program: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n = 1000000;
	bool floor = false;
	double start;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--floor"))
			floor = true;
		else
			n = strtol(argv[i], NULL, 0);
	}
	if (floor && attach_empty_program())
		return 1;
	for (long i = 0; i < n / 10; i++)	/* warm up */
		syscall(SYS_getppid);
	start = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	printf("%.1f\n", (now_ns() - start) / n);
	return 0;
}
