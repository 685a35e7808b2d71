# The guest's test harness, for busybox sh (no bats in the guest).
#
# A suite file defines one shell function per test and a function
# `plan` that lists them in order:
#
#	t_tp_count() {
#		awl_run -q -e '...' -c "$WORKLOAD getppid 1000"
#		status_is 0
#		output_is "@[workload]: 1000"
#	}
#	plan() { T "tracepoint: exact count of getppid" t_tp_count; }
#
# Each test runs in its own shell and session (setsid) under a watchdog
# (TEST_TIMEOUT seconds; commands in it CMD_TIMEOUT): on a timeout its whole process
# group is killed. A test passes when its function returns 0; `skip
# REASON` skips it; the checks below print what they expected and what
# they got, and end the test as failed. Every result is one line on the
# console, starting with "AWLVM: " so that the host can find it among
# the kernel's messages:
#
#	AWLVM: ok 3 [main] tracepoint: exact count of getppid (0.8 s)
#	AWLVM: not ok 4 [main] ... (1.2 s)
#	AWLVM: # the failed test's commands and output
#	AWLVM: ok 5 [main] ... # SKIP why
#
# and each round ends with "AWLVM: round ROUND passed N failed N skipped N".

# Result lines start with $LP: "AWLVM: " in the QEMU guests, where the
# host picks them out of the console; awl-selftest sets none.
LP=${AWL_TEST_PREFIX-AWLVM: }
: "${TEST_TIMEOUT:=60}"
: "${CMD_TIMEOUT:=30}"

# ---- used inside a test (its own shell: `exit` ends the test) ----

# Runs a command with a timeout, like bats' run: stdout and stderr in
# $output (trailing newlines removed), the exit status in $status. The
# command and what it printed go to the test's log.
run() {
	echo "\$ $*"
	output=$(timeout -s KILL "$CMD_TIMEOUT" "$@" 2>&1)
	status=$?
	[ "$status" -eq 137 ] && echo "(killed after $CMD_TIMEOUT s)"
	printf '%s\n' "$output" | head -n 60
	echo "(status $status)"
}

# awl_run ARGS...: runs awl ($AWL) with ARGS.
awl_run() {
	run "$AWL" "$@"
}

fail() {
	echo "FAILED: $*"
	exit 1
}

# needs FEATURE...: the kernel features the test needs, as awl -T names
# them (kprobes, uprobes, syscalls, jit). awl-selftest on a board lists
# the ones its kernel has in $HAVE and skips a test that needs another;
# the QEMU guests' kernels have them all and set no $HAVE.
needs() {
	[ -n "${HAVE+set}" ] || return 0
	for f; do
		case " $HAVE " in
		*" $f "*) ;;
		*) skip "this kernel lacks $f (see awl -T)" ;;
		esac
	done
}

# on_board_skip REASON: skips a test that would disturb a board's system
# (the QEMU guests are ours to disturb).
on_board_skip() {
	[ -z "${ON_TARGET:-}" ] || skip "$*"
}

skip() {
	echo "$*" > /tmp/.awlvm-skip
	exit 77
}

status_is() {
	[ "$status" -eq "$1" ] || fail "exit status $status, expected $1"
}

output_is() {
	[ "$output" = "$1" ] || fail "output is not what was expected:
--- expected
$1
--- got
$output
---"
}

# output_has STRING: the output contains STRING
output_has() {
	case $output in
	*"$1"*) ;;
	*) fail "the output lacks '$1'" ;;
	esac
}

output_lacks() {
	case $output in
	*"$1"*) fail "the output has '$1'" ;;
	esac
}

# line_matches ERE: some line of the output matches
line_matches() {
	printf '%s\n' "$output" | grep -qE -- "$1" || fail "no line of the output matches /$1/"
}

# count_lines ERE: how many lines of the output match
count_lines() {
	printf '%s\n' "$output" | grep -cE -- "$1"
}

# nth_line N: line N (from 1) of the output
nth_line() {
	printf '%s\n' "$output" | sed -n "${1}p"
}

# ---- the runner ----

# Milliseconds since boot.
now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

: "${ROUND:=main}"
N=0
PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=

# T NAME FUNCTION [TIMEOUT]: runs one test (unless TEST_FILTER, an ERE,
# does not match the name).
T() {
	local name=$1 func=$2 limit=${3:-$TEST_TIMEOUT} start end pid ticks rc ms dir note
	if [ -n "${TEST_FILTER:-}" ] && ! printf '%s\n' "$name" | grep -qE -- "$TEST_FILTER"; then
		return 0
	fi
	N=$((N + 1))
	dir=/tmp/awlvm-test
	rm -rf "$dir" /tmp/.awlvm-skip
	mkdir -p "$dir"
	start=$(now_ms)
	# In a session of its own (setsid without a fork: a background job
	# of a non-interactive shell is no group leader), so that a timeout
	# kills everything the test started.
	# The test's status goes to a file: a test ends when it is written.
	rm -f /tmp/awlvm-test.rc
	(cd "$dir" && exec setsid sh -c '. "$0"; . "$1"; set +e; ('"$func"'); echo $? > /tmp/awlvm-test.rc' \
		"$SUITE_DIR/lib.sh" "$SUITE_FILE") > /tmp/awlvm-test.log 2>&1 &
	pid=$!
	ticks=0
	note=
	while [ ! -s /tmp/awlvm-test.rc ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			sleep 0.1
			[ -s /tmp/awlvm-test.rc ] || note=" (its shell ended without a status)"
			break
		fi
		if [ "$ticks" -ge $((limit * 10)) ]; then
			kill -9 -"$pid" 2>/dev/null
			kill -9 "$pid" 2>/dev/null
			note=" (timed out after $limit s)"
			break
		fi
		sleep 0.1
		ticks=$((ticks + 1))
	done
	# whatever the test left running in its session
	kill -9 -"$pid" 2>/dev/null
	wait "$pid"
	rc=$(cat /tmp/awlvm-test.rc 2>/dev/null)
	[ -n "$note" ] && rc=124
	end=$(now_ms)
	ms=$((end - start))
	ms="$((ms / 1000)).$(((ms % 1000) / 100)) s"
	case $rc in
	0)
		PASSED=$((PASSED + 1))
		echo "${LP}ok $N [$ROUND] $name ($ms)"
		;;
	77)
		SKIPPED=$((SKIPPED + 1))
		echo "${LP}ok $N [$ROUND] $name ($ms) # SKIP $(cat /tmp/.awlvm-skip 2>/dev/null)"
		;;
	*)
		FAILED=$((FAILED + 1))
		FAILED_NAMES="$FAILED_NAMES
$name"
		echo "${LP}not ok $N [$ROUND] $name ($ms)$note"
		tail -n 80 /tmp/awlvm-test.log | sed "s/^/${LP}# /"
		# whatever a killed test left running
		[ -n "$note" ] && killall -9 awl workload uprobe_target 2>/dev/null
		;;
	esac
	# always in the log (not parsed): what the test printed
	if [ -n "${VERBOSE:-}" ]; then
		sed 's/^/  | /' /tmp/awlvm-test.log
	fi
	return 0
}

# round NAME: starts counting a round of tests (one configuration).
round() {
	export ROUND=$1
	N=0
	PASSED=0
	FAILED=0
	SKIPPED=0
	echo "${LP}round $ROUND begins: $(uname -m) $(uname -r), awl $AWL, bpf_jit_enable=$(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null)"
}

round_end() {
	echo "${LP}round $ROUND passed $PASSED failed $FAILED skipped $SKIPPED"
}
