#!/bin/sh
# awl's own memory on a long run: every system call on the machine traced,
# a map that grows until it is full, a histogram, and a printf stream
# read at a serial console's pace (115200 baud: about 11.5 KB/s), so
# that events are lost all along. awl's RSS is sampled after the start
# and before the end; the run fails if it grew by more than SLACK KiB.
#   tests/soak.sh SECONDS [SLACK_KIB]    (AWL, WORKLOAD in the environment)
# make check runs it for a few seconds; make soak for an hour
# (SOAK_SECONDS).
set -u
secs=${1:-3600}
slack=${2:-1024}
: "${AWL:?AWL is the awl to test}" "${WORKLOAD:?WORKLOAD is tests/progs/workload}"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

rss() {	# rss PID: resident KiB
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null
}

# A load of its own besides the machine's: getppid in a loop.
( while :; do "$WORKLOAD" getppid 20000; sleep 0.05; done ) &
load=$!

"$AWL" -k -q -e "
	tracepoint:raw_syscalls:sys_enter { @calls[pid, args.id] = count(); @pids[rand % 100000] = count(); @h = hist(args.id); }
	tracepoint:syscalls:sys_enter_getppid { printf(\"%d %s %d\\n\", pid, comm, nsecs); }
	interval:s:$secs { exit(); }" 2> "$tmp/err" | "$WORKLOAD" slowcat 11520 > "$tmp/out" &
reader=$!	# awl is its sibling in the pipeline
sleep 2
awl_pid=$(pgrep -n -f "interval:s:$secs" || true)
if [ -z "$awl_pid" ]; then
	kill "$load"
	echo "soak: awl did not start: $(cat "$tmp/err")"
	exit 1
fi
start=$(rss "$awl_pid")
sleep $((secs > 4 ? secs - 3 : 1))
end=$(rss "$awl_pid")
kill "$load" 2>/dev/null
# the maps at the end, at the console's pace (the reader ends with them)
wait "$reader"
wait "$load" 2>/dev/null

lost=$(sed -nE 's/^awl: ([0-9]+) events? lost.*/\1/p' "$tmp/err" | awk '{ s += $1 } END { print s + 0 }')
printed=$(grep -c ' ' "$tmp/out")
echo "soak: $secs s: RSS $start KiB after 2 s, $end KiB at the end; $printed events printed, $lost lost (and reported)"
grep -v 'events* lost' "$tmp/err" | head -5
[ -n "$start" ] && [ -n "$end" ] || { echo "soak: no RSS sample"; exit 1; }
[ "$lost" -gt 0 ] || { echo "soak: the slow reader lost no event: not a soak"; exit 1; }
grep -q '^@calls\[' "$tmp/out" || { echo "soak: the maps were not printed at the end"; exit 1; }
grep -q "is full (" "$tmp/err" || { echo "soak: @pids never filled up"; exit 1; }
[ "$end" -le $((start + slack)) ] || { echo "soak: RSS grew by $((end - start)) KiB (more than $slack)"; exit 1; }
