/* A target for the uprobe tests: functions with known arguments and
 * return values, called a known number of times. Built without inlining
 * so that every function exists and is called. */
#define _GNU_SOURCE 1	/* dl_iterate_phdr() (config.h says the same) */
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, used))

/* Written by every function: a function with a side effect cannot be
 * hoisted out of a loop or folded, so each call really happens. */
volatile long sink, calls_made;

NOINLINE int add_ints(int a, int b)
{
	calls_made++;
	return a + b;
}

/* Integer arguments of every width and sign. */
NOINLINE long mix_widths(signed char a, unsigned short b, int c, long long d,
			 unsigned long long e, long f)
{
	calls_made++;
	return a + b + c + (long)d + (long)e + f;
}

NOINLINE size_t greet(const char *name)
{
	calls_made++;
	return strlen(name);
}

NOINLINE unsigned long long big_unsigned(void)
{
	calls_made++;
	return 0xfffffffffffffff0ull;
}

NOINLINE long negate(long x)
{
	calls_made++;
	return -x;
}

/* Only in .symtab: a stripped copy cannot see it. */
static NOINLINE int local_only(int x)
{
	calls_made++;
	return x * 3;
}

/* More arguments than any ABI passes in registers. */
NOINLINE long ten_args(long a, long b, long c, long d, long e, long f, long g, long h,
		       long i, long j)
{
	calls_made++;
	return a + b + c + d + e + f + g + h + i + j;
}

/* 500 functions, for timing the attach of many uprobes. */
#define F(n) NOINLINE int many_##n(int x) { calls_made++; return x + 1; }
#define F10(n) F(n##0) F(n##1) F(n##2) F(n##3) F(n##4) F(n##5) F(n##6) F(n##7) F(n##8) F(n##9)
#define F100(n) F10(n##0) F10(n##1) F10(n##2) F10(n##3) F10(n##4) F10(n##5) F10(n##6) \
	F10(n##7) F10(n##8) F10(n##9)
F100(0) F100(1) F100(2) F100(3) F100(4)

#define L(n) many_##n,
#define L10(n) L(n##0) L(n##1) L(n##2) L(n##3) L(n##4) L(n##5) L(n##6) L(n##7) L(n##8) L(n##9)
#define L100(n) L10(n##0) L10(n##1) L10(n##2) L10(n##3) L10(n##4) L10(n##5) L10(n##6) \
	L10(n##7) L10(n##8) L10(n##9)
#define MANY_LIST L100(0) L100(1) L100(2) L100(3) L100(4)

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* calls N: each test function N times with fixed arguments */
static void calls(long n)
{
	for (long i = 0; i < n; i++) {
		sink += add_ints(2, 3);
		sink += mix_widths(-5, 65535, -100000, -3000000000LL, 18000000000000000000ULL, 7);
		sink += (long)greet("hello uprobe");
		sink += (long)big_unsigned();
		sink += negate(42);
		sink += local_only(7);
		sink += ten_args(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
	}
}

/* dl_iterate_phdr() sees the main program first: its load bias, which
 * is 0 unless it is a PIE. */
static int first_bias(struct dl_phdr_info *info, size_t size, void *bias)
{
	(void)size;
	*(uintptr_t *)bias = info->dlpi_addr;
	return 1;
}

/* add_ints' address as the ELF file gives it (what uprobe:PATH:0xADDR
 * takes), without nm: boards have no binutils. */
static void print_addr(void)
{
	uintptr_t bias = 0;

	dl_iterate_phdr(first_bias, &bias);
	printf("%lx\n", (unsigned long)((uintptr_t)&add_ints - bias));
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? strtol(argv[2], NULL, 0) : 1;

	if (argc > 1 && !strcmp(argv[1], "calls")) {
		calls(n);
	} else if (argc > 1 && !strcmp(argv[1], "wait-calls")) {
		/* wait-calls MS N: sleep (for the tracer to attach), then calls N */
		sleep_ms(n);
		calls(argc > 3 ? strtol(argv[3], NULL, 0) : 1);
	} else if (argc > 1 && !strcmp(argv[1], "many")) {
		/* many: each of the 500 many_NNN functions once */
		int (*const many[])(int) = { MANY_LIST };

		for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
			sink += many[i](1);
	} else if (argc > 1 && !strcmp(argv[1], "pid")) {
		printf("%d\n", (int)getpid());
	} else if (argc > 1 && !strcmp(argv[1], "addr")) {
		print_addr();
	} else {
		fprintf(stderr, "usage: uprobe_target calls N | wait-calls MS N | many | pid | addr\n");
		return 2;
	}
	return 0;
}
