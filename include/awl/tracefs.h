/* tracefs: where the kernel lists its tracepoints and describes their
 * records. Found at /sys/kernel/tracing or /sys/kernel/debug/tracing and
 * mounted by awl (as root) where it is absent. AWL_TRACEFS overrides the
 * directory (tests and fuzzing use a fixture tree). */
#ifndef AWL_TRACEFS_H
#define AWL_TRACEFS_H

#include "awl/type.h"

/* The tracefs directory, or NULL after printing why it is not there
 * and how to get it. */
const char *tracefs_dir(void);
/* Tracepoints as "category:name" whose parts match the two fnmatch()
 * globs, sorted; returns their number (0 if none), or -1 if tracefs is
 * missing. *out is a NULL-terminated array the caller frees (each
 * string and the array). */
int tracefs_events(const char *cat_glob, const char *name_glob, char ***out);
/* Reads events/CAT/NAME/format. On success fills *id and *args (a
 * TY_STRUCT of the fields after the common_ ones) and returns 0; -errno
 * otherwise. Pointer fields of syscall tracepoints point at user memory. */
int tracefs_read_format(const char *cat, const char *name, int word_size, long *id,
			struct type **args);
/* Parses the text of a format file (exposed for tests and fuzzing). */
struct type *tp_format_parse(const char *text, int word_size, bool user_ptrs, long *id);

#endif
