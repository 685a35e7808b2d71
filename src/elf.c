/* ELF reader for uprobes; every read is bounds-checked because it is fuzzed. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "awl/elf.h"

#ifndef STT_GNU_IFUNC
#define STT_GNU_IFUNC 10
#endif

/* Limits against hostile files, far above what real binaries hold
 * (MAX_SYMS bounds both the entries read per table and the functions kept). */
#define MAX_SECTIONS (1 << 22)
#define MAX_SEGMENTS (1 << 16)
#define MAX_SYMS 10000000
#define MAX_NAME 4096

struct section {
	uint32_t type, link, info;
	uint64_t offset, size, entsize;
};

struct segment {
	uint32_t type, flags;
	uint64_t offset, vaddr, memsz;
};

struct func {
	const char *name;	/* into the file: not NUL-terminated at len when a version followed */
	uint32_t len;
	uint32_t seq;		/* reading order, so the first definition of a name wins */
	uint64_t vaddr, size;
	bool thumb;
};

struct elf_file {
	const unsigned char *data;
	size_t size;
	bool mapped;
	bool big_endian;
	int class;
	unsigned type, machine;
	uint64_t entry;
	struct section *sections;
	int nsections;
	struct segment *segments;
	int nsegments;
	struct func *funcs;	/* sorted by name, one per name */
	int nfuncs;
	bool funcs_loaded;
};

/* An n-byte integer at off in the file's byte order; 0 past the end. */
static uint64_t rd(const struct elf_file *f, uint64_t off, size_t n)
{
	uint64_t v = 0;

	if (off > f->size || n > f->size - off)
		return 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | f->data[off + (f->big_endian ? i : n - 1 - i)];
	return v;
}

