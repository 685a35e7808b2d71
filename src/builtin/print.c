/* Functions that send events to user space: printf, print, exit, time,
 * system, and the map operations carried out there (clear, zero). The
 * checker lays out each event's record once; the generator fills it. */
#include <stdlib.h>
#include <string.h>

#include "awl/builtin.h"
#include "awl/fmt.h"
#include "awl/compat.h"
#include "awl/gen.h"

static struct event_desc *event_new(enum event_kind kind, struct loc loc)
{
	struct event_desc *ev = xcalloc(1, sizeof(*ev));

	ev->kind = kind;
	ev->loc = loc;
	ev->size = EVENT_HDR_SIZE;
	return ev;
}

static bool event_add_arg(struct checker *c, struct event_desc *ev, struct node *arg,
			  struct type *t)
{
	char buf[64];
	struct event_arg *a;

	if (t->kind == TY_NONE || t->kind == TY_AGG || t->kind == TY_STRUCT) {
		cerror(c, arg->loc, "%s cannot be printed", type_name(t, buf, sizeof(buf)));
		return false;
	}
	ev->args = xrealloc(ev->args, sizeof(*ev->args) * (size_t)(ev->nargs + 1));
	a = &ev->args[ev->nargs++];
	a->type = t->kind == TY_STR && arg->kind == N_STR ? type_str(MAX(t->size, 8)) : t;
	a->offset = ev->size;
	ev->size += type_storage_size(a->type);
	return true;
}

/* Events are registered in the reporting pass only, so each call has
 * exactly one. */
static struct type *finish_event(struct checker *c, struct node *call, struct event_desc *ev)
{
	if (c->quiet) {
		fmt_free(ev->fmt);
		free(ev->args);
		free(ev);
		return &type_none;
	}
	call->event = unit_add_event(c->u, ev);
	return &type_none;
}

static void discard_event(struct event_desc *ev)
{
	fmt_free(ev->fmt);
	free(ev->args);
	free(ev);
}

/* printf-like: a literal format and matching arguments. */
static struct type *check_formatted(struct checker *c, struct node *call, enum event_kind kind)
{
	struct node *f = call->kids[0];
	struct event_desc *ev = event_new(kind, call->loc);

	if (f->kind != N_STR) {
		cerror(c, f->loc, "the format of %s() must be a string literal", call->name);
		discard_event(ev);
		return NULL;
	}
	if (!c->quiet) {
		ev->fmt = fmt_parse(f->str, f->len, f->loc);
		if (!ev->fmt) {
			c->errors++;
			discard_event(ev);
			return NULL;
		}
		if (ev->fmt->nargs != call->nkids - 1) {
			cerror(c, call->loc, "the format has %d conversion%s but %d argument%s follow%s",
			       ev->fmt->nargs, ev->fmt->nargs == 1 ? "" : "s", call->nkids - 1,
			       call->nkids == 2 ? "" : "s", call->nkids == 2 ? "s" : "");
			discard_event(ev);
			return NULL;
		}
	}
	for (int i = 1; i < call->nkids; i++) {
		struct type *t = check_expr(c, call->kids[i]);

		if (!t || !event_add_arg(c, ev, call->kids[i], t)) {
			discard_event(ev);
			return NULL;
		}
		if (ev->fmt) {
			for (int k = 0; k < ev->fmt->npieces; k++) {
				const struct fmt_piece *p = &ev->fmt->pieces[k];
				char buf[64];

				if (p->conv && p->arg == i - 1 && !fmt_accepts(p->conv, t)) {
					cerror(c, call->kids[i]->loc, "%%%c cannot print %s", p->conv,
					       type_name(t, buf, sizeof(buf)));
					discard_event(ev);
					return NULL;
				}
			}
		}
	}
	return finish_event(c, call, ev);
}

static struct type *check_printf(struct checker *c, struct node *call)
{
	return check_formatted(c, call, EV_PRINTF);
}

static struct type *check_system(struct checker *c, struct node *call)
{
	return check_formatted(c, call, EV_SYSTEM);
}

