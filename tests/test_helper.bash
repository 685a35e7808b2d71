# Shared by the bats files: where awl and the workload are, and how
# kernel tests require root.

: "${AWL:=$BATS_TEST_DIRNAME/../src/awl}"
: "${WORKLOAD:=$BATS_TEST_DIRNAME/progs/workload}"
: "${UPROBE_TARGET:=$BATS_TEST_DIRNAME/progs/uprobe_target}"

# Kernel tests load programs into the running kernel. Without root they
# skip, saying why; under CI=true a skipped kernel test is a failure.
require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		if [ "${CI:-}" = true ]; then
			echo "kernel test needs root, and CI=true forbids skipping it" >&2
			return 1
		fi
		skip "kernel test: needs root"
	fi
}

# Tracepoint names and formats come from tracefs, which only root may
# read on most systems (and a build chroot may not mount at all), even
# for --dry-run.
require_tracefs() {
	local d
	# as root, awl mounts tracefs where nothing did: let it
	[ "$(id -u)" -ne 0 ] || "$AWL" -n -e 'tracepoint:sched:sched_switch { }' >/dev/null 2>&1 || true
	for d in ${AWL_TRACEFS:-} /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -r "$d/events/syscalls" ] && [ -r "$d/events/sched/sched_switch/format" ] && return 0
	done
	if [ "${CI:-}" = true ]; then
		echo "tracefs events are not readable, and CI=true forbids skipping" >&2
		return 1
	fi
	skip "tracefs events are not readable here"
}

# Runs a command as the unprivileged user nobody, with no groups.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# Tests run as nobody need root (to switch) and setpriv.
require_nobody() {
	require_root
	command -v setpriv >/dev/null || skip "no setpriv"
	as_nobody "$AWL" -V >/dev/null 2>&1 || skip "user nobody cannot run $AWL"
}

# Runs awl quietly; the output is in $output, the status in $status.
awl() {
	"$AWL" "$@"
}

# True when the running kernel has no BPF program named awl_* left.
no_awl_programs() {
	local left
	left=$("$WORKLOAD" bpf-programs awl_ 2>/dev/null) || return 0
	[ "$left" = 0 ] || { echo "awl programs still loaded: $left" >&2; return 1; }
}

# Counts lines of $output matching a regex.
count_lines() {
	printf '%s\n' "$output" | grep -c -E "$1" || true
}
