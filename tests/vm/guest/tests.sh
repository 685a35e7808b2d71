# awl's kernel tests in the QEMU guests (tests/vm/run.sh): what the
# host's bats suite checks where it applies, and what the host cannot:
# kprobes, kretprobes, fentry on other kernels, other architectures, the
# BPF JIT on and off, a 32-bit awl on a 64-bit kernel.
#
# Sourced by lib.sh's runner; every t_* function is one test, run in a
# shell of its own. `plan` lists them for the round in $ROUND:
#   main    the arch's own awl (JIT on where the kernel has one)
#   jit     the same, with net.core.bpf_jit_enable=1 set by the init
#   nojit   the same, with the JIT off (the interpreter)
#   awl32   on arm64: the armhf awl, workload and uprobe target
#
# Environment: AWL, WORKLOAD, UPROBE_TARGET (the binaries under test),
# WORKLOAD64, UPROBE_TARGET64 and AWL64 (the arm64 ones, in the awl32 round),
# KARCH (uname -m), FENTRY (yes where fentry must load, else no), and
# ADDR_ADD_INTS (add_ints' address in $UPROBE_TARGET, from the host's nm).
#
# awl-selftest (tests/target) runs the same tests on a board, as the
# round "main", with ON_TARGET=1 and the kernel's features in $HAVE:
# `needs` skips what the kernel lacks, `on_board_skip` what would
# disturb the board.

# tracefs: where awl mounts it, or inside debugfs (which the init mounts)
# before anything did (AWL_VM_FILTER may skip the test that mounts it)
TRACING=/sys/kernel/tracing
[ -d "$TRACING/events" ] || TRACING=/sys/kernel/debug/tracing

# How long the -p tests' targets wait before their calls: awl must be
# attached by then, which takes seconds in a TCG guest on a busy host.
: "${PID_WAIT_MS:=4000}"

# The kernel function behind system call $1: its arch's wrapper (for a
# system call without arguments an alias of __do_sys_NAME, which is the
# name available_filter_functions lists).
syscall_fn() {
	local f
	for f in __x64_sys_$1 __arm64_sys_$1 __riscv_sys_$1 sys_$1; do
		if grep -qE " [Tt] $f\$" /proc/kallsyms; then
			echo "$f"
			return 0
		fi
	done
	echo "FAILED: no function for the system call $1 in /proc/kallsyms" >&2
	return 1
}

# Drops dd's statistics from $output.
no_dd_stats() {
	output=$(printf '%s\n' "$output" | grep -vE '^[0-9]+\+[0-9]+ records (in|out)$|^[0-9]+ bytes .* copied')
}

# Starts "$@" in the background as the child of a subshell that reaps it
# when it exits, and sets $bgpid to its pid.
spawn() {
	rm -f /tmp/.spawn.pid
	("$@" & echo $! > /tmp/.spawn.pid; wait) &
	while [ ! -s /tmp/.spawn.pid ]; do sleep 0.05; done
	bgpid=$(cat /tmp/.spawn.pid)
}

# How many BPF programs named awl_* are loaded.
awl_programs() {
	"${WORKLOAD64:-$WORKLOAD}" bpf-programs awl_
}

# Polls (up to 3 s: programs are freed after an RCU grace period) until
# no awl_ program is loaded.
no_awl_programs() {
	local i=0 left
	while [ "$i" -lt 30 ]; do
		left=$(awl_programs) || fail "workload bpf-programs failed"
		[ "$left" = 0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "$left awl programs still loaded"
}

# Starts awl in the background (its output in /tmp/bg.out): $pid.
bg_awl() {
	echo "\$ $* &"
	"$@" > /tmp/bg.out 2>&1 &
	pid=$!
}

# Polls (up to 20 s) until at least $1 awl_ programs are loaded: the awl
# started by bg_awl has attached (or is attaching).
wait_programs() {
	local i=0
	while [ "$i" -lt 200 ]; do
		[ "$(awl_programs)" -ge "$1" ] && { sleep 0.5; return 0; }
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	cat /tmp/bg.out
	kill -0 "$pid" 2> /dev/null || fail "awl exited before it loaded $1 programs"
	fail "awl did not load $1 programs within 20 s"
}

events_empty() {	# events_empty kprobe|uprobe
	local left
	left=$(cat "$TRACING/$1_events")
	[ -z "$left" ] || fail "$TRACING/$1_events is not empty:
$left"
}

is64() {
	case $KARCH in x86_64 | aarch64 | riscv64) [ "$BITS" = 64 ] ;; *) return 1 ;; esac
}

# ---------------------------------------------------------------- setup

