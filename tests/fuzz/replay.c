/* A stand-in for libFuzzer's main(): runs a fuzz target on each file
 * named (each file of a directory named), once, so that the targets
 * build with any compiler and `make check` replays their regressions.
 * A crash or a sanitizer report ends the process, which fails; an input
 * that runs longer than AWL_FUZZ_TIMEOUT seconds (default 60) is killed
 * by SIGALRM. The input being run is named on stderr first. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static unsigned timeout_s = 60;
/* the real stderr: the targets point `stderr` at /dev/null */
static FILE *msgs;
static int nrun;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t size = 0, cap = 0, n;

	if (!f) {
		fprintf(msgs, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (size == cap) {
			cap = cap ? cap * 2 : 65536;
			data = realloc(data, cap);
			if (!data)
				abort();
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
	} while (n > 0);
	if (ferror(f)) {
		fprintf(msgs, "replay: %s: read error\n", path);
		fclose(f);
		free(data);
		return -1;
	}
	fclose(f);
	/* libFuzzer passes an exactly sized buffer: over-reads are caught
	 * the same way under AddressSanitizer */
	if (size) {
		uint8_t *exact = malloc(size);

		if (!exact)
			abort();
		memcpy(exact, data, size);
		free(data);
		data = exact;
	}
	fprintf(msgs, "replay: %s (%zu bytes)\n", path, size);
	alarm(timeout_s);
	LLVMFuzzerTestOneInput(data, size);
	alarm(0);
	free(data);
	nrun++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's regular files, in name order. */
static int replay_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d) {
		fprintf(msgs, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n] = malloc(strlen(path) + strlen(de->d_name) + 2);
		if (!names[n])
			abort();
		sprintf(names[n], "%s/%s", path, de->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) && replay_file(names[i]))
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	const char *t = getenv("AWL_FUZZ_TIMEOUT");
	int rc = 0;

	msgs = stderr;
	setvbuf(msgs, NULL, _IONBF, 0);
	if (t && atoi(t) > 0)
		timeout_s = (unsigned)atoi(t);
	if (argc < 2) {
		fprintf(msgs, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) != 0) {
			fprintf(msgs, "replay: %s: %s\n", argv[i], strerror(errno));
			rc = 2;
		} else if (S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i])) {
			rc = 2;
		}
	}
	fprintf(msgs, "replay: %d input%s run\n", nrun, nrun == 1 ? "" : "s");
	return rc;
}
