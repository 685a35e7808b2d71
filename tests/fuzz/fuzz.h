/* Shared by the fuzz targets of tests/fuzz/: each is one C file with
 * LLVMFuzzerTestOneInput, linked against awl's sources (not main.c),
 * either with libFuzzer (build.sh, clang) or with replay.c (make check,
 * any compiler). */
#ifndef AWL_FUZZ_H
#define AWL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* When AWL_FUZZ_SELFTEST is set in the environment, an input starting
 * with the first of these abort()s and one starting with the second
 * never returns: how tests/fuzz.bats makes sure that crashes and hangs
 * are noticed. Without the variable they are inputs like any. */
#define FUZZ_SELFTEST_CRASH "AWL-FUZZ-SELFTEST-CRASH"
#define FUZZ_SELFTEST_HANG "AWL-FUZZ-SELFTEST-HANG"

static inline int fuzz_starts_with(const uint8_t *data, size_t size, const char *magic)
{
	return size >= strlen(magic) && !memcmp(data, magic, strlen(magic));
}

static inline void fuzz_selftest(const uint8_t *data, size_t size)
{
	static int enabled = -1;

	if (enabled < 0)
		enabled = getenv("AWL_FUZZ_SELFTEST") != NULL;
	if (!enabled)
		return;
	if (fuzz_starts_with(data, size, FUZZ_SELFTEST_CRASH))
		abort();
	if (fuzz_starts_with(data, size, FUZZ_SELFTEST_HANG))
		for (volatile int spin = 1; spin;)
			;
}

/* awl reports script and file errors on stderr: garbage input would
 * print a line per byte, which is slow, and hides the sanitizers'
 * reports. Those write to file descriptor 2 directly, so only the
 * stdio stream is pointed at /dev/null (where the C library lets a
 * program assign stderr). AWL_FUZZ_VERBOSE=1 keeps awl's messages. */
static inline void fuzz_quiet_stderr(void)
{
#ifdef __GLIBC__
	static int done;
	FILE *null;

	if (done)
		return;
	done = 1;
	if (getenv("AWL_FUZZ_VERBOSE"))
		return;
	null = fopen("/dev/null", "w");
	if (null)
		stderr = null;
#endif
}

/* A stream that discards what is written (dumps, prototypes). */
static inline FILE *fuzz_devnull(void)
{
	static FILE *null;

	if (!null)
		null = fopen("/dev/null", "w");
	if (!null)
		abort();
	return null;
}

/* A NUL-terminated copy of the input, for parsers of text. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
