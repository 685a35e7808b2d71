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

@test "a format file that is garbage is an error, not a crash" {
	dir=$(mktemp -d)
	mkdir -p "$dir/events/bad/bad_event"
	head -c 3000 /dev/urandom > "$dir/events/bad/bad_event/format"
	AWL_TRACEFS=$dir run "$AWL" -n -e 'tracepoint:bad:bad_event { @ = count(); }'
	rm -rf "$dir"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad:bad_event"* ]]
}
