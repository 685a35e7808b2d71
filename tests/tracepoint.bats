#!/usr/bin/env bats
# Tracepoints in the running kernel: counts, fields (integers, user
# strings, __data_loc strings, char arrays), ply spellings, wildcards,
# the probe builtin, -c / -p filtering and errors. Each test runs a
# workload making a known number of system calls.

load test_helper

# ---- counting, comm, cpid ----

@test "tracepoint: exact count of getppid from the -c workload" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[comm] = count(); }' \
		-c "$WORKLOAD getppid 1000"
	[ "$status" -eq 0 ]
	[ "$output" = "@[workload]: 1000" ]
}

@test "tracepoint: comm of the -c child is the workload's name" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { printf("<%s>\n", comm); }' \
		-c "$WORKLOAD getppid 2"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '<workload>\n<workload>')" ]
}

@test "tracepoint: cpid is the child's pid (as the kernel's exec record and pid say)" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:sched:sched_process_exec /pid == cpid/ { printf("%d %d %d\n", args.pid, pid, cpid); }' \
		-c "$WORKLOAD getppid 1"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	read -r kpid upid cp <<<"${lines[0]}"
	[ "$kpid" -gt 1 ]
	[ "$kpid" = "$upid" ]
	[ "$kpid" = "$cp" ]
}

@test "tracepoint: cpid equals pid in the probes of the child" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[pid, cpid] = count(); }' \
		-c "$WORKLOAD getppid 3"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^@\[([0-9]+),\ ([0-9]+)\]:\ 3$ ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
}

# ---- ply spellings ----

@test "tracepoint: ply's t:category/name with execname" {
	require_root
	run timeout 20 "$AWL" -q -e 't:syscalls/sys_enter_getppid /pid == cpid/ { @[execname] = count(); }' \
		-c "$WORKLOAD getppid 12"
	[ "$status" -eq 0 ]
	[ "$output" = "@[workload]: 12" ]
}

@test "tracepoint: tracepoint:category/name spelling" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls/sys_enter_getppid /pid == cpid/ { @n = count(); }' \
		-c "$WORKLOAD getppid 9"
	[ "$status" -eq 0 ]
	[ "$output" = "@n: 9" ]
}

@test "tracepoint: ply's data-> reads the record's fields" {
	require_root
	run timeout 20 "$AWL" -q -e 't:syscalls/sys_enter_write /pid == cpid/ { @[data->count] = count(); }' \
		-c "$WORKLOAD write 7 7 9"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@[9]: 1\n@[7]: 2')" ]
}

@test "tracepoint: if (pred) in the body filters like a predicate" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_write { if (pid == cpid) { if (args.count > 5) { @big = count(); } else { @small = count(); } } }' \
		-c "$WORKLOAD write 1 2 6 7 8"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@big: 3\n\n@small: 2')" ]
}

# ---- integer fields ----

@test "tracepoint: args.count of sys_enter_write for known sizes" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { printf("%d\n", args.count); }' \
		-c "$WORKLOAD write 0 1 4096 65536 3"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '0\n1\n4096\n65536\n3')" ]
}

@test "tracepoint: args-> and args. read the same field" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { printf("%d %d %d\n", args->count, args.count, args->count == args.count); }' \
		-c "$WORKLOAD write 5 300"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '5 5 1\n300 300 1')" ]
}

@test "tracepoint: signed fields: sys_exit_openat ret of a missing file is -2" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_exit_openat /pid == cpid && args.ret < 0/ { @[args.ret] = count(); }' \
		-c "$WORKLOAD open /nonexistent-awl-tp-test 4"
	[ "$status" -eq 0 ]
	[ "$output" = "@[-2]: 4" ]
}

# ---- strings ----

@test "tracepoint: str(args.filename) of sys_enter_openat prints the path" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_openat /pid == cpid/ { printf("%s\n", str(args.filename)); }' \
		-c "$WORKLOAD open /tmp/awl-test-file-XYZ 3"
	[ "$status" -eq 0 ]
	[ "$(count_lines '^/tmp/awl-test-file-XYZ$')" -eq 3 ]
	# the dynamic loader's opens come first; the workload's are last
	[ "${lines[-1]}" = /tmp/awl-test-file-XYZ ]
	[ "${lines[-3]}" = /tmp/awl-test-file-XYZ ]
}

