/* What the code generator needs to know about a target CPU: its
 * register file as the kernel saves it (pt_regs, the context of kprobes,
 * uprobes and perf events), its calling convention and its word size.
 * The generic code asks these tables; it never tests which arch it is. */
#ifndef AWL_ARCH_H
#define AWL_ARCH_H

#include <stdio.h>
#include "awl/util.h"

struct arch_reg {
	const char *name;
	int offset;		/* in the kernel's pt_regs */
	const char *uapi;	/* the field of the uapi struct at that offset;
				 * NULL for an alias (checked by tests/arch.bats) */
};

struct arch {
	const char *name;		/* as given to --arch */
	const char *const *unames;	/* `uname -m` spellings, NULL-terminated */
	int word_size;			/* bytes in a register, long and pointer */
	int elf_machine;		/* EM_* of its programs and libraries */
	const struct arch_reg *regs;	/* NULL-terminated by name */
	const char *const *arg_regs;	/* integer argument registers, in order */
	int narg_regs;
	const char *ret_reg;
	const char *pc_reg, *sp_reg, *fp_reg;
	const char *ret_addr_reg;	/* holds the return address at function entry;
					 * NULL: it is the word at the stack pointer */
	int stack_args_offset;		/* from sp to the first stack argument, at entry */
	int pt_regs_size;		/* sizeof the pt_regs the kernel passes */
	const char *uapi_struct;	/* the uapi type of pt_regs, for the offset test */
	const char *uapi_header;
	bool jit_no_atomics;		/* JIT can't do BPF atomics (32-bit arm) */
	bool jit_no_div64;		/* JIT can't divide 64-bit values (32-bit arm) */
	/* A 32-bit process under this (64-bit) kernel: its registers as they
	 * sit in this kernel's pt_regs. NULL where there is no such mode. */
	const struct arch *compat32;
};

extern const struct arch arch_x86_64, arch_aarch64, arch_arm, arch_riscv64, arch_arm_compat;

/* By --arch name or uname spelling; NULL if unknown. */
const struct arch *arch_find(const char *name);
/* The same, and the compat views by their names. */
const struct arch *arch_by_name(const char *name);
/* The running kernel's arch (uname -m), else the one awl was built for. */
const struct arch *arch_native(void);
/* Offset of a register by name (or alias), -1 if the arch has none. */
int arch_reg_offset(const struct arch *arch, const char *name);
/* The offset of argument register n (0-based), -1 past the last. */
int arch_arg_offset(const struct arch *arch, int n);
/* --dump-arch: every register with its offset and uapi field, for the
 * test that checks them against the kernel's headers. */
void arch_dump(const struct arch *arch, FILE *out);
void arch_list(FILE *out);

#endif
