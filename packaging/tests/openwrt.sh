#!/bin/sh
# The OpenWrt package (packaging/openwrt/awl) the way OpenWrt's build
# system uses it, without the SDK: the Makefile's variables and the
# tarball against PKG_HASH, then package-defaults.mk's steps for musl
# targets (aarch64_cortex-a53, arm_cortex-a7_neon-vfpv4): configure with
# CONFIGURE_ARGS and CONFIGURE_VARS, make with MAKE_VARS in the
# environment and MAKE_FLAGS (CC=..., CROSS=, ARCH=, and CFLAGS too) on
# the command line, Build/Install with PKG_INSTALL into ipkg-install/,
# then Package/*/install run as written into each package's root, the
# binaries stripped like RSTRIP, and the package CI's test.sh run
# against them under qemu-user. Debian's gcc stands in for OpenWrt's
# musl toolchains (with musl-dev:ARCH's specs), so the OpenWrt-only
# -fhonour-copts is left out.
#   packaging/tests/openwrt.sh TARBALL WORKDIR
. "$(dirname "$0")/common.sh"
t_setup openwrt "$@"
require make aarch64-linux-gnu-gcc arm-linux-gnueabihf-gcc qemu-aarch64-static qemu-arm-static \
	/usr/lib/aarch64-linux-musl/musl-gcc.specs /usr/lib/arm-linux-musleabihf/musl-gcc.specs readelf strings

mkfile=$packaging/openwrt/awl/Makefile
testsh=$packaging/openwrt/awl/test.sh
mv_() { sed -n "s/^$1:=//p" "$mkfile" | head -1; }

# --- the Makefile ------------------------------------------------------------
check "includes rules.mk first, package.mk before the definitions" sh -c "
	grep -v '^#' '$mkfile' | grep -v '^\$' | head -1 | grep -qx 'include \$(TOPDIR)/rules.mk' &&
	grep -q '^include \$(INCLUDE_DIR)/package.mk' '$mkfile'"
[ "$(mv_ PKG_NAME)" = awl ] && ok "PKG_NAME is awl" || not_ok "PKG_NAME is '$(mv_ PKG_NAME)'"
[ "$(mv_ PKG_VERSION)" = "$version" ] && ok "PKG_VERSION is $version" ||
	not_ok "PKG_VERSION is '$(mv_ PKG_VERSION)', the tarball is $version (run make update-packaging-hashes)"
case "$(mv_ PKG_RELEASE)" in
[1-9]*) ok "PKG_RELEASE is $(mv_ PKG_RELEASE)" ;;
*) not_ok "PKG_RELEASE '$(mv_ PKG_RELEASE)' is not a number" ;;
esac
url=$(printf '%s/%s' "$(mv_ PKG_SOURCE_URL)" "$(mv_ PKG_SOURCE)" |
	sed "s/\$(PKG_NAME)/awl/g; s/\$(PKG_VERSION)/$version/g")
[ "$url" = "https://github.com/awl-tracer/awl/releases/download/v$version/awl-$version.tar.gz" ] &&
	ok "downloads $url" || not_ok "PKG_SOURCE_URL/PKG_SOURCE give '$url', not the release tarball"
[ "$(mv_ PKG_HASH)" = "$(sha256sum < "$tarball" | cut -d' ' -f1)" ] && ok "PKG_HASH matches the tarball" ||
	not_ok "PKG_HASH does not match the tarball (run make update-packaging-hashes)"
[ "$(mv_ PKG_LICENSE)" = GPL-2.0-only ] && [ "$(mv_ PKG_LICENSE_FILES)" = LICENSE ] &&
	ok "PKG_LICENSE GPL-2.0-only, PKG_LICENSE_FILES LICENSE" ||
	not_ok "PKG_LICENSE '$(mv_ PKG_LICENSE)', PKG_LICENSE_FILES '$(mv_ PKG_LICENSE_FILES)'"
[ -n "$(mv_ PKG_MAINTAINER)" ] && ok "PKG_MAINTAINER is set" || not_ok "no PKG_MAINTAINER"
[ "$(mv_ PKG_INSTALL)" = 1 ] && [ "$(mv_ PKG_BUILD_PARALLEL)" = 1 ] &&
	ok "PKG_INSTALL and PKG_BUILD_PARALLEL" || not_ok "PKG_INSTALL:=1 and PKG_BUILD_PARALLEL:=1 wanted"
