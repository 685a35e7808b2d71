/* Kernel interfaces newer than the oldest uapi headers awl builds with
 * (Linux 5.10). Helper ids are a stable ABI; they are enums in the
 * headers, so ours are macros of our own. */
#ifndef AWL_COMPAT_H
#define AWL_COMPAT_H

#include <linux/bpf.h>

#ifndef BPF_F_TEST_RUN_ON_CPU
#define BPF_F_TEST_RUN_ON_CPU (1U << 0)
#endif

/* Atomic instructions and pseudo sources (Linux 5.12 and 5.13): awl
 * emits none of them (32-bit arm's JIT lacks atomics), but its
 * disassembler names them in programs it did not write. */
#ifndef BPF_ATOMIC
#define BPF_ATOMIC 0xc0
#endif
#ifndef BPF_FETCH
#define BPF_FETCH 0x01
#endif
#ifndef BPF_XCHG
#define BPF_XCHG (0xe0 | BPF_FETCH)
#endif
#ifndef BPF_CMPXCHG
#define BPF_CMPXCHG (0xf0 | BPF_FETCH)
#endif
#ifndef BPF_PSEUDO_KFUNC_CALL
#define BPF_PSEUDO_KFUNC_CALL 2
#endif
#ifndef BPF_PSEUDO_FUNC
#define BPF_PSEUDO_FUNC 4
#endif
#ifndef BPF_PSEUDO_MAP_IDX
#define BPF_PSEUDO_MAP_IDX 5
#endif
#ifndef BPF_PSEUDO_MAP_IDX_VALUE
#define BPF_PSEUDO_MAP_IDX_VALUE 6
#endif

/* enum bpf_attach_type: a BPF link on a perf event (Linux 5.15), and
 * many uprobes in one link (Linux 6.6) */
#define AWL_BPF_PERF_EVENT 41
#define AWL_BPF_TRACE_UPROBE_MULTI 48
#define AWL_BPF_F_UPROBE_MULTI_RETURN 1

/* Helpers awl calls, by their number in the kernel's __BPF_FUNC_MAPPER. */
enum awl_helper {
	HELPER_map_lookup_elem = 1,
	HELPER_map_update_elem = 2,
	HELPER_map_delete_elem = 3,
	HELPER_probe_read = 4,
	HELPER_ktime_get_ns = 5,
	HELPER_get_prandom_u32 = 7,
	HELPER_get_smp_processor_id = 8,
	HELPER_get_current_pid_tgid = 14,
	HELPER_get_current_uid_gid = 15,
	HELPER_get_current_comm = 16,
	HELPER_perf_event_output = 25,
	HELPER_get_stackid = 27,
	HELPER_get_current_task = 35,
	HELPER_probe_read_str = 45,
	HELPER_get_current_cgroup_id = 80,
	HELPER_send_signal = 109,
	HELPER_probe_read_user = 112,
	HELPER_probe_read_kernel = 113,
	HELPER_probe_read_user_str = 114,
	HELPER_probe_read_kernel_str = 115,
	HELPER_ringbuf_output = 130,
	HELPER_get_attach_cookie = 174,
};

#endif
