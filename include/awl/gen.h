/* The code generator: the syntax tree of one probe to BPF instructions.
 * Values are described by `struct val` (where the value is: a constant,
 * a register or stack memory) and instructions are emitted only when a
 * value is needed, Lua-style. Builtins generate their code through the
 * same interface.
 *
 * Register use: r6 holds the context for the whole program; r7..r9 hold
 * values across helper calls; r0..r5 are scratch within one emitter and
 * never hold a value across a gen_expr() or a call. When r7..r9 are all
 * busy, a value spills to an 8-byte stack slot. */
#ifndef AWL_GEN_H
#define AWL_GEN_H

#include "awl/unit.h"
#include "awl/insn.h"

#define CTX_REG R6
#define BPF_STACK_SIZE 512
/* Larger event records go to a per-CPU scratch map, not the stack. */
#define MAX_STACK_EVENT 192

enum val_kind { V_NONE, V_IMM, V_REG, V_STACK };

struct val {
	enum val_kind kind;
	int64_t imm;		/* V_IMM */
	int reg;		/* V_REG: r7..r9 */
	int off;		/* V_STACK: memory at r10 + off */
	int size;		/* V_STACK: bytes, a multiple of 8, all initialised */
	struct type *type;
};

struct jump_fixup {
	int insn;
	int label;
};

struct gen {
	struct unit *u;
	struct bpf_program *bp;
	struct probe *probe;
	struct attach_point *ap;	/* whose context layout the code uses */
	const struct arch *arch;
	struct bpf_insn *insns;
	int ninsns, capinsns;
	struct jump_fixup *fixups;
	int nfixups, capfixups;
	int *labels;		/* instruction index of each label, -1 until placed */
	int nlabels, caplabels;
	int stack;		/* bytes in use below r10 */
	int stack_max;
	unsigned busy;		/* bit r: register r holds a live value */
	int exit_label;
	int break_label, continue_label;
	bool long_division;	/* AWL_LONG_DIVISION: test 32-bit arm's division here */
	bool failed;		/* an error was reported: stop emitting */
};

void emit(struct gen *g, struct bpf_insn insn);
void emit_ld_imm64(struct gen *g, int reg, uint64_t value);
void emit_ld_map(struct gen *g, int reg, int kmap);
void emit_call(struct gen *g, int helper);
int label_new(struct gen *g);
void label_place(struct gen *g, int label);
/* A jump instruction whose offset is filled in when label is placed. */
void emit_jump(struct gen *g, struct bpf_insn jmp, int label);

/* 8-aligned stack memory; released in bulk at the end of a statement. */
int stack_alloc(struct gen *g, int size);
void emit_zero(struct gen *g, int off, int size);
/* Copies size bytes (a multiple of 8) between stack or map memory. */
void emit_copy(struct gen *g, int dst_reg, int dst_off, int src_reg, int src_off, int size);

struct val val_imm(int64_t imm, struct type *type);
/* A fresh place for a scalar: a free r7..r9, else a stack slot. */
struct val val_scalar(struct gen *g, struct type *type);
/* A register holding v's value: v's own, or `scratch` after loading. */
int val_load(struct gen *g, const struct val *v, int scratch);
/* Stores register reg into the scalar place dst. */
void val_store_reg(struct gen *g, const struct val *dst, int reg);
void val_free(struct gen *g, struct val *v);

int gen_expr(struct gen *g, struct node *n, struct val *out);
/* Evaluates n as a scalar into a register (v's own r7..r9, or scratch). */
int gen_scalar(struct gen *g, struct node *n, struct val *out);
/* Writes v at base_reg + off in the storage layout of type `as`
 * (8 bytes for scalars, NUL-padded bytes for strings, ...). */
void gen_store(struct gen *g, int base_reg, int off, const struct val *v, const struct type *as);
/* Gets n's value into stack memory laid out as `as`; returns the offset. */
int gen_to_stack(struct gen *g, struct node *n, const struct type *as);
/* dst = dst / src or dst % src, unsigned 64-bit (alu is BPF_DIV or
 * BPF_MOD), on every target: where the JIT cannot divide 64-bit values
 * (32-bit arm) by long division, clobbering r1-r5. dst and src must not
 * be r2-r5 other than src == r5 or r2. */
void emit_udiv(struct gen *g, int alu, int dst, int src);
/* Sign- or zero-extends a register holding a value of type t to 64 bits. */
void emit_extend(struct gen *g, int reg, const struct type *t);

/* Builds the key of a map access on the stack; returns its offset. For
 * a map with no key this is the constant 0 key. */
int gen_map_key(struct gen *g, struct node *map);
/* r0 = lookup(kmap, r10 + key_off); jumps to `missing` when absent. */
void gen_map_lookup(struct gen *g, int kmap, int key_off, int missing);
/* r0 = pointer to the map value, created zeroed when absent; jumps to
 * `fail` if the map is full. */
void gen_map_lookup_or_init(struct gen *g, int kmap, int key_off, int fail);

/* Reads size bytes from a kernel or user address in src_reg to the
 * stack; as_str reads a NUL-terminated string. */
void gen_probe_read(struct gen *g, int dst_off, int size, int src_reg, enum addr_space as,
		    bool as_str);
/* Builds the record of event ev from the values of args (one per
 * argument of the event) and sends it to user space, counting it as
 * lost when the buffer is full. */
int gen_event(struct gen *g, int ev, struct node **args);

/* The same in steps, for records filled in other ways (join()): where
 * the record is built, on the stack or in the per-CPU scratch map. */
struct record {
	bool in_map;
	struct val ptr;		/* in_map: the record's address */
	int off;		/* offset from the base register */
	int size;
};
/* Writes the header; jumps to fail if there is no room. */
int gen_record_begin(struct gen *g, int ev, struct record *rec, int fail);
/* The register addressing the record (scratch, if it must be loaded:
 * not r1 or r5, which gen_store uses). */
int record_base(struct gen *g, const struct record *rec, int scratch);
void gen_record_send(struct gen *g, struct record *rec);

/* Which attach point fired (its index in unit.aps, for `probe` and
 * `func`): a constant in a program of its own, else the point's cookie. */
int gen_point_index(struct gen *g, struct node *n, struct val *out);

void gen_error(struct gen *g, struct loc loc, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Generates the unit's programs; 0 or -1 after reporting errors. */
int gen_unit(struct unit *u);

#endif
