#!/bin/sh
# Builds and caches the riscv64 guest's kernel and busybox, which Debian
# bookworm does not ship for riscv64: a kernel from Debian's own
# linux-source-6.1 with BPF, kprobes, uprobes, tracepoints and BTF, and a
# static busybox from Debian's busybox source package.
#
#   tests/vm/build-riscv64.sh          build what is missing or stale
#   tests/vm/build-riscv64.sh -f       rebuild both
#
# Results, in ${AWL_VM_CACHE:-$HOME/.cache/awl-vm}/riscv64/:
#   Image          the kernel, for qemu-system-riscv64 -M virt -kernel
#   config         its .config, for reference
#   busybox        static riscv64 busybox
#   *.stamp        this script's hash when each was built; a changed
#                  script rebuilds it
#   *.log          the last build's output
# With AWL_VM_KEEP_BUILD=1 the kernel tree (several GB) is kept in
# riscv64/build/ and reused by the next build (incremental); otherwise
# it is deleted. Installs the Debian packages it needs with apt-get
# (root or sudo), and adds a deb-src entry for bookworm main in
# /etc/apt/sources.list.d/awl-src.list for busybox's source.
# Takes 12 to 25 minutes on two cores for the kernel, a minute for busybox.
set -eu

force=
case "${1:-}" in
-f | --force) force=1 ;;
"") ;;
*) echo "usage: $0 [-f]" >&2; exit 2 ;;
esac

cache=${AWL_VM_CACHE:-$HOME/.cache/awl-vm}/riscv64
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
stamp=$(sha256sum "$self" | cut -c1-16)
cross=riscv64-linux-gnu-
jobs=$(nproc 2>/dev/null || echo 2)
start=$(date +%s)

log() { echo "build-riscv64: [$(($(date +%s) - start))s] $*"; }
die() { echo "build-riscv64: error: $*" >&2; exit 1; }

fresh() { # fresh NAME: the cached NAME exists and was built by this script
	[ -z "$force" ] && [ -s "$cache/$1" ] && [ -f "$cache/$1.stamp" ] &&
		[ "$(cat "$cache/$1.stamp")" = "$stamp" ]
}

if fresh Image && fresh busybox; then
	log "up to date: $cache/Image, $cache/busybox"
	exit 0
fi

mkdir -p "$cache" || die "cannot create $cache"
# One build at a time: the VM harness may call this from several runs.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache/.lock"
	flock 9 || die "cannot lock $cache/.lock"
	if fresh Image && fresh busybox; then
		log "up to date (built by another run): $cache/Image, $cache/busybox"
		exit 0
	fi
fi

if [ "$(id -u)" = 0 ]; then
	sudo=
elif command -v sudo >/dev/null 2>&1; then
	sudo=sudo
else
	sudo=NONE
fi

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	log "apt-get update"
	# A failed index (a mirror mid-sync, an architecture we do not use)
	# makes update fail without harming what we need: the install or
	# apt-get source that follows says so if it does.
	$sudo apt-get update -qq || log "warning: apt-get update failed; going on with the lists it got"
	apt_updated=1
}

need_packages() { # need_packages PKG...: installs those not installed
	missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	[ "$sudo" = NONE ] && die "missing packages:$missing (run as root or install them)"
	apt_update
	log "apt-get install$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing \
		>/dev/null || die "apt-get install$missing failed"
}

# run_logged LOG CMD...: runs CMD with its output in LOG, saying every
# minute how far it got; on failure prints the end of LOG and dies.
run_logged() {
	rl_log=$1
	shift
	"$@" >>"$rl_log" 2>&1 &
	rl_pid=$!
	# A background job ignores SIGINT in sh: stop it with the script.
	trap 'kill "$rl_pid" 2>/dev/null; exit 130' INT TERM HUP
	rl_n=0
	while kill -0 "$rl_pid" 2>/dev/null; do
		sleep 5
		rl_n=$((rl_n + 1))
		if [ $((rl_n % 12)) = 0 ]; then
			log "  ... $(tail -n 1 "$rl_log" | cut -c1-100)"
		fi
	done
	if ! wait "$rl_pid"; then
		echo "---- last lines of $rl_log ----" >&2
		tail -n 40 "$rl_log" >&2
		die "'$*' failed; the whole output is in $rl_log"
	fi
	trap - INT TERM HUP
}

# ---- the kernel ----------------------------------------------------------