t_tracefs_mount() {
	on_board_skip "it unmounts tracefs and debugfs"
	needs syscalls
	umount /sys/kernel/debug 2>/dev/null
	umount /sys/kernel/tracing 2>/dev/null
	if grep -qE ' /sys/kernel/(tracing|debug) ' /proc/mounts; then
		fail "tracefs or debugfs is still mounted: $(grep /sys/kernel /proc/mounts)"
	fi
	awl_run -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @ = count(); }' \
		-c "$WORKLOAD getppid 3"
	mount -t debugfs debugfs /sys/kernel/debug
	status_is 0
	output_is "@: 3"
	grep -q " /sys/kernel/tracing tracefs " /proc/mounts ||
		fail "awl did not mount tracefs at /sys/kernel/tracing: $(grep /sys/kernel /proc/mounts)"
}

t_selftest() {
	awl_run -T
	status_is 0
	# a board's kernel has what it has: the other tests skip what it lacks
	[ -z "${ON_TARGET:-}" ] || return 0
	line_matches '^ok +kprobes$'
	line_matches '^ok +uprobes$'
	line_matches '^ok +BPF ring buffer$'
	case $ROUND in
	nojit) line_matches '^no +BPF JIT' ;;
	*) line_matches '^ok +BPF JIT$' ;;
	esac
}

# ---------------------------------------------------------- tracepoints

t_tp_count() {
	needs syscalls
	awl_run -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @ = count(); }' \
		-c "$WORKLOAD getppid 1000"
	status_is 0
	output_is "@: 1000"
}

# comm as a map key is the name and zeros: one key however often it is
# written (bpf_get_current_comm does not clear the rest of the buffer on
# some kernels: 6.1's strscpy)
t_comm_key() {
	needs syscalls
	awl_run -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[comm] = count(); }' \
		-c "$WORKLOAD getppid 1000"
	status_is 0
	output_is "@[workload]: 1000"
}

t_tp_write_sizes() {
	needs syscalls
	awl_run -q -e 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { printf("%d\n", args.count); }' \
		-c "$WORKLOAD write 0 1 4096 65536 3"
	status_is 0
	output_is "$(printf '0\n1\n4096\n65536\n3')"
}

t_tp_signed() {
	needs syscalls
	awl_run -q -e 'tracepoint:syscalls:sys_exit_openat /pid == cpid && args.ret < 0/ { @[args.ret] = count(); }' \
		-c "$WORKLOAD open /nonexistent-awl-tp-test 4"
	status_is 0
	output_is "@[-2]: 4"
}

t_tp_str() {
	needs syscalls
	awl_run -q -e 'tracepoint:syscalls:sys_enter_openat /pid == cpid/ { printf("%s\n", str(args.filename)); }' \
		-c "$WORKLOAD open /tmp/awl-test-file-XYZ 3"
	status_is 0
	# (a dynamically linked workload opens its libraries first)
	[ "$(count_lines '^/tmp/awl-test-file-XYZ$')" = 3 ] || fail "the path is not printed 3 times"
	[ "$(count_lines 'XYZ')" = 3 ] || fail "a path is printed mangled"
}

t_tp_data_loc() {
	awl_run -q -e 'tracepoint:sched:sched_process_exec /pid == cpid/ { printf("%s\n", str(args.filename)); }' \
		-c "$WORKLOAD getppid 1"
	status_is 0
	output_is "$WORKLOAD"
}

t_tp_wildcards() {
	needs syscalls
	awl_run -q -e 'tracepoint:sysc*ls:sys_*_getppid /pid == cpid/ { @[probe] = count(); }' \
		-c "$WORKLOAD getppid 4"
	status_is 0
	output_is "$(printf '@[tracepoint:syscalls:sys_enter_getppid]: 4\n@[tracepoint:syscalls:sys_exit_getppid]: 4')"
}

t_tp_pid() {
	needs syscalls
	local target
	spawn "$WORKLOAD" wait-getppid "$PID_WAIT_MS" 7
	target=$bgpid
	spawn "$WORKLOAD" wait-getppid $((PID_WAIT_MS - 100)) 300
	awl_run -q -p "$target" -e 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }'
	wait
	status_is 0
	output_is "@: 7"
}

# -p PID: awl stops when the process exits, even before its parent reaps
# it (as with `prog & awl -p $!` in busybox sh, which reaps its children
# only when it waits)
t_pid_zombie() {
	needs syscalls
	"$WORKLOAD" wait-getppid "$PID_WAIT_MS" 3 &
	local target=$!
	CMD_TIMEOUT=$((PID_WAIT_MS / 1000 + 8)) awl_run -q -p "$target" -e 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }'
	echo "state of $target: $(grep State /proc/$target/status)"
	wait "$target"
	[ "$status" -ne 137 ] || fail "awl did not stop within 8 s of the end of process $target (a zombie until its parent waits)"
	status_is 0
	output_is "@: 3"
}

