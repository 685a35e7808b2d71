/* Fuzz target "tpformat": a tracepoint's format file, as tracefs has
 * it, parsed by tp_format_parse() into the record type of `args` for a
 * 64-bit and a 32-bit target. Every field kept must be sane. */
#include <stdlib.h>
#include <string.h>

#include "awl/tracefs.h"
#include "awl/type.h"

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static void check_type(const struct type *t, long id)
{
	char buf[96];

	if (!t)
		return;
	if (t->kind != TY_STRUCT || t->size < 0 || t->nfields < 0 || id < -1)
		abort();
	for (int i = 0; i < t->nfields; i++) {
		const struct field *f = &t->fields[i];

		if (!f->name || !f->name[0] || !f->type || f->offset < 0 || f->type->size < 0 ||
		    !strncmp(f->name, "common_", 7))
			abort();
		type_name(f->type, buf, sizeof(buf));
		type_storage_size(f->type);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	long id;

	fuzz_selftest(data, size);
	text = fuzz_cstring(data, size);
	check_type(tp_format_parse(text, 8, false, &id), id);
	check_type(tp_format_parse(text, 4, true, &id), id);
	check_type(tp_format_parse(text, 8, true, NULL), 0);
	types_free_all();
	free(text);
	return 0;
}
