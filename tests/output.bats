#!/usr/bin/env bats
# Per-event output: the BPF ring buffer (the default) and the per-CPU
# perf buffers (--perf-buffer, AWL_OUTPUT=perf) give the same output;
# -u, -o FILE; and lost events when the reader is too slow.

load test_helper

# One printf per getppid of the -c command, numbered by a map counter.
SEQ='tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @seq++; printf("seq %d %s\n", @seq, comm); }'

# What SEQ prints for `workload getppid $1`.
seq_expected() {
	local i
	for ((i = 1; i <= $1; i++)); do
		echo "seq $i workload"
	done
	echo "@seq: $1"
}

# Runs SEQ over `workload getppid 200` with awl's extra options "$@".
run_seq() {
	run timeout -k 5 30 "$AWL" -q "$@" -e "$SEQ" -c "$WORKLOAD getppid 200"
	echo "$output" | head -n 5
	[ "$status" -eq 0 ]
	[ "$output" = "$(seq_expected 200)" ]
}

@test "ring buffer (the default): one line per event, in order" {
	require_root
	run_seq
}

@test "--perf-buffer: the same lines, in the same order" {
	require_root
	run_seq --perf-buffer
}

@test "AWL_OUTPUT=perf: the same lines, in the same order" {
	require_root
	AWL_OUTPUT=perf run_seq
}

@test "AWL_OUTPUT=ringbuf: the same lines, in the same order" {
	require_root
	AWL_OUTPUT=ringbuf run_seq
}

@test "the output mode is what was asked for: ring buffer by default, perf buffers when forced" {
	require_tracefs
	run "$AWL" --dry-run -d -e "$SEQ"
	[ "$status" -eq 0 ]
	[ "$(count_lines 'call bpf_ringbuf_output')" -ge 1 ]
	[ "$(count_lines 'call bpf_perf_event_output')" -eq 0 ]
	run "$AWL" --dry-run -d --perf-buffer -e "$SEQ"
	[ "$status" -eq 0 ]
	[ "$(count_lines 'call bpf_perf_event_output')" -ge 1 ]
	[ "$(count_lines 'call bpf_ringbuf_output')" -eq 0 ]
	AWL_OUTPUT=perf run "$AWL" --dry-run -d -e "$SEQ"
	[ "$status" -eq 0 ]
	[ "$(count_lines 'call bpf_perf_event_output')" -ge 1 ]
	[ "$(count_lines 'call bpf_ringbuf_output')" -eq 0 ]
}

