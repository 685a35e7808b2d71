/* Printing what the programs gathered: maps the way bpftrace prints them
 * (values sorted, histograms with bars, stats) and single values. */
#ifndef AWL_REPORT_H
#define AWL_REPORT_H

#include <stdio.h>
#include "awl/unit.h"

#include <signal.h>

/* Set (by a signal handler) to cut the maps being printed short. */
extern volatile sig_atomic_t report_interrupted;

/* At exit: every non-empty map, in name order. */
void report_all_maps(FILE *out, struct unit *u);
/* print(@m[, top[, div]]): top 0 prints everything. */
void report_map(FILE *out, struct unit *u, struct map_sym *m, int64_t top, int64_t div);
void map_clear(struct unit *u, struct map_sym *m);
void map_zero(struct unit *u, struct map_sym *m);
/* One value of type t stored at data, as print() and %v show it. */
void print_value(FILE *out, struct unit *u, const struct type *t, const uint8_t *data);
/* The text of a value for %s (strings, inet addresses, probe names). */
void value_text(struct unit *u, const struct type *t, const uint8_t *data, char *buf, size_t len);

#endif
