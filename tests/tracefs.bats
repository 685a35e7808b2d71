#!/usr/bin/env bats
# Where tracepoints are found: tracefs, mounted by awl when it is absent.

load test_helper

@test "awl mounts tracefs itself when it is not mounted" {
	require_root
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
	# A private mount namespace: the system's own tracefs stays mounted.
	run timeout 20 unshare -m sh -c '
		umount /sys/kernel/tracing 2>/dev/null
		umount /sys/kernel/debug/tracing 2>/dev/null
		[ -e /sys/kernel/tracing/events ] && { echo "still mounted"; exit 1; }
		"$0" -q -e "tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @ = count(); }" -c "$1 getppid 3"
		[ -d /sys/kernel/tracing/events ] && echo mounted' "$AWL" "$WORKLOAD"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '@: 3\n\nmounted')" ]
}

@test "AWL_TRACEFS points awl at another tracefs tree (a fixture)" {
	dir=$(mktemp -d)
	mkdir -p "$dir/events/fake/fake_event"
	cat > "$dir/events/fake/fake_event/format" <<'FMT'
name: fake_event
ID: 99999
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:int value;	offset:8;	size:4;	signed:1;
	field:char name[16];	offset:12;	size:16;	signed:0;

print fmt: "value=%d", REC->value
FMT
	AWL_TRACEFS=$dir run "$AWL" -n -d -e 'tracepoint:fake:fake_event { @[args.name] = sum(args.value); }'
	rm -rf "$dir"
	[ "$status" -eq 0 ]
	[[ "$output" == *"@: key string[16], value sum"* ]]
	[[ "$output" == *"field . value :: int32"* ]]
}

@test "format files that are garbage are errors, not crashes" {
	dir=$(mktemp -d)
	mkdir -p "$dir/events/bad/bad_event"
	# the same pseudo-random bytes on every run, from several seeds
	for seed in 1 2 3 4 5 6 7 8 9 10; do
		LC_ALL=C awk -v seed=$seed 'BEGIN { srand(seed); for (i = 0; i < 3000; i++) printf "%c", int(rand() * 256) }' \
			> "$dir/events/bad/bad_event/format"
		AWL_TRACEFS=$dir run "$AWL" -n -e 'tracepoint:bad:bad_event { @ = count(); }'
		[ "$status" -eq 1 ] || { echo "seed $seed: status $status"; rm -rf "$dir"; return 1; }
		[[ "$output" == *"bad:bad_event"* ]]
	done
	rm -rf "$dir"
}

@test "a format with garbage fields keeps the fields that parse" {
	dir=$(mktemp -d)
	mkdir -p "$dir/events/bad/half"
	printf 'name: half\nID: 5\nformat:\n\tfield:int good;\toffset:8;\tsize:4;\tsigned:1;\n\tfield:\xff\xfe junk\n\tfield:int;offset:;size:\n' \
		> "$dir/events/bad/half/format"
	AWL_TRACEFS=$dir run "$AWL" -n -d -e 'tracepoint:bad:half { @ = sum(args.good); }'
	rm -rf "$dir"
	[ "$status" -eq 0 ]
	[[ "$output" == *"field . good :: int32"* ]]
}
