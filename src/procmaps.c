/* /proc/PID/maps: finding the file a process mapped for a library name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awl/procmaps.h"

/* Longer paths than the kernel's PATH_MAX are garbage. */
#define MAX_PATH 4096
#define MAX_PERMS 7
#define DELETED_SUFFIX " (deleted)"

struct cursor {
	const char *p, *end;
};

static bool take_char(struct cursor *c, char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

static int digit_value(char ch, int base)
{
	int v = ch >= '0' && ch <= '9' ? ch - '0' :
		ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
		ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : 99;

	return v < base ? v : -1;
}

/* An unsigned number of 1 to 16 hex or 20 decimal digits (a 64-bit
 * inode can take 20; only its syntax matters). */
static bool take_number(struct cursor *c, int base, uint64_t *value)
{
	const char *start = c->p;
	uint64_t v = 0;
	int d;

	while (c->p < c->end && (d = digit_value(*c->p, base)) >= 0) {
		if (c->p - start >= (base == 16 ? 16 : 20))
			return false;
		v = v * (uint64_t)base + (uint64_t)d;
		c->p++;
	}
	*value = v;
	return c->p > start;
}

/* A non-blank word of 1 to max bytes, copied NUL-terminated into buf. */
static bool take_word(struct cursor *c, char *buf, size_t max)
{
	size_t n = 0;

	while (c->p < c->end && *c->p != ' ' && *c->p != '\t') {
		if (n == max)
			return false;
		buf[n++] = *c->p++;
	}
	buf[n] = '\0';
	return n > 0;
}

static void skip_blanks(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

struct maps_line {
	uint64_t start, end, offset;
	char perms[MAX_PERMS + 1];
	char path[MAX_PATH + 1];
};

/* "start-end perms offset major:minor inode [path]" */
static bool parse_line(struct cursor c, struct maps_line *line)
{
	uint64_t dev_major, dev_minor, inode;
	size_t path_len;

	if (!take_number(&c, 16, &line->start) || !take_char(&c, '-') ||
	    !take_number(&c, 16, &line->end) || !take_char(&c, ' ') ||
	    !take_word(&c, line->perms, MAX_PERMS) || !take_char(&c, ' ') ||
	    !take_number(&c, 16, &line->offset) || !take_char(&c, ' ') ||
	    !take_number(&c, 16, &dev_major) || !take_char(&c, ':') ||
	    !take_number(&c, 16, &dev_minor) || !take_char(&c, ' ') ||
	    !take_number(&c, 10, &inode))
		return false;
	if (c.p < c.end && *c.p != ' ' && *c.p != '\t')
		return false;
	skip_blanks(&c);
	path_len = (size_t)(c.end - c.p);
	if (path_len > MAX_PATH)
		return false;
	memcpy(line->path, c.p, path_len);
	line->path[path_len] = '\0';
	return true;
}

int proc_maps_parse(const char *text, size_t len,
		    int (*fn)(void *arg, uint64_t start, uint64_t end, uint64_t offset,
			      const char *perms, const char *path),
		    void *arg)
{
	struct maps_line *line = xmalloc(sizeof(*line));
	const char *p = text, *end = text + len;
	int count = 0, rc = 0;

	while (p < end && !rc) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		struct cursor c = { p, eol ? eol : end };

		p = c.end + 1;
		if (!parse_line(c, line))
			continue;
		rc = fn(arg, line->start, line->end, line->offset, line->perms, line->path);
		count++;
	}
	free(line);
	return rc ? rc : count;
}

static bool starts_with(const char *s, const char *prefix, size_t len)
{
	return strncmp(s, prefix, len) == 0;
}

/* base is stem + ".so", stem + ".so.VERSION" or stem + "-VERSION.so"
 * (glibc before 2.34 mapped libc-2.31.so). */
static bool stem_matches(const char *base, const char *stem, size_t stem_len)
{
	const char *rest;
	size_t rest_len;

	if (!starts_with(base, stem, stem_len))
		return false;
	rest = base + stem_len;
	if (starts_with(rest, ".so", 3))
		return rest[3] == '\0' || rest[3] == '.';
	rest_len = strlen(rest);
	if (*rest != '-' || rest_len < 5 || strcmp(rest + rest_len - 3, ".so") != 0)
		return false;
	return strspn(rest + 1, "0123456789.") >= rest_len - 4;
}

static bool lib_matches(const char *base, const char *lib)
{
	char stem[MAX_PATH + 4];
	size_t lib_len = strlen(lib);

	if (strcmp(base, lib) == 0)
		return true;
	if (lib_len >= MAX_PATH)
		return false;
	/* "libc.so" names the same library as "libc" */
	if (lib_len > 3 && strcmp(lib + lib_len - 3, ".so") == 0)
		lib_len -= 3;
	snprintf(stem, sizeof(stem), "lib%.*s", (int)lib_len, lib);
	return stem_matches(base, stem, lib_len + 3) || stem_matches(base, lib, lib_len);
}

struct maps_search {
	const char *lib;
	char *found;
};

static int match_mapping(void *arg, uint64_t start, uint64_t end, uint64_t offset,
			 const char *perms, const char *path)
{
	struct maps_search *s = arg;
	size_t len = strlen(path);
	const size_t deleted_len = strlen(DELETED_SUFFIX);
	char *file, *base;

	if (path[0] != '/')
		return 0;
	/* a library replaced on disk since: its name still says which one */
	if (len > deleted_len && strcmp(path + len - deleted_len, DELETED_SUFFIX) == 0)
		len -= deleted_len;
	file = xstrndup(path, len);
	base = strrchr(file, '/') + 1;
	if (!lib_matches(base, s->lib)) {
		free(file);
		return 0;
	}
	s->found = file;
	return 1;
}

char *proc_maps_find(int pid, const char *lib)
{
	char path[64];
	struct maps_search s = { lib, NULL };
	size_t len;
	char *text, *found = NULL;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	text = read_file(path, &len);
	if (!text)
		return NULL;
	proc_maps_parse(text, len, match_mapping, &s);
	free(text);
	if (s.found)
		found = xasprintf("/proc/%d/root%s", pid, s.found);
	free(s.found);
	return found;
}
