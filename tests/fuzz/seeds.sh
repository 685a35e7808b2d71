#!/bin/sh
# Makes the fuzz targets' seed corpora in BUILDDIR/fuzz/seeds/TARGET/
# (made anew each time; never in the source tree), each file named by
# the SHA-1 of its content:
#   tests/fuzz/seeds.sh BUILDDIR
#   compile   every script of tests/*.bats, tests/vm/guest/tests.sh,
#             tests/cross/scripts.txt, README.md and man/awl.8, and a few
#             of our own, each behind configuration bytes (see compile.c)
#   elf       /bin/true, libc and ld.so, the cross toolchains' libc
#             (/usr/TRIPLET/lib), and small programs and libraries built
#             by the cross compilers present (32/64-bit, both byte orders)
#   btf       /sys/kernel/btf/*, cuts of vmlinux's (btf-reduce.pl), and
#             small blobs clang builds for BPF
#   tpformat  tracefs's format files (tracefs is mounted if it is not and
#             we are root), and the test suite's fake ones
#   kallsyms  slices of /proc/kallsyms
#   procmaps  /proc/*/maps of a few processes
#   ldcache   /etc/ld.so.cache, and caches ldconfig writes in both layouts
# Whatever the machine lacks is skipped, with a note.
set -eu

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)/fuzz/seeds
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

rm -rf "$out"
for t in compile elf btf tpformat kallsyms procmaps ldcache; do
	mkdir -p "$out/$t"
done

note() {
	echo "seeds: $*" >&2
}

# add TARGET FILE: copies FILE into the corpus under its SHA-1
add() {
	[ -s "$2" ] || return 0
	sum=$(sha1sum < "$2" | cut -c1-40)
	cp "$2" "$out/$1/$sum"
}

# --- compile ------------------------------------------------------------

