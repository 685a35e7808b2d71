#!/usr/bin/env bats
# Kernel failures, each explained: every failing bpf(), perf_event_open(),
# perf ioctl, tracefs write or setrlimit names the probe (or map), the
# cause and the fix, exits 2, and leaves nothing behind (no program
# loaded, no kprobe_events/uprobe_events entry). Failures are injected
# with AWL_FAULT=CALL:ERRNO[:N] (the Nth call of that kind on fails; see
# src/sys.c), or made real where that is cheap (fd limits, the verifier,
# an unprivileged user).

load test_helper

TRACEFS=/sys/kernel/tracing
GETPPID='tracepoint:syscalls:sys_enter_getppid'

# Runs awl (killed if it hangs) with its pid in $awl_pid; the output
# without that pid line is in $output and $lines, the status in $status.
run_awl() {
	run timeout 30 sh -c 'echo "pid $$"; exec "$@"' sh "$AWL" "$@"
	awl_pid=${lines[0]#pid }
	lines=("${lines[@]:1}")
	case $output in
	*$'\n'*) output=${output#*$'\n'} ;;
	*) output= ;;
	esac
}

# No awl_ program is loaded; or another awl is running (another test
# run on this machine), whose programs say nothing about this one.
no_programs_left() {
	no_awl_programs 2>/dev/null || pgrep -x awl >/dev/null || no_awl_programs
}

# Nothing awl made is left in the kernel: no awl_ program loaded, no
# kprobe_events/uprobe_events entry of the last awl run. Polls for 3 s:
# the kernel frees programs after a grace period, and many perf events
# are closed in the background.
nothing_left() {
	local i
	for ((i = 0; i < 30; i++)); do
		if no_programs_left 2>/dev/null &&
			! grep -qs ":awl/awl_${awl_pid:-none}_" "$TRACEFS/uprobe_events" "$TRACEFS/kprobe_events"; then
			return 0
		fi
		sleep 0.1
	done
	no_programs_left
	! grep -s ":awl/awl_${awl_pid:-none}_" "$TRACEFS/uprobe_events" "$TRACEFS/kprobe_events"
}

# ---- no privileges: said before anything is loaded ----

@test "a non-root user is told which capabilities it lacks, before anything is loaded" {
	require_nobody
	run as_nobody timeout 10 "$AWL" -e 'BEGIN { printf("hi\n"); exit(); }'
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "awl: error: awl cannot trace as uid 65534: this process lacks CAP_BPF and CAP_PERFMON, to load and attach tracing programs" ]
	[[ "${lines[1]}" == "awl: note: run awl as root (sudo), or give it the capabilities (setcap cap_bpf,cap_perfmon+ep "*"); --dry-run compiles without them" ]]
	[[ "${lines[2]}" == "awl: note: no sysctl stands in for CAP_BPF and CAP_PERFMON: loading tracing programs takes them whatever kernel.unprivileged_bpf_disabled ("*" here) and kernel.perf_event_paranoid ("*" here) say" ]]
	[ "${#lines[@]}" -eq 3 ]
	nothing_left
}

@test "a non-root user with CAP_BPF only is told it lacks CAP_PERFMON" {
	require_nobody
	as_nobody --inh-caps=+bpf --ambient-caps=+bpf true 2>/dev/null || skip "setpriv cannot pass CAP_BPF on"
	run as_nobody --inh-caps=+bpf --ambient-caps=+bpf timeout 10 "$AWL" -e 'BEGIN { exit(); }'
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "awl: error: awl cannot trace as uid 65534: this process lacks CAP_PERFMON, to load and attach tracing programs" ]
	nothing_left
}

@test "a non-root user with CAP_BPF and CAP_PERFMON may trace" {
	require_nobody
	as_nobody --inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon true 2>/dev/null ||
		skip "setpriv cannot pass CAP_BPF and CAP_PERFMON on"
	run as_nobody --inh-caps=+bpf,+perfmon --ambient-caps=+bpf,+perfmon timeout 10 "$AWL" -q -e 'BEGIN { printf("hi\n"); exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "hi" ]
}

