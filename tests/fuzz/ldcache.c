/* Fuzz target "ldcache": an ld.so.cache image (glibc's old, new, or old
 * followed by new layout, either byte order) as ldcache_parse() reads
 * it, then lib_resolve() choosing a library from it inside a private
 * root directory (ROOT/etc/ld.so.cache holds the input), as uprobe:libc
 * does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ftw.h>

#include "awl/ldcache.h"

#include "fuzz.h"

static char root[4096], cache_path[4200];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void remove_root(void)
{
	if (root[0])
		nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	char etc[4200];

	fuzz_quiet_stderr();
	snprintf(root, sizeof(root), "%s/awl-fuzz-ldcache.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		fprintf(stderr, "ldcache fuzzer: cannot make %s: %s\n", root, strerror(errno));
		abort();
	}
	atexit(remove_root);
	snprintf(etc, sizeof(etc), "%s/etc", root);
	mkdir(etc, 0755);
	snprintf(cache_path, sizeof(cache_path), "%s/etc/ld.so.cache", root);
	return 0;
}

struct seen {
	int entries;
	int stop_at;
};

static int check_entry(void *arg, const char *key, const char *value, uint32_t flags)
{
	struct seen *s = arg;

	if (strlen(key) >= 4096 || strlen(value) >= 4096)
		abort();
	return ++s->entries == s->stop_at ? 9 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "c", "libc.so.6", "libm", "z.so", "foo" };
	static const int abis[][2] = { { 0, 0 }, { 64, 62 }, { 32, 40 }, { 64, 243 }, { 32, 3 } };
	uint8_t *copy = malloc(size ? size : 1);
	struct seen all = { 0, -1 }, one = { 0, 1 };
	int n, n1;
	FILE *f;

	fuzz_selftest(data, size);
	if (!root[0])
		LLVMFuzzerInitialize(NULL, NULL);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	n = ldcache_parse(copy, size, check_entry, &all);
	if (n >= 0 && n != all.entries)
		abort();
	n1 = ldcache_parse(copy, size, check_entry, &one);
	if (all.entries ? n1 != 9 : n1 != n)
		abort();
	free(copy);

	f = fopen(cache_path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	/* which name and ABI: from the size, so each input tries one */
	{
		const char *name = names[size % 5];
		const int *abi = abis[(size / 5) % 5];
		char *found = lib_resolve(name, root, abi[0], abi[1]);

		if (found && strncmp(found, root, strlen(root)))
			abort();	/* never outside the root */
		free(found);
	}
	return 0;
}
