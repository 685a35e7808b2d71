#!/usr/bin/env bats
# kprobe/kretprobe: generated code for every arch (dry runs), and the
# error on a kernel without kprobes. The counting tests run in the QEMU
# guests (tests/vm), whose kernels have kprobes.

load test_helper

have_kprobes() {
	[ -e /sys/bus/event_source/devices/kprobe/type ] || [ -e /sys/kernel/tracing/kprobe_events ]
}

@test "kprobe arguments read each arch's argument registers" {
	# arg2's register: rdx, x2, r2, a2
	for want in "x86_64 96 u64" "aarch64 16 u64" "arm 8 u32" "riscv64 96 u64"; do
		set -- $want
		run "$AWL" -n -d --arch "$1" -e 'kprobe:vfs_read { @ = sum(arg2); }'
		[ "$status" -eq 0 ]
		[[ "$output" == *"r1 = *($3 *)(r6 +$2)"* ]]
	done
}

@test "kretprobe retval reads each arch's return register" {
	for want in "x86_64 80 u64" "aarch64 0 u64" "arm 0 u32" "riscv64 80 u64"; do
		set -- $want
		run "$AWL" -n -d --arch "$1" -e 'kretprobe:vfs_read { @ = hist(retval); }'
		[ "$status" -eq 0 ]
		[[ "$output" == *"r1 = *($3 *)(r6 +$2)"* ]]
	done
}

@test "ply's k: and kr:, and kprobe:FUNC+OFFSET, compile" {
	run "$AWL" -n -e 'k:vfs_read { @a = count(); } kr:vfs_read { @r = count(); } kprobe:vfs_write+4 { @o = count(); }'
	[ "$status" -eq 0 ]
}

@test "caller is the return address: a register, or the stack word on x86_64" {
	run "$AWL" -n -d --arch aarch64 -e 'kprobe:vfs_read { @[ksym(caller)] = count(); }'
	[[ "$output" == *"r1 = *(u64 *)(r6 +240)"* ]]
	run "$AWL" -n -d --arch x86_64 -e 'kprobe:vfs_read { @[ksym(caller)] = count(); }'
	[[ "$output" == *"r3 = *(u64 *)(r6 +152)"* ]]
	[[ "$output" == *"call bpf_probe_read_kernel#113"* ]]
}

@test "arg6 on x86_64 is on the stack: the error says sarg0" {
	run "$AWL" -n --arch x86_64 -e 'kprobe:f { @ = arg6; }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"x86_64 passes only 6 arguments in registers: arg6 is on the stack, sarg0"* ]]
}

@test "reg(\"name\") needs a register the arch has" {
	run "$AWL" -n --arch riscv64 -e 'kprobe:f { @ = reg("a0"); }'
	[ "$status" -eq 0 ]
	run "$AWL" -n --arch riscv64 -e 'kprobe:f { @ = reg("rax"); }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"riscv64 has no register 'rax'"* ]]
}

@test "a kretprobe takes no offset" {
	run "$AWL" -n -e 'kretprobe:vfs_read+4 { }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"expected kretprobe:FUNCTION (e.g. kretprobe:vfs_read)"* ]]
}

@test "kprobe counts calls, or a kernel without kprobes is explained (CONFIG_KPROBES, fentry)" {
	require_root
	if have_kprobes; then
		run timeout 20 "$AWL" -q -e 'kprobe:vfs_read /pid == cpid/ { @ = count(); }' -c "$WORKLOAD open /etc/hostname 1"
		[ "$status" -eq 0 ]
		[[ "$output" =~ ^@:\ [0-9]+$ ]]
	else
		run timeout 20 "$AWL" -q -e 'kprobe:vfs_read { @ = count(); }'
		[ "$status" -eq 2 ]
		[[ "$output" == *"cannot attach kprobe:vfs_read: this kernel has no kprobes (it needs CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y)"* ]]
		[[ "$output" == *"fentry:FUNC"* ]]
	fi
	no_awl_programs
}