t_tp_join() {
	needs syscalls
	awl_run -q -e 'tracepoint:syscalls:sys_enter_execve /pid == cpid/ { join(args.argv); }' \
		-c "$WORKLOAD getppid 1 two three"
	status_is 0
	output_is "$WORKLOAD getppid 1 two three"
}

# (not a syscall tracepoint: before 6.x their programs get the user's
# registers, and so an empty kernel stack)
t_tp_kstack() {
	awl_run -q -e 'tracepoint:sched:sched_process_exec /pid == cpid/ { @[kstack] = count(); }' \
		-c "$WORKLOAD getppid 3"
	status_is 0
	[ "$(nth_line 1)" = "@[" ] || fail "the output does not start with '@['"
	line_matches '^\]: 1$'
	[ "$(count_lines '^ +[A-Za-z_][A-Za-z0-9_.]*\+[0-9]+$')" -ge 2 ] ||
		fail "fewer than 2 symbolized frames (SYMBOL+OFFSET)"
}

# ---------------------------------------------------------------- output

# printf from 500 events: every line arrives ($1: awl's options)
printf_events() {
	awl_run -q "$@" -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @n++; printf("ev %d\n", @n); }' \
		-c "$WORKLOAD getppid 500"
	status_is 0
	[ "$(count_lines '^ev [0-9]+$')" -eq 500 ] || fail "$(count_lines '^ev ') lines of 500"
	[ "$(printf '%s\n' "$output" | grep '^ev ' | tail -n 1)" = "ev 500" ] || fail "the last line is not 'ev 500'"
	line_matches '^@n: 500$'
}

t_out_ringbuf() { printf_events; }
t_out_perfbuf() { printf_events --perf-buffer; }

t_out_perfbuf_kprobe() {
	needs kprobes
	awl_run -q --perf-buffer -e 'kprobe:vfs_write /pid == cpid/ { printf("%d %s\n", arg2, comm); }' \
		-c "$WORKLOAD write 7 300"
	status_is 0
	output_is "$(printf '7 workload\n300 workload')"
}

t_out_maps() {
	needs kprobes
	awl_run -q -e 'kprobe:vfs_write /pid == cpid/ { @h = hist(arg2); @l = lhist(arg2, 0, 10, 2); @s = stats(arg2); @m = max(arg2); @n = min(arg2); @a = avg(arg2); }' \
		-c "$WORKLOAD write 1 2 3 4096"
	status_is 0
	line_matches '^\[1\] +1 \|'
	line_matches '^\[2, 4\) +2 \|'
	line_matches '^\[4K, 8K\) +1 \|'
	line_matches '^\[10, \.\.\.\) +1 \|'
	line_matches '^@s: count 4, average 1025, total 4102$'
	line_matches '^@m: 4096$'
	line_matches '^@n: 1$'
	line_matches '^@a: 1025$'
}

t_timers() {
	awl_run -q -e 'interval:ms:100 { @t++; if (@t == 3) { exit(); } } END { printf("end %d\n", @t); }'
	status_is 0
	output_is "$(printf 'end 3\n@t: 3')"
	awl_run -q -e 'profile:hz:99 { @ = count(); }' -c "$WORKLOAD spin 500"
	status_is 0
	line_matches '^@: [1-9][0-9]*$'
	awl_run -q -e 'BEGIN { printf("begin\n"); exit(); } END { printf("end\n"); }'
	status_is 0
	output_is "$(printf 'begin\nend')"
}

# ---------------------------------------------------------------- kprobes

t_kp_syscall_count() {
	needs kprobes
	local fn
	fn=$(syscall_fn getppid) || fail "no system call function"
	awl_run -q -e "kprobe:$fn /pid == cpid/ { @[probe] = count(); }" -c "$WORKLOAD getppid 1000"
	status_is 0
	output_is "@[kprobe:$fn]: 1000"
}

t_kp_args() {
	needs kprobes
	awl_run -q -e 'kprobe:vfs_write /pid == cpid/ { printf("%d\n", arg2); }' \
		-c "$WORKLOAD write 0 1 4096 65536 3"
	status_is 0
	output_is "$(printf '0\n1\n4096\n65536\n3')"
}

