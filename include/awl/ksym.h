/* Kernel symbols from /proc/kallsyms, for printing kstack and ksym(). */
#ifndef AWL_KSYM_H
#define AWL_KSYM_H

#include "awl/util.h"

/* The symbol containing addr and the offset into it; NULL when unknown
 * (no kallsyms, addresses hidden by kptr_restrict, or outside text). */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);
/* Parses kallsyms text (exposed for tests and fuzzing), replacing any
 * parsed before: keeps text symbols; returns how many. */
int ksym_parse(const char *text, size_t len);

#endif
