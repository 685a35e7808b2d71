/* Library lookup by short name: ld.so.cache, musl's path file, standard dirs. */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awl/elf.h"
#include "awl/ldcache.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

/* glibc's ldconfig.h and dl-cache.h: the two cache layouts. */
#define OLD_MAGIC "ld.so-1.7.0"
#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define OLD_HEADER_SIZE 16	/* magic[11], padding, nlibs */
#define OLD_ENTRY_SIZE 12	/* flags, key, value */
#define NEW_HEADER_SIZE 48	/* magic+version[20], nlibs, len_strings, flags, ... */
#define NEW_ENTRY_SIZE 24	/* flags, key, value, osversion, hwcap */
#define NEW_FLAGS_OFFSET 28
#define NEW_ENDIAN_LITTLE 2
#define NEW_ENDIAN_BIG 3
#define FLAG_TYPE_MASK 0x00ff
#define FLAG_ELF_LIBC6 0x0003
#define FLAG_REQUIRED_MASK 0xff00

/* Limits against hostile caches and path files. */
#define MAX_ENTRIES (1 << 20)
#define MAX_PATH 4096
#define MAX_DIRS 256

typedef int entry_fn(void *arg, const char *key, const char *value, uint32_t flags,
		     uint64_t hwcap);

struct cache_image {
	const unsigned char *data;	/* from the header that string offsets count from */
	size_t len;
	bool swap;			/* written by a host of the other byte order */
};

static uint32_t rd32(const struct cache_image *c, size_t off)
{
	uint32_t v;

	memcpy(&v, c->data + off, sizeof(v));
	return c->swap ? __builtin_bswap32(v) : v;
}

static uint64_t rd64(const struct cache_image *c, size_t off)
{
	uint64_t v;

	memcpy(&v, c->data + off, sizeof(v));
	return c->swap ? __builtin_bswap64(v) : v;
}

/* The NUL-terminated string at strings + off, or NULL if it runs out of
 * the image or is longer than any path. */
static const char *cache_string(const struct cache_image *c, size_t strings, uint32_t off)
{
	size_t start = strings + off;
	const char *s;

	if (strings > c->len || off >= c->len - strings)
		return NULL;
	s = (const char *)c->data + start;
	return memchr(s, '\0', MIN(c->len - start, (size_t)MAX_PATH)) ? s : NULL;
}

/* Entries at `entries`, entry_size bytes each, strings counted from `strings`. */
static int walk_entries(const struct cache_image *c, size_t entries, uint32_t nlibs,
			size_t entry_size, size_t strings, entry_fn *fn, void *arg)
{
	int count = 0;

	for (uint32_t i = 0; i < nlibs; i++) {
		size_t e = entries + i * entry_size;
		const char *key = cache_string(c, strings, rd32(c, e + 4));
		const char *value = cache_string(c, strings, rd32(c, e + 8));
		uint64_t hwcap = entry_size == NEW_ENTRY_SIZE ? rd64(c, e + 16) : 0;
		int rc;

		if (!key || !value)
			continue;
		rc = fn(arg, key, value, rd32(c, e), hwcap);
		if (rc)
			return rc;
		count++;
	}
	return count;
}

static int walk_new(const unsigned char *data, size_t len, entry_fn *fn, void *arg)
{
	struct cache_image c = { data, len, false };
	uint32_t nlibs;

	if (len < NEW_HEADER_SIZE)
		return -EINVAL;
	/* the header records the writer's byte order (glibc 2.33 on); older
	 * caches leave it unset and are the host's */
	switch (data[NEW_FLAGS_OFFSET] & 3) {
	case NEW_ENDIAN_LITTLE:
		c.swap = __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__;
		break;
	case NEW_ENDIAN_BIG:
		c.swap = __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__;
		break;
	}
	nlibs = rd32(&c, 20);
	if (nlibs > MAX_ENTRIES || nlibs > (len - NEW_HEADER_SIZE) / NEW_ENTRY_SIZE)
		return -EINVAL;
	return walk_entries(&c, NEW_HEADER_SIZE, nlibs, NEW_ENTRY_SIZE, 0, fn, arg);
}

static bool is_new_at(const unsigned char *data, size_t len, size_t off)
{
	return off <= len && len - off >= NEW_HEADER_SIZE &&
	       memcmp(data + off, NEW_MAGIC, strlen(NEW_MAGIC)) == 0;
}