t_kretprobe() {
	needs kprobes
	awl_run -q -e 'kretprobe:vfs_write /pid == cpid/ { printf("%d\n", retval); }' \
		-c "$WORKLOAD write 1 4096 3"
	status_is 0
	output_is "$(printf '1\n4096\n3')"
}

# kprobe:vfs_read: dd makes exactly 5 reads of 100 bytes (a dynamically
# linked dd's loader reads its libraries too: other sizes)
t_kp_read() {
	needs kprobes
	awl_run -q -e 'kprobe:vfs_read /pid == cpid && comm == "dd" && arg2 == 100/ { @[arg2] = count(); }
		kretprobe:vfs_read /pid == cpid && comm == "dd" && retval == 100/ { @r[retval] = count(); }' \
		-c "dd if=$WORKLOAD of=/dev/null bs=100 count=5"
	status_is 0
	no_dd_stats
	output_is "$(printf '@[100]: 5\n\n@r[100]: 5')"
}

t_kp_offset() {
	needs kprobes
	awl_run -q -e 'kprobe:vfs_read /pid == cpid && comm == "dd" && arg2 == 100/ { @a = count(); }
		kprobe:vfs_read+0 /pid == cpid && comm == "dd" && arg2 == 100/ { @b = count(); }' \
		-c "dd if=$WORKLOAD of=/dev/null bs=100 count=7"
	status_is 0
	no_dd_stats
	output_is "$(printf '@a: 7\n\n@b: 7')"
}

t_kp_wildcard() {
	needs kprobes
	awl_run -q -e 'kprobe:vfs_wri* /pid == cpid/ { @[probe] = count(); @f[func] = count(); }' \
		-c "$WORKLOAD write 1 2 3"
	status_is 0
	line_matches '^@\[kprobe:vfs_write\]: 3$'
	line_matches '^@f\[vfs_write\]: 3$'
	[ "$(count_lines '^@\[')" -eq "$(count_lines '^@\[kprobe:vfs_wri[a-z_0-9]*\]: [0-9]+$')" ] ||
		fail "a probe outside kprobe:vfs_wri*"
	# Attaching N probes: one per function in available_filter_functions
	local n
	n=$(grep -c '^vfs_wri[^ ]*$' "$TRACING/available_filter_functions")
	awl_run -e 'kprobe:vfs_wri* { @ = count(); }' -c "$WORKLOAD getppid 1"
	status_is 0
	[ "$(nth_line 1)" = "Attaching $n probes..." ] || fail "not 'Attaching $n probes...'"
}

t_kp_tracefs() {
	needs kprobes
	AWL_PROBE_API=tracefs awl_run -q -e 'kprobe:vfs_write /pid == cpid/ { @ = sum(arg2); }
		kretprobe:vfs_write /pid == cpid/ { @r = sum(retval); }' -c "$WORKLOAD write 5 6 100"
	status_is 0
	output_is "$(printf '@: 111\n\n@r: 111')"
	events_empty kprobe
}

# (riscv64 6.1 unwinds nothing from a kprobe at a function's entry, which
# is placed through ftrace there: the kernel's limit, so vfs_write+4)
t_kp_kstack() {
	needs kprobes
	local at=
	[ "$KARCH" = riscv64 ] && at=+4
	awl_run -q -e "kprobe:vfs_write$at"' /pid == cpid/ { @[kstack] = count(); }' -c "$WORKLOAD write 1 2"
	status_is 0
	[ "$(nth_line 1)" = "@[" ] || fail "the output does not start with '@['"
	nth_line 2 | grep -qE '^ +vfs_write\+[0-9]+$' || fail "the first frame is not vfs_write+N"
	[ "$(count_lines '^ +[A-Za-z_][A-Za-z0-9_.]*\+[0-9]+$')" -ge 3 ] || fail "fewer than 3 frames"
	line_matches '^\]: 2$'
}

t_kp_caller() {
	needs kprobes
	awl_run -q -e 'kprobe:vfs_write /pid == cpid/ { @[ksym(caller)] = count(); }' -c "$WORKLOAD write 1 2"
	status_is 0
	line_matches '^@\[[a-z_0-9.]*write[a-z_0-9.]*\]: 2$'
}

t_kp_str() {
	needs kprobes
	awl_run -q -e 'kprobe:getname /pid == cpid/ { @[str(uptr(arg0))] = count(); }' \
		-c "$WORKLOAD open /tmp/awl-kprobe-XYZ 3"
	status_is 0
	line_matches '^@\[/tmp/awl-kprobe-XYZ\]: 3$'
}

t_kp_missing() {
	needs kprobes
	awl_run -q -e 'kprobe:no_such_function_awl { @ = count(); }'
	[ "$status" -ne 0 ] || fail "awl succeeded"
	output_has no_such_function_awl
	events_empty kprobe
}

