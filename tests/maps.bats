#!/usr/bin/env bats
# Maps in the running kernel, printed as bpftrace prints them:
# aggregations (count, sum, avg, min, max, stats, hist, lhist), keys,
# ordering, ply bare names, deletes, clear/zero/print mid-run, plain
# values. The workload makes known system calls with known arguments.

load test_helper

# Runs awl on the -c workload; $1 is the program, the rest the command.
trace() {
	local prog=$1
	shift
	run timeout 20 "$AWL" -q -e "$prog" -c "$WORKLOAD $*"
}

# A histogram bar: $1 '@'s padded to bpftrace's 52 columns.
bar() {
	local s
	s=$(printf '%*s' "$1" '')
	printf '%-52s' "${s// /@}"
}

# ---- aggregations ----

@test "maps: count()" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @c = count(); }' getppid 25
	[ "$status" -eq 0 ]
	[ "$output" = "@c: 25" ]
}

@test "maps: sum()" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @s = sum(args.count); }' write 1 2 3 100
	[ "$status" -eq 0 ]
	[ "$output" = "@s: 106" ]
}

@test "maps: avg() truncates" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @a = avg(args.count); }' write 1 2 4
	[ "$status" -eq 0 ]
	[ "$output" = "@a: 2" ]
}

@test "maps: min() and max()" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @mi = min(args.count); @ma = max(args.count); }' write 50 3 700 9
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@ma: 700\n\n@mi: 3')" ]
}

@test "maps: stats() prints count, average, total" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @s = stats(args.count); }' write 1 2 5 6 100 200
	[ "$status" -eq 0 ]
	[ "$output" = "@s: count 6, average 52, total 314" ]
}

@test "maps: sum, avg, min, max and stats of negative values" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { $v = (int64)args.count - 10; @a = avg($v); @ma = max($v); @mi = min($v); @s = sum($v); @st = stats($v); }' write 1 2
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@a: -8\n\n@ma: -8\n\n@mi: -9\n\n@s: -17\n\n@st: count 2, average -8, total -17')" ]
}

@test "maps: aggregations per key" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @s[args.count > 10] = sum(args.count); @n[args.count > 10] = count(); }' write 1 2 30 40 50
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@n[0]: 2\n@n[1]: 3\n\n@s[0]: 3\n@s[1]: 120')" ]
}

# ---- histograms ----

@test "maps: hist() buckets, labels and bars, empty buckets in between" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @h = hist(args.count); }' \
		write 0 1 2 3 4 5 6 7 8 100 1000 1000 1000 5000
	[ "$status" -eq 0 ]
	expected="@h:
[0]                    1 |$(bar 13)|
[1]                    1 |$(bar 13)|
[2, 4)                 2 |$(bar 26)|
[4, 8)                 4 |$(bar 52)|
[8, 16)                1 |$(bar 13)|
[16, 32)               0 |$(bar 0)|
[32, 64)               0 |$(bar 0)|
[64, 128)              1 |$(bar 13)|
[128, 256)             0 |$(bar 0)|
[256, 512)             0 |$(bar 0)|
[512, 1K)              3 |$(bar 39)|
[1K, 2K)               0 |$(bar 0)|
[2K, 4K)               0 |$(bar 0)|
[4K, 8K)               1 |$(bar 13)|"
	[ "$output" = "$expected" ]
}

@test "maps: hist() of a Fibonacci set of sizes" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @h = hist(args.count); }' \
		write 0 1 2 3 5 8 13 21 34 55 89 144 233 377 610 987 1597 2584 4181 5000
	[ "$status" -eq 0 ]
	b26='@@@@@@@@@@@@@@@@@@@@@@@@@@                          '
	b52='@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@'
	expected="@h:
[0]                    1 |$b26|
[1]                    1 |$b26|
[2, 4)                 2 |$b52|
[4, 8)                 1 |$b26|
[8, 16)                2 |$b52|
[16, 32)               1 |$b26|
[32, 64)               2 |$b52|
[64, 128)              1 |$b26|
[128, 256)             2 |$b52|
[256, 512)             1 |$b26|
[512, 1K)              2 |$b52|
[1K, 2K)               1 |$b26|
[2K, 4K)               1 |$b26|
[4K, 8K)               2 |$b52|"
	[ "$output" = "$expected" ]
}

