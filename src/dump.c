/* Prints BPF programs in the kernel verifier's assembly syntax. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "awl/compat.h"
#include "awl/insn.h"
#include "awl/util.h"

/* Opcodes newer than the oldest <linux/bpf.h> we build against; the
 * values are fixed by the kernel ABI. */
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#endif
#ifndef BPF_LOAD_ACQ
#define BPF_LOAD_ACQ 0x100
#endif
#ifndef BPF_STORE_REL
#define BPF_STORE_REL 0x110
#endif
/* src_reg of a BPF_JCOND jump that means may_goto (enum, not a macro). */
#define MAY_GOTO_SRC 0

/* Indexed by helper id, in the order of the kernel's __BPF_FUNC_MAPPER;
 * written out rather than generated so older headers still build. The
 * list ends at 211: the kernel froze helpers there in favour of kfuncs. */
static const char *const helper_names[] = {
	[0] = "bpf_unspec",
	[1] = "bpf_map_lookup_elem",
	[2] = "bpf_map_update_elem",
	[3] = "bpf_map_delete_elem",
	[4] = "bpf_probe_read",
	[5] = "bpf_ktime_get_ns",
	[6] = "bpf_trace_printk",
	[7] = "bpf_get_prandom_u32",
	[8] = "bpf_get_smp_processor_id",
	[9] = "bpf_skb_store_bytes",
	[10] = "bpf_l3_csum_replace",
	[11] = "bpf_l4_csum_replace",
	[12] = "bpf_tail_call",
	[13] = "bpf_clone_redirect",
	[14] = "bpf_get_current_pid_tgid",
	[15] = "bpf_get_current_uid_gid",
	[16] = "bpf_get_current_comm",
	[17] = "bpf_get_cgroup_classid",
	[18] = "bpf_skb_vlan_push",
	[19] = "bpf_skb_vlan_pop",
	[20] = "bpf_skb_get_tunnel_key",
	[21] = "bpf_skb_set_tunnel_key",
	[22] = "bpf_perf_event_read",
	[23] = "bpf_redirect",
	[24] = "bpf_get_route_realm",
	[25] = "bpf_perf_event_output",
	[26] = "bpf_skb_load_bytes",
	[27] = "bpf_get_stackid",
	[28] = "bpf_csum_diff",
	[29] = "bpf_skb_get_tunnel_opt",
	[30] = "bpf_skb_set_tunnel_opt",
	[31] = "bpf_skb_change_proto",
	[32] = "bpf_skb_change_type",
	[33] = "bpf_skb_under_cgroup",
	[34] = "bpf_get_hash_recalc",
	[35] = "bpf_get_current_task",
	[36] = "bpf_probe_write_user",
	[37] = "bpf_current_task_under_cgroup",
	[38] = "bpf_skb_change_tail",
	[39] = "bpf_skb_pull_data",
	[40] = "bpf_csum_update",
	[41] = "bpf_set_hash_invalid",
	[42] = "bpf_get_numa_node_id",
	[43] = "bpf_skb_change_head",
	[44] = "bpf_xdp_adjust_head",
	[45] = "bpf_probe_read_str",
	[46] = "bpf_get_socket_cookie",
	[47] = "bpf_get_socket_uid",
	[48] = "bpf_set_hash",
	[49] = "bpf_setsockopt",
	[50] = "bpf_skb_adjust_room",
	[51] = "bpf_redirect_map",
	[52] = "bpf_sk_redirect_map",
	[53] = "bpf_sock_map_update",
	[54] = "bpf_xdp_adjust_meta",
	[55] = "bpf_perf_event_read_value",
	[56] = "bpf_perf_prog_read_value",
	[57] = "bpf_getsockopt",
	[58] = "bpf_override_return",
	[59] = "bpf_sock_ops_cb_flags_set",
	[60] = "bpf_msg_redirect_map",
	[61] = "bpf_msg_apply_bytes",
	[62] = "bpf_msg_cork_bytes",
	[63] = "bpf_msg_pull_data",
	[64] = "bpf_bind",
	[65] = "bpf_xdp_adjust_tail",
	[66] = "bpf_skb_get_xfrm_state",
	[67] = "bpf_get_stack",
	[68] = "bpf_skb_load_bytes_relative",
	[69] = "bpf_fib_lookup",
	[70] = "bpf_sock_hash_update",
	[71] = "bpf_msg_redirect_hash",
	[72] = "bpf_sk_redirect_hash",
	[73] = "bpf_lwt_push_encap",
	[74] = "bpf_lwt_seg6_store_bytes",
	[75] = "bpf_lwt_seg6_adjust_srh",
	[76] = "bpf_lwt_seg6_action",
	[77] = "bpf_rc_repeat",
	[78] = "bpf_rc_keydown",
	[79] = "bpf_skb_cgroup_id",
	[80] = "bpf_get_current_cgroup_id",
	[81] = "bpf_get_local_storage",
	[82] = "bpf_sk_select_reuseport",
	[83] = "bpf_skb_ancestor_cgroup_id",
	[84] = "bpf_sk_lookup_tcp",
	[85] = "bpf_sk_lookup_udp",
	[86] = "bpf_sk_release",
	[87] = "bpf_map_push_elem",
	[88] = "bpf_map_pop_elem",
	[89] = "bpf_map_peek_elem",
	[90] = "bpf_msg_push_data",
	[91] = "bpf_msg_pop_data",
	[92] = "bpf_rc_pointer_rel",
	[93] = "bpf_spin_lock",
	[94] = "bpf_spin_unlock",
	[95] = "bpf_sk_fullsock",
	[96] = "bpf_tcp_sock",
	[97] = "bpf_skb_ecn_set_ce",
	[98] = "bpf_get_listener_sock",
	[99] = "bpf_skc_lookup_tcp",
	[100] = "bpf_tcp_check_syncookie",
	[101] = "bpf_sysctl_get_name",
	[102] = "bpf_sysctl_get_current_value",
	[103] = "bpf_sysctl_get_new_value",
	[104] = "bpf_sysctl_set_new_value",
	[105] = "bpf_strtol",
	[106] = "bpf_strtoul",
	[107] = "bpf_sk_storage_get",
	[108] = "bpf_sk_storage_delete",
	[109] = "bpf_send_signal",
	[110] = "bpf_tcp_gen_syncookie",
	[111] = "bpf_skb_output",
	[112] = "bpf_probe_read_user",
	[113] = "bpf_probe_read_kernel",
	[114] = "bpf_probe_read_user_str",
	[115] = "bpf_probe_read_kernel_str",
	[116] = "bpf_tcp_send_ack",
	[117] = "bpf_send_signal_thread",
	[118] = "bpf_jiffies64",
	[119] = "bpf_read_branch_records",
	[120] = "bpf_get_ns_current_pid_tgid",
	[121] = "bpf_xdp_output",
	[122] = "bpf_get_netns_cookie",
	[123] = "bpf_get_current_ancestor_cgroup_id",
	[124] = "bpf_sk_assign",
	[125] = "bpf_ktime_get_boot_ns",
	[126] = "bpf_seq_printf",
	[127] = "bpf_seq_write",
	[128] = "bpf_sk_cgroup_id",
	[129] = "bpf_sk_ancestor_cgroup_id",
	[130] = "bpf_ringbuf_output",
	[131] = "bpf_ringbuf_reserve",
	[132] = "bpf_ringbuf_submit",
	[133] = "bpf_ringbuf_discard",
	[134] = "bpf_ringbuf_query",
	[135] = "bpf_csum_level",
	[136] = "bpf_skc_to_tcp6_sock",
	[137] = "bpf_skc_to_tcp_sock",
	[138] = "bpf_skc_to_tcp_timewait_sock",
	[139] = "bpf_skc_to_tcp_request_sock",
	[140] = "bpf_skc_to_udp6_sock",
	[141] = "bpf_get_task_stack",
	[142] = "bpf_load_hdr_opt",
	[143] = "bpf_store_hdr_opt",
	[144] = "bpf_reserve_hdr_opt",
	[145] = "bpf_inode_storage_get",
	[146] = "bpf_inode_storage_delete",
	[147] = "bpf_d_path",
	[148] = "bpf_copy_from_user",
	[149] = "bpf_snprintf_btf",
	[150] = "bpf_seq_printf_btf",
	[151] = "bpf_skb_cgroup_classid",
	[152] = "bpf_redirect_neigh",
	[153] = "bpf_per_cpu_ptr",
	[154] = "bpf_this_cpu_ptr",
	[155] = "bpf_redirect_peer",
	[156] = "bpf_task_storage_get",
	[157] = "bpf_task_storage_delete",
	[158] = "bpf_get_current_task_btf",
	[159] = "bpf_bprm_opts_set",
	[160] = "bpf_ktime_get_coarse_ns",
	[161] = "bpf_ima_inode_hash",
	[162] = "bpf_sock_from_file",
	[163] = "bpf_check_mtu",
	[164] = "bpf_for_each_map_elem",
	[165] = "bpf_snprintf",
	[166] = "bpf_sys_bpf",
	[167] = "bpf_btf_find_by_name_kind",
	[168] = "bpf_sys_close",
	[169] = "bpf_timer_init",
	[170] = "bpf_timer_set_callback",
	[171] = "bpf_timer_start",
	[172] = "bpf_timer_cancel",
	[173] = "bpf_get_func_ip",
	[174] = "bpf_get_attach_cookie",
	[175] = "bpf_task_pt_regs",
	[176] = "bpf_get_branch_snapshot",
	[177] = "bpf_trace_vprintk",
	[178] = "bpf_skc_to_unix_sock",
	[179] = "bpf_kallsyms_lookup_name",
	[180] = "bpf_find_vma",
	[181] = "bpf_loop",
	[182] = "bpf_strncmp",
	[183] = "bpf_get_func_arg",
	[184] = "bpf_get_func_ret",
	[185] = "bpf_get_func_arg_cnt",
	[186] = "bpf_get_retval",
	[187] = "bpf_set_retval",
	[188] = "bpf_xdp_get_buff_len",
	[189] = "bpf_xdp_load_bytes",
	[190] = "bpf_xdp_store_bytes",
	[191] = "bpf_copy_from_user_task",
	[192] = "bpf_skb_set_tstamp",
	[193] = "bpf_ima_file_hash",
	[194] = "bpf_kptr_xchg",
	[195] = "bpf_map_lookup_percpu_elem",
	[196] = "bpf_skc_to_mptcp_sock",
	[197] = "bpf_dynptr_from_mem",
	[198] = "bpf_ringbuf_reserve_dynptr",
	[199] = "bpf_ringbuf_submit_dynptr",
	[200] = "bpf_ringbuf_discard_dynptr",
	[201] = "bpf_dynptr_read",
	[202] = "bpf_dynptr_write",
	[203] = "bpf_dynptr_data",
	[204] = "bpf_tcp_raw_gen_syncookie_ipv4",
	[205] = "bpf_tcp_raw_gen_syncookie_ipv6",
	[206] = "bpf_tcp_raw_check_syncookie_ipv4",
	[207] = "bpf_tcp_raw_check_syncookie_ipv6",
	[208] = "bpf_ktime_get_tai_ns",
	[209] = "bpf_user_ringbuf_drain",
	[210] = "bpf_cgrp_storage_get",
	[211] = "bpf_cgrp_storage_delete",
};

