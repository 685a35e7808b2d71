/* Finding a shared library by short name ("libc", "c", "libc.so.6") the
 * way the dynamic linker would: glibc's ld.so.cache, musl's path file,
 * then the standard directories. */
#ifndef AWL_LDCACHE_H
#define AWL_LDCACHE_H

#include "awl/util.h"

/* The absolute path of the best match for name, prefixed with root
 * (e.g. "/proc/1234/root"; NULL or "" for none), or NULL. Candidates
 * must be ELF files of elf_class (32/64) and machine (EM_*); 0 accepts
 * any. A name with a '/' is a path, returned if it exists. The caller
 * frees the result. */
char *lib_resolve(const char *name, const char *root, int elf_class, int machine);

/* Calls fn for each entry of an ld.so.cache image (old "ld.so-1.7.0"
 * format, new "glibc-ld.so.cache1.1" format, or the old one followed by
 * the new), stopping at the first non-zero return, which it returns.
 * Otherwise returns the number of entries, or -EINVAL if data is not a
 * cache. Exposed for tests and fuzzing. */
int ldcache_parse(const void *data, size_t len,
		  int (*fn)(void *arg, const char *key, const char *value, uint32_t flags),
		  void *arg);

#endif
