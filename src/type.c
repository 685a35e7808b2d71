/* Types: construction, comparison, sizes and names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awl/type.h"

struct type type_none = { .kind = TY_NONE };
struct type type_u8 = { .kind = TY_INT, .size = 1 };
struct type type_u16 = { .kind = TY_INT, .size = 2 };
struct type type_u32 = { .kind = TY_INT, .size = 4 };
struct type type_u64 = { .kind = TY_INT, .size = 8 };
struct type type_s8 = { .kind = TY_INT, .size = 1, .is_signed = true };
struct type type_s16 = { .kind = TY_INT, .size = 2, .is_signed = true };
struct type type_s32 = { .kind = TY_INT, .size = 4, .is_signed = true };
struct type type_s64 = { .kind = TY_INT, .size = 8, .is_signed = true };

/* Types are shared freely between nodes, maps and events, so they are
 * not owned by any one of them: every type made is on this list, and
 * all are freed together when awl is done with them. */
static struct type *all_types;

struct type *type_new(enum type_kind kind)
{
	struct type *t = xcalloc(1, sizeof(*t));

	t->kind = kind;
	t->next_made = all_types;
	all_types = t;
	return t;
}

void types_free_all(void)
{
	while (all_types) {
		struct type *t = all_types;

		all_types = t->next_made;
		for (int i = 0; i < t->nfields; i++)
			free(t->fields[i].name);
		free(t->fields);
		free(t->name);
		free(t);
	}
}

struct type *type_int(int size, bool is_signed)
{
	static struct type *const table[2][4] = {
		{ &type_u8, &type_u16, &type_u32, &type_u64 },
		{ &type_s8, &type_s16, &type_s32, &type_s64 },
	};
	int i = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;

	return table[is_signed][i];
}

struct type *type_int_fmt(int size, bool is_signed, enum int_fmt fmt)
{
	struct type *t;

	if (fmt == FMT_DEC)
		return type_int(size, is_signed);
	t = type_new(TY_INT);
	t->size = size;
	t->is_signed = is_signed;
	t->fmt = fmt;
	return t;
}

struct type *type_str(int size)
{
	struct type *t = type_new(TY_STR);

	t->size = size;
	return t;
}

struct type *type_ptr(struct type *elem, enum addr_space as)
{
	struct type *t = type_new(TY_PTR);

	t->size = 8;
	t->elem = elem;
	t->as = as;
	t->fmt = FMT_HEX;
	return t;
}

struct type *type_agg(enum agg_kind agg)
{
	struct type *t = type_new(TY_AGG);

	t->agg = agg;
	return t;
}

struct type *type_tuple(struct type **elems, int n)
{
	struct type *t = type_new(TY_TUPLE);
	int off = 0;

	t->fields = xcalloc((size_t)n, sizeof(*t->fields));
	t->nfields = n;
	for (int i = 0; i < n; i++) {
		t->fields[i].type = elems[i];
		t->fields[i].offset = off;
		off += type_storage_size(elems[i]);
	}
	t->size = off;
	return t;
}

bool type_is_scalar(const struct type *t)
{
	return t->kind == TY_INT || t->kind == TY_PTR;
}

bool type_is_signed(const struct type *t)
{
	return t->kind == TY_INT && t->is_signed;
}

int type_storage_size(const struct type *t)
{
	switch (t->kind) {
	case TY_INT:
	case TY_PTR:
		return 8;
	case TY_NONE:
	case TY_AGG:
		return 0;
	default:
		return ALIGN_UP(t->size, 8);
	}
}

bool type_compatible(const struct type *a, const struct type *b)
{
	if (a->kind != b->kind) {
		/* Pointers and integers mix, as addresses do in scripts. */
		return type_is_scalar(a) && type_is_scalar(b);
	}
	switch (a->kind) {
	case TY_TUPLE:
		if (a->nfields != b->nfields)
			return false;
		for (int i = 0; i < a->nfields; i++)
			if (!type_compatible(a->fields[i].type, b->fields[i].type))
				return false;
		return true;
	case TY_AGG:
		if (a->agg != b->agg)
			return false;
		if (a->agg == AGG_LHIST)
			return a->lh_min == b->lh_min && a->lh_max == b->lh_max &&
			       a->lh_step == b->lh_step;
		return true;
	case TY_ARRAY:
	case TY_STRUCT:
		return a->size == b->size;
	case TY_INT:
		/* Printed differently, so kept apart. */
		return a->fmt == b->fmt;
	default:
		return true;
	}
}

struct type *type_unify(struct type *a, struct type *b)
{
	if (a->kind == TY_STR && b->kind == TY_STR)
		return a->size >= b->size ? a : b;
	if (a->kind == TY_TUPLE && b->kind == TY_TUPLE) {
		struct type *elems[a->nfields ? a->nfields : 1];
		bool same = true;

		for (int i = 0; i < a->nfields; i++) {
			elems[i] = type_unify(a->fields[i].type, b->fields[i].type);
			same &= elems[i] == a->fields[i].type;
		}
		return same ? a : type_tuple(elems, a->nfields);
	}
	if (a->kind == TY_INT && b->kind == TY_INT) {
		/* The wider, and signed if either is: values keep their sign. */
		if (a->size >= b->size && (a->is_signed || !b->is_signed))
			return a;
		if (b->size >= a->size && (b->is_signed || !a->is_signed))
			return b;
		return type_int_fmt(MAX(a->size, b->size), true, a->fmt);
	}
	return a;
}

