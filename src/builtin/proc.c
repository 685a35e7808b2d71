/* Builtins about the current task and time: pid, tid, uid, gid, comm,
 * cpu, nsecs, elapsed, rand, cgroup, cpid, probe; and signal(). */
#include <signal.h>
#include <string.h>

#include "awl/builtin.h"
#include "awl/compat.h"
#include "awl/gen.h"

#define COMM_SIZE 16

/* Calls a helper that takes no arguments and keeps r0 (optionally
 * shifted and masked) as the value. */
static int gen_helper_value(struct gen *g, struct node *n, struct val *out, int helper,
			    int shift, bool low32)
{
	emit_call(g, helper);
	if (shift)
		emit(g, ALU64_IMM(BPF_RSH, R0, shift));
	if (low32)
		emit(g, MOV32_REG(R0, R0));	/* zero-extends the low half */
	*out = val_scalar(g, n->type);
	val_store_reg(g, out, R0);
	return 0;
}

static struct type *check_u32(struct checker *c, struct node *n) { return &type_u32; }
static struct type *check_u64(struct checker *c, struct node *n) { return &type_u64; }

static int gen_pid(struct gen *g, struct node *n, struct val *out)
{
	return gen_helper_value(g, n, out, HELPER_get_current_pid_tgid, 32, false);
}

static int gen_tid(struct gen *g, struct node *n, struct val *out)
{
	return gen_helper_value(g, n, out, HELPER_get_current_pid_tgid, 0, true);
}

static int gen_uid(struct gen *g, struct node *n, struct val *out)
{
	return gen_helper_value(g, n, out, HELPER_get_current_uid_gid, 0, true);
}

static int gen_gid(struct gen *g, struct node *n, struct val *out)
{
	return gen_helper_value(g, n, out, HELPER_get_current_uid_gid, 32, false);
}

static int gen_cpu(struct gen *g, struct node *n, struct val *out)
{
	return gen_helper_value(g, n, out, HELPER_get_smp_processor_id, 0, false);
}

static int gen_nsecs(struct gen *g, struct node *n, struct val *out)
{
	return gen_helper_value(g, n, out, HELPER_ktime_get_ns, 0, false);
}

static int gen_rand(struct gen *g, struct node *n, struct val *out)
{
	return gen_helper_value(g, n, out, HELPER_get_prandom_u32, 0, false);
}

static int gen_cgroup(struct gen *g, struct node *n, struct val *out)
{
	return gen_helper_value(g, n, out, HELPER_get_current_cgroup_id, 0, false);
}

/* The start time is known when the program is generated, just before
 * it is loaded: a constant, not a map lookup per event. */
static int gen_elapsed(struct gen *g, struct node *n, struct val *out)
{
	emit_call(g, HELPER_ktime_get_ns);
	emit_ld_imm64(g, R1, g->u->start_ns);
	emit(g, ALU64_REG(BPF_SUB, R0, R1));
	*out = val_scalar(g, n->type);
	val_store_reg(g, out, R0);
	return 0;
}

static struct type *check_comm(struct checker *c, struct node *n)
{
	return type_str(COMM_SIZE);
}

static int gen_comm(struct gen *g, struct node *n, struct val *out)
{
	int off = stack_alloc(g, COMM_SIZE);

	/* Some kernels (6.1's strscpy) leave what was there after the name:
	 * zeroed first, equal names make equal map keys. */
	emit_zero(g, off, COMM_SIZE);
	emit(g, MOV64_REG(R1, FP));
	emit(g, ALU64_IMM(BPF_ADD, R1, off));
	emit(g, MOV64_IMM(R2, COMM_SIZE));
	emit_call(g, HELPER_get_current_comm);
	*out = (struct val){ .kind = V_STACK, .off = off, .size = COMM_SIZE, .type = n->type };
	return 0;
}

static struct type *check_cpid(struct checker *c, struct node *n)
{
	if (!c->u->opts->cpid && !c->u->opts->dry_run) {
		cerror(c, n->loc, "cpid is the pid of the -c command: run with -c CMD");
		return NULL;
	}
	return &type_u32;
}

static int gen_cpid(struct gen *g, struct node *n, struct val *out)
{
	*out = val_imm(g->u->opts->cpid, n->type);
	return 0;
}

static struct type *check_probe(struct checker *c, struct node *n)
{
	/* One program per attach point, each with its own constant. */
	if (c->probe->naps > 1)
		c->probe->uses_probe_name = true;
	return type_int_fmt(8, false, FMT_PROBE);
}

static int gen_probe(struct gen *g, struct node *n, struct val *out)
{
	return gen_point_index(g, n, out);
}

const struct builtin builtins_proc[] = {
	{ "pid", check_u32, gen_pid },
	{ "tid", check_u32, gen_tid },
	{ "uid", check_u32, gen_uid },
	{ "gid", check_u32, gen_gid },
	{ "cpu", check_u32, gen_cpu },
	{ "nsecs", check_u64, gen_nsecs },
	{ "time", check_u64, gen_nsecs },	/* ply */
	{ "elapsed", check_u64, gen_elapsed },
	{ "rand", check_u32, gen_rand },
	{ "cgroup", check_u64, gen_cgroup },
	{ "comm", check_comm, gen_comm },
	{ "execname", check_comm, gen_comm },	/* ply */
	{ "cpid", check_cpid, gen_cpid },
	{ "probe", check_probe, gen_probe },
	{ NULL, NULL, NULL },
};

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "SIGHUP", SIGHUP }, { "SIGINT", SIGINT }, { "SIGQUIT", SIGQUIT },
	{ "SIGKILL", SIGKILL }, { "SIGUSR1", SIGUSR1 }, { "SIGUSR2", SIGUSR2 },
	{ "SIGPIPE", SIGPIPE }, { "SIGALRM", SIGALRM }, { "SIGTERM", SIGTERM },
	{ "SIGSTOP", SIGSTOP }, { "SIGCONT", SIGCONT }, { "SIGTRAP", SIGTRAP },
	{ "SIGABRT", SIGABRT }, { "SIGSEGV", SIGSEGV },
};

/* signal(SIGKILL), signal("KILL"), signal(9): a constant signal. */
static struct type *check_signal(struct checker *c, struct node *call)
{
	struct node *a = call->kids[0];
	int64_t v;

	if (a->kind == N_STR || a->kind == N_IDENT) {
		const char *name = a->kind == N_STR ? a->str : a->name;

		for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
			if (!strcmp(name, signals[i].name) || !strcmp(name, signals[i].name + 3)) {
				call->num = signals[i].sig;
				return &type_none;
			}
		}
		cerror(c, a->loc, "unknown signal '%s'", name);
		return NULL;
	}
	if (!check_int_arg(c, a, "the signal", false))
		return NULL;
	if (!const_int(a, &v) || v < 1 || v > 64) {
		cerror(c, a->loc, "signal() needs a constant signal number from 1 to 64, or a name");
		return NULL;
	}
	call->num = v;
	return &type_none;
}

static int gen_signal(struct gen *g, struct node *call, struct val *out)
{
	emit(g, MOV64_IMM(R1, (int32_t)call->num));
	emit_call(g, HELPER_send_signal);
	*out = (struct val){ .kind = V_NONE, .type = &type_none };
	return 0;
}

const struct func funcs_proc[] = {
	{ "signal", 1, 1, F_STMT | F_UNSAFE, check_signal, gen_signal },
	{ NULL, 0, 0, 0, NULL, NULL },
};
