#!/usr/bin/env bats
# kstack (ply: stack): the kernel stack where a probe fired, kept in a
# stack trace map and printed symbolized from /proc/kallsyms.

load test_helper

@test "@[kstack] = count() prints the syscall path, frame by frame" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[kstack] = count(); }' \
		-c "$WORKLOAD getppid 5"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "@[" ]
	[[ "${lines[1]}" =~ ^\ {8}[a-zA-Z_][a-zA-Z0-9_.]*\+[0-9]+$ ]]
	[[ "$output" == *"        do_syscall_64+"* ]]
	[[ "$output" == *$'\n'"]: 5"* ]]
}

@test "ply's stack is kstack" {
	require_root
	run timeout 20 "$AWL" -q -e 't:syscalls/sys_enter_getppid /pid == cpid/ { @[stack] = count(); }' \
		-c "$WORKLOAD getppid 3"
	[ "$status" -eq 0 ]
	[[ "$output" == *"        do_syscall_64+"* ]]
	[[ "$output" == *$'\n'"]: 3"* ]]
}

@test "printf %s of kstack prints the frames" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { printf("stack:%s", kstack); }' \
		-c "$WORKLOAD getppid 1"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "stack:" ]
	[[ "$output" == *"        do_syscall_64+"* ]]
}

@test "a sample taken in user mode has an empty kernel stack" {
	require_root
	cp "$WORKLOAD" "$BATS_TEST_TMPDIR/wlspin"
	run timeout 20 "$AWL" -q -e 'profile:hz:99 /comm == "wlspin"/ { @[kstack] = count(); }' \
		-c "$BATS_TEST_TMPDIR/wlspin spin 500"
	[ "$status" -eq 0 ]
	# mostly user-mode samples: an empty stack is printed as @[ ]
	[[ "$output" == *$'@[\n]: '* ]]
}

@test "ksym() names the kernel function an address falls in" {
	require_root
	addr=$(awk '$3 == "do_syscall_64" { print $1; exit }' /proc/kallsyms)
	[ -n "$addr" ]
	run timeout 20 "$AWL" -q -e "BEGIN { printf(\"%s\\n\", ksym(0x$addr + 4)); exit(); }"
	[ "$status" -eq 0 ]
	[ "$output" = "do_syscall_64" ]
}
