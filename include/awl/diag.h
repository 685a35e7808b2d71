/* Diagnostics: every script error points at file:line:col, shows the
 * source line and a caret under the column. */
#ifndef AWL_DIAG_H
#define AWL_DIAG_H

#include "awl/util.h"

struct source {
	const char *name;	/* file name, or "-e" style label */
	const char *text;	/* whole text, NUL-terminated */
	size_t len;
};

struct loc {
	int line, col;		/* 1-based; line 0 means "no location" */
};

/* The one source being compiled; set by the driver before lexing. */
void diag_set_source(const struct source *src);
const struct source *diag_source(void);

void error_at(struct loc loc, const char *fmt, ...) PRINTF_LIKE(2, 3);
void warn_at(struct loc loc, const char *fmt, ...) PRINTF_LIKE(2, 3);
void note_at(struct loc loc, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Errors with no script location (kernel, setup). */
void error_plain(const char *fmt, ...) PRINTF_LIKE(1, 2);
void warn_plain(const char *fmt, ...) PRINTF_LIKE(1, 2);
int diag_error_count(void);
/* An error about the kernel or the system, not the script (no BTF, no
 * tracefs): awl then exits 2, not 1. */
void diag_setup_error(void);
bool diag_had_setup_error(void);
/* Too many errors: stop reporting and give up (keeps garbage input fast). */
bool diag_too_many(void);
/* Forgets the source and the errors counted: for programs that compile
 * many scripts in one process (the fuzz targets of tests/fuzz/). */
void diag_reset(void);

#endif
