#!/usr/bin/env bats
# How awl stops: SIGINT, SIGTERM, SIGHUP, the end of the -c command,
# exit() in a probe, SIGKILL; and that each way prints what it should
# and leaves nothing loaded in the kernel.

load test_helper

# A script that says when it is attached (its interval probe fires only
# after every probe is attached), keeps a map and has an END.
SCRIPT='BEGIN { printf("begin\n"); }
tracepoint:syscalls:sys_enter_getppid { @calls = count(); }
interval:ms:50 { @ticks++; if (@ticks == 1) { printf("ready\n"); } }
END { printf("end\n"); }'

# Starts awl in the background: stdout in $out, stderr in $err, its pid
# in $pid.
start_awl() {
	out=$BATS_TEST_TMPDIR/out
	err=$BATS_TEST_TMPDIR/err
	"$AWL" "$@" >"$out" 2>"$err" 3>&- &
	pid=$!
}

# Waits (up to 10 s) until awl's output has a line matching $1.
wait_for_line() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -qE "$1" "$out" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	grep -qE "$1" "$out" || { echo "no line /$1/ in awl's output:" >&2; cat "$out" "$err" >&2; return 1; }
}

# Waits up to $1 seconds (default 10) for awl to exit, killing it if it
# does not; its exit status goes in $status and its output in $output.
wait_awl() {
	local i n=$((${1:-10} * 10))

	for ((i = 0; i < n; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		wait "$pid" || true
		echo "awl did not exit within ${1:-10} s" >&2
		return 1
	fi
	status=0
	wait "$pid" || status=$?
	output=$(cat "$out")
}

# The ids of the BPF programs a running process holds.
prog_ids() {
	cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u
}

# Polls (up to 2 s: the kernel frees programs after an RCU grace period)
# until none of the programs with the given ids is loaded. Without
# bpftool, until no awl_ program at all is loaded.
programs_gone() {
	local i id left

	for ((i = 0; i < 20; i++)); do
		left=
		if command -v bpftool >/dev/null; then
			for id in "$@"; do
				bpftool prog show id "$id" >/dev/null 2>&1 && left="$left $id"
			done
		else
			no_awl_programs 2>/dev/null || left=" (awl_ programs)"
		fi
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "still loaded:$left" >&2
	return 1
}

# Polls (up to 2 s) until no BPF map named $1 exists: a map lives as long
# as a program using it does. Without bpftool, until no awl_ program is
# loaded.
map_gone() {
	local i

	for ((i = 0; i < 20; i++)); do
		if command -v bpftool >/dev/null; then
			bpftool map show 2>/dev/null | grep -qE "  name $1( |\$)" || return 0
		else
			no_awl_programs 2>/dev/null && return 0
		fi
		sleep 0.1
	done
	echo "map $1 (and so its programs) still loaded" >&2
	return 1
}

# Sends signal $1 to an awl that is tracing, and checks it stops the way
# Ctrl-C does: END runs, maps are printed, status 0, nothing left loaded.
stops_cleanly_on() {
	local ids

	start_awl -q -e "$SCRIPT"
	wait_for_line '^ready$'
	ids=$(prog_ids "$pid")
	[ -n "$ids" ]
	kill -"$1" "$pid"
	wait_awl 10
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | head -n 1)" = begin ]
	[ "$(count_lines '^end$')" -eq 1 ]
	# END comes after every probe's output, the maps after END.
	printf '%s\n' "$output" | grep -A 100 '^end$' | grep -qE '^@ticks: [0-9]+$'
	! printf '%s\n' "$output" | grep -A 100 '^end$' | grep -q '^ready$'
	programs_gone $ids
}

@test "SIGINT: END runs, maps are printed, status 0, nothing left loaded" {
	require_root
	stops_cleanly_on INT
}

@test "SIGTERM: END runs, maps are printed, status 0, nothing left loaded" {
	require_root
	stops_cleanly_on TERM
}

@test "SIGHUP: END runs, maps are printed, status 0, nothing left loaded" {
	require_root
	stops_cleanly_on HUP
}

# After SIGINT every event sent before the probes were detached is still
# printed: as many tick lines as the map counted. awl's options are "$@".
sigint_drains() {
	start_awl -q "$@" -e 'interval:ms:20 { @t++; printf("tick %d\n", @t); }
		interval:ms:50 /@r == 0/ { @r = 1; printf("ready\n"); }'
	wait_for_line '^ready$'
	sleep 0.5
	kill -INT "$pid"
	wait_awl 10
	[ "$status" -eq 0 ]
	local n
	n=$(printf '%s\n' "$output" | sed -n 's/^@t: //p')
	echo "@t: $n, tick lines: $(count_lines '^tick ')"
	[ "$n" -ge 10 ]
	[ "$(count_lines '^tick ')" -eq "$n" ]
	[ "$(printf '%s\n' "$output" | grep '^tick ' | tail -n 1)" = "tick $n" ]
}

@test "SIGINT: every event sent before detaching is printed (ring buffer)" {
	require_root
	sigint_drains
}

@test "SIGINT: every event sent before detaching is printed (perf buffers)" {
	require_root
	sigint_drains --perf-buffer
}

@test "timeout -s INT 1 (Ctrl-C after a second): status 0, END and maps printed" {
	require_root
	local start end
	start=$(date +%s%N)
	run timeout -k 5 --preserve-status -s INT 1 "$AWL" -q -e \
		'interval:ms:100 { @ticks++; } END { printf("end %d\n", @ticks); }'
	end=$(date +%s%N)
	echo "$output"
	[ "$status" -eq 0 ]
	# About 10 ticks in a second.
	[[ "${lines[0]}" =~ ^end\ ([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" -ge 6 ] && [ "${BASH_REMATCH[1]}" -le 12 ]
	[ "${lines[1]}" = "@ticks: ${BASH_REMATCH[1]}" ]
	[ $(((end - start) / 1000000)) -lt 3000 ]
}

@test "a second SIGINT while stopping does not lose END or the maps" {
	require_root
	start_awl -q -e "$SCRIPT"
	wait_for_line '^ready$'
	kill -INT "$pid"
	kill -INT "$pid" 2>/dev/null || true
	wait_awl 10
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(count_lines '^end$')" -eq 1 ]
	[ "$(count_lines '^@ticks: [0-9]+$')" -eq 1 ]
}

@test "a second SIGINT during a slow stop does not kill awl: status 0" {
	require_root
	local tpid i child grandchild
	out=$BATS_TEST_TMPDIR/out
	# Under timeout, SIGINT has its default action (a background job of a
	# script ignores it), as in a terminal. Stopping takes about a second:
	# the -c command ignores SIGTERM and is killed after a grace period.
	timeout -k 5 30 "$AWL" -q -e 'interval:ms:100 { @ticks++; } END { printf("end\n"); }' \
		-c "trap '' TERM; $WORKLOAD sleep 20000" >"$out" 3>&- &
	tpid=$!
	for ((i = 0; i < 100; i++)); do
		pid=$(pgrep -P "$tpid" -x awl || true)
		child=
		[ -n "$pid" ] && child=$(pgrep -P "$pid" || true)
		grandchild=
		[ -n "$child" ] && grandchild=$(pgrep -P "$child" -x workload || true)
		[ -n "$grandchild" ] && break
		sleep 0.1
	done
	[ -n "$grandchild" ]
	sleep 0.5
	kill -INT "$pid"
	sleep 0.4
	kill -INT "$pid" 2>/dev/null || true
	status=0
	wait "$tpid" || status=$?
	kill -9 "$grandchild" "$child" 2>/dev/null || true
	output=$(cat "$out")
	echo "status $status: $output"
	[ "$status" -eq 0 ]
	[ "$(count_lines '^end$')" -eq 1 ]
	[ "$(count_lines '^@ticks: [0-9]+$')" -eq 1 ]
}

@test "-c: awl stops when the command ends, END runs and maps are printed" {
	require_root
	local start end
	start=$(date +%s%N)
	run timeout -k 5 20 "$AWL" -q -e \
		'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @calls = count(); }
		 END { printf("end\n"); }' -c "$WORKLOAD getppid 17"
	end=$(date +%s%N)
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = end ]
	[ "${lines[1]}" = "@calls: 17" ]
	[ $(((end - start) / 1000000)) -lt 5000 ]
}

@test "-c: awl does not wait beyond the command (workload sleep 300)" {
	require_root
	local start end
	start=$(date +%s%N)
	run timeout -k 5 20 "$AWL" -q -e 'interval:s:10 { printf("late\n"); }' -c "$WORKLOAD sleep 300"
	end=$(date +%s%N)
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(count_lines late)" -eq 0 ]
	[ $(((end - start) / 1000000)) -ge 250 ]
	[ $(((end - start) / 1000000)) -lt 3000 ]
}

@test "-c: a command killed by SIGKILL ends awl cleanly, with END and maps" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e \
		'tracepoint:syscalls:sys_enter_tgkill /pid == cpid/ { @sig = args.sig; }
		 END { printf("end\n"); }' -c "$WORKLOAD kill 9"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = end ]
	[ "${lines[1]}" = "@sig: 9" ]
}

@test "-c: a command that cannot be executed is an error (status 2), nothing left loaded" {
	require_root
	local tag=nx$$_$RANDOM
	run timeout -k 5 20 "$AWL" -q -e \
		"tracepoint:syscalls:sys_enter_getppid { @$tag = count(); } END { printf(\"end\\n\"); }" \
		-c /nonexistent/cmd
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"No such file or directory"* ]]
	[[ "$output" == *"-c"* || "$output" == *"/nonexistent/cmd"* ]]
	# No END, no maps: the tracing never started.
	[ "$(count_lines '^end$')" -eq 0 ]
	map_gone "$tag"
}

@test "-c: a command that is not executable is an error naming the reason" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e 'BEGIN { printf("begin\n"); }' -c "$BATS_TEST_DIRNAME/test_helper.bash"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"Permission denied"* ]]
}

