/* Fuzz target "elf": awl's ELF reader (uprobes' symbols and file
 * offsets) on arbitrary bytes: 32/64-bit, either byte order. Each input
 * is read from memory and, through a memfd, from a "file" as uprobes
 * open it; the two must agree. The functions listed must come sorted
 * and once each, and each must be found again by name. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "awl/elf.h"

#include "fuzz.h"

/* Per input, at most this many functions are looked up again. */
#define MAX_CHECKED 2000

struct walk {
	struct elf_file *f;
	char prev[4097];
	int seen;
};

static int check_func(void *arg, const char *name, uint64_t vaddr, uint64_t size)
{
	struct walk *w = arg;
	uint64_t found_vaddr, found_size, off;
	size_t len = strlen(name);

	/* names are non-empty C strings, in ascending order, once each */
	if (!len || len >= sizeof(w->prev) || (w->seen && strcmp(w->prev, name) >= 0))
		abort();
	memcpy(w->prev, name, len + 1);
	if (w->seen++ >= MAX_CHECKED)
		return 0;
	if (elf_find_func(w->f, name, &found_vaddr, &found_size) || found_vaddr != vaddr ||
	    found_size != size)
		abort();
	elf_func_is_thumb(w->f, name);
	elf_vaddr_to_offset(w->f, vaddr, &off);
	return 0;
}

static int count_func(void *arg, const char *name, uint64_t vaddr, uint64_t size)
{
	if (fnmatch((const char *)arg, name, 0))
		abort();	/* the glob was honoured */
	return 0;
}

static int stop_at_first(void *arg, const char *name, uint64_t vaddr, uint64_t size)
{
	return 7;
}

static void exercise(struct elf_file *f)
{
	static const char *const globs[] = { "m*", "main", "_*init*", "[a-f]?*", "x\\*" };
	struct walk w = { f, "", 0 };
	uint64_t off;

	elf_class(f);
	elf_machine(f);
	elf_is_pie_or_shared(f);
	elf_has_symtab(f);
	elf_vaddr_to_offset(f, elf_entry(f), &off);
	elf_vaddr_to_offset(f, 0, &off);
	elf_vaddr_to_offset(f, UINT64_MAX, &off);
	elf_foreach_func(f, NULL, check_func, &w);
	for (size_t i = 0; i < sizeof(globs) / sizeof(globs[0]); i++)
		elf_foreach_func(f, globs[i], count_func, (void *)globs[i]);
	if (w.seen && elf_foreach_func(f, NULL, stop_at_first, NULL) != 7)
		abort();
	elf_find_func(f, "", NULL, NULL);
	elf_func_is_thumb(f, "nosuchfunction");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], err2[256], path[64];
	struct elf_file *f, *g;
	int fd;

	fuzz_selftest(data, size);
	f = elf_open_mem(data, size, err, sizeof(err));
	if (f) {
		exercise(f);
		elf_close(f);
	} else if (!err[0]) {
		abort();	/* a failure always says why */
	}

	/* the same bytes as a file: mapped, as uprobes read binaries */
	fd = memfd_create("awl-fuzz-elf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	g = elf_open(path, err2, sizeof(err2));
	if (!f != !g)
		abort();	/* the file and the bytes must agree */
	if (g) {
		exercise(g);
		elf_close(g);
	}
	close(fd);
	return 0;
}
