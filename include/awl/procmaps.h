/* A process's mapped files from /proc/PID/maps: which copy of a library
 * it really loaded, for uprobes on that process. */
#ifndef AWL_PROCMAPS_H
#define AWL_PROCMAPS_H

#include "awl/util.h"

/* "/proc/PID/root" + the path of the first file mapped by pid whose base
 * name is lib, "lib"+lib+".so[.*]", lib+".so[.*]" or, for glibc before
 * 2.34, "lib"+lib+"-VERSION.so"; NULL if none. The caller frees it. */
char *proc_maps_find(int pid, const char *lib);

/* Calls fn for each well-formed line of maps text ("" as path for
 * anonymous mappings), stopping at the first non-zero return, which it
 * returns; otherwise the number of lines passed. Exposed for fuzzing. */
int proc_maps_parse(const char *text, size_t len,
		    int (*fn)(void *arg, uint64_t start, uint64_t end, uint64_t offset,
			      const char *perms, const char *path),
		    void *arg);

#endif
