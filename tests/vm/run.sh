#!/bin/sh
# awl's kernel tests in QEMU (TCG, no KVM), on Debian's kernels for each
# architecture: what the host's kernel cannot test (kprobes, fentry on
# other kernels, other architectures, the JIT off, a 32-bit awl on a
# 64-bit kernel).
#
#   tests/vm/run.sh ARCH [SERIES]   one architecture (make check-vm ARCH=...)
#   tests/vm/run.sh all             every series (make check-vm-all)
#   tests/vm/run.sh list            the series and what each boots
#
# ARCH: x86_64, aarch64, arm, riscv64. SERIES (a kernel):
#   x86_64   6.1 (default: bookworm's linux-image-cloud-amd64),
#            6.12 (bookworm's linux-image-6.12-cloud-amd64),
#            5.10 (bullseye's linux-image-cloud-amd64)
#   aarch64  6.1 (bookworm's linux-image-cloud-arm64); the armhf awl runs
#            there too (round awl32)
#   arm      6.1 (default: bookworm's linux-image-armmp), 5.10 (bullseye's);
#            the suite runs with the JIT on, then off
#   riscv64  the kernel tests/vm/build-riscv64.sh builds from source, in
#            $AWL_VM_CACHE/riscv64/Image, with $AWL_VM_CACHE/riscv64/busybox
#
# Kernel packages are resolved through their meta packages when they are
# downloaded (apt-get download, with APT lists of our own under the
# cache: nothing is installed), and cached with the arch's busybox-static
# under $AWL_VM_CACHE (default ~/.cache/awl-vm). awl and the test
# programs are built static for the arch with tests/cross/build.sh (in
# $AWL_VM_BUILD, default under the cache). An initramfs with busybox, the
# binaries and tests/vm/guest boots on the serial console; the guest
# prints one "AWLVM: ok/not ok" line per test, which this script reads
# back from the console (kept in $AWL_VM_CACHE/logs/).
#
# Environment: AWL_VM_CACHE, AWL_VM_BUILD, AWL_VM_TIMEOUT (seconds for a
# whole guest run, default 900), AWL_VM_TEST_TIMEOUT (per test, default
# 90), AWL_VM_CMD_TIMEOUT (per command in a test, default 60),
# AWL_VM_JOBS (guests booted at once by `all`, default 2),
# AWL_VM_FILTER (an ERE: only the tests whose names match),
# AWL_VM_VERBOSE=1 (every test's commands and output in the log),
# AWL_VM_GUEST_CMD (a shell command the guest runs, and prints, before
# the tests; with AWL_VM_FILTER=none, instead of them), AWL_VM_EXTRA
# (files for the guest's /awl/extra/), AWL_VM_MIRROR and
# AWL_VM_SECURITY_MIRROR (Debian mirrors), AWL_VM_OFFLINE=1 (use only
# what is cached).
#
# Exit status: 0 when every test passed, 1 on a failure, 2 on a setup error.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
vmdir=$top/tests/vm
cache=${AWL_VM_CACHE:-${HOME:-/root}/.cache/awl-vm}
mirror=${AWL_VM_MIRROR:-http://deb.debian.org/debian}
secmirror=${AWL_VM_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

say() { printf '%s\n' "$*"; }
err() { printf 'check-vm: %s\n' "$*" >&2; }
die() { err "$*"; exit 2; }

usage() {
	sed -n '2,/^set -eu/p' "$0" | sed -e '/^set -eu/d' -e 's/^# \{0,1\}//'
	exit 2
}

# ---------------------------------------------------------------- series

# series_info ARCH SERIES: sets debarch, suite, meta, console, default
# rounds, fentry (whether fentry must load) for one series; fails for an
# unknown one.
series_info() {
	case $1 in
	x86_64) debarch=amd64 console=ttyS0 rounds=main fentry=yes bits=64 ;;
	aarch64) debarch=arm64 console=ttyAMA0 rounds="main awl32" fentry=no bits=64 ;;
	arm) debarch=armhf console=ttyAMA0 rounds="jit nojit" fentry=no bits=32 ;;
	riscv64) debarch=riscv64 console=ttyS0 rounds="jit nojit" fentry=no bits=64 ;;
	*) return 1 ;;
	esac
	case $1-$2 in
	x86_64-6.1) suite=bookworm meta=linux-image-cloud-amd64 ;;
	x86_64-6.12) suite=bookworm meta=linux-image-6.12-cloud-amd64 ;;
	x86_64-5.10) suite=bullseye meta=linux-image-cloud-amd64 ;;
	aarch64-6.1) suite=bookworm meta=linux-image-cloud-arm64 ;;
	arm-6.1) suite=bookworm meta=linux-image-armmp ;;
	arm-5.10) suite=bullseye meta=linux-image-armmp ;;
	riscv64-source) suite='' meta='' ;;
	*) return 1 ;;
	esac
}

