#!/usr/bin/env bats
# Probes that fire on time or on software events: BEGIN, END, interval,
# profile, software; and the time builtins elapsed and nsecs.

load test_helper

# Busy-loop processes, one per online CPU, for $1 ms; killed in teardown.
spinners=()
spin_all_cpus() {
	local i n
	n=$(getconf _NPROCESSORS_ONLN)
	for ((i = 0; i < n; i++)); do
		"$WORKLOAD" spin "$1" 3>&- &
		spinners+=($!)
	done
	sleep 0.2	# let them start
}

teardown() {
	local p
	for p in "${spinners[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	spinners=()
}

# Checks that every line "@[CPU]: N" of $output has lo <= N <= hi, and
# that there is one for each online CPU (or only for $3 when given).
check_per_cpu() {
	local lo=$1 hi=$2 only=${3:-} n cpu
	n=$(getconf _NPROCESSORS_ONLN)
	if [ -n "$only" ]; then
		[ "$(count_lines '^@\[[0-9]+\]: ')" -eq 1 ]
		[ "$(count_lines "^@\\[$only\\]: ")" -eq 1 ]
	else
		[ "$(count_lines '^@\[[0-9]+\]: ')" -eq "$n" ]
		for ((cpu = 0; cpu < n; cpu++)); do
			[ "$(count_lines "^@\\[$cpu\\]: ")" -eq 1 ]
		done
	fi
	while read -r v; do
		echo "count $v, expected $lo..$hi"
		[ "$v" -ge "$lo" ] && [ "$v" -le "$hi" ]
	done < <(printf '%s\n' "$output" | sed -nE 's/^@\[[0-9]+\]: ([0-9]+)$/\1/p')
}

# ---- BEGIN and END ----

@test "BEGIN runs before any other probe fires, END after the last" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e '
		BEGIN { printf("begin\n"); }
		software:cpu-clock:100000 /@n < 5/ { @n++; printf("probe\n"); }
		interval:ms:10 { printf("tick\n"); }
		interval:ms:300 { exit(); }
		END { printf("end\n"); }'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = begin ]
	[ "$(count_lines '^probe$')" -ge 5 ]
	[ "$(count_lines '^tick$')" -ge 10 ]
	# The last printf line is END's; only maps follow.
	[ "$(printf '%s\n' "$output" | grep -vE '^(@|$)' | tail -n 1)" = end ]
	[ "$(count_lines '^end$')" -eq 1 ]
	[ "$(count_lines '^begin$')" -eq 1 ]
}

@test "BEGIN { exit(); } prints END's output and the maps, attaches nothing, exits 0" {
	require_root
	local start end
	start=$(date +%s%N)
	run timeout -k 5 20 "$AWL" -q -e '
		BEGIN { @a = 42; exit(); }
		interval:ms:10 { @ticks++; }
		END { printf("end %d\n", @a); }'
	end=$(date +%s%N)
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "end 42" ]
	[ "${lines[1]}" = "@a: 42" ]
	[ "$(count_lines '@ticks')" -eq 0 ]
	[ $(((end - start) / 1000000)) -lt 2000 ]
}

# ---- interval ----

@test "interval:ms:100 with count() fires about 10 times in a second" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e 'interval:ms:100 { @n = count(); } interval:s:1 { exit(); }'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^@n:\ ([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" -ge 8 ] && [ "${BASH_REMATCH[1]}" -le 12 ]
}

@test "interval:ms:100 { @c++; if (@c == 5) { exit(); } } exits after ~0.5 s with @c: 5" {
	require_root
	local start end ms
	start=$(date +%s%N)
	run timeout -k 5 20 "$AWL" -q -e 'interval:ms:100 { @c++; if (@c == 5) { exit(); } }'
	end=$(date +%s%N)
	ms=$(((end - start) / 1000000))
	echo "$output (${ms} ms)"
	[ "$status" -eq 0 ]
	[ "$output" = "@c: 5" ]
	[ "$ms" -ge 450 ] && [ "$ms" -lt 2000 ]
}

@test "interval spellings of bpftrace and ply compile to the right period" {
	local spec want
	while read -r spec want; do
		run "$AWL" --dry-run -d -e "$spec { @n = count(); }"
		echo "$spec: $status"
		[ "$status" -eq 0 ]
		[ "$(count_lines "^-- program awl_interval for $want ")" -eq 1 ]
	done <<-EOF
		interval:s:1 interval:s:1
		interval:ms:500 interval:ms:500
		interval:us:100000 interval:us:100000
		interval:hz:10 interval:hz:10
		interval:1 interval:s:1
		interval:500ms interval:ms:500
		i:1 interval:s:1
		i:ms:100 interval:ms:100
	EOF
}

@test "bad interval specs are errors" {
	local spec
	for spec in interval:ms:0 interval:ms interval:xs:5 interval:ms:-1 interval:ms:10:3 interval:5parsecs; do
		run "$AWL" --dry-run -e "$spec { @n = count(); }"
		echo "$spec: $status $output"
		[ "$status" -eq 1 ]
		[[ "$output" == *error* ]]
	done
}

@test "ply's interval:1 and i:1 fire after a second, interval:500ms after half a second" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e '
		interval:500ms /@h == 0/ { @h = 1; printf("half %d\n", elapsed / 1000000); }
		i:1 { printf("i1 %d\n", elapsed / 1000000); }
		interval:1 { printf("one %d\n", elapsed / 1000000); exit(); }'
	echo "$output"
	[ "$status" -eq 0 ]
	local half one i1
	half=$(printf '%s\n' "$output" | sed -n 's/^half //p')
	one=$(printf '%s\n' "$output" | sed -n 's/^one //p')
	[ -n "$half" ] && [ -n "$one" ]
	[ "$half" -ge 450 ] && [ "$half" -le 900 ]
	[ "$one" -ge 950 ] && [ "$one" -le 1600 ]
	# i:1 fires at the same second as interval:1 (its line may or may
	# not make it before exit()).
	i1=$(printf '%s\n' "$output" | sed -n 's/^i1 //p')
	[ -z "$i1" ] || { [ "$i1" -ge 950 ] && [ "$i1" -le 1600 ]; }
}