static struct type *check_time(struct checker *c, struct node *call)
{
	struct event_desc *ev = event_new(EV_TIME, call->loc);

	if (call->nkids == 1 && call->kids[0]->kind != N_STR) {
		cerror(c, call->kids[0]->loc, "the format of time() must be a string literal");
		discard_event(ev);
		return NULL;
	}
	if (!c->quiet) {
		/* strftime format, kept whole as one literal piece */
		const char *f = call->nkids ? call->kids[0]->str : "%H:%M:%S\n";
		struct fmt *fmt = xcalloc(1, sizeof(*fmt));
		struct fmt_piece piece = { xstrdup(f), 0, 0, 0 };

		VEC_PUSH(fmt->pieces, fmt->npieces, fmt->cappieces, piece);
		ev->fmt = fmt;
	}
	return finish_event(c, call, ev);
}

static struct type *check_exit(struct checker *c, struct node *call)
{
	struct event_desc *ev = event_new(EV_EXIT, call->loc);

	if (call->nkids == 1) {
		if (!check_int_arg(c, call->kids[0], "the exit status", false)) {
			discard_event(ev);
			return NULL;
		}
		event_add_arg(c, ev, call->kids[0], call->kids[0]->type);
	}
	return finish_event(c, call, ev);
}

static bool is_whole_map(struct checker *c, struct node *n)
{
	if (n->kind == N_MAP && n->nkids == 0)
		return true;
	/* a ply bare-name map */
	if (n->kind == N_IDENT && !builtin_find(n->name))
		return true;
	return false;
}

/* print(@map[, top[, div]]) prints a map; print(value, ...) values. */
static struct type *check_print(struct checker *c, struct node *call)
{
	struct event_desc *ev;

	if (is_whole_map(c, call->kids[0])) {
		int64_t v;

		ev = event_new(EV_PRINT_MAP, call->loc);
		ev->map = check_map_ref(c, call->kids[0], false);
		if (!ev->map) {
			discard_event(ev);
			return NULL;
		}
		for (int i = 1; i < call->nkids && i < 3; i++) {
			if (!check_int_arg(c, call->kids[i], i == 1 ? "top" : "div", false) ||
			    !const_int(call->kids[i], &v) || v < 0) {
				cerror(c, call->kids[i]->loc, "print(@map, top, div) needs constant, non-negative top and div");
				discard_event(ev);
				return NULL;
			}
			*(i == 1 ? &ev->top : &ev->div) = v;
		}
		if (call->nkids > 3) {
			cerror(c, call->loc, "print(@map, top, div) takes at most 3 arguments");
			discard_event(ev);
			return NULL;
		}
		return finish_event(c, call, ev);
	}
	ev = event_new(EV_PRINT, call->loc);
	for (int i = 0; i < call->nkids; i++) {
		struct type *t = check_expr(c, call->kids[i]);

		if (!t || !event_add_arg(c, ev, call->kids[i], t)) {
			discard_event(ev);
			return NULL;
		}
	}
	return finish_event(c, call, ev);
}

static struct type *check_map_event(struct checker *c, struct node *call)
{
	struct event_desc *ev = event_new(strcmp(call->name, "clear") ? EV_ZERO : EV_CLEAR,
					  call->loc);

	ev->map = check_map_ref(c, call->kids[0], false);
	if (!ev->map) {
		discard_event(ev);
		return NULL;
	}
	return finish_event(c, call, ev);
}

/* The record: header, then each argument at its offset. */
static int gen_send_event(struct gen *g, struct node *call, struct val *out)
{
	const struct event_desc *ev = g->u->events[call->event];
	int first = ev->kind == EV_PRINTF || ev->kind == EV_SYSTEM ? 1 : 0;

	*out = (struct val){ .kind = V_NONE, .type = &type_none };
	/* exit() has no kids: NULL + 0 is undefined in C */
	return gen_event(g, call->event, call->nkids ? call->kids + first : NULL);
}

/* join(argv[, sep]): the strings of a NULL-terminated array of string
 * pointers (execve's argv), on one line. The record holds a count and
 * JOIN_MAX_ARGS string slots; the separator stays in user space. */