static const char *const alu_ops[16] = {
	[BPF_ADD >> 4] = "+=",   [BPF_SUB >> 4] = "-=",  [BPF_MUL >> 4] = "*=",
	[BPF_DIV >> 4] = "/=",   [BPF_OR >> 4] = "|=",   [BPF_AND >> 4] = "&=",
	[BPF_LSH >> 4] = "<<=",  [BPF_RSH >> 4] = ">>=", [BPF_MOD >> 4] = "%=",
	[BPF_XOR >> 4] = "^=",   [BPF_MOV >> 4] = "=",   [BPF_ARSH >> 4] = "s>>=",
};

/* cpu v4 marks signed division and modulo with off == 1. */
static const char *const signed_alu_ops[16] = {
	[BPF_DIV >> 4] = "s/=",
	[BPF_MOD >> 4] = "s%=",
};

/* Only these may be applied atomically, with or without BPF_FETCH. */
static const char *const atomic_ops[16] = {
	[BPF_ADD >> 4] = "add",
	[BPF_AND >> 4] = "and",
	[BPF_OR >> 4] = "or",
	[BPF_XOR >> 4] = "xor",
};

static const char *const mem_sizes[4] = {
	[BPF_W >> 3] = "u32",
	[BPF_H >> 3] = "u16",
	[BPF_B >> 3] = "u8",
	[BPF_DW >> 3] = "u64",
};

