#!/bin/sh
# make bench: awl's per-event cost next to the floor (an empty BPF
# program on the same tracepoint), its start-up time, memory and size.
# Needs root. Numbers are medians of RUNS runs.
set -u
AWL=${AWL:-src/awl}
BENCH=${BENCH:-bench}
N=${N:-2000000}
RUNS=${RUNS:-5}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ns per getppid() while $@ (a tracer) runs in the background
traced() {
	"$@" >/dev/null 2>&1 &
	tracer=$!
	sleep 0.5
	"$BENCH/loop" "$N"
	kill -INT "$tracer" 2>/dev/null
	wait "$tracer" 2>/dev/null
}

per_event() {
	i=0
	while [ $i -lt "$RUNS" ]; do "$@"; i=$((i + 1)); done | median
}

if [ "$(id -u)" -ne 0 ]; then
	echo "make bench needs root: it attaches BPF programs" >&2
	exit 1
fi

base=$(per_event "$BENCH/loop" "$N")
floor=$(per_event "$BENCH/loop" --floor "$N")
count=$(per_event traced "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }')
hist=$(per_event traced "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid { @[comm] = hist(tid); }')

startup=$(for i in $(seq "$RUNS"); do "$BENCH/rusage" "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }' -c /bin/true 2>/dev/null | tail -1; done)
wall=$(echo "$startup" | awk '{ print $1 }' | median)
cpu=$(echo "$startup" | awk '{ print $2 }' | median)
rss=$(for i in $(seq "$RUNS"); do "$BENCH/rusage" "$AWL" -q -e 'BEGIN { exit(); }' 2>/dev/null | tail -1; done | awk '{ print $3 }' | median)
strip -o "$BENCH/awl.stripped" "$AWL"
size=$(wc -c < "$BENCH/awl.stripped")
static=$(file "$AWL" 2>/dev/null | grep -q 'statically linked' && echo static || echo dynamic)
rm -f "$BENCH/awl.stripped"

echo "machine: $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '%-52s %8s\n' "getppid() without tracing (ns/call)" "$base"
printf '%-52s %8s\n' "empty BPF program on the tracepoint: the floor" "$floor"
printf '%-52s %8s  (+%s ns above the floor)\n' "awl @[comm] = count()" "$count" "$(echo "$count $floor" | awk '{ printf "%.1f", $1 - $2 }')"
printf '%-52s %8s  (+%s ns above the floor)\n' "awl @[comm] = hist()" "$hist" "$(echo "$hist $floor" | awk '{ printf "%.1f", $1 - $2 }')"
printf '%-52s %8s ms wall, %s ms CPU\n' "awl tracepoint one-liner with -c /bin/true" "$wall" "$cpu"
printf '%-52s %8s KiB\n' "peak RSS of awl 'BEGIN { exit(); }'" "$rss"
printf '%-52s %8s bytes (%s)\n' "stripped size of src/awl" "$size" "$static"