default_series() {
	case $1 in
	riscv64) echo source ;;
	*) echo 6.1 ;;
	esac
}

ALL="x86_64:6.1 x86_64:6.12 x86_64:5.10 aarch64:6.1 arm:6.1 arm:5.10 riscv64:source"

# ---------------------------------------------------------------- APT

# APT of our own for SUITE and DEBARCH, under the cache: its sources,
# lists and archives, refreshed when a day old (and tried again next time
# when a mirror is caught syncing). Sets aptopts.
apt_setup() {
	local suite="$1" arch="$2" dir="$cache/apt/$1-$2"
	mkdir -p "$dir/lists/partial" "$dir/archives/partial"
	{
		say "deb [signed-by=$keyring] $mirror $suite main"
		say "deb [signed-by=$keyring] $secmirror $suite-security main"
	} > "$dir/sources.list"
	aptopts="-q -o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/nonexistent
		-o Dir::State::Lists=$dir/lists -o Dir::Cache=$dir -o Dir::Cache::archives=$dir/archives
		-o APT::Architecture=$arch -o APT::Architectures=$arch -o APT::Sandbox::User=root
		-o Debug::NoLocking=1"
	if [ -z "${AWL_VM_OFFLINE:-}" ] && { [ ! -f "$dir/updated" ] ||
		[ -n "$(find "$dir/updated" -mmin +1440 2>/dev/null)" ]; }; then
		say "  apt-get update ($suite $arch, lists in $dir)"
		# shellcheck disable=SC2086
		if apt-get $aptopts update > "$dir/update.log" 2>&1; then
			touch "$dir/updated"
		elif ls "$dir/lists/"*_Packages* > /dev/null 2>&1; then
			err "apt-get update ($suite $arch) failed in part: $(grep '^E: ' "$dir/update.log" | head -n 1)"
			touch "$dir/updated"
		else
			err "apt-get update ($suite $arch) failed (see $dir/update.log)"
		fi
	fi
}

# resolve PACKAGE: the package a meta package depends on.
resolve() {
	# shellcheck disable=SC2086
	apt-cache $aptopts depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ :]*\).*/\1/p' | head -n 1
}

