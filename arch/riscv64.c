/* riscv64: struct user_regs_struct from <asm/ptrace.h> (the head of the
 * kernel's pt_regs, with epc as pc), standard calling convention. */
#include "awl/arch.h"

static const struct arch_reg regs[] = {
	{ "pc", 0 }, { "epc", 0 }, { "ip", 0 }, { "ra", 8 }, { "sp", 16 }, { "gp", 24 },
	{ "tp", 32 }, { "t0", 40 }, { "t1", 48 }, { "t2", 56 }, { "s0", 64 },
	{ "fp", 64 }, { "s1", 72 }, { "a0", 80 }, { "a1", 88 }, { "a2", 96 },
	{ "a3", 104 }, { "a4", 112 }, { "a5", 120 }, { "a6", 128 }, { "a7", 136 },
	{ "s2", 144 }, { "s3", 152 }, { "s4", 160 }, { "s5", 168 }, { "s6", 176 },
	{ "s7", 184 }, { "s8", 192 }, { "s9", 200 }, { "s10", 208 }, { "s11", 216 },
	{ "t3", 224 }, { "t4", 232 }, { "t5", 240 }, { "t6", 248 },
	{ NULL, 0 },
};

static const char *const arg_regs[] = { "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7" };
static const char *const unames[] = { "riscv64", NULL };

const struct arch arch_riscv64 = {
	.name = "riscv64",
	.unames = unames,
	.word_size = 8,
	.regs = regs,
	.arg_regs = arg_regs,
	.narg_regs = 8,
	.ret_reg = "a0",
	.pc_reg = "pc",
	.sp_reg = "sp",
	.fp_reg = "s0",
	.pt_regs_size = 256,
};
