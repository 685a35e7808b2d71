/* A workload with known behaviour for the kernel tests: each command
 * makes an exact number of system calls with known arguments. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

static long arg_or(int argc, char **argv, int i, long dflt)
{
	return argc > i ? strtol(argv[i], NULL, 0) : dflt;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* getppid N: N getppid() calls, straight to the kernel (no libc cache) */
static int cmd_getppid(int argc, char **argv)
{
	long n = arg_or(argc, argv, 2, 1);

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}

/* write SIZE...: one write() of each size to /dev/null */
static int cmd_write(int argc, char **argv)
{
	static char buf[1 << 20];
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0)
		return 1;
	for (int i = 2; i < argc; i++) {
		long size = strtol(argv[i], NULL, 0);

		if (size < 0 || size > (long)sizeof(buf) || write(fd, buf, (size_t)size) != size)
			return 1;
	}
	close(fd);
	return 0;
}

/* open PATH N: N failing or succeeding openat() calls on PATH */
static int cmd_open(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "/nonexistent";
	long n = arg_or(argc, argv, 3, 1);

	for (long i = 0; i < n; i++) {
		/* openat on every libc and arch (musl's open() is the open
		 * system call where the arch has one): the tests trace it */
		int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);

		if (fd >= 0)
			close(fd);
	}
	return 0;
}

/* sleep MS: sleep, then exit */
static int cmd_sleep(int argc, char **argv)
{
	sleep_ms(arg_or(argc, argv, 2, 1000));
	return 0;
}

/* spin MS: burn CPU for MS milliseconds */
static int cmd_spin(int argc, char **argv)
{
	struct timespec start, now;
	long ms = arg_or(argc, argv, 2, 1000);
	volatile unsigned long x = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
	return 0;
}

/* exit CODE: exit with CODE; kill SIG: die by signal SIG */
static int cmd_exit(int argc, char **argv)
{
	return (int)arg_or(argc, argv, 2, 0);
}

static int cmd_kill(int argc, char **argv)
{
	raise((int)arg_or(argc, argv, 2, SIGTERM));
	return 0;
}

/* wait-getppid MS N: sleep MS (for the tracer to attach), then getppid */
static int cmd_wait_getppid(int argc, char **argv)
{
	sleep_ms(arg_or(argc, argv, 2, 500));
	for (long i = 0, n = arg_or(argc, argv, 3, 1); i < n; i++)
		syscall(SYS_getppid);
	return 0;
}

/* slowcat BYTES_PER_SECOND: copies stdin to stdout no faster than the
 * rate, like a serial console (115200 baud is about 11520 bytes/s) */
static int cmd_slowcat(int argc, char **argv)
{
	long rate = arg_or(argc, argv, 2, 11520);
	char buf[256];
	ssize_t n;

	if (rate < 1)
		rate = 1;
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		if (write(1, buf, (size_t)n) != n)
			return 1;
		sleep_ms(n * 1000 / rate);
	}
	return 0;
}

/* bpf-programs PREFIX: how many loaded BPF programs have names
 * starting with PREFIX (what a tracer left behind) */
static int cmd_bpf_programs(int argc, char **argv)
{
	const char *prefix = argc > 2 ? argv[2] : "";
	union bpf_attr attr;
	unsigned id = 0, count = 0;

	for (;;) {
		struct bpf_prog_info info;
		int fd;

		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (syscall(SYS_bpf, BPF_PROG_GET_NEXT_ID, &attr, sizeof(attr)))
			break;
		id = attr.next_id;
		memset(&attr, 0, sizeof(attr));
		attr.prog_id = id;
		fd = (int)syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &attr, sizeof(attr));
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = (unsigned)fd;
		attr.info.info_len = sizeof(info);
		attr.info.info = (unsigned long)&info;
		if (!syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) &&
		    !strncmp(info.name, prefix, strlen(prefix)))
			count++;
		close(fd);
	}
	if (errno != ENOENT) {
		perror("bpf");
		return 1;
	}
	printf("%u\n", count);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} cmds[] = {
	{ "bpf-programs", cmd_bpf_programs }, { "slowcat", cmd_slowcat },
	{ "getppid", cmd_getppid }, { "write", cmd_write }, { "open", cmd_open },
	{ "sleep", cmd_sleep }, { "spin", cmd_spin }, { "exit", cmd_exit },
	{ "kill", cmd_kill }, { "wait-getppid", cmd_wait_getppid },
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].run(argc, argv);
	fprintf(stderr, "usage: workload getppid N | write SIZE... | open PATH N | sleep MS | spin MS | exit CODE | kill SIG | wait-getppid MS N | slowcat RATE | bpf-programs PREFIX\n");
	return 2;
}