# Our own, for what the documents show little of.
cat > "$tmp/own.txt" <<'EOF'
kprobe:vfs_* { @[func] = count(); } kretprobe:vfs_read { @r = hist(retval); }
k:do_sys_open* /arg0 > 1/ { printf("%s %d %d\n", comm, arg0, sarg1); print(regs); @c[caller] = count(); }
kprobe:vfs_read+4 { @[reg("sp")] = count(); } kprobe:*sys_getppid { @ = count(); }
uprobe:libc:malloc { @[ustack] = hist(arg0); } uretprobe:libc:malloc { @r = stats(retval); }
uprobe:/bin/true:main { printf("%p\n", reg("ip")); } u:libc:str* { @[probe] = count(); }
uprobe:/bin/true:0x1000 { @ = count(); }
fentry:vfs_read { @[comm] = sum(args.count); } fexit:vfs_write { @ = hist(retval); }
fentry:vfs_re* { @[probe] = count(); } f:do_sys_openat2 { printf("%s\n", str(args.filename)); }
software:page-faults:100 { @[comm] = count(); } s:cs { @c = count(); } software:cpu-clock { @ = count(); }
profile:hz:99 { @[kstack] = count(); @u[ustack] = count(); } interval:ms:100 { print(@); clear(@); zero(@u); }
p:99 { @[cpu] = count(); } i:1 { exit(); } interval:500ms { time("%H:%M:%S\n"); }
tracepoint:syscalls:sys_enter_execve { join(args.argv); join(args.argv, ","); printf("%s\n", str(args.filename, 8)); }
tracepoint:sched:sched_switch { @[args.prev_comm, args.next_pid] = count(); @s = args.prev_state; }
tracepoint:sched:sched_process_exec { printf("%s %d\n", str(args.filename), args.pid); }
tracepoint:raw_syscalls:sys_enter { @[args.id] = count(); @a = args.args[1]; @b[args.args[0]] = sum(args.id); }
tracepoint:net:netif_receive_skb { @[str(args.name)] = sum(args.len); @p = args.skbaddr; }
tracepoint:fake:fake_event { @[args.name] = sum(args.value); } t:bad:half { @ = sum(args.good); }
tracepoint:fake:rel_loc { @[args.ids] = count(); @r = args.raw; @b = args.big; @p = args.pids[2]; @v = args.argv; }
tracepoint:tcp:tcp_probe { printf("%s\n", ntop(args.saddr)); @[ntop(2, args.saddr)] = count(); }
tracepoint:syscalls:sys_enter_openat { @[cgroup] = count(); @k[ksym(kptr(args.filename))] = count(); @u = uptr(args.filename); }
BEGIN { $i = 0; while ($i < 10) { $i++; if ($i == 5) { continue; } if ($i > 8) { break; } } unroll(3) { $i += 1; } exit(); }
BEGIN { $t = (1, "two", 3); printf("%d %s\n", $t.0, $t.1); @m[1, "a"] = (2, "b"); delete(@m[1, "a"]); print(@m, 10, 2); }
BEGIN { $x = (int8)300 + (uint16)-1 * (int32)0x7fffffff / 3 % 7 << 2 >> 1 & 0xff | 1 ^ ~0; $y = !$x ? -$x : +$x; printf("%d %d\n", $x, $y); }
BEGIN { @q = quantize(100); @l = lhist(5, 0, 100, 10); @s = stats(1); @mn = min(1); @mx = max(2); @a = avg(3); printf("%d\n", rand); }
BEGIN { system("echo %d", 1); signal(9); signal("SIGKILL"); exit(2); }
BEGIN { if (strncmp("abc", "abd", 2) == 0 && strcmp("x", "y") != 0) { printf("%s %c %x %o %5.2s %-8d|\n", "s", 65, 255, 8, "abcdef", 1); } }
BEGIN { printf("%d %s %d\n", $1, str($2), $#); @[$3] = count(); }
END { printf("%d %d %d %d %s\n", pid, tid, uid, gid, execname); printf("%d %d %u\n", nsecs, elapsed, cpid); }
tracepoint:syscalls:sys_enter_read, tracepoint:syscalls:sys_enter_write /comm == "awl"/ { @[probe, func] = count(); }
tracepoint:syscalls:sys_enter_getppid { @x = *(int32 *)args.__syscall_nr; @y = *kptr(0); @z = ((int8 *)0)[3]; }
tracepoint:*:* { @[probe] = count(); } t:bad:empty { @ = 1; } t:bad:* { @b = 2; }
BEGIN { @h = lhist(1, -9223372036854775807 - 1, 9223372036854775807, 4611686018427387904); @q = lhist(2, 0, 10, 3); }
EOF

perl "$srcdir/tests/fuzz/extract-scripts.pl" \
	"$srcdir"/tests/*.bats "$srcdir/tests/vm/guest/tests.sh" \
	"$srcdir/README.md" "$srcdir/man/awl.8" > "$tmp/scripts"
perl "$srcdir/tests/fuzz/extract-scripts.pl" --lines \
	"$srcdir/tests/cross/scripts.txt" "$tmp/own.txt" >> "$tmp/scripts"
# Each script twice: as x86_64 with the defaults (byte 0), and for one of
# the other arches with --dump and other options (a byte from its index).
mkdir -p "$tmp/compile"
perl -e '
	my ($dir) = @ARGV;
	local $/ = "\0";
	my $i = 0;
	while (my $s = <STDIN>) {
		chomp $s;
		my @cfgs = (0, 0x40 | (1 + $i % 3) | (($i % 5) == 0 ? 4 : 0) |
			       (($i % 7) == 0 ? 0x20 : 0) | (($i % 11) == 0 ? 0x88 : 0));
		for my $c (@cfgs) {
			open(my $fh, ">", sprintf("%s/c%05d-%d", $dir, $i, $c)) or die;
			print $fh chr($c), $s;
			close($fh);
		}
		$i++;
	}' "$tmp/compile" < "$tmp/scripts"
for f in "$tmp"/compile/*; do
	add compile "$f"
done

# --- elf ----------------------------------------------------------------

for f in /bin/true /bin/sh /lib/x86_64-linux-gnu/libc.so.6 /lib64/ld-linux-x86-64.so.2 \
	/usr/*-linux-gnu*/lib/libc.so.6 /usr/*-linux-gnu*/lib/ld-linux*.so* \
	/usr/lib/*-linux-musl*/libc.so; do
	[ -f "$f" ] && add elf "$f"
done
cat > "$tmp/small.c" <<'EOF'
int counter;
int add_ints(int a, int b) { return a + b; }
long negate(long x) { return -x; }
static int hidden(int x) { return x * 3; }
int __attribute__((noinline)) twice(int x) { return hidden(x) + hidden(x + 1); }
void _start(void) { counter = add_ints(1, 2) + (int)negate(3) + twice(4); for (;;) ; }
EOF
for cc in gcc aarch64-linux-gnu-gcc arm-linux-gnueabihf-gcc riscv64-linux-gnu-gcc \
	mips-linux-gnu-gcc s390x-linux-gnu-gcc i686-linux-gnu-gcc powerpc-linux-gnu-gcc; do
	command -v "$cc" >/dev/null 2>&1 || { note "no $cc: no small ELF files of its arch"; continue; }
	for variant in exec shared; do
		if [ $variant = exec ]; then
			flags="-static -nostdlib -O1"
		else
			flags="-shared -fPIC -nostdlib -O1"
		fi
		extra=
		case $cc in arm-*) extra="-mthumb -marm" ;; esac
		for e in "" $extra; do
			o=$tmp/small-$cc-$variant$e
			# shellcheck disable=SC2086
			if "$cc" $flags $e -o "$o" "$tmp/small.c" 2>/dev/null; then
				add elf "$o"
				"${cc%gcc}strip" -o "$o.stripped" "$o" 2>/dev/null && add elf "$o.stripped"
			fi
		done
	done
done

# --- btf ----------------------------------------------------------------

for f in /sys/kernel/btf/*; do
	[ -f "$f" ] && [ -r "$f" ] && add btf "$f"
done
if [ -r /sys/kernel/btf/vmlinux ]; then
	# and small cuts of it, which fuzz faster than its megabytes
	perl "$srcdir/tests/fuzz/btf-reduce.pl" \
		'^(vfs_|do_sys_|ksys_|tcp_v4_|kmalloc|kfree|schedule$|_printk$|v?snprintf$)' 300 \
		< /sys/kernel/btf/vmlinux > "$tmp/vmlinux-cut1.btf" && add btf "$tmp/vmlinux-cut1.btf"
	perl "$srcdir/tests/fuzz/btf-reduce.pl" '.' 2000 \
		< /sys/kernel/btf/vmlinux > "$tmp/vmlinux-cut2.btf" && add btf "$tmp/vmlinux-cut2.btf"
else
	note "no /sys/kernel/btf/vmlinux"
fi
cat > "$tmp/btf.c" <<'EOF'
/* BPF can define no variadic or struct-returning functions: those are
 * function pointer types here, which BTF describes all the same. */
typedef unsigned long size_t;
typedef long long loff_t;
typedef _Bool bool;
#define __user __attribute__((btf_type_tag("user")))
struct file { int f_flags; struct file *next; };
union u { int i; char c[4]; };
enum e { E_A, E_B = -1 };
struct s3 { long a, b, c; };
typedef const volatile struct file *cvf;
typedef int (*cb_t)(struct file *, const char *);
struct ops {
	int (*printk)(const char *fmt, ...);
	struct s3 (*make)(int);
	float (*ratio)(double);
} ops;
extern int ext_func(int a, long b);
__attribute__((noinline)) long vfs_read(struct file *file, char __user *buf, size_t count, loff_t *pos) { return count + *pos + file->f_flags + buf[0]; }
__attribute__((noinline)) int by_value(struct s3 *s) { return s->a; }
__attribute__((noinline)) int with_union(union u *p, enum e v, bool b) { return p->i + v + b; }
__attribute__((noinline)) void nothing(void) { }
__attribute__((noinline)) char chars(signed char a, unsigned char b, char c, short d, unsigned short e) { return a + b + c + d + e; }
__attribute__((noinline)) int callback(cb_t cb, cvf f, const char *const *argv, int arr[4]) { return cb((struct file *)f, argv[0]) + arr[1]; }
__attribute__((noinline)) int uses_ops(struct ops *o) { return o->printk("x", 1) + o->make(1).a; }
int use(void) { return ext_func(1, 2) + uses_ops(&ops); }
EOF
if command -v clang >/dev/null 2>&1; then
	for t in bpf bpfeb; do
		# GNU objcopy does not know BPF objects: llvm-objcopy (clang's)
		if clang -target $t -g -O2 -c -o "$tmp/btf-$t.o" "$tmp/btf.c" 2>/dev/null &&
		   { llvm-objcopy --dump-section .BTF="$tmp/btf-$t.btf" "$tmp/btf-$t.o" ||
		     llvm-objcopy-14 --dump-section .BTF="$tmp/btf-$t.btf" "$tmp/btf-$t.o"; } 2>/dev/null; then
			add btf "$tmp/btf-$t.btf"
		else
			note "clang -target $t could not make a BTF blob"
		fi
	done
else
	note "no clang: no small BTF blobs"
fi

# --- tpformat -----------------------------------------------------------

tracing=/sys/kernel/tracing
if [ ! -d "$tracing/events" ] && [ "$(id -u)" = 0 ]; then
	mount -t tracefs nodev "$tracing" 2>/dev/null || true
fi
[ -d "$tracing/events" ] || tracing=/sys/kernel/debug/tracing
if [ -d "$tracing/events" ]; then
	for f in "$tracing"/events/*/*/format; do
		[ -r "$f" ] && cat "$f" > "$tmp/format" 2>/dev/null && add tpformat "$tmp/format"
	done
else
	note "no tracefs: only the test suite's formats"
fi
# the formats of the compile target's fixture and of tests/tracefs.bats
perl -ne 'if (/^\t\{ "[^"]+", "[^"]+",$/) { $in = 1; $s = ""; next }
	if ($in && /^\t"(.*)"$/) { my $l = $1; $l =~ s/\\t/\t/g; $l =~ s/\\n/\n/g; $l =~ s/\\"/"/g; $l =~ s/\\\\/\\/g; $s .= $l; next }
	if ($in && /^\t\},$/) { $in = 0; $n++; open(F, ">", "'"$tmp"'/fixture-$n") or die; print F $s; close(F); }' \
	"$srcdir/tests/fuzz/fixture.h"
