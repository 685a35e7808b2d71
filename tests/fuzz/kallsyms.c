/* Fuzz target "kallsyms": /proc/kallsyms text as ksym_parse() reads it
 * for kstack and ksym(), then lookups of addresses around each symbol
 * kept. The text is passed without a NUL after it: the parser must
 * keep to the length it is given. */
#include <stdlib.h>
#include <string.h>

#include "awl/ksym.h"

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

/* The address on a kallsyms-like line, for lookups near it. */
static uint64_t hex_at(const uint8_t *p, const uint8_t *end)
{
	uint64_t v = 0;

	for (int i = 0; p < end && i < 16; p++, i++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' :
			*p >= 'a' && *p <= 'f' ? *p - 'a' + 10 :
			*p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;

		if (d < 0)
			break;
		v = v << 4 | (uint64_t)d;
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *copy;
	int n, lines = 0;

	fuzz_selftest(data, size);
	/* an exactly sized copy: libFuzzer's buffer is, replay.c's too */
	copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	n = ksym_parse(copy, size);
	if (n < 0)
		abort();
	/* lookups around the addresses the input names, and the extremes */
	while (p < end && lines++ < 1000) {
		const uint8_t *eol = memchr(p, '\n', (size_t)(end - p));
		uint64_t addr = hex_at(p, eol ? eol : end), off;
		const char *name;

		for (int d = -1; d <= 1; d++) {
			name = ksym_lookup(addr + (uint64_t)d, &off);
			if (name && (!n || strlen(name) > 256))
				abort();
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	{
		uint64_t off;

		ksym_lookup(0, &off);
		ksym_lookup(UINT64_MAX, &off);
	}
	free(copy);
	return 0;
}
