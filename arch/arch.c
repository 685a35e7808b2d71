/* Looking up arch descriptions by name and finding the running one. */
#include <string.h>
#include <sys/utsname.h>

#include "config.h"
#include "awl/arch.h"

static const struct arch *const arches[] = {
	&arch_x86_64, &arch_aarch64, &arch_arm, &arch_riscv64,
};

const struct arch *arch_by_name(const char *name)
{
	const struct arch *a = arch_find(name);

	return a ? a : !strcmp(name, arch_arm_compat.name) ? &arch_arm_compat : NULL;
}

const struct arch *arch_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++) {
		if (!strcmp(arches[i]->name, name))
			return arches[i];
		for (const char *const *u = arches[i]->unames; *u; u++)
			if (!strcmp(*u, name))
				return arches[i];
	}
	return NULL;
}

/* Kernel-side code runs on the kernel's arch, which is not always the
 * one awl was built for (a 32-bit awl on a 64-bit arm kernel). */
const struct arch *arch_native(void)
{
	struct utsname u;
	const struct arch *a = NULL;

	if (uname(&u) == 0)
		a = arch_find(u.machine);
	if (!a)
		a = arch_find(AWL_NATIVE_ARCH);
	return a ? a : &arch_x86_64;
}

int arch_reg_offset(const struct arch *arch, const char *name)
{
	for (const struct arch_reg *r = arch->regs; r->name; r++)
		if (!strcmp(r->name, name))
			return r->offset;
	return -1;
}

int arch_arg_offset(const struct arch *arch, int n)
{
	return n >= 0 && n < arch->narg_regs ? arch_reg_offset(arch, arch->arg_regs[n]) : -1;
}

void arch_dump(const struct arch *arch, FILE *out)
{
	fprintf(out, "arch %s\ntype %s\nheader %s\nsize %d\n", arch->name,
		arch->uapi_struct ? arch->uapi_struct : "-", arch->uapi_header ? arch->uapi_header : "-",
		arch->pt_regs_size);
	for (const struct arch_reg *r = arch->regs; r->name; r++)
		fprintf(out, "reg %s %d %s\n", r->name, r->offset, r->uapi ? r->uapi : "-");
}

void arch_list(FILE *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		fprintf(out, "%s\n", arches[i]->name);
}