# Events of processes that run one after another, alternately on CPU 0
# and CPU 1, come out in the order they happened: numbered 1..800 and
# from both CPUs. awl's extra options are "$@".
ordered_across_cpus() {
	local wl=$BATS_TEST_TMPDIR/wlorder out=$BATS_TEST_TMPDIR/out pid i r
	[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || skip "needs 2 CPUs"
	cp "$WORKLOAD" "$wl"	# a comm of its own: other workloads may run
	"$AWL" -q "$@" -o "$out" -e '
		tracepoint:syscalls:sys_enter_getppid /comm == "wlorder"/ {
			@seq++; printf("%d %d\n", @seq, cpu);
		}
		interval:ms:50 /@ready == 0/ { @ready = 1; printf("ready\n"); }' 3>&- &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q '^ready$' "$out" 2>/dev/null && break
		sleep 0.1
	done
	for r in 1 2 3 4; do
		taskset -c 0 "$wl" getppid 100
		taskset -c 1 "$wl" getppid 100
	done
	sleep 0.3
	kill -INT "$pid"
	wait "$pid"
	grep -E '^[0-9]+ [0-9]+$' "$out" | awk '
		$1 != NR { print "line " NR ": seq " $1; bad = 1 }
		{ cpus[$2]++ }
		END {
			if (NR != 800) { print NR " events, not 800"; bad = 1 }
			if (cpus[0] != 400 || cpus[1] != 400) { print "cpu0 " cpus[0] ", cpu1 " cpus[1]; bad = 1 }
			exit bad
		}'
}

@test "ring buffer: events from different CPUs come out in the order they happened" {
	require_root
	ordered_across_cpus
}

@test "perf buffers: events from different CPUs come out in the order they happened" {
	require_root
	ordered_across_cpus --perf-buffer
}

# Records of two sizes through a one-page buffer: many wrap around its
# end. Every line printed is whole and in order (some may be lost: -k;
# how many get through depends on the machine's load, so only enough of
# them to have wrapped many times is required).
wrapped_records_intact() {
	AWL_BUFFER_PAGES=1 run timeout -k 5 30 "$AWL" -q -k "$@" -e '
		tracepoint:syscalls:sys_enter_getppid /pid == cpid/ {
			@n++;
			if (@n % 3 == 0) { printf("%d %s\n", @n, comm); }
			else { printf("%d %s %s %d\n", @n, comm, comm, @n * 7); }
		}' -c "$WORKLOAD getppid 20000"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | grep -vE '^(@n: 20000|awl: [0-9]+ events? lost.*|)$' | awk '
		$1 !~ /^[0-9]+$/ || $1 <= prev { print "out of order or garbled at line " NR ": " $0; bad = 1 }
		$1 % 3 == 0 && (NF != 2 || $2 != "workload") { print "garbled: " $0; bad = 1 }
		$1 % 3 != 0 && (NF != 4 || $2 != "workload" || $3 != "workload" || $4 != $1 * 7) { print "garbled: " $0; bad = 1 }
		{ prev = $1; n++ }
		END { print n " lines"; if (n < 100) bad = 1; exit bad }'
}

@test "ring buffer: records that wrap around the buffer come out whole" {
	require_root
	wrapped_records_intact
}

@test "perf buffers: records that wrap around the buffer come out whole" {
	require_root
	wrapped_records_intact --perf-buffer
}

@test "-u: each line is written as soon as its event arrives" {
	require_root
	local out=$BATS_TEST_TMPDIR/out pid i n=0
	"$AWL" -q -u -e 'interval:ms:100 { @c++; printf("tick %d\n", @c); }' >"$out" 3>&- &
	pid=$!
	for ((i = 0; i < 50; i++)); do
		n=$(grep -c '^tick' "$out" || true)
		[ "$n" -ge 3 ] && break
		sleep 0.1
	done
	# Seen while awl still runs, not only when it exits.
	kill -0 "$pid"
	kill -INT "$pid"
	wait "$pid"
	cat "$out"
	[ "$n" -ge 3 ]
	grep '^tick' "$out" | awk '$2 != NR { exit 1 }'
	[ "$(tail -n 2 "$out" | head -n 1)" = "@c: $(grep -c '^tick' "$out")" ]
}

@test "-o FILE: all output goes to FILE, none to stdout" {
	require_root
	local f=$BATS_TEST_TMPDIR/awl.out
	run timeout -k 5 30 "$AWL" -q -o "$f" -e "$SEQ END { printf(\"end\\n\"); }" -c "$WORKLOAD getppid 20"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	cat "$f"
	[ "$(grep -c '^seq [0-9]* workload$' "$f")" -eq 20 ]
	[ "$(grep -c '^end$' "$f")" -eq 1 ]
	[ "$(grep -c '^@seq: 20$' "$f")" -eq 1 ]
}

@test "-o FILE that cannot be written is an error (status 2)" {
	require_root
	run timeout -k 5 30 "$AWL" -q -o /nonexistent/dir/out -e 'BEGIN { printf("x\n"); }'
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"/nonexistent/dir/out"* ]]
	[[ "$output" != x* ]]
}

@test "-o through a symbolic link is refused (as root it would overwrite the link's target)" {
	require_root
	local target=$BATS_TEST_TMPDIR/precious
	echo keep > "$target"
	ln -s "$target" "$BATS_TEST_TMPDIR/link"
	run timeout -k 5 30 "$AWL" -q -o "$BATS_TEST_TMPDIR/link" -e 'BEGIN { printf("x\n"); exit(); }'
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot write $BATS_TEST_TMPDIR/link: it is a symbolic link, which awl does not follow"* ]]
	[ "$(cat "$target")" = keep ]
	# the system's own links are followed: /dev/stdout
	run timeout -k 5 30 "$AWL" -q -o /dev/stdout -e 'BEGIN { printf("x\n"); exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = x ]
}

# ---- lost events ----

LOSSY='tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @n++; printf("event %d\n", @n); }
END { printf("end\n"); }'

# Runs LOSSY over 200000 getppid with a 1-page buffer, awl's stdout going
# to a reader that sleeps 3 s first (under $PIN, when set: a command
# prefix). awl's options are "$@"; its status
# is in $status, its stderr in $err, its stdout in $BATS_TEST_TMPDIR/out.
run_lossy() {
	local out=$BATS_TEST_TMPDIR/out
	AWL_BUFFER_PAGES=1 $PIN timeout -k 5 30 "$AWL" -q "$@" -e "$LOSSY" \
		-c "$WORKLOAD getppid 200000" 2>"$BATS_TEST_TMPDIR/err" |
		sh -c 'sleep 3; cat >"$0"' "$out"
	status=${PIPESTATUS[0]}
	err=$(cat "$BATS_TEST_TMPDIR/err")
	echo "status $status; stderr: $err"
	tail -n 3 "$out"
}

@test "ring buffer: events lost to a slow reader are reported, status 2" {
	require_root
	run_lossy
	[ "$status" -eq 2 ]
	[[ "$err" =~ (^|$'\n')"awl: "[0-9]+" events lost" ]]
}

@test "ring buffer: with -k, lost events are reported but the status is 0" {
	require_root
	run_lossy -k
	[ "$status" -eq 0 ]
	[[ "$err" =~ (^|$'\n')"awl: "[0-9]+" events lost" ]]
	[ "$(grep -c '^end$' "$BATS_TEST_TMPDIR/out")" -eq 1 ]
}

