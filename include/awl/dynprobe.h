/* Kprobes and uprobes, two ways: through the kernel's "kprobe" and
 * "uprobe" perf PMUs (Linux 4.17), which remove the probe when its fd is
 * closed, else through tracefs's kprobe_events/uprobe_events, whose
 * entries awl must remove itself (and does, on every exit path; entries
 * left by a killed awl are removed by the next one). */
#ifndef AWL_DYNPROBE_H
#define AWL_DYNPROBE_H

#include "awl/unit.h"

enum dynprobe_kind { DYN_KPROBE, DYN_UPROBE };

struct dynprobe {
	enum dynprobe_kind kind;
	bool retprobe;
	const char *target;	/* kprobe: the function; uprobe: the binary's path */
	uint64_t offset;	/* kprobe: into the function; uprobe: file offset */
	int pid;		/* uprobe: only this process (-1: all) */
	int maxactive;		/* kretprobe instances (0: the kernel's default) */
};

/* Whether the PMU exists (Linux 4.17+ with the kind's CONFIG_). */
bool dynprobe_has_pmu(enum dynprobe_kind kind);
/* Whether probes of this kind are made through tracefs: no PMU, or
 * AWL_PROBE_API=tracefs. */
bool dynprobe_via_tracefs(enum dynprobe_kind kind);
/* Whether tracefs has kprobe_events/uprobe_events. */
bool dynprobe_has_tracefs(enum dynprobe_kind kind);
/* Creates the probe and attaches ap's program. Returns 0, or -errno
 * with nothing reported (the provider explains). */
int dynprobe_attach(struct unit *u, struct attach_point *ap, const struct dynprobe *dp);
/* Removes the tracefs entries awl created (after the fds are closed). */
void dynprobe_remove_all(struct unit *u);
/* Removes entries left by awl processes that no longer exist (killed
 * before they could); does its work once per run. */
void dynprobe_remove_stale(enum dynprobe_kind kind);

#endif
