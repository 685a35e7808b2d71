#!/bin/sh
# The Yocto layer (packaging/yocto/meta-awl) the way bitbake uses it,
# without bitbake: layer.conf and the recipe's variables (license
# checksum, SRC_URI and its sha256, COMPATIBLE_HOST against machines'
# HOST_SYS), then autotools.bbclass's steps for an aarch64 machine in a
# walnascar-like layout (UNPACKDIR=WORKDIR/sources, B=WORKDIR/build):
# autoreconf with the host's autotools and an empty system aclocal
# directory, an out-of-tree configure with CONFIGUREOPTS and the
# toolchain's hardening and prefix-map flags, make, make install into
# image/, then ptest.bbclass's do_install_ptest_base running the
# recipe's own do_install_ptest. Then what insane.bbclass checks
# (unknown configure options, GNU_HASH, already-stripped, textrel,
# buildpaths, arch), FILES: of the ptest package, the kernel fragment,
# and the result under qemu-user.
#   packaging/tests/yocto.sh TARBALL WORKDIR
. "$(dirname "$0")/common.sh"
t_setup yocto "$@"
require make autoreconf aclocal automake aarch64-linux-gnu-gcc qemu-aarch64-static readelf strings /usr/bin/python3

layer=$packaging/yocto/meta-awl
rdir=$layer/recipes-devtools/awl
bb=$rdir/awl_$version.bb

# --- the layer and the recipe ----------------------------------------------
lc=$layer/conf/layer.conf
check "layer.conf: BBFILE_COLLECTIONS has awl" grep -q '^BBFILE_COLLECTIONS += "awl"' "$lc"
check "layer.conf: BBFILE_PATTERN_awl and BBFILE_PRIORITY_awl" \
	sh -c "grep -q '^BBFILE_PATTERN_awl = \"^\${LAYERDIR}/\"' '$lc' && grep -q '^BBFILE_PRIORITY_awl = \"[0-9]*\"' '$lc'"
check "layer.conf: LAYERDEPENDS_awl is core" grep -q '^LAYERDEPENDS_awl = "core"' "$lc"
compat=$(sed -n 's/^LAYERSERIES_COMPAT_awl = "\(.*\)"/\1/p' "$lc")
case " $compat " in
*" scarthgap "*) ok "layer.conf: LAYERSERIES_COMPAT_awl ($compat) has the LTS scarthgap" ;;
*) not_ok "layer.conf: LAYERSERIES_COMPAT_awl '$compat' lacks scarthgap" ;;
esac
if [ -f "$bb" ]; then
	ok "the recipe is awl_$version.bb, the tarball's version"
else
	not_ok "no recipe awl_$version.bb for the tarball (there is: $(cd "$rdir" && ls *.bb 2>/dev/null)); run make update-packaging-hashes"
	t_done
	exit
fi
# BBFILES globs, as bitbake expands them, find the recipe
found=$(cd "$layer" && for g in $(sed -n '/^BBFILES/,/"$/p' "$lc" | grep -o '${LAYERDIR}/[^ "\\]*' |
	sed 's|${LAYERDIR}/||'); do ls $g 2>/dev/null; done)
printf '%s\n' "$found" | grep -qx "recipes-devtools/awl/awl_$version.bb" &&
	ok "layer.conf: BBFILES finds the recipe" || not_ok "layer.conf: BBFILES does not match the recipe"

rv() { sed -n "s/^$1 = \"\\(.*\\)\"\$/\\1/p" "$bb" | head -1; }
for v in SUMMARY DESCRIPTION HOMEPAGE; do
	grep -q "^$v = \"." "$bb" && ok "recipe: $v is set" || not_ok "recipe: no $v"
done
[ "$(rv LICENSE)" = GPL-2.0-only ] && ok "recipe: LICENSE = GPL-2.0-only" ||
	not_ok "recipe: LICENSE is '$(rv LICENSE)', not GPL-2.0-only"
