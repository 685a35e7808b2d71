#!/usr/bin/env bats
# fentry/fexit: typed from the kernel's BTF. Where the kernel refuses
# tracing programs (lockdown, as on some of the machines CI runs on), the
# refusal is explained; where it loads, counts are checked.

load test_helper

have_btf() {
	[ -e /sys/kernel/btf/vmlinux ]
}

# Whether this kernel loads fentry programs at all.
fentry_loads() {
	timeout 20 "$AWL" -q -e 'fentry:vfs_read { exit(); }' -c "cat /dev/null" >/dev/null 2>&1
}

@test "-lv 'fentry:vfs_read' prints the prototype from BTF" {
	have_btf || skip "no BTF in this kernel"
	run "$AWL" -lv 'fentry:vfs_read'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "fentry:vfs_read" ]
	[[ "${lines[1]}" == *"vfs_read(struct file * file, char * buf, size_t count, loff_t * pos)" ]]
}

@test "args are typed from BTF: args.count is an integer, args.buf a pointer" {
	have_btf || skip "no BTF in this kernel"
	run "$AWL" -n -d -e 'fentry:vfs_read { @[comm] = sum(args.count); @b = args.buf; }'
	[ "$status" -eq 0 ]
	[[ "$output" == *"field . count :: uint64"* ]]
	[[ "$output" == *"field . buf :: int8 *"* ]]
}

@test "kfunc: and kretfunc: are fentry and fexit; fexit has a typed retval" {
	have_btf || skip "no BTF in this kernel"
	run "$AWL" -n -d -e 'kfunc:vfs_write { @w = count(); } kretfunc:vfs_read { @r = hist(retval); }'
	[ "$status" -eq 0 ]
	[[ "$output" == *"ident retval :: int64"* ]]
}

@test "a missing field names the function's arguments" {
	have_btf || skip "no BTF in this kernel"
	run "$AWL" -n -e 'fentry:vfs_read { @ = args.cnt; }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"vfs_read has no field 'cnt'; did you mean 'count'?"* ]]
}

@test "a function not in BTF is an error" {
	have_btf || skip "no BTF in this kernel"
	run "$AWL" -n -e 'fentry:no_such_function_here { }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"the kernel's BTF has no function 'no_such_function_here'"* ]]
}

@test "fentry counts reads, or its refusal is explained" {
	require_root
	have_btf || skip "no BTF in this kernel"
	if fentry_loads; then
		run timeout 20 "$AWL" -q -e 'fentry:vfs_read /pid == cpid/ { @ = count(); }' -c "$WORKLOAD open /etc/hostname 1"
		[ "$status" -eq 0 ]
		[[ "$output" =~ ^@:\ [0-9]+$ ]]
	else
		run timeout 20 "$AWL" -q -e 'fentry:vfs_read { @ = count(); }'
		[ "$status" -eq 2 ]
		[[ "$output" == *"the kernel refused to load the fentry program for vfs_read"* ]]
		[[ "$output" == *"BPF_PROG_TYPE_TRACING"* ]]
		[[ "$output" == *"security policy is the likely cause"* ]]
		[[ "$output" == *"kprobe:vfs_read, or a tracepoint"* ]]
		no_awl_programs
	fi
}

@test "fexit retval, or its refusal is explained" {
	require_root
	have_btf || skip "no BTF in this kernel"
	if fentry_loads; then
		run timeout 20 "$AWL" -q -e 'fexit:vfs_read /pid == cpid/ { @[retval > 0] = count(); }' -c "$WORKLOAD open /etc/hostname 1"
		[ "$status" -eq 0 ]
	else
		run timeout 20 "$AWL" -q -e 'fexit:vfs_read { @ = count(); }'
		[ "$status" -eq 2 ]
		[[ "$output" == *"the kernel refused to load the fexit program for vfs_read"* ]]
	fi
}