@test "interval:hz:10 and interval:us:100000 each fire about 10 times in a second" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e '
		interval:hz:10 { @hz = count(); }
		interval:us:100000 { @us = count(); }
		interval:s:1 { exit(); }'
	echo "$output"
	[ "$status" -eq 0 ]
	local v
	v=$(printf '%s\n' "$output" | sed -n 's/^@hz: //p')
	[ "$v" -ge 8 ] && [ "$v" -le 12 ]
	v=$(printf '%s\n' "$output" | sed -n 's/^@us: //p')
	[ "$v" -ge 8 ] && [ "$v" -le 12 ]
}

@test "interval probes keep firing while a -c command runs" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e 'interval:ms:100 { @ticks = count(); }' -c "$WORKLOAD sleep 1000"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ @ticks:\ ([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -ge 7 ] && [ "${BASH_REMATCH[1]}" -le 12 ]
}

# ---- profile ----

@test "profile:hz:99 samples every CPU about 99 times a second" {
	require_root
	spin_all_cpus 2000
	run timeout -k 5 20 "$AWL" -q -e '
		profile:hz:99 /@stop == 0/ { @[cpu] = count(); }
		interval:s:1 { @stop = 1; exit(); }'
	echo "$output"
	[ "$status" -eq 0 ]
	check_per_cpu 50 120
}

@test "profile:hz:99 samples show the busy workload's comm" {
	require_root
	spin_all_cpus 2000
	run timeout -k 5 20 "$AWL" -q -e '
		profile:hz:99 /@stop == 0/ { @c[comm] = count(); }
		interval:s:1 { @stop = 1; exit(); }'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ @c\[workload\]:\ ([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -ge 30 ]
}

@test "ply's profile:99hz samples every CPU about 99 times a second" {
	require_root
	spin_all_cpus 2000
	run timeout -k 5 20 "$AWL" -q -e '
		profile:99hz /@stop == 0/ { @[cpu] = count(); }
		interval:s:1 { @stop = 1; exit(); }'
	echo "$output"
	[ "$status" -eq 0 ]
	check_per_cpu 50 120
}

@test "ply's profile:0:100hz samples CPU 0 only" {
	require_root
	spin_all_cpus 2000
	run timeout -k 5 20 "$AWL" -q -e '
		profile:0:100hz /@stop == 0/ { @[cpu] = count(); }
		interval:s:1 { @stop = 1; exit(); }'
	echo "$output"
	[ "$status" -eq 0 ]
	check_per_cpu 50 120 0
}

@test "profile spellings of bpftrace and ply compile to the right rate" {
	local spec want
	while read -r spec want; do
		run "$AWL" --dry-run -d -e "$spec { @n = count(); }"
		echo "$spec: $status"
		[ "$status" -eq 0 ]
		[ "$(count_lines "^-- program awl_profile for $want ")" -eq 1 ]
	done <<-EOF
		profile:hz:99 profile:hz:99
		profile:99hz profile:hz:99
		p:hz:49 profile:hz:49
		profile:ms:10 profile:ms:10
	EOF
}

@test "profile on a CPU that does not exist is an error naming that CPU" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e 'profile:4095:100hz { @n = count(); }'
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *error* ]]
	[[ "$output" =~ [Cc][Pp][Uu]\ ?4095 ]]
}

# ---- software ----

@test "software:cpu-clock:100000 fires every 100 us on each busy CPU" {
	require_root
	spin_all_cpus 2000
	run timeout -k 5 20 "$AWL" -q -e '
		software:cpu-clock:100000 /@stop == 0/ { @[cpu] = count(); }
		interval:ms:500 { @stop = 1; exit(); }'
	echo "$output"
	[ "$status" -eq 0 ]
	# 5000 in half a second; the timer may be late on a loaded VM.
	check_per_cpu 2000 6000
}

