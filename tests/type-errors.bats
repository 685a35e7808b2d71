#!/usr/bin/env bats
# Semantic errors: names, types, arguments, maps. Everything runs with
# --dry-run, so nothing is loaded. Errors read FILE:LINE:COL: error: MSG,
# then the source line and a caret; awl exits 1.

load test_helper

# awl --dry-run, killed if it hangs.
dry() {
	timeout 10 "$AWL" -n "$@"
}

# --- names ------------------------------------------------------------------

@test "an unknown identifier is named and located" {
	run dry -e 'BEGIN { $x = foo; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:14: error: unknown identifier 'foo'" ]
	[ "${lines[1]}" = '  BEGIN { $x = foo; }' ]
	[ "${lines[2]}" = "               ^" ]
}

@test "an unknown function is named and located" {
	run dry -e 'BEGIN { foo(1); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: unknown function 'foo'" ]
	[ "${lines[2]}" = "          ^" ]
}

@test "a builtin cannot be assigned, and that is one error" {
	run dry -e 'BEGIN { pid = 1; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: 'pid' is a builtin and cannot be assigned" ]
	[ "$(count_lines ': error: ')" -eq 1 ]
}

@test "a literal cannot be assigned" {
	run dry -e 'BEGIN { 1 = 2; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: cannot assign to this expression: only maps and \$variables can be assigned" ]
}

@test "a \$variable used before it is assigned is an error at the use" {
	run dry -e 'BEGIN { printf("%d\n", $y); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:24: error: variable \$y is used before it is assigned" ]
	[ "${lines[2]}" = "                         ^" ]
}

@test "a \$variable of one probe is unknown in another" {
	run dry -e 'BEGIN { $x = 1; } END { printf("%d\n", $x); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:40: error: variable \$x is used before it is assigned" ]
}

@test "++ on an unassigned \$variable is an error" {
	run dry -e 'BEGIN { $n++; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: variable \$n is used before it is assigned" ]
}

@test "a map read but never assigned is an error" {
	run dry -e 'END { printf("%d\n", @x); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:22: error: @x is read but never assigned" ]
}