@test "a non-root user tracing a tracepoint is also told tracefs is root's" {
	require_nobody
	if as_nobody ls "$TRACEFS/events" >/dev/null 2>&1; then
		skip "nobody can read tracefs here"
	fi
	mountpoint -q "$TRACEFS" || skip "tracefs is not mounted at $TRACEFS"
	run as_nobody timeout 10 "$AWL" -e "$GETPPID { @ = count(); }"
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == *"lacks CAP_BPF and CAP_PERFMON, to load and attach tracing programs; access to tracefs ($TRACEFS is root's), which $GETPPID needs" ]]
	[[ "${lines[1]}" == *"setcap cap_bpf,cap_perfmon,cap_dac_override+ep"* ]]
}

@test "root without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN is told so" {
	require_root
	command -v setpriv >/dev/null || skip "no setpriv"
	setpriv --inh-caps=-all --bounding-set=-bpf,-perfmon,-sys_admin true 2>/dev/null ||
		skip "setpriv cannot drop capabilities"
	run setpriv --inh-caps=-all --bounding-set=-bpf,-perfmon,-sys_admin timeout 10 "$AWL" -e 'BEGIN { exit(); }'
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "awl: error: awl cannot trace as uid 0: this process lacks CAP_BPF and CAP_PERFMON, to load and attach tracing programs" ]
	[[ "${lines[1]}" == *"reduced capability set"*"give it those capabilities back"* ]]
	nothing_left
}

# ---- EPERM / EACCES ----

@test "EPERM creating a map: the map, a security policy, the places to look" {
	require_root
	AWL_FAULT=bpf-map-create:EPERM run_awl -q -e "$GETPPID { @c[pid] = count(); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: cannot create the map @c (per-CPU hash, 4096 entries, 8-byte keys, 8-byte values): bpf(BPF_MAP_CREATE): Operation not permitted; "* ]]
	[[ "$output" == *"a security policy refused it"*"SELinux, AppArmor, the BPF LSM"*"dmesg"* ]]
	nothing_left
}

@test "EPERM loading a program: the probe, its line, the cause" {
	require_root
	AWL_FAULT=bpf-prog-load:EPERM run_awl -q -e "BEGIN { }
$GETPPID { @ = count(); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: the kernel refused to load the program of "*" (-e:"[12]":1): bpf(BPF_PROG_LOAD): Operation not permitted; a security policy refused it"* ]]
	nothing_left
}

@test "EPERM: the kernel's lockdown mode is read, securityfs mounted or not" {
	require_root
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
	local mode mounts
	mode=$(unshare -m sh -c 'mountpoint -q /sys/kernel/security || mount -t securityfs none /sys/kernel/security; cat /sys/kernel/security/lockdown' 2>/dev/null |
		sed -n 's/.*\[\(.*\)\].*/\1/p')
	[ -n "$mode" ] || skip "this kernel has no lockdown LSM"
	mounts=$(grep -c securityfs /proc/self/mounts || true)
	AWL_FAULT=bpf-prog-load:EPERM run_awl -q -e 'BEGIN { }'
	[ "$status" -eq 2 ]
	case $mode in
	confidentiality) [[ "$output" == *"the kernel is locked down (lockdown=confidentiality), which forbids "* ]] ;;
	*) [[ "$output" == *"a security policy refused it (not kernel lockdown, which is $mode here): "* ]] ;;
	esac
	# read in a mount namespace of its own: no mount is left behind
	[ "$(grep -c securityfs /proc/self/mounts || true)" = "$mounts" ]
	nothing_left
}

