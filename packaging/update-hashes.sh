#!/bin/sh
# Points the packaging at a release tarball: its version (awl.mk,
# OpenWrt's PKG_VERSION, the Yocto recipe's file name) and its hashes
# (buildroot's awl.hash, OpenWrt's PKG_HASH, Yocto's SRC_URI[sha256sum]),
# and LICENSE's (awl.hash, LIC_FILES_CHKSUM). Idempotent: a second run
# changes nothing. Run by `make update-packaging-hashes` after `make dist`.
#   packaging/update-hashes.sh awl-VERSION.tar.gz
# It edits the packaging directory it is in (so a copy can be checked
# against a tarball without touching the tree). debian/ is not edited:
# its version is debian/changelog's, which dch writes.
set -eu
usage() { echo "usage: $0 awl-VERSION.tar.gz" >&2; exit 2; }
[ $# -eq 1 ] || usage
tarball=$1
[ -f "$tarball" ] || { echo "$0: no tarball $tarball" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)

top=$(tar -tzf "$tarball" | head -1)
top=${top%%/*}
case "$top" in
awl-[0-9]*) version=${top#awl-} ;;
*) echo "$0: $tarball does not unpack into awl-VERSION/ (it has $top/)" >&2; exit 1 ;;
esac
name=$top.tar.gz
tar_sha256=$(sha256sum < "$tarball" | cut -d' ' -f1)
license=$(mktemp)
trap 'rm -f "$license" "$license.new" "$license.new.hash"' EXIT
tar -xzOf "$tarball" "$top/LICENSE" > "$license" ||
	{ echo "$0: $tarball has no $top/LICENSE" >&2; exit 1; }
lic_sha256=$(sha256sum < "$license" | cut -d' ' -f1)
lic_md5=$(md5sum < "$license" | cut -d' ' -f1)

changed=0
# edit FILE SED-SCRIPT: rewrite FILE through sed if that changes it
edit() {
	sed -e "$2" "$1" > "$license.new"
	if ! cmp -s "$1" "$license.new"; then
		cat "$license.new" > "$1"
		echo "updated ${1#"$here"/}"
		changed=$((changed + 1))
	fi
}

# buildroot
mk=$here/buildroot/package/awl/awl.mk
edit "$mk" "s/^AWL_VERSION = .*/AWL_VERSION = $version/"
hash=$here/buildroot/package/awl/awl.hash
{
	echo "# Locally calculated"
	echo "sha256  $tar_sha256  $name"
	echo "sha256  $lic_sha256  LICENSE"
} > "$license.new.hash"
if ! cmp -s "$hash" "$license.new.hash"; then
	cat "$license.new.hash" > "$hash"
	echo "updated ${hash#"$here"/}"
	changed=$((changed + 1))
fi
rm -f "$license.new.hash"

# OpenWrt (a new version starts again at PKG_RELEASE 1)
ow=$here/openwrt/awl/Makefile
grep -qx "PKG_VERSION:=$version" "$ow" || edit "$ow" "s/^PKG_RELEASE:=.*/PKG_RELEASE:=1/"
edit "$ow" "
s/^PKG_VERSION:=.*/PKG_VERSION:=$version/
s/^PKG_HASH:=.*/PKG_HASH:=$tar_sha256/"

# Yocto: the recipe's file name is its version
dir=$here/yocto/meta-awl/recipes-devtools/awl
bb=$dir/awl_$version.bb
if [ ! -f "$bb" ]; then
	old=$(ls "$dir"/awl_*.bb 2>/dev/null | head -1)
	[ -n "$old" ] || { echo "$0: no awl_*.bb in $dir" >&2; exit 1; }
	mv "$old" "$bb"
	echo "renamed ${old#"$here"/} to ${bb#"$here"/}"
	changed=$((changed + 1))
fi
edit "$bb" "
s/^SRC_URI\[sha256sum\] = .*/SRC_URI[sha256sum] = \"$tar_sha256\"/
s/^\(LIC_FILES_CHKSUM = \"file:\/\/LICENSE;md5=\)[0-9a-f]*\"/\1$lic_md5\"/"

[ "$changed" -gt 0 ] || echo "packaging already matches $name ($tar_sha256)"