@test "-c '': an empty command is a clear error, not 'Success'" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e 'BEGIN { printf("begin\n"); }' -c ""
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *error* ]]
	[[ "$output" != *Success* ]]
}

@test "SIGINT while the -c command runs stops awl and terminates the command" {
	require_root
	local child i
	start_awl -q -e 'interval:ms:50 { printf("tick\n"); } END { printf("end\n"); }' \
		-c "$WORKLOAD sleep 20000"
	for ((i = 0; i < 100; i++)); do
		child=$(pgrep -P "$pid" -x workload || true)
		[ -n "$child" ] && break
		sleep 0.1
	done
	[ -n "$child" ]
	kill -INT "$pid"
	wait_awl 10
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(count_lines '^end$')" -eq 1 ]
	# The command is not left running.
	for ((i = 0; i < 20; i++)); do
		kill -0 "$child" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$child" 2>/dev/null
}

@test "SIGINT stops awl even when the -c command ignores SIGTERM" {
	require_root
	local child grandchild i start ms
	start_awl -q -e 'tracepoint:syscalls:sys_enter_getppid { @calls = count(); } END { printf("end\n"); }' \
		-c "trap '' TERM; $WORKLOAD sleep 20000"
	for ((i = 0; i < 100; i++)); do
		child=$(pgrep -P "$pid" || true)
		grandchild=
		[ -n "$child" ] && grandchild=$(pgrep -P "$child" -x workload || true)
		[ -n "$grandchild" ] && break
		sleep 0.1
	done
	[ -n "$grandchild" ]
	start=$(date +%s%N)
	kill -INT "$pid"
	wait_awl 5 || true
	ms=$((($(date +%s%N) - start) / 1000000))
	kill -9 "$grandchild" "$child" 2>/dev/null || true
	echo "$output (stopped after $ms ms)"
	[ "$ms" -lt 3000 ]
	[ "$status" -eq 0 ]
	[ "$(count_lines '^end$')" -eq 1 ]
}