for p in awl awl-tests; do
	grep -q "^\$(eval \$(call BuildPackage,$p))" "$mkfile" && grep -q "^define Package/$p\$" "$mkfile" &&
		grep -q "^define Package/$p/install\$" "$mkfile" && grep -q "^define Package/$p/description\$" "$mkfile" &&
		ok "package $p: defined, described, installed, built" ||
		not_ok "package $p lacks its define, description, install or BuildPackage"
done
# The kernel symbols: each @KERNEL_X must be a symbol of OpenWrt's
# config/Config-kernel.in (these are the ones awl can use there).
known="KERNEL_PERF_EVENTS KERNEL_FTRACE KERNEL_FTRACE_SYSCALLS KERNEL_KPROBES KERNEL_KPROBE_EVENTS KERNEL_BPF_EVENTS KERNEL_DEBUG_INFO_BTF KERNEL_DEBUG_FS"
deps=$(grep -o '@KERNEL_[A-Z0-9_]*' "$mkfile" | tr -d @ | sort -u)
bad=
for d in $deps; do
	case " $known " in *" $d "*) ;; *) bad="$bad $d" ;; esac
done
[ -n "$deps" ] && [ -z "$bad" ] && ok "DEPENDS: kernel symbols OpenWrt has:" $deps ||
	not_ok "DEPENDS: kernel symbols OpenWrt lacks (or none):$bad"
for d in KERNEL_BPF_EVENTS KERNEL_PERF_EVENTS KERNEL_KPROBES KERNEL_FTRACE_SYSCALLS; do
	printf '%s\n' "$deps" | grep -qx "$d" || miss="${miss:-} $d"
done
[ -z "${miss:-}" ] && ok "DEPENDS: BPF events, perf events, kprobes and syscall tracepoints" ||
	not_ok "DEPENDS lacks$miss"
check "test.sh is executable and sh -n clean" sh -c "[ -x '$testsh' ] && sh -n '$testsh'"