static int walk_cache(const unsigned char *data, size_t len, entry_fn *fn, void *arg)
{
	static const size_t new_alignments[] = { 8, 4 };	/* alignof(uint64_t) by ABI */
	struct cache_image c = { data, len, false };
	size_t old_end;
	uint32_t nlibs;

	if (is_new_at(data, len, 0))
		return walk_new(data, len, fn, arg);
	if (len < OLD_HEADER_SIZE || memcmp(data, OLD_MAGIC, strlen(OLD_MAGIC)) != 0)
		return -EINVAL;
	nlibs = rd32(&c, 12);
	if (nlibs > MAX_ENTRIES || nlibs > (len - OLD_HEADER_SIZE) / OLD_ENTRY_SIZE)
		return -EINVAL;
	/* glibc reads the new format appended after the old table when present */
	old_end = OLD_HEADER_SIZE + (size_t)nlibs * OLD_ENTRY_SIZE;
	for (size_t i = 0; i < ARRAY_SIZE(new_alignments); i++) {
		size_t off = ALIGN_UP(old_end, new_alignments[i]);

		if (is_new_at(data, len, off))
			return walk_new(data + off, len - off, fn, arg);
	}
	return walk_entries(&c, OLD_HEADER_SIZE, nlibs, OLD_ENTRY_SIZE, old_end, fn, arg);
}

struct parse_adapter {
	int (*fn)(void *arg, const char *key, const char *value, uint32_t flags);
	void *arg;
};

static int drop_hwcap(void *arg, const char *key, const char *value, uint32_t flags,
		      uint64_t hwcap)
{
	struct parse_adapter *a = arg;

	return a->fn(a->arg, key, value, flags);
}

int ldcache_parse(const void *data, size_t len,
		  int (*fn)(void *arg, const char *key, const char *value, uint32_t flags),
		  void *arg)
{
	struct parse_adapter a = { fn, arg };

	return walk_cache(data, len, drop_hwcap, &a);
}

/* The ABI assumed when the caller does not say (machine 0). */
#if defined(__x86_64__) && defined(__ILP32__)
#define HOST_MACHINE EM_X86_64
#define HOST_CLASS 32
#elif defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#define HOST_CLASS 64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#define HOST_CLASS 64
#elif defined(__arm__)
#define HOST_MACHINE EM_ARM
#define HOST_CLASS 32
#elif defined(__riscv)
#define HOST_MACHINE EM_RISCV
#define HOST_CLASS __riscv_xlen
#elif defined(__i386__)
#define HOST_MACHINE EM_386
#define HOST_CLASS 32
#else
#define HOST_MACHINE 0
#define HOST_CLASS 0
#endif

/* Where each ABI keeps its libraries and how ldconfig flags them. */
struct abi {
	int machine, class;
	int n_ld_flags;
	uint16_t ld_flags[3];		/* FLAG_REQUIRED_MASK bits of its cache entries */
	const char *musl_arch[2];	/* /etc/ld-musl-ARCH.path */
	const char *multiarch[2];	/* /usr/lib/TRIPLET */
};

static const struct abi abis[] = {
	{ EM_X86_64, 64, 1, { 0x0300 }, { "x86_64" }, { "x86_64-linux-gnu" } },
	{ EM_AARCH64, 64, 1, { 0x0a00 }, { "aarch64", "aarch64_be" },
	  { "aarch64-linux-gnu", "aarch64_be-linux-gnu" } },
	{ EM_ARM, 32, 3, { 0x0900, 0x0b00, 0 }, { "armhf", "arm" },
	  { "arm-linux-gnueabihf", "arm-linux-gnueabi" } },
	{ EM_RISCV, 64, 2, { 0x1000, 0x0f00 }, { "riscv64" }, { "riscv64-linux-gnu" } },
	{ EM_RISCV, 32, 2, { 0x1000, 0x0f00 }, { "riscv32" }, { "riscv32-linux-gnu" } },
	{ EM_386, 32, 1, { 0 }, { "i386" }, { "i386-linux-gnu" } },
	{ EM_X86_64, 32, 1, { 0x0800 }, { "x32" }, { "x86_64-linux-gnux32" } },
};

static const struct abi *find_abi(int want_class, int want_machine)
{
	if (!want_machine) {
		want_machine = HOST_MACHINE;
		want_class = HOST_CLASS;
	}
	for (size_t i = 0; i < ARRAY_SIZE(abis); i++)
		if (abis[i].machine == want_machine && (!want_class || abis[i].class == want_class))
			return &abis[i];
	return NULL;
}

static bool abi_flags_match(const struct abi *abi, uint32_t flags)
{
	if (!abi || (flags & FLAG_TYPE_MASK) != FLAG_ELF_LIBC6)
		return false;
	for (int i = 0; i < abi->n_ld_flags; i++)
		if ((flags & FLAG_REQUIRED_MASK) == abi->ld_flags[i])
			return true;
	return false;
}

/* How well a file name fits what the user wrote: 0 exactly, 1 as
 * "[lib]NAME.so", 2 as "[lib]NAME.so.VERSION" (*version set); -1 not. */