/* Sign-extending loads have no 64-bit form: nothing is left to extend. */
static const char *const sext_sizes[4] = {
	[BPF_W >> 3] = "s32",
	[BPF_H >> 3] = "s16",
	[BPF_B >> 3] = "s8",
};

/* Conditional jumps only; JA, CALL, EXIT and JCOND are matched by
 * their whole opcode before this table is consulted. */
static const char *const jmp_conds[16] = {
	[BPF_JEQ >> 4] = "==",   [BPF_JNE >> 4] = "!=",
	[BPF_JGT >> 4] = ">",    [BPF_JGE >> 4] = ">=",
	[BPF_JLT >> 4] = "<",    [BPF_JLE >> 4] = "<=",
	[BPF_JSGT >> 4] = "s>",  [BPF_JSGE >> 4] = "s>=",
	[BPF_JSLT >> 4] = "s<",  [BPF_JSLE >> 4] = "s<=",
	[BPF_JSET >> 4] = "&",
};

const char *helper_name(int id)
{
	if (id < 0 || (size_t)id >= ARRAY_SIZE(helper_names) || !helper_names[id])
		return "unknown";
	return helper_names[id];
}

static void print_unknown(FILE *out, const struct bpf_insn *insn)
{
	fprintf(out, "(%02x) unknown opcode\n", insn->code);
}