# --- the build, for one target ---------------------------------------------
# ow_build NAME GNU_TARGET_NAME CC MUSL_SPECS ARCH CPU_CFLAGS
ow_build() {
	b=$1 gnu=$2 cross=$3 specs=$4 arch=$5 cpu=$6
	case "$arch" in arm) machine=arm ;; *) machine=$arch ;; esac
	top_=$work/$b
	builddir=$top_/build_dir/target-${b}_musl
	pbd=$builddir/awl-$version
	staging=$top_/staging_dir/target-${b}_musl
	pid=$pbd/ipkg-install
	mkdir -p "$builddir" "$staging/usr/include" "$staging/usr/lib" "$staging/include" "$staging/lib"
	tar -C "$builddir" -xzf "$tarball" || { not_ok "$b: the tarball does not extract"; return; }
	cc="${cross}gcc -specs $specs"
	# TARGET_CFLAGS with hardening (PKG_SSP, PKG_FORTIFY_SOURCE, PKG_RELRO)
	# and PKG_ASLR_PIE; TARGET_CPPFLAGS, TARGET_LDFLAGS
	cflags="-Os -pipe $cpu -fno-caller-saves -fno-plt -Wno-error=unused-but-set-variable -Wno-error=unused-result -fmacro-prefix-map=$pbd=awl-$version -Wformat -Werror=format-security -fstack-protector -D_FORTIFY_SOURCE=1 -Wl,-z,now -Wl,-z,relro -fPIE"
	cppflags="-I$staging/usr/include -I$staging/include"
	ldflags="-L$staging/usr/lib -L$staging/lib -znow -zrelro -pie"
	tools="AR=${cross}gcc-ar AS=${cross}as LD=${cross}ld NM=${cross}gcc-nm RANLIB=${cross}gcc-ranlib STRIP=${cross}strip OBJCOPY=${cross}objcopy OBJDUMP=${cross}objdump SIZE=${cross}size"
	# Build/Configure/Default: CONFIGURE_VARS ./configure CONFIGURE_ARGS
	if ! (cd "$pbd" && run_log "$pbd/configure.log" env $tools CC="$cc" GCC="$cc" CXX="${cross}g++" \
		CFLAGS="$cflags $cppflags" CXXFLAGS="$cflags $cppflags" CPPFLAGS="$cppflags" LDFLAGS="$ldflags" \
		PKG_CONFIG_PATH="$staging/usr/lib/pkgconfig" PKG_CONFIG_LIBDIR="$staging/usr/lib/pkgconfig" \
		./configure --target="$gnu" --host="$gnu" --build=x86_64-pc-linux-gnu \
		--disable-dependency-tracking --program-prefix= --program-suffix= \
		--prefix=/usr --exec-prefix=/usr --bindir=/usr/bin --sbindir=/usr/sbin \
		--libexecdir=/usr/lib --sysconfdir=/etc --datadir=/usr/share --localstatedir=/var \
		--mandir=/usr/man --infodir=/usr/info --disable-nls); then
		not_ok "$b: configure with OpenWrt's CONFIGURE_ARGS failed"
		return
	fi
	ok "$b: configure ($gnu)"
	# Build/Compile/Default: MAKE_VARS make -jN -C PKG_BUILD_DIR MAKE_FLAGS,
	# plus CFLAGS/LDFLAGS on the command line (as some OpenWrt packages do)
	if ! run_log "$pbd/compile.log" env CFLAGS="$cflags $cppflags" CXXFLAGS="$cflags $cppflags" \
		LDFLAGS="$ldflags" make -j"$jobs" -C "$pbd" $tools CC="$cc" GCC="$cc" CXX="${cross}g++" \
		CROSS="$cross" ARCH="$arch" CFLAGS="$cflags $cppflags" LDFLAGS="$ldflags"; then
		not_ok "$b: make with OpenWrt's MAKE_VARS and MAKE_FLAGS failed"
		return
	fi
	ok "$b: make (CFLAGS, CC, CROSS, ARCH on the command line)"
	# Build/Install as the Makefile defines it (PKG_INSTALL)
	targets=$(sed -n 's/^[[:space:]]*$(call Build\/Install\/Default,\(.*\))$/\1/p' "$mkfile" | tr ',' ' ')
	has_install_tests "$pbd" || targets=$(printf '%s\n' $targets | grep -vx install-tests | tr '\n' ' ')
	if ! run_log "$pbd/install.log" env CFLAGS="$cflags $cppflags" LDFLAGS="$ldflags" \
		make -C "$pbd" $tools CC="$cc" CROSS="$cross" ARCH="$arch" \
		DESTDIR="$pid" ${targets:-install}; then
		not_ok "$b: Build/Install (make ${targets:-install}) failed"
		return
	fi
	ok "$b: Build/Install: make DESTDIR=ipkg-install ${targets:-install}"
	# Package/*/install, run as written, into ipkg-ARCH/PACKAGE
	for p in awl awl-tests; do
		root=$builddir/awl-$version/ipkg-$b/$p
		mkdir -p "$root"
		body=$(sed -n "/^define Package\/$p\/install\$/,/^endef\$/p" "$mkfile" | sed '1d;$d' |
			sed "s|\$(1)|$root|g; s|\$(PKG_INSTALL_DIR)|$pid|g; s|\$(PKG_BUILD_DIR)|$pbd|g;
				s|\$(INSTALL_DIR)|install -d -m0755|g; s|\$(INSTALL_BIN)|install -m0755|g;
				s|\$(INSTALL_DATA)|install -m0644|g; s|\$(CP)|cp -fpR|g; s|\$(LN)|ln -sf|g")
		if [ "$p" = awl-tests ] && ! has_install_tests "$pbd"; then
			not_ok "$b: package awl-tests: the tarball's Makefile has no install-tests target"
		elif run_log "$root.log" sh -ec "$body"; then
			ok "$b: Package/$p/install"
		else
			not_ok "$b: Package/$p/install failed"
		fi
	done
	awl_root=$builddir/awl-$version/ipkg-$b/awl
	awl=$awl_root/usr/bin/awl
	[ -x "$awl" ] || { not_ok "$b: no /usr/bin/awl in the awl package"; return; }
	# the package build strips everything (RSTRIP: strip --strip-all)
	for f in $(find "$builddir/awl-$version/ipkg-$b" -type f); do
		[ "$(elf_machine "$f")" = none ] || "${cross}strip" --strip-all "$f"
	done
	wrong=
	for f in $(find "$builddir/awl-$version/ipkg-$b" -type f); do
		m=$(elf_machine "$f")
		[ "$m" = none ] || [ "$m" = "$machine" ] || wrong="$wrong ${f#"$builddir/"}($m)"
	done
	[ -z "$wrong" ] && ok "$b: every ELF file in the packages is $machine" || not_ok "$b: not $machine:$wrong"
	interp=$(LC_ALL=C readelf -l "$awl" | sed -n 's/.*program interpreter: \(.*\)]/\1/p')
	case "$interp" in
	/lib/ld-musl-*) ok "$b: linked against musl ($interp)" ;;
	*) not_ok "$b: awl's interpreter is '$interp', not musl's" ;;
	esac
	LC_ALL=C readelf -h "$awl" | grep -q 'Type: *DYN' && ok "$b: PIE (PKG_ASLR_PIE)" || not_ok "$b: awl is not PIE"
	check "$b: awl -V prints awl $version (qemu-user)" version_is "$awl" "$version"
	if uprobe_target "$cc $ldflags" "$machine" "$pbd" "$pbd/uprobe_target.dry" > "$pbd/uprobe_target.log" 2>&1; then
		check "$b: dry runs: tracepoint, kprobe, uprobe, BEGIN/interval" \
			dry_runs "$awl" "$pbd/uprobe_target.dry" add_ints
	else
		not_ok "$b: could not build a uprobe target with the toolchain"
	fi
	tests_root=$builddir/awl-$version/ipkg-$b/awl-tests
	if [ -f "$tests_root/usr/bin/awl-selftest" ]; then
		check "$b: awl-tests: awl-selftest runs /usr/bin/awl and /usr/lib/awl/tests (libexecdir)" \
			selftest_ok "$tests_root/usr/bin/awl-selftest" /usr/lib/awl/tests
		for f in lib.sh tests.sh workload uprobe_target; do
			[ -f "$tests_root/usr/lib/awl/tests/$f" ] || missing_t="${missing_t:-} $f"
		done
		[ -z "${missing_t:-}" ] && ok "$b: awl-tests has the suite in /usr/lib/awl/tests" ||
			not_ok "$b: awl-tests lacks$missing_t"
		missing_t=
	fi
	if [ -f "$tests_root/usr/lib/awl/tests/uprobe_target" ]; then
		# the package strips it: uprobes then need its dynamic symbols
		check "$b: a dry run on the packaged (stripped) uprobe_target" target_run "$awl" -n \
			-e "uprobe:$tests_root/usr/lib/awl/tests/uprobe_target:add_ints { @[arg0, arg1] = count(); }"
	fi
	check "$b: no build paths in /usr/bin/awl" no_build_paths "$pid/usr/bin/awl" "$work" "$top"
	# OpenWrt's package CI: test.sh NAME VERSION, with the package's
	# files first on PATH (awl runs through qemu-user)
	bin=$top_/ci-bin
	mkdir -p "$bin"
	printf '#!/bin/sh\nexec qemu-%s-static %s "$@"\n' "$machine" "$awl" > "$bin/awl"
	[ -f "$tests_root/usr/bin/awl-selftest" ] && cp "$tests_root/usr/bin/awl-selftest" "$bin/"
	chmod +x "$bin"/*
	check "$b: test.sh awl $version (OpenWrt's package CI)" env PATH="$bin:$PATH" sh "$testsh" awl "$version"
	check "$b: test.sh awl $version-r1 (an apk version)" env PATH="$bin:$PATH" sh "$testsh" awl "$version-r1"
	if env PATH="$bin:$PATH" sh "$testsh" awl 9.9.9 > /dev/null 2>&1; then
		not_ok "$b: test.sh passes for a wrong version"
	else
		ok "$b: test.sh fails for a wrong version"
	fi
	echo "# $b: /usr/bin/awl $(wc -c < "$awl") bytes stripped ($(file -b "$awl" | cut -d, -f1-2))"
}

ow_build aarch64_cortex-a53 aarch64-openwrt-linux-musl aarch64-linux-gnu- \
	/usr/lib/aarch64-linux-musl/musl-gcc.specs aarch64 "-mcpu=cortex-a53"
ow_build arm_cortex-a7_neon-vfpv4 arm-openwrt-linux-muslgnueabi arm-linux-gnueabihf- \
	/usr/lib/arm-linux-musleabihf/musl-gcc.specs arm "-mcpu=cortex-a7 -mfpu=neon-vfpv4 -mfloat-abi=hard"

t_done
