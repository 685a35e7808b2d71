/* Looking up builtins and functions in the themed tables. */
#include <string.h>

#include "awl/builtin.h"

static const struct builtin *const builtin_tables[] = { builtins_proc, builtins_ctx };
static const struct func *const func_tables[] = {
	funcs_agg, funcs_print, funcs_str, funcs_proc, funcs_map, funcs_ctx,
};

/* "arg#" matches arg0, arg1, ... (digits only, no leading zeros). */
static bool name_matches(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);

	if (!n || pattern[n - 1] != '#')
		return !strcmp(pattern, name);
	if (strncmp(pattern, name, n - 1))
		return false;
	name += n - 1;
	if (!*name || (name[0] == '0' && name[1]) || strlen(name) > 3)
		return false;
	return strspn(name, "0123456789") == strlen(name);
}

const struct builtin *builtin_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(builtin_tables); i++)
		for (const struct builtin *b = builtin_tables[i]; b->name; b++)
			if (name_matches(b->name, name))
				return b;
	return NULL;
}

const struct func *func_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(func_tables); i++)
		for (const struct func *f = func_tables[i]; f->name; f++)
			if (!strcmp(f->name, name))
				return f;
	return NULL;
}