@test "EPERM loading the second program: the first is unloaded" {
	require_root
	AWL_FAULT=bpf-prog-load:EPERM:2 run_awl -q -e "$GETPPID { @a = count(); }
tracepoint:syscalls:sys_enter_getpid { @b = count(); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: the kernel refused to load the program of tracepoint:syscalls:sys_enter_getpid (-e:2:1): bpf(BPF_PROG_LOAD): Operation not permitted;"* ]]
	nothing_left
}

@test "EACCES opening a perf event: the probe and the cause" {
	require_root
	AWL_FAULT=perf-event-open:EACCES run_awl -q -e "$GETPPID { @ = count(); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: cannot attach $GETPPID: perf_event_open: Permission denied; a security policy refused it"* ]]
	nothing_left
}

@test "EPERM creating a BPF link: explained, not worked around" {
	require_root
	AWL_FAULT=bpf-link-create:EPERM run_awl -q -e "$GETPPID { @ = count(); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: cannot attach $GETPPID: bpf(BPF_LINK_CREATE): Operation not permitted; a security policy refused it"* ]]
	nothing_left
}

@test "EACCES writing uprobe_events (tracefs path): the entry, the file, the cause" {
	require_root
	AWL_PROBE_API=tracefs AWL_NO_UPROBE_MULTI=1 AWL_FAULT=tracefs-write:EACCES \
		run_awl -q -e "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: cannot attach uprobe:$UPROBE_TARGET:add_ints: writing 'p:awl/awl_${awl_pid}_0 $UPROBE_TARGET:0x"*"' to $TRACEFS/uprobe_events: Permission denied; a security policy refused it"* ]]
	nothing_left
}

# ---- ENOMEM / E2BIG ----

@test "ENOMEM creating a script's map: the map and AWL_MAP_SIZE" {
	require_root
	AWL_MAP_SIZE=1000 AWL_FAULT=bpf-map-create:ENOMEM run_awl -q -e "$GETPPID { @c[pid] = count(); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: cannot create the map @c (per-CPU hash, 1000 entries, 8-byte keys, 8-byte values): bpf(BPF_MAP_CREATE): Cannot allocate memory; "* ]]
	[[ "$output" == *"make it smaller with AWL_MAP_SIZE=N (entries of every map, now 1000)"* ]]
	nothing_left
}

@test "E2BIG creating the ring buffer: AWL_BUFFER_PAGES" {
	require_root
	AWL_OUTPUT=ringbuf AWL_BUFFER_PAGES=128 AWL_FAULT=bpf-map-create:E2BIG run_awl -q -e "$GETPPID { printf(\"%d\\n\", pid); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: cannot create awl's map awl_output (ring buffer, "*" bytes): bpf(BPF_MAP_CREATE): Argument list too long; it is larger than the kernel allows: make it smaller with AWL_BUFFER_PAGES=N (now 128)" ]]
	nothing_left
}

@test "E2BIG loading a program: too large, the probe and its line" {
	require_root
	AWL_FAULT=bpf-prog-load:E2BIG run_awl -q -e "$GETPPID { @ = count(); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: the program of $GETPPID (-e:1:1) is too large for this kernel ("*" instructions): split the probe or simplify it" ]]
	nothing_left
}

@test "E2BIG attaching: the event's 64 programs" {
	require_root
	AWL_FAULT=bpf-link-create:E2BIG run_awl -q -e "$GETPPID { @ = count(); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: cannot attach $GETPPID: bpf(BPF_LINK_CREATE): Argument list too long; the event already runs 64 BPF programs, the kernel's limit"* ]]
	nothing_left
}

# ---- EINVAL: the verifier ----

@test "EINVAL loading without a log: the probe, its line, the kernel's lack" {
	require_root
	AWL_FAULT=bpf-prog-load:EINVAL run_awl -q -e "$GETPPID { @ = count(); }"
	[ "$status" -eq 2 ]
	[ "$output" = "awl: error: the kernel's verifier refused the program of $GETPPID (-e:1:1): Invalid argument; it gave no log: the kernel lacks this program type (CONFIG_BPF_EVENTS=y) or is too old for it" ]
	nothing_left
}

