/* Loading: probes the kernel's features, creates the maps and loads the
 * programs (the verifier runs here), and runs BEGIN/END programs. */
#ifndef AWL_LOAD_H
#define AWL_LOAD_H

#include "awl/unit.h"

/* Kernel features, probed once (each costs a bpf() call or two). */
bool kernel_has_ringbuf(void);
bool kernel_has_helper(uint32_t prog_type, int helper);
bool kernel_has_test_run(void);
/* Many uprobes in one link (Linux 6.6), tried on awl's own entry point. */
bool kernel_has_uprobe_multi(void);

/* Before generation: picks the output path (ring buffer or perf
 * buffer), the string helpers, and declares awl's own maps. */
int load_prepare(struct unit *u);
/* Creates every map and loads every program; 0 or exit status 2 after
 * saying why. Verifier refusals print the log and the probe. */
int load_unit(struct unit *u);
/* Runs the BEGIN (or END) programs once, in order. */
int run_loader_probes(struct unit *u, const struct provider *which);

#endif