/* The 32-bit classes name their registers w0..w10. */
static char reg_letter(uint8_t code)
{
	return BPF_CLASS(code) == BPF_ALU || BPF_CLASS(code) == BPF_JMP32 ? 'w' : 'r';
}

/* BPF_SIZE is two bits, so the size tables are never indexed out of range. */
static const char *mem_size(uint8_t code)
{
	return mem_sizes[BPF_SIZE(code) >> 3];
}

static const char *alu_operator(const struct bpf_insn *insn)
{
	unsigned int op = BPF_OP(insn->code) >> 4;

	if (insn->off == 1 && signed_alu_ops[op])
		return signed_alu_ops[op];
	return alu_ops[op];
}

/* cpu v4 sign-extending moves carry the source width in off. */
static const char *movsx_cast(const struct bpf_insn *insn)
{
	if (BPF_OP(insn->code) != BPF_MOV)
		return "";
	switch (insn->off) {
	case 8:
		return "(s8)";
	case 16:
		return "(s16)";
	case 32:
		return "(s32)";
	default:
		return "";
	}
}

/* The kernel prints byte swaps with r registers even in the ALU class. */
static void print_endian(FILE *out, const struct bpf_insn *insn)
{
	if (BPF_CLASS(insn->code) == BPF_ALU64)
		fprintf(out, "r%d = bswap%d r%d\n", insn->dst_reg, insn->imm, insn->dst_reg);
	else
		fprintf(out, "r%d = %s%d r%d\n", insn->dst_reg,
			BPF_SRC(insn->code) == BPF_TO_BE ? "be" : "le", insn->imm, insn->dst_reg);
}

static void print_alu(FILE *out, const struct bpf_insn *insn)
{
	char reg = reg_letter(insn->code);
	const char *op = alu_operator(insn);

	if (BPF_OP(insn->code) == BPF_END)
		print_endian(out, insn);
	else if (BPF_OP(insn->code) == BPF_NEG)
		fprintf(out, "%c%d = -%c%d\n", reg, insn->dst_reg, reg, insn->dst_reg);
	else if (!op)
		print_unknown(out, insn);
	else if (BPF_SRC(insn->code) == BPF_X)
		fprintf(out, "%c%d %s %s%c%d\n", reg, insn->dst_reg, op, movsx_cast(insn), reg,
			insn->src_reg);
	else
		fprintf(out, "%c%d %s %d\n", reg, insn->dst_reg, op, insn->imm);
}