@test "maps: hist() of negative values and zero" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @h = hist((int64)args.count - 2); }' write 0 1 2 3 4
	[ "$status" -eq 0 ]
	expected='@h:
(..., 0)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |'
	[ "$output" = "$expected" ]
}

@test "maps: hist() labels in K and M" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @h = hist(args.count); }' write 1024 1048575 1048576
	[ "$status" -eq 0 ]
	full='@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@'
	none='                                                    '
	expected="@h:
[1K, 2K)               1 |$full|
[2K, 4K)               0 |$none|
[4K, 8K)               0 |$none|
[8K, 16K)              0 |$none|
[16K, 32K)             0 |$none|
[32K, 64K)             0 |$none|
[64K, 128K)            0 |$none|
[128K, 256K)           0 |$none|
[256K, 512K)           0 |$none|
[512K, 1M)             1 |$full|
[1M, 2M)               1 |$full|"
	[ "$output" = "$expected" ]
}

@test "maps: hist() per key prints a header per key" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @h[comm] = hist(args.count); }' write 2 3
	[ "$status" -eq 0 ]
	expected='@h[workload]:
[2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|'
	[ "$output" = "$expected" ]
}

@test "maps: lhist() labels with the underflow and overflow buckets" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @h = lhist((int64)args.count - 10, 0, 100, 10); }' \
		write 0 5 15 25 25 45 109 110 111 200
	[ "$status" -eq 0 ]
	b17='@@@@@@@@@@@@@@@@@                                   '
	b34='@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                  '
	b52='@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@'
	b0='                                                    '
	expected="@h:
(..., 0)               2 |$b34|
[0, 10)                1 |$b17|
[10, 20)               2 |$b34|
[20, 30)               0 |$b0|
[30, 40)               1 |$b17|
[40, 50)               0 |$b0|
[50, 60)               0 |$b0|
[60, 70)               0 |$b0|
[70, 80)               0 |$b0|
[80, 90)               0 |$b0|
[90, 100)              1 |$b17|
[100, ...)             3 |$b52|"
	[ "$output" = "$expected" ]
}

@test "maps: lhist() with a step of 1K labels in K" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @h = lhist(args.count, 0, 4096, 1024); }' write 0 1024 2047 2048 5000
	[ "$status" -eq 0 ]
	expected='@h:
[0, 1K)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
[1K, 2K)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
[2K, 3K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
[3K, 4K)               0 |                                                    |
[4K, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |'
	[ "$output" = "$expected" ]
}

@test "maps: lhist() prints only from the first to the last used bucket" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @h = lhist(args.count, 0, 100, 10); }' write 35 36 52
	[ "$status" -eq 0 ]
	expected='@h:
[30, 40)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
[40, 50)               0 |                                                    |
[50, 60)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |'
	[ "$output" = "$expected" ]
}

# ---- keys and ordering ----

@test "maps: two keys @[comm, args.count]" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @[comm, args.count] = count(); }' write 7 7 9 3
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@[workload, 3]: 1\n@[workload, 9]: 1\n@[workload, 7]: 2')" ]
}

@test "maps: string keys from str()" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_openat /pid == cpid && strncmp(str(args.filename), "/tmp/", 5) == 0/ { @[str(args.filename)] = count(); }' \
		open /tmp/awl-maps-key 3
	[ "$status" -eq 0 ]
	[ "$output" = "@[/tmp/awl-maps-key]: 3" ]
}

@test "maps: entries are sorted ascending by value" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @[args.count] = count(); }' write 5 5 5 6 7 7 8 8 8 8
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@[6]: 1\n@[7]: 2\n@[5]: 3\n@[8]: 4')" ]
}

@test "maps: sums sort ascending with negative values first" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @[args.count] = sum((int64)args.count - 10); }' write 20 1 9 2
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@[1]: -9\n@[2]: -8\n@[9]: -1\n@[20]: 10')" ]
}

@test "maps: a keyless map prints @x: value" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @x = count(); }' getppid 5
	[ "$status" -eq 0 ]
	[ "$output" = "@x: 5" ]
}

