#!/usr/bin/env bats
# uprobe/uretprobe on a test program with known functions (progs/
# uprobe_target.c), on libc, and their cleanup.

load test_helper

# awl on the target with -c: uprobes fire for the child only.
up() {
	local script=$1
	shift
	run timeout 30 "$AWL" -q -e "$script" -c "$UPROBE_TARGET $*"
}

@test "uprobe counts every call of a function" {
	require_root
	up "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }" calls 7
	[ "$status" -eq 0 ]
	[ "$output" = "@: 7" ]
}

@test "u: (ply/bpftrace short form) is uprobe" {
	require_root
	up "u:$UPROBE_TARGET:add_ints { @ = count(); }" calls 3
	[ "$status" -eq 0 ]
	[ "$output" = "@: 3" ]
}

@test "arguments of several widths and signs, with casts" {
	require_root
	up "uprobe:$UPROBE_TARGET:mix_widths { printf(\"%d %d %d %d %u %d\\n\", (int8)arg0, (uint16)arg1, (int32)arg2, (int64)arg3, arg4, arg5); }" calls 1
	[ "$status" -eq 0 ]
	[ "$output" = "-5 65535 -100000 -3000000000 18000000000000000000 7" ]
}

@test "str(arg0) reads a string from the process's memory" {
	require_root
	up "uprobe:$UPROBE_TARGET:greet { printf(\"%s\\n\", str(arg0)); }" calls 2
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'hello uprobe\nhello uprobe')" ]
}

@test "uretprobe sees the return value" {
	require_root
	up "uretprobe:$UPROBE_TARGET:add_ints { @[retval] = count(); } ur:$UPROBE_TARGET:negate { @n[(int64)retval] = count(); }" calls 4
	[ "$status" -eq 0 ]
	[[ "$output" == *"@[5]: 4"* ]]
	[[ "$output" == *"@n[-42]: 4"* ]]
}

@test "uretprobe of a 64-bit unsigned return value" {
	require_root
	up "uretprobe:$UPROBE_TARGET:big_unsigned { printf(\"%u %x\\n\", retval, retval); }" calls 1
	[ "$status" -eq 0 ]
	[ "$output" = "18446744073709551600 fffffffffffffff0" ]
}

@test "a static function is found through .symtab" {
	require_root
	up "uprobe:$UPROBE_TARGET:local_only { @ = sum(arg0); }" calls 3
	[ "$status" -eq 0 ]
	[ "$output" = "@: 21" ]
}

@test "arguments past the registers: sargN reads the stack" {
	require_root
	local first
	first=$("$AWL" --dump-arch | awk '$1 == "reg" { n++ } END { print n }')
	# ten_args(1..10): on x86_64 six in registers, on arm64/riscv64 eight
	case "$(uname -m)" in
	x86_64) want="1 6 7 10" script='printf("%d %d %d %d\n", arg0, arg5, sarg0, sarg3);' ;;
	*) want="1 8 9 10" script='printf("%d %d %d %d\n", arg0, arg7, sarg0, sarg1);' ;;
	esac
	up "uprobe:$UPROBE_TARGET:ten_args { $script }" calls 1
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
}

@test "func and probe name the function in a wildcard probe" {
	require_root
	up "uprobe:$UPROBE_TARGET:*_ints,uprobe:$UPROBE_TARGET:neg* { @[func, probe] = count(); }" calls 2
	[ "$status" -eq 0 ]
	[[ "$output" == *"@[add_ints, uprobe:$UPROBE_TARGET:add_ints]: 2"* ]]
	[[ "$output" == *"@[negate, uprobe:$UPROBE_TARGET:negate]: 2"* ]]
}

@test "a wildcard expands to every matching function" {
	require_root
	up "uprobe:$UPROBE_TARGET:many_0[0-4]? { @ = count(); }" many
	[ "$status" -eq 0 ]
	[ "$output" = "@: 50" ]
}

@test "uprobe:PATH:FUNC+OFFSET and uprobe:PATH:0xADDR" {
	require_root
	addr=$(nm "$UPROBE_TARGET" | awk '$3 == "add_ints" { print $1 }')
	up "uprobe:$UPROBE_TARGET:0x$addr { @a = count(); } uprobe:$UPROBE_TARGET:add_ints+0 { @o = count(); }" calls 2
	[ "$status" -eq 0 ]
	[[ "$output" == *"@a: 2"* ]]
	[[ "$output" == *"@o: 2"* ]]
}

@test "library names resolve without a path: uprobe:libc:syscall" {
	require_root
	run timeout 30 "$AWL" -q -e 'uprobe:libc:syscall { @ = count(); }' -c "$WORKLOAD getppid 25"
	[ "$status" -eq 0 ]
	[ "$output" = "@: 25" ]
}

@test "-p PID: only that process's calls are counted" {
	require_root
	"$UPROBE_TARGET" wait-calls 1500 5 &
	local target=$!
	"$UPROBE_TARGET" wait-calls 1500 9 &
	local other=$!
	run timeout 30 "$AWL" -q -p "$target" -e "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }"
	wait "$other"
	[ "$status" -eq 0 ]
	[ "$output" = "@: 5" ]
}

@test "without -p or -c every process is traced" {
	require_root
	(sleep 0.7; "$UPROBE_TARGET" calls 2; "$UPROBE_TARGET" calls 3) &
	run timeout 30 "$AWL" -q -e "uprobe:$UPROBE_TARGET:add_ints { @[pid] = count(); @all = count(); } interval:ms:2000 { exit(); }"
	wait
	[ "$status" -eq 0 ]
	[[ "$output" == *"@all: 5"* ]]
	[ "$(count_lines '^@\[[0-9]+\]: [23]$')" -eq 2 ]
}

