#!/usr/bin/env bats
# system() and signal(): real effects on the system, so only with --unsafe.

load test_helper

@test "system() without --unsafe is refused at compile time" {
	run "$AWL" -n -e 'BEGIN { system("true"); }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"system() can change the system: it needs --unsafe"* ]]
}

@test "signal() without --unsafe is refused at compile time" {
	require_tracefs
	run "$AWL" -n -e 'tracepoint:syscalls:sys_enter_getppid { signal("KILL"); }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"signal() can change the system: it needs --unsafe"* ]]
}

@test "system() runs a formatted command, its output in order with printf's" {
	require_root
	run timeout 10 "$AWL" -q --unsafe -e 'BEGIN { printf("before\n"); system("echo hello %d %s", 42, "there"); printf("after\n"); exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'before\nhello 42 there\nafter')" ]
}

@test "signal(\"KILL\") kills the process that hit the probe" {
	require_root
	# a copy with a name of its own: no other test's workload is hit
	cp "$WORKLOAD" "$BATS_TEST_TMPDIR/wlsignal"
	run timeout 10 "$AWL" -q --unsafe \
		-e 'tracepoint:syscalls:sys_enter_getppid /comm == "wlsignal"/ { signal("KILL"); }' \
		-c "sh -c '$BATS_TEST_TMPDIR/wlsignal wait-getppid 300 1; echo status \$?'"
	[ "$status" -eq 0 ]
	[[ "$output" == *"status 137"* ]]
}

@test "signal(SIGUSR1) by name and signal(15) by number compile" {
	run "$AWL" -n --unsafe -e 'BEGIN { signal(SIGUSR1); signal(15); }'
	[ "$status" -eq 0 ]
}

@test "signal() of an unknown name is an error naming it" {
	run "$AWL" -n --unsafe -e 'BEGIN { signal("SIGFOO"); }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown signal 'SIGFOO'"* ]]
}