static struct type *check_join(struct checker *c, struct node *call)
{
	struct event_desc *ev = event_new(EV_JOIN, call->loc);

	if (!check_int_arg(c, call->kids[0], "join()'s array", true)) {
		discard_event(ev);
		return NULL;
	}
	if (call->nkids == 2 && call->kids[1]->kind != N_STR) {
		cerror(c, call->kids[1]->loc, "join()'s separator must be a string literal");
		discard_event(ev);
		return NULL;
	}
	if (!c->quiet) {
		struct fmt *sep = xcalloc(1, sizeof(*sep));
		struct fmt_piece piece = { xstrdup(call->nkids == 2 ? call->kids[1]->str : " "), 0, 0, 0 };

		VEC_PUSH(sep->pieces, sep->npieces, sep->cappieces, piece);
		ev->fmt = sep;
	}
	ev->size = EVENT_HDR_SIZE + 8 + JOIN_MAX_ARGS * ALIGN_UP(c->u->opts->str_size, 8);
	return finish_event(c, call, ev);
}

static int gen_join(struct gen *g, struct node *call, struct val *out)
{
	struct node *arr = call->kids[0];
	enum addr_space as = arr->type->kind == TY_PTR ? arr->type->as : AS_KERNEL;
	int slot = ALIGN_UP(g->u->opts->str_size, 8), word = g->arch->word_size;
	int no_room = label_new(g), end = label_new(g), tmp, base;
	struct record rec;
	struct val a;

	*out = (struct val){ .kind = V_NONE, .type = &type_none };
	if (gen_scalar(g, arr, &a))
		return -1;
	tmp = stack_alloc(g, 8);
	gen_record_begin(g, call->event, &rec, no_room);
	base = record_base(g, &rec, R0);
	emit(g, ST_MEM(BPF_DW, base, (int16_t)(rec.off + EVENT_HDR_SIZE), 0));
	for (int i = 0; i < JOIN_MAX_ARGS; i++) {
		int str_off = rec.off + EVENT_HDR_SIZE + 8 + i * slot;

		/* the i-th pointer (a word of the target), or the end */
		emit(g, ST_MEM(BPF_DW, FP, (int16_t)tmp, 0));
		emit(g, MOV64_REG(R3, val_load(g, &a, R3)));
		emit(g, ALU64_IMM(BPF_ADD, R3, i * word));
		gen_probe_read(g, tmp, word, R3, as, false);
		emit(g, LDX_MEM(BPF_DW, R3, FP, (int16_t)tmp));
		emit_jump(g, JMP_IMM(BPF_JEQ, R3, 0, 0), end);
		emit(g, MOV64_REG(R1, record_base(g, &rec, R0)));
		emit(g, ALU64_IMM(BPF_ADD, R1, str_off));
		emit(g, MOV64_IMM(R2, slot));
		emit_call(g, !g->u->user_str_helpers ? HELPER_probe_read_str :
			  as == AS_USER ? HELPER_probe_read_user_str : HELPER_probe_read_kernel_str);
		base = record_base(g, &rec, R0);
		emit(g, ST_MEM(BPF_DW, base, (int16_t)(rec.off + EVENT_HDR_SIZE), i + 1));
	}
	label_place(g, end);
	gen_record_send(g, &rec);
	label_place(g, no_room);
	val_free(g, &a);
	return 0;
}

const struct func funcs_print[] = {
	{ "join", 1, 2, F_STMT, check_join, gen_join },
	{ "printf", 1, 32, F_STMT, check_printf, gen_send_event },
	{ "print", 1, 32, F_STMT, check_print, gen_send_event },
	{ "exit", 0, 1, F_STMT, check_exit, gen_send_event },
	{ "time", 0, 1, F_STMT, check_time, gen_send_event },
	{ "system", 1, 32, F_STMT | F_UNSAFE, check_system, gen_send_event },
	{ "clear", 1, 1, F_STMT, check_map_event, gen_send_event },
	{ "zero", 1, 1, F_STMT, check_map_event, gen_send_event },
	{ NULL, 0, 0, 0, NULL, NULL },
};
