#!/usr/bin/env bats
# printf, print, strings and integer semantics, run in the real kernel
# (BEGIN programs run by awl, and tracepoints on the workload).

load test_helper

# Runs one BEGIN program (which should exit()).
begin() {
	run timeout 20 "$AWL" -q -e "BEGIN { $1 }"
}

# ---- conversions ----

@test "printf: %d %i %u %x %X %o %c %s %%" {
	require_root
	begin 'printf("[%d] [%i] [%u] [%x] [%X] [%o] [%c] [%s] [%%]\n", 42, -42, 42, 255, 255, 8, 65, "str"); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "[42] [-42] [42] [ff] [FF] [10] [A] [str] [%]" ]
}

@test "printf: width, -, 0, +, space and # flags" {
	require_root
	begin 'printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%#x] [%#X] [%#o] [%08x] [%-#8x] [%+5d] [%-+5d] [% 05d]\n", 42, 42, 42, 42, 42, 255, 255, 8, 3054, 255, 7, 7, 7); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "[   42] [42   ] [00042] [+42] [ 42] [0xff] [0XFF] [010] [00000bee] [0xff    ] [   +7] [+7   ] [ 0007]" ]
}

@test "printf: precision of integers" {
	require_root
	begin 'printf("[%.3d] [%8.3d] [%-8.3d] [%.0d] [%#.3o] [%.4x]\n", 7, 7, 7, 0, 8, 255); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "[007] [     007] [007     ] [] [010] [00ff]" ]
}

@test "printf: width and precision of strings" {
	require_root
	begin 'printf("[%10s] [%-10s] [%.2s] [%5.1s]\n", "abc", "abc", "abc", "abc"); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "[       abc] [abc       ] [ab] [    a]" ]
}

@test "printf: width of a kernel string (comm)" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { printf("[%12s] [%-12s] [%.4s]\n", comm, comm, comm); }' \
		-c "$WORKLOAD getppid 1"
	[ "$status" -eq 0 ]
	[ "$output" = "[    workload] [workload    ] [work]" ]
}

@test "printf: %c with width, and char literals" {
	require_root
	begin "printf(\"[%c%c%c] [%3c] [%-3c] [%c]\\n\", 104, 105, 33, 65, 66, 'Z'); exit();"
	[ "$status" -eq 0 ]
	[ "$output" = "[hi!] [  A] [B  ] [Z]" ]
}

@test "printf: length modifiers h and hh truncate" {
	require_root
	begin 'printf("[%hd] [%hhd] [%hu] [%hhu] [%hx] [%hhx] [%hhd] [%hd]\n", 65537, 257, -1, -1, 0x12345, 0x1ff, 200, 40000); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "[1] [1] [65535] [255] [2345] [ff] [-56] [-25536]" ]
}

@test "printf: length modifiers l and ll are 64-bit" {
	require_root
	begin 'printf("[%ld] [%lld] [%li] [%lu] [%llu] [%lx] [%llx]\n", -9223372036854775807 - 1, 9223372036854775807, -3, -1, -2, 5000000000, -1); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "[-9223372036854775808] [9223372036854775807] [-3] [18446744073709551615] [18446744073709551614] [12a05f200] [ffffffffffffffff]" ]
}

@test "printf: negative numbers with %u, %x and %X are 64-bit two's complement" {
	require_root
	begin 'printf("[%u] [%x] [%X] [%o] [%d]\n", -1, -1, -255, -8, -1); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "[18446744073709551615] [ffffffffffffffff] [FFFFFFFFFFFFFF01] [1777777777777777777770] [-1]" ]
}

@test "printf: %p prints 0x and hex" {
	require_root
	begin 'printf("[%p] [%p] [%20p] [%-20p]\n", 0, 4096, 0xdeadbeef, 255); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "[0x0] [0x1000] [          0xdeadbeef] [0xff                ]" ]
}

@test "printf: ply's %v prints any value" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { printf("%v|%v|%v|%v\n", comm, args.count, (args.count + 1, comm), -5); }' \
		-c "$WORKLOAD write 12"
	[ "$status" -eq 0 ]
	[ "$output" = "workload|12|(13, workload)|-5" ]
}

@test "printf: escapes in the format" {
	require_root
	begin 'printf("a\tb\x41\101\\\"|\n"); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\tbAA\\"|')" ]
}

# ---- print ----

@test "print: integers, strings and tuples" {
	require_root
	begin 'print(42); print(-5); print("hello"); print((1, "two", -3)); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '42\n-5\nhello\n(1, two, -3)')" ]
}

@test "print: several values on one line" {
	require_root
	begin 'print(7, "x", (1, 2)); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "7 x (1, 2)" ]
}

