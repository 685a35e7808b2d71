#!/usr/bin/env bats
# Syntax errors and the parser's robustness. Everything runs with
# --dry-run: nothing is loaded, so no root is needed. Every error reads
#   FILE:LINE:COL: error: MESSAGE
#     the source line
#     a caret under COL
# and awl exits 1. Each awl runs under `timeout` so that a hang fails.

load test_helper

# awl --dry-run, killed if it hangs.
dry() {
	timeout 10 "$AWL" -n "$@"
}

# Writes stdin to a script file in the test's temporary directory.
script() {
	cat >"$BATS_TEST_TMPDIR/$1"
	echo "$BATS_TEST_TMPDIR/$1"
}

# Prints STR repeated N times.
rep() {
	local s=$1 n=$2 out=
	while [ "$n" -gt 0 ]; do
		if [ $((n & 1)) -eq 1 ]; then out+=$s; fi
		s+=$s
		n=$((n >> 1))
	done
	printf '%s' "$out"
}

# --- the shape of an error ---------------------------------------------

@test "empty input is an error at 1:1" {
	run dry -e ''
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:1: error: the script has no probes" ]
	[ "${lines[1]}" = "  " ]
	[ "${lines[2]}" = "  ^" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "a script of only a comment has no probes" {
	run dry -e '// nothing to trace'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:1: error: the script has no probes" ]
	[ "${lines[1]}" = "  // nothing to trace" ]
	[ "${lines[2]}" = "  ^" ]
}

@test "a script of only a block comment has no probes" {
	run dry -e '/* BEGIN { exit(); } */'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:1: error: the script has no probes" ]
}

@test "missing '{' after the probe is an error at the token found" {
	run dry -e 'BEGIN printf("x\n"); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:7: error: expected '{' to start the probe's actions, found 'printf'" ]
	[ "${lines[1]}" = '  BEGIN printf("x\n"); }' ]
	[ "${lines[2]}" = "        ^" ]
}

@test "unclosed '{' is reported at the '{'" {
	run dry -e 'BEGIN { printf("x\n");'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:7: error: unclosed '{': the script ends before its '}'" ]
	[ "${lines[2]}" = "        ^" ]
}

@test "unterminated string is reported at its opening quote" {
	run dry -e 'BEGIN { printf("abc); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:16: error: unterminated string literal" ]
	[ "${lines[1]}" = '  BEGIN { printf("abc); }' ]
	[ "${lines[2]}" = "                 ^" ]
}

@test "unterminated string ends at the end of its line; later lines still parse" {
	f=$(script u.bt <<-'EOF'
	BEGIN {
	  printf("abc);
	}
	END { x = ; }
	EOF
	)
	run dry "$f"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f:2:10: error: unterminated string literal" ]
	[ "${lines[3]}" = "$f:4:11: error: expected an expression, found ';'" ]
	[ "$(count_lines ': error: ')" -eq 2 ]
}

@test "unterminated block comment is reported at its start" {
	run dry -e 'BEGIN { /* abc }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: unterminated comment" ]
	[ "${lines[2]}" = "          ^" ]
}

@test "a stray character is named and located" {
	run dry -e 'BEGIN { ` }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: unexpected character '\`'" ]
	[ "${lines[2]}" = "          ^" ]
	[ "$(count_lines ': error: ')" -eq 1 ]
}

@test "binary garbage as the script is an error naming the bytes, no crash" {
	f="$BATS_TEST_TMPDIR/garbage.bt"
	printf '\x01\xff\xfe' >"$f"
	run dry "$f"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f:1:1: error: unexpected byte 0x01 in probe" ]
	[[ "$output" == *"$f:1:2: error: unexpected byte 0xff in probe"* ]]
	[[ "$output" == *"$f:1:3: error: unexpected byte 0xfe in probe"* ]]
}

@test "binary garbage inside a probe body is an error naming each byte" {
	f="$BATS_TEST_TMPDIR/garbage2.bt"
	printf 'BEGIN { \x01\xff\xfe }' >"$f"
	run dry "$f"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f:1:9: error: unexpected byte 0x01" ]
	[[ "$output" == *"$f:1:10: error: unexpected byte 0xff"* ]]
	[[ "$output" == *"$f:1:11: error: unexpected byte 0xfe"* ]]
	[ "$(count_lines ': error: ')" -eq 3 ]
}

@test "every byte value as a script stops after 20 errors, no crash" {
	f="$BATS_TEST_TMPDIR/allbytes.bt"
	for i in $(seq 1 255); do printf "\\$(printf '%03o' "$i")"; done >"$f"
	for i in 1 2 3 4; do cat "$f" "$f" >"$f.2" && mv "$f.2" "$f"; done
	run dry "$f"
	[ "$status" -eq 1 ]
	[ "$(count_lines ': error: ')" -eq 20 ]
	[ "${lines[${#lines[@]}-1]}" = "awl: too many errors, giving up" ]
}

@test "a CRLF script's source line is shown without the carriage return" {
	f="$BATS_TEST_TMPDIR/crlf.bt"
	printf 'BEGIN {\r\n  $x = ;\r\n}\r\n' >"$f"
	run dry "$f"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f:2:8: error: expected an expression, found ';'" ]
	[ "${lines[1]}" = '    $x = ;' ]
	[ "${lines[2]}" = "         ^" ]
}

# --- deep nesting and long input ----------------------------------------

@test "10,000 nested parentheses: one 'nesting is too deep' error, quickly" {
	run timeout 5 "$AWL" -n -e "BEGIN { \$x = $(rep '(' 10000)1$(rep ')' 10000); }"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "-e:1:"*": error: nesting is too deep (more than 256 levels)" ]]
	[ "$(count_lines ': error: ')" -eq 1 ]
}

@test "10,000 unclosed parentheses: one 'nesting is too deep' error" {
	run timeout 5 "$AWL" -n -e "BEGIN { \$x = $(rep '(' 10000)1; }"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *": error: nesting is too deep (more than 256 levels)" ]]
	[ "$(count_lines ': error: ')" -eq 1 ]
}

@test "10,000 nested blocks: 'nesting is too deep'" {
	run timeout 5 "$AWL" -n -e "BEGIN { $(rep '{' 10000) $(rep '}' 10000) }"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *": error: nesting is too deep (more than 256 levels)" ]]
	[ "$(count_lines ': error: ')" -eq 1 ]
}

@test "100,000 unary '!' in a row: 'nesting is too deep'" {
	f="$BATS_TEST_TMPDIR/bang.bt"
	printf '%s' "BEGIN { \$x = $(rep '!' 100000)1; }" >"$f"
	run timeout 5 "$AWL" -n "$f"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *": error: nesting is too deep (more than 256 levels)" ]]
}

@test "100,000 prefix '++' in a row: 'nesting is too deep', no crash" {
	f="$BATS_TEST_TMPDIR/preinc.bt"
	printf '%s' "BEGIN { \$x = 1; $(rep '++' 100000)\$x; }" >"$f"
	run timeout 5 "$AWL" -n "$f"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *": error: nesting is too deep (more than 256 levels)" ]]
}

@test "a sum of 100,000 terms compiles or is refused cleanly, no crash" {
	f="$BATS_TEST_TMPDIR/sum.bt"
	printf '%s' "BEGIN { \$x = 1; \$x = \$x $(rep '+ $x ' 100000); }" >"$f"
	run timeout 10 "$AWL" -n "$f"
	[ "$status" -eq 0 ] || { [ "$status" -eq 1 ] && [[ "$output" == *": error: "* ]]; }
}

@test "a chain of 100,000 field accesses is refused cleanly, no crash" {
	f="$BATS_TEST_TMPDIR/fields.bt"
	printf '%s' "BEGIN { \$x = 1; \$y = \$x$(rep '.a' 100000); }" >"$f"
	run timeout 10 "$AWL" -n "$f"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "$f:1:"*": error: "* ]]
}

# --- integer literals -----------------------------------------------------

@test "an integer literal over 64 bits is an error at the literal" {
	run dry -e 'BEGIN { $x = 99999999999999999999999; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:14: error: integer literal is too large (more than 64 bits)" ]
	[ "${lines[2]}" = "               ^" ]
}

@test "2^64 is too large, 2^64-1 is not" {
	run dry -e 'BEGIN { $x = 18446744073709551616; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:14: error: integer literal is too large (more than 64 bits)" ]
	run dry -e 'BEGIN { $x = 18446744073709551615; }'
	[ "$status" -eq 0 ]
}

@test "hex and exponent literals over 64 bits are errors" {
	run dry -e 'BEGIN { $x = 0x10000000000000000; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:14: error: integer literal is too large (more than 64 bits)" ]
	run dry -e 'BEGIN { $x = 1e20; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:14: error: integer literal is too large (more than 64 bits)" ]
}

@test "all integer literal forms compile to their values" {
	run dry -d -e "BEGIN { \$a = 123; \$b = 0x7f; \$c = 017; \$d = 0b101; \$e = 1_000_000; \$f = 1e6; \$g = 'a'; \$h = 0o17; \$i = 10ul; }"
	[ "$status" -eq 0 ]
	vals=$(printf '%s\n' "$output" | sed -n 's/^ *int \(-\{0,1\}[0-9]*\) :: int64$/\1/p' | tr '\n' ' ')
	[ "$vals" = "123 127 15 5 1000000 1000000 97 15 10 " ]
}

@test "a bad digit in an octal literal is one error" {
	run dry -e 'BEGIN { $x = 09; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:15: error: invalid digit '9' in octal literal" ]
	[ "$(count_lines ': error: ')" -eq 1 ]
}

@test "a prefix with no digits (0x, 0b, 0o) is an error" {
	for lit in 0x 0b 0o; do
		run dry -e "BEGIN { \$x = $lit; }"
		echo "$lit: $output"
		[ "$status" -eq 1 ]
		[ "${lines[0]}" = "-e:1:14: error: integer literal has no digits" ]
	done
}

@test "a letter glued to a number is an error at the letter" {
	run dry -e 'BEGIN { $x = 12abc; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:16: error: invalid character 'a' in integer literal" ]
}

@test "character literals hold exactly one character" {
	run dry -e "BEGIN { \$x = 'ab'; }"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:14: error: character literal holds more than one character" ]
	run dry -e "BEGIN { \$x = ''; }"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:14: error: empty or unterminated character literal" ]
}

# --- error recovery and locations ------------------------------------------

@test "syntax errors in three probes are all reported in one run" {
	run dry -e 'BEGIN { x = ; } END { y = ; } tracepoint:syscalls:sys_enter_read { z = ; }'
	[ "$status" -eq 1 ]
	[ "$(count_lines ': error: ')" -eq 3 ]
	[ "${lines[0]}" = "-e:1:13: error: expected an expression, found ';'" ]
	[ "${lines[3]}" = "-e:1:27: error: expected an expression, found ';'" ]
	[ "${lines[6]}" = "-e:1:72: error: expected an expression, found ';'" ]
}

@test "two broken statements in one probe are both reported" {
	run dry -e 'BEGIN { $x = ; $y = ; $z = 1 }'
	[ "$status" -eq 1 ]
	[ "$(count_lines ': error: ')" -eq 2 ]
	[ "${lines[0]}" = "-e:1:14: error: expected an expression, found ';'" ]
	[ "${lines[3]}" = "-e:1:21: error: expected an expression, found ';'" ]
}

@test "a missing ';' between statements is reported at the next statement" {
	run dry -e 'BEGIN { $x = 1 $y = 2; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:16: error: expected ';' or '}' after the statement, found '\$y'" ]
}

@test "an error in a script file names the file and line 3" {
	f=$(script three.bt <<-'EOF'
	BEGIN {
	  $a = 1;
	  $b = $a + ;
	}
	EOF
	)
	run dry "$f"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f:3:13: error: expected an expression, found ';'" ]
	[ "${lines[1]}" = '    $b = $a + ;' ]
	[ "${lines[2]}" = "              ^" ]
}

@test "the caret line keeps the source's tabs" {
	f="$BATS_TEST_TMPDIR/tab.bt"
	printf 'BEGIN {\n\t$b = 1 + ;\n}\n' >"$f"
	run dry "$f"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f:2:11: error: expected an expression, found ';'" ]
	[ "${lines[1]}" = $'  \t$b = 1 + ;' ]
	[ "${lines[2]}" = $'  \t         ^' ]
}

@test "a '#!' first line is accepted" {
	f="$BATS_TEST_TMPDIR/shebang.bt"
	printf '#!/usr/bin/env awl\nBEGIN { printf("hi\\n"); exit(); }\n' >"$f"
	run dry "$f"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "after a '#!' line, errors still have the right line number" {
	f="$BATS_TEST_TMPDIR/shebang2.bt"
	printf '#!/usr/bin/env awl\nBEGIN { exit(); }\nEND { @ = ; }\n' >"$f"
	run dry "$f"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$f:3:11: error: expected an expression, found ';'" ]
}

@test "'\$' alone is an error" {
	run dry -e 'BEGIN { $ = 1; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: '\$' must be followed by a variable name or a number" ]
}

@test "an empty map key is an error" {
	run dry -e 'BEGIN { @x[] = 1; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:12: error: empty map key: write @x, not @x[]" ]
}

@test "\$0 is an error: positional parameters start at \$1" {
	run dry -e 'BEGIN { printf("%d\n", $0); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:24: error: positional parameters start at \$1" ]
}

# --- what parses ----------------------------------------------------------

@test "all assignment operators and ++/-- parse" {
	run dry -d -e 'BEGIN { $x = 1; $x += 2; $x -= 1; $x *= 3; $x /= 2; $x %= 5; $x &= 7; $x |= 8; $x ^= 1; $x <<= 2; $x >>= 1; $x++; $x--; ++$x; --$x; @m = 1; @m += 2; @m++; --@m; }'
	[ "$status" -eq 0 ]
	ops=$(printf '%s\n' "$output" | sed -n 's/^ *\(assign\|incdec\) \([^ ]*\).*/\2/p' | tr '\n' ' ')
	[ "$ops" = "= += -= *= /= %= &= |= ^= <<= >>= post++ post-- pre++ pre-- = += post++ pre-- " ]
}

@test "the ternary operator parses, nested to the right" {
	run dry -d -e 'BEGIN { $x = 3; $y = $x > 2 ? 10 : $x > 1 ? 20 : 30; $s = $x ? "a" : "b"; }'
	[ "$status" -eq 0 ]
	[ "$(count_lines '^ *\?: :: ')" -eq 3 ]
}

@test "ply's 'if (pred)' after a probe is the same as /pred/" {
	require_tracefs
	run dry -d -e 'tracepoint:syscalls:sys_enter_read if (pid == 1) { @ = count(); }'
	[ "$status" -eq 0 ]
	ply=$output
	run dry -d -e 'tracepoint:syscalls:sys_enter_read /pid == 1/ { @ = count(); }'
	[ "$status" -eq 0 ]
	[[ "$output" == *"  predicate"* ]]
	[ "$ply" = "$output" ]
}

@test "a /predicate/ with blanks inside parses" {
	require_tracefs
	run dry -e 'tracepoint:syscalls:sys_enter_read / pid == 1 / { @ = count(); }'
	[ "$status" -eq 0 ]
}

@test "an unterminated /predicate/ is an error at the '{'" {
	run dry -e 'tracepoint:syscalls:sys_enter_read /pid == 1 { @ = count(); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:46: error: expected '/' to end the predicate, found '{'" ]
}

@test "several probes, and 'a, b' and 'a,b' spec lists, parse" {
	require_tracefs
	run dry -d -e 'tracepoint:syscalls:sys_enter_read, tracepoint:syscalls:sys_enter_write { @[probe] = count(); } BEGIN{printf("a\n");}END{print(@);} tracepoint:syscalls:sys_enter_close,tracepoint:syscalls:sys_enter_dup { @[probe] = count(); }'
	[ "$status" -eq 0 ]
	probes=$(printf '%s\n' "$output" | grep '^probe ')
	[ "$probes" = "probe tracepoint:syscalls:sys_enter_read, tracepoint:syscalls:sys_enter_write
probe BEGIN
probe END
probe tracepoint:syscalls:sys_enter_close, tracepoint:syscalls:sys_enter_dup" ]
}

@test "a spec list ending in ',' is an error" {
	run dry -e 'tracepoint:syscalls:sys_enter_read, { @ = count(); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:37: error: expected a probe after ','" ]
}

# In a /predicate/ a bare '/' ends it, so division there must be put in
# parentheses: '/ pid / 2 == 1 /' ends the predicate after 'pid'.
@test "division in a /predicate/ without parentheses ends the predicate" {
	run dry -e 'tracepoint:syscalls:sys_enter_read / pid / 2 == 1 / { @ = count(); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:44: error: expected '{' to start the probe's actions, found integer" ]
}

@test "division in a /predicate/ inside parentheses works" {
	require_tracefs
	run dry -d -e 'tracepoint:syscalls:sys_enter_read / (pid / 2) == 1 / { @ = count(); }'
	[ "$status" -eq 0 ]
	[[ "$output" == *"binop /"* ]]
}

@test "nested unroll that would exceed the kernel's program size is a located error" {
	run timeout 60 "$AWL" -n -e 'BEGIN { unroll(100) { unroll(100) { unroll(100) { @x++; } } } }'
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "-e:1:1: error: the probe's program would be larger than the 1000000 instructions the kernel loads"* ]]
}

@test "a wildcard expanding to too many attach points is a located error" {
	[ -e /sys/kernel/btf/vmlinux ] || skip "needs the kernel's BTF for a huge wildcard"
	run timeout 60 "$AWL" -n -e 'BEGIN { } fentry:* { }'
	[ "$status" -eq 1 ]
	[[ "$output" == *"-e:1:11: error: the script expands to "*" attach points, more than the 20000 awl attaches: narrow the wildcards"* ]]
}
