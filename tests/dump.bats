#!/usr/bin/env bats
# awl -n -d: the syntax tree with types, the maps with their key and
# value types, and each BPF program in the kernel verifier's syntax.
# Nothing is loaded, so no root is needed (tracepoint formats are read
# from tracefs, see require_tracefs).

load test_helper

# awl --dry-run --dump, killed if it hangs.
dump() {
	timeout 10 "$AWL" -n -d "$@"
}

# The --arch name of this machine, and one that is not.
native_arch() {
	case "$(uname -m)" in
	x86_64) echo x86_64 ;;
	aarch64 | arm64) echo aarch64 ;;
	arm*) echo arm ;;
	riscv64) echo riscv64 ;;
	*) echo unknown ;;
	esac
}

foreign_arch() {
	if [ "$(native_arch)" = x86_64 ]; then echo aarch64; else echo x86_64; fi
}

# Lines of $output from the line equal to $1 up to (not including) the
# next line starting with "-- ".
section() {
	printf '%s\n' "$output" | awk -v h="$1" '$0 == h { on = 1; next } /^-- / { on = 0 } on'
}

COUNT_ONE_LINER='tracepoint:syscalls:sys_enter_read { @[pid] = count(); }'

@test "a count() one-liner dumps the tree, the maps and one program, in order" {
	require_tracefs
	run dump -e "$COUNT_ONE_LINER"
	[ "$status" -eq 0 ]
	heads=$(printf '%s\n' "$output" | grep '^-- ' | sed 's/ (.*//')
	[ "$heads" = "-- syntax tree and types
-- maps
-- program awl_tracepoint for tracepoint:syscalls:sys_enter_read" ]
}

@test "the syntax tree shows the probe and the types" {
	require_tracefs
	run dump -e "$COUNT_ONE_LINER"
	[ "$status" -eq 0 ]
	[ "$(section '-- syntax tree and types')" = "probe tracepoint:syscalls:sys_enter_read
  block
    assign =
      map @ :: count
        ident pid :: uint32
      call count :: count" ]
}

@test "the maps section gives the count() map's key and value types" {
	require_tracefs
	run dump -e "$COUNT_ONE_LINER"
	[ "$status" -eq 0 ]
	[ "$(section '-- maps')" = "@: key uint32, value count" ]
}

@test "a count() one-liner looks up and updates its map and adds 1" {
	require_tracefs
	run dump -e "$COUNT_ONE_LINER"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\n''   0: r6 = r1'$'\n'* ]]
	[ "$(count_lines '^ +[0-9]+: call bpf_map_lookup_elem#1$')" -ge 1 ]
	[ "$(count_lines '^ +[0-9]+: call bpf_map_update_elem#2$')" -eq 1 ]
	[ "$(count_lines '^ +[0-9]+: r1 = map\[@\] ll$')" -ge 2 ]
	[ "$(count_lines '^ +[0-9]+: r2 \+= 1$')" -eq 1 ]
	[[ "${lines[${#lines[@]}-1]}" =~ ^\ +[0-9]+:\ exit$ ]]
}

@test "every listing line is an index and an instruction in kernel syntax" {
	require_tracefs
	run dump -e "$COUNT_ONE_LINER"
	[ "$status" -eq 0 ]
	listing=$(section "$(printf '%s\n' "$output" | grep '^-- program')")
	[ "$(printf '%s\n' "$listing" | wc -l)" -ge 20 ]
	bad=$(printf '%s\n' "$listing" |
		grep -v -E '^ {0,3}[0-9]+: (r[0-9]+ [-+*/%&|^<>=s]*= .*|\*\(u(8|16|32|64) \*\)\(r[0-9]+ [-+][0-9]+\) = .*|call bpf_[a-z_0-9]+#[0-9]+|if r[0-9] .* goto pc[-+][0-9]+|goto pc[-+][0-9]+|exit)$' || true)
	[ -z "$bad" ]
}

@test "the header's instruction count matches the listing" {
	require_tracefs
	run dump -e "$COUNT_ONE_LINER"
	[ "$status" -eq 0 ]
	n=$(printf '%s\n' "$output" | sed -n 's/^-- program .* (\([0-9]*\) instructions, .*/\1/p')
	last=$(printf '%s\n' "$output" | sed -n 's/^ *\([0-9]*\): .*/\1/p' | tail -1)
	[ -n "$n" ]
	[ "$n" -eq $((last + 1)) ]
}

@test "every jump lands on an instruction of the listing" {
	require_tracefs
	run dump -e "$COUNT_ONE_LINER"
	[ "$status" -eq 0 ]
	[ "$(count_lines 'goto pc')" -ge 1 ]
	printf '%s\n' "$output" | awk '
		/^ *[0-9]+: / { i = $1 + 0; have[i] = 1 }
		/goto pc[-+][0-9]+$/ { t = $NF; sub(/.*pc/, "", t); jump[i] = i + 1 + t }
		END { for (j in jump) if (!have[jump[j]]) { print "bad jump at " j; bad = 1 } exit bad }'
}

@test "aggregations and plain maps show their key and value types" {
	run dump -e 'BEGIN { @s[comm, pid] = sum(5); @h = hist(3); @l = lhist(3, 0, 100, 10); @v["x"] = "str"; @a = avg(1); @st = stats(2); }'
	[ "$status" -eq 0 ]
	[ "$(section '-- maps')" = "@s: key (string[16], uint32), value sum
@h: key none, value hist
@l: key none, value lhist(0, 100, 10)
@v: key string[2], value string[8]
@a: key none, value avg
@st: key none, value stats" ]
}

@test "strings in the tree are printed with escapes" {
	run dump -e 'BEGIN { printf("hi \"%d\"\n", 1); }'
	[ "$status" -eq 0 ]
	[[ "$output" == *'        string "hi \x22%d\x22\x0a"'* ]]
}

@test "printf sends an event through the ring buffer" {
	run dump -e 'BEGIN { printf("hi %d\n", 1); }'
	[ "$status" -eq 0 ]
	[ "$(count_lines '^ +[0-9]+: r1 = map\[awl_output\] ll$')" -eq 1 ]
	[ "$(count_lines '^ +[0-9]+: call bpf_ringbuf_output#130$')" -eq 1 ]
}

@test "--perf-buffer makes printf use bpf_perf_event_output" {
	run dump --perf-buffer -e 'BEGIN { printf("hi %d\n", 1); }'
	[ "$status" -eq 0 ]
	[ "$(count_lines 'call bpf_perf_event_output#25$')" -eq 1 ]
	[ "$(count_lines 'call bpf_ringbuf_output')" -eq 0 ]
}

@test "a cast of a constant keeps the cast's type" {
	run dump -e 'BEGIN { @ = (uint64)-1; }'
	[ "$status" -eq 0 ]
	[ "$(section '-- maps')" = "@: key none, value uint64" ]
}

@test "the tree tells prefix ++ from postfix ++" {
	run dump -e 'BEGIN { $y = 1; $x = $y++; $z = ++$y; }'
	[ "$status" -eq 0 ]
	post=$(printf '%s\n' "$output" | sed -n '/var x ::/{n;p}')
	pre=$(printf '%s\n' "$output" | sed -n '/var z ::/{n;p}')
	[ -n "$post" ]
	[ "$post" != "$pre" ]
}

# --- --arch -------------------------------------------------------------------

@test "--arch x86_64 with --dry-run produces a listing" {
	run dump --arch x86_64 -e 'BEGIN { printf("%d\n", 1); }'
	[ "$status" -eq 0 ]
	[[ "$output" == *"-- program awl_BEGIN for BEGIN ("* ]]
	[[ "$output" == *$'\n''   0: r6 = r1'$'\n'* ]]
	[[ "${lines[${#lines[@]}-1]}" =~ ^\ +[0-9]+:\ exit$ ]]
}

@test "--arch aarch64 with --dry-run produces a listing" {
	run dump --arch aarch64 -e 'BEGIN { printf("%d\n", 1); }'
	[ "$status" -eq 0 ]
	[[ "$output" == *"-- program awl_BEGIN for BEGIN ("* ]]
	[[ "${lines[${#lines[@]}-1]}" =~ ^\ +[0-9]+:\ exit$ ]]
}

@test "--arch arm with --dry-run produces a listing" {
	run dump --arch arm -e 'BEGIN { printf("%d\n", 1); }'
	[ "$status" -eq 0 ]
	[[ "$output" == *"-- program awl_BEGIN for BEGIN ("* ]]
	[[ "${lines[${#lines[@]}-1]}" =~ ^\ +[0-9]+:\ exit$ ]]
}

@test "--arch riscv64 with --dry-run produces a listing" {
	run dump --arch riscv64 -e 'BEGIN { printf("%d\n", 1); }'
	[ "$status" -eq 0 ]
	[[ "$output" == *"-- program awl_BEGIN for BEGIN ("* ]]
	[[ "${lines[${#lines[@]}-1]}" =~ ^\ +[0-9]+:\ exit$ ]]
}

@test "--arch arm has a 32-bit long; 64-bit arches do not" {
	prog='BEGIN { @ = (unsigned long)0x100000001; }'
	for a in x86_64 aarch64 riscv64; do
		run dump --arch "$a" -e "$prog"
		[ "$status" -eq 0 ]
		[[ "$output" == *"      int 4294967297 :: "* ]]
		[ "$(count_lines '^ +[0-9]+: r1 = 0x100000001 ll$')" -eq 1 ]
	done
	run dump --arch arm -e "$prog"
	[ "$status" -eq 0 ]
	[[ "$output" == *"      int 1 :: "* ]]
	[ "$(count_lines '^ +[0-9]+: r1 = 1$')" -eq 1 ]
}

@test "an unknown --arch is an error (exit 2) listing the known ones" {
	run timeout 10 "$AWL" -n --arch mips -e 'BEGIN { exit(); }'
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "awl: error: unknown arch 'mips'; known:" ]
	[ "${lines[1]}" = "x86_64" ]
	[ "${lines[2]}" = "aarch64" ]
	[ "${lines[3]}" = "arm" ]
	[ "${lines[4]}" = "riscv64" ]
	[ "${#lines[@]}" -eq 5 ]
}

@test "--arch for another machine without --dry-run is refused (exit 2)" {
	a=$(foreign_arch)
	run timeout 10 "$AWL" --arch "$a" -e 'BEGIN { exit(); }'
	[ "$status" -eq 2 ]
	[ "$output" = "awl: error: --arch $a generates code for another machine: use it with --dry-run" ]
}

@test "--arch of this machine without --dry-run runs" {
	require_root
	a=$(native_arch)
	[ "$a" != unknown ] || skip "awl has no --arch for $(uname -m)"
	run timeout 10 "$AWL" -q --arch "$a" -e 'BEGIN { printf("ran\n"); exit(); }'
	[ "$status" -eq 0 ]
	[ "$output" = "ran" ]
}
