#!/usr/bin/env bats
# arch/: each target's pt_regs offsets, checked against the kernel's own
# uapi headers for that target, compiled by the Debian cross compiler
# (a wrong offset fails to compile), and code generation for each.

load test_helper

# The C compiler for an arch: the native one, or Debian's cross compiler.
cross_cc() {
	case "$1" in
	x86_64) echo "${X86_64_CC:-gcc}" ;;
	aarch64) echo aarch64-linux-gnu-gcc ;;
	arm) echo arm-linux-gnueabihf-gcc ;;
	riscv64) echo riscv64-linux-gnu-gcc ;;
	esac
}

require_cc() {
	command -v "$1" >/dev/null && return 0
	if [ "${CI:-}" = true ]; then
		echo "$1 is missing (apt-get install gcc-$2-linux-gnu...): CI=true forbids skipping" >&2
		return 1
	fi
	skip "no $1: install Debian's cross compiler for $2"
}

# Turns awl --dump-arch into static assertions on the uapi struct.
offsets_c() {
	"$AWL" --dump-arch --arch "$1" | awk '
		$1 == "type" { $1 = ""; type = substr($0, 2) }
		$1 == "header" { print "#include <stddef.h>"; print "#include <" $2 ">" }
		$1 == "size" { print "_Static_assert(sizeof(" type ") == " $2 ", \"size of " type "\");" }
		$1 == "reg" && $4 != "-" {
			print "_Static_assert(offsetof(" type ", " $4 ") == " $3 ", \"" $2 " is at offsetof(" $4 ")\");"
		}'
}

check_offsets() {
	local cc
	cc=$(cross_cc "$1")
	require_cc "$cc" "$1"
	offsets_c "$1" > "$BATS_TEST_TMPDIR/offsets.c"
	[ "$(grep -c _Static_assert "$BATS_TEST_TMPDIR/offsets.c")" -ge 10 ]
	run "$cc" -c -o "$BATS_TEST_TMPDIR/offsets.o" "$BATS_TEST_TMPDIR/offsets.c"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "x86_64 pt_regs offsets match <asm/ptrace.h>" {
	[ "$(uname -m)" = x86_64 ] || X86_64_CC=x86_64-linux-gnu-gcc
	check_offsets x86_64
}

@test "aarch64 user_pt_regs offsets match the arm64 <asm/ptrace.h>" {
	check_offsets aarch64
}

@test "arm pt_regs offsets match the 32-bit arm <asm/ptrace.h>" {
	check_offsets arm
}

@test "riscv64 user_regs_struct offsets match the riscv <asm/ptrace.h>" {
	check_offsets riscv64
}

@test "a wrong offset would fail the check" {
	local cc
	cc=$(cross_cc aarch64)
	require_cc "$cc" aarch64
	offsets_c aarch64 | sed 's/regs\[3\]) == 24/regs[3]) == 32/' > "$BATS_TEST_TMPDIR/wrong.c"
	run "$cc" -c -o "$BATS_TEST_TMPDIR/wrong.o" "$BATS_TEST_TMPDIR/wrong.c"
	[ "$status" -ne 0 ]
	[[ "$output" == *"x3 is at offsetof(regs[3])"* ]]
}

@test "--dump-arch lists the argument registers of each arch in order" {
	for a in x86_64 aarch64 arm riscv64; do
		run "$AWL" --dump-arch --arch "$a"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "arch $a" ]
	done
}

# A 32-bit arm program, for the compat and Thumb tests.
arm_target() {
	require_cc arm-linux-gnueabihf-gcc arm || return 1
	arm-linux-gnueabihf-gcc -O1 "$@" -o "$BATS_TEST_TMPDIR/ut_arm" "$TESTS_DIR/progs/uprobe_target.c"
}

@test "a uprobe on a 32-bit arm program under an arm64 kernel reads the compat registers" {
	: "${TESTS_DIR:=$BATS_TEST_DIRNAME}"
	arm_target -marm
	# arg1 is r1, kept in x1's slot (offset 8), 32 bits wide; lr is x14
	run "$AWL" -n -d --arch aarch64 -e "uprobe:$BATS_TEST_TMPDIR/ut_arm:add_ints { @a = arg1; @l = reg(\"lr\"); }"
	[ "$status" -eq 0 ]
	[[ "$output" == *"r1 = *(u32 *)(r6 +8)"* ]]
	[[ "$output" == *"r1 = *(u32 *)(r6 +112)"* ]]
}

@test "a uprobe on 32-bit arm reads 32-bit registers under a 32-bit kernel" {
	: "${TESTS_DIR:=$BATS_TEST_DIRNAME}"
	arm_target -marm
	run "$AWL" -n -d --arch arm -e "uprobe:$BATS_TEST_TMPDIR/ut_arm:add_ints { @a = arg1; } uretprobe:$BATS_TEST_TMPDIR/ut_arm:add_ints { @r = retval; }"
	[ "$status" -eq 0 ]
	[[ "$output" == *"r1 = *(u32 *)(r6 +4)"* ]]
	[[ "$output" == *"r1 = *(u32 *)(r6 +0)"* ]]
}

@test "Thumb functions are refused: arm uprobes probe ARM code only" {
	: "${TESTS_DIR:=$BATS_TEST_DIRNAME}"
	arm_target -mthumb
	run "$AWL" -n --arch arm -e "uprobe:$BATS_TEST_TMPDIR/ut_arm:add_ints { }"
	[ "$status" -eq 1 ]
	[[ "$output" == *"add_ints in $BATS_TEST_TMPDIR/ut_arm is Thumb code"* ]]
}