/* Field m of the ELF structure T (Ehdr, Shdr, ...) at base, in either class. */
#define FIELD(f, base, T, m) ((f)->class == 64 ? \
	rd(f, (base) + offsetof(Elf64_##T, m), sizeof(((Elf64_##T *)0)->m)) : \
	rd(f, (base) + offsetof(Elf32_##T, m), sizeof(((Elf32_##T *)0)->m)))
#define SIZEOF(f, T) ((f)->class == 64 ? sizeof(Elf64_##T) : sizeof(Elf32_##T))

/* Whether count entries of entsize bytes at off lie inside the file. */
static bool table_fits(const struct elf_file *f, uint64_t off, uint64_t count, uint64_t entsize)
{
	if (off > f->size)
		return false;
	return count == 0 || (entsize && count <= (f->size - off) / entsize);
}

/* The bytes of a section that are really in the file (truncated files
 * keep what they have). */
static uint64_t bytes_in_file(const struct elf_file *f, const struct section *s)
{
	if (s->type == SHT_NOBITS || s->offset >= f->size)
		return 0;
	return MIN(s->size, f->size - s->offset);
}

static const char *read_ident(struct elf_file *f)
{
	static const int classes[] = { [ELFCLASS32] = 32, [ELFCLASS64] = 64 };
	const unsigned char *ident = f->data;

	if (f->size < EI_NIDENT || memcmp(ident, ELFMAG, SELFMAG) != 0)
		return "not an ELF file";
	if (ident[EI_CLASS] >= ARRAY_SIZE(classes) || !classes[ident[EI_CLASS]])
		return "unsupported ELF class";
	f->class = classes[ident[EI_CLASS]];
	if (ident[EI_DATA] != ELFDATA2LSB && ident[EI_DATA] != ELFDATA2MSB)
		return "unsupported ELF byte order";
	f->big_endian = ident[EI_DATA] == ELFDATA2MSB;
	if (f->size < SIZEOF(f, Ehdr))
		return "truncated ELF header";
	f->type = (unsigned)FIELD(f, 0, Ehdr, e_type);
	f->machine = (unsigned)FIELD(f, 0, Ehdr, e_machine);
	f->entry = FIELD(f, 0, Ehdr, e_entry);
	if (f->type != ET_EXEC && f->type != ET_DYN)
		return "not an executable or shared object";
	return NULL;
}

static const char *read_sections(struct elf_file *f)
{
	uint64_t off = FIELD(f, 0, Ehdr, e_shoff);
	uint64_t entsize = FIELD(f, 0, Ehdr, e_shentsize);
	uint64_t count = FIELD(f, 0, Ehdr, e_shnum);

	if (off == 0 || (count == 0 && entsize == 0))
		return NULL;	/* no section headers (sstrip'ed): no symbols */
	if (entsize < SIZEOF(f, Shdr))
		return "bad section header size";
	if (!table_fits(f, off, 1, entsize))
		return "truncated section headers";
	if (count == 0)		/* more than SHN_LORESERVE: the count is in section 0 */
		count = FIELD(f, off, Shdr, sh_size);
	if (count > MAX_SECTIONS)
		return "too many sections";
	if (!table_fits(f, off, count, entsize))
		return "truncated section headers";
	f->sections = xcalloc(count, sizeof(*f->sections));
	for (uint64_t i = 0; i < count; i++) {
		struct section *s = &f->sections[i];
		uint64_t base = off + i * entsize;

		s->type = (uint32_t)FIELD(f, base, Shdr, sh_type);
		s->link = (uint32_t)FIELD(f, base, Shdr, sh_link);
		s->info = (uint32_t)FIELD(f, base, Shdr, sh_info);
		s->offset = FIELD(f, base, Shdr, sh_offset);
		s->size = FIELD(f, base, Shdr, sh_size);
		s->entsize = FIELD(f, base, Shdr, sh_entsize);
	}
	f->nsections = (int)count;
	return NULL;
}

static const char *read_segments(struct elf_file *f)
{
	uint64_t off = FIELD(f, 0, Ehdr, e_phoff);
	uint64_t entsize = FIELD(f, 0, Ehdr, e_phentsize);
	uint64_t count = FIELD(f, 0, Ehdr, e_phnum);

	if (count == PN_XNUM)	/* too many for e_phnum: the count is in section 0 */
		count = f->nsections ? f->sections[0].info : 0;
	if (count == 0)
		return NULL;
	if (entsize < SIZEOF(f, Phdr))
		return "bad program header size";
	if (count > MAX_SEGMENTS)
		return "too many program headers";
	if (!table_fits(f, off, count, entsize))
		return "truncated program headers";
	f->segments = xcalloc(count, sizeof(*f->segments));
	for (uint64_t i = 0; i < count; i++) {
		struct segment *p = &f->segments[i];
		uint64_t base = off + i * entsize;

		p->type = (uint32_t)FIELD(f, base, Phdr, p_type);
		p->flags = (uint32_t)FIELD(f, base, Phdr, p_flags);
		p->offset = FIELD(f, base, Phdr, p_offset);
		p->vaddr = FIELD(f, base, Phdr, p_vaddr);
		p->memsz = FIELD(f, base, Phdr, p_memsz);
	}
	f->nsegments = (int)count;
	return NULL;
}

static struct elf_file *fail(struct elf_file *f, const char *why, char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", why);
	elf_close(f);
	return NULL;
}

struct elf_file *elf_open_mem(const void *data, size_t size, char *err, size_t errlen)
{
	struct elf_file *f = xcalloc(1, sizeof(*f));
	const char *why;

	f->data = data;
	f->size = size;
	if ((why = read_ident(f)) || (why = read_sections(f)) || (why = read_segments(f)))
		return fail(f, why, err, errlen);
	return f;
}

struct elf_file *elf_open(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct elf_file *f;
	struct stat st;
	void *data;

	if (fd < 0 || fstat(fd, &st) != 0) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		return fail(NULL, strerror(saved), err, errlen);
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0 || (uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return fail(NULL, S_ISDIR(st.st_mode) ? strerror(EISDIR) :
			    S_ISREG(st.st_mode) && st.st_size ? "file too large" : "not an ELF file",
			    err, errlen);
	}
	data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (data == MAP_FAILED)
		return fail(NULL, strerror(errno), err, errlen);
	f = elf_open_mem(data, (size_t)st.st_size, err, errlen);
	if (!f) {
		munmap(data, (size_t)st.st_size);
		return NULL;
	}
	f->mapped = true;
	return f;
}

void elf_close(struct elf_file *f)
{
	if (!f)
		return;
	if (f->mapped)
		munmap((void *)f->data, f->size);
	free(f->sections);
	free(f->segments);
	free(f->funcs);
	free(f);
}

int elf_class(const struct elf_file *f)
{
	return f->class;
}

int elf_machine(const struct elf_file *f)
{
	return (int)f->machine;
}

bool elf_is_pie_or_shared(const struct elf_file *f)
{
	return f->type == ET_DYN;
}

uint64_t elf_entry(const struct elf_file *f)
{
	return f->entry;
}

bool elf_has_symtab(const struct elf_file *f)
{
	for (int i = 0; i < f->nsections; i++)
		if (f->sections[i].type == SHT_SYMTAB && bytes_in_file(f, &f->sections[i]))
			return true;
	return false;
}

/* Adds the symbol at base if it is a defined function with a sane name. */
static void add_symbol(struct elf_file *f, uint64_t base, const struct section *strtab,
		       int *cap)
{
	uint64_t strsize = bytes_in_file(f, strtab);
	unsigned type = ELF64_ST_TYPE(FIELD(f, base, Sym, st_info));
	uint64_t value = FIELD(f, base, Sym, st_value);
	uint64_t name_off = FIELD(f, base, Sym, st_name);
	const char *name, *end, *at;
	struct func fn = { 0 };

	if (type != STT_FUNC && type != STT_GNU_IFUNC)
		return;
	if (FIELD(f, base, Sym, st_shndx) == SHN_UNDEF || value == 0 || name_off >= strsize)
		return;
	name = (const char *)f->data + strtab->offset + name_off;
	end = memchr(name, '\0', MIN(strsize - name_off, MAX_NAME + 1));
	if (!end)
		return;
	/* "malloc@@GLIBC_2.2.5": probes name the function, not its version */
	at = memchr(name, '@', (size_t)(end - name));
	if (at)
		end = at;
	/* ARM marks Thumb functions with bit 0; the code starts at the even address */
	fn.thumb = f->machine == EM_ARM && (value & 1);
	fn.vaddr = value & ~(uint64_t)fn.thumb;
	if (end == name || fn.vaddr == 0)
		return;
	fn.name = name;
	fn.len = (uint32_t)(end - name);
	fn.seq = (uint32_t)f->nfuncs;
	fn.size = FIELD(f, base, Sym, st_size);
	VEC_PUSH(f->funcs, f->nfuncs, *cap, fn);
}

static void add_symbols(struct elf_file *f, const struct section *symtab, int *cap)
{
	uint64_t entsize = symtab->entsize ? symtab->entsize : SIZEOF(f, Sym);
	const struct section *strtab;
	uint64_t count;

	if (symtab->link >= (uint32_t)f->nsections || entsize < SIZEOF(f, Sym))
		return;
	strtab = &f->sections[symtab->link];
	if (strtab->type != SHT_STRTAB)
		return;
	count = MIN(bytes_in_file(f, symtab) / entsize, (uint64_t)MAX_SYMS);
	for (uint64_t i = 0; i < count && f->nfuncs < MAX_SYMS; i++)
		add_symbol(f, symtab->offset + i * entsize, strtab, cap);
}

static int cmp_names(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, MIN(alen, blen));

	return c ? c : (alen > blen) - (alen < blen);
}

static int by_name_then_seq(const void *a, const void *b)
{
	const struct func *x = a, *y = b;
	int c = cmp_names(x->name, x->len, y->name, y->len);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Reads .symtab then .dynsym once, sorted by name with one entry per name. */
static void load_funcs(struct elf_file *f)
{
	static const uint32_t table_types[] = { SHT_SYMTAB, SHT_DYNSYM };
	int cap = 0, kept = 0;

	if (f->funcs_loaded)
		return;
	f->funcs_loaded = true;
	/* one table of each type, as the gABI allows: a crafted file with
	 * thousands of symbol tables over the same bytes took minutes */
	for (size_t t = 0; t < ARRAY_SIZE(table_types); t++)
		for (int i = 0; i < f->nsections; i++)
			if (f->sections[i].type == table_types[t]) {
				add_symbols(f, &f->sections[i], &cap);
				break;
			}
	if (!f->nfuncs)
		return;
	qsort(f->funcs, (size_t)f->nfuncs, sizeof(*f->funcs), by_name_then_seq);
	for (int i = 0; i < f->nfuncs; i++)
		if (!kept || cmp_names(f->funcs[i].name, f->funcs[i].len,
				       f->funcs[kept - 1].name, f->funcs[kept - 1].len))
			f->funcs[kept++] = f->funcs[i];
	f->nfuncs = kept;
}

/* The index of name in the sorted functions, or -1. */
static int find_index(struct elf_file *f, const char *name)
{
	size_t len = strlen(name);
	int lo = 0, hi;

	load_funcs(f);
	hi = f->nfuncs;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		int c = cmp_names(f->funcs[mid].name, f->funcs[mid].len, name, len);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static const struct func *lookup(struct elf_file *f, const char *name)
{
	int i = find_index(f, name);

	return i < 0 ? NULL : &f->funcs[i];
}

/* The function's name as a C string: in place, or copied into buf
 * (MAX_NAME + 1 bytes) when a version followed it. */
static const char *func_name(const struct func *fn, char *buf)
{
	if (fn->name[fn->len] == '\0')
		return fn->name;
	memcpy(buf, fn->name, fn->len);
	buf[fn->len] = '\0';
	return buf;
}

int elf_foreach_func(struct elf_file *f, const char *glob,
		     int (*fn)(void *arg, const char *name, uint64_t vaddr, uint64_t size),
		     void *arg)
{
	char buf[MAX_NAME + 1];
	int count = 0, lo = 0, hi;

	load_funcs(f);
	hi = f->nfuncs;
	/* a plain name needs no scan (a backslash is fnmatch's escape) */
	if (glob && !glob_has_magic(glob) && !strchr(glob, '\\')) {
		int only = find_index(f, glob);

		lo = MAX(only, 0);
		hi = only + 1;
	}
	for (int i = lo; i < hi; i++) {
		const struct func *p = &f->funcs[i];
		const char *name = func_name(p, buf);
		int rc;

		if (glob && fnmatch(glob, name, 0) != 0)
			continue;
		rc = fn(arg, name, p->vaddr, p->size);
		if (rc)
			return rc;
		count++;
	}
	return count;
}

int elf_find_func(struct elf_file *f, const char *name, uint64_t *vaddr, uint64_t *size)
{
	const struct func *fn = lookup(f, name);

	if (!fn)
		return -ENOENT;
	if (vaddr)
		*vaddr = fn->vaddr;
	if (size)
		*size = fn->size;
	return 0;
}

bool elf_func_is_thumb(struct elf_file *f, const char *name)
{
	const struct func *fn = lookup(f, name);

	return fn && fn->thumb;
}

static const struct segment *load_segment_of(const struct elf_file *f, uint64_t vaddr,
					     bool exec_only)
{
	for (int i = 0; i < f->nsegments; i++) {
		const struct segment *p = &f->segments[i];

		if (p->type != PT_LOAD || (exec_only && !(p->flags & PF_X)))
			continue;
		if (p->vaddr <= vaddr && vaddr - p->vaddr < p->memsz)
			return p;
	}
	return NULL;
}

int elf_vaddr_to_offset(const struct elf_file *f, uint64_t vaddr, uint64_t *offset)
{
	const struct segment *p = load_segment_of(f, vaddr, true);

	if (!p)
		p = load_segment_of(f, vaddr, false);
	if (!p)
		return -ENOENT;
	*offset = vaddr - p->vaddr + p->offset;
	return 0;
}