@test "maps: the anonymous map @" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @ = count(); }' getppid 5
	[ "$status" -eq 0 ]
	[ "$output" = "@: 5" ]
}

@test "maps: maps print in name order, a blank line after each" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @b = count(); @a = count(); @c[1] = count(); }' \
		-c "$WORKLOAD getppid 2"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@a: 2\n\n@b: 2\n\n@c[1]: 2')" ]
	[ "${#lines[@]}" -eq 3 ]	# bats drops empty lines from $lines
}

@test "maps: ply bare-name map rx[pid] = count() prints as rx[...]" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { rx[pid] = count(); } END { printf("%d\n", cpid); }' \
		-c "$WORKLOAD getppid 5"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" = "rx[${lines[0]}]: 5" ]
}

@test "maps: ply bare-name map read back" {
	require_root
	run timeout 20 "$AWL" -q -e 'BEGIN { rx[1] = 5; printf("%d\n", rx[1] + rx[2] + 1); exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '6\nrx[1]: 5')" ]
}

# ---- reads, deletes, clear, zero, print ----

@test "maps: an absent key reads as 0" {
	require_root
	run timeout 20 "$AWL" -q -e 'BEGIN { @x[1] = 7; printf("%d\n", @x[5] + 1); delete(@x[1]); exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "maps: a keyless map not yet assigned reads as 0" {
	require_root
	run timeout 20 "$AWL" -q -e 'BEGIN { printf("%d\n", @y + 1); @y = 3; exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1\n@y: 3')" ]
}

@test "maps: delete(@m[k])" {
	require_root
	run timeout 20 "$AWL" -q -e 'BEGIN { @m[1] = 1; @m[2] = 2; @m[3] = 3; delete(@m[2]); exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@m[1]: 1\n@m[3]: 3')" ]
}

@test "maps: delete(@m, k)" {
	require_root
	run timeout 20 "$AWL" -q -e 'BEGIN { @m[1] = 1; @m[2] = 2; @m[3] = 3; delete(@m, 3); exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@m[1]: 1\n@m[2]: 2')" ]
}

@test "maps: ply delete m[k]" {
	require_root
	run timeout 20 "$AWL" -q -e 'BEGIN { m[1] = 1; m[2] = 2; m[3] = 3; delete m[1]; exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'm[2]: 2\nm[3]: 3')" ]
}

@test "maps: delete of an aggregation's key in a probe" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @m[args.count] = count(); if (args.count == 9) { delete(@m[7]); } }' write 7 7 9 3
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@m[3]: 1\n@m[9]: 1')" ]
}

# The workload opens (ld.so.cache, libc) before it sleeps and calls
# getppid after: what happens at the sleep sees only the opens.
@test "maps: clear(@m) mid-run empties the map" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_openat /pid == cpid/ { @m[1] = count(); }
		tracepoint:syscalls:sys_enter_clock_nanosleep /pid == cpid/ { clear(@m); }
		tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @m[2] = count(); }' wait-getppid 300 3
	[ "$status" -eq 0 ]
	[ "$output" = "@m[2]: 3" ]
}

@test "maps: zero(@m) mid-run keeps the keys at 0" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_openat /pid == cpid/ { @m[1] = count(); }
		tracepoint:syscalls:sys_enter_clock_nanosleep /pid == cpid/ { zero(@m); }
		tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @m[2] = count(); }' wait-getppid 300 3
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@m[1]: 0\n@m[2]: 3')" ]
}

@test "maps: print(@m) mid-run prints the map as it is then" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_clock_nanosleep /pid == cpid/ { @m[1] = count(); print(@m); printf("--\n"); }
		tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @m[2] = count(); }' wait-getppid 300 3
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@m[1]: 1\n\n--\n@m[1]: 1\n@m[2]: 3')" ]
}

@test "maps: print(@m, 2) prints the top 2, ascending" {
	require_root
	run timeout 20 "$AWL" -q -e 'BEGIN { @m[1] = 5; @m[2] = 1; @m[3] = 9; @m[4] = 7; print(@m, 2); printf("--\n"); clear(@m); exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@m[4]: 7\n@m[3]: 9\n\n--')" ]
}

