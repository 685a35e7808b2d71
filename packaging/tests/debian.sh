#!/bin/sh
# The Debian packaging (packaging/debian) the way Debian builds it: the
# tarball as the orig tarball with debian/ copied in, dpkg-buildpackage
# of source and binaries as an unprivileged user (make check then skips
# its kernel tests), the packages' contents, blhc on the build log, a
# cross build for arm64 with Debian's cross toolchain, lintian (no error
# and no warning) and, as root, autopkgtest with the null runner, which
# installs the packages here and runs awl-selftest's kernel suite.
# As root it installs the tools it lacks with apt-get, and builds as the
# user AWL_BUILD_USER (default builder, created if missing).
#   packaging/tests/debian.sh TARBALL WORKDIR
. "$(dirname "$0")/common.sh"
t_setup debian "$@"

deb=$packaging/debian
root=no
[ "$(id -u)" = 0 ] && root=yes

# cannot WHAT REASON: a step this machine cannot run is skipped, saying
# why; under CI=true that is a failure.
cannot() {
	if [ "${CI:-}" = true ]; then
		not_ok "$1: $2 (CI=true forbids skipping it)"
	else
		skip "$1" "$2"
	fi
}

t0=$(date +%s)
since() { echo "$(($(date +%s) - $1)) s"; }

# missing PKG...: those not installed
missing() {
	for m_p; do
		dpkg-query -W -f '${db:Status-Abbrev}' "$m_p" 2>/dev/null | grep -q '^ii' || printf '%s ' "$m_p"
	done
}

# apt_install PKG...: installs those missing (root only), quietly, after
# checking with apt-get -s that apt would remove nothing: a foreign-arch
# package can make it remove build-essential. Says what it did or why not.
apt_install() {
	ai_pkgs=$(missing "$@")
	[ -n "$ai_pkgs" ] || return 0
	[ "$root" = yes ] || { echo "not installed: $ai_pkgs(run as root to install them)"; return 1; }
	ai_sim=$(LC_ALL=C apt-get -s install --no-install-recommends $ai_pkgs 2>&1) || {
		apt-get -qq update > /dev/null 2>&1
		ai_sim=$(LC_ALL=C apt-get -s install --no-install-recommends $ai_pkgs 2>&1)
	} || { printf '%s\n' "$ai_sim" | tail -5; return 1; }
	ai_rm=$(printf '%s\n' "$ai_sim" | sed -n 's/^Remv \([^ ]*\).*/\1/p' | tr '\n' ' ')
	[ -z "$ai_rm" ] || { echo "apt-get install $ai_pkgs would remove $ai_rm: not installing"; return 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $ai_pkgs \
		> "$work/apt.log" 2>&1 || { tail -5 "$work/apt.log"; return 1; }
	echo "installed $ai_pkgs"
}

tools_ok=yes
out=$(apt_install build-essential dpkg-dev debhelper) || tools_ok=no
[ -z "$out" ] || note "$out"
[ "$tools_ok" = yes ] || { not_ok "dpkg-dev and debhelper are needed"; t_done; exit 1; }
for t in lintian autopkgtest blhc; do
	out=$(apt_install "$t") || :
	[ -z "$out" ] || note "$out"
done

# The build user: the packages build as a buildd builds them, without
# root (Rules-Requires-Root: no).
buser=
if [ "$root" = yes ]; then
	buser=${AWL_BUILD_USER:-builder}
	if ! id "$buser" > /dev/null 2>&1; then
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$buser" && note "created the build user $buser"
	fi
	chown -R "$buser:" "$work" 2> /dev/null
	if ! runuser -u "$buser" -- test -w "$work"; then
		note "the user $buser cannot write $work: building as root, so make check runs the kernel tests as root"
		buser=
	fi
fi
# as_builder COMMAND...: COMMAND as the build user (or as ourselves)
as_builder() {
	if [ -n "$buser" ]; then
		runuser -u "$buser" -- env HOME="$work" "$@"
	else
		"$@"
	fi
}

# src DIR: the tarball unpacked into DIR, with debian/ copied in
src() {
	s_dir=$(unpack "$1") && cp -R "$deb" "$s_dir/debian" && { [ -z "$buser" ] || chown -R "$buser:" "$1"; } &&
		echo "$s_dir"
}

# --- the source package ---------------------------------------------------
cp "$tarball" "$work/awl_$version.orig.tar.gz"
native=$(src "$work") || { not_ok "could not unpack $tarball"; t_done; exit 1; }
[ -z "$buser" ] || chown "$buser:" "$work/awl_$version.orig.tar.gz"
dver=$(cd "$native" && dpkg-parsechangelog -S Version)
if [ "${dver%-*}" = "$version" ]; then
	ok "debian/changelog's $dver is for the tarball's $version"
else
	not_ok "debian/changelog is at $dver, the tarball is $version (dch -v $version-1)"
fi
has_install_tests "$native" || not_ok "the tarball's Makefile has no install-tests target (awl-tests)"

# Build-Depends (bats, linux-libc-dev) as apt-get build-dep installs them.
if ! (cd "$native" && dpkg-checkbuilddeps > /dev/null 2>&1); then
	out=$(cd "$native" && LC_ALL=C apt-get -s build-dep ./ 2>&1 | sed -n 's/^Remv \([^ ]*\).*/\1/p' | tr '\n' ' ')
	if [ "$root" = yes ] && [ -z "$out" ]; then
		(cd "$native" && DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq ./ > "$work/apt.log" 2>&1) ||
			tail -5 "$work/apt.log" | sed 's/^/#   /'
	fi
	[ -z "$out" ] || note "apt-get build-dep would remove $out: not installing"
fi

# --- native: source and binaries ------------------------------------------
arch=$(dpkg --print-architecture)
who=${buser:-$(id -un)}
[ "$root" = yes ] && [ -z "$buser" ] && who="root (make check runs the kernel tests)"
s=$(date +%s)
if (cd "$native" && run_log "$work/build-$arch.log" as_builder dpkg-buildpackage -us -uc -J"$jobs"); then
	ok "dpkg-buildpackage -us -uc as $who: source and binaries ($(since "$s"))"
	note "make check: $(awk '$1 == "#" && $2 ~ /^(TOTAL|PASS|SKIP|FAIL|ERROR):$/ { printf "%s %s ", $2, $3 }' \
		"$work/build-$arch.log")"
	built=yes
