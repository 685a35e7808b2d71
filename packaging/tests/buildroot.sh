#!/bin/sh
# The buildroot package (packaging/buildroot, a BR2_EXTERNAL tree) the
# way buildroot 2024.x uses it, without buildroot: its Kconfig evaluated
# for each arch and toolchain (kconfiglib, python3-kconfiglib), awl.mk
# evaluated by GNU make over a stub of the package infrastructure (its
# version, site, hooks and kernel fixups), the tarball checked against
# awl.hash, then autotools-package's steps: an in-tree configure with
# buildroot's arguments and environment, make, make install into
# target/ (and the tests hook), check-bin-arch, and the result run
# under qemu-user. Toolchains: Debian's aarch64 and armhf glibc cross
# compilers (shared, as BR2_SHARED_LIBS), and aarch64 musl (Debian's
# musl-dev:arm64 specs) with BR2_STATIC_LIBS.
#   packaging/tests/buildroot.sh TARBALL WORKDIR
. "$(dirname "$0")/common.sh"
t_setup buildroot "$@"
require make aarch64-linux-gnu-gcc arm-linux-gnueabihf-gcc qemu-aarch64-static qemu-arm-static \
	/usr/lib/aarch64-linux-musl/musl-gcc.specs readelf strings

ext=$packaging/buildroot
pkg=$ext/package/awl

# --- the external tree's files --------------------------------------------
check "external.desc names the tree AWL" grep -qx 'name: AWL' "$ext/external.desc"
check "external.mk includes package/*/*.mk" \
	grep -q 'include .*\$(BR2_EXTERNAL_AWL_PATH)/package/\*/\*\.mk' "$ext/external.mk"
check "Config.in sources package/awl/Config.in" \
	grep -q '^source "\$BR2_EXTERNAL_AWL_PATH/package/awl/Config.in"' "$ext/Config.in"

