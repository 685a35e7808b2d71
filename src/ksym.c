/* Kernel symbols: /proc/kallsyms read once, on the first lookup, into
 * an array sorted by address; lookups are binary searches. */
#include <stdlib.h>
#include <string.h>

#include "awl/ksym.h"

struct ksym {
	uint64_t addr;
	char *name;
};

static struct ksym *syms;
static int nsyms, capsyms;
static bool loaded;

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* One line: "ffffffff81000000 T _stext" or "... t name\t[module]".
 * The line need not end with a NUL: nothing past end is read (strtoull
 * would run on, past a last line without a newline). */
static void parse_line(const char *line, const char *end)
{
	const char *after = line, *type, *name, *name_end;
	uint64_t addr = 0;
	struct ksym sym;

	for (; after < end && after - line < 16 && hex_digit(*after) >= 0; after++)
		addr = addr << 4 | (uint64_t)hex_digit(*after);
	if (after == line || after >= end || *after != ' ')
		return;
	type = after + 1;
	if (type + 2 >= end || type[1] != ' ')
		return;
	/* text symbols only: stacks hold code addresses (strchr would
	 * match a NUL type too) */
	if (!*type || !strchr("tTwW", *type) || !addr)
		return;
	name = type + 2;
	name_end = name;
	while (name_end < end && *name_end != '\t' && *name_end != ' ')
		name_end++;
	if (name_end == name || name_end - name > 256)
		return;
	sym.addr = addr;
	sym.name = xstrndup(name, (size_t)(name_end - name));
	VEC_PUSH(syms, nsyms, capsyms, sym);
}

int ksym_parse(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	/* a second text replaces the first (tests and fuzzing parse many) */
	for (int i = 0; i < nsyms; i++)
		free(syms[i].name);
	nsyms = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		parse_line(p, eol);
		p = eol + 1;
	}
	if (nsyms)	/* qsort's array must not be NULL, even when empty */
		qsort(syms, (size_t)nsyms, sizeof(*syms), by_addr);
	loaded = true;
	return nsyms;
}

static void load(void)
{
	size_t len;
	char *text = read_file("/proc/kallsyms", &len);

	loaded = true;
	if (text)
		ksym_parse(text, len);
	free(text);
}

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	int lo = 0, hi;

	if (!loaded)
		load();
	hi = nsyms - 1;
	if (hi < 0 || addr < syms[0].addr)
		return NULL;
	while (lo < hi) {	/* the last symbol at or below addr */
		int mid = lo + (hi - lo + 1) / 2;

		if (syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid - 1;
	}
	*offset = addr - syms[lo].addr;
	return syms[lo].name;
}
