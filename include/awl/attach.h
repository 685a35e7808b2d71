/* Attaching loaded programs to their probes, and detaching them. Every
 * attachment is an fd the kernel undoes when it is closed, so a killed
 * awl leaves nothing behind. */
#ifndef AWL_ATTACH_H
#define AWL_ATTACH_H

#include <linux/perf_event.h>
#include "awl/sys.h"
#include "awl/unit.h"

/* Attaches every point (BEGIN/END excepted); on a failure detaches what
 * was attached and returns -1 after saying why. */
int attach_all(struct unit *u);
/* Stops every program from running (END runs after this). */
void detach_all(struct unit *u);
/* Closes every perf event: slow for tracepoints (a grace period each),
 * so done last, after the output is out. */
void release_all(struct unit *u);
/* Opens a perf event for pid on cpu (-1: any), attaches ap's program
 * to it and enables it. Explains failures; returns 0 or -1. */
int attach_perf_event(struct attach_point *ap, struct perf_event_attr *attr, int pid, int cpu);
/* The same, but returns -errno of perf_event_open() without a message,
 * for callers with a better explanation of their own. */
int try_attach_perf_event(struct attach_point *ap, struct perf_event_attr *attr, int pid, int cpu);
/* Says why a perf_event_open() for ap failed, and what to do. */
void explain_perf_error(const struct attach_point *ap, int err);
/* The same for any call that attaches: perf_event_open(), a BPF link,
 * the perf event ioctls. */
void explain_attach_error(const struct attach_point *ap, enum sys_call call, int err);

#endif
