# Shared by packaging/tests/*.sh (sourced, POSIX sh). Each test script
# is run as   sh packaging/tests/NAME.sh TARBALL WORKDIR   and prints
# TAP-like lines, "ok - ..." or "not ok - ..." (with "#" lines of
# detail), and exits non-zero if any check failed.
#
# Helpers: t_setup NAME "$@" (after which: $tarball, $work, $version,
# $top, $packaging, $jobs), ok/not_ok/todo/skip, check, run_log,
# unpack, elf_machine, target_run, no_build_paths, t_done.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
packaging=$top/packaging
jobs=$(nproc 2>/dev/null || echo 2)
t_failed=0
t_passed=0
t_name=

t_setup() {	# t_setup NAME TARBALL WORKDIR
	t_name=$1
	[ $# -eq 3 ] || { echo "usage: $0 TARBALL WORKDIR" >&2; exit 2; }
	tarball=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
	[ -f "$tarball" ] || { echo "not ok - $t_name: no tarball $2"; exit 1; }
	rm -rf "$3"
	mkdir -p "$3"
	work=$(cd "$3" && pwd)
	version=$(tar -tzf "$tarball" | head -1)
	version=${version%%/*}
	version=${version#awl-}
}

ok() { t_passed=$((t_passed + 1)); echo "ok - $t_name: $*"; }
not_ok() { t_failed=$((t_failed + 1)); echo "not ok - $t_name: $*"; }
# A known problem outside packaging/ (said in the message): reported,
# but it fails nothing (TAP's TODO).
todo() { echo "not ok - $t_name: $1 # TODO $2"; }
skip() { echo "ok - $t_name: $1 # SKIP $2"; }
note() { printf '%s\n' "$@" | sed 's/^/#   /'; }

# check "WHAT" COMMAND...: ok if COMMAND succeeds, else not ok with the
# first lines of its output
check() {
	c_what=$1
	shift
	if c_out=$("$@" 2>&1); then
		ok "$c_what"
	else
		not_ok "$c_what"
		printf '%s\n' "$c_out" | head -15 | sed 's/^/#   /'
	fi
}

# run_log LOG COMMAND...: runs COMMAND, its output into LOG; on failure
# prints LOG's tail as detail and returns the failure
run_log() {
	r_log=$1
	shift
	if "$@" > "$r_log" 2>&1; then
		return 0
	else
		r_st=$?
		echo "#   ($* failed with $r_st; the end of $r_log:)"
		tail -20 "$r_log" | sed 's/^/#   /'
		return "$r_st"
	fi
}

# unpack DIR: the tarball into DIR (as awl-VERSION/, the way every build
# system does); prints the source directory
unpack() {
	mkdir -p "$1"
	tar -C "$1" -xzf "$tarball" && echo "$1/awl-$version"
}

# elf_machine FILE: aarch64, arm, x86_64, riscv64 or the readelf name
elf_machine() {
	m=$(LC_ALL=C readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p')
	case "$m" in
	AArch64) echo aarch64 ;;
	ARM) echo arm ;;
	*X86-64*) echo x86_64 ;;
	RISC-V) echo riscv64 ;;
	"") echo none ;;
	*) echo "$m" ;;
	esac
}

# target_run FILE ARG...: runs a target binary under qemu-user, with the
# cross glibc as its root when it is a dynamic glibc binary (a static or
# musl one needs none: Debian's musl puts /lib/ld-musl-*.so.1 on the host)
target_run() {
	tr_file=$1
	shift
	tr_interp=$(LC_ALL=C readelf -l "$tr_file" 2>/dev/null | sed -n 's/.*program interpreter: \(.*\)]/\1/p')
	case "$(elf_machine "$tr_file")" in
	aarch64) tr_qemu=qemu-aarch64-static tr_root=/usr/aarch64-linux-gnu ;;
	arm) tr_qemu=qemu-arm-static tr_root=/usr/arm-linux-gnueabihf ;;
	riscv64) tr_qemu=qemu-riscv64-static tr_root=/usr/riscv64-linux-gnu ;;
	x86_64) "$tr_file" "$@"; return ;;
	*) echo "target_run: $tr_file is not an ELF file for a known arch" >&2; return 127 ;;
	esac
	case "$tr_interp" in
	*ld-linux*) "$tr_qemu" -L "$tr_root" "$tr_file" "$@" ;;
	*) "$tr_qemu" "$tr_file" "$@" ;;
	esac
}

# no_build_paths FILE PATH...: no PATH (a build or work directory) in
# FILE's strings: packagers reject them and builds stop being reproducible
no_build_paths() {
	nb_file=$1
	shift
	nb_found=
	for nb_path in "$@"; do
		nb_hits=$(LC_ALL=C strings -a "$nb_file" | grep -F "$nb_path" | sort -u | head -5)
		[ -z "$nb_hits" ] || nb_found="$nb_found$nb_hits
"
	done
	[ -z "$nb_found" ] && return 0
	printf 'build paths in %s:\n%s' "$nb_file" "$nb_found"
	return 1
}

# Dry runs that need no kernel (no BPF is loaded): a tracepoint, kprobes
# and a uprobe on UPROBE_TARGET's FUNCTION. dry_runs AWL UPROBE_TARGET FUNCTION
dry_runs() {
	dr_awl=$1
	dr_target=$2
	dr_fn=$3
	target_run "$dr_awl" -n -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }' &&
	target_run "$dr_awl" -n -e 'kprobe:vfs_read { @[comm] = sum(arg2); } kretprobe:vfs_read { @r = hist(retval); }' &&
	target_run "$dr_awl" -n -e "uprobe:$dr_target:$dr_fn { @[arg0] = count(); } uretprobe:$dr_target:$dr_fn { @r = stats((int64)retval); }" &&
	target_run "$dr_awl" -n -e 'BEGIN { printf("%d %s\n", 42, "x"); exit(); } interval:ms:100 { @[cpu] = count(); }'
}

# uprobe_target CC MACHINE SRCDIR OUT: builds the suite's uprobe target
# (tests/progs/uprobe_target.c) with the build's compiler, in ARM code on
# arm (uprobes cannot probe Thumb code), for dry runs' uprobes
uprobe_target() {
	ut_arm=
	[ "$2" = arm ] && ut_arm=-marm
	$1 -D_GNU_SOURCE -O1 $ut_arm -rdynamic -o "$4" "$3/tests/progs/uprobe_target.c"
}

# version_is AWL WANT: "awl -V" prints "awl WANT"
version_is() {
	vi_got=$(target_run "$1" -V 2>&1)
	[ "$vi_got" = "awl $2" ] || { echo "-V printed '$vi_got', not 'awl $2'"; return 1; }
}

# selftest_ok AWL-SELFTEST TESTSDIR: the installed awl-selftest names
# the installed awl and TESTSDIR, and parses its options (--help exits
# before it needs root or a kernel)
selftest_ok() {
	if grep -n '@[a-z]*@' "$1"; then
		echo "unsubstituted placeholders in $1"
		return 1
	fi
	grep -q "AWL_TESTS_DIR:-$2}" "$1" || { echo "$1 does not default to $2"; return 1; }
	grep -q 'AWL:-/usr/bin/awl}' "$1" || { echo "$1 does not default to /usr/bin/awl"; return 1; }
	so_out=$(sh "$1" --format=ptest --help 2>&1) || { echo "$1 --format=ptest --help failed: $so_out"; return 1; }
	case "$so_out" in *"$2"*) ;; *) echo "$1 --help does not name $2"; return 1 ;; esac
}

# has_install_tests SRCDIR: the tarball has the on-target suite's target
has_install_tests() { grep -q '^install-tests:' "$1/Makefile.in"; }


# require THING...: commands or files the flow needs (Debian packages:
# gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf musl-dev:arm64
# musl-dev:armhf qemu-user-static autoconf automake make); stops the
# script with a not ok naming what is missing
require() {
	rq_missing=
	for rq in "$@"; do
		case "$rq" in
		/*) [ -e "$rq" ] || rq_missing="$rq_missing $rq" ;;
		*) command -v "$rq" > /dev/null 2>&1 || rq_missing="$rq_missing $rq" ;;
		esac
	done
	[ -z "$rq_missing" ] && return 0
	not_ok "this machine lacks$rq_missing (see packaging/tests/common.sh: require)"
	t_done
	exit 1
}

t_done() {
	echo "# $t_name: $t_passed ok, $t_failed not ok"
	[ "$t_failed" -eq 0 ]
}