t_kp_sigkill() {
	needs kprobes
	bg_awl "$AWL" -q -e 'kprobe:vfs_write { @ = count(); } kretprobe:vfs_read { @r = count(); }'
	wait_programs 2
	kill -9 "$pid"
	wait "$pid"
	no_awl_programs
	events_empty kprobe
}

t_kp_sigkill_tracefs() {
	needs kprobes
	AWL_PROBE_API=tracefs bg_awl "$AWL" -q -e 'kprobe:vfs_write { @ = count(); }'
	wait_programs 1
	grep -q ":awl/awl_${pid}_" "$TRACING/kprobe_events" || fail "no awl_${pid}_ kprobe event: $(cat "$TRACING/kprobe_events")"
	kill -9 "$pid"
	wait "$pid"
	awl_run -q -e 'kprobe:vfs_write /pid == cpid/ { @ = count(); }' -c "$WORKLOAD write 1"
	status_is 0
	output_is "@: 1"
	events_empty kprobe
}

# ---------------------------------------------------------------- uprobes

up() {	# up SCRIPT ARGS...: awl -c on the uprobe target
	local script=$1
	shift
	awl_run -q -e "$script" -c "$UPROBE_TARGET $*"
}

t_up_count() {
	needs uprobes
	up "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }" calls 7
	status_is 0
	output_is "@: 7"
}

t_up_str() {
	needs uprobes
	up "uprobe:$UPROBE_TARGET:greet { printf(\"%s\\n\", str(arg0)); }" calls 2
	status_is 0
	output_is "$(printf 'hello uprobe\nhello uprobe')"
}

t_up_args() {
	needs uprobes
	if is64; then
		up "uprobe:$UPROBE_TARGET:mix_widths { printf(\"%d %d %d %d %u %d\\n\", (int8)arg0, (uint16)arg1, (int32)arg2, (int64)arg3, arg4, arg5); }" calls 1
		status_is 0
		output_is "-5 65535 -100000 -3000000000 18000000000000000000 7"
	else
		# 32-bit: the 64-bit d and e of mix_widths are in register pairs
		# and on the stack; add_ints' ints are in r0 and r1
		up "uprobe:$UPROBE_TARGET:add_ints { printf(\"%d %d\\n\", arg0, arg1); }" calls 1
		status_is 0
		output_is "2 3"
	fi
}

t_up_retval() {
	needs uprobes
	up "uretprobe:$UPROBE_TARGET:add_ints { @[retval] = count(); } ur:$UPROBE_TARGET:negate { @n[(int32)retval] = count(); }" calls 4
	status_is 0
	output_has "@[5]: 4"
	output_has "@n[-42]: 4"
	if is64; then
		up "ur:$UPROBE_TARGET:negate { @n[(int64)retval] = count(); } ur:$UPROBE_TARGET:big_unsigned { printf(\"%u %x\\n\", retval, retval); }" calls 1
		status_is 0
		output_is "$(printf '18446744073709551600 fffffffffffffff0\n@n[-42]: 1')"
	fi
}

t_up_sargs() {
	needs uprobes
	local want script
	case $KARCH-$BITS in
	x86_64-*) want="1 6 7 10" script='printf("%d %d %d %d\n", arg0, arg5, sarg0, sarg3);' ;;
	aarch64-64 | riscv64-*) want="1 8 9 10" script='printf("%d %d %d %d\n", arg0, arg7, sarg0, sarg1);' ;;
	*) want="1 4 5 10" script='printf("%d %d %d %d\n", arg0, arg3, sarg0, sarg5);' ;;
	esac
	up "uprobe:$UPROBE_TARGET:ten_args { $script }" calls 1
	status_is 0
	output_is "$want"
}

t_up_wildcard() {
	needs uprobes
	up "uprobe:$UPROBE_TARGET:many_0[0-2]? { @ = count(); }" many
	status_is 0
	output_is "@: 30"
	AWL_NO_UPROBE_MULTI=1 up "uprobe:$UPROBE_TARGET:many_0[0-2]? { @[func] = count(); @all = count(); }" many
	status_is 0
	output_has "@all: 30"
	output_has "@[many_017]: 1"
}

t_up_addr() {
	needs uprobes
	[ -n "$ADDR_ADD_INTS" ] || skip "no address of add_ints from the host"
	up "uprobe:$UPROBE_TARGET:0x$ADDR_ADD_INTS { @a = count(); } uprobe:$UPROBE_TARGET:add_ints+0 { @o = count(); }" calls 2
	status_is 0
	output_has "@a: 2"
	output_has "@o: 2"
}

