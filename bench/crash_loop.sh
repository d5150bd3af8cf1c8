#!/usr/bin/env bash
# The crash loop at length (issue #19 §5): webhook load, kill -9, restart,
# BENCH_CYCLES times (default 100) on each engine, with the release build and
# the durable defaults (ADUAN_DURABILITY=fsync; PostgreSQL restarted with
# fsync=on), then every acknowledged message must be stored and processed
# exactly once. The 10-cycle version runs in `make test`
# (tests/e2e/test_crash_loop.py); both use tests/e2e/crash_loop.py, whose
# header says what is checked. See bench/README.md, "Crash loop".
#
#   bench/crash_loop.sh                        both engines, 100 cycles each
#   BENCH_CYCLES=30 BENCH_ENGINES=sqlite bench/crash_loop.sh
#
# Prints one JSON line of figures per engine; exit status 1 when a check
# failed, 2 on a setup failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
CYCLES=${BENCH_CYCLES:-100}
ENGINES=${BENCH_ENGINES:-sqlite pg}
for v in $(env | sed -n 's/^\(ADUAN_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
die() { echo "crash_loop.sh: $*" >&2; exit 2; }

make -C "$root" --no-print-directory build >&2 || die "make build failed"
tmp=$(mktemp -d /tmp/aduan-crash.XXXXXX)
pg_dir=""
cleanup() {
    [ -z "$pg_dir" ] || sh "$root/tests/pgtmp.sh" stop "$pg_dir" || true
    rm -rf "$tmp"
}
trap cleanup EXIT
cp "$root/build/rel/aduan" "$tmp/aduan"
export ADUAN_BIN=$tmp/aduan
rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "aduan $rev (build/rel), $CYCLES cycles per engine, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

status=0
for engine in $ENGINES; do
    url=""
    case "$engine" in
    sqlite) ;;
    pg)
        pg_dir="$tmp-pg"
        eval "$(sh "$root/tests/pgtmp.sh" start "$pg_dir")" || die "pgtmp start failed"
        export ADUAN_TEST_PG ADUAN_TEST_PG_DIR ADUAN_TEST_PG_PORT ADUAN_TEST_PG_BIN
        # tests/pgtmp.sh runs with fsync=off: restart it durable, as in production.
        as_pg=""
        [ "$(id -u)" -ne 0 ] || as_pg="runuser -u postgres --"
        $as_pg "$ADUAN_TEST_PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
            -o "-k $pg_dir -p $ADUAN_TEST_PG_PORT -c listen_addresses= -c max_connections=200 -c fsync=on -c full_page_writes=on -c synchronous_commit=on" \
            restart >/dev/null || die "PostgreSQL restart with fsync=on failed"
        [ "$("$ADUAN_TEST_PG_BIN/psql" -X -q -A -t -h "$pg_dir" -p "$ADUAN_TEST_PG_PORT" \
            -U postgres -d postgres -c "SHOW fsync")" = on ] || die "fsync is not on"
        url=$(cd "$root/tests/e2e" && /usr/bin/python3 -c 'import aduan_e2e; print(aduan_e2e.pg_database())')
        ;;
    *) die "unknown engine: $engine" ;;
    esac
    echo "== $engine" >&2
    t0=$(date +%s)
    if out=$(/usr/bin/python3 "$root/tests/e2e/crash_loop.py" --cycles "$CYCLES" \
        --workdir "$tmp/$engine" ${url:+--database-url "$url"}); then
        echo "{\"engine\": \"$engine\", $(echo "$out" | sed 's/^{//')"
    else
        echo "!! $engine: a check FAILED (above)" >&2
        status=1
    fi
    echo "   $(( $(date +%s) - t0 )) s" >&2
    if [ -n "$pg_dir" ]; then
        sh "$root/tests/pgtmp.sh" stop "$pg_dir"
        pg_dir=""
    fi
done
exit $status
