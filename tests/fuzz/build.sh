#!/bin/sh
# Builds the fuzz targets of tests/fuzz/ with clang and libFuzzer
# (AddressSanitizer and UndefinedBehaviorSanitizer on), each linked
# against awl's sources but main.c:
#   tests/fuzz/build.sh BUILDDIR [TARGET...]
# BUILDDIR is a configured build directory whose config.h (and kheaders/,
# if configure made one) are reused; when it has no config.h, awl is
# configured in BUILDDIR/fuzz/conf first. Binaries go to
# BUILDDIR/fuzz/bin/TARGET, objects to BUILDDIR/fuzz/obj. CC (default
# clang) must support -fsanitize=fuzzer (Debian: clang and
# libclang-rt-14-dev, or the version's own libclang-rt-N-dev).
# FUZZ_CFLAGS adds compiler flags (e.g. -O2).
set -eu

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [TARGET...]" >&2; exit 2; }
mkdir -p "$1"
builddir=$(cd "$1" && pwd)
shift
targets=${*:-"compile elf btf tpformat kallsyms procmaps ldcache"}
CC=${CC:-clang}
out=$builddir/fuzz
jobs=$(nproc 2>/dev/null || echo 2)

# config.h: the build directory's, else one of our own.
confdir=$builddir
if [ ! -f "$builddir/config.h" ]; then
	confdir=$out/conf
	if [ ! -f "$confdir/config.h" ]; then
		mkdir -p "$confdir"
		echo "fuzz: configuring awl in $confdir"
		(cd "$confdir" && "$srcdir/configure" -q CC="$CC")
	fi
fi

if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
	"$CC" -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
	echo "fuzz: $CC cannot link -fsanitize=fuzzer: install clang and libclang-rt-dev (apt-get install clang libclang-rt-14-dev)" >&2
	exit 1
fi

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
warn="-Wall -Wextra -Wshadow -Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes"
cppflags="-include $confdir/config.h -I$srcdir/include -I$confdir"
[ -d "$confdir/kheaders" ] && cppflags="$cppflags -idirafter $confdir/kheaders"
cflags="-std=gnu11 -g -O1 $warn $san ${FUZZ_CFLAGS:-}"

mkdir -p "$out/obj" "$out/bin"

# awl's sources: every .c of src/ (but main.c), src/*/ and arch/.
sources=$(cd "$srcdir" && ls src/*.c src/*/*.c arch/*.c | grep -vx 'src/main.c')

# compile FILE OBJ EXTRA-FLAGS: when the object is older than the file
# or any header (a crude but safe dependency check).
newest_header=$(ls -t "$srcdir"/include/awl/*.h "$srcdir"/tests/fuzz/*.h "$confdir/config.h" | head -1)
compile() {
	if [ ! -f "$2" ] || [ "$1" -nt "$2" ] || [ "$newest_header" -nt "$2" ]; then
		echo "  CC       ${1#"$srcdir"/}"
		# shellcheck disable=SC2086
		"$CC" $cppflags $cflags $3 -c "$1" -o "$2"
	fi
}

# awl's objects (coverage-instrumented, no libFuzzer main), in parallel.
objs=
pids=
n=0
for s in $sources; do
	o=$out/obj/$(echo "$s" | tr / _ | sed 's/\.c$/.o/')
	objs="$objs $o"
	compile "$srcdir/$s" "$o" -fsanitize=fuzzer-no-link &
	pids="$pids $!"
	n=$((n + 1))
	if [ $((n % jobs)) -eq 0 ]; then
		for p in $pids; do wait "$p"; done
		pids=
	fi
done
for p in $pids; do wait "$p"; done

for t in $targets; do
	[ -f "$srcdir/tests/fuzz/$t.c" ] || { echo "fuzz: no target $t" >&2; exit 2; }
	compile "$srcdir/tests/fuzz/$t.c" "$out/obj/fuzz_$t.o" -fsanitize=fuzzer-no-link
	echo "  CCLD     fuzz/bin/$t"
	# shellcheck disable=SC2086
	"$CC" $cflags -fsanitize=fuzzer -o "$out/bin/$t" "$out/obj/fuzz_$t.o" $objs -lpthread
done