# Each must be =y after olddefconfig (which silently drops an option
# whose dependencies are missing). DEBUG_INFO itself is chosen through
# DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT on 6.1 (gcc 12: DWARF 5; pahole
# 1.24 reads it). KPROBES depends on MODULES before 6.10.
kernel_required="
	BPF BPF_SYSCALL BPF_JIT HAVE_EBPF_JIT
	KPROBES KPROBE_EVENTS UPROBES UPROBE_EVENTS
	FTRACE FUNCTION_TRACER DYNAMIC_FTRACE FTRACE_SYSCALLS TRACING
	BPF_EVENTS PERF_EVENTS KALLSYMS
	DEBUG_INFO DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT DEBUG_INFO_BTF
	MODULES
	SERIAL_8250 SERIAL_8250_CONSOLE SERIAL_OF_PLATFORM
	TMPFS DEVTMPFS DEVTMPFS_MOUNT BLK_DEV_INITRD RD_GZIP
	PROC_FS SYSFS BINFMT_ELF BINFMT_SCRIPT
"
# Wanted, but only warned about when missing. Not here, for riscv on
# 6.1: FPROBE (so no kprobe_multi links), which needs the rethook that
# riscv gained in 6.2, and BPF_JIT_DEFAULT_ON, which riscv gets only with
# BPF_JIT_ALWAYS_ON: the guest boots with the JIT off and turns it on
# with echo 1 >/proc/sys/net/core/bpf_jit_enable.
kernel_wanted="
	KALLSYMS_ALL KPROBES_ON_FTRACE IKCONFIG IKCONFIG_PROC DEBUG_FS
"
# Each must be off: the JIT has to stay switchable through
# /proc/sys/net/core/bpf_jit_enable, and BTF needs the full debug info.
kernel_off="BPF_JIT_ALWAYS_ON DEBUG_INFO_NONE DEBUG_INFO_REDUCED DEBUG_INFO_SPLIT"

build_kernel() {
	need_packages linux-source-6.1 flex bison bc libssl-dev libelf-dev dwarves \
		gcc make libc6-dev gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu \
		xz-utils
	tarball=/usr/src/linux-source-6.1.tar.xz
	[ -f "$tarball" ] || die "$tarball is missing (package linux-source-6.1)"
	ksrcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	klog=$cache/kernel-build.log
	: >"$klog"
	work=$cache/build
	tree=$work/linux-source-6.1
	mk() { make -C "$tree" ARCH=riscv CROSS_COMPILE=$cross "$@"; }

	if [ "${AWL_VM_KEEP_BUILD:-}" = 1 ] && [ -f "$tree/Makefile" ] &&
		[ "$(cat "$work/source-version" 2>/dev/null)" = "$ksrcver" ]; then
		log "kernel: reusing the tree in $tree (AWL_VM_KEEP_BUILD=1)"
	else
		rm -rf "$work"
		mkdir -p "$work"
		log "kernel: unpacking $tarball (linux-source-6.1 $ksrcver)"
		tar -xf "$tarball" -C "$work" || die "cannot unpack $tarball"
		[ -f "$tree/Makefile" ] || die "$tarball did not unpack to $tree"
		echo "$ksrcver" >"$work/source-version"
	fi

	log "kernel: defconfig and the tracing options"
	mk defconfig >>"$klog" 2>&1 || die "make defconfig failed (see $klog)"
	set --
	for o in $kernel_required $kernel_wanted; do
		case $o in
		DEBUG_INFO | HAVE_EBPF_JIT) ;; # chosen or selected, not set
		*) set -- "$@" --enable "$o" ;;
		esac
	done
	for o in $kernel_off; do set -- "$@" --disable "$o"; done
	"$tree/scripts/config" --file "$tree/.config" "$@" || die "scripts/config failed"
	mk olddefconfig >>"$klog" 2>&1 || die "make olddefconfig failed (see $klog)"

	bad=
	for o in $kernel_required; do
		grep -qx "CONFIG_$o=y" "$tree/.config" || bad="$bad $o"
	done
	for o in $kernel_off; do
		grep -q "^CONFIG_$o=" "$tree/.config" && bad="$bad $o(should be off)"
	done
	[ -z "$bad" ] || die "after make olddefconfig these kernel options are not as required:$bad
  (their dependencies are missing; see $tree/Kconfig* or 'make ARCH=riscv menuconfig')"
	for o in $kernel_wanted; do
		grep -qx "CONFIG_$o=y" "$tree/.config" || log "kernel: warning: CONFIG_$o is not enabled"
	done

	release=$(mk -s --no-print-directory kernelrelease 2>/dev/null) || release=unknown
	log "kernel: building $release with -j$jobs (12 to 25 minutes on two cores; log in $klog)"
	t0=$(date +%s)
	run_logged "$klog" make -C "$tree" ARCH=riscv CROSS_COMPILE=$cross -j"$jobs" Image
	log "kernel: built in $(($(date +%s) - t0))s"

	img=$tree/arch/riscv/boot/Image
	[ -s "$img" ] || die "the build made no $img"
	{ cp "$img" "$cache/Image.tmp" && mv "$cache/Image.tmp" "$cache/Image"; } || die "cannot copy the Image"
	cp "$tree/.config" "$cache/config" || die "cannot copy the .config"
	echo "$release (linux-source-6.1 $ksrcver)" >"$cache/Image.version"
	echo "$stamp" >"$cache/Image.stamp"

	if [ "${AWL_VM_KEEP_BUILD:-}" = 1 ]; then
		log "kernel: keeping the tree in $tree (AWL_VM_KEEP_BUILD=1)"
	else
		rm -rf "$work"
	fi
	log "kernel: $cache/Image ($(wc -c <"$cache/Image") bytes, $release)"
}

