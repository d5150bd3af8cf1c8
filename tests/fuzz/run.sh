#!/bin/sh
# Runs one libFuzzer target for a while (tests/fuzz/README.md).
#
#   sh tests/fuzz/run.sh BUILD_DIR NAME SECONDS
#
# BUILD_DIR/fuzz_NAME runs for SECONDS on its seeds (the "seeds:" line of
# tests/fuzz/fuzz_NAME.c) and its own corpus in BUILD_DIR/corpus/NAME,
# which grows from run to run. A crash, a leak, a sanitizer report or a
# timeout fails it: the input is kept in BUILD_DIR/artifacts/ and the
# command to replay it is printed. Prints one line "fuzz NAME: ..." and
# exits 0 when nothing was found.
set -u
dir=$1
name=$2
secs=$3
bin=$dir/fuzz_$name
src=tests/fuzz/fuzz_$name.c
[ -x "$bin" ] || { echo "fuzz $name: $bin is not built (make fuzz-build)"; exit 1; }
seeds=$(sed -n 's/^ *\*\{0,1\} *seeds: *//p' "$src" | head -n 1)
corpus=$dir/corpus/$name
artifacts=$dir/artifacts
log=$dir/fuzz_$name.log
mkdir -p "$corpus" "$artifacts"
# Leaks inside third-party libraries that aduan cannot free are listed in
# tests/lsan.supp. GMime's is matched by a glib function, which only full
# stacks show (glib has no frame pointers): the mail target unwinds slowly.
opts=${ASAN_OPTIONS:-detect_leaks=1}
[ "$name" = email ] && opts="$opts:fast_unwind_on_malloc=0"
# The seeds as separate directories: new inputs go into the first one only.
# shellcheck disable=SC2086
ASAN_OPTIONS=$opts LSAN_OPTIONS=suppressions=$(pwd)/tests/lsan.supp \
    "$bin" -max_total_time="$secs" -timeout=30 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$name-" \
    "$corpus" $seeds >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
files=$(ls "$corpus" | wc -l)
if [ "$rc" -eq 0 ]; then
    echo "fuzz $name: ok, ${runs:-?} runs in ${secs}s, ${cov:-cov: ?}, corpus $files"
    exit 0
fi
echo "fuzz $name: FAILED (exit $rc) after ${runs:-?} runs; the end of $log:"
grep -E 'ERROR|SUMMARY|runtime error|Test unit written|Crash|deadly|timeout' "$log" | head -20
art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | head -n 1)
[ -z "$art" ] || echo "replay: $bin $art"
exit 1