else
	not_ok "dpkg-buildpackage -us -uc as $who"
	grep -E '^(FAIL|ERROR):' "$work/build-$arch.log" | awk '!seen[$0]++' | head -15 | sed 's/^/#   /'
	built=no
fi
changes=$work/awl_${dver}_$arch.changes

# debs_check ARCH: what the binary packages hold
debs_check() {
	dc_awl=$work/awl_${dver}_$1.deb dc_tests=$work/awl-tests_${dver}_$1.deb dc_x=$work/x-$1
	rm -rf "$dc_x"
	dpkg-deb -x "$dc_awl" "$dc_x" && dpkg-deb -x "$dc_tests" "$dc_x" || { not_ok "$1: cannot unpack the .debs"; return; }
	dc_miss=
	for f in usr/bin/awl usr/share/man/man8/awl.8.gz usr/bin/awl-selftest usr/share/man/man8/awl-selftest.8.gz \
			usr/libexec/awl/tests/workload usr/libexec/awl/tests/uprobe_target \
			usr/libexec/awl/tests/lib.sh usr/libexec/awl/tests/tests.sh; do
		[ -f "$dc_x/$f" ] || dc_miss="$dc_miss /$f"
	done
	[ -z "$dc_miss" ] && ok "$1: awl has awl and awl.8, awl-tests awl-selftest(8) and the suite" ||
		not_ok "$1: missing from the packages:$dc_miss"
	dc_dep=$(dpkg-deb -f "$dc_tests" Depends)
	case "$dc_dep" in
	*"awl (= $dver)"*) ok "$1: awl-tests depends on awl (= $dver)" ;;
	*) not_ok "$1: awl-tests' Depends is '$dc_dep'" ;;
	esac
	dc_m=$(elf_machine "$dc_x/usr/bin/awl")
	[ "$dc_m" = "$2" ] && ok "$1: /usr/bin/awl is $2 code" || not_ok "$1: /usr/bin/awl is $dc_m, not $2"
	# the tests probe add_ints by name: dh_strip keeps .dynsym (-rdynamic)
	if LC_ALL=C readelf -W --dyn-syms "$dc_x/usr/libexec/awl/tests/uprobe_target" | grep -q ' FUNC .* add_ints$'; then
		ok "$1: add_ints survives dh_strip in uprobe_target's dynamic symbols"
	else
		not_ok "$1: stripped uprobe_target has no dynamic symbol add_ints"
	fi
	dc_exe=$(find "$dc_x/usr/libexec/awl/tests" -name '*.sh' -perm /111)
	[ -z "$dc_exe" ] && ok "$1: lib.sh and tests.sh (sourced) are not executable" ||
		not_ok "$1: executable: $dc_exe"
	check "$1: no build paths in /usr/bin/awl" no_build_paths "$dc_x/usr/bin/awl" "$work"
}