# Every "depends on" of the package's own entry says why (buildroot's
# style: "depends on X # reason").
uncommented=$(awk '/^config BR2_PACKAGE_AWL$/ { on = 1; next }
	/^(config|comment|if|endif|menu)/ { on = 0 }
	on && /^[ \t]*depends on/ && !/#/' "$pkg/Config.in")
if [ -z "$uncommented" ]; then
	ok "each 'depends on' of BR2_PACKAGE_AWL has its reason as a comment"
else
	not_ok "'depends on' lines of BR2_PACKAGE_AWL without a reason comment"
	note "$uncommented"
fi

# A few of utils/check-package's rules: help text indented with a tab
# and two spaces, within 72 columns; the .mk's header; the .hash's form;
# no trailing whitespace
long=$(expand -t8 "$pkg/Config.in" | awk 'length > 72 && /^          / { print NR ": " $0 }')
[ -z "$long" ] && ok "check-package: Config.in help text within 72 columns" ||
	{ not_ok "check-package: Config.in help lines over 72 columns"; note "$long"; }
hdr=$(printf '%080d\n' 0 | tr 0 '#')
check "check-package: awl.mk opens with buildroot's header" sh -c "
	[ \"\$(sed -n 1p '$pkg/awl.mk')\" = '$hdr' ] && [ \"\$(sed -n 3p '$pkg/awl.mk')\" = '# awl' ] &&
	[ \"\$(sed -n 5p '$pkg/awl.mk')\" = '$hdr' ]"
bad=$(grep -v '^#' "$pkg/awl.hash" | grep -v '^$' | grep -Ev '^sha256  [0-9a-f]{64}  [^ ]+$' || true)
[ -z "$bad" ] && ok "check-package: awl.hash lines are 'sha256  HASH  FILE'" ||
	{ not_ok "check-package: malformed awl.hash lines"; note "$bad"; }
trailing=$(grep -n '[[:space:]]$' "$pkg/awl.mk" "$pkg/Config.in" "$pkg/awl.hash" "$ext/Config.in" "$ext/external.mk" || true)
[ -z "$trailing" ] && ok "check-package: no trailing whitespace" ||
	{ not_ok "check-package: trailing whitespace"; note "$trailing"; }

# --- Kconfig: when the package and its "needs" comment show ---------------
kc=$work/kconfig
mkdir -p "$kc"
cat > "$kc/Config.in" <<'EOF'
mainmenu "stub of buildroot's options that awl's Config.in uses"
config BR2_aarch64
	bool "aarch64"
config BR2_arm
	bool "arm"
config BR2_x86_64
	bool "x86_64"
config BR2_riscv
	bool "riscv"
config BR2_mips
	bool "mips"
config BR2_ARCH_IS_64
	bool "64-bit"
config BR2_USE_MMU
	bool "MMU"
config BR2_TOOLCHAIN_HAS_THREADS
	bool "threads"
config BR2_TOOLCHAIN_HEADERS_AT_LEAST_5_10
	bool "headers >= 5.10"
source "$BR2_EXTERNAL_AWL_PATH/Config.in"
EOF
cat > "$kc/check.py" <<'EOF'
# Evaluates awl's Config.in for buildroot configurations: is the
# package (and its tests option) offered, is its "needs" comment shown.
import sys
import kconfiglib

kconf = kconfiglib.Kconfig(sys.argv[1], warn_to_stderr=False)
for w in kconf.warnings:
    print("not ok - buildroot: Kconfig warning: " + w)
comments = [n for n in kconf.node_iter() if n.item == kconfiglib.COMMENT
            and n.prompt and n.prompt[0].startswith("awl ")]
if len(comments) != 1:
    print("not ok - buildroot: Config.in has %d 'awl needs ...' comments, not 1" % len(comments))
    sys.exit(0)
comment = comments[0]
arches = ["BR2_aarch64", "BR2_arm", "BR2_x86_64", "BR2_riscv", "BR2_mips"]
full = {"BR2_USE_MMU", "BR2_TOOLCHAIN_HAS_THREADS", "BR2_TOOLCHAIN_HEADERS_AT_LEAST_5_10"}
# (what, arch, 64-bit, toolchain options, offered, comment shown)
cases = [
    ("aarch64", "BR2_aarch64", True, full, True, False),
    ("arm", "BR2_arm", False, full, True, False),
    ("x86_64", "BR2_x86_64", True, full, True, False),
    ("riscv64", "BR2_riscv", True, full, True, False),
    ("riscv32 (no arch description)", "BR2_riscv", False, full, False, False),
    ("mips (no arch description)", "BR2_mips", False, full, False, False),
    ("aarch64 without an MMU", "BR2_aarch64", True, full - {"BR2_USE_MMU"}, False, False),
    ("aarch64, headers < 5.10", "BR2_aarch64", True,
     full - {"BR2_TOOLCHAIN_HEADERS_AT_LEAST_5_10"}, False, True),
    ("arm without threads", "BR2_arm", False, full - {"BR2_TOOLCHAIN_HAS_THREADS"}, False, True),
]
awl = kconf.syms["BR2_PACKAGE_AWL"]
tests = kconf.syms.get("BR2_PACKAGE_AWL_TESTS")
for what, arch, is64, opts, offered, shown in cases:
    for a in arches:
        kconf.syms[a].set_value(2 if a == arch else 0)
    kconf.syms["BR2_ARCH_IS_64"].set_value(2 if is64 else 0)
    for o in full:
        kconf.syms[o].set_value(2 if o in opts else 0)
    got_offered = awl.visibility > 0
    got_shown = kconfiglib.expr_value(comment.dep) > 0
    res = "ok" if (got_offered, got_shown) == (offered, shown) else "not ok"
    print("%s - buildroot: Kconfig, %s: awl %s, comment %s" % (
        res, what, "offered" if got_offered else "hidden",
        "shown" if got_shown else "hidden"))
    if offered and tests is not None:
        awl.set_value(0)
        hidden = tests.visibility == 0
        awl.set_value(2)
        res = "ok" if hidden and tests.visibility > 0 else "not ok"
        print("%s - buildroot: Kconfig, %s: BR2_PACKAGE_AWL_TESTS offered only with awl" % (res, what))
if tests is None:
    print("not ok - buildroot: no BR2_PACKAGE_AWL_TESTS option")
EOF
if /usr/bin/python3 -c 'import kconfiglib' 2>/dev/null; then
	out=$(cd "$kc" && BR2_EXTERNAL_AWL_PATH=$ext /usr/bin/python3 check.py Config.in 2>&1)
	printf '%s\n' "$out" | grep -v '^\(not \)\?ok - ' | sed 's/^/#   /'
	t_passed=$((t_passed + $(printf '%s\n' "$out" | grep -c '^ok - ')))
	t_failed=$((t_failed + $(printf '%s\n' "$out" | grep -c '^not ok - ')))
	printf '%s\n' "$out" | grep '^\(not \)\?ok - '
	printf '%s\n' "$out" | grep -q '^\(not \)\?ok - ' || not_ok "Kconfig check printed no result: $out"
elif [ "${CI:-}" = true ]; then
	not_ok "Kconfig evaluated per arch and toolchain: no kconfiglib (apt-get install python3-kconfiglib; CI=true forbids skipping it)"
else
	skip "Kconfig evaluated per arch and toolchain" "no kconfiglib (apt-get install python3-kconfiglib)"
fi

# --- awl.mk through GNU make over a stub of buildroot's infrastructure ---
# BUILD_DIR/.stamp_target_installed is where buildroot runs the
# post-install hooks, with $(@D) the package's build directory.
cat > "$work/stub.mk" <<'EOF'
define sep


endef
KCONFIG_ENABLE_OPT = echo '$(strip $(1))=y'
KCONFIG_DISABLE_OPT = echo '\# $(strip $(1)) is not set'
KCONFIG_SET_OPT = echo '$(strip $(1))=$(strip $(2))'
include $(PKG_MK)
AWL_SOURCE ?= awl-$(AWL_VERSION).tar.gz
vars:
	@echo 'version=$(AWL_VERSION)'
	@echo 'site=$(AWL_SITE)'
	@echo 'source=$(AWL_SOURCE)'
	@echo 'license=$(AWL_LICENSE)'
	@echo 'license_files=$(AWL_LICENSE_FILES)'
	@echo 'autoreconf=$(AWL_AUTORECONF)'
	@echo 'hooks=$(AWL_POST_INSTALL_TARGET_HOOKS)'
fixups:
	@$(AWL_LINUX_CONFIG_FIXUPS)
$(BUILD_DIR)/.stamp_target_installed:
	$(foreach hook,$(AWL_POST_INSTALL_TARGET_HOOKS),$(call $(hook))$(sep))
EOF
mk_vars=$(make -s -f "$work/stub.mk" PKG_MK="$pkg/awl.mk" vars 2>&1)
mk_var() { printf '%s\n' "$mk_vars" | sed -n "s/^$1=//p"; }
[ "$(mk_var version)" = "$version" ] && ok "awl.mk: AWL_VERSION is $version" ||
	not_ok "awl.mk: AWL_VERSION is '$(mk_var version)', the tarball is $version"
url="$(mk_var site)/$(mk_var source)"
[ "$url" = "https://github.com/awl-tracer/awl/releases/download/v$version/awl-$version.tar.gz" ] &&
	ok "awl.mk: downloads $url" || not_ok "awl.mk: AWL_SITE/AWL_SOURCE give $url, not the release tarball"
[ "$(mk_var license)" = GPL-2.0 ] && [ "$(mk_var license_files)" = LICENSE ] &&
	ok "awl.mk: license GPL-2.0 in LICENSE" ||
	not_ok "awl.mk: AWL_LICENSE '$(mk_var license)', AWL_LICENSE_FILES '$(mk_var license_files)'"
[ "$(mk_var autoreconf)" = NO ] && ok "awl.mk: AWL_AUTORECONF = NO (the tarball has configure)" ||
	not_ok "awl.mk: AWL_AUTORECONF is '$(mk_var autoreconf)'"
grep -q '^\$(eval \$(autotools-package))$' "$pkg/awl.mk" && ok "awl.mk: an autotools-package" ||
	not_ok "awl.mk: no \$(eval \$(autotools-package))"
[ -z "$(mk_var hooks)" ] && ok "awl.mk: no install hook without BR2_PACKAGE_AWL_TESTS" ||
	not_ok "awl.mk: hooks '$(mk_var hooks)' without BR2_PACKAGE_AWL_TESTS"

# The kernel fixups cover what awl -T checks (its messages name the
# options), but BTF, which needs pahole (BR2_LINUX_KERNEL_NEEDS_HOST_PAHOLE).
fixups=$(make -s -f "$work/stub.mk" PKG_MK="$pkg/awl.mk" fixups 2>&1 | sed -n 's/=y$//p' | sort -u)
needed=$(grep -o 'CONFIG_[A-Z0-9_]*=y' "$(unpack "$work/src")/src/selftest.c" | sed 's/=y$//' |
	grep -vx 'CONFIG_DEBUG_INFO_BTF' | sort -u)
missing=$(printf '%s\n' "$needed" | grep -vxF "$fixups" || true)
[ -n "$needed" ] && [ -z "$missing" ] &&
	ok "awl.mk: AWL_LINUX_CONFIG_FIXUPS enable what awl -T checks ($(echo $needed | wc -w) options)" ||
	{ not_ok "awl.mk: AWL_LINUX_CONFIG_FIXUPS lack what awl -T checks"; note $missing; }

# --- the download, as buildroot checks it against awl.hash ---------------
name=$(basename "$tarball")
want=$(awk -v f="$name" '$1 == "sha256" && $3 == f { print $2 }' "$pkg/awl.hash")
if [ -z "$want" ]; then
	not_ok "awl.hash has no sha256 for $name (run make update-packaging-hashes)"
elif [ "$want" = "$(sha256sum < "$tarball" | cut -d' ' -f1)" ]; then
	ok "awl.hash: the sha256 of $name matches"
else
	not_ok "awl.hash: the sha256 of $name does not match the tarball (run make update-packaging-hashes)"
fi
grep -qx '# Locally calculated' "$pkg/awl.hash" && ok "awl.hash says '# Locally calculated'" ||
	not_ok "awl.hash lacks its '# Locally calculated' comment"
lic=$(awk '$1 == "sha256" && $3 == "LICENSE" { print $2 }' "$pkg/awl.hash")
[ -n "$lic" ] && [ "$lic" = "$(sha256sum < "$work/src/awl-$version/LICENSE" | cut -d' ' -f1)" ] &&
	ok "awl.hash: the sha256 of LICENSE matches (legal-info)" ||
	not_ok "awl.hash: no matching sha256 for LICENSE (run make update-packaging-hashes)"

# --- autotools-package, for one toolchain ---------------------------------
# br_build NAME GNU_TARGET_NAME CC-COMMAND SYSROOT-PREFIX MACHINE STATIC TESTS EXTRA_CFLAGS
br_build() {
	b=$1 gnu=$2 cc=$3 cross=$4 machine=$5 static=$6 tests=$7 extra=$8
	out=$work/$b/output
	bdir=$out/build/awl-$version
	target=$out/target
	mkdir -p "$out/build" "$target" "$out/host/bin" "$out/staging"
	# the download, extracted as buildroot does (strip the top directory)
	mkdir -p "$bdir" && tar -C "$bdir" --strip-components=1 -xzf "$tarball" || {
		not_ok "$b: the tarball does not extract"; return; }
	cppflags="-D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64"
	cflags="$cppflags $extra -Os -g0 -D_FORTIFY_SOURCE=1"
	ldflags=
	if [ "$static" = yes ]; then
		libs="--enable-static --disable-shared"
		ldflags=-static
	else
		libs="--disable-static --enable-shared"
	fi
	# TARGET_CONFIGURE_OPTS, TARGET_CONFIGURE_ARGS, then the arguments
	# autotools-package gives every configure
	if ! (cd "$bdir" && run_log "$out/configure.log" env \
		PATH="$out/host/bin:$PATH" \
		AR="${cross}ar" AS="${cross}as" LD="${cross}ld" NM="${cross}nm" \
		CC="$cc" GCC="$cc" CPP="$cc -E" RANLIB="${cross}ranlib" READELF="${cross}readelf" \
		STRIP="${cross}strip" OBJCOPY="${cross}objcopy" OBJDUMP="${cross}objdump" \
		AR_FOR_BUILD=ar CC_FOR_BUILD=gcc CFLAGS_FOR_BUILD="-O2" LDFLAGS_FOR_BUILD= \
		DEFAULT_ASSEMBLER="${cross}as" DEFAULT_LINKER="${cross}ld" \
		CPPFLAGS="$cppflags" CFLAGS="$cflags" CXXFLAGS="$cflags" LDFLAGS="$ldflags" \
		PKG_CONFIG=/bin/false STAGING_DIR="$out/staging" \
		ac_cv_lbl_unaligned_fail=yes ac_cv_func_mmap_fixed_mapped=yes \
		ac_cv_func_memcmp_working=yes ac_cv_have_decl_malloc=yes \
		gl_cv_func_malloc_0_nonnull=yes ac_cv_func_malloc_0_nonnull=yes \
		ac_cv_func_calloc_0_nonnull=yes ac_cv_func_realloc_0_nonnull=yes \
		lt_cv_sys_lib_search_path_spec= ac_cv_c_bigendian=no \
		CONFIG_SITE=/dev/null ./configure \
		--target="$gnu" --host="$gnu" --build=x86_64-pc-linux-gnu \
		--prefix=/usr --exec-prefix=/usr --sysconfdir=/etc --localstatedir=/var \
		--program-prefix= --disable-gtk-doc --disable-gtk-doc-html --disable-doc \
		--disable-docs --disable-documentation --with-xmlto=no --with-fop=no \
		--disable-dependency-tracking --enable-ipv6 --disable-nls $libs); then
		not_ok "$b: configure with buildroot's arguments failed"
		return
	fi
	ok "$b: configure ($gnu)"
	if ! run_log "$out/build.log" env PATH="$out/host/bin:$PATH" make -j"$((jobs + 1))" -C "$bdir"; then
		not_ok "$b: make failed"
		return
	fi
	ok "$b: make"
	if ! run_log "$out/install.log" env PATH="$out/host/bin:$PATH" \
			make -C "$bdir" DESTDIR="$target" install; then
		not_ok "$b: make install failed"
		return
	fi
	awl=$target/usr/bin/awl
	[ -x "$awl" ] && ok "$b: installs /usr/bin/awl" || { not_ok "$b: no /usr/bin/awl in target/"; return; }
	[ -f "$target/usr/share/man/man8/awl.8" ] && ok "$b: installs the man page (target-finalize removes it)" ||
		not_ok "$b: no /usr/share/man/man8/awl.8"
	if [ "$tests" = yes ]; then
		if ! has_install_tests "$bdir"; then
			not_ok "$b: BR2_PACKAGE_AWL_TESTS: the tarball's Makefile has no install-tests target"
		elif run_log "$out/hooks.log" env PATH="$out/host/bin:$PATH" \
			make -s -f "$work/stub.mk" PKG_MK="$pkg/awl.mk" BR2_PACKAGE_AWL_TESTS=y \
			BUILD_DIR="$bdir" TARGET_DIR="$target" TARGET_MAKE_ENV="PATH=$out/host/bin:$PATH" \
			MAKE="make" "$bdir/.stamp_target_installed"; then
			ok "$b: BR2_PACKAGE_AWL_TESTS: the post-install hook ran install-tests"
			for f in usr/bin/awl-selftest usr/libexec/awl/tests/lib.sh usr/libexec/awl/tests/tests.sh \
					usr/libexec/awl/tests/workload usr/libexec/awl/tests/uprobe_target; do
				[ -f "$target/$f" ] || missing_t="${missing_t:-} /$f"
			done
			[ -z "${missing_t:-}" ] && ok "$b: the test suite is in target/ (awl-selftest, /usr/libexec/awl/tests)" ||
				not_ok "$b: the tests hook did not install$missing_t"
			missing_t=
			check "$b: awl-selftest runs /usr/bin/awl and /usr/libexec/awl/tests" \
				selftest_ok "$target/usr/bin/awl-selftest" /usr/libexec/awl/tests
		else
			not_ok "$b: BR2_PACKAGE_AWL_TESTS: the post-install hook failed"
		fi
	fi
	# check-bin-arch: every ELF file in target/ is for the target
	wrong=
	for f in $(find "$target" -type f); do
		m=$(elf_machine "$f")
		[ "$m" = none ] || [ "$m" = "$machine" ] || wrong="$wrong ${f#"$target"}($m)"
	done
	[ -z "$wrong" ] && ok "$b: check-bin-arch: every ELF file in target/ is $machine" ||
		not_ok "$b: check-bin-arch: not $machine:$wrong"
	if [ "$static" = yes ]; then
		LC_ALL=C readelf -l "$awl" | grep -q 'program interpreter' &&
			not_ok "$b: BR2_STATIC_LIBS, but /usr/bin/awl is dynamic" ||
			ok "$b: BR2_STATIC_LIBS: /usr/bin/awl is static"
	fi
	check "$b: awl -V prints awl $version (qemu-user)" version_is "$awl" "$version"
	if uprobe_target "$cc $ldflags" "$machine" "$bdir" "$out/uprobe_target" > "$out/uprobe_target.log" 2>&1; then
		check "$b: dry runs: tracepoint, kprobe, uprobe, BEGIN/interval" \
			dry_runs "$awl" "$out/uprobe_target" add_ints
	else
		not_ok "$b: could not build a uprobe target with the toolchain"
		tail -5 "$out/uprobe_target.log" | sed 's/^/#   /'
	fi
	if [ -f "$target/usr/libexec/awl/tests/uprobe_target" ]; then
		check "$b: a dry run on the installed uprobe_target" target_run "$awl" -n \
			-e "uprobe:$target/usr/libexec/awl/tests/uprobe_target:add_ints { @[arg0, arg1] = count(); }"
	fi
	# target-finalize strips; no build path may be left either way
	"${cross}strip" --remove-section=.comment --remove-section=.note -o "$out/awl.stripped" "$awl"
	check "$b: the stripped binary still runs" version_is "$out/awl.stripped" "$version"
	check "$b: no build paths in /usr/bin/awl" no_build_paths "$awl" "$work" "$top"
	echo "# $b: /usr/bin/awl $(wc -c < "$out/awl.stripped") bytes stripped ($(file -b "$awl" | cut -d, -f1-2))"
}

br_build aarch64-glibc aarch64-buildroot-linux-gnu aarch64-linux-gnu-gcc aarch64-linux-gnu- \
	aarch64 no yes ""
br_build armhf-glibc arm-buildroot-linux-gnueabihf arm-linux-gnueabihf-gcc arm-linux-gnueabihf- \
	arm no yes "-D_TIME_BITS=64"
br_build aarch64-musl-static aarch64-buildroot-linux-musl \
	"aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs" aarch64-linux-gnu- \
	aarch64 yes yes ""

t_done