static void print_ldx(FILE *out, const struct bpf_insn *insn)
{
	const char *size = NULL;

	if (BPF_MODE(insn->code) == BPF_MEM)
		size = mem_size(insn->code);
	else if (BPF_MODE(insn->code) == BPF_MEMSX)
		size = sext_sizes[BPF_SIZE(insn->code) >> 3];
	if (!size) {
		print_unknown(out, insn);
		return;
	}
	fprintf(out, "r%d = *(%s *)(r%d %+d)\n", insn->dst_reg, size, insn->src_reg, insn->off);
}

static void print_st(FILE *out, const struct bpf_insn *insn)
{
	if (BPF_MODE(insn->code) != BPF_MEM) {
		print_unknown(out, insn);
		return;
	}
	fprintf(out, "*(%s *)(r%d %+d) = %d\n", mem_size(insn->code), insn->dst_reg, insn->off,
		insn->imm);
}

/* add/and/or/xor, plain or fetching: imm holds the ALU op, maybe | BPF_FETCH. */
static const char *atomic_alu_name(int imm)
{
	if (imm & ~(0xf0 | BPF_FETCH))
		return NULL;
	return atomic_ops[(imm & 0xf0) >> 4];
}

static void print_atomic(FILE *out, const struct bpf_insn *insn)
{
	const char *size = mem_size(insn->code);
	const char *bits = BPF_SIZE(insn->code) == BPF_DW ? "64" : "";
	const char *alu_name = atomic_alu_name(insn->imm);
	int dst = insn->dst_reg, src = insn->src_reg, off = insn->off;

	if (alu_name && !(insn->imm & BPF_FETCH))
		fprintf(out, "lock *(%s *)(r%d %+d) %s r%d\n", size, dst, off,
			alu_ops[BPF_OP(insn->imm) >> 4], src);
	else if (alu_name)
		fprintf(out, "r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)\n", src, bits, alu_name,
			size, dst, off, src);
	else if (insn->imm == BPF_XCHG)
		fprintf(out, "r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)\n", src, bits, size, dst,
			off, src);
	else if (insn->imm == BPF_CMPXCHG)
		fprintf(out, "r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)\n", bits, size, dst,
			off, src);
	else if (insn->imm == BPF_LOAD_ACQ)
		fprintf(out, "r%d = load_acquire((%s *)(r%d %+d))\n", dst, size, src, off);
	else if (insn->imm == BPF_STORE_REL)
		fprintf(out, "store_release((%s *)(r%d %+d), r%d)\n", size, dst, off, src);
	else
		print_unknown(out, insn);
}

static void print_stx(FILE *out, const struct bpf_insn *insn)
{
	if (BPF_MODE(insn->code) == BPF_MEM)
		fprintf(out, "*(%s *)(r%d %+d) = r%d\n", mem_size(insn->code), insn->dst_reg,
			insn->off, insn->src_reg);
	else if (BPF_MODE(insn->code) == BPF_ATOMIC)
		print_atomic(out, insn);
	else
		print_unknown(out, insn);
}

/* Classic packet loads; ld_imm64 is handled by insn_dump, which can see
 * whether its second half is there. */
static void print_ld(FILE *out, const struct bpf_insn *insn)
{
	if (BPF_MODE(insn->code) == BPF_ABS)
		fprintf(out, "r0 = *(%s *)skb[%d]\n", mem_size(insn->code), insn->imm);
	else if (BPF_MODE(insn->code) == BPF_IND)
		fprintf(out, "r0 = *(%s *)skb[r%d + %d]\n", mem_size(insn->code), insn->src_reg,
			insn->imm);
	else
		print_unknown(out, insn);
}

static void print_call(FILE *out, const struct bpf_insn *insn)
{
	if (insn->src_reg == BPF_PSEUDO_CALL)
		fprintf(out, "call pc%+d\n", insn->imm);
	else if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL)
		fprintf(out, "call kfunc#%d\n", insn->imm);
	else
		fprintf(out, "call %s#%d\n", helper_name(insn->imm), insn->imm);
}

/* The kernel prints the immediate of a compare as unsigned hex. */
static void print_cond_jmp(FILE *out, const struct bpf_insn *insn)
{
	char reg = reg_letter(insn->code);
	const char *cond = jmp_conds[BPF_OP(insn->code) >> 4];

	if (!cond)
		print_unknown(out, insn);
	else if (BPF_SRC(insn->code) == BPF_X)
		fprintf(out, "if %c%d %s %c%d goto pc%+d\n", reg, insn->dst_reg, cond, reg,
			insn->src_reg, insn->off);
	else
		fprintf(out, "if %c%d %s 0x%x goto pc%+d\n", reg, insn->dst_reg, cond,
			(uint32_t)insn->imm, insn->off);
}

