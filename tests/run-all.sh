#!/bin/sh
# Runs every test against the build in $1 (default build/asan): the banned
# function check, the cmocka unit tests, the fuzz targets (build/fuzz, 20 s
# each), then the end-to-end tests that start the real binary. Ends with one
# line CI reads: "N passed, N failed".
set -u
B=${1:-build/asan}
passed=0
failed=0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

count() { # $1 = label, $2 = passed, $3 = failed
    passed=$((passed + $2))
    failed=$((failed + $3))
    printf '%-28s %s passed, %s failed\n' "$1" "$2" "$3"
}

# A throwaway PostgreSQL for every test that touches data (both engines).
pgdir=$(mktemp -d /tmp/aduan-pg.XXXXXX)
trap 'sh tests/pgtmp.sh stop "$pgdir"' EXIT INT TERM
if pgenv=$(sh tests/pgtmp.sh start "$pgdir"); then
    eval "$pgenv"
    export ADUAN_TEST_PG ADUAN_TEST_PG_DIR ADUAN_TEST_PG_PORT ADUAN_TEST_PG_BIN
    echo "PostgreSQL for the tests: port $ADUAN_TEST_PG_PORT, socket in $pgdir"
else
    echo "could not start PostgreSQL: the PostgreSQL half of the suite cannot run"
    count "postgresql start" 0 1
fi

if sh tools/lint.sh --banned; then count "lint (banned functions)" 1 0; else count "lint (banned functions)" 0 1; fi

for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    log="$B/tests/$(basename "$t").log"
    "$t" >"$log" 2>&1
    rc=$?
    # A binary may run several groups (one per engine): add them up.
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # a crash or a sanitizer report
    if [ "$f" -ne 0 ]; then
        grep -E 'ERROR|FAILED|LINE|runtime error|Sanitizer' "$log" | head -40
        echo "(full log: $log)"
    fi
    count "unit $(basename "$t")" "$p" "$f"
done

# The libFuzzer targets (tests/fuzz/), 20 seconds each: a parser that
# regressed is caught here; `make fuzz` runs them for longer.
FUZZ=${FUZZ_DIR:-build/fuzz}
for t in tests/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c)
    name=${name#fuzz_}
    if sh tests/fuzz/run.sh "$FUZZ" "$name" "${FUZZ_TEST_SECONDS:-20}"; then
        count "fuzz $name" 1 0
    else
        count "fuzz $name" 0 1
    fi
done

log="$B/e2e.log"
ADUAN_BIN="$B/aduan" /usr/bin/python3 -m pytest -p no:cacheprovider -q tests/e2e >"$log" 2>&1
rc=$?
summary=$(tail -n 1 "$log")
p=$(echo "$summary" | grep -o '[0-9]* passed' | grep -o '[0-9]*')
f=$(echo "$summary" | grep -o '[0-9]* failed' | grep -o '[0-9]*')
e=$(echo "$summary" | grep -o '[0-9]* error' | grep -o '[0-9]*')
p=${p:-0}
f=$((${f:-0} + ${e:-0}))
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # no tests collected, or pytest broke
if [ "$f" -ne 0 ]; then
    grep -vE '^\.+' "$log" | tail -60
    echo "(full log: $log)"
fi
count "e2e (pytest)" "$p" "$f"

# The dashboard in real Chromium (tests/browser, node's test runner).
log="$B/browser.log"
if command -v node >/dev/null && [ -d node_modules/playwright-core ]; then
    # Two files at a time: each mostly waits on its Chromium and its server,
    # so on 2 cores the suite takes about half as long (1,064 s -> 538 s).
    ADUAN_BIN="$B/aduan" node --test --test-concurrency=2 tests/browser/*.test.mjs >"$log" 2>&1
    rc=$?
    p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -n 1)
    f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -n 1)
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    if [ "$f" -ne 0 ]; then
        grep -E -A12 '^ *not ok' "$log" | head -80
        echo "(full log: $log; screenshots in build/artifacts)"
    fi
else
    echo "node or node_modules/playwright-core missing (run npm ci)"
    p=0
    f=1
fi
count "browser:" "$p" "$f"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