@test "print: a tuple of kernel values" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { print((comm, args.count)); }' \
		-c "$WORKLOAD write 12 0"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '(workload, 12)\n(workload, 0)')" ]
}

@test "print: tuple elements by index" {
	require_root
	begin '$t = (1, "ab", -3); printf("%d %s %d\n", $t.0, $t.1, $t.2); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "1 ab -3" ]
}

# ---- strings ----

@test "str: str(args.filename, 5) keeps 4 characters" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_openat /pid == cpid/ { printf("[%s]\n", str(args.filename, 5)); }' \
		-c "$WORKLOAD open /tmp/awl-printf-strlen 2"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "[/tmp]" ]
	[ "${lines[-2]}" = "[/tmp]" ]
	[ "$(count_lines '^\[.{4}\]$')" -eq "$(count_lines '.')" ]
}

@test "str: the default length keeps 63 characters" {
	require_root
	local long
	long=/tmp/$(printf 'a%.0s' $(seq 1 100))
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_openat /pid == cpid/ { printf("%s\n", str(args.filename)); }' \
		-c "$WORKLOAD open $long 1"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "${long:0:63}" ]
}

@test "str: comm == \"workload\" and != in predicates" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid && comm == "workload"/ { @eq = count(); }
		tracepoint:syscalls:sys_enter_getppid /pid == cpid && comm != "workload"/ { @ne = count(); }
		tracepoint:syscalls:sys_enter_getppid /pid == cpid && comm == "work"/ { @prefix = count(); }
		tracepoint:syscalls:sys_enter_getppid /pid == cpid && comm == "workloadx"/ { @longer = count(); }' \
		-c "$WORKLOAD getppid 3"
	[ "$status" -eq 0 ]
	[ "$output" = "@eq: 3" ]
}

@test "str: string comparison as a value" {
	require_root
	begin '$s = "abc"; printf("%d %d %d %d\n", $s == "abc", $s == "ab", $s == "abcd", "x" != "y"); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "1 0 0 1" ]
}

@test "str: strncmp() of comm" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[strncmp(comm, "workXXX", 4), strncmp(comm, "wxrk", 4), strncmp(comm, "workload", 16)] = count(); }' \
		-c "$WORKLOAD getppid 2"
	[ "$status" -eq 0 ]
	[ "$output" = "@[0, 1, 0]: 2" ]
}

@test "str: strncmp() and ply's strcmp() of literals" {
	require_root
	begin 'printf("%d %d %d %d\n", strncmp("abcd", "abxx", 2), strncmp("abcd", "abxx", 3), strcmp("abc", "abc"), strcmp("abc", "abd")); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "0 1 0 1" ]
}

@test "ntop: IPv4 addresses given as integers" {
	require_root
	begin 'printf("%s %s\n", ntop(0x0100007f), ntop(2, 0x0101a8c0)); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "127.0.0.1 192.168.1.1" ]
}

@test "ntop: as a map key" {
	require_root
	begin '@a[ntop(0x0100007f)] = 1; exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "@a[127.0.0.1]: 1" ]
}

@test "time: time(\"%Y\") prints the current year" {
	require_root
	begin 'time("%Y\n"); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "$(date +%Y)" ]
}

# ---- casts ----

@test "casts: of constants wrap like C" {
	require_root
	begin 'printf("%d %d %d %d %d\n", (uint8)300, (int8)200, (uint16)65537, (int16)40000, (uint32)-1); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "44 -56 1 -25536 4294967295" ]
}

@test "casts: of kernel values wrap like C" {
	require_root
	run timeout 20 "$AWL" -q -e 'tracepoint:syscalls:sys_enter_write /pid == cpid/ { printf("%d %d %d %d\n", (uint8)args.count, (int8)args.count, (int16)(args.count * 200), (uint32)((int64)args.count - 301)); }' \
		-c "$WORKLOAD write 300 200"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '44 44 -5536 4294967295\n200 -56 -25536 4294967195')" ]
}

@test "casts: (uint64) of a negative constant is unsigned" {
	require_root
	begin 'print((uint64)-7); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "18446744073709551609" ]
}

@test "casts: a variable holding a (uint64) constant shifts and divides unsigned" {
	require_root
	begin '$x = (uint64)1 << 63; $y = (uint64)-7; printf("%u %u %u\n", $x >> 62, $y / 2, $y % 2); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "2 9223372036854775804 1" ]
}

# ---- integer arithmetic ----

@test "arith: signed division and modulo of negative constants truncate" {
	require_root
	begin 'printf("%d %d %d %d\n", -7 / 2, -7 % 2, 7 / -2, 7 % -2); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "-3 -1 -3 1" ]
}

