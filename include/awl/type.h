/* Types of values in scripts. Integers live in 64-bit registers and take
 * 8 bytes in map keys, values and events; their declared width and sign
 * matter for loads, casts, arithmetic and printing. */
#ifndef AWL_TYPE_H
#define AWL_TYPE_H

#include "awl/util.h"

enum type_kind {
	TY_NONE,	/* statements, functions without a value */
	TY_INT,
	TY_PTR,
	TY_STR,		/* fixed-size, NUL-padded */
	TY_ARRAY,	/* fixed-size array of elem (non-char arrays of tracepoints) */
	TY_STRUCT,	/* tracepoint args: fields at offsets */
	TY_TUPLE,	/* (a, b, ...) and multi-keys: fields at 8-aligned offsets */
	TY_AGG,		/* an aggregation's map value: count(), hist(), ... */
	TY_INET,	/* ntop() result: family + 16 address bytes */
	TY_TIMESTR,	/* time(fmt) / strftime: printed in user space */
};

/* How an integer prints: its kind of meaning, resolved in user space. */
enum int_fmt {
	FMT_DEC,	/* plain number (signed or not) */
	FMT_HEX,	/* pointers and addresses */
	FMT_PROBE,	/* index into the probe table: prints the probe name */
	FMT_KSTACK,	/* stack id: prints the kernel stack */
	FMT_KSYM,	/* kernel address: prints the symbol */
	FMT_CGROUP,
	FMT_FUNC,	/* index into the probe table: prints the probed function */
	FMT_REGS,	/* ARRAY: a copy of pt_regs; name is the arch */
};

enum addr_space { AS_NONE, AS_KERNEL, AS_USER };

enum agg_kind {
	AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX, AGG_STATS,
	AGG_HIST, AGG_LHIST,
};

struct field {
	char *name;
	struct type *type;
	int offset;		/* in the struct (tracepoint) or tuple */
	bool data_loc;		/* __data_loc: u32 (len << 16 | offset) in ctx */
	bool user;		/* pointer field points into user memory */
};

struct type {
	enum type_kind kind;
	int size;		/* INT: 1,2,4,8; STR: bytes incl. NUL; else total bytes */
	bool is_signed;
	enum int_fmt fmt;
	enum addr_space as;	/* PTR: where it points */
	struct type *elem;	/* PTR pointee (NULL: void), ARRAY element */
	int count;		/* ARRAY length */
	struct field *fields;	/* STRUCT, TUPLE */
	int nfields;
	char *name;		/* STRUCT: tracepoint name, for messages */
	enum agg_kind agg;
	int64_t lh_min, lh_max, lh_step;	/* AGG_LHIST */
	struct type *next_made;	/* every type made, for types_free_all() */
};

extern struct type type_none;
extern struct type type_u8, type_u16, type_u32, type_u64;
extern struct type type_s8, type_s16, type_s32, type_s64;

/* A new type, owned by the list of all types (fields and name too). */
struct type *type_new(enum type_kind kind);
void types_free_all(void);
struct type *type_int(int size, bool is_signed);
struct type *type_int_fmt(int size, bool is_signed, enum int_fmt fmt);
struct type *type_str(int size);
struct type *type_ptr(struct type *elem, enum addr_space as);
struct type *type_agg(enum agg_kind agg);
struct type *type_tuple(struct type **elems, int n);

bool type_is_scalar(const struct type *t);	/* INT or PTR: lives in a register */
bool type_is_signed(const struct type *t);
/* Bytes the value takes in a map key/value or an event (8-aligned). */
int type_storage_size(const struct type *t);
/* Same shape for map keys and values: same kind; sizes may differ. */
bool type_compatible(const struct type *a, const struct type *b);
/* The wider of two compatible types (strings grow to the longer one). */
struct type *type_unify(struct type *a, struct type *b);
const char *type_name(const struct type *t, char *buf, size_t len);
/* For an AGG: bytes of the per-CPU map value. */
int agg_value_size(const struct type *t);
int agg_nbuckets(const struct type *t);
const char *agg_name(enum agg_kind agg);
/* C type names in casts and tracepoint formats ("unsigned int", "u8",
 * "int32", "pid_t"): NULL if not an integer type name. */
struct type *type_from_c_name(const char *name, int word_size);

#endif
