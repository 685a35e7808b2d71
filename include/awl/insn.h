/* BPF instructions as readable one-line macros, in the spirit of the
 * kernel's samples (BPF_MOV64_REG, BPF_LD_MAP_FD, BPF_EMIT_CALL). */
#ifndef AWL_INSN_H
#define AWL_INSN_H

#include <stdio.h>
#include <linux/bpf.h>

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

#define MOV64_IMM(dst, imm)	INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define MOV64_REG(dst, src)	INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV32_REG(dst, src)	INSN(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define ALU64_IMM(op, dst, imm)	INSN(BPF_ALU64 | (op) | BPF_K, dst, 0, 0, imm)
#define ALU64_REG(op, dst, src)	INSN(BPF_ALU64 | (op) | BPF_X, dst, src, 0, 0)
#define ALU32_IMM(op, dst, imm)	INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define NEG64(dst)		INSN(BPF_ALU64 | BPF_NEG, dst, 0, 0, 0)
#define LDX_MEM(sz, dst, src, off)	INSN(BPF_LDX | BPF_MEM | (sz), dst, src, off, 0)
#define STX_MEM(sz, dst, src, off)	INSN(BPF_STX | BPF_MEM | (sz), dst, src, off, 0)
#define ST_MEM(sz, dst, off, imm)	INSN(BPF_ST | BPF_MEM | (sz), dst, 0, off, imm)
#define JMP_IMM(op, dst, imm, off)	INSN(BPF_JMP | (op) | BPF_K, dst, 0, off, imm)
#define JMP_REG(op, dst, src, off)	INSN(BPF_JMP | (op) | BPF_X, dst, src, off, 0)
#define JA(off)			INSN(BPF_JMP | BPF_JA, 0, 0, off, 0)
#define CALL(func)		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, func)
#define EXIT_INSN()		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* The first half of a 64-bit immediate load; the second half is
 * INSN(0, 0, 0, 0, high 32 bits). src = BPF_PSEUDO_MAP_FD loads a map. */
#define LD_IMM64_LO(dst, src, imm)	INSN(BPF_LD | BPF_DW | BPF_IMM, dst, src, 0, imm)

enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };
#define FP R10

/* Prints insns in the kernel verifier's syntax (what `bpftool prog dump
 * xlated` shows); map loads are named with map_names[imm] when given. */
void insn_dump(FILE *out, const struct bpf_insn *insns, int n, const char *const *map_names,
	       int nmaps);
const char *helper_name(int id);

#endif