@test "arith: signed division and modulo at run time" {
	require_root
	begin '$z = (int64)(nsecs * 0); $a = $z - 7; $b = $z + 2; printf("%d %d %d %d\n", $a / $b, $a % $b, 7 / ($z - 2), 7 % ($z - 2)); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "-3 -1 -3 1" ]
}

@test "arith: unsigned 64-bit division, modulo and shift at run time" {
	require_root
	begin '$n = nsecs; $b = $n - $n - 7; printf("%u %u %u\n", $b / 2, $b % 2, $b >> 60); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "9223372036854775804 1 15" ]
}

@test "arith: signed right shift is arithmetic, unsigned is logical" {
	require_root
	begin '$s = (int64)(nsecs * 0) - 16; printf("%d %u %d %u\n", -16 >> 2, (uint64)-16 >> 60, $s >> 2, (uint32)0xffffffff >> 4); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "-4 15 -4 268435455" ]
}

@test "arith: literals 1e3, 0b101, 0x1f, 017, 0o17, 1_000" {
	require_root
	begin 'printf("%d %d %d %d %d %d %d\n", 1e3, 0b101, 0x1f, 017, 0o17, 1_000, 2e2); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "1000 5 31 15 15 1000 200" ]
}

@test "arith: unary operators and bitwise operations" {
	require_root
	begin '$a = 5; $b = -3; printf("%d %d %d %d %d %d %d\n", -$a, ~$a, !$a, !0, $b & 0xff, $b | 0x100, $a ^ 3); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "-5 -6 0 1 253 -3 6" ]
}

@test "arith: 64-bit wrap-around" {
	require_root
	begin '$a = 9223372036854775807; printf("%d\n", $a + 1); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "-9223372036854775808" ]
}

@test "arith: compound assignments and ++/-- on variables" {
	require_root
	begin '$i = 0; $i++; ++$i; $i += 10; $i *= 2; $i -= 1; $i /= 5; $i %= 3; $i <<= 4; $i |= 1; $i ^= 3; $i &= 0xff; $i >>= 1; $j = $i--; printf("%d %d\n", $i, $j); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "8 9" ]
}

@test "arith: prefix and postfix ++/-- on a map return C's values" {
	require_root
	begin '@x = 5; $a = ++@x; $b = @x--; $c = @x++; printf("%d %d %d\n", $a, $b, $c); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '6 6 5\n@x: 6')" ]
}

@test "arith: ternary with integers and strings" {
	require_root
	begin '$a = (int64)(nsecs * 0) + 5; printf("%d %d %s %s\n", $a > 3 ? 10 : 20, $a < 3 ? 10 : 20, $a == 5 ? "yes" : "no", $a != 5 ? "yes" : "no"); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "10 20 yes no" ]
}

@test "arith: && and || are 0 or 1" {
	require_root
	begin '$z = (int64)(nsecs * 0); printf("%d %d %d %d %d %d\n", ($z + 5) && ($z + 7), $z && 1, $z || ($z + 9), ($z + 3) || $z, 5 && 7, 0 || 0); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "1 0 1 1 1 0" ]
}

@test "arith: && and || short-circuit (the right side's ++ is not run)" {
	require_root
	begin '@n = 5; $z = (int64)(nsecs * 0); $r = $z && @n++; $s = ($z + 1) || @n++; $t = ($z + 1) && @n++; $u = $z || @n++; printf("%d %d %d %d %d\n", $r, $s, $t, $u, @n); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '0 1 1 1 7\n@n: 7')" ]
}

@test "arith: a constant false left of && decides alone" {
	require_root
	begin '$x = 1; printf("%d %d\n", 0 && $x, 1 || $x); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "0 1" ]
}

@test "arith: a constant left of && with a side effect on the right" {
	require_root
	begin '@n = 0; $r = 0 && @n++; $s = 1 || @n++; printf("%d %d %d\n", $r, $s, @n); exit();'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '0 1 0\n@n: 0')" ]
}

@test "arith: 32-bit arm's long division (forced here) gives C's results" {
	require_root
	local script='$a = 1000000007; $b = 37; $n = -7; $big = (uint64)-1;
		printf("%d %d %d %d %d %d %u %u %d %d\n", $a / $b, $a % $b, $n / 2, $n % 2,
		       -100 / -7, 100 % -7, $big / 3, $big % 1000, $a / 0, $a % 0);
		@l = lhist($a % 97, 0, 100, 7); exit();'
	want="27027027 8 -3 -1 14 2 6148914691236517205 615 0 1000000007"
	begin "$script"
	[ "${lines[0]}" = "$want" ]
	AWL_LONG_DIVISION=1 begin "$script"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$want" ]
	[[ "$output" == *"[35, 42)               1 |"* ]]
}
