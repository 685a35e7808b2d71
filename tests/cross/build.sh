#!/bin/sh
# Builds awl and the test programs for ARCH as static binaries, out of
# tree in DIR: musl for x86_64, aarch64 and arm (armhf), glibc for
# riscv64 (Debian has no riscv64 musl). Prints the stripped size of awl.
#   tests/cross/build.sh ARCH DIR [CONFIGURE-ARGS...]
set -eu
arch=$1
dir=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)

case "$arch" in
x86_64) host= ; musl=yes ;;
aarch64) host=aarch64-linux-gnu ; musl=yes ;;
arm) host=arm-linux-gnueabihf ; musl=yes ;;
riscv64) host=riscv64-linux-gnu ; musl= ;;
*) echo "unknown arch $arch (x86_64, aarch64, arm, riscv64)" >&2; exit 2 ;;
esac
strip=${host:+$host-}strip

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# A source tree configured in place (./configure in it, as the README and
# CI do) refuses out-of-tree builds: build from a clean copy of its
# distributed files instead, refreshed when the sources change.
if [ -f "$top/config.status" ]; then
	src=$dir/src-copy
	if [ ! -f "$src/configure" ] || [ -n "$(find "$top/src" "$top/arch" "$top/include" \
			"$top/configure" "$top/Makefile.in" -newer "$src/configure" 2>/dev/null | head -1)" ]; then
		rm -rf "$src"
		make -s -C "$top" distdir="$src" distdir >/dev/null
		touch "$src/configure"
		rm -f "$dir/Makefile"
	fi
	top=$src
fi
cd "$dir"
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ]; then
	if [ -n "$musl" ]; then
		"$top/configure" -q ${host:+--host=$host} --with-musl "$@" >/dev/null
	else
		"$top/configure" -q ${host:+--host=$host} LDFLAGS=-static "$@" >/dev/null
	fi
fi
make -s -j"$(nproc)" src/awl tests/progs/workload tests/progs/uprobe_target >/dev/null
$strip -o awl.stripped src/awl
echo "$arch: $(wc -c < awl.stripped) bytes stripped static awl"
