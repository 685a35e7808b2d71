/* A small ELF reader for uprobes: function symbols and file offsets of
 * 32/64-bit, little/big-endian executables and shared objects. */
#ifndef AWL_ELF_H
#define AWL_ELF_H

#include "awl/util.h"

struct elf_file;

/* Maps the file read-only and checks its headers. NULL on failure, with
 * a one-line reason in err ("not an ELF file", "No such file or
 * directory", ...). */
struct elf_file *elf_open(const char *path, char *err, size_t errlen);
/* The same on bytes in memory (tests, fuzzing): data is not copied and
 * must outlive the elf_file. */
struct elf_file *elf_open_mem(const void *data, size_t size, char *err, size_t errlen);
void elf_close(struct elf_file *f);

int elf_class(const struct elf_file *f);	/* 32 or 64 */
int elf_machine(const struct elf_file *f);	/* EM_X86_64, EM_AARCH64, ... */
bool elf_is_pie_or_shared(const struct elf_file *f);
/* The entry point's virtual address: code, even in stripped files. */
uint64_t elf_entry(const struct elf_file *f);
/* False for stripped binaries, which keep only .dynsym. */
bool elf_has_symtab(const struct elf_file *f);

/* Calls fn for each defined function (STT_FUNC, STT_GNU_IFUNC) whose name
 * matches the fnmatch() glob (NULL: all), once per name, in ascending
 * name order: .symtab first, then .dynsym for names .symtab lacks.
 * Symbol versions ("@@GLIBC_2.2.5") are cut off names; ARM Thumb
 * addresses have bit 0 cleared. Returns how many matched, or the first
 * non-zero value fn returned. */
int elf_foreach_func(struct elf_file *f, const char *glob,
		     int (*fn)(void *arg, const char *name, uint64_t vaddr, uint64_t size),
		     void *arg);
/* 0 and the function's address and size, or -ENOENT. */
int elf_find_func(struct elf_file *f, const char *name, uint64_t *vaddr, uint64_t *size);
/* Whether an ARM function is Thumb code (its symbol had bit 0 set). */
bool elf_func_is_thumb(struct elf_file *f, const char *name);

/* The file offset of a virtual address, as uprobes want it: through the
 * PT_LOAD segment holding it (executable ones first). 0 or -ENOENT. */
int elf_vaddr_to_offset(const struct elf_file *f, uint64_t vaddr, uint64_t *offset);

#endif
