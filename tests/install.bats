#!/usr/bin/env bats
# make install and make install-tests: what they install, what uninstall
# leaves, and the on-target suite (awl-selftest) run from the installed
# tree as a board would run it.

load test_helper

setup_file() {
	export ROOT=$BATS_FILE_TMPDIR/root
	make -s -C "$BUILDDIR" install install-tests DESTDIR="$ROOT" >/dev/null
	export INSTALLED_AWL=$ROOT$BINDIR/awl SELFTEST=$ROOT$BINDIR/awl-selftest
}

# awl-selftest from the staged tree (not from $PREFIX: nothing is
# installed on this machine)
selftest() {
	AWL=$INSTALLED_AWL AWL_TESTS_DIR=$ROOT$TESTSDIR run timeout 300 "$SELFTEST" "$@"
}

@test "install: awl, its man page, and with install-tests the suite, its programs and awl-selftest(8)" {
	local tests=$ROOT$TESTSDIR
	[ -x "$INSTALLED_AWL" ]
	[ -x "$SELFTEST" ]
	[ -f "$ROOT$MAN8DIR/awl.8" ]
	[ -f "$ROOT$MAN8DIR/awl-selftest.8" ]
	for f in workload uprobe_target; do [ -x "$tests/$f" ]; done
	for f in lib.sh tests.sh; do [ -f "$tests/$f" ]; done
	# the installed runner finds the installed suite by itself
	grep -qF "dir=\${AWL_TESTS_DIR:-$TESTSDIR}" "$SELFTEST"
	grep -qF "AWL=\${AWL:-$BINDIR/awl}" "$SELFTEST"
}

@test "uninstall and uninstall-tests leave no file behind" {
	local root=$BATS_TEST_TMPDIR/root2
	make -s -C "$BUILDDIR" install install-tests DESTDIR="$root" >/dev/null
	make -s -C "$BUILDDIR" uninstall uninstall-tests DESTDIR="$root" >/dev/null
	run find "$root" -type f
	[ -z "$output" ]
}

@test "awl-selftest: usage errors and --help" {
	run "$SELFTEST" --bogus
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: awl-selftest"* ]]
	run "$SELFTEST" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--format=ptest"* ]]
}

@test "awl-selftest: tracepoint and uprobe tests pass from the installed tree" {
	require_root
	selftest -f 'exact count of getppid|uprobe: counts every call|PATH:0xADDR|nothing left'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(count_lines '^ok [0-9]+ \[main\] ')" -eq 4 ]
	[ "$(count_lines '^not ok')" -eq 0 ]
	[[ "$output" == *"# awl-selftest: passed 4 failed 0 skipped 0"* ]]
}

@test "awl-selftest --format=ptest prints PASS:, and SKIP: with the missing kernel feature" {
	require_root
	selftest --format=ptest -f 'exact count of getppid|kprobe: arg2'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"PASS: tracepoint: exact count of getppid from the -c workload"* ]]
	if "$AWL" -T | grep -q '^ok *kprobes$'; then
		[[ "$output" == *"PASS: kprobe: arg2"* ]]
	else
		[[ "$output" == *"SKIP: kprobe: arg2"* ]]
	fi
}

@test "awl-selftest fails, showing the commands, when awl misbehaves" {
	require_root
	# an "awl" that counts nothing
	printf '#!/bin/sh\ncase "$1" in -T) exec "%s" -T ;; -V) echo awl-broken ;; *) echo "@: 0" ;; esac\n' "$AWL" \
		> "$BATS_TEST_TMPDIR/awl"
	chmod +x "$BATS_TEST_TMPDIR/awl"
	INSTALLED_AWL=$BATS_TEST_TMPDIR/awl selftest --format=ptest -f 'exact count of getppid'
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL: tracepoint: exact count of getppid"* ]]
	[[ "$output" == *"passed 0 failed 1"* ]]
}