# ---- busybox -------------------------------------------------------------

# Applets that no longer build against bookworm's uapi headers: tc uses
# the CBQ definitions that Linux 6.1's headers no longer have.
busybox_off="TC"

build_busybox() {
	need_packages dpkg-dev gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu \
		libc6-dev-riscv64-cross make gcc
	srclist=/etc/apt/sources.list.d/awl-src.list
	if [ ! -f "$srclist" ]; then
		[ "$sudo" = NONE ] && die "$srclist is missing: add 'deb-src http://deb.debian.org/debian bookworm main' as root"
		log "busybox: adding $srclist"
		echo "deb-src http://deb.debian.org/debian bookworm main" | $sudo tee "$srclist" >/dev/null ||
			die "cannot write $srclist"
		apt_updated=
		apt_update
	fi
	blog=$cache/busybox-build.log
	: >"$blog"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/awl-busybox.XXXXXX") || die "mktemp failed"
	log "busybox: apt-get source busybox"
	(cd "$tmp" && apt-get source -qq busybox) >>"$blog" 2>&1 || {
		apt_updated=
		apt_update
		(cd "$tmp" && apt-get source -qq busybox) >>"$blog" 2>&1
	} || { tail -n 20 "$blog" >&2; die "apt-get source busybox failed (see $blog)"; }
	src=
	for d in "$tmp"/busybox-*/; do [ -f "$d/Makefile" ] && src=${d%/}; done
	[ -n "$src" ] || die "apt-get source busybox made no busybox-*/ in $tmp"
	log "busybox: configuring $(basename "$src")"
	bmk() { make -C "$src" ARCH=riscv CROSS_COMPILE=$cross "$@"; }
	bmk defconfig >>"$blog" 2>&1 || die "busybox make defconfig failed (see $blog)"
	sed -i -e 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' "$src/.config"
	for o in $busybox_off; do
		sed -i -e "s/^CONFIG_$o=y\$/# CONFIG_$o is not set/" "$src/.config"
	done
	yes '' | bmk oldconfig >>"$blog" 2>&1 || die "busybox make oldconfig failed (see $blog)"
	grep -qx CONFIG_STATIC=y "$src/.config" || die "busybox: CONFIG_STATIC=y did not stick"
	for o in $busybox_off; do
		grep -qx "CONFIG_$o=y" "$src/.config" && die "busybox: CONFIG_$o is still on"
	done
	log "busybox: building with -j$jobs (log in $blog)"
	t0=$(date +%s)
	run_logged "$blog" make -C "$src" ARCH=riscv CROSS_COMPILE=$cross -j"$jobs" busybox
	log "busybox: built in $(($(date +%s) - t0))s"
	bin=$src/busybox
	[ -s "$bin" ] || die "the build made no $bin"
	${cross}readelf -h "$bin" | grep -q 'RISC-V' || die "$bin is not a RISC-V binary"
	${cross}readelf -l "$bin" | grep -q INTERP && die "$bin is not static"
	{ cp "$bin" "$cache/busybox.tmp" && mv "$cache/busybox.tmp" "$cache/busybox"; } ||
		die "cannot copy busybox"
	cp "$src/.config" "$cache/busybox.config"
	basename "$src" >"$cache/busybox.version"
	echo "$stamp" >"$cache/busybox.stamp"
	rm -rf "$tmp"
	log "busybox: $cache/busybox ($(wc -c <"$cache/busybox") bytes, $(cat "$cache/busybox.version"))"
}

# busybox first: it is quick, and it fails early on a missing source.
if fresh busybox; then log "busybox: up to date"; else build_busybox; fi
if fresh Image; then log "kernel: up to date"; else build_kernel; fi
log "done: $cache/Image and $cache/busybox"
