/* 32-bit arm (EABI): struct pt_regs { long uregs[18]; } from
 * <asm/ptrace.h>, AAPCS calling convention. Its BPF JIT has no atomic
 * instructions, so aggregations must use per-CPU maps. */
#include "awl/arch.h"

static const struct arch_reg regs[] = {
	{ "r0", 0 }, { "r1", 4 }, { "r2", 8 }, { "r3", 12 }, { "r4", 16 },
	{ "r5", 20 }, { "r6", 24 }, { "r7", 28 }, { "r8", 32 }, { "r9", 36 },
	{ "r10", 40 }, { "r11", 44 }, { "fp", 44 }, { "r12", 48 }, { "ip", 48 },
	{ "r13", 52 }, { "sp", 52 }, { "r14", 56 }, { "lr", 56 },
	{ "r15", 60 }, { "pc", 60 }, { "cpsr", 64 }, { "orig_r0", 68 },
	{ NULL, 0 },
};

static const char *const arg_regs[] = { "r0", "r1", "r2", "r3" };
static const char *const unames[] = { "arm", "armv7l", "armv6l", "armv7", "armhf", NULL };

const struct arch arch_arm = {
	.name = "arm",
	.unames = unames,
	.word_size = 4,
	.regs = regs,
	.arg_regs = arg_regs,
	.narg_regs = 4,
	.ret_reg = "r0",
	.pc_reg = "pc",
	.sp_reg = "sp",
	.fp_reg = "fp",
	.pt_regs_size = 72,
	.jit_no_atomics = true,
};
