#!/bin/sh
# The release tarball as every packager receives it: make dist from its
# own unpacked tree gives the same bytes (reproducible: fixed mtimes,
# names sorted by tar, numeric owners, gzip -n); it builds with distribution
# flags and options configure does not know; make install DESTDIR=
# installs the binary and awl.8 with no RPATH and no build path, and
# make uninstall removes them.
#   packaging/tests/tarball.sh TARBALL WORKDIR
. "$(dirname "$0")/common.sh"
t_setup tarball "$@"

src=$(unpack "$work/a")
# Rebuilt from the unpacked tree (no git there: every mtime is the
# tarball's, which configure.ac's stands for)
if run_log "$work/redist.log" sh -c "cd '$src' && ./configure -q && make -s dist"; then
	if cmp -s "$tarball" "$src/awl-$version.tar.gz"; then
		ok "make dist in the unpacked tarball gives the same bytes"
	else
		not_ok "make dist in the unpacked tarball gives other bytes (not reproducible)"
		note "$(cd "$work" && mkdir -p x y && tar -C x -xzf "$tarball" && tar -C y -xzf "$src/awl-$version.tar.gz" && diff -r x y | head -5)"
	fi
	tar -tzvf "$tarball" | awk '$2 != "0/0" { bad = $0 } END { if (bad) { print bad; exit 1 } }' >/dev/null &&
		ok "every file in the tarball is owned by 0/0" || not_ok "the tarball has files with other owners"
fi

# A distribution's flags, and options every package is given whether it
# knows them or not.
b=$(unpack "$work/b")
flags="-O2 -g -pipe -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE -Wformat -Werror=format-security"
if run_log "$work/build.log" sh -c "cd '$b' && ./configure --prefix=/usr --disable-nls --enable-ipv6 \
		--disable-static --enable-shared --with-nothing-such --disable-gtk-doc \
		CFLAGS='$flags' LDFLAGS='-pie -Wl,-z,relro,-z,now' && make -j$jobs"; then
	ok "builds with distribution flags and unknown --enable/--disable/--with options"
	grep -q "unrecognized options: .*--with-nothing-such" "$work/build.log" &&
		ok "configure warns about the options it does not know" ||
		not_ok "configure said nothing of --with-nothing-such"
	dest=$work/dest
	if run_log "$work/install.log" make -C "$b" install DESTDIR="$dest"; then
		[ -x "$dest/usr/bin/awl" ] && [ -f "$dest/usr/share/man/man8/awl.8" ] &&
			ok "make install DESTDIR= installs /usr/bin/awl and awl.8" ||
			not_ok "make install DESTDIR= did not install /usr/bin/awl and awl.8: $(cd "$dest" && find . -type f)"
		if LC_ALL=C readelf -d "$dest/usr/bin/awl" | grep -qE 'RPATH|RUNPATH'; then
			not_ok "the installed awl has an RPATH: $(readelf -d "$dest/usr/bin/awl" | grep -E 'RPATH|RUNPATH')"
		else
			ok "the installed awl has no RPATH or RUNPATH"
		fi
		check "the installed awl holds no build path" no_build_paths "$dest/usr/bin/awl" "$work" "$b"
		run_log "$work/uninstall.log" make -C "$b" uninstall DESTDIR="$dest" &&
			[ -z "$(find "$dest" -type f)" ] && ok "make uninstall removes what it installed" ||
			not_ok "make uninstall left: $(cd "$dest" && find . -type f)"
	else
		not_ok "make install DESTDIR= failed"
	fi
else
	not_ok "the build with distribution flags failed"
fi
t_done