@test "exit() stops awl at once: status 0, END and maps printed" {
	require_root
	local start end
	start=$(date +%s%N)
	run timeout -k 5 20 "$AWL" -q -e \
		'interval:ms:100 { @n++; exit(); } END { printf("end %d\n", @n); }'
	end=$(date +%s%N)
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "end 1" ]
	[ "${lines[1]}" = "@n: 1" ]
	[ $(((end - start) / 1000000)) -lt 2000 ]
}

@test "exit(3) makes awl exit with status 3" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e 'interval:ms:100 { exit(3); }'
	[ "$status" -eq 3 ]
}

@test "nothing after exit() is printed: not the rest of the probe, not later events" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e \
		'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ {
			@n++; printf("ev %d\n", @n);
			if (@n == 50) { exit(); printf("after exit\n"); }
		 }' -c "$WORKLOAD getppid 400"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(count_lines '^ev [0-9]+$')" -eq 50 ]
	[ "$(count_lines 'after exit')" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep '^ev ' | tail -n 1)" = "ev 50" ]
}

@test "nothing after exit() is printed when the script has an END probe" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e \
		'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ {
			@n++; printf("ev %d\n", @n);
			if (@n == 50) { exit(); printf("after exit\n"); }
		 }
		 END { printf("end\n"); }' -c "$WORKLOAD getppid 400"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(count_lines 'after exit')" -eq 0 ]
	[ "$(count_lines '^ev [0-9]+$')" -eq 50 ]
	[ "$(count_lines '^end$')" -eq 1 ]
}