@test "tracepoint: __data_loc string: str(args.filename) of sched_process_exec" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:sched:sched_process_exec /pid == cpid/ { printf("%s\n", str(args.filename)); }' \
		-c "$WORKLOAD getppid 1"
	[ "$status" -eq 0 ]
	[ "$output" = "$WORKLOAD" ]
}

@test "tracepoint: __data_loc string with ply's dyn(data->filename)" {
	require_root
	run timeout 20 "$AWL" -q -e 't:sched/sched_process_exec /pid == cpid/ { printf("%s\n", dyn(data->filename)); }' \
		-c "$WORKLOAD getppid 1"
	[ "$status" -eq 0 ]
	[ "$output" = "$WORKLOAD" ]
}

@test "tracepoint: char-array field sched_switch prev_comm is a string" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:sched:sched_switch /args.prev_pid == cpid/ { printf("<%s>\n", args.prev_comm); }' \
		-c "$WORKLOAD sleep 100"
	[ "$status" -eq 0 ]
	# it sleeps: it is switched out at least once as workload (before
	# its exec it could still be switched out under awl's name)
	[ "$(count_lines '^<workload>$')" -ge 1 ]
	[ "$(count_lines '.')" -eq "$(count_lines '^<(workload|awl)>$')" ]
}

@test "tracepoint: char-array field compares with a string literal" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:sched:sched_switch /args.prev_pid == cpid && args.prev_comm == "workload"/ { @ = count(); }
		tracepoint:sched:sched_process_exit /pid == cpid/ { printf("exit\n"); }' \
		-c "$WORKLOAD sleep 100"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = exit ]
	[[ "${lines[1]}" =~ ^@:\ [1-9][0-9]*$ ]]
}

# ---- wildcards and probe ----

@test "tracepoint: wildcard in the name" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getpp* /pid == cpid/ { @[probe] = count(); }' \
		-c "$WORKLOAD getppid 5"
	[ "$status" -eq 0 ]
	[ "$output" = "@[tracepoint:syscalls:sys_enter_getppid]: 5" ]
}

@test "tracepoint: wildcards in both the category and the name" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:sysc*ls:sys_*_getppid /pid == cpid/ { @[probe] = count(); }' \
		-c "$WORKLOAD getppid 4"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@[tracepoint:syscalls:sys_enter_getppid]: 4\n@[tracepoint:syscalls:sys_exit_getppid]: 4')" ]
}

@test "tracepoint: probe over sys_enter_get* names each probe that fired" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_get* /pid == cpid/ { @[probe] = count(); }' \
		-c "$WORKLOAD getppid 5"
	[ "$status" -eq 0 ]
	[ "$(count_lines '^@\[tracepoint:syscalls:sys_enter_getppid\]: 5$')" -eq 1 ]
	# every line names a sys_enter_get* probe
	[ "$(count_lines '^@\[tracepoint:syscalls:sys_enter_get[a-z0-9_]*\]: [0-9]+$')" -eq "$(count_lines '.')" ]
}

@test "tracepoint: a probe list of two tracepoints with probe" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid, t:syscalls/sys_exit_getppid /pid == cpid/ { @[probe] = count(); }' \
		-c "$WORKLOAD getppid 3"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@[tracepoint:syscalls:sys_enter_getppid]: 3\n@[tracepoint:syscalls:sys_exit_getppid]: 3')" ]
}

@test "tracepoint: probe prints its name with %s" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid, tracepoint:syscalls:sys_exit_getppid /pid == cpid/ { printf("<%s>\n", probe); }' \
		-c "$WORKLOAD getppid 1"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '<tracepoint:syscalls:sys_enter_getppid>\n<tracepoint:syscalls:sys_exit_getppid>')" ]
}

@test "tracepoint: a field at different offsets in the matched tracepoints" {
	require_root
	# pid is at offset 12 in sched_process_exec, 24 in sched_process_exit
	run timeout 20 "$AWL" -q -e 'tracepoint:sched:sched_process_e* /pid == cpid/ { @[probe, args.pid == cpid] = count(); }' \
		-c "$WORKLOAD exit 0"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@[tracepoint:sched:sched_process_exec, 1]: 1\n@[tracepoint:sched:sched_process_exit, 1]: 1')" ]
}