@test "a real verifier refusal shows the end of its log: the failing instruction" {
	require_root
	local script=$BATS_TEST_TMPDIR/jumps.awl
	# 8300 branches in one path: more than the verifier follows (8192)
	printf '// too many jumps\nBEGIN { unroll(100) { unroll(83) { if (pid == 1) { @x = 1; } } } exit(); }\n' > "$script"
	run_awl -q "$script"
	[ "$status" -ne 0 ] || skip "this kernel's verifier accepts 8300 branches"
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "awl: error: the kernel's verifier refused the program of BEGIN ($script:2:1): "*"; its log ends:" ]]
	[ "${lines[1]}" = "  ..." ]
	# the last instruction it looked at, then why it gave up
	[ "$(count_lines '^  [0-9]+: \([0-9a-f]{2}\) ')" -gt 0 ]
	[ "${#lines[@]}" -le 23 ]
	nothing_left
}

# ---- ENOENT / ENODEV: no such probe, PMU or tracepoint ----

@test "ENOENT opening a tracepoint's event: CONFIG_ options named" {
	require_root
	AWL_FAULT=perf-event-open:ENOENT run_awl -q -e "$GETPPID { @ = count(); }"
	[ "$status" -eq 2 ]
	[ "$output" = "awl: error: cannot attach $GETPPID: perf_event_open: No such file or directory; the kernel has no perf event for this tracepoint: it needs CONFIG_PERF_EVENTS=y and CONFIG_BPF_EVENTS=y, and a module's tracepoints go when the module is unloaded" ]
	nothing_left
}

@test "ENOENT attaching a uprobe: the file, CONFIG_UPROBE_EVENTS" {
	require_root
	AWL_NO_UPROBE_MULTI=1 AWL_FAULT=perf-event-open:ENOENT run_awl -q -e "uprobe:$UPROBE_TARGET:add_ints { @ = count(); }"
	[ "$status" -eq 2 ]
	[ "$output" = "awl: error: cannot attach uprobe:$UPROBE_TARGET:add_ints: No such file or directory; $UPROBE_TARGET is gone, or the kernel cannot make uprobes (it needs CONFIG_UPROBE_EVENTS=y)" ]
	nothing_left
}

@test "ENODEV on the second CPU's timer: the first CPU's is undone" {
	require_root
	[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || skip "needs 2 CPUs"
	AWL_FAULT=perf-event-open:ENODEV:2 run_awl -q -e 'profile:hz:99 { @ = count(); }'
	[ "$status" -eq 2 ]
	[ "$output" = "awl: error: cannot attach profile:hz:99: perf_event_open: No such device; the kernel has no such event, or a CPU went offline: it needs CONFIG_PERF_EVENTS=y" ]
	nothing_left
}

@test "EINVAL creating a map: the map type's Linux version" {
	require_root
	AWL_OUTPUT=ringbuf AWL_FAULT=bpf-map-create:EINVAL run_awl -q -e "$GETPPID { printf(\"%d\\n\", pid); }"
	[ "$status" -eq 2 ]
	[[ "$output" == *"bpf(BPF_MAP_CREATE): Invalid argument; the kernel is too old for ring buffer maps (Linux 5.8), or lacks them (CONFIG_BPF_SYSCALL=y)" ]]
	nothing_left
}

# ---- EBUSY ----

@test "EBUSY opening a perf event: another tracer holds it" {
	require_root
	AWL_FAULT=perf-event-open:EBUSY run_awl -q -e "$GETPPID { @ = count(); }"
	[ "$status" -eq 2 ]
	[ "$output" = "awl: error: cannot attach $GETPPID: perf_event_open: Device or resource busy; another tracer (perf, another awl) holds the event exclusively: stop it, then try again" ]
	nothing_left
}

@test "EBUSY on the third uprobe_events entry: the first two are removed" {
	require_root
	AWL_PROBE_API=tracefs AWL_NO_UPROBE_MULTI=1 AWL_FAULT=tracefs-write:EBUSY:3 \
		run_awl -q -e "uprobe:$UPROBE_TARGET:many_00* { @ = count(); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: cannot attach uprobe:$UPROBE_TARGET:many_002: writing 'p:awl/awl_${awl_pid}_2 "*"' to $TRACEFS/uprobe_events: Device or resource busy; another tracer (perf probe, another awl) holds an event of that name or at that place: remove its entry from uprobe_events" ]]
	nothing_left
}

