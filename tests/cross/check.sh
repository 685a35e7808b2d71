#!/bin/sh
# make check-cross: builds the static awl for every target, reports its
# stripped size (the embedded budget: 300 KB for x86_64 and aarch64),
# and checks that each native binary, run under qemu-user, generates
# exactly the code the host generates for that arch with --arch.
#   tests/cross/check.sh HOST_AWL BUILD_DIR [ARCH...]
set -u
host_awl=$1
builddir=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
arches=${*:-x86_64 aarch64 arm riscv64}
budget=307200
failed=0

qemu_for() {
	case "$1" in
	x86_64) [ "$(uname -m)" = x86_64 ] && echo "" || echo qemu-x86_64-static ;;
	aarch64) echo qemu-aarch64-static ;;
	arm) echo qemu-arm-static ;;
	riscv64) echo qemu-riscv64-static ;;
	esac
}

report() {	# report ok|not-ok TEXT
	if [ "$1" = ok ]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
		failed=$((failed + 1))
	fi
}

mkdir -p "$builddir"
for arch in $arches; do
	dir=$builddir/$arch
	if ! "$top/tests/cross/build.sh" "$arch" "$dir" > "$dir.log" 2>&1; then
		report not-ok "$arch: the static build failed (see $dir.log)"
		tail -20 "$dir.log"
		continue
	fi
	size=$(wc -c < "$dir/awl.stripped")
	echo "# $arch: $size bytes stripped, static ($(file -b "$dir/src/awl" | cut -d, -f1-2))"
	case "$arch" in
	x86_64|aarch64)
		[ "$size" -le "$budget" ] && report ok "$arch: $size bytes, within the 300 KB budget" ||
			report not-ok "$arch: $size bytes, over the 300 KB budget"
		;;
	esac
	qemu=$(qemu_for "$arch")
	if [ -n "$qemu" ] && ! command -v "$qemu" >/dev/null; then
		report not-ok "$arch: $qemu is missing (apt-get install qemu-user-static)"
		continue
	fi
	version=$($qemu "$dir/src/awl" -V 2>&1)
	[ "$version" = "$("$host_awl" -V)" ] && report ok "$arch: runs ($version)" ||
		report not-ok "$arch: -V printed '$version'"
	target=$dir/tests/progs/uprobe_target
	n=0
	while IFS= read -r script; do
		[ -n "$script" ] || continue
		n=$((n + 1))
		script=$(echo "$script" | sed "s|TARGET|$target|g")
		want=$("$host_awl" -n -d --arch "$arch" -e "$script" 2>&1)
		got=$($qemu "$dir/src/awl" -n -d -e "$script" 2>&1)
		if [ "$want" = "$got" ]; then
			report ok "$arch: script $n generates the same code natively and with --arch"
		else
			report not-ok "$arch: script $n differs natively and with --arch: $script"
			printf '%s\n' "$want" > "$dir/want.$n"
			printf '%s\n' "$got" > "$dir/got.$n"
			diff "$dir/want.$n" "$dir/got.$n" | head -10
		fi
	done < "$top/tests/cross/scripts.txt"
done

# The oldest uapi headers awl builds with (x86_64 only: the headers are
# the same for every arch where awl's use of them is concerned).
if [ -z "${AWL_CROSS_NO_OLD_HEADERS:-}" ]; then
	if "$top/tests/cross/old-headers.sh" "$host_awl" "$builddir/headers-5.10" > "$builddir/headers-5.10.log" 2>&1; then
		report ok "x86_64: builds warning-free against Linux 5.10's uapi headers (bullseye's linux-libc-dev)"
	else
		report not-ok "x86_64: the build against Linux 5.10's uapi headers failed (see $builddir/headers-5.10.log)"
		tail -20 "$builddir/headers-5.10.log"
	fi
fi
[ "$failed" -eq 0 ] || { echo "$failed cross check(s) failed"; exit 1; }