# download PACKAGE:ARCH DIR: extracts a package into DIR.
download() {
	local pkg="$1" dir="$2" tmp
	tmp=$(mktemp -d "$cache/tmp.XXXXXX")
	# shellcheck disable=SC2086
	if ! (cd "$tmp" && apt-get $aptopts download "$pkg" > dl.log 2>&1); then
		cat "$tmp/dl.log" >&2
		rm -rf "$tmp"
		return 1
	fi
	mkdir -p "$tmp/x"
	dpkg-deb -x "$tmp"/*.deb "$tmp/x"
	rm -rf "$dir"
	mkdir -p "$(dirname "$dir")"
	mv "$tmp/x" "$dir"
	rm -rf "$tmp"
}

# fetch_kernel ARCH SERIES: sets kernel (the file for qemu -kernel) and
# kpkg. The kernel package is resolved now; without a network, the last
# one cached for the series is used.
fetch_kernel() {
	local arch="$1" series="$2" pkg dir last="$cache/kernels/$1-$2.last" vmlinuz
	if [ "$arch" = riscv64 ]; then
		kernel=$cache/riscv64/Image
		kpkg="$(cat "$cache/riscv64/Image.version" 2>/dev/null || echo "a kernel built from source")"
		return 0
	fi
	mkdir -p "$cache/kernels"
	pkg=
	if [ -z "${AWL_VM_OFFLINE:-}" ]; then
		apt_setup "$suite" "$debarch"
		pkg=$(resolve "$meta")
		[ -n "$pkg" ] || err "cannot resolve $meta ($suite $debarch)"
	fi
	if [ -z "$pkg" ]; then
		pkg=$(cat "$last" 2>/dev/null) || die "no kernel cached for $arch $series, and none can be downloaded"
		say "  using the cached $pkg"
	fi
	dir=$cache/kernels/${pkg}_$debarch
	if [ ! -f "$dir/.complete" ]; then
		say "  downloading $pkg:$debarch ($suite)"
		download "$pkg" "$dir.tmp" || {
			# stale lists: refresh once
			rm -f "$cache/apt/$suite-$debarch/updated"
			apt_setup "$suite" "$debarch"
			download "$pkg" "$dir.tmp"
		} || die "cannot download $pkg:$debarch"
		# only the kernel and its config are used: no modules are needed
		rm -rf "$dir"
		mkdir -p "$dir"
		mv "$dir.tmp"/boot/* "$dir"/
		rm -rf "$dir.tmp"
		touch "$dir/.complete"
	fi
	echo "$pkg" > "$last"
	vmlinuz=$(ls "$dir"/vmlinuz-* | head -n 1)
	kpkg=$pkg
	case $arch in
	aarch64)
		# Debian's arm64 vmlinuz is an Image, compressed or not
		if gzip -t "$vmlinuz" 2>/dev/null; then
			[ -f "$dir/Image" ] || gzip -dc "$vmlinuz" > "$dir/Image"
			kernel=$dir/Image
		else
			kernel=$vmlinuz
		fi
		;;
	*) kernel=$vmlinuz ;;
	esac
}

# fetch_busybox DEBARCH: sets busybox (bookworm's busybox-static).
fetch_busybox() {
	local dir="$cache/busybox/$1"
	if [ "$1" = riscv64 ]; then
		busybox=$cache/riscv64/busybox
		return 0
	fi
	busybox=$dir/bin/busybox
	[ -x "$busybox" ] && return 0
	[ -z "${AWL_VM_OFFLINE:-}" ] || die "no busybox-static:$1 cached"
	say "  downloading busybox-static:$1"
	apt_setup bookworm "$1"
	download busybox-static "$dir" || die "cannot download busybox-static:$1"
	[ -x "$busybox" ] || die "busybox-static:$1 has no bin/busybox"
}

# ---------------------------------------------------------------- build

build_dir() {
	echo "${AWL_VM_BUILD:-$cache/build/$(printf %s "$top" | cksum | cut -d' ' -f1)}/$1"
}

cross_prefix() {
	case $1 in
	x86_64) echo "" ;;
	aarch64) echo aarch64-linux-gnu- ;;
	arm) echo arm-linux-gnueabihf- ;;
	riscv64) echo riscv64-linux-gnu- ;;
	esac
}

# build ARCH: builds awl and the test programs static, out of tree.
build() {
	local dir
	dir=$(build_dir "$1")
	mkdir -p "$dir"
	say "  building awl for $1 in $dir"
	"$top/tests/cross/build.sh" "$1" "$dir" > "$dir.log" 2>&1 || {
		tail -n 40 "$dir.log" >&2
		die "tests/cross/build.sh $1 failed (log: $dir.log)"
	}
}

# install_bins ARCH DEST: the binaries, without debug info (uprobes need
# their .symtab), and the address of add_ints.
install_bins() {
	local dir cross
	dir=$(build_dir "$1")
	cross=$(cross_prefix "$1")
	mkdir -p "$2"
	for f in src/awl tests/progs/workload tests/progs/uprobe_target; do
		"${cross}strip" --strip-debug -o "$2/${f##*/}" "$dir/$f"
	done
	"${cross}nm" "$2/uprobe_target" | awk '$3 == "add_ints" { print $1 }'
}

# ---------------------------------------------------------------- a run

