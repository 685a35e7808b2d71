/* The kernel's BTF, read by hand: function prototypes for fentry/fexit. */
#ifndef AWL_BTF_H
#define AWL_BTF_H

#include <stdio.h>

#include "awl/type.h"

/* BPF trampolines take at most 12 arguments (6 before Linux 6.6). */
#define MAX_BTF_PARAMS 12

struct btf;

/* /sys/kernel/btf/vmlinux; NULL with the reason in err when the kernel
 * has no BTF or it is malformed. */
struct btf *btf_load_vmlinux(char *err, size_t errlen);
/* A BTF blob (copied): NULL with the reason in err when it is malformed
 * or in the other byte order, which is rejected, not converted. */
struct btf *btf_parse(const void *data, size_t len, char *err, size_t errlen);
void btf_free(struct btf *b);

/* The type id of the function (BTF_KIND_FUNC) named name, or -ENOENT. */
int btf_find_func(const struct btf *b, const char *name);
/* Calls fn for each function whose name matches the fnmatch() glob, in
 * name order; returns fn's first non-zero value, else the count. */
int btf_foreach_func(const struct btf *b, const char *glob,
		     int (*fn)(void *arg, const char *name, int id), void *arg);

/* What a fentry/fexit probe sees: each argument in a u64 slot of the
 * context, as an awl INT or PTR. A PTR's elem is its pointee if that is
 * an integer (char: int8), else NULL (opaque); it points to AS_USER if
 * BTF tags the pointee "user" (__user: kernels built with type tags),
 * else AS_KERNEL. Types are made by type_new(), freed by
 * types_free_all(); names point into the BTF, valid until btf_free(). */
struct btf_func_info {
	const char *name;
	int nparams;
	struct btf_param_info {
		const char *name;	/* "" when BTF has none */
		struct type *type;
	} params[MAX_BTF_PARAMS];
	struct type *ret;	/* &type_none when ret_void */
	bool ret_void;
};

/* Fills out from func_id's prototype. -ENOENT: not a function;
 * -ENOTSUP: a struct, union, float or __int128 passed or returned by
 * value (the kernel refuses returned ones too);
 * -E2BIG: more than MAX_BTF_PARAMS arguments; -ERANGE: variadic (BPF
 * trampolines refuse those); -EINVAL: malformed BTF.
 * word_size (4 or 8) is the target's pointer size: pointers still take
 * 8-byte slots, zero-extended by the trampoline. */
int btf_func_info(const struct btf *b, int func_id, int word_size,
		  struct btf_func_info *out);
/* A C-like prototype, "ssize_t vfs_read(struct file * file, ...)", no
 * newline; 0, -ENOENT when func_id is not a function, -EINVAL when its
 * prototype is missing. */
int btf_func_print(const struct btf *b, int func_id, FILE *out);

#endif