@test "SIGKILL of awl while tracing leaves no program loaded" {
	require_root
	local ids
	start_awl -q -e "$SCRIPT"
	wait_for_line '^ready$'
	ids=$(prog_ids "$pid")
	[ -n "$ids" ]
	kill -9 "$pid"
	wait "$pid" || true
	programs_gone $ids
}

@test "a closed output pipe stops awl instead of leaving it running" {
	require_root
	run timeout -k 5 10 sh -c '"$0" -q -e "interval:ms:10 { printf(\"x\\n\"); }" | head -n 1' "$AWL"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = x ]
}

# Sends SIGINT to awl ($pid) and waits up to $1 seconds for it to end;
# kills it and fails if it does not.
interrupt_within() {
	local i
	kill -INT "$pid"
	for ((i = 0; i < $1 * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid"
	echo "awl did not stop within $1 s of SIGINT"
	return 1
}

@test "SIGINT while 500 uprobes are being attached: awl stops, prints its maps once, leaves nothing" {
	require_root
	local pid i
	AWL_NO_UPROBE_MULTI=1 AWL_PROBE_API=tracefs "$AWL" -q -e "uprobe:$UPROBE_TARGET:many_* { @ = count(); } END { printf(\"end\\n\"); }" \
		> "$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	# interrupt as soon as its first uprobe is made, mid-attach
	for ((i = 0; i < 500; i++)); do
		grep -qs ":awl/awl_${pid}_" /sys/kernel/tracing/uprobe_events && break
		sleep 0.02
	done
	interrupt_within 60 || return 1
	wait "$pid" && status=0 || status=$?
	cat "$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^end$' "$BATS_TEST_TMPDIR/out")" -eq 1 ]
	[ "$(grep -c '^@: ' "$BATS_TEST_TMPDIR/out")" -le 1 ]
	programs_gone
	# 500 tracefs uprobes: a child of awl's removes them after it exits
	for ((i = 0; i < 600; i++)); do
		grep -qs ":awl/awl_${pid}_" /sys/kernel/tracing/uprobe_events || return 0
		sleep 0.1
	done
	echo "$(grep -c ":awl/awl_${pid}_" /sys/kernel/tracing/uprobe_events) uprobe events left after 60 s"
	return 1
}

@test "started with SIGINT ignored (a shell's background job), awl still stops on SIGINT" {
	require_root
	# SIG_IGN survives exec: trap '' INT is what a non-interactive shell
	# gives its background jobs
	(trap '' INT; exec "$AWL" -q -e 'interval:ms:100 { @n = count(); } END { printf("end\n"); }' \
		> "$BATS_TEST_TMPDIR/out" 2>&1) &
	pid=$!
	sleep 1
	interrupt_within 5 || return 1
	wait "$pid"
	grep -q '^end$' "$BATS_TEST_TMPDIR/out"
}

@test "SIGINT while the maps print (a slow console) cuts them short at once, nothing left" {
	require_root
	# 8000 keys, about 150 KB of map (beyond a pipe's 64 KB), read at 2 KB/s
	{
		AWL_MAP_SIZE=10000 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[rand] = count(); }' \
			-c "$WORKLOAD getppid 8000" 2> "$BATS_TEST_TMPDIR/err" &
		echo $! > "$BATS_TEST_TMPDIR/pid"
		wait
	} | "$WORKLOAD" slowcat 2000 > "$BATS_TEST_TMPDIR/out" &
	local reader=$!
	sleep 0.5
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	# the command ends at once; printing has begun after 2 s
	sleep 2
	kill -0 "$pid"
	interrupt_within 3
	kill "$reader"
	wait || true
	cat "$BATS_TEST_TMPDIR/err"
	grep -q '^awl: interrupted: the maps were not all printed$' "$BATS_TEST_TMPDIR/err"
	[ "$(grep -c '^@\[' "$BATS_TEST_TMPDIR/out")" -lt 8000 ]
	programs_gone
}