# initramfs ARCH DIR: the initramfs for ARCH in DIR/initramfs.cpio.
initramfs() {
	local arch="$1" root="$2/root" a32=""
	mkdir -p "$root/bin" "$root/awl/bin" "$root/etc"
	cp "$busybox" "$root/bin/busybox"
	cp "$vmdir/guest/init" "$root/init"
	cp "$vmdir/guest/lib.sh" "$vmdir/guest/tests.sh" "$root/awl/"
	chmod 755 "$root/init" "$root/bin/busybox"
	echo awlvm > "$root/etc/hostname"
	addr=$(install_bins "$arch" "$root/awl/bin")
	if [ "$arch" = aarch64 ]; then
		a32=$(install_bins arm "$root/awl/bin32")
	fi
	if [ -n "${AWL_VM_EXTRA:-}" ]; then
		mkdir -p "$root/awl/extra"
		# shellcheck disable=SC2086
		cp $AWL_VM_EXTRA "$root/awl/extra/"
	fi
	cat > "$root/awl/config" <<-EOF
	ROUNDS="$rounds"
	FENTRY=$fentry
	NATIVE_BITS=$bits
	ADDR_ADD_INTS_NATIVE=$addr
	ADDR_ADD_INTS_32=$a32
	TEST_FILTER='${AWL_VM_FILTER:-}'
	TEST_TIMEOUT=${AWL_VM_TEST_TIMEOUT:-90}
	CMD_TIMEOUT=${AWL_VM_CMD_TIMEOUT:-60}
	VERBOSE=${AWL_VM_VERBOSE:-}
	GUEST_CMD='${AWL_VM_GUEST_CMD:-}'
	EOF
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$2/initramfs.cpio"
}

# qemu_cmd ARCH: the command line (without -kernel, -initrd, -append).
qemu_cmd() {
	case $1 in
	# one host thread for both vCPUs: x86 kernels patch live code with
	# int3 (text_poke_bp), which multi-threaded TCG can race into an
	# "Oops: int3" (seen on 6.12 enabling a tracepoint)
	x86_64) echo "qemu-system-x86_64 -M q35 -cpu max -m 1024 -accel tcg,thread=single" ;;
	# pauth-impdef: QEMU's own pointer authentication, much faster under TCG
	aarch64) echo "qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -m 1024 -accel tcg" ;;
	# armmp is not an LPAE kernel: no RAM above 4 GiB
	arm) echo "qemu-system-arm -M virt,highmem=off -cpu max -m 768 -accel tcg" ;;
	riscv64) echo "qemu-system-riscv64 -M virt -cpu rv64 -bios default -m 1024 -accel tcg" ;;
	esac
}

# quote STRING: STRING quoted for sh.
quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# prepare ARCH SERIES DIR: fetches the kernel and busybox, builds awl,
# and leaves in DIR the initramfs and DIR/vars for boot; or DIR/skip.
prepare() {
	local arch="$1" series="$2" dir="$3" qemu
	series_info "$arch" "$series" || die "unknown series '$series' for $arch (tests/vm/run.sh list)"
	mkdir -p "$dir"
	say "== $arch $series: preparing"
	if [ "$arch" = riscv64 ] && { [ ! -f "$cache/riscv64/Image" ] || [ ! -x "$cache/riscv64/busybox" ]; }; then
		say "SKIP $arch $series: no kernel at $cache/riscv64/Image (or no busybox at $cache/riscv64/busybox);" \
			"build them with tests/vm/build-riscv64.sh (it compiles a kernel: tens of minutes)"
		echo "$arch $series: SKIP (no kernel: tests/vm/build-riscv64.sh builds it)" > "$dir/skip"
		return 0
	fi
	qemu=$(qemu_cmd "$arch")
	command -v "${qemu%% *}" > /dev/null ||
		die "${qemu%% *} is missing: apt-get install qemu-system-x86 qemu-system-arm qemu-system-misc"
	fetch_kernel "$arch" "$series"
	fetch_busybox "$debarch"
	build "$arch"
	if [ "$arch" = aarch64 ]; then build arm; fi
	initramfs "$arch" "$dir"
	rm -rf "$dir/root"
	{
		echo "arch=$arch series=$series"
		echo "kernel=$(quote "$kernel") kpkg=$(quote "$kpkg")"
		echo "rounds=$(quote "$rounds") console=$console qemu=$(quote "$qemu")"
	} > "$dir/vars"
}