src=$(unpack "$work/check")
lic_md5=$(md5sum < "$src/LICENSE" | cut -d' ' -f1)
[ "$(rv LIC_FILES_CHKSUM)" = "file://LICENSE;md5=$lic_md5" ] &&
	ok "recipe: LIC_FILES_CHKSUM matches LICENSE (do_populate_lic)" ||
	not_ok "recipe: LIC_FILES_CHKSUM '$(rv LIC_FILES_CHKSUM)', LICENSE's md5 is $lic_md5 (run make update-packaging-hashes)"
url=$(sed -n '/^SRC_URI = "/{s/^SRC_URI = "//;s/[ \\"].*//;p;}' "$bb" | sed "s/\${PV}/$version/g")
[ "$url" = "https://github.com/awl-tracer/awl/releases/download/v$version/awl-$version.tar.gz" ] &&
	ok "recipe: SRC_URI fetches $url" || not_ok "recipe: SRC_URI fetches '$url', not the release tarball"
sha=$(sed -n 's/^SRC_URI\[sha256sum\] = "\(.*\)"/\1/p' "$bb")
[ "$sha" = "$(sha256sum < "$tarball" | cut -d' ' -f1)" ] &&
	ok "recipe: SRC_URI[sha256sum] matches the tarball (do_fetch)" ||
	not_ok "recipe: SRC_URI[sha256sum] does not match the tarball (run make update-packaging-hashes)"
grep -q '^inherit autotools ptest$' "$bb" && ok "recipe: inherits autotools and ptest" ||
	not_ok "recipe: no 'inherit autotools ptest'"
grep -q 'file://run-ptest' "$bb" && [ -x "$rdir/files/run-ptest" ] &&
	ok "recipe: SRC_URI has file://run-ptest, files/run-ptest is executable" ||
	not_ok "recipe: run-ptest missing from SRC_URI or files/ (or not executable)"
grep -q '^exec awl-selftest --format=ptest$' "$rdir/files/run-ptest" &&
	ok "run-ptest runs awl-selftest --format=ptest" || not_ok "run-ptest does not run awl-selftest --format=ptest"
grep -q '^RDEPENDS:${PN}-ptest' "$bb" && ok "recipe: RDEPENDS:\${PN}-ptest is set" ||
	not_ok "recipe: no RDEPENDS:\${PN}-ptest"
# base.bbclass: re.match(COMPATIBLE_HOST, HOST_SYS), else the recipe is skipped
ch=$(rv COMPATIBLE_HOST)
out=$(/usr/bin/python3 - "$ch" <<'EOF'
import re, sys
need = sys.argv[1]
for host, want in [("aarch64-poky-linux", True), ("arm-poky-linux-gnueabi", True),
                   ("x86_64-poky-linux", True), ("riscv64-poky-linux", True),
                   ("aarch64-poky-linux-musl", True), ("x86_64-poky-linux-musl", True),
                   ("i686-poky-linux", False), ("mips-poky-linux", False),
                   ("riscv32-poky-linux", False), ("powerpc64le-poky-linux", False)]:
    got = bool(re.match(need, host))
    print("%s - yocto: COMPATIBLE_HOST %s %s" % ("ok" if got == want else "not ok",
          "builds for" if got else "skips", host))
EOF
)
printf '%s\n' "$out"
t_passed=$((t_passed + $(printf '%s\n' "$out" | grep -c '^ok - ')))
t_failed=$((t_failed + $(printf '%s\n' "$out" | grep -c '^not ok - ')))

# The kernel fragment has what awl -T checks; the append is opt-in.
cfg=$layer/recipes-kernel/linux/linux-yocto/awl.cfg
missing=
for o in $(grep -o 'CONFIG_[A-Z0-9_]*=y' "$src/src/selftest.c" | sort -u); do
	grep -qx "$o" "$cfg" || missing="$missing $o"
done
[ -z "$missing" ] && ok "awl.cfg has every kernel option awl -T checks" ||
	not_ok "awl.cfg lacks$missing"
