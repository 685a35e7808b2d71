/* A compilation unit: the parsed script and everything the later stages
 * derive from it (maps, attach points, output events, programs). Data
 * flows one way: check fills maps/points/events, gen fills progs, load
 * and attach fill the fds, run and report read them. */
#ifndef AWL_UNIT_H
#define AWL_UNIT_H

#include <linux/bpf.h>

#include "awl/ast.h"
#include "awl/arch.h"

enum output_mode { OUTPUT_AUTO, OUTPUT_RINGBUF, OUTPUT_PERFBUF };

struct awl_opts {
	const struct arch *arch;
	bool dry_run;
	bool dump;
	enum output_mode output;
	int pid;		/* -p: only this process (0: all) */
	int cpid;		/* pid of the -c child (0: none) */
	bool unsafe;
	int str_size;		/* default size of strings read with str() */
	uint32_t map_entries;	/* default max entries of a map */
	uint32_t output_pages;	/* ring buffer pages (all CPUs) / perf pages per CPU */
	char **params;		/* positional parameters */
	int nparams;
};

/* A map the script names (@name or a ply bare name). */
struct map_sym {
	char *name;
	char *display;		/* as the script spells it: @name, @ or name */
	bool bare;
	struct loc loc;		/* first use */
	struct type *key;	/* NULL: a single value (@x) */
	bool key_known;		/* key seen: a first use sets it */
	struct type *val;	/* NULL until an assignment types it */
	bool assigned;		/* written somewhere: reads are legal */
	int kmap;		/* index in unit.kmaps */
};

/* A BPF map as created in the kernel. */
struct kmap {
	char name[16];
	uint32_t type, key_size, value_size, max_entries, flags;
	struct map_sym *sym;	/* the script's map, or NULL for awl's own */
	int fd;
};

/* Something a program sends to user space: a printf, an exit, ... */
enum event_kind {
	EV_PRINTF, EV_PRINT, EV_PRINT_MAP, EV_CLEAR, EV_ZERO, EV_EXIT,
	EV_TIME, EV_SYSTEM, EV_JOIN,
};

struct event_arg {
	struct type *type;
	int offset;		/* in the record */
};

struct fmt;

struct event_desc {
	enum event_kind kind;
	struct loc loc;
	struct fmt *fmt;	/* printf, system, time */
	struct event_arg *args;
	int nargs;
	int size;		/* whole record, header included */
	struct map_sym *map;	/* print/clear/zero */
	int64_t top, div;	/* print(@m, top, div) */
};

/* Frames kept of a kernel stack (the kernel's PERF_MAX_STACK_DEPTH). */
#define KSTACK_DEPTH 127

/* join(argv): at most this many strings, after a u64 count. */
#define JOIN_MAX_ARGS 16

/* Every record starts with this; ts orders perf-buffer records across
 * CPUs and is 0 in ring buffer records (which are already in order). */
#define EVENT_HDR_SIZE 16

/* One point where a program is attached: a tracepoint, one CPU's timer. */
struct attach_point {
	char *name;		/* canonical probe name, printed by `probe` */
	const struct provider *provider;
	struct probe *probe;
	int index;		/* in unit.aps: the value of `probe` */
	char *tp_cat, *tp_event;	/* tracepoint */
	long tp_id;
	struct type *tp_args;	/* TY_STRUCT of args: a tracepoint's record, or
				 * fentry's arguments (one u64 slot each) */
	char *func;		/* the probed function, printed by `func` */
	char *path;		/* uprobe: the binary or library */
	uint64_t offset;	/* uprobe: file offset; kprobe: offset into func */
	bool compat32;		/* uprobe of a 32-bit process under a 64-bit kernel */
	int btf_id;		/* fentry/fexit: the function's BTF id */
	int nargs;		/* fentry/fexit: arguments before retval */
	struct type *ret_type;	/* fexit: retval's type */
	char *event_name;	/* kprobe/uprobe through tracefs: to remove */
	bool event_is_uprobe;	/* ... from uprobe_events (else kprobe_events) */
	uint32_t perf_type;	/* perf events: interval, profile, software */
	uint64_t perf_config;
	uint64_t period;	/* sample period, or frequency if use_freq */
	bool use_freq;
	int cpu;		/* -1: every CPU */
	struct bpf_program *prog;
	int *fds;		/* perf events attach opened */
	int nfds, capfds;
	int *links;		/* BPF links of the program to those events */
	int nlinks, caplinks;
	bool linked;		/* links were used: closing them detaches */
	bool in_multi_link;	/* attached by another point's uprobe_multi link */
};

struct bpf_program {
	char name[16];
	uint32_t prog_type;		/* BPF_PROG_TYPE_* it is loaded as */
	uint32_t expected_attach_type;	/* fentry/fexit: from their attach point */
	uint32_t attach_btf_id;
	struct probe *probe;
	const struct provider *provider;
	struct attach_point **aps;	/* where this program is attached */
	int naps, capaps;
	struct bpf_insn *insns;
	int ninsns;
	int stack_size;
	int fd;
};

struct unit {
	struct program *prog;
	const struct awl_opts *opts;
	const struct arch *arch;
	struct map_sym **maps;
	int nmaps, capmaps;
	struct kmap *kmaps;
	int nkmaps, capkmaps;
	struct event_desc **events;
	int nevents, capevents;
	struct attach_point **aps;
	int naps, capaps;
	struct bpf_program **progs;
	int nprogs, capprogs;
	int out_kmap;		/* ring buffer or perf event array; -1: none */
	int lost_kmap;		/* per-CPU count of records that could not be sent */
	int drops_kmap;		/* per-CPU count of updates a full map refused,
				 * one slot per kmap index */
	int zero_kmap;		/* one zeroed value, to initialise large map values */
	int stack_kmap;		/* stack traces; -1: none */
	int scratch_kmap;	/* per-CPU room for records too large for the stack */
	bool ringbuf;		/* output through the ring buffer (else perf) */
	bool user_str_helpers;	/* probe_read_{user,kernel}_str exist (5.5+) */
	bool uprobe_multi;	/* uprobes attach many to a link (6.6+) */
	bool special_via_uprobe;	/* BEGIN/END as uprobes on awl itself (< 5.10) */
	int zero_size;
	uint32_t output_pages;	/* ring buffer pages, or perf pages per CPU */
	uint64_t start_ns;	/* CLOCK_MONOTONIC at start: `elapsed` */
	bool has_end;
	bool uses_kstack;	/* a stack trace map is needed */
	int exit_code;
};

struct unit *unit_new(struct program *prog, const struct awl_opts *opts);
void unit_free(struct unit *u);
int unit_add_kmap(struct unit *u, const char *name, uint32_t type, uint32_t key_size,
		  uint32_t value_size, uint32_t max_entries, uint32_t flags);
int unit_add_event(struct unit *u, struct event_desc *ev);
/* Attach points a script may expand to: each costs fds and kernel memory. */
#define MAX_ATTACH_POINTS 20000

struct attach_point *unit_add_ap(struct unit *u, struct probe *p, const struct provider *prov,
				 const char *name);
void ap_add_fd(struct attach_point *ap, int fd);

#endif