# ---- EMFILE: the fd limit ----

@test "EMFILE on the third perf event: the probe, the limit; the first two undone" {
	require_root
	AWL_FAULT=perf-event-open:EMFILE:3 run_awl -q -e 'tracepoint:syscalls:sys_enter_getp* { @ = count(); }'
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: cannot attach tracepoint:syscalls:sys_enter_get"*": perf_event_open: Too many open files; awl has as many files open as it may (ulimit -n: "* ]]
	[[ "$output" == *"raise the hard limit (ulimit -Hn as root, LimitNOFILE= for a service), or trace fewer probes"* ]]
	nothing_left
}

@test "EMFILE on the third uprobe through tracefs: nothing left in uprobe_events" {
	require_root
	AWL_PROBE_API=tracefs AWL_NO_UPROBE_MULTI=1 AWL_FAULT=perf-event-open:EMFILE:3 \
		run_awl -q -e "uprobe:$UPROBE_TARGET:many_00* { @ = count(); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: cannot attach uprobe:$UPROBE_TARGET:many_002: perf_event_open: Too many open files; "* ]]
	nothing_left
}

@test "EMFILE opening the perf buffers: the limit" {
	require_root
	AWL_OUTPUT=perf AWL_FAULT=perf-event-open:EMFILE run_awl -q -e "$GETPPID { printf(\"%d\\n\", pid); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: cannot map the perf buffers: Too many open files; awl has as many files open as it may (ulimit -n: "* ]]
	nothing_left
}

@test "a real fd limit: the soft limit is raised to the hard one" {
	require_root
	run timeout 60 bash -c 'ulimit -Sn 64; exec "$1" -q -e "tracepoint:syscalls:sys_enter_* /pid == cpid/ { @ = count(); }" -c "$2 getppid 3"' \
		sh "$AWL" "$WORKLOAD"
	[ "$status" -eq 0 ]
	[[ "$output" == "@: "* ]]
}

