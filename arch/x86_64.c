/* x86_64: struct pt_regs from <asm/ptrace.h>, System V calling
 * convention (six argument registers, the return address on the stack
 * at entry, stack arguments above it). */
#include "awl/arch.h"

static const struct arch_reg regs[] = {
	{ "r15", 0, "r15" }, { "r14", 8, "r14" }, { "r13", 16, "r13" }, { "r12", 24, "r12" },
	{ "rbp", 32, "rbp" }, { "bp", 32, NULL }, { "rbx", 40, "rbx" }, { "bx", 40, NULL },
	{ "r11", 48, "r11" }, { "r10", 56, "r10" }, { "r9", 64, "r9" }, { "r8", 72, "r8" },
	{ "rax", 80, "rax" }, { "ax", 80, NULL }, { "rcx", 88, "rcx" }, { "cx", 88, NULL },
	{ "rdx", 96, "rdx" }, { "dx", 96, NULL }, { "rsi", 104, "rsi" }, { "si", 104, NULL },
	{ "rdi", 112, "rdi" }, { "di", 112, NULL }, { "orig_rax", 120, "orig_rax" },
	{ "orig_ax", 120, NULL }, { "rip", 128, "rip" }, { "ip", 128, NULL }, { "cs", 136, "cs" },
	{ "eflags", 144, "eflags" }, { "flags", 144, NULL }, { "rsp", 152, "rsp" },
	{ "sp", 152, NULL }, { "ss", 160, "ss" },
	{ NULL, 0, NULL },
};

static const char *const arg_regs[] = { "rdi", "rsi", "rdx", "rcx", "r8", "r9" };
static const char *const unames[] = { "x86_64", "amd64", NULL };

const struct arch arch_x86_64 = {
	.name = "x86_64",
	.unames = unames,
	.elf_machine = 62 /* EM_X86_64 */,
	.word_size = 8,
	.regs = regs,
	.arg_regs = arg_regs,
	.narg_regs = 6,
	.ret_reg = "rax",
	.pc_reg = "rip",
	.sp_reg = "rsp",
	.fp_reg = "rbp",
	.ret_addr_reg = NULL,
	.stack_args_offset = 8,
	.pt_regs_size = 168,
	.uapi_struct = "struct pt_regs",
	.uapi_header = "asm/ptrace.h",
};
