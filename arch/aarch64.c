/* aarch64: struct user_pt_regs from <asm/ptrace.h> (the head of the
 * kernel's pt_regs), AAPCS64 calling convention. `uname -m` says armv8l
 * under a 32-bit personality: the kernel is still this one, and a
 * 32-bit process's r0-r14 sit in x0-x14 (arch_arm_compat). */
#include "awl/arch.h"

static const struct arch_reg regs[] = {
	{ "x0", 0, "regs[0]" }, { "x1", 8, "regs[1]" }, { "x2", 16, "regs[2]" },
	{ "x3", 24, "regs[3]" }, { "x4", 32, "regs[4]" }, { "x5", 40, "regs[5]" },
	{ "x6", 48, "regs[6]" }, { "x7", 56, "regs[7]" }, { "x8", 64, "regs[8]" },
	{ "x9", 72, "regs[9]" }, { "x10", 80, "regs[10]" }, { "x11", 88, "regs[11]" },
	{ "x12", 96, "regs[12]" }, { "x13", 104, "regs[13]" }, { "x14", 112, "regs[14]" },
	{ "x15", 120, "regs[15]" }, { "x16", 128, "regs[16]" }, { "x17", 136, "regs[17]" },
	{ "x18", 144, "regs[18]" }, { "x19", 152, "regs[19]" }, { "x20", 160, "regs[20]" },
	{ "x21", 168, "regs[21]" }, { "x22", 176, "regs[22]" }, { "x23", 184, "regs[23]" },
	{ "x24", 192, "regs[24]" }, { "x25", 200, "regs[25]" }, { "x26", 208, "regs[26]" },
	{ "x27", 216, "regs[27]" }, { "x28", 224, "regs[28]" }, { "x29", 232, "regs[29]" },
	{ "fp", 232, NULL }, { "x30", 240, "regs[30]" }, { "lr", 240, NULL },
	{ "sp", 248, "sp" }, { "pc", 256, "pc" }, { "ip", 256, NULL }, { "pstate", 264, "pstate" },
	{ NULL, 0, NULL },
};

static const char *const arg_regs[] = { "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7" };
static const char *const unames[] = { "aarch64", "arm64", "armv8l", "armv8b", NULL };

/* AArch32 state: r0-r12 in x0-x12, sp in x13, lr in x14, pc in pc;
 * 32-bit values, in the low half of each (little-endian) slot. */
static const struct arch_reg compat_regs[] = {
	{ "r0", 0, NULL }, { "r1", 8, NULL }, { "r2", 16, NULL }, { "r3", 24, NULL },
	{ "r4", 32, NULL }, { "r5", 40, NULL }, { "r6", 48, NULL }, { "r7", 56, NULL },
	{ "r8", 64, NULL }, { "r9", 72, NULL }, { "r10", 80, NULL }, { "r11", 88, NULL },
	{ "fp", 88, NULL }, { "r12", 96, NULL }, { "ip", 96, NULL }, { "r13", 104, NULL },
	{ "sp", 104, NULL }, { "r14", 112, NULL }, { "lr", 112, NULL }, { "r15", 256, NULL },
	{ "pc", 256, NULL }, { "cpsr", 264, NULL },
	{ NULL, 0, NULL },
};

static const char *const compat_arg_regs[] = { "r0", "r1", "r2", "r3" };
static const char *const no_unames[] = { NULL };

const struct arch arch_arm_compat = {
	.name = "arm-on-aarch64",
	.unames = no_unames,
	.elf_machine = 40 /* EM_ARM */,
	.word_size = 4,
	.regs = compat_regs,
	.arg_regs = compat_arg_regs,
	.narg_regs = 4,
	.ret_reg = "r0",
	.pc_reg = "pc",
	.sp_reg = "sp",
	.fp_reg = "fp",
	.ret_addr_reg = "lr",
	.stack_args_offset = 0,
	.pt_regs_size = 272,
};

const struct arch arch_aarch64 = {
	.name = "aarch64",
	.unames = unames,
	.elf_machine = 183 /* EM_AARCH64 */,
	.word_size = 8,
	.regs = regs,
	.arg_regs = arg_regs,
	.narg_regs = 8,
	.ret_reg = "x0",
	.pc_reg = "pc",
	.sp_reg = "sp",
	.fp_reg = "x29",
	.ret_addr_reg = "x30",
	.stack_args_offset = 0,
	.pt_regs_size = 272,
	.uapi_struct = "struct user_pt_regs",
	.uapi_header = "asm/ptrace.h",
	.compat32 = &arch_arm_compat,
};
