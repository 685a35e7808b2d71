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
};

struct arch {
	const char *name;		/* as given to --arch */
	const char *const *unames;	/* `uname -m` spellings, NULL-terminated */
	int word_size;			/* bytes in a register, long and pointer */
	const struct arch_reg *regs;	/* NULL-terminated by name */
	const char *const *arg_regs;	/* integer argument registers, in order */
	int narg_regs;
	const char *ret_reg;
	const char *pc_reg, *sp_reg, *fp_reg;
	int pt_regs_size;		/* sizeof the pt_regs the kernel passes */
	bool jit_no_atomics;		/* JIT can't do BPF atomics (32-bit arm) */
};

extern const struct arch arch_x86_64, arch_aarch64, arch_arm, arch_riscv64;

/* By --arch name or uname spelling; NULL if unknown. */
const struct arch *arch_find(const char *name);
/* The running kernel's arch (uname -m), else the one awl was built for. */
const struct arch *arch_native(void);
/* Offset of a register by name (or alias), -1 if the arch has none. */
int arch_reg_offset(const struct arch *arch, const char *name);
void arch_list(FILE *out);

#endif