@test "the per-probe path (no uprobe_multi) gives the same counts" {
	require_root
	AWL_NO_UPROBE_MULTI=1 up "uprobe:$UPROBE_TARGET:many_0[0-4]? { @[func] = count(); @all = count(); }" many
	[ "$status" -eq 0 ]
	[[ "$output" == *"@all: 50"* ]]
	[[ "$output" == *"@[many_042]: 1"* ]]
}

@test "the tracefs path (uprobe_events, forced) works and leaves no entry" {
	require_root
	AWL_PROBE_API=tracefs AWL_NO_UPROBE_MULTI=1 up "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }" calls 4
	[ "$status" -eq 0 ]
	[ "$output" = "@: 4" ]
	! grep -q ':awl/awl_' /sys/kernel/tracing/uprobe_events
}

@test "500 uprobes attach quickly (the time is reported)" {
	require_root
	local start end
	start=$(date +%s%N)
	up "uprobe:$UPROBE_TARGET:many_* { @ = count(); } END { printf(\"attached in %d ms\\n\", elapsed / 1000000); }" many
	end=$(date +%s%N)
	[ "$status" -eq 0 ]
	[[ "$output" == *"@: 500"* ]]
	echo "# 500 uprobes: $(( (end - start) / 1000000 )) ms from start to exit (uprobe_multi where the kernel has it)" >&3
	[ $(( (end - start) / 1000000 )) -lt 10000 ]
	start=$(date +%s%N)
	AWL_NO_UPROBE_MULTI=1 up "uprobe:$UPROBE_TARGET:many_* { @ = count(); }" many
	end=$(date +%s%N)
	[[ "$output" == *"@: 500"* ]]
	echo "# 500 uprobes, one perf event each (for one process): $(( (end - start) / 1000000 )) ms" >&3
}

@test "SIGKILL while tracing uprobes leaves nothing behind" {
	require_root
	"$AWL" -q -e "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }" >/dev/null 2>&1 &
	local pid=$!
	sleep 1
	kill -9 "$pid"
	wait "$pid" || true
	for i in 1 2 3 4 5 6 7 8 9 10; do no_awl_programs 2>/dev/null && break; sleep 0.2; done
	no_awl_programs
	! grep -q ':awl/awl_' /sys/kernel/tracing/uprobe_events
}

@test "SIGKILL with tracefs uprobes: the next awl removes the stale entries" {
	require_root
	AWL_PROBE_API=tracefs AWL_NO_UPROBE_MULTI=1 "$AWL" -q -e "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }" >/dev/null 2>&1 &
	local pid=$!
	sleep 1
	kill -9 "$pid"
	wait "$pid" || true
	grep -q ":awl/awl_${pid}_" /sys/kernel/tracing/uprobe_events
	up "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }" calls 1
	[ "$status" -eq 0 ]
	! grep -q ":awl/awl_${pid}_" /sys/kernel/tracing/uprobe_events
}

@test "-l 'uprobe:PATH:GLOB' lists the functions of a binary" {
	run "$AWL" -l "uprobe:$UPROBE_TARGET:*_ints"
	[ "$status" -eq 0 ]
	[ "$output" = "uprobe:$UPROBE_TARGET:add_ints" ]
}

@test "a missing function suggests the nearest one" {
	run "$AWL" -n -e "uprobe:$UPROBE_TARGET:add_int { }"
	[ "$status" -eq 1 ]
	[[ "$output" == *"has no function 'add_int'; did you mean 'add_ints'?"* ]]
}

@test "a stripped binary says the symbol is not exported" {
	strip -o "$BATS_TEST_TMPDIR/stripped" "$UPROBE_TARGET"
	run "$AWL" -n -e "uprobe:$BATS_TEST_TMPDIR/stripped:local_only { }"
	[ "$status" -eq 1 ]
	[[ "$output" == *"is stripped (no .symtab): 'local_only' is not among the functions it exports"* ]]
}

@test "a missing file or library is an error naming it" {
	run "$AWL" -n -e 'uprobe:/no/such/binary:main { }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"no file or library '/no/such/binary'"* ]]
	run "$AWL" -n -e 'uprobe:libnosuchlib:f { }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"no file or library 'libnosuchlib'"* ]]
}

@test "arg0 is an error in a uretprobe, retval in a uprobe" {
	run "$AWL" -n -e "uretprobe:$UPROBE_TARGET:add_ints { @ = arg0; }"
	[ "$status" -eq 1 ]
	[[ "$output" == *"'arg0' is not available at a function's return"* ]]
	run "$AWL" -n -e "uprobe:$UPROBE_TARGET:add_ints { @ = retval; }"
	[ "$status" -eq 1 ]
	[[ "$output" == *"'retval' is only available at a function's return"* ]]
}

@test "ply's regs prints every register by name; reg(\"name\") reads one" {
	require_root
	local reg0
	reg0=$("$AWL" --dump-arch | awk '$1 == "reg" { print $2; exit }')
	up "uprobe:$UPROBE_TARGET:add_ints { print(regs); }" calls 1
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^$reg0=0x[0-9a-f]+\  ]]
	case "$(uname -m)" in
	x86_64) arg0reg=rdi ;; aarch64) arg0reg=x0 ;; riscv64) arg0reg=a0 ;; *) arg0reg=r0 ;;
	esac
	[[ "$output" == *" $arg0reg=0x2 "* || "$output" == *" $arg0reg=0x2" ]]
	up "uprobe:$UPROBE_TARGET:add_ints { printf(\"%d\\n\", reg(\"$arg0reg\")); }" calls 1
	[ "$output" = "2" ]
}
