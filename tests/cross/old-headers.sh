#!/bin/sh
# The oldest kernel uapi headers awl builds with: Linux 5.10, Debian
# bullseye's linux-libc-dev, downloaded (APT lists of our own under the
# cache, nothing installed) and handed to a static musl build with
# --with-kernel-headers. What awl uses from newer kernels must come from
# include/awl/compat.h.
#   tests/cross/old-headers.sh HOST_AWL BUILD_DIR
set -eu
host_awl=$1
dir=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${AWL_VM_CACHE:-$HOME/.cache/awl-vm}/headers-5.10
mirror=${AWL_VM_MIRROR:-http://deb.debian.org/debian}
arch=$(dpkg --print-architecture)

if [ ! -f "$cache/usr/include/linux/bpf.h" ]; then
	apt=$cache.apt
	mkdir -p "$apt/lists/partial" "$apt/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bullseye main" > "$apt/sources.list"
	opts="-q -o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=/nonexistent
		-o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt -o Dir::Cache::archives=$apt/archives
		-o APT::Architecture=$arch -o APT::Architectures=$arch -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	apt-get $opts update > "$apt/update.log" 2>&1 || { cat "$apt/update.log"; exit 1; }
	# shellcheck disable=SC2086
	version=$(apt-cache $opts madison linux-libc-dev | awk '$3 ~ /^5\.10\./ { print $3; exit }')
	[ -n "$version" ] || { echo "no 5.10 linux-libc-dev in bullseye"; exit 1; }
	# shellcheck disable=SC2086
	(cd "$apt" && apt-get $opts download "linux-libc-dev=$version") > "$apt/download.log" 2>&1 ||
		{ cat "$apt/download.log"; exit 1; }
	rm -rf "$cache"
	dpkg-deb -x "$apt"/linux-libc-dev_"$version"_*.deb "$cache"
	rm -rf "$apt"
fi
awk '$2 == "LINUX_VERSION_CODE" { exit !(int($3 / 256) == 5 * 256 + 10) }' "$cache/usr/include/linux/version.h" ||
	{ echo "$cache does not hold 5.10 headers"; exit 1; }

"$top/tests/cross/build.sh" x86_64 "$dir" --with-kernel-headers="$cache/usr/include" --enable-werror
want=$("$host_awl" -n -d -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }' 2>&1)
got=$("$dir/src/awl" -n -d -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }' 2>&1)
[ "$want" = "$got" ] || { echo "the 5.10-headers build generates different code"; exit 1; }
