/* Fuzz target "btf": the BTF parser (fentry/fexit's types) on arbitrary
 * blobs, then what fentry asks of it: functions by glob and by name,
 * their prototypes as awl types for both word sizes, and printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awl/btf.h"
#include "awl/type.h"

#include "fuzz.h"

/* Per input, at most this many functions are converted and printed. */
#define MAX_CHECKED 1000

struct walk {
	const struct btf *b;
	int seen;
};

static void check_info(const struct btf_func_info *info, int word_size)
{
	char buf[96];

	if (info->nparams < 0 || info->nparams > MAX_BTF_PARAMS || !info->name || !info->ret)
		abort();
	for (int i = 0; i < info->nparams; i++) {
		if (!info->params[i].name || !info->params[i].type)
			abort();
		type_name(info->params[i].type, buf, sizeof(buf));
		type_storage_size(info->params[i].type);
	}
	type_name(info->ret, buf, sizeof(buf));
}

static int check_func(void *arg, const char *name, int id)
{
	struct walk *w = arg;
	struct btf_func_info info;
	int found;

	if (w->seen++ >= MAX_CHECKED)
		return 0;
	found = btf_find_func(w->b, name);
	if (found <= 0)
		abort();	/* listed, so it is found by name */
	for (int word_size = 4; word_size <= 8; word_size += 4)
		if (!btf_func_info(w->b, id, word_size, &info))
			check_info(&info, word_size);
	btf_func_print(w->b, id, fuzz_devnull());
	return 0;
}

static int in_glob(void *arg, const char *name, int id)
{
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const globs[] = { "vfs_*", "do_sys_open*", "*read*", "[a-c]*", "x\\*y", "?" };
	char err[256];
	struct btf *b;
	struct btf_func_info info;
	struct walk w;

	fuzz_selftest(data, size);
	b = btf_parse(data, size, err, sizeof(err));
	if (!b) {
		if (!err[0])
			abort();	/* a failure always says why */
		return 0;
	}
	w.b = b;
	w.seen = 0;
	btf_foreach_func(b, "*", check_func, &w);
	for (size_t i = 0; i < sizeof(globs) / sizeof(globs[0]); i++)
		btf_foreach_func(b, globs[i], in_glob, NULL);
	btf_find_func(b, "vfs_read");
	btf_find_func(b, "");
	/* ids that are not functions, or not there at all */
	for (int id = -1; id < 64; id++) {
		if (!btf_func_info(b, id, 8, &info))
			check_info(&info, 8);
		btf_func_print(b, id, fuzz_devnull());
	}
	btf_func_info(b, 1, 3, &info);	/* a word size no target has */
	types_free_all();
	btf_free(b);
	return 0;
}