if [ "$built" = yes ]; then
	case $arch in
	amd64) machine=x86_64 ;;
	arm64) machine=aarch64 ;;
	arm*) machine=arm ;;
	*) machine=$arch ;;
	esac
	debs_check "$arch" "$machine"
	# blhc: dpkg-buildflags' flags on every compile and link line
	if command -v blhc > /dev/null; then
		check "blhc: the hardening flags reach every compile and link" blhc "$work/build-$arch.log"
	else
		cannot "blhc" "no blhc (apt-get install blhc)"
	fi
fi

# --- cross: arm64 ----------------------------------------------------------
# Debian's cross toolchain (crossbuild-essential-arm64) brings its own
# libc and kernel headers (libc6-dev-arm64-cross, linux-libc-dev-arm64-
# cross); libc6:arm64 is for dh_shlibdeps. linux-libc-dev:arm64 is never
# installed: multiarch would make it replace the native one. So the
# Build-Depends are checked here, linux-libc-dev:arm64 aside, and
# dpkg-buildpackage is told not to check them (-d).
xs=$(date +%s)
xwhy=
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	if [ "$root" = yes ]; then
		dpkg --add-architecture arm64 && apt-get -qq update > /dev/null 2>&1 && note "added the arm64 architecture"
	else
		xwhy="arm64 is not a foreign architecture here (dpkg --add-architecture arm64)"
	fi
fi
if [ -z "$xwhy" ]; then
	if out=$(apt_install crossbuild-essential-arm64 libc6:arm64); then
		[ -z "$out" ] || note "$out"
	else
		xwhy=$out
	fi
fi
if [ -n "$xwhy" ]; then
	cannot "cross build for arm64" "$xwhy"
