/* 32-bit arm (EABI): struct pt_regs { long uregs[18]; } from
 * <asm/ptrace.h>, AAPCS calling convention. Registers and pointers are
 * 32 bits wide, and its BPF JIT has no atomic instructions (so
 * aggregations use per-CPU maps). */
#include "awl/arch.h"

static const struct arch_reg regs[] = {
	{ "r0", 0, "uregs[0]" }, { "r1", 4, "uregs[1]" }, { "r2", 8, "uregs[2]" },
	{ "r3", 12, "uregs[3]" }, { "r4", 16, "uregs[4]" }, { "r5", 20, "uregs[5]" },
	{ "r6", 24, "uregs[6]" }, { "r7", 28, "uregs[7]" }, { "r8", 32, "uregs[8]" },
	{ "r9", 36, "uregs[9]" }, { "r10", 40, "uregs[10]" }, { "r11", 44, "uregs[11]" },
	{ "fp", 44, NULL }, { "r12", 48, "uregs[12]" }, { "ip", 48, NULL },
	{ "r13", 52, "uregs[13]" }, { "sp", 52, NULL }, { "r14", 56, "uregs[14]" },
	{ "lr", 56, NULL }, { "r15", 60, "uregs[15]" }, { "pc", 60, NULL },
	{ "cpsr", 64, "uregs[16]" }, { "orig_r0", 68, "uregs[17]" },
	{ NULL, 0, NULL },
};

static const char *const arg_regs[] = { "r0", "r1", "r2", "r3" };
static const char *const unames[] = { "arm", "armv7l", "armv6l", "armv7", "armhf", "armv5tel", NULL };

const struct arch arch_arm = {
	.name = "arm",
	.unames = unames,
	.elf_machine = 40 /* EM_ARM */,
	.word_size = 4,
	.regs = regs,
	.arg_regs = arg_regs,
	.narg_regs = 4,
	.ret_reg = "r0",
	.pc_reg = "pc",
	.sp_reg = "sp",
	.fp_reg = "fp",
	.ret_addr_reg = "lr",
	.stack_args_offset = 0,
	.pt_regs_size = 72,
	.uapi_struct = "struct pt_regs",
	.uapi_header = "asm/ptrace.h",
	.jit_no_atomics = true,
	.jit_no_div64 = true,
};