static void print_jmp(FILE *out, const struct bpf_insn *insn)
{
	switch (insn->code) {
	case BPF_JMP | BPF_CALL:
		print_call(out, insn);
		break;
	case BPF_JMP | BPF_EXIT:
		fputs("exit\n", out);
		break;
	case BPF_JMP | BPF_JA:
		fprintf(out, "goto pc%+d\n", insn->off);
		break;
	case BPF_JMP32 | BPF_JA:
		/* cpu v4 long jump: the offset no longer fits in off. */
		fprintf(out, "gotol pc%+d\n", insn->imm);
		break;
	case BPF_JMP | BPF_JCOND:
		if (insn->src_reg == MAY_GOTO_SRC)
			fprintf(out, "may_goto pc%+d\n", insn->off);
		else
			print_unknown(out, insn);
		break;
	default:
		print_cond_jmp(out, insn);
	}
}

typedef void insn_printer(FILE *out, const struct bpf_insn *insn);

/* BPF_CLASS is three bits and every class has an entry. */
static insn_printer *const class_printers[8] = {
	[BPF_LD] = print_ld,
	[BPF_LDX] = print_ldx,
	[BPF_ST] = print_st,
	[BPF_STX] = print_stx,
	[BPF_ALU] = print_alu,
	[BPF_JMP] = print_jmp,
	[BPF_JMP32] = print_jmp,
	[BPF_ALU64] = print_alu,
};

/* Names a map by the caller's name when it has one, else by the raw fd
 * or fd_array index the instruction carries. */
static void print_map(FILE *out, const char *ref_kind, int ref, const char *const *map_names,
		      int nmaps)
{
	if (map_names && ref >= 0 && ref < nmaps && map_names[ref])
		fprintf(out, "map[%s]", map_names[ref]);
	else
		fprintf(out, "map[%s:%d]", ref_kind, ref);
}

/* insn[1] must exist: its imm is the high half of the value, or the
 * offset into a map's value for the *_VALUE forms. */
static void print_ld_imm64(FILE *out, const struct bpf_insn *insn, const char *const *map_names,
			   int nmaps)
{
	uint64_t value = (uint64_t)(uint32_t)insn[1].imm << 32 | (uint32_t)insn[0].imm;

	fprintf(out, "r%d = ", insn->dst_reg);
	switch (insn->src_reg) {
	case BPF_PSEUDO_MAP_FD:
		print_map(out, "fd", insn->imm, map_names, nmaps);
		break;
	case BPF_PSEUDO_MAP_IDX:
		print_map(out, "idx", insn->imm, map_names, nmaps);
		break;
	case BPF_PSEUDO_MAP_VALUE:
		print_map(out, "fd", insn->imm, map_names, nmaps);
		fprintf(out, "[0]+%u", (uint32_t)insn[1].imm);
		break;
	case BPF_PSEUDO_MAP_IDX_VALUE:
		print_map(out, "idx", insn->imm, map_names, nmaps);
		fprintf(out, "[0]+%u", (uint32_t)insn[1].imm);
		break;
	case BPF_PSEUDO_FUNC:
		fprintf(out, "subprog[%+d]", insn->imm);
		break;
	default:
		fprintf(out, "0x%" PRIx64, value);
	}
	fputs(" ll\n", out);
}

static bool is_ld_imm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_DW | BPF_IMM);
}

void insn_dump(FILE *out, const struct bpf_insn *insns, int n, const char *const *map_names,
	       int nmaps)
{
	for (int i = 0; insns && i < n; i++) {
		const struct bpf_insn *insn = &insns[i];

		fprintf(out, "%4d: ", i);
		if (!is_ld_imm64(insn)) {
			class_printers[BPF_CLASS(insn->code)](out, insn);
		} else if (i + 1 < n) {
			print_ld_imm64(out, insn, map_names, nmaps);
			i++;
		} else {
			fprintf(out, "(%02x) truncated ld_imm64\n", insn->code);
		}
	}
}