grep -q "AWL_KERNEL_FRAGMENT') == '1'" "$layer/recipes-kernel/linux/linux-yocto_%.bbappend" &&
	ok "linux-yocto_%.bbappend adds awl.cfg only with AWL_KERNEL_FRAGMENT = \"1\"" ||
	not_ok "linux-yocto_%.bbappend is not guarded by AWL_KERNEL_FRAGMENT"

# --- the build, as autotools.bbclass runs it --------------------------------
pv=$version
WORKDIR=$work/tmp/work/cortexa53-poky-linux/awl/$pv
UNPACKDIR=$WORKDIR/sources
S=$UNPACKDIR/awl-$pv
B=$WORKDIR/build
D=$WORKDIR/image
RECIPE_SYSROOT=$WORKDIR/recipe-sysroot
RECIPE_SYSROOT_NATIVE=$WORKDIR/recipe-sysroot-native
PTEST_PATH=/usr/lib/awl/ptest
dbgsrc=/usr/src/debug/awl/$pv
mkdir -p "$UNPACKDIR" "$B" "$D" "$RECIPE_SYSROOT" "$RECIPE_SYSROOT_NATIVE/usr/share/aclocal"
tar -C "$UNPACKDIR" -xzf "$tarball" && cp "$rdir/files/run-ptest" "$UNPACKDIR/"

# autotools_do_configure: autoreconf (less its Yocto-only --exclude=autopoint), aclocal seeing only the recipe's
# dependencies' macros (none here), never the host's /usr/share/aclocal
if (cd "$S" && run_log "$WORKDIR/autoreconf.log" env \
		ACLOCAL="aclocal --system-acdir=$RECIPE_SYSROOT_NATIVE/usr/share/aclocal/" \
		autoreconf -Wcross -Wno-obsolete --verbose --install --force); then
	ok "autoreconf regenerates the build system"
	warnings=$(grep -i 'warning' "$WORKDIR/autoreconf.log" | grep -v '^autoreconf: export WARNINGS' || true)
	if [ -z "$warnings" ]; then
		ok "autoreconf: no warnings"
	elif [ "$warnings" = "aclocal: warning: couldn't open directory 'm4': No such file or directory" ]; then
		todo "autoreconf warns: $warnings" \
			"ACLOCAL_AMFLAGS = -I m4 in Makefile.am, and no m4/ in the tarball"
	else
		not_ok "autoreconf warns"
		note "$warnings"
	fi
else
	not_ok "autoreconf -Wcross --install --force fails on the tarball"
	t_done
	exit
fi

cc="aarch64-linux-gnu-gcc -mcpu=cortex-a53+crc -fstack-protector-strong -O2 -D_FORTIFY_SOURCE=2 -Wformat -Wformat-security -Werror=format-security"
prefix_map="-ffile-prefix-map=$S=$dbgsrc -ffile-prefix-map=$B=$dbgsrc -fdebug-prefix-map=$RECIPE_SYSROOT= -fmacro-prefix-map=$RECIPE_SYSROOT= -fdebug-prefix-map=$RECIPE_SYSROOT_NATIVE= -fmacro-prefix-map=$RECIPE_SYSROOT_NATIVE="
cflags="-O2 -pipe -g -feliminate-unused-debug-types $prefix_map"
ldflags="-Wl,-O1 -Wl,--hash-style=gnu -Wl,--as-needed $prefix_map -fstack-protector-strong -Wl,-z,relro,-z,now"
yocto_env() {
	env CC="$cc" CPP="$cc -E" CXX="aarch64-linux-gnu-g++" LD=aarch64-linux-gnu-ld \
		AR=aarch64-linux-gnu-ar AS=aarch64-linux-gnu-as NM=aarch64-linux-gnu-nm \
		RANLIB=aarch64-linux-gnu-ranlib STRIP=aarch64-linux-gnu-strip \
		OBJCOPY=aarch64-linux-gnu-objcopy OBJDUMP=aarch64-linux-gnu-objdump \
		READELF=aarch64-linux-gnu-readelf BUILD_CC=gcc BUILD_CFLAGS=-O2 \
		CFLAGS="$cflags" CPPFLAGS= CXXFLAGS="$cflags" LDFLAGS="$ldflags" \
		PKG_CONFIG_SYSROOT_DIR="$RECIPE_SYSROOT" CONFIG_SITE= "$@"
}
if (cd "$B" && run_log "$WORKDIR/configure.log" yocto_env "$S/configure" \
		--build=x86_64-linux --host=aarch64-poky-linux --target=aarch64-poky-linux \
		--prefix=/usr --exec_prefix=/usr --bindir=/usr/bin --sbindir=/usr/sbin \
		--libexecdir=/usr/libexec --datadir=/usr/share --sysconfdir=/etc \
		--sharedstatedir=/com --localstatedir=/var --libdir=/usr/lib \
		--includedir=/usr/include --oldincludedir=/usr/include \
		--infodir=/usr/share/info --mandir=/usr/share/man --disable-silent-rules \
		--disable-dependency-tracking --with-libtool-sysroot="$RECIPE_SYSROOT"); then
	ok "configure out of tree (B != S) with CONFIGUREOPTS for aarch64-poky-linux"