@test "a map read in a probe before the one assigning it is fine" {
	run dry -e 'END { printf("%d\n", @x); } BEGIN { @x = 1; }'
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "system() needs --unsafe" {
	run dry -e 'BEGIN { system("true"); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: system() can change the system: it needs --unsafe" ]
	run dry --unsafe -e 'BEGIN { system("true"); }'
	[ "$status" -eq 0 ]
}

# --- arguments ----------------------------------------------------------------

@test "wrong argument count: fixed arity" {
	run dry -e 'BEGIN { @h = lhist(1, 0, 100); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:14: error: lhist() takes 4 arguments, not 3" ]
	run dry -e 'BEGIN { @h = hist(); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:14: error: hist() takes 1 argument, not 0" ]
}

@test "wrong argument count: a range" {
	run dry -e 'BEGIN { exit(1, 2, 3); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: exit() takes 0 to 1 arguments, not 3" ]
	run dry -e 'BEGIN { printf(); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: printf() takes 1 to 32 arguments, not 0" ]
}

@test "printf with fewer arguments than conversions" {
	run dry -e 'BEGIN { printf("%d %d\n", 1); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: the format has 2 conversions but 1 argument follows" ]
}

@test "printf with more arguments than conversions" {
	run dry -e 'BEGIN { printf("%d\n", 1, 2); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: the format has 1 conversion but 2 arguments follow" ]
}

@test "printf %d with a string argument is an error at the argument" {
	run dry -e 'BEGIN { printf("%d\n", "abc"); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:24: error: %d cannot print string[4]" ]
	[ "${lines[2]}" = "                         ^" ]
}

@test "printf with an unknown conversion" {
	run dry -e 'BEGIN { printf("%q\n", 1); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:16: error: unknown conversion '%q' in the format" ]
}

@test "printf's format must be a string literal" {
	run dry -e 'BEGIN { $f = "%d\n"; printf($f, 1); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:29: error: the format of printf() must be a string literal" ]
}

# --- maps ---------------------------------------------------------------------

@test "a map used with different key types names both places" {
	run dry -e 'BEGIN { @m[1] = 1; } END { @m["a"] = 2; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:28: error: @m is used with key string[2] here, but with key int64 at 1:9" ]
}

@test "a map used with different key counts names both places" {
	run dry -e 'BEGIN { @m[1, 2] = 1; @m[1, 2, 3] = 2; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:23: error: @m is used with key (int64, int64, int64) here, but with key (int64, int64) at 1:9" ]
}

@test "a map used with and without keys names both places" {
	run dry -e 'BEGIN { @m[1] = 1; } END { @m = 2; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:28: error: @m is used without keys here, with keys at 1:9" ]
}

@test "a map read with the wrong key type is an error at the read" {
	run dry -e 'BEGIN { @m[1] = 1; printf("%d\n", @m["a"]); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:35: error: @m is used with key string[2] here, but with key int64 at 1:9" ]
}

@test "a map assigned an int then a string" {
	run dry -e 'BEGIN { @m = 1; @m = "str"; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:20: error: @m holds int64, cannot assign string[8]" ]
}

@test "a \$variable assigned an int then a string names the first assignment" {
	run dry -e 'BEGIN { $x = 1; $x = "s"; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:20: error: \$x holds int64 (from 1:9), cannot assign string[8]" ]
}

@test "a map holding count() cannot take another aggregation or an int" {
	run dry -e 'BEGIN { @x = count(); @x = sum(1); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:26: error: @x holds count, cannot assign sum" ]
	run dry -e 'BEGIN { @x = count(); } END { @x = 1; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:34: error: @x holds count, cannot assign int64" ]
}

@test "reading a count() map in a probe is an error" {
	run dry -e 'BEGIN { @c = count(); } END { $x = @c; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:36: error: @c holds count() per CPU: it can be printed, cleared or deleted, not read in a probe" ]
}

@test "an aggregation assigned to a \$variable is an error" {
	run dry -e 'BEGIN { $c = count(); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:12: error: count() must be assigned to a map, e.g. @x = count(...)" ]
}

@test "an aggregation used as a value is an error" {
	run dry -e 'BEGIN { printf("%d\n", count()); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:24: error: count() must be assigned to a map, e.g. @x = count(...)" ]
}

@test "an aggregation fed with '+=' is an error" {
	run dry -e 'BEGIN { @c += count(); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:12: error: use '=' to feed an aggregation, not '+='" ]
}

@test "lhist with non-constant bounds" {
	run dry -e 'BEGIN { $a = 1; @h = lhist(5, 0, $a, 1); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:22: error: lhist(value, min, max, step) needs constant min, max and step" ]
}

@test "lhist with min above max" {
	run dry -e 'BEGIN { @h = lhist(1, 100, 0, 10); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:14: error: lhist needs min < max and step > 0" ]
}

# --- operators ------------------------------------------------------------------

@test "comparing an int with a string" {
	run dry -e 'BEGIN { $x = 1; if ($x == "a") { } }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:24: error: cannot compare int64 with string[2]" ]
}

@test "ordering strings with '<' suggests strncmp()" {
	run dry -e 'BEGIN { if (comm < "a") { } }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:18: error: strings can only be compared with == and != (use strncmp() to order them)" ]
}

@test "adding to a string is an arithmetic error, not a comparison one" {
	run dry -e 'BEGIN { $x = comm + 1; }'
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "-e:1:19: error: "* ]]
	[[ "${lines[0]}" != *"compared"* ]]
	[[ "${lines[0]}" == *"'+'"* ]]
}

@test "dereferencing an integer is an error" {
	run dry -e 'BEGIN { $a = 1; $b = $a +* 2; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:26: error: cannot dereference int64: it is not a pointer" ]
}

# --- statements -------------------------------------------------------------------

@test "unroll(0) and unroll(101) are out of range" {
	run dry -e 'BEGIN { unroll(0) { printf("x\n"); } }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:16: error: unroll needs a constant count from 1 to 100" ]
	run dry -e 'BEGIN { unroll(101) { printf("x\n"); } }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:16: error: unroll needs a constant count from 1 to 100" ]
	run dry -e 'BEGIN { unroll(100) { @n++; } }'
	[ "$status" -eq 0 ]
}

@test "unroll with a variable count is an error" {
	run dry -e 'BEGIN { $n = 3; unroll($n) { printf("x\n"); } }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:24: error: unroll needs a constant count from 1 to 100" ]
}

@test "break outside a loop" {
	run dry -e 'BEGIN { break; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: 'break' outside a while loop" ]
}

@test "continue outside a loop" {
	run dry -e 'BEGIN { continue; }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:9: error: 'continue' outside a while loop" ]
}

