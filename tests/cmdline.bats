#!/usr/bin/env bats
# The command line: options, how the script and its arguments are found,
# listing probes, the self-test, and the options that shape a run.
# Tests that load programs, list tracepoints or run the self-test need
# root (require_root); the rest run anywhere.

load test_helper

# awl, killed if it hangs.
awl_t() {
	timeout 10 "$AWL" "$@"
}

configure_version() {
	sed -n 's/^AC_INIT(\[awl\], *\[\([^]]*\)\].*/\1/p' "$BATS_TEST_DIRNAME/../configure.ac"
}

# --- version, help, bad usage -------------------------------------------------

@test "-V prints the version from configure.ac" {
	version=$(configure_version)
	[ -n "$version" ]
	run awl_t -V
	[ "$status" -eq 0 ]
	[ "$output" = "awl $version" ]
}

@test "--version prints the version from configure.ac" {
	run awl_t --version
	[ "$status" -eq 0 ]
	[ "$output" = "awl $(configure_version)" ]
}

@test "-h prints the usage on stdout and exits 0" {
	run awl_t -h
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: awl [options] PROGRAM [ARG...]" ]
	[[ "$output" == *"  -e PROGRAM      the program text"* ]]
	out=$(awl_t -h 2>/dev/null)
	[ "$(printf '%s\n' "$out" | head -1)" = "usage: awl [options] PROGRAM [ARG...]" ]
}

@test "--help is -h" {
	run awl_t --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: awl [options] PROGRAM [ARG...]" ]
}

@test "an unknown option exits 2 with the usage on stderr" {
	run awl_t -x
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == *"invalid option -- 'x'" ]]
	[ "${lines[1]}" = "usage: awl [options] PROGRAM [ARG...]" ]
	out=$(awl_t -x 2>/dev/null) || true
	[ -z "$out" ]
}

@test "an unknown long option exits 2" {
	run awl_t --bogus
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == *"unrecognized option '--bogus'" ]]
}

@test "no program exits 2 with the usage" {
	run awl_t
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "usage: awl [options] PROGRAM [ARG...]" ]
}

@test "only options and no program exits 2 with the usage" {
	run awl_t -n -q
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "usage: awl [options] PROGRAM [ARG...]" ]
}

# --- the script and its arguments ------------------------------------------------

@test "a missing file that is not a program is an error naming it" {
	run awl_t -n "$BATS_TEST_TMPDIR/missing.bt"
	[ "$status" -eq 2 ]
	[ "$output" = "awl: error: no such file '$BATS_TEST_TMPDIR/missing.bt' (and it is not a program either)" ]
}

@test "a first argument that looks like a program is the program" {
	run awl_t -n -d 'BEGIN { exit(); }'
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "probe BEGIN" ]
}

@test "a script FILE is compiled from the file (dry run)" {
	f="$BATS_TEST_TMPDIR/prog.bt"
	printf 'BEGIN { @ = $1 + 1; @n = $#; }\n' >"$f"
	run awl_t -n -d "$f" 41 x y
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "probe BEGIN" ]
	[[ "$output" == *$'\n''      int 42 :: int64'$'\n'* ]]
	[[ "$output" == *$'\n''      int 3 :: int64'$'\n'* ]]
}

@test "a script FILE runs, its extra arguments are \$1 \$2 and \$#" {
	require_root
	f="$BATS_TEST_TMPDIR/pos.bt"
	printf 'BEGIN { printf("%%s %%d %%d\\n", str($1), $2 + 1, $#); exit(); }\n' >"$f"
	run awl_t -q "$f" hello 41
	[ "$status" -eq 0 ]
	[ "$output" = "hello 42 2" ]
}

@test "-e with positional parameters: str(\$1), \$2 + 1, \$#" {
	require_root
	run awl_t -q -e 'BEGIN { printf("%s %d %d\n", str($1), $2 + 1, $#); exit(); }' abc 9 x
	[ "$status" -eq 0 ]
	[ "$output" = "abc 10 3" ]
}

@test "-e with a numeric \$1 folds \$1 + 1 at compile time" {
	run awl_t -n -d -e 'BEGIN { @ = $1 + 1; }' 41
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\n''      int 42 :: int64'$'\n'* ]]
}

@test "absent positional parameters are 0 and \"\", and \$# is 0" {
	require_root
	run awl_t -q -e 'BEGIN { printf("[%s] %d %d\n", str($1), $1 + 0, $#); exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "[] 0 0" ]
}

@test "a string \$1 printed with %d is a type error" {
	run awl_t -n -e 'BEGIN { printf("%d\n", $1); }' abc
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:24: error: %d cannot print string[4]" ]
}

# --- listing -----------------------------------------------------------------------

@test "-l lists BEGIN and END first" {
	require_root
	run awl_t -l
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "BEGIN" ]
	[ "${lines[1]}" = "END" ]
	[ "$(count_lines '^tracepoint:syscalls:sys_enter_getppid$')" -eq 1 ]
}

@test "-l with a glob lists the matching tracepoints only" {
	require_root
	run awl_t -l 'tracepoint:syscalls:sys_enter_getpp*'
	[ "$status" -eq 0 ]
	[ "$output" = "tracepoint:syscalls:sys_enter_getppid" ]
}