const char *agg_name(enum agg_kind agg)
{
	static const char *const names[] = {
		[AGG_COUNT] = "count", [AGG_SUM] = "sum", [AGG_AVG] = "avg",
		[AGG_MIN] = "min", [AGG_MAX] = "max", [AGG_STATS] = "stats",
		[AGG_HIST] = "hist", [AGG_LHIST] = "lhist",
	};
	return names[agg];
}

/* hist(): bucket 0 holds negatives, 1 holds 0, then [2^k, 2^(k+1)) for
 * k = 0..62 in buckets 2..64. */
#define HIST_BUCKETS 65

int agg_nbuckets(const struct type *t)
{
	if (t->agg == AGG_HIST)
		return HIST_BUCKETS;
	if (t->agg == AGG_LHIST)	/* below min, the steps, max and above */
		return (int)(((uint64_t)t->lh_max - (uint64_t)t->lh_min) / (uint64_t)t->lh_step) + 2;
	return 0;
}

int agg_value_size(const struct type *t)
{
	switch (t->agg) {
	case AGG_COUNT:
	case AGG_SUM:
		return 8;
	case AGG_AVG:
	case AGG_STATS:	/* count, total */
	case AGG_MIN:
	case AGG_MAX:	/* value, whether set */
		return 16;
	case AGG_HIST:
	case AGG_LHIST:
		return 8 * agg_nbuckets(t);
	}
	return 8;
}

const char *type_name(const struct type *t, char *buf, size_t len)
{
	char inner[96];

	switch (t->kind) {
	case TY_NONE:
		snprintf(buf, len, "none");
		break;
	case TY_INT:
		snprintf(buf, len, "%sint%d%s", t->is_signed ? "" : "u", t->size * 8,
			 t->fmt == FMT_PROBE ? " (probe)" : t->fmt == FMT_KSTACK ? " (kstack)" :
			 t->fmt == FMT_KSYM ? " (ksym)" : "");
		break;
	case TY_PTR:
		snprintf(buf, len, "%s%s *", t->as == AS_USER ? "user " : "",
			 t->elem ? type_name(t->elem, inner, sizeof(inner)) : "void");
		break;
	case TY_STR:
		snprintf(buf, len, "string[%d]", t->size);
		break;
	case TY_ARRAY:
		snprintf(buf, len, "%s[%d]", type_name(t->elem, inner, sizeof(inner)), t->count);
		break;
	case TY_STRUCT:
		snprintf(buf, len, "struct %s", t->name ? t->name : "args");
		break;
	case TY_TUPLE: {
		size_t n = (size_t)snprintf(buf, len, "(");

		for (int i = 0; i < t->nfields && n < len; i++)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
					      type_name(t->fields[i].type, inner, sizeof(inner)));
		if (n < len)
			snprintf(buf + n, len - n, ")");
		break;
	}
	case TY_AGG:
		if (t->agg == AGG_LHIST)
			snprintf(buf, len, "lhist(%lld, %lld, %lld)", (long long)t->lh_min,
				 (long long)t->lh_max, (long long)t->lh_step);
		else
			snprintf(buf, len, "%s", agg_name(t->agg));
		break;
	case TY_INET:
		snprintf(buf, len, "inet");
		break;
	case TY_TIMESTR:
		snprintf(buf, len, "timestamp");
		break;
	}
	return buf;
}

/* C integer type names as they appear in casts and tracepoint formats. */
static const struct {
	const char *name;
	int size;		/* 0: the word size */
	bool is_signed;
} c_names[] = {
	{ "char", 1, true }, { "signed char", 1, true }, { "unsigned char", 1, false },
	{ "bool", 1, false }, { "_Bool", 1, false },
	{ "short", 2, true }, { "short int", 2, true }, { "signed short", 2, true },
	{ "unsigned short", 2, false }, { "unsigned short int", 2, false },
	{ "int", 4, true }, { "signed", 4, true }, { "signed int", 4, true },
	{ "unsigned", 4, false }, { "unsigned int", 4, false },
	{ "long", 0, true }, { "long int", 0, true }, { "signed long", 0, true },
	{ "unsigned long", 0, false }, { "unsigned long int", 0, false },
	{ "long long", 8, true }, { "long long int", 8, true },
	{ "unsigned long long", 8, false }, { "unsigned long long int", 8, false },
	{ "int8", 1, true }, { "int16", 2, true }, { "int32", 4, true }, { "int64", 8, true },
	{ "uint8", 1, false }, { "uint16", 2, false }, { "uint32", 4, false }, { "uint64", 8, false },
	{ "s8", 1, true }, { "s16", 2, true }, { "s32", 4, true }, { "s64", 8, true },
	{ "u8", 1, false }, { "u16", 2, false }, { "u32", 4, false }, { "u64", 8, false },
	{ "__s8", 1, true }, { "__s16", 2, true }, { "__s32", 4, true }, { "__s64", 8, true },
	{ "__u8", 1, false }, { "__u16", 2, false }, { "__u32", 4, false }, { "__u64", 8, false },
	{ "int8_t", 1, true }, { "int16_t", 2, true }, { "int32_t", 4, true }, { "int64_t", 8, true },
	{ "uint8_t", 1, false }, { "uint16_t", 2, false }, { "uint32_t", 4, false },
	{ "uint64_t", 8, false }, { "size_t", 0, false }, { "ssize_t", 0, true },
	{ "pid_t", 4, true }, { "uid_t", 4, false }, { "gid_t", 4, false },
};

struct type *type_from_c_name(const char *name, int word_size)
{
	for (size_t i = 0; i < ARRAY_SIZE(c_names); i++)
		if (!strcmp(name, c_names[i].name))
			return type_int(c_names[i].size ? c_names[i].size : word_size,
					c_names[i].is_signed);
	return NULL;
}
