/* riscv64: struct user_regs_struct from <asm/ptrace.h> (the head of the
 * kernel's pt_regs, with epc as pc), standard calling convention. */
#include "awl/arch.h"

static const struct arch_reg regs[] = {
	{ "pc", 0, "pc" }, { "epc", 0, NULL }, { "ip", 0, NULL }, { "ra", 8, "ra" },
	{ "sp", 16, "sp" }, { "gp", 24, "gp" }, { "tp", 32, "tp" }, { "t0", 40, "t0" },
	{ "t1", 48, "t1" }, { "t2", 56, "t2" }, { "s0", 64, "s0" }, { "fp", 64, NULL },
	{ "s1", 72, "s1" }, { "a0", 80, "a0" }, { "a1", 88, "a1" }, { "a2", 96, "a2" },
	{ "a3", 104, "a3" }, { "a4", 112, "a4" }, { "a5", 120, "a5" }, { "a6", 128, "a6" },
	{ "a7", 136, "a7" }, { "s2", 144, "s2" }, { "s3", 152, "s3" }, { "s4", 160, "s4" },
	{ "s5", 168, "s5" }, { "s6", 176, "s6" }, { "s7", 184, "s7" }, { "s8", 192, "s8" },
	{ "s9", 200, "s9" }, { "s10", 208, "s10" }, { "s11", 216, "s11" }, { "t3", 224, "t3" },
	{ "t4", 232, "t4" }, { "t5", 240, "t5" }, { "t6", 248, "t6" },
	{ NULL, 0, NULL },
};

static const char *const arg_regs[] = { "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7" };
static const char *const unames[] = { "riscv64", NULL };

const struct arch arch_riscv64 = {
	.name = "riscv64",
	.unames = unames,
	.elf_machine = 243 /* EM_RISCV */,
	.word_size = 8,
	.regs = regs,
	.arg_regs = arg_regs,
	.narg_regs = 8,
	.ret_reg = "a0",
	.pc_reg = "pc",
	.sp_reg = "sp",
	.fp_reg = "s0",
	.ret_addr_reg = "ra",
	.stack_args_offset = 0,
	.pt_regs_size = 256,
	.uapi_struct = "struct user_regs_struct",
	.uapi_header = "asm/ptrace.h",
};
