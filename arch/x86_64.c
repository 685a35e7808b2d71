/* x86_64: struct pt_regs from <asm/ptrace.h>, System V calling convention. */
#include "awl/arch.h"

static const struct arch_reg regs[] = {
	{ "r15", 0 }, { "r14", 8 }, { "r13", 16 }, { "r12", 24 },
	{ "rbp", 32 }, { "bp", 32 }, { "rbx", 40 }, { "bx", 40 },
	{ "r11", 48 }, { "r10", 56 }, { "r9", 64 }, { "r8", 72 },
	{ "rax", 80 }, { "ax", 80 }, { "rcx", 88 }, { "cx", 88 },
	{ "rdx", 96 }, { "dx", 96 }, { "rsi", 104 }, { "si", 104 },
	{ "rdi", 112 }, { "di", 112 }, { "orig_rax", 120 }, { "orig_ax", 120 },
	{ "rip", 128 }, { "ip", 128 }, { "cs", 136 }, { "eflags", 144 }, { "flags", 144 },
	{ "rsp", 152 }, { "sp", 152 }, { "ss", 160 },
	{ NULL, 0 },
};

static const char *const arg_regs[] = { "rdi", "rsi", "rdx", "rcx", "r8", "r9" };
static const char *const unames[] = { "x86_64", "amd64", NULL };

const struct arch arch_x86_64 = {
	.name = "x86_64",
	.unames = unames,
	.word_size = 8,
	.regs = regs,
	.arg_regs = arg_regs,
	.narg_regs = 6,
	.ret_reg = "rax",
	.pc_reg = "rip",
	.sp_reg = "rsp",
	.fp_reg = "rbp",
	.pt_regs_size = 168,
};