# boot DIR: boots what prepare left in DIR and runs the suite, printing
# the results; leaves "PASSED FAILED SKIPPED STATUS" in DIR/result and a
# summary line in DIR/summary.
boot() {
	local dir="$1" arch series kernel kpkg rounds console qemu log rc start end secs limit
	local passed failed skipped problems tag r
	. "$dir/vars"
	tag="$arch $series"
	mkdir -p "$cache/logs"
	log=$cache/logs/$arch-$series.log
	limit=${AWL_VM_TIMEOUT:-900}
	say "== $tag: booting $kpkg ($(basename "$kernel")) under TCG, rounds: $rounds (timeout $limit s; console in $log)"
	start=$(date +%s)
	# shellcheck disable=SC2086
	{
		rc=0
		timeout -k 10 "$limit" $qemu -smp 2 -nographic -no-reboot -nic none \
			-kernel "$kernel" -initrd "$dir/initramfs.cpio" \
			-append "console=$console panic=-1 quiet" < /dev/null || rc=$?
		echo "$rc" > "$dir/rc"
	} 2>&1 | tr -d '\r' | tee "$log" | while IFS= read -r line; do
		case $line in
		"AWLVM: ok "* | "AWLVM: not ok "* | "AWLVM: # "* | "AWLVM: round "*)
			say "  ${line#AWLVM: }" ;;
		esac
	done
	end=$(date +%s)
	secs=$((end - start))
	rc=$(cat "$dir/rc" 2>/dev/null || echo 1)

	passed=$(grep -c '^AWLVM: ok ' "$log" || true)
	skipped=$(grep -c '^AWLVM: ok [0-9]* .* # SKIP' "$log" || true)
	failed=$(grep -c '^AWLVM: not ok ' "$log" || true)
	problems=
	grep -q '^AWLVM: boot ' "$log" || problems="$problems; the guest did not boot"
	if ! grep -q '^AWLVM: done' "$log"; then
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			problems="$problems; timed out after $limit s"
		else
			problems="$problems; the guest stopped before the end (qemu status $rc)"
		fi
	fi
	for r in $rounds; do
		grep -q "^AWLVM: round $r passed" "$log" || problems="$problems; round $r did not finish"
	done
	# the guest's own counts must match the lines read (a line garbled
	# by a kernel message would be lost otherwise)
	problems="$problems$(grep '^AWLVM: round [a-z0-9]* passed' "$log" |
		awk -v p="$passed" -v f="$failed" '
		{ tp += $5; tf += $7; ts += $9 }
		END { if (NR && (tp + ts != p || tf != f)) print "; the guest counted " tp " passed, " tf " failed, " ts " skipped: some result lines were garbled" }')"
	if grep -qE '^AWLVM: dmesg .*(WARNING:|BUG:|Oops|Unable to handle|Internal error|general protection|kernel BUG)' "$log"; then
		problems="$problems; the kernel reported a problem during the tests (AWLVM: dmesg lines in $log)"
	elif grep -v 'AWLVM: ' "$log" | grep -qE 'Kernel panic|Oops|BUG:|Unable to handle kernel|Internal error:'; then
		problems="$problems; the kernel crashed: $(grep -v 'AWLVM: ' "$log" | grep -m 1 -E 'Kernel panic|Oops|BUG:|Unable to handle kernel|Internal error:' | sed 's/^\[ *[0-9.]*\] //')"
	fi
	grep '^AWLVM: T ' "$log" | sed -n 's/^AWLVM: T \(\[[a-z0-9]*\]\) \(no \|FAIL\)/    awl -T \1 \2/p'
	if [ -n "$problems" ]; then
		say "  PROBLEM:${problems#;}"
		say "  ---- the last 40 lines of the console ($log):"
		tail -n 40 "$log" | sed 's/^/  | /'
	elif [ "$failed" -gt 0 ]; then
		say "  failed:"
		grep '^AWLVM: not ok ' "$log" | sed 's/^AWLVM: not ok [0-9]* /    /'
		say "  ---- the last 15 lines of the console ($log):"
		grep -v 'AWLVM: dmesg \|AWLVM: T ' "$log" | tail -n 15 | sed 's/^/  | /'
	fi
	passed=$((passed - skipped))
	say "$tag: $passed passed, $failed failed, $skipped skipped in $secs s"
	echo "$tag ($kpkg): $passed passed, $failed failed, $skipped skipped in $secs s${problems:+ —${problems#;}}" \
		> "$dir/summary"
	if [ "$failed" -eq 0 ] && [ -z "$problems" ]; then r=0; else r=1; fi
	echo "$passed $failed $skipped $r" > "$dir/result"
}