t_up_pid() {
	needs uprobes
	local target
	spawn "$UPROBE_TARGET" wait-calls "$PID_WAIT_MS" 5
	target=$bgpid
	spawn "$UPROBE_TARGET" wait-calls "$PID_WAIT_MS" 9
	awl_run -q -p "$target" -e "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }"
	wait
	status_is 0
	output_is "@: 5"
}

t_up_tracefs() {
	needs uprobes
	AWL_PROBE_API=tracefs AWL_NO_UPROBE_MULTI=1 up "uprobe:$UPROBE_TARGET:add_ints { @ = count(); } uretprobe:$UPROBE_TARGET:add_ints { @r = sum(retval); }" calls 4
	status_is 0
	output_is "$(printf '@: 4\n\n@r: 20')"
	events_empty uprobe
}

t_up_sigkill_tracefs() {
	needs uprobes
	AWL_PROBE_API=tracefs AWL_NO_UPROBE_MULTI=1 bg_awl "$AWL" -q -e "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }"
	wait_programs 1
	grep -q ":awl/awl_${pid}_" "$TRACING/uprobe_events" || fail "no awl_${pid}_ uprobe event: $(cat "$TRACING/uprobe_events")"
	kill -9 "$pid"
	wait "$pid"
	up "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }" calls 1
	status_is 0
	output_is "@: 1"
	events_empty uprobe
}

# ---------------------------------------------------------------- arm64 and AArch32

# Syscall tracepoints (syscalls:*) ignore 32-bit tasks on arm64 (the
# kernel's ARCH_TRACE_IGNORE_COMPAT_SYSCALLS); raw_syscalls see them, with
# the 32-bit system call numbers (getppid: 64).
t_raw_compat() {
	needs syscalls
	awl_run -q -e 'tracepoint:raw_syscalls:sys_enter /pid == cpid && args.id == 64/ { @ = count(); }' \
		-c "$WORKLOAD getppid 1000"
	status_is 0
	output_is "@: 1000"
}

# arm64 kernels cannot place uprobes in AArch32 code (EOPNOTSUPP from
# arch_uprobe_analyze_insn): awl must say so, not attach silently and
# count nothing.
up32_explained() {
	[ "$status" -ne 0 ] || fail "awl succeeded (printing nothing of the probe) instead of refusing"
	case $output in
	*32-bit* | *AArch32* | *aarch32*) ;;
	*) fail "the error does not explain that arm64 kernels cannot probe 32-bit (AArch32) code" ;;
	esac
}

t_up32_c() {
	needs uprobes
	up "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }" calls 7
	up32_explained
}

t_up32_p() {
	needs uprobes
	local target
	spawn "$UPROBE_TARGET" wait-calls 1500 5
	target=$bgpid
	awl_run -q -p "$target" -e "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }"
	wait
	up32_explained
}

# ---------------------------------------------------------------- fentry

# Where fentry cannot load ($FENTRY = no), the refusal must be explained
# (status 2, naming the fentry program and an alternative); the output is
# in the log either way.
fentry_refused() {
	awl_run -q -e 'fentry:vfs_write { @ = count(); }'
	if [ "$status" -eq 0 ] || [ "$status" -eq 137 ]; then
		fail "fentry was expected to be refused on this kernel"
	fi
	status_is 2
	case $output in
	*fentry*kprobe:vfs_write*) ;;
	*"no BTF"* | *BTF*CONFIG_DEBUG_INFO_BTF*) ;;
	*) fail "the refusal does not explain itself (name fentry and suggest kprobe:vfs_write, or say BTF is missing)" ;;
	esac
	no_awl_programs
}

t_fentry() {
	[ "$FENTRY" = yes ] || { fentry_refused; return; }
	awl_run -q -e 'fentry:vfs_write /pid == cpid/ { @ = sum(args.count); @n = count(); }' \
		-c "$WORKLOAD write 5 6 100"
	status_is 0
	output_is "$(printf '@: 111\n\n@n: 3')"
}

t_fexit() {
	[ "$FENTRY" = yes ] || skip "fentry cannot load on this kernel"
	awl_run -q -e 'fexit:vfs_write /pid == cpid/ { printf("%d %d\n", args.count, retval); }' \
		-c "$WORKLOAD write 5 6 100"
	status_is 0
	output_is "$(printf '5 5\n6 6\n100 100')"
}