static int name_rank(const char *name, const char *file, const char **version)
{
	static const char *const prefixes[] = { "lib", "" };
	size_t stem = strlen(name);

	if (strcmp(file, name) == 0)
		return 0;
	/* "libfoo.so" names the same library as "libfoo" */
	if (stem > 3 && strcmp(name + stem - 3, ".so") == 0)
		stem -= 3;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t plen = strlen(prefixes[i]);
		const char *rest;

		if (strncmp(file, prefixes[i], plen) != 0 || strncmp(file + plen, name, stem) != 0)
			continue;
		rest = file + plen + stem;
		if (strncmp(rest, ".so", 3) != 0)
			continue;
		if (rest[3] == '\0')
			return 1;
		if (rest[3] == '.') {
			*version = rest + 4;
			return 2;
		}
	}
	return -1;
}

/* Orders "6" < "6.1" < "10" the way numbers do; non-digits bytewise. */
static int cmp_versions(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			char *a_end, *b_end;
			unsigned long long x = strtoull(a, &a_end, 10);
			unsigned long long y = strtoull(b, &b_end, 10);

			if (x != y)
				return x < y ? -1 : 1;
			a = a_end;
			b = b_end;
		} else if (*a != *b) {
			return (unsigned char)*a - (unsigned char)*b;
		} else {
			a++;
			b++;
		}
	}
	return (unsigned char)*a - (unsigned char)*b;
}

struct candidate {
	char *path;
	char *file;		/* the name matched; version points into it */
	const char *version;
	int rank;		/* name_rank() */
	bool abi_miss;		/* the cache flags it for another ABI */
	bool hw_variant;	/* a glibc-hwcaps build: not every CPU loads it */
	int order;
};

struct search {
	const char *name, *root;
	int want_class, want_machine;
	const struct abi *abi;
	struct candidate *cands;
	int ncands, cap;
};

static int by_preference(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	int c;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->abi_miss != y->abi_miss)
		return x->abi_miss - y->abi_miss;
	if (x->hw_variant != y->hw_variant)
		return x->hw_variant - y->hw_variant;
	if (x->rank == 2 && (c = cmp_versions(y->version, x->version)))
		return c;	/* highest version first */
	return x->order - y->order;
}

/* Adds a candidate if file's name fits; the caller fills in its path. */
static struct candidate *add_candidate(struct search *s, const char *file, uint32_t flags,
				       bool from_cache, uint64_t hwcap)
{
	const char *version = NULL;
	int rank = name_rank(s->name, file, &version);
	struct candidate c;

	if (rank < 0)
		return NULL;
	c.path = NULL;
	c.file = xstrdup(file);
	c.version = version ? c.file + (version - file) : NULL;
	c.rank = rank;
	c.abi_miss = from_cache && !abi_flags_match(s->abi, flags);
	c.hw_variant = hwcap != 0;
	c.order = s->ncands;
	VEC_PUSH(s->cands, s->ncands, s->cap, c);
	return &s->cands[s->ncands - 1];
}

static bool lib_fits(const char *path, int want_class, int want_machine)
{
	char err[128];
	struct elf_file *f = elf_open(path, err, sizeof(err));
	bool ok = f && (!want_class || elf_class(f) == want_class) &&
		  (!want_machine || elf_machine(f) == want_machine);

	elf_close(f);
	return ok;
}

/* The most preferred candidate that is an ELF file of the wanted kind;
 * empties the list. */
static char *pick_candidate(struct search *s)
{
	char *found = NULL;

	if (s->ncands)
		qsort(s->cands, (size_t)s->ncands, sizeof(*s->cands), by_preference);
	for (int i = 0; i < s->ncands; i++) {
		struct candidate *c = &s->cands[i];

		if (!found && lib_fits(c->path, s->want_class, s->want_machine)) {
			found = c->path;
			c->path = NULL;
		}
		free(c->path);
		free(c->file);
	}
	s->ncands = 0;
	return found;
}

static int cache_entry(void *arg, const char *key, const char *value, uint32_t flags,
		       uint64_t hwcap)
{
	struct search *s = arg;
	struct candidate *c;

	/* the key names the library, the value is where it is */
	if (value[0] == '/' && (c = add_candidate(s, key, flags, true, hwcap)))
		c->path = xasprintf("%s%s", s->root, value);
	return 0;
}

static char *search_cache(struct search *s)
{
	char *path = xasprintf("%s/etc/ld.so.cache", s->root);
	size_t len;
	char *data = read_file(path, &len);

	free(path);
	if (!data)
		return NULL;
	walk_cache((const unsigned char *)data, len, cache_entry, s);
	free(data);
	return pick_candidate(s);
}