@test "tracepoint: Attaching counts every matched tracepoint" {
	require_root
	run timeout 20 "$AWL" -e 'tracepoint:syscalls:sys_*_getppid /pid == cpid/ { @ = count(); }' -c "$WORKLOAD getppid 2"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Attaching 2 probes..." ]
	[ "${lines[1]}" = "@: 4" ]
}

# ---- predicates ----

@test "tracepoint: predicate with && || ! and comparisons" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_write /pid == cpid && (args.count > 5 || args.count == 1) && !(args.count == 100)/ { @[args.count] = count(); }' \
		-c "$WORKLOAD write 1 2 5 6 100 200 200"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@[1]: 1\n@[6]: 1\n@[200]: 2')" ]
}

@test "tracepoint: predicate with <= >= != bounds" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_write /pid == cpid && args.count >= 2 && args.count <= 6 && args.count != 5/ { @[args.count] = count(); }' \
		-c "$WORKLOAD write 1 2 5 6 7"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@[2]: 1\n@[6]: 1')" ]
}

@test "tracepoint: a false predicate never fires" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid && comm != "workload"/ { @ = count(); }' \
		-c "$WORKLOAD getppid 20"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

# ---- -p ----

@test "tracepoint: -p PID counts only that process's calls" {
	require_root
	"$WORKLOAD" wait-getppid 1500 7 3>&- &
	local target=$!
	# another process calls getppid at the same time
	"$WORKLOAD" wait-getppid 1400 3000 3>&- &
	local other=$!
	run timeout 20 "$AWL" -q -p "$target" -e 'tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }
		tracepoint:syscalls:sys_enter_exit_group { exit(); }'
	wait "$target" "$other"
	echo "status $status: $output"
	[ "$status" -eq 0 ]
	[ "$output" = "@[workload]: 7" ]
}

@test "tracepoint: -p PID: awl stops when the process exits (as bpftrace does)" {
	require_root
	"$WORKLOAD" wait-getppid 1500 3 3>&- &
	local target=$!
	run timeout 20 "$AWL" -q -p "$target" -e 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }'
	wait "$target"
	[ "$status" -eq 0 ]
	[ "$output" = "@: 3" ]
}

# ---- -c does not hide the rest of the system ----

@test "tracepoint: -c: processes other than the child are traced too (shell command)" {
	require_root
	local path=/tmp/awl-tp-grandchild-$$
	# with ';' the command runs under sh: the workloads are its children
	run timeout 20 "$AWL" -q -e "tracepoint:syscalls:sys_enter_openat /str(args.filename) == \"$path\"/ { @ = count(); }" \
		-c "$WORKLOAD open $path 3; $WORKLOAD open $path 4"
	[ "$status" -eq 0 ]
	[ "$output" = "@: 7" ]
}

@test "tracepoint: -c: an interval probe still fires while the child sleeps" {
	require_root
	run timeout 20 "$AWL" -q -e 'interval:ms:100 { printf("tick\n"); exit(); }' -c "$WORKLOAD sleep 2000"
	[ "$status" -eq 0 ]
	[ "$output" = tick ]
}

# ---- errors ----

@test "tracepoint: a missing tracepoint is an error naming the nearest ones" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppidd { @ = count(); }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"no tracepoint syscalls:sys_enter_getppidd"* ]]
	[[ "$output" == *"nearest: tracepoint:syscalls:sys_enter_getppid"* ]]
	[ "$(count_lines '^@')" -eq 0 ]
}

@test "tracepoint: a missing field is an error suggesting the right one" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_write { @ = sum(args.cout); }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"no field 'cout'"* ]]
	[[ "$output" == *"'count'"* ]]
}

@test "join(args.argv) prints execve's arguments (execsnoop)" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_execve /pid == cpid/ { join(args.argv); }' \
		-c "$WORKLOAD getppid 1 two three"
	[ "$status" -eq 0 ]
	[ "$output" = "$WORKLOAD getppid 1 two three" ]
}

@test "join() with a separator, and at most 16 arguments" {
	require_root
	run timeout 20 "$AWL" -q --perf-buffer -e 'tracepoint:syscalls:sys_enter_execve /pid == cpid/ { join(args->argv, ","); }' \
		-c "$WORKLOAD exit 0 a b c d e f g h i j k l m n o p q r s t"
	[ "$status" -eq 0 ]
	[ "$output" = "$WORKLOAD,exit,0,a,b,c,d,e,f,g,h,i,j,k,l,m" ]
}