t_fentry_str() {
	[ "$FENTRY" = yes ] || skip "fentry cannot load on this kernel"
	# getname(const char __user *filename): every open's path (a user
	# pointer: uptr(), as in bpftrace; str() reads kernel memory)
	awl_run -q -e 'fentry:getname /pid == cpid/ { @[str(uptr(args.filename))] = count(); }' \
		-c "$WORKLOAD open /tmp/awl-fentry-XYZ 2"
	status_is 0
	line_matches '^@\[/tmp/awl-fentry-XYZ\]: 2$'
}

# ---------------------------------------------------------------- JIT

# With the JIT on, every program awl loads is JITed (the kernel lists
# JITed programs in kallsyms as bpf_prog_TAG_NAME): where the arch's JIT
# cannot translate an instruction, the kernel silently runs the
# interpreter instead.
t_jit_all() {
	needs kprobes uprobes syscalls jit
	[ "$(cat /proc/sys/net/core/bpf_jit_enable)" = 1 ] || skip "the JIT is off"
	local kallsyms
	kallsyms=$(cat /proc/sys/net/core/bpf_jit_kallsyms)
	echo 1 > /proc/sys/net/core/bpf_jit_kallsyms
	# (no division: see t_out_maps)
	bg_awl "$AWL" -q -e 'kprobe:vfs_write { @h[comm] = hist(arg2); @s = stats(arg2); @k[kstack] = count(); printf("%s %d %s\n", comm, arg2, str(uptr(arg1), 8)); }
		kretprobe:vfs_write /retval > 1000/ { @a = avg(retval); @m = max(retval); @x[retval & 0xff, retval >> 8] = sum(retval * 3); }
		tracepoint:syscalls:sys_enter_execve { @o[str(args.filename)] = count(); }
		uprobe:'"$UPROBE_TARGET"':greet { printf("%s\n", str(arg0)); }
		interval:ms:100 { @t++; }'
	local loaded jited
	wait_programs 5
	loaded=$(awl_programs)
	jited=$(grep -c ' bpf_prog_[0-9a-f]*_awl_' /proc/kallsyms)
	grep ' bpf_prog_[0-9a-f]*_awl_' /proc/kallsyms
	kill -INT "$pid"
	wait "$pid"
	echo "$kallsyms" > /proc/sys/net/core/bpf_jit_kallsyms
	echo "$loaded awl programs loaded, $jited JITed"
	[ "$jited" -eq "$loaded" ] || fail "$((loaded - jited)) of $loaded programs are not JITed (the interpreter runs them)"
}

# ---------------------------------------------------------------- the end

t_nothing_left() {
	no_awl_programs
	events_empty kprobe
	events_empty uprobe
	[ -z "$(pidof awl)" ] || fail "awl still running: $(pidof awl)"
}

# ---------------------------------------------------------------- plans

plan_full() {
	T "tracefs: awl mounts it where nothing did" t_tracefs_mount
	T "awl -T: required features, kprobes, uprobes, ring buffer, JIT" t_selftest
	T "tracepoint: exact count of getppid from the -c workload" t_tp_count
	T "comm as a map key: one key (the kernel may leave junk after the name)" t_comm_key
	T "tracepoint: args.count of sys_enter_write for known sizes" t_tp_write_sizes
	T "tracepoint: signed field: sys_exit_open(at) ret is -2" t_tp_signed
	T "tracepoint: str(args.filename) of sys_enter_open(at)" t_tp_str
	T "tracepoint: __data_loc string of sched_process_exec" t_tp_data_loc
	T "tracepoint: wildcards in the category and the name" t_tp_wildcards
	T "tracepoint: -p PID counts only that process" t_tp_pid
	T "-p PID: awl stops when the process exits, reaped or not" t_pid_zombie
	T "tracepoint: join(args.argv) of execve" t_tp_join
	T "tracepoint: kstack" t_tp_kstack
	T "output: 500 printf events through the ring buffer" t_out_ringbuf
	T "output: 500 printf events through perf buffers (--perf-buffer)" t_out_perfbuf
	T "output: kprobe printf through perf buffers" t_out_perfbuf_kprobe
	T "output: hist, lhist, stats, min, max, avg of kprobe arguments" t_out_maps
	T "interval, profile, BEGIN and END" t_timers
	T "kprobe: exact count of the getppid system call function" t_kp_syscall_count
	T "kprobe: arg2 of vfs_write is each write's size" t_kp_args
	T "kretprobe: retval of vfs_write is each write's size" t_kretprobe
	T "kprobe and kretprobe: vfs_read of dd's 5 reads of 100 bytes" t_kp_read
	T "kprobe: vfs_read+0 counts like vfs_read" t_kp_offset
	T "kprobe: wildcard vfs_wri*, probe and func" t_kp_wildcard
	T "kprobe: the tracefs path (AWL_PROBE_API=tracefs) leaves no kprobe_events" t_kp_tracefs
	T "kprobe: kstack starts at vfs_write" t_kp_kstack
	T "kprobe: ksym(caller) names vfs_write's caller" t_kp_caller
	T "kprobe: str(uptr(arg0)) of getname is the path opened" t_kp_str
	T "kprobe: a missing function is an error" t_kp_missing
	T "kprobe: SIGKILL leaves no program and no kprobe event" t_kp_sigkill
	T "kprobe: SIGKILL with tracefs kprobes: the next awl removes them" t_kp_sigkill_tracefs
	T "uprobe: counts every call" t_up_count
	T "uprobe: str(arg0) reads the process's string" t_up_str
	T "uprobe: arguments of several widths" t_up_args
	T "uretprobe: return values, negative and unsigned" t_up_retval
	T "uprobe: arguments on the stack (sargN)" t_up_sargs
	T "uprobe: wildcards, with and without uprobe_multi" t_up_wildcard
	T "uprobe: PATH:0xADDR and FUNC+0" t_up_addr
	T "uprobe: -p PID counts only that process" t_up_pid
	T "uprobe: the tracefs path leaves no uprobe_events" t_up_tracefs
	T "uprobe: SIGKILL with tracefs uprobes: the next awl removes them" t_up_sigkill_tracefs
	T "fentry: sum(args.count) of vfs_write (or the refusal explained)" t_fentry
	T "fexit: args and retval of vfs_write" t_fexit
	T "fentry: str(uptr()) of a user pointer argument" t_fentry_str
	T "JIT: every awl program is JITed" t_jit_all
	T "nothing left behind: programs, kprobe_events, uprobe_events" t_nothing_left
}

