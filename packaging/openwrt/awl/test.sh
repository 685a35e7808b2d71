#!/bin/sh
# OpenWrt's package CI runs this on the target (or in its container)
# after installing the package: $1 is the package name, $2 its version
# (PKG_VERSION, or with a -rN/-N release suffix).
case "$1" in
awl)
	want="awl ${2%%-*}"
	got=$(awl -V 2>&1) || { echo "awl -V failed: $got"; exit 1; }
	[ "$got" = "$want" ] || { echo "awl -V printed '$got', not '$want'"; exit 1; }
	# compiles a program without a kernel
	awl -n -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }' >/dev/null ||
		{ echo "awl -n could not compile a tracepoint program"; exit 1; }
	;;
awl-tests)
	[ -x /usr/bin/awl-selftest ] || { echo "no /usr/bin/awl-selftest"; exit 1; }
	[ -d /usr/lib/awl/tests ] || { echo "no /usr/lib/awl/tests"; exit 1; }
	;;
esac