else
	not_ok "configure out of tree with CONFIGUREOPTS failed"
	t_done
	exit
fi
# insane.bbclass's unknown-configure-option, less UNKNOWN_CONFIGURE_OPT_IGNORE
unknown=$(sed -n 's/.*WARNING: unrecognized options: //p' "$B/config.log" | tr ',' '\n' | tr -d ' ' |
	grep -vx -e --enable-nls -e --disable-nls -e --disable-silent-rules \
		-e --disable-dependency-tracking -e --with-libtool-sysroot -e --disable-static | grep . || true)
[ -z "$unknown" ] && ok "QA unknown-configure-option: none" ||
	not_ok "QA unknown-configure-option:" $unknown

if (cd "$B" && run_log "$WORKDIR/compile.log" yocto_env make -j"$jobs"); then
	ok "do_compile (oe_runmake)"
else
	not_ok "do_compile failed"
	t_done
	exit
fi
# ptest.bbclass: do_compile_ptest_base runs the recipe's do_compile_ptest
# at the end of do_compile, in B
sed -n '/^do_compile_ptest() {$/,/^}$/p' "$bb" > "$WORKDIR/do_compile_ptest.sh"
printf 'set -e\noe_runmake() { make -j%s "$@"; }\n%s\ncd "%s"\ndo_compile_ptest\n' \
	"$jobs" "$(cat "$WORKDIR/do_compile_ptest.sh")" "$B" > "$WORKDIR/run.do_compile_ptest"
if [ ! -s "$WORKDIR/do_compile_ptest.sh" ]; then
	skip "do_compile_ptest" "the recipe has none (install-tests builds the suite in do_install)"
elif run_log "$WORKDIR/compile_ptest.log" yocto_env sh "$WORKDIR/run.do_compile_ptest"; then
	ok "do_compile_ptest builds the suite"
else
	not_ok "do_compile_ptest failed"
fi
if (cd "$B" && run_log "$WORKDIR/install.log" yocto_env make -j"$jobs" DESTDIR="$D" install); then
	ok "do_install (oe_runmake DESTDIR=\${D} install)"
else
	not_ok "do_install failed"
fi

# ptest.bbclass: do_install_ptest_base puts UNPACKDIR/run-ptest in
# PTEST_PATH, then runs the recipe's do_install_ptest, in B, set -e
sed -n '/^do_install_ptest() {$/,/^}$/p' "$bb" > "$WORKDIR/do_install_ptest.sh"
cat > "$WORKDIR/run.do_install_ptest" <<EOF
set -e
D='$D' B='$B' S='$S' WORKDIR='$WORKDIR' UNPACKDIR='$UNPACKDIR' PTEST_PATH='$PTEST_PATH'
bindir=/usr/bin libexecdir=/usr/libexec libdir=/usr/lib datadir=/usr/share
oe_runmake() { make -j$jobs "\$@"; }
$(cat "$WORKDIR/do_install_ptest.sh")
cd "\$B"
install -D "\$UNPACKDIR/run-ptest" "\$D\$PTEST_PATH/run-ptest"
do_install_ptest
EOF
if ! has_install_tests "$S"; then
	not_ok "do_install_ptest: the tarball's Makefile has no install-tests target"
