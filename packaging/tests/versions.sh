#!/bin/sh
# Every package names the version configure.ac has (the tarball's) and
# the tarball's hashes: a copy of packaging/ is pointed at the tarball by
# update-hashes.sh, and must come out the same. (make dist is
# reproducible, so the same tree gives the same tarball and hashes.)
#   packaging/tests/versions.sh TARBALL WORKDIR
. "$(dirname "$0")/common.sh"
t_setup versions "$@"
fix="run make update-packaging-hashes"

ac=$(sed -n 's/^AC_INIT(\[awl\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac")
if [ -z "$ac" ]; then
	not_ok "no version in configure.ac's AC_INIT"
elif [ "$ac" = "$version" ]; then
	ok "configure.ac and the tarball are version $ac"
else
	not_ok "configure.ac says $ac, the tarball is awl-$version (make dist again)"
fi
want=${ac:-$version}

mk=$(sed -n 's/^AWL_VERSION = //p' "$packaging/buildroot/package/awl/awl.mk")
[ "$mk" = "$want" ] && ok "buildroot: AWL_VERSION = $mk" || not_ok "buildroot: AWL_VERSION is '$mk', not $want ($fix)"

bbs=$(cd "$packaging/yocto/meta-awl/recipes-devtools/awl" && ls awl_*.bb 2>/dev/null | tr '\n' ' ')
[ "$bbs" = "awl_$want.bb " ] && ok "yocto: the recipe is awl_$want.bb" ||
	not_ok "yocto: the recipes are '$bbs', not awl_$want.bb ($fix)"

ow=$(sed -n 's/^PKG_VERSION:=//p' "$packaging/openwrt/awl/Makefile")
[ "$ow" = "$want" ] && ok "openwrt: PKG_VERSION:=$ow" || not_ok "openwrt: PKG_VERSION is '$ow', not $want ($fix)"

cl=$packaging/debian/changelog
if [ -f "$cl" ]; then
	# "awl (EPOCH:UPSTREAM-REVISION) ...": the upstream part
	deb=$(sed -n '1s/^[^ ]* (\(.*\)).*/\1/p' "$cl")
	up=${deb#*:}
	up=${up%-*}
	[ "$up" = "$want" ] && ok "debian: changelog's version $deb is upstream $up" ||
		not_ok "debian: changelog's version $deb is not upstream $want (dch -v $want-1)"
else
	skip "debian: changelog's version" "no packaging/debian/changelog"
fi

# The hashes: update-hashes.sh on a copy must change nothing
copy=$work/packaging
mkdir -p "$copy"
cp -R "$packaging/buildroot" "$packaging/yocto" "$packaging/openwrt" "$packaging/update-hashes.sh" "$copy/"
if ! run_log "$work/update-hashes.log" sh "$copy/update-hashes.sh" "$tarball"; then
	not_ok "update-hashes.sh failed on the tarball"
elif d=$(cd "$work" && for sub in buildroot yocto openwrt; do
		LC_ALL=C diff -ru "$packaging/$sub" "packaging/$sub" || exit 1; done 2>&1); then
	ok "awl.hash, PKG_HASH, SRC_URI[sha256sum] and LIC_FILES_CHKSUM match the tarball"
else
	not_ok "the packaging's hashes or versions are stale for $(basename "$tarball"): $fix"
	printf '%s\n' "$d" | grep '^[-+][^-+]' | head -12 | sed 's/^/#   /'
fi
# ... and a second run changes nothing either
second=$(sh "$copy/update-hashes.sh" "$tarball" 2>&1)
case "$second" in
"packaging already matches "*) ok "update-hashes.sh is idempotent" ;;
*) not_ok "update-hashes.sh changed things on a second run: $second" ;;
esac

t_done
