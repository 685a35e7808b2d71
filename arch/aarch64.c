/* aarch64: struct user_pt_regs from <asm/ptrace.h> (the head of the
 * kernel's pt_regs), AAPCS64 calling convention. `uname -m` says armv8l
 * under a 32-bit personality: the kernel is still this one. */
#include "awl/arch.h"

static const struct arch_reg regs[] = {
	{ "x0", 0 }, { "x1", 8 }, { "x2", 16 }, { "x3", 24 }, { "x4", 32 },
	{ "x5", 40 }, { "x6", 48 }, { "x7", 56 }, { "x8", 64 }, { "x9", 72 },
	{ "x10", 80 }, { "x11", 88 }, { "x12", 96 }, { "x13", 104 }, { "x14", 112 },
	{ "x15", 120 }, { "x16", 128 }, { "x17", 136 }, { "x18", 144 }, { "x19", 152 },
	{ "x20", 160 }, { "x21", 168 }, { "x22", 176 }, { "x23", 184 }, { "x24", 192 },
	{ "x25", 200 }, { "x26", 208 }, { "x27", 216 }, { "x28", 224 },
	{ "x29", 232 }, { "fp", 232 }, { "x30", 240 }, { "lr", 240 },
	{ "sp", 248 }, { "pc", 256 }, { "ip", 256 }, { "pstate", 264 },
	{ NULL, 0 },
};

static const char *const arg_regs[] = { "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7" };
static const char *const unames[] = { "aarch64", "arm64", "armv8l", "armv8b", NULL };

const struct arch arch_aarch64 = {
	.name = "aarch64",
	.unames = unames,
	.word_size = 8,
	.regs = regs,
	.arg_regs = arg_regs,
	.narg_regs = 8,
	.ret_reg = "x0",
	.pc_reg = "pc",
	.sp_reg = "sp",
	.fp_reg = "x29",
	.pt_regs_size = 272,
};