for f in "$tmp"/fixture-*; do
	[ -f "$f" ] && add tpformat "$f"
done
perl -0ne 'while (/<<.FMT.\n(.*?)\nFMT\n/sg) { $n++; open(F, ">", "'"$tmp"'/bats-fmt-$n") or die; print F "$1\n"; close(F); }' \
	"$srcdir/tests/tracefs.bats"
for f in "$tmp"/bats-fmt-*; do
	[ -f "$f" ] && add tpformat "$f"
done

# --- kallsyms -----------------------------------------------------------

if [ -r /proc/kallsyms ]; then
	cat /proc/kallsyms > "$tmp/kallsyms"
	total=$(wc -l < "$tmp/kallsyms")
	for start in 1 $((total / 3)) $((total / 2)) $((total - 300)); do
		[ "$start" -ge 1 ] || start=1
		tail -n +"$start" "$tmp/kallsyms" | head -300 > "$tmp/ks-$start"
		add kallsyms "$tmp/ks-$start"
	done
	grep ' \[' "$tmp/kallsyms" | head -300 > "$tmp/ks-modules" || true
	add kallsyms "$tmp/ks-modules"
	# as a non-root reader sees it under kptr_restrict: all zeros
	head -200 "$tmp/kallsyms" | sed 's/^[0-9a-f]*/0000000000000000/' > "$tmp/ks-zero"
	add kallsyms "$tmp/ks-zero"