# ---------------------------------------------------------------- main

[ $# -ge 1 ] || set -- "$(uname -m)"
case $1 in
-h | --help) usage ;;
list)
	for s in $ALL; do
		series_info "${s%%:*}" "${s#*:}"
		printf '%-8s %-7s %s\n' "${s%%:*}" "${s#*:}" \
			"${meta:+$suite $meta:$debarch, }rounds: $rounds"
	done
	exit 0
	;;
all)
	set -- $ALL
	jobs=${AWL_VM_JOBS:-2}
	explicit=no
	;;
*)
	arch=$1
	case $arch in arm64) arch=aarch64 ;; armhf | armv7l) arch=arm ;; amd64) arch=x86_64 ;; esac
	series=${2:-$(default_series "$arch")}
	case $series in bookworm) series=6.1 ;; bullseye) series=5.10 ;; esac
	series_info "$arch" "$series" || die "unknown arch or series: $arch $series (tests/vm/run.sh list)"
	set -- "$arch:$series"
	jobs=1
	explicit=yes
	;;
esac

mkdir -p "$cache"
work=$(mktemp -d "${TMPDIR:-/tmp}/awl-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
t0=$(date +%s)

# Fetch and build everything first (one at a time: series share build
# directories), then boot up to $jobs guests at once (AWL_VM_JOBS, 2 for
# all: most of a guest's time one of its vCPUs waits for the other).
n=0
for s in "$@"; do
	n=$((n + 1))
	prepare "${s%%:*}" "${s#*:}" "$work/$n"
done
say ""
if [ "$jobs" -le 1 ]; then
	i=0
	for s in "$@"; do
		i=$((i + 1))
		[ -f "$work/$i/skip" ] || boot "$work/$i" || true
	done
else
	say "== booting $n guests, $jobs at a time (each one's results are printed when it ends)"
	printed=0 i=0
	print_done() {	# prints, in order, the outputs of the guests that ended
		while [ "$printed" -lt "$n" ]; do
			d=$work/$((printed + 1))
			[ -f "$d/skip" ] || [ -f "$d/ended" ] || break
			[ -f "$d/out" ] && cat "$d/out"
			printed=$((printed + 1))
		done
	}
	for s in "$@"; do
		i=$((i + 1))
		[ -f "$work/$i/skip" ] && continue
		while [ "$(ls "$work"/*/started 2> /dev/null | wc -l)" -ge $(($(ls "$work"/*/ended 2> /dev/null | wc -l) + jobs)) ]; do
			print_done
			sleep 1
		done
		touch "$work/$i/started"
		(boot "$work/$i" > "$work/$i/out" 2>&1 || true; touch "$work/$i/ended") &
	done
	while [ "$printed" -lt "$n" ]; do
		print_done
		sleep 1
	done
	wait
fi

status=0 total_passed=0 total_failed=0 total_skipped=0
say ""
say "== summary ($(($(date +%s) - t0)) s)"
i=0
for s in "$@"; do
	i=$((i + 1))
	d=$work/$i
	if [ -f "$d/skip" ]; then
		cat "$d/skip"
		{ [ "$explicit" = yes ] || [ "${CI:-}" = true ]; } && status=1
		continue
	fi
	cat "$d/summary" 2> /dev/null || { say "${s%%:*} ${s#*:}: no result"; status=1; continue; }
	read -r p f k r < "$d/result"
	total_passed=$((total_passed + p))
	total_failed=$((total_failed + f))
	total_skipped=$((total_skipped + k))
	[ "$r" = 0 ] || status=1
done
say "vm: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit "$status"