@test "break inside a while loop is fine" {
	run dry -e 'BEGIN { $i = 0; while ($i < 10) { $i++; if ($i == 5) { break; } } }'
	[ "$status" -eq 0 ]
}

@test "an unused value is a warning, not an error" {
	run dry -e 'BEGIN { $x = 1; $x; }'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "-e:1:17: warning: this expression's value is not used" ]
}

# --- several errors -----------------------------------------------------------------

@test "three type errors in one probe are all reported" {
	run dry -e 'BEGIN { $x = foo; $y = bar(); printf("%d\n", $z); }'
	[ "$status" -eq 1 ]
	[ "$(count_lines ': error: ')" -eq 3 ]
	[ "${lines[0]}" = "-e:1:14: error: unknown identifier 'foo'" ]
	[ "${lines[3]}" = "-e:1:24: error: unknown function 'bar'" ]
	[ "${lines[6]}" = "-e:1:46: error: variable \$z is used before it is assigned" ]
}

@test "type errors in three probes are all reported, each once" {
	run dry -e 'BEGIN { $x = foo; } END { bar(); } interval:s:1 { printf("%d\n", "s"); }'
	[ "$status" -eq 1 ]
	[ "$(count_lines ': error: ')" -eq 3 ]
	[ "${lines[0]}" = "-e:1:14: error: unknown identifier 'foo'" ]
	[ "${lines[3]}" = "-e:1:27: error: unknown function 'bar'" ]
	[ "${lines[6]}" = "-e:1:66: error: %d cannot print string[2]" ]
}

# --- probes and their context ---------------------------------------------------------

@test "args in a BEGIN probe is an error" {
	run dry -e 'BEGIN { printf("%d\n", args.foo); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:24: error: 'args' is only available in tracepoint and fentry probes" ]
}

@test "args in an interval probe is an error" {
	run dry -e 'interval:s:1 { printf("%d\n", args.x); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:31: error: 'args' is only available in tracepoint and fentry probes" ]
}

@test "an unknown probe type suggests the nearest" {
	run dry -e 'tracepiont:syscalls:sys_enter_read { }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:1: error: unknown probe type 'tracepiont'; did you mean 'tracepoint'?" ]
}

@test "an unknown tracepoint suggests the nearest names" {
	require_tracefs
	run dry -e 'tracepoint:syscalls:sys_enter_opnat { @ = count(); }'
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "-e:1:1: error: no tracepoint syscalls:sys_enter_opnat; nearest: tracepoint:syscalls:sys_enter_openat, "* ]]
	[ "${lines[2]}" = "  ^" ]
}

@test "an unknown tracepoint category says none matches" {
	require_tracefs
	run dry -e 'tracepoint:nosuchcat:nosuch { }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:1: error: no tracepoint matches nosuchcat:nosuch (see awl -l 'tracepoint:*')" ]
}

@test "an unknown tracepoint field suggests the nearest" {
	require_tracefs
	run dry -e 'tracepoint:sched:sched_switch { printf("%d\n", args.prev_pidd); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:52: error: sched_switch has no field 'prev_pidd'; did you mean 'prev_pid'?" ]
}

@test "an unknown tracepoint field far from all lists the fields" {
	require_tracefs
	run dry -e 'tracepoint:sched:sched_switch { printf("%d\n", args->zzzzzzzz); }'
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "-e:1:52: error: sched_switch has no field 'zzzzzzzz' (its fields: prev_comm, prev_pid, "* ]]
}

@test "a field missing from one tracepoint of a list names that tracepoint" {
	require_tracefs
	run dry -e 'tracepoint:syscalls:sys_enter_read, tracepoint:syscalls:sys_enter_openat { printf("%d\n", args.fd); }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:95: error: tracepoint:syscalls:sys_enter_openat has no field 'fd' (the probe matches it too)" ]
}

@test "comparing a pointer with a string suggests str()" {
	require_tracefs
	run dry -e 'tracepoint:syscalls:sys_enter_openat { if (args.filename == "/etc/passwd") { printf("x\n"); } }'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "-e:1:58: error: cannot compare user int8 * with string[12]: read the string the pointer points to with str()" ]
	run dry -e 'tracepoint:syscalls:sys_enter_openat { if (str(args.filename) == "/etc/passwd") { printf("x\n"); } }'
	[ "$status" -eq 0 ]
}