else
	note "no /proc/kallsyms"
fi
printf 'ffffffff81000000 T _stext\nffffffff81000010 t foo\t[mod]\nffffffff81000020 W weak_one\nffffffff81000030 D data\n' \
	> "$tmp/ks-small"
add kallsyms "$tmp/ks-small"

# --- procmaps -----------------------------------------------------------

for pid in self 1 $$; do
	cat "/proc/$pid/maps" > "$tmp/maps-$pid" 2>/dev/null && add procmaps "$tmp/maps-$pid"
done
cat > "$tmp/maps-crafted" <<'EOF'
55d0c0a00000-55d0c0a02000 r--p 00000000 fe:01 1835027                    /usr/bin/true
7f3c1a200000-7f3c1a228000 r-xp 00028000 fe:01 1840413                    /usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)
7f3c1a400000-7f3c1a401000 rw-p 00000000 00:00 0
7f3c1a600000-7f3c1a601000 r-xp 00001000 08:02 18446744073709551615       /lib/libc-2.31.so
7ffd5e7e1000-7ffd5e802000 rw-p 00000000 00:00 0                          [stack]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
EOF
add procmaps "$tmp/maps-crafted"

# --- ldcache ------------------------------------------------------------

[ -r /etc/ld.so.cache ] && add ldcache /etc/ld.so.cache
if command -v ldconfig >/dev/null 2>&1 || [ -x /sbin/ldconfig ]; then
	ldc=$(command -v ldconfig || echo /sbin/ldconfig)
	: > "$tmp/empty.conf"
	for fmt in new compat old; do
		"$ldc" -c "$fmt" -C "$tmp/ld-$fmt.cache" -f "$tmp/empty.conf" -X \
			/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu 2>/dev/null &&
			add ldcache "$tmp/ld-$fmt.cache"
	done
fi

for t in compile elf btf tpformat kallsyms procmaps ldcache; do
	echo "seeds: $t: $(ls "$out/$t" | wc -l) files"
done