@test "maps: print(@, 2) of counts in a probe" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @[args.count] = count(); }
		tracepoint:syscalls:sys_exit_write /pid == cpid && args.ret == 4/ { print(@, 2); clear(@); }' write 1 2 2 3 3 3 4
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@[2]: 2\n@[3]: 3')" ]
}

# ---- plain values ----

@test "maps: a value stored in one probe is read in another" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { @len[tid] = args.count; }
		tracepoint:syscalls:sys_exit_write /pid == cpid/ { printf("%d %d\n", @len[tid], args.ret); delete(@len[tid]); }' write 7 9 11
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '7 7\n9 9\n11 11')" ]
}

@test "maps: @start[tid] = nsecs measures a sleep" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_clock_nanosleep /pid == cpid/ { @start[tid] = nsecs; }
		tracepoint:syscalls:sys_exit_clock_nanosleep /pid == cpid && @start[tid]/ { $ms = (nsecs - @start[tid]) / 1000000; @slept = $ms >= 200 && $ms < 5000; delete(@start[tid]); }' sleep 200
	[ "$status" -eq 0 ]
	[ "$output" = "@slept: 1" ]
}

@test "maps: @x++, @x += 5, @x -= 2 and @m[k]++" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @x++; @y += 5; @w -= 2; @z[comm]++; }' getppid 4
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@w: -8\n\n@x: 4\n\n@y: 20\n\n@z[workload]: 4')" ]
}

@test "maps: string values" {
	require_root
	trace 'tracepoint:syscalls:sys_enter_openat /pid == cpid/ { @last = str(args.filename); @who[1] = comm; }' open /tmp/awl-maps-strval 2
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@last: /tmp/awl-maps-strval\n\n@who[1]: workload')" ]
}

@test "maps: string values keyed by string" {
	require_root
	run timeout 20 "$AWL" -q -e 'BEGIN { @s["a"] = "hello"; @s["b"] = "wo"; exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@s[a]: hello\n@s[b]: wo')" ]
}

@test "maps: tuple values" {
	require_root
	run timeout 20 "$AWL" -q -e 'BEGIN { @t[1] = (1, "ab"); @t[2] = (-3, "c"); exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@t[1]: (1, ab)\n@t[2]: (-3, c)')" ]
}

@test "maps: an unsigned 64-bit value prints unsigned" {
	require_root
	run timeout 20 "$AWL" -q -e 'BEGIN { @u = (uint64)-7; exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "@u: 18446744073709551609" ]
}

@test "a full map: the refused updates are counted and reported with the option that raises the size" {
	require_root
	run "$AWL" --map-size 10 -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @c[rand] = count(); @s[rand] = pid; }' \
		-c "$WORKLOAD getppid 200"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(count_lines '^@c\[')" -eq 10 ]
	[ "$(count_lines '^@s\[')" -eq 10 ]
	[[ "$output" == *"awl: @c is full (10 entries): 190 updates of new keys dropped (raise the size with --map-size N or AWL_MAP_SIZE=N)"* ]]
	[[ "$output" == *"awl: @s is full (10 entries): 190 updates of new keys dropped"* ]]
}

@test "a map that is not full says nothing; AWL_MAP_SIZE and --map-size size it" {
	require_root
	AWL_MAP_SIZE=300 run "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @c[rand] = count(); }' \
		-c "$WORKLOAD getppid 200"
	[ "$status" -eq 0 ]
	[ "$(count_lines '^@c\[')" -eq 200 ]
	[[ "$output" != *"full"* ]]
	run "$AWL" --map-size 20 -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @c[rand] = count(); }' \
		-c "$WORKLOAD getppid 200"
	[ "$(count_lines '^@c\[')" -eq 20 ]
	[[ "$output" == *"@c is full (20 entries): 180 updates"* ]]
}

@test "--map-size takes a number of entries" {
	run "$AWL" --map-size 0 -n -e 'BEGIN { }'
	[ "$status" -eq 2 ]
	[[ "$output" == *"--map-size needs a number of entries from 1 to 16777216, not '0'"* ]]
}