@test "software:page-faults:1 counts the page faults of a workload" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e \
		'software:page-faults:1 /pid == cpid/ { @[comm] = count(); }' -c "$WORKLOAD write 100"
	echo "$output"
	[ "$status" -eq 0 ]
	# exec and the dynamic loader alone fault in dozens of pages.
	[[ "$output" =~ @\[workload\]:\ ([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -ge 10 ]
}

@test "s:faults:1 (short spellings) counts the same page faults" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e \
		's:faults:1 /pid == cpid/ { @[comm] = count(); }' -c "$WORKLOAD write 100"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ @\[workload\]:\ ([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -ge 10 ]
}

@test "software:context-switches:1 counts the switches of a sleeping workload" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e \
		'software:context-switches:1 /pid == cpid/ { @[comm] = count(); }' -c "$WORKLOAD sleep 200"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ @\[workload\]:\ ([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -ge 1 ]
}

@test "software:cs:1 fires system-wide" {
	require_root
	# Something that switches: 20 short sleeps, meanwhile.
	(for ((i = 0; i < 20; i++)); do "$WORKLOAD" sleep 20; done) 3>&- &
	spinners+=($!)
	run timeout -k 5 20 "$AWL" -q -e 'software:cs:1 { @cs = count(); } interval:ms:500 { exit(); }'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ @cs:\ ([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -ge 10 ]
}

@test "software spellings compile, with bpftrace's default counts" {
	local spec want
	while read -r spec want; do
		run "$AWL" --dry-run -d -e "$spec { @n = count(); }"
		echo "$spec: $status"
		[ "$status" -eq 0 ]
		[ "$(count_lines "^-- program awl_software for $want ")" -eq 1 ]
	done <<-EOF
		software:cpu-clock:100000 software:cpu-clock:100000
		software:page-faults:1 software:page-faults:1
		software:context-switches:1 software:context-switches:1
		software:cs software:context-switches:1000
		software:faults software:page-faults:100
		s:cpu software:cpu-clock:1000000
		software:cpu-migrations software:cpu-migrations:1
	EOF
}

@test "an unknown software event is an error listing the known ones" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e 'software:no-such-event:1 { @n = count(); }'
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown software event 'no-such-event'"* ]]
	local e
	for e in cpu-clock page-faults context-switches cpu-migrations major-faults; do
		[[ "$output" == *"$e"* ]]
	done
}

# ---- elapsed and nsecs ----

@test "elapsed grows by about the interval at each tick" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e '
		interval:ms:100 { @c++; printf("%d\n", elapsed); if (@c == 5) { exit(); } }'
	echo "$output"
	[ "$status" -eq 0 ]
	local prev=0 v n=0 d
	while read -r v; do
		d=$((v - prev))
		echo "elapsed $v (+$d)"
		[ "$d" -gt 0 ]
		if [ "$n" -eq 0 ]; then
			# The first tick: 100 ms after attaching, not long after start.
			[ "$v" -ge 90000000 ] && [ "$v" -lt 1500000000 ]
		else
			[ "$d" -ge 50000000 ] && [ "$d" -le 300000000 ]
		fi
		prev=$v
		n=$((n + 1))
	done < <(printf '%s\n' "$output" | grep -E '^[0-9]+$')
	[ "$n" -eq 5 ]
}

@test "nsecs is monotonic: a process's events come with increasing nsecs" {
	require_root
	run timeout -k 5 20 "$AWL" -q -e \
		'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { printf("%d\n", nsecs); }' \
		-c "$WORKLOAD getppid 300"
	[ "$status" -eq 0 ]
	[ "$(count_lines '^[0-9]+$')" -eq 300 ]
	printf '%s\n' "$output" | awk 'NR > 1 && $1 <= prev { print "not increasing at line " NR; bad = 1 } { prev = $1 } END { exit bad }'
}

@test "before Linux 5.10 BEGIN and END run as uprobes on awl itself (forced here)" {
	require_root
	run timeout -k 5 20 env AWL_SPECIAL_VIA_UPROBE=1 "$AWL" -q -e '
		BEGIN { printf("begin %d\n", pid == $1); @b = count(); }
		interval:ms:100 { exit(); }
		END { printf("end\n"); }' $$
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "begin 0" ]
	[ "${lines[1]}" = "end" ]
	[[ "$output" == *"@b: 1"* ]]
}

@test "BEGIN/END as uprobes through uprobe_events leave no entry behind" {
	require_root
	run timeout -k 5 20 env AWL_SPECIAL_VIA_UPROBE=1 AWL_PROBE_API=tracefs "$AWL" -q -e '
		BEGIN { printf("begin\n"); exit(); } END { printf("end\n"); }'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'begin\nend')" ]
	! grep -q ':awl/awl_' /sys/kernel/tracing/uprobe_events
}