elif run_log "$WORKDIR/install_ptest.log" yocto_env sh "$WORKDIR/run.do_install_ptest"; then
	ok "do_install_ptest (the recipe's, with ptest.bbclass's base)"
	if [ -s "$WORKDIR/do_compile_ptest.sh" ] && grep -q '^  CC\|gcc ' "$WORKDIR/install_ptest.log"; then
		not_ok "do_install_ptest compiled: do_compile_ptest misses part of what install-tests needs"
		grep '^  CC\|gcc ' "$WORKDIR/install_ptest.log" | head -3 | sed 's/^/#   /'
	fi
else
	not_ok "do_install_ptest failed"
fi
[ -x "$D$PTEST_PATH/run-ptest" ] && ok "run-ptest is in \${PTEST_PATH} ($PTEST_PATH)" ||
	not_ok "no executable run-ptest in $PTEST_PATH"

# --- what insane.bbclass and the packaging would say -----------------------
awl=$D/usr/bin/awl
if [ ! -x "$awl" ]; then
	not_ok "no /usr/bin/awl in image/"
	t_done
	exit
fi
ok "installs /usr/bin/awl"
[ -f "$D/usr/share/man/man8/awl.8" ] && ok "installs the man page (\${PN}-doc)" ||
	not_ok "no /usr/share/man/man8/awl.8 in image/"
# insane.bbclass looks at every ELF file the recipe installs
no_hash= stripped= textrel=
for f in $(find "$D" -type f); do
	[ "$(elf_machine "$f")" = none ] && continue
	sections=$(LC_ALL=C readelf -S -W "$f")
	printf '%s\n' "$sections" | grep -q ' \.gnu\.hash ' || no_hash="$no_hash ${f#"$D"}"
	printf '%s\n' "$sections" | grep -q ' \.symtab ' || stripped="$stripped ${f#"$D"}"
	LC_ALL=C readelf -d "$f" | grep -q TEXTREL && textrel="$textrel ${f#"$D"}"
done
[ -z "$no_hash" ] && ok "QA ldflags: every ELF file has GNU_HASH (LDFLAGS used)" ||
	not_ok "QA ldflags: no GNU_HASH (the link ignored LDFLAGS) in$no_hash"
[ -z "$stripped" ] && ok "QA already-stripped: nothing stripped before packaging" ||
	not_ok "QA already-stripped: stripped at install:$stripped"
[ -z "$textrel" ] && ok "QA textrel: no text relocations" || not_ok "QA textrel: text relocations in$textrel"
sections=$(LC_ALL=C readelf -S -W "$awl")
printf '%s\n' "$sections" | grep -q ' \.debug_info ' && ok "debug info for \${PN}-dbg" ||
	not_ok "no debug info in /usr/bin/awl (CFLAGS' -g ignored?)"
LC_ALL=C readelf -l "$awl" | grep -q GNU_RELRO && LC_ALL=C readelf -d "$awl" | grep -q 'BIND_NOW\|FLAGS.*NOW' &&
	ok "full RELRO (-z relro -z now)" || not_ok "no full RELRO in /usr/bin/awl"
# The -src package: the debug info names sources under /usr/src/debug
if LC_ALL=C readelf --debug-dump=info "$awl" 2>/dev/null | grep -q "DW_AT_comp_dir.*$dbgsrc\|DW_AT_name.*$dbgsrc"; then
	ok "debug info names the sources under $dbgsrc (\${PN}-src)"
