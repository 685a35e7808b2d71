#!/usr/bin/env bats
# Valgrind's memcheck on typical runs: no invalid access, no use of
# uninitialised memory, no leak at exit (definite, indirect or possible),
# on the success paths and the error paths.

load test_helper

setup() {
	[ "${AWL_SANITIZED:-}" != yes ] || skip "an ASan build: valgrind cannot run it (the normal build's suite runs these)"
	if ! command -v valgrind >/dev/null; then
		[ "${CI:-}" != true ] || { echo "valgrind is missing, and CI=true forbids skipping" >&2; return 1; }
		skip "valgrind is not installed"
	fi
}

# memcheck STATUS ARGS...: awl ARGS under memcheck exits with STATUS and
# valgrind reports nothing.
memcheck() {
	local want=$1
	shift
	run timeout 180 valgrind --suppressions="$TESTS_DIR/valgrind.supp" --leak-check=full \
		--show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \
		--error-exitcode=99 --log-file="$BATS_TEST_TMPDIR/vg.%p" "$AWL" "$@"
	echo "status $status"
	echo "$output" | head -20
	grep -hvE '^==[0-9]+== *$|Copyright|Using Valgrind|Command:|Parent PID|unhandled eBPF command' \
		"$BATS_TEST_TMPDIR"/vg.* | head -60
	[ "$status" -eq "$want" ]
	# every process valgrind followed (awl, and -c's child until its exec)
	! grep -qE 'ERROR SUMMARY: [1-9]' "$BATS_TEST_TMPDIR"/vg.*
	rm -f "$BATS_TEST_TMPDIR"/vg.*
}

@test "memcheck: a tracepoint with maps, hist and printf" {
	require_root
	memcheck 0 -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[comm] = count(); @h = hist(pid); printf("x %d %s\n", pid, comm); }' \
		-c "$WORKLOAD getppid 3"
}

@test "memcheck: perf buffers, kstack, str() and a full map" {
	require_root
	memcheck 0 -q --perf-buffer --map-size 2 -e 'tracepoint:syscalls:sys_enter_openat /pid == cpid/ { @k[kstack] = count(); @r[rand] = count(); printf("%s\n", str(args.filename)); }' \
		-c "$WORKLOAD open /tmp/awl-vg 3"
}

@test "memcheck: uprobe and uretprobe" {
	require_root
	memcheck 0 -q -e "uprobe:$UPROBE_TARGET:add_ints { @ = count(); } uretprobe:$UPROBE_TARGET:add_ints { @r = hist(retval); }" \
		-c "$UPROBE_TARGET calls 3"
}

@test "memcheck: interval, BEGIN and END, exit()" {
	require_root
	memcheck 0 -q -e 'BEGIN { printf("begin\n"); } interval:ms:100 { @n++; if (@n == 3) { exit(); } } END { printf("end\n"); }'
}

@test "memcheck: fentry (loaded, or its refusal explained)" {
	require_root
	run "$AWL" -q -e 'fentry:vfs_read { @ = count(); }' -c "$WORKLOAD getppid 1"
	memcheck "$status" -q -e 'fentry:vfs_read { @ = count(); }' -c "$WORKLOAD getppid 1"
}

@test "memcheck: error paths: syntax, types, missing probes, a command that cannot run" {
	memcheck 1 -n -e 'BEGIN { printf("%d\n", 1 +); }'
	memcheck 1 -n -e 'BEGIN { @x = "a"; @x = 1; }'
	memcheck 1 -n -e "uprobe:/nonexistent:foo { }"
	require_root
	memcheck 1 -q -e 'tracepoint:nosuch:thing { }'
	memcheck 2 -q -e 'tracepoint:syscalls:sys_enter_getppid { }' -c /nonexistent/cmd
}

@test "memcheck: listing probes" {
	require_root
	memcheck 0 -l 'tracepoint:sched:*'
	memcheck 0 -l "uprobe:$UPROBE_TARGET:*"
}
