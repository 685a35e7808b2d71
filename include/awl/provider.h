/* Probe providers: one file per probe type in src/provider/, each filling
 * in this table. Adding a probe type adds a file, not a case in five
 * switches. */
#ifndef AWL_PROVIDER_H
#define AWL_PROVIDER_H

#include <stdio.h>
#include "awl/unit.h"

/* What the program's context (r1) points at, for the builtins. */
enum ctx_kind {
	CTX_NONE,	/* BEGIN/END: run by the loader, no context */
	CTX_TRACEPOINT,	/* the tracepoint's record: args.field */
	CTX_PERF_EVENT,	/* struct bpf_perf_event_data: pt_regs first */
	CTX_PT_REGS,	/* kprobes and uprobes: the probed task's pt_regs */
	CTX_BTF_ARGS,	/* fentry/fexit: the arguments, one u64 each, then retval */
};

struct provider {
	const char *name;
	const char *const *aliases;	/* other spellings of name, NULL-terminated */
	uint32_t prog_type;		/* BPF_PROG_TYPE_* */
	enum ctx_kind ctx;
	bool run_by_loader;		/* BEGIN/END: test-run, never attached */
	bool in_task_context;		/* fires in the task that caused it: -p filters it */
	bool is_return;			/* at a function's return: retval, no arguments */
	bool one_program_per_point;	/* each point is loaded for its own target */
	bool multi_attach;		/* uprobes: many points in one link, told apart by
					 * their cookie (unit.uprobe_multi) */
	uint32_t expected_attach_type;	/* BTF-based programs: enum bpf_attach_type */
	enum addr_space mem;		/* where the probed code's pointers point */
	/* Expands one spec (rest is what follows "name:", or "" for BEGIN)
	 * into attach points with unit_add_ap(); reports its own errors. */
	int (*expand)(struct unit *u, struct probe *p, const struct probe_spec *spec,
		      const char *rest);
	/* Attaches the loaded program; fds go in ap->fds. Returns 0 or -1
	 * after saying why. */
	int (*attach)(struct unit *u, struct attach_point *ap);
	/* -l: prints the probes matching glob (NULL: all); -1 after an
	 * error (e.g. tracefs missing). */
	int (*list)(const char *glob, bool verbose, FILE *out);
};

extern const struct provider provider_begin, provider_end, provider_tracepoint,
	provider_interval, provider_profile, provider_software, provider_kprobe,
	provider_kretprobe, provider_fentry, provider_fexit, provider_uprobe, provider_uretprobe;

/* By the part of a spec before its first ':' (or all of it). */
const struct provider *provider_find(const char *name);
/* Splits "type:rest": returns the provider or NULL after an error. */
const struct provider *provider_for_spec(const struct probe_spec *spec, const char **rest);
/* Returns 0, or -1 if some probes could not be listed. */
int provider_list_all(const char *glob, bool verbose, FILE *out);

#endif