@test "perf buffers: events lost to a slow reader are reported, status 2" {
	require_root
	run_lossy --perf-buffer
	[ "$status" -eq 2 ]
	[[ "$err" =~ (^|$'\n')"awl: "[0-9]+" events lost" ]]
}

@test "perf buffers: with -k, lost events are reported but the status is 0" {
	require_root
	run_lossy --perf-buffer -k
	[ "$status" -eq 0 ]
	[[ "$err" =~ (^|$'\n')"awl: "[0-9]+" events lost" ]]
	[ "$(grep -c '^end$' "$BATS_TEST_TMPDIR/out")" -eq 1 ]
}

# Every event is either printed or counted as lost, once. All on CPU 0,
# so that END's record comes after the losses in the same buffer (for
# perf buffers, the kernel then writes its LOST record first).
lost_count_is_exact() {
	PIN="taskset -c 0" run_lossy -k "$@"
	[ "$status" -eq 0 ]
	local lost printed
	lost=$(printf '%s\n' "$err" | sed -nE 's/^awl: ([0-9]+) events? lost.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
	printed=$(grep -c '^event ' "$BATS_TEST_TMPDIR/out")
	echo "lost $lost + printed $printed = $((lost + printed)), expected 200000"
	[ "$lost" -gt 0 ]
	[ $((lost + printed)) -eq 200000 ]
}

@test "ring buffer: lost + printed = the number of events" {
	require_root
	lost_count_is_exact
}

@test "perf buffers: lost + printed = the number of events" {
	require_root
	lost_count_is_exact --perf-buffer
}

# An external burst of 200000 getppid once awl's two programs are loaded
# (however long that takes on a loaded machine), awl's stdout going to a
# reader that sleeps 3 s first; a probe prints "late" after 5 s. awl's
# options are "$@".
run_lossy_then_late() {
	local wl=$BATS_TEST_TMPDIR/wlburst out=$BATS_TEST_TMPDIR/out burst
	cp "$WORKLOAD" "$wl"
	sh -c 'i=0; while [ "$("$0" bpf-programs awl_)" -lt 2 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
		sleep 0.2; exec "$1" wait-getppid 0 200000' "$WORKLOAD" "$wl" 3>&- &
	burst=$!
	AWL_BUFFER_PAGES=1 timeout -k 5 30 "$AWL" -q "$@" -e '
		tracepoint:syscalls:sys_enter_getppid /comm == "wlburst"/ { printf("event\n"); }
		interval:s:5 { printf("late\n"); exit(); }' 2>"$BATS_TEST_TMPDIR/err" |
		sh -c 'sleep 3; cat >"$0"' "$out"
	status=${PIPESTATUS[0]}
	wait "$burst"
	err=$(cat "$BATS_TEST_TMPDIR/err")
	echo "status $status; stderr: $err"
	tail -n 3 "$out"
}

@test "without -k, awl stops soon after losing events" {
	require_root
	run_lossy_then_late
	[ "$status" -eq 2 ]
	[[ "$err" =~ (^|$'\n')"awl: "[0-9]+" events lost" ]]
	[ "$(grep -c '^late$' "$BATS_TEST_TMPDIR/out")" -eq 0 ]
}

@test "with -k, awl keeps tracing after losing events" {
	require_root
	run_lossy_then_late -k
	[ "$status" -eq 0 ]
	[[ "$err" =~ (^|$'\n')"awl: "[0-9]+" events lost" ]]
	[ "$(grep -c '^late$' "$BATS_TEST_TMPDIR/out")" -eq 1 ]
}

# ---- a long run (make soak runs it for an hour) ----

@test "soak: a busy tracepoint, full maps, a console-speed reader: losses reported, RSS bounded" {
	require_root
	local slack=512
	# ASan keeps freed memory in quarantine (up to 256 MB): only a
	# gross leak shows there; the plain build holds awl to 512 KiB
	[ "${AWL_SANITIZED:-}" != yes ] || slack=300000
	AWL_MAP_SIZE=1024 run timeout 120 sh "$TESTS_DIR/soak.sh" 8 "$slack"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"soak: 8 s: RSS "* ]]
}

@test "a console-speed reader (11.5 KB/s): awl's kernel side never waits; losses are counted and reported" {
	require_root
	# 20000 events of about 30 bytes: 600 KB, a minute at that pace
	run timeout -k 5 60 bash -c '"$0" -q -e "tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { printf(\"event %d %s\\n\", pid, comm); }" \
		-c "$1 getppid 20000" 2>"$2" | "$1" slowcat 11520 | head -c 20000 >/dev/null; echo "awl status ${PIPESTATUS[0]}"' \
		"$AWL" "$WORKLOAD" "$BATS_TEST_TMPDIR/err"
	echo "$output"; cat "$BATS_TEST_TMPDIR/err"
	[ "$status" -eq 0 ]
	# the workload finished at full speed: awl stopped with it, at once
	[[ "$output" == *"awl status 2"* ]] || [[ "$output" == *"awl status 0"* ]]
	grep -qE '^awl: [0-9]+ events? lost' "$BATS_TEST_TMPDIR/err"
}