# The armhf awl on an arm64 kernel, on 32-bit and 64-bit processes.
plan_awl32() {
	T "awl -T (32-bit awl)" t_selftest
	T "tracepoint: count of a 64-bit process's getppid" "WORKLOAD=$WORKLOAD64 t_tp_count"
	T "tracepoint: args.count of a 64-bit process's writes" "WORKLOAD=$WORKLOAD64 t_tp_write_sizes"
	T "raw_syscalls: count of a 32-bit process's getppid" t_raw_compat
	T "tracepoint: kstack" "WORKLOAD=$WORKLOAD64 t_tp_kstack"
	T "output: printf events through perf buffers (--perf-buffer)" "WORKLOAD=$WORKLOAD64 t_out_perfbuf"
	T "output: printf events through the ring buffer" "WORKLOAD=$WORKLOAD64 t_out_ringbuf"
	T "kprobe: exact count of the getppid system call function (32-bit process)" t_kp_syscall_count
	T "kprobe: arg2 of vfs_write (32-bit process)" t_kp_args
	T "kprobe: arg2 of vfs_write (64-bit process)" "WORKLOAD=$WORKLOAD64 t_kp_args"
	T "kretprobe: retval of vfs_write (32-bit process)" t_kretprobe
	T "output: kprobe printf through perf buffers" t_out_perfbuf_kprobe
	T "output: hist, lhist, stats, min, max, avg of kprobe arguments" t_out_maps
	T "kprobe: the tracefs path leaves no kprobe_events" t_kp_tracefs
	T "kprobe: kstack starts at vfs_write (64-bit addresses)" t_kp_kstack
	T "kprobe: ksym(caller)" t_kp_caller
	T "kprobe: str(uptr(arg0)) of a 32-bit process's pointer" t_kp_str
	T "uprobe in a 32-bit process started by -c: refused, and explained" t_up32_c
	T "uprobe in a running 32-bit process (-p): refused, and explained" t_up32_p
	T "uprobe in a running 32-bit process, from the 64-bit awl: refused, and explained" "AWL=$AWL64 t_up32_p"
	T "uprobe: counts calls in a 64-bit process" "UPROBE_TARGET=$UPROBE_TARGET64 BITS=64 t_up_count"
	T "uprobe: str(arg0) in a 64-bit process" "UPROBE_TARGET=$UPROBE_TARGET64 BITS=64 t_up_str"
	T "uprobe: arguments in a 64-bit process" "UPROBE_TARGET=$UPROBE_TARGET64 BITS=64 t_up_args"
	T "uretprobe: return values in a 64-bit process" "UPROBE_TARGET=$UPROBE_TARGET64 BITS=64 t_up_retval"
	T "nothing left behind: programs, kprobe_events, uprobe_events" t_nothing_left
}

plan() {
	case $ROUND in
	awl32) plan_awl32 ;;
	*) plan_full ;;
	esac
}