@test "-l BEGIN lists BEGIN" {
	require_root
	run awl_t -l BEGIN
	[ "$status" -eq 0 ]
	[ "$output" = "BEGIN" ]
}

@test "-lv shows a tracepoint's fields" {
	require_root
	run awl_t -lv 'tracepoint:syscalls:sys_enter_openat'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "tracepoint:syscalls:sys_enter_openat" ]
	[ "$(count_lines '^    .* filename;$')" -eq 1 ]
	[ "$(count_lines '^    .* flags;$')" -eq 1 ]
}

@test "-l of tracepoints by a non-root user fails with a non-zero status" {
	require_nobody
	if as_nobody ls /sys/kernel/tracing/events >/dev/null 2>&1; then
		skip "nobody can read tracefs here"
	fi
	run as_nobody "$AWL" -l 'tracepoint:syscalls:sys_enter_getppid'
	[[ "$output" == *"awl: error: "* ]]
	[ "$status" -ne 0 ]
}

@test "a non-root user reading an unreadable tracefs is not told it is unmounted" {
	require_nobody
	if as_nobody ls /sys/kernel/tracing/events >/dev/null 2>&1; then
		skip "nobody can read tracefs here"
	fi
	mountpoint -q /sys/kernel/tracing || skip "tracefs is not mounted at /sys/kernel/tracing"
	run as_nobody "$AWL" -n -e 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }'
	[ "$status" -ne 0 ]
	[[ "$output" == *"tracefs"* ]]
	[[ "$output" != *"not mounted"* ]]
}

@test "a non-root user without --dry-run is told to be root (exit 2)" {
	require_nobody
	run as_nobody "$AWL" -e 'BEGIN { exit(); }'
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "awl: error: awl cannot trace as uid 65534: this process lacks CAP_BPF and CAP_PERFMON, to load and attach tracing programs" ]
	[[ "${lines[1]}" == "awl: note: run awl as root (sudo), or give it the capabilities (setcap cap_bpf,cap_perfmon+ep "*"); --dry-run compiles without them" ]]
}

@test "a non-root user may --dry-run a BEGIN script" {
	require_nobody
	run as_nobody "$AWL" -n -e 'BEGIN { exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

# --- self-test ---------------------------------------------------------------------

@test "-T exits 0 as root and finds the bpf() system call" {
	require_root
	run awl_t -T
	[ "$status" -eq 0 ]
	[ "$(count_lines '^ok   bpf\(\) system call$')" -eq 1 ]
	[ "$(count_lines '^ok   running as root$')" -eq 1 ]
	[ "$(count_lines '^FAIL ')" -eq 0 ]
}

@test "-T reports kprobes, and names CONFIG_KPROBES when they are missing" {
	require_root
	run awl_t -T
	[ "$status" -eq 0 ]
	line=$(printf '%s\n' "$output" | grep -E '^(ok|no|FAIL) +kprobes' || true)
	[ -n "$line" ]
	[ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ]
	if [[ "$line" == no* ]]; then
		[[ "$line" == *"CONFIG_KPROBES"* ]]
	else
		[ "$line" = "ok   kprobes" ]
	fi
}

# --- options shaping a run ------------------------------------------------------------

@test "-o FILE writes the output into FILE, not stdout" {
	require_root
	f="$BATS_TEST_TMPDIR/out.txt"
	out=$(awl_t -q -o "$f" -e 'BEGIN { printf("x\n"); exit(); }')
	[ -z "$out" ]
	[ "$(cat "$f")" = "x" ]
	[ "$(wc -c <"$f")" -eq 2 ]
}

@test "-o into an unwritable path is an error (exit 2)" {
	require_root
	run awl_t -q -o "$BATS_TEST_TMPDIR/no/such/dir/out" -e 'BEGIN { exit(); }'
	[ "$status" -eq 2 ]
	[ "$output" = "awl: error: cannot write $BATS_TEST_TMPDIR/no/such/dir/out: No such file or directory" ]
}

@test "exit(N) sets awl's exit status" {
	require_root
	run awl_t -q -e 'BEGIN { exit(3); }'
	[ "$status" -eq 3 ]
	run awl_t -q -e 'BEGIN { exit(0); }'
	[ "$status" -eq 0 ]
}

@test "without -q the 'Attaching N probes...' line is on stderr" {
	require_root
	run awl_t -e 'BEGIN { exit(); } END { printf("end\n"); }'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Attaching 2 probes..." ]
	[ "${lines[1]}" = "end" ]
	err=$(awl_t -e 'BEGIN { exit(); }' 2>&1 >/dev/null)
	[ "$err" = "Attaching 1 probe..." ]
}

@test "-q suppresses the 'Attaching' line" {
	require_root
	run awl_t -q -e 'BEGIN { exit(); } END { printf("end\n"); }'
	[ "$status" -eq 0 ]
	[ "$output" = "end" ]
}

@test "set-user-ID, awl refuses to run, and says how to let users trace instead" {
	require_root
	local dir
	dir=$(mktemp -d /var/tmp/awl-suid.XXXXXX)
	cp "$AWL" "$dir/awl"
	chmod 755 "$dir"
	chmod 4755 "$dir/awl"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups "$dir/awl" -V
	rm -rf "$dir"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"awl refuses to run set-user-ID or set-group-ID"* ]]
	[[ "$output" == *"setcap cap_bpf,cap_perfmon+ep"* ]]
}