static char *search_dir(struct search *s, const char *dir)
{
	char *dir_path = xasprintf("%s%s/", s->root, dir);
	DIR *d = opendir(dir_path);
	struct dirent *de;

	if (!d) {
		free(dir_path);
		return NULL;
	}
	while ((de = readdir(d))) {
		struct candidate *c = add_candidate(s, de->d_name, 0, false, 0);

		if (c)
			c->path = xasprintf("%s%s", dir_path, de->d_name);
	}
	closedir(d);
	free(dir_path);
	return pick_candidate(s);
}

static void add_dir(char ***dirs, int *n, int *cap, const char *dir, size_t len)
{
	if (len == 0 || len >= MAX_PATH || dir[0] != '/' || *n >= MAX_DIRS)
		return;
	VEC_PUSH(*dirs, *n, *cap, xstrndup(dir, len));
}

/* musl's /etc/ld-musl-ARCH.path: directories separated by newlines or colons. */
static void add_musl_dirs(struct search *s, char ***dirs, int *n, int *cap)
{
	for (size_t i = 0; s->abi && i < ARRAY_SIZE(s->abi->musl_arch); i++) {
		const char *arch = s->abi->musl_arch[i];
		char *path, *text, *p;
		size_t len;

		if (!arch)
			continue;
		path = xasprintf("%s/etc/ld-musl-%s.path", s->root, arch);
		text = read_file(path, &len);
		free(path);
		for (p = text; p && p < text + len;) {
			size_t dir_len = strcspn(p, ":\n");

			add_dir(dirs, n, cap, p, dir_len);
			p += dir_len + 1;
		}
		free(text);
	}
}

static void add_multiarch_dirs(const struct abi *abi, char ***dirs, int *n, int *cap)
{
	static const char *const prefixes[] = { "/lib/", "/usr/lib/" };

	for (size_t i = 0; i < ARRAY_SIZE(abi->multiarch); i++)
		for (size_t j = 0; abi->multiarch[i] && j < ARRAY_SIZE(prefixes); j++) {
			char *dir = xasprintf("%s%s", prefixes[j], abi->multiarch[i]);

			add_dir(dirs, n, cap, dir, strlen(dir));
			free(dir);
		}
}

/* The directories to scan, in order: musl's configured ones, then the
 * usual places (the wanted ABI's multiarch dirs before the others). */
static int search_dirs(struct search *s, char ***dirs)
{
	static const char *const plain[] = { "/lib", "/usr/lib", "/lib64", "/usr/lib64" };
	int n = 0, cap = 0;

	*dirs = NULL;
	add_musl_dirs(s, dirs, &n, &cap);
	for (size_t i = 0; i < ARRAY_SIZE(plain); i++)
		add_dir(dirs, &n, &cap, plain[i], strlen(plain[i]));
	if (s->abi)
		add_multiarch_dirs(s->abi, dirs, &n, &cap);
	for (size_t i = 0; i < ARRAY_SIZE(abis); i++)
		if (&abis[i] != s->abi)
			add_multiarch_dirs(&abis[i], dirs, &n, &cap);
	add_dir(dirs, &n, &cap, "/usr/local/lib", strlen("/usr/local/lib"));
	return n;
}

static char *search_all_dirs(struct search *s)
{
	char **dirs, *found = NULL;
	int n = search_dirs(s, &dirs);

	for (int i = 0; i < n; i++) {
		if (!found)
			found = search_dir(s, dirs[i]);
		free(dirs[i]);
	}
	free(dirs);
	return found;
}

static char *resolve_path(const char *name, const char *root)
{
	char *path;

	if (name[0] != '/' && !root[0]) {
		char resolved[PATH_MAX];

		return realpath(name, resolved) ? xstrdup(resolved) : NULL;
	}
	path = xasprintf("%s%s%s", root, name[0] == '/' ? "" : "/", name);
	if (access(path, F_OK) == 0)
		return path;
	free(path);
	return NULL;
}

char *lib_resolve(const char *name, const char *root, int elf_class, int machine)
{
	struct search s = { 0 };
	size_t root_len = root ? strlen(root) : 0;
	char *trimmed_root, *found = NULL;

	if (!name || !name[0])
		return NULL;
	/* "/" and "/proc/1/root/" prefix paths as "" and "/proc/1/root" do */
	while (root_len && root[root_len - 1] == '/')
		root_len--;
	trimmed_root = xstrndup(root ? root : "", root_len);
	if (strchr(name, '/')) {
		found = resolve_path(name, trimmed_root);
	} else {
		s.name = name;
		s.root = trimmed_root;
		s.want_class = elf_class;
		s.want_machine = machine;
		s.abi = find_abi(elf_class, machine);
		found = search_cache(&s);
		if (!found)
			found = search_all_dirs(&s);
		free(s.cands);
	}
	free(trimmed_root);
	return found;
}