else
	not_ok "the debug info does not name sources under $dbgsrc: the -src package would be empty"
	note "$(LC_ALL=C readelf --debug-dump=info "$awl" 2>/dev/null | grep -m3 'DW_AT_comp_dir\|DW_AT_name.*main\.c')"
fi
bp=
for f in $(find "$D" -type f); do
	no_build_paths "$f" "$WORKDIR" "$work" > /dev/null || bp="$bp ${f#"$D"}"
done
[ -z "$bp" ] && ok "QA buildpaths: no build path in any installed file" ||
	{ not_ok "QA buildpaths: build paths in$bp"; for f in $bp; do no_build_paths "$D$f" "$WORKDIR" | head -3 | sed 's/^/#   /'; done; }
wrong=
for f in $(find "$D" -type f); do
	m=$(elf_machine "$f")
	[ "$m" = none ] || [ "$m" = aarch64 ] || wrong="$wrong ${f#"$D"}($m)"
done
[ -z "$wrong" ] && ok "QA arch: every ELF file is aarch64" || not_ok "QA arch: not aarch64:$wrong"

# FILES: ptest.bbclass puts ${PN}-ptest first in PACKAGES, so its FILES
# win; everything install-tests installed must be in them
if has_install_tests "$S"; then
	files=$(sed -n 's/^FILES:${PN}-ptest += "\(.*\)"/\1/p' "$bb" |
		sed 's|${bindir}|/usr/bin|g; s|${libexecdir}|/usr/libexec|g; s|${libdir}|/usr/lib|g; s|${datadir}|/usr/share|g; s|${mandir}|/usr/share/man|g')
	stray=
	for f in $(cd "$D" && find . -type f | sed 's|^\.||'); do
		case "$f" in /usr/bin/awl | /usr/share/man/man8/awl.8) continue ;; "$PTEST_PATH"/*) continue ;; esac
		covered=
		for p in $files; do
			case "$f" in "$p" | "$p"/*) covered=y ;; esac
		done
		[ -n "$covered" ] || stray="$stray $f"
	done
	[ -z "$stray" ] && ok "FILES:\${PN}-ptest holds the whole suite (awl keeps only /usr/bin/awl)" ||
		not_ok "installed test files outside FILES:\${PN}-ptest:$stray"
	for f in /usr/bin/awl-selftest /usr/libexec/awl/tests/lib.sh /usr/libexec/awl/tests/tests.sh \
			/usr/libexec/awl/tests/workload /usr/libexec/awl/tests/uprobe_target; do
		[ -f "$D$f" ] || missing_t="${missing_t:-} $f"
	done
	[ -z "${missing_t:-}" ] && ok "the suite is installed (awl-selftest, /usr/libexec/awl/tests)" ||
		not_ok "the suite lacks$missing_t"
	[ -f "$D/usr/bin/awl-selftest" ] && check "awl-selftest runs /usr/bin/awl and /usr/libexec/awl/tests" \
		selftest_ok "$D/usr/bin/awl-selftest" /usr/libexec/awl/tests
fi

# --- and it runs ----------------------------------------------------------
check "awl -V prints awl $version (qemu-user)" version_is "$awl" "$version"
if [ -f "$D/usr/libexec/awl/tests/uprobe_target" ]; then
	check "dry runs: tracepoint, kprobe, uprobe on the installed uprobe_target, BEGIN/interval" \
		dry_runs "$awl" "$D/usr/libexec/awl/tests/uprobe_target" add_ints
else
	uprobe_target "$cc $ldflags" aarch64 "$S" "$WORKDIR/uprobe_target" > "$WORKDIR/uprobe_target.log" 2>&1
	check "dry runs: tracepoint, kprobe, uprobe, BEGIN/interval" \
		dry_runs "$awl" "$WORKDIR/uprobe_target" add_ints
fi
echo "# /usr/bin/awl: $(wc -c < "$awl") bytes with debug info ($(file -b "$awl" | cut -d, -f1-2))"

t_done
