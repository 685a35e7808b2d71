/* Fuzz target "procmaps": /proc/PID/maps text as proc_maps_parse() reads
 * it to find the library a process really mapped. The text is passed
 * without a NUL after it. Each line handed out must be well formed. */
#include <stdlib.h>
#include <string.h>

#include "awl/procmaps.h"

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

struct seen {
	int lines;
	int stop_at;
};

static int check_line(void *arg, uint64_t start, uint64_t end, uint64_t offset,
		      const char *perms, const char *path)
{
	struct seen *s = arg;

	/* a NUL inside a field cuts it short: real maps have none, and
	 * awl only compares what is before it */
	if (strlen(perms) > 7 || strchr(perms, ' ') || strlen(path) > 4096)
		abort();
	return ++s->lines == s->stop_at ? -5 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct seen all = { 0, -1 }, two = { 0, 2 };
	int n;

	fuzz_selftest(data, size);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	n = proc_maps_parse(copy, size, check_line, &all);
	if (n != all.lines)
		abort();
	/* a callback's non-zero return stops the walk and is returned */
	n = proc_maps_parse(copy, size, check_line, &two);
	if (all.lines >= 2 ? n != -5 || two.lines != 2 : n != all.lines)
		abort();
	free(copy);
	return 0;
}
