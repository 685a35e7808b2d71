#!/usr/bin/env bats
# The fuzz targets of tests/fuzz/, built with tests/fuzz/replay.c (no
# libFuzzer: make check builds them with the configured compiler as
# tests/fuzz/replay-TARGET), replay every reproducer saved in
# tests/fuzz/regressions/TARGET/ and a few real inputs of each kind:
# none may crash, hang or trip a sanitizer (in --enable-sanitizers
# builds). `make fuzz` is what fuzzes them (tests/fuzz/run.sh).

load test_helper

TARGETS="compile elf btf tpformat kallsyms procmaps ldcache"
FUZZ_SRC=${TESTS_DIR:-$BATS_TEST_DIRNAME}/fuzz

setup() {
	: "${BUILDDIR:=$BATS_TEST_DIRNAME/..}"
	for t in $TARGETS; do
		[ -x "$BUILDDIR/tests/fuzz/replay-$t" ] || {
			echo "no $BUILDDIR/tests/fuzz/replay-$t: make check builds it (check_PROGRAMS)" >&2
			return 1
		}
	done
}

# replay TARGET FILE|DIR...: the target on each input, killed if it hangs
replay() {
	local t=$1
	shift
	timeout 900 "$BUILDDIR/tests/fuzz/replay-$t" "$@"
}

@test "every saved regression replays without a crash" {
	n=0
	for t in $TARGETS; do
		dir=$FUZZ_SRC/regressions/$t
		[ -d "$dir" ] && [ -n "$(ls "$dir")" ] || continue
		run replay "$t" "$dir"
		[ "$status" -eq 0 ] || { echo "$t: status $status"; printf '%s\n' "$output" | tail -30; return 1; }
		n=$((n + $(ls "$dir" | wc -l)))
	done
	echo "$n regressions replayed"
	[ "$n" -gt 0 ]
}

@test "the compile target runs the test suite's cross scripts for every arch" {
	dir=$BATS_TEST_TMPDIR/compile
	mkdir -p "$dir"
	i=0
	while IFS= read -r script; do
		script=$(printf '%s' "$script" | sed 's|TARGET|/bin/true|g')
		for cfg in '\000' '\101' '\102' '\103' '\104' '\310'; do
			printf "$cfg%s" "$script" > "$dir/s$i"
			i=$((i + 1))
		done
	done < "$FUZZ_SRC/../cross/scripts.txt"
	run replay compile "$dir"
	[ "$status" -eq 0 ]
	[[ "$output" == *"replay: $i inputs run"* ]]
}

@test "the readers' targets run on this machine's files" {
	dir=$BATS_TEST_TMPDIR/in
	mkdir -p "$dir"
	run replay elf /bin/true "$AWL" "$WORKLOAD"
	[ "$status" -eq 0 ]
	if [ -r /sys/kernel/btf/vmlinux ]; then
		run replay btf /sys/kernel/btf/vmlinux
		[ "$status" -eq 0 ]
	fi
	for f in /sys/kernel/tracing/events/syscalls/sys_enter_openat/format \
		/sys/kernel/tracing/events/sched/sched_switch/format; do
		[ -r "$f" ] && cat "$f" > "$dir/format-${f//\//_}" 2>/dev/null || true
	done
	printf 'name: x\nID: 1\nformat:\n\tfield:int a;\toffset:8;\tsize:4;\tsigned:1;\n' > "$dir/format-small"
	run replay tpformat "$dir"/format-*
	[ "$status" -eq 0 ]
	head -2000 /proc/kallsyms > "$dir/kallsyms"
	run replay kallsyms "$dir/kallsyms"
	[ "$status" -eq 0 ]
	cat /proc/self/maps > "$dir/maps"
	run replay procmaps "$dir/maps"
	[ "$status" -eq 0 ]
	if [ -r /etc/ld.so.cache ]; then
		run replay ldcache /etc/ld.so.cache
		[ "$status" -eq 0 ]
	fi
}

@test "a replay that crashes fails, naming the input" {
	printf 'AWL-FUZZ-SELFTEST-CRASH' > "$BATS_TEST_TMPDIR/boom"
	for t in $TARGETS; do
		AWL_FUZZ_SELFTEST=1 run replay "$t" "$BATS_TEST_TMPDIR/boom"
		[ "$status" -ne 0 ] || { echo "$t: a crash went unnoticed"; return 1; }
		[[ "$output" == *"replay: $BATS_TEST_TMPDIR/boom"* ]]
		[[ "$output" != *"inputs run"* ]]
	done
	# in a directory too, after inputs that pass
	mkdir "$BATS_TEST_TMPDIR/d"
	printf 'ok' > "$BATS_TEST_TMPDIR/d/a"
	cp "$BATS_TEST_TMPDIR/boom" "$BATS_TEST_TMPDIR/d/b"
	AWL_FUZZ_SELFTEST=1 run replay procmaps "$BATS_TEST_TMPDIR/d"
	[ "$status" -ne 0 ]
}

@test "a replay that hangs is killed and fails" {
	printf 'AWL-FUZZ-SELFTEST-HANG' > "$BATS_TEST_TMPDIR/hang"
	AWL_FUZZ_TIMEOUT=1 AWL_FUZZ_SELFTEST=1 run replay kallsyms "$BATS_TEST_TMPDIR/hang"
	[ "$status" -eq 142 ]	# SIGALRM
}

@test "without AWL_FUZZ_SELFTEST those inputs are inputs like any" {
	printf 'AWL-FUZZ-SELFTEST-CRASH' > "$BATS_TEST_TMPDIR/boom"
	printf 'AWL-FUZZ-SELFTEST-HANG' > "$BATS_TEST_TMPDIR/hang"
	for t in $TARGETS; do
		run replay "$t" "$BATS_TEST_TMPDIR/boom" "$BATS_TEST_TMPDIR/hang"
		[ "$status" -eq 0 ]
		[[ "$output" == *"replay: 2 inputs run"* ]]
	done
}

@test "a replay of a missing file fails" {
	run replay elf "$BATS_TEST_TMPDIR/nonexistent"
	[ "$status" -eq 2 ]
}

@test "run.sh fails on a crash, keeps the reproducer, then fails on it" {
	[ -x "$BUILDDIR/fuzz/bin/procmaps" ] || skip "needs a 'make fuzz' done first (clang's libFuzzer)"
	reg=$BATS_TEST_TMPDIR/regressions
	seeds=$BATS_TEST_TMPDIR/seeds
	mkdir -p "$reg" "$seeds/procmaps"
	printf 'AWL-FUZZ-SELFTEST-CRASH' > "$seeds/procmaps/crafted"
	export AWL_FUZZ_SELFTEST=1 FUZZ_REGRESSIONS=$reg FUZZ_TARGETS=procmaps FUZZ_SEEDS=$seeds
	run timeout 600 "$FUZZ_SRC/run.sh" "$BUILDDIR" 1
	[ "$status" -eq 1 ]
	sum=$(printf 'AWL-FUZZ-SELFTEST-CRASH' | sha1sum | cut -c1-40)
	[[ "$output" == *"fuzz: procmaps: FAILED: crash-"*" saved as $reg/procmaps/$sum"* ]]
	cmp "$reg/procmaps/$sum" "$seeds/procmaps/crafted"
	# the next run replays it first, and fails there
	rm "$seeds/procmaps/crafted"
	run timeout 600 "$FUZZ_SRC/run.sh" "$BUILDDIR" 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"fuzz: procmaps: FAILED on the saved regression $reg/procmaps/$sum"* ]]
}