else
	xdir=$work/cross
	mkdir -p "$xdir"
	xsrc=$(src "$xdir")
	unmet=$(cd "$xsrc" && LC_ALL=C dpkg-checkbuilddeps -a arm64 -P cross,nocheck 2>&1 |
		sed -n 's/.*Unmet build dependencies: //p' | sed 's/linux-libc-dev ([^)]*)//; s/linux-libc-dev//' | tr -s ' ')
	if [ -n "${unmet# }" ]; then
		not_ok "cross build for arm64: unmet build dependencies: $unmet"
	elif (cd "$xsrc" && run_log "$work/build-arm64.log" as_builder env DEB_BUILD_OPTIONS=nocheck \
			dpkg-buildpackage -us -uc -b -a arm64 -d --build-profiles=cross,nocheck -J"$jobs"); then
		mv "$xdir"/*.deb "$xdir"/*.changes "$xdir"/*.buildinfo "$work/"
		ok "dpkg-buildpackage -b -a arm64 (nocheck) as $who ($(since "$xs"))"
		debs_check arm64 aarch64
		if command -v qemu-aarch64-static > /dev/null; then
			check "arm64: awl -V under qemu-user" version_is "$work/x-arm64/usr/bin/awl" "$version"
		fi
	else
		not_ok "dpkg-buildpackage -b -a arm64"
	fi
fi

# --- lintian ---------------------------------------------------------------
if ! command -v lintian > /dev/null; then
	cannot "lintian" "no lintian (apt-get install lintian)"
else
	for c in "$changes" "$work/awl_${dver}_arm64.changes"; do
		[ -f "$c" ] || continue
		ls=$(date +%s)
		# as the build user: lintian does not want root
		l_out=$(as_builder lintian --pedantic -I -E --tag-display-limit 0 "$c" 2>&1)
		l_bad=$(printf '%s\n' "$l_out" | grep -E '^[EW]: ')
		if [ -z "$l_bad" ] && ! printf '%s\n' "$l_out" | grep -q '^internal error'; then
			ok "lintian $(basename "$c"): no error, no warning ($(since "$ls"))"
		else
			not_ok "lintian $(basename "$c")"
		fi
		printf '%s\n' "$l_out" | grep -E '^[A-Z]: |error' | sed 's/^/#   /'
	done
fi

# --- autopkgtest: the kernel suite as root, on this machine ------------------
if [ "$built" != yes ]; then
	not_ok "autopkgtest: nothing was built"
elif [ "$root" != yes ]; then
	cannot "autopkgtest (null runner)" "it installs the packages and loads BPF programs: needs root"
elif ! command -v autopkgtest > /dev/null; then
	cannot "autopkgtest (null runner)" "no autopkgtest (apt-get install autopkgtest)"
else
	before=$(missing awl awl-tests)
	as=$(date +%s)
	alog=$work/autopkgtest.log
	(cd "$work" && autopkgtest --output-dir "$work/autopkgtest" "./awl_${dver}_$arch.deb" \
		"./awl-tests_${dver}_$arch.deb" "./awl_$dver.dsc" -- null) > "$alog" 2>&1
	a_st=$?
	summary=$(grep -E '^[a-z0-9_.+-]+ +(PASS|FAIL|SKIP|FLAKY)' "$work/autopkgtest/summary" 2> /dev/null)
	[ -n "$summary" ] || { not_ok "autopkgtest -- null: no results (status $a_st)"; tail -20 "$alog" | sed 's/^/#   /'; }
	printf '%s\n' "$summary" | while read -r a_test a_res a_rest; do
		[ -n "$a_test" ] || continue
		case $a_res in
		PASS) ok "autopkgtest $a_test: PASS${a_rest:+ $a_rest}" ;;
		SKIP) cannot "autopkgtest $a_test" "$a_rest" ;;
		*) not_ok "autopkgtest $a_test: $a_res $a_rest" ;;
		esac
	done | tee "$work/autopkgtest.tap"
	t_passed=$((t_passed + $(grep '^ok ' "$work/autopkgtest.tap" | grep -vc '# SKIP')))
	t_failed=$((t_failed + $(grep -c '^not ok ' "$work/autopkgtest.tap")))
	# the failures, with the commands and output awl-selftest gives
	grep -A6 '^not ok ' "$alog" | head -40 | sed 's/^/#   /'
	note "$(grep '^# awl-selftest: passed' "$alog")" "autopkgtest took $(since "$as"), status $a_st"
	# 0: all passed, 2: some skipped, 4: some failed. Anything else after
	# every test passed is autopkgtest's own closing apt-get update
	# failing (a mirror mid-sync), not the packages.
	case $a_st in
	0 | 2 | 4) ;;
	*)
		grep -E '^autopkgtest \[.*ERROR' "$alog" | sed 's/^/#   /'
		if [ -n "$summary" ] && ! printf '%s\n' "$summary" | grep -qv ' PASS' &&
				grep -q 'error cleaning up' "$alog"; then
			note "every test passed; autopkgtest then failed to restore apt's lists (apt-get update)"
		elif [ -n "$summary" ]; then
			not_ok "autopkgtest exited with status $a_st"
		fi
		;;
	esac
	# leave the machine as it was
	if [ -n "$before" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $before > /dev/null 2>&1
	fi
fi

echo "# debian: $(since "$t0") in all"
t_done