@test "a real fd limit that is the hard limit: explained, nothing left" {
	require_root
	run timeout 60 bash -c 'ulimit -n 64; echo "pid $$"; exec "$1" -q -e "tracepoint:syscalls:sys_enter_* { @ = count(); }"' sh "$AWL"
	awl_pid=${lines[0]#pid }
	[ "$status" -eq 2 ]
	[[ "${lines[1]}" == "awl: error: cannot attach tracepoint:syscalls:sys_enter_"*": Too many open files; awl has as many files open as it may (ulimit -n: 64, the hard limit): raise the hard limit"* ]]
	nothing_left
}

@test "a failed setrlimit: the EMFILE message says the limit could not be raised" {
	require_root
	run timeout 60 bash -c 'ulimit -Sn 64; echo "pid $$"; AWL_FAULT=setrlimit:EPERM exec "$1" -q -e "tracepoint:syscalls:sys_enter_* { @ = count(); }"' sh "$AWL"
	awl_pid=${lines[0]#pid }
	[ "$status" -eq 2 ]
	[[ "${lines[1]}" == *": Too many open files; awl has as many files open as it may (ulimit -n: 64; awl could not raise it to the hard limit, "*": Operation not permitted): "* ]]
	nothing_left
}

# ---- the other attach calls ----

@test "no BPF links (EINVAL, before Linux 5.15): the ioctl attaches instead" {
	require_root
	AWL_FAULT=bpf-link-create:EINVAL run_awl -q -e "$GETPPID /pid == cpid/ { @ = count(); }" -c "$WORKLOAD getppid 5"
	[ "$status" -eq 0 ]
	[ "$output" = "@: 5" ]
	nothing_left
}

@test "EEXIST from PERF_EVENT_IOC_SET_BPF (no links): another program there" {
	require_root
	AWL_FAULT=bpf-link-create:EINVAL,ioctl-attach:EEXIST run_awl -q -e "$GETPPID { @ = count(); }"
	[ "$status" -eq 2 ]
	[ "$output" = "awl: error: cannot attach $GETPPID: ioctl(PERF_EVENT_IOC_SET_BPF): File exists; another program is attached to this event (before Linux 5.15 an event takes only one): stop the other tracer" ]
	nothing_left
}

@test "a failed PERF_EVENT_IOC_ENABLE on the second probe: the first is undone" {
	require_root
	AWL_FAULT=ioctl-enable:EBUSY:2 run_awl -q -e "$GETPPID { @a = count(); } tracepoint:syscalls:sys_enter_getpid { @b = count(); }"
	[ "$status" -eq 2 ]
	[ "$output" = "awl: error: cannot attach tracepoint:syscalls:sys_enter_getpid: ioctl(PERF_EVENT_IOC_ENABLE): Device or resource busy; another tracer holds the event: stop it, then try again" ]
	nothing_left
}

@test "a failed uprobe_multi link: explained, nothing left" {
	require_root
	AWL_FAULT=bpf-link-create:ENOMEM run_awl -q -e "uprobe:$UPROBE_TARGET:many_00* { @ = count(); }"
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: cannot attach uprobe:$UPROBE_TARGET:many_00"*": Cannot allocate memory; the kernel is short of memory for it"* ]]
	nothing_left
}

@test "a failed test run of BEGIN: explained, nothing left" {
	require_root
	AWL_FAULT=bpf-prog-test-run:EPERM run_awl -q -e 'BEGIN { printf("hi\n"); exit(); }'
	[ "$status" -eq 2 ]
	[[ "$output" == "awl: error: cannot run the BEGIN probe: bpf(BPF_PROG_TEST_RUN): Operation not permitted; a security policy refused it"* ]]
	nothing_left
}

@test "EBUSY attaching fentry: another program there" {
	require_root
	[ -e /sys/kernel/btf/vmlinux ] || skip "no BTF in this kernel"
	if ! timeout 20 "$AWL" -q -e 'fentry:vfs_read { exit(); }' -c "cat /dev/null" >/dev/null 2>&1; then
		# this kernel refuses fentry (lockdown, no trampolines): then
		# that refusal is what must be explained, and undone
		run_awl -q -e 'fentry:vfs_read { @ = count(); }'
		[ "$status" -eq 2 ]
		[[ "$output" == *fentry*vfs_read* ]]
		nothing_left
		return
	fi
	AWL_FAULT=bpf-raw-tp-open:EBUSY run_awl -q -e 'fentry:vfs_read { @ = count(); }'
	[ "$status" -eq 2 ]
	[ "$output" = "awl: error: cannot attach fentry:vfs_read: bpf(BPF_RAW_TRACEPOINT_OPEN): Device or resource busy; another program is attached there (the function's BPF trampoline is busy): stop the other tracer" ]
	nothing_left
}

@test "a malformed AWL_FAULT is ignored with a warning" {
	require_root
	AWL_FAULT=bpf-nothing:EPERM,perf-event-open:EWHAT run_awl -q -e "$GETPPID /pid == cpid/ { @ = count(); }" -c "$WORKLOAD getppid 2"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "awl: warning: ignoring AWL_FAULT entry 'bpf-nothing:EPERM': expected CALL:ERRNO[:N] (at most 8)" ]
	[ "${lines[1]}" = "awl: warning: ignoring AWL_FAULT entry 'perf-event-open:EWHAT': expected CALL:ERRNO[:N] (at most 8)" ]
	[ "${lines[2]}" = "@: 2" ]
}
