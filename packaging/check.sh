#!/bin/sh
# make check-packaging: the release tarball through each build system's
# flow, imitated (packaging/tests/*.sh: buildroot, yocto, openwrt,
# debian, versions). Prints each check as "ok - ..." or "not ok - ...",
# then a summary; exits non-zero when a check failed.
#   packaging/check.sh BUILDDIR
# BUILDDIR is a configured build tree: `make dist` makes the tarball
# there, unless AWL_TARBALL names one. Work (and logs) go to
# AWL_PACKAGING_WORKDIR, by default BUILDDIR/packaging-check.
# AWL_PACKAGING_TESTS="buildroot yocto" runs only those.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
builddir=$(cd "$1" && pwd) || exit 2
work=${AWL_PACKAGING_WORKDIR:-$builddir/packaging-check}
mkdir -p "$work"
work=$(cd "$work" && pwd)

if [ -n "${AWL_TARBALL:-}" ]; then
	tarball=$AWL_TARBALL
else
	version=$(sed -n 's/^VERSION = //p' "$builddir/Makefile" 2>/dev/null)
	[ -n "$version" ] || { echo "not ok - $builddir is not a configured awl build tree"; exit 1; }
	echo "# make dist in $builddir"
	if ! make -s -C "$builddir" dist > "$work/dist.log" 2>&1; then
		echo "not ok - make dist failed"
		tail -20 "$work/dist.log" | sed 's/^/#   /'
		exit 1
	fi
	tarball=$builddir/awl-$version.tar.gz
fi
[ -f "$tarball" ] || { echo "not ok - no tarball $tarball"; exit 1; }
echo "# $(basename "$tarball"): sha256 $(sha256sum < "$tarball" | cut -d' ' -f1)"

passed=0 failed=0 skipped=0 todo=0 scripts_failed=
for t in "$here"/tests/*.sh; do
	name=$(basename "$t" .sh)
	[ "$name" = common ] && continue
	case " ${AWL_PACKAGING_TESTS:-$name} " in *" $name "*) ;; *) continue ;; esac
	start=$(date +%s)
	sh "$t" "$tarball" "$work/$name" > "$work/$name.out" 2>&1
	st=$?
	cat "$work/$name.out"
	p=$(grep -c '^ok - ' "$work/$name.out")
	s=$(grep -c '^ok - .*# SKIP' "$work/$name.out")
	f=$(grep '^not ok - ' "$work/$name.out" | grep -vc '# TODO')
	d=$(grep -c '^not ok - .*# TODO' "$work/$name.out")
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name: $name.sh exited $st (see $work/$name.out)"
		f=1
	fi
	passed=$((passed + p - s)) skipped=$((skipped + s)) failed=$((failed + f)) todo=$((todo + d))
	[ "$f" -eq 0 ] || scripts_failed="$scripts_failed $name"
	echo "# $name: $((p - s)) passed, $f failed, $s skipped, $d todo in $(( $(date +%s) - start )) s (work in $work/$name)"
done
[ -z "$scripts_failed" ] || echo "# failed:$scripts_failed"
echo "packaging: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
