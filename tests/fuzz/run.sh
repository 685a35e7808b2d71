#!/bin/sh
# Fuzzes awl: builds the targets (build.sh), makes their seed corpora
# (seeds.sh), replays the saved regressions, then runs each target for
# SECONDS (default 60) with libFuzzer. What `make fuzz FUZZ_SECONDS=N`
# runs:
#   tests/fuzz/run.sh BUILDDIR [SECONDS]
# Everything it makes is under BUILDDIR/fuzz: bin/ and obj/, seeds/,
# corpus/TARGET (what libFuzzer found interesting, kept across runs),
# artifacts/TARGET, logs/TARGET.log and summary.txt. A target that
# crashes, leaks, hangs (-timeout=10) or takes over 2 GB (-rss_limit_mb)
# fails the run, and its reproducer is copied into
# tests/fuzz/regressions/TARGET/, named by its SHA-1, for
# tests/fuzz.bats to replay from then on.
# Environment: FUZZ_TARGETS (default: all), FUZZ_JOBS (targets run at
# once; default: the number of CPUs), FUZZ_REGRESSIONS (where
# reproducers go; default: tests/fuzz/regressions of the source tree),
# FUZZ_NO_SEEDS=1 (keep BUILDDIR/fuzz/seeds as it is), FUZZ_SEEDS (a
# directory of TARGET/ seed directories to use instead), CC (clang).
set -eu

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [SECONDS]" >&2; exit 2; }
mkdir -p "$1"
builddir=$(cd "$1" && pwd)
seconds=${2:-60}
case $seconds in ''|*[!0-9]*) echo "fuzz: SECONDS must be a number" >&2; exit 2 ;; esac
targets=${FUZZ_TARGETS:-"compile elf btf tpformat kallsyms procmaps ldcache"}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
regressions=${FUZZ_REGRESSIONS:-$srcdir/tests/fuzz/regressions}
fz=$builddir/fuzz

# shellcheck disable=SC2086
"$srcdir/tests/fuzz/build.sh" "$builddir" $targets
seeds=${FUZZ_SEEDS:-$fz/seeds}
if [ -z "${FUZZ_SEEDS:-}" ] && { [ "${FUZZ_NO_SEEDS:-}" != 1 ] || [ ! -d "$fz/seeds" ]; }; then
	"$srcdir/tests/fuzz/seeds.sh" "$builddir"
fi

mkdir -p "$fz/logs" "$fz/tmp"
# the targets' own temporary files (compile's fake tracefs, ldcache's
# root) go here, so that a crash leaves nothing in /tmp
export TMPDIR="$fz/tmp"

# Per target: the largest input. The kernel's BTF (5 MB) and libc (2 MB)
# are seeds, but inputs that large fuzz at a few runs a second and fill
# the corpus with copies: past 1 MB they are cut, and the seeds' smaller
# files (cuts of the BTF, tiny programs) carry the fuzzing. The whole
# files are replayed by tests/fuzz.bats.
max_len() {
	case $1 in
	btf|elf) echo 1048576 ;;
	*) echo 0 ;;
	esac
}

# run_target TARGET: the regressions, then SECONDS of fuzzing; 0, 2 if
# a saved regression failed, else libFuzzer's status.
run_target() {
	t=$1
	log=$fz/logs/$t.log
	mkdir -p "$fz/corpus/$t" "$fz/artifacts/$t"
	rm -f "$fz/artifacts/$t"/*
	: > "$log"
	if [ -d "$regressions/$t" ] && [ -n "$(ls "$regressions/$t")" ]; then
		echo "== replaying $regressions/$t" >> "$log"
		# (files named one by one: libFuzzer runs each once, and saves
		# no artifact for them, as they are saved already)
		"$fz/bin/$t" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
			"$regressions/$t"/* >> "$log" 2>&1 || return 2
	fi
	mkdir -p "$seeds/$t"
	dict=
	[ "$t" = compile ] && dict=-dict=$srcdir/tests/fuzz/awl.dict
	echo "== fuzzing for $seconds s" >> "$log"
	# shellcheck disable=SC2086
	"$fz/bin/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len "$t")" -print_final_stats=1 $dict \
		-artifact_prefix="$fz/artifacts/$t/" "$fz/corpus/$t" "$seeds/$t" >> "$log" 2>&1
}

# The targets, FUZZ_JOBS at a time; each one's status in logs/TARGET.status.
running=0
for t in $targets; do
	(rc=0; run_target "$t" || rc=$?; echo "$rc" > "$fz/logs/$t.status") &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

failed=0
for t in $targets; do
	: > "$fz/logs/$t.summary"
done
for t in $targets; do
	log=$fz/logs/$t.log
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	rc=$(cat "$fz/logs/$t.status")
	if [ "$rc" = 0 ]; then
		echo "fuzz: $t: $(date -u +%F): ${runs:-?} runs in ${secs:-?} s, ${cov:-cov: ?}, no crash" |
			tee -a "$fz/logs/$t.summary"
		continue
	fi
	failed=1
	found=0
	if [ "$rc" = 2 ]; then
		bad=$(sed -n 's/^Running: //p' "$log" | tail -1)
		echo "fuzz: $t: FAILED on the saved regression ${bad:-(see the log)}" | tee -a "$fz/logs/$t.summary"
		found=1
	fi
	for a in "$fz/artifacts/$t"/crash-* "$fz/artifacts/$t"/leak-* "$fz/artifacts/$t"/timeout-* \
		"$fz/artifacts/$t"/oom-*; do
		[ -f "$a" ] || continue
		mkdir -p "$regressions/$t"
		sum=$(sha1sum < "$a" | cut -c1-40)
		cp "$a" "$regressions/$t/$sum"
		echo "fuzz: $t: FAILED: ${a##*/} saved as $regressions/$t/$sum" | tee -a "$fz/logs/$t.summary"
		found=1
	done
	[ "$found" = 1 ] || echo "fuzz: $t: FAILED with no reproducer: see $log" | tee -a "$fz/logs/$t.summary"
	grep -m1 -A3 -E '^==[0-9]+==ERROR|runtime error|^SUMMARY' "$log" | sed 's/^/    /' || true
done
# every target's latest result, this run's or an earlier one's
cat "$fz"/logs/*.summary > "$fz/summary.txt" 2>/dev/null || true
[ "$failed" = 0 ] || echo "fuzz: failures: logs in $fz/logs; replay one with $fz/bin/TARGET FILE" >&2
exit "$failed"
