#!/bin/bash
# The inbox and export benchmark (issues #5 and #8; not part of `make test`):
# 1,000,000 realistic cases in SQLite and in PostgreSQL, the first page of
# the inbox timed for many views, both engines' pages compared, and the CSV
# export of every case with its peak memory. See README.md.
#
#   bench/inbox.sh                 both engines, about 15 minutes on 2 cores
#   BENCH_ENGINES=sqlite bench/inbox.sh
#
# Knobs: BENCH_CASES (1000000), BENCH_RUNS (50 per view), BENCH_ENGINES
# ("sqlite pg"), BENCH_ADUAN (a prebuilt aduan), BENCH_KEEP (keep the files),
# BENCH_ADUAN_BEFORE (a second binary, e.g. main's: each engine's database is
# loaded once and each binary serves its own fresh copy of it, "before"
# first), BENCH_SETTLE_MAX (longest wait for the catch-up, 1800 s).
#
# A freshly loaded database has every case's deadline to compute and the
# long-resolved ones to auto-close: the server's SLA scheduler does that in
# the background after it starts. The views are timed once it is done:
# until GET /metrics says aduan_sla_catching_up 0, or, from a binary without
# that gauge, until the server has used under 5 % of a core for 10 s in a
# row. The time waited is printed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
CASES=${BENCH_CASES:-1000000}
RUNS=${BENCH_RUNS:-50}
ENGINES=${BENCH_ENGINES:-sqlite pg}
ADUAN=${BENCH_ADUAN:-}
KEEP=${BENCH_KEEP:-}
BEFORE=${BENCH_ADUAN_BEFORE:-}
SETTLE_MAX=${BENCH_SETTLE_MAX:-1800}
for v in $(env | sed -n 's/^\(ADUAN_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done

tmp=$(mktemp -d /tmp/aduan-inbox.XXXXXX)
chmod 755 "$tmp" # PostgreSQL runs as its own user
pg_dir=$tmp/pg
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    [ -d "$pg_dir" ] && sh "$root/tests/pgtmp.sh" stop "$pg_dir" || true
    [ -n "$KEEP" ] && { echo "kept $tmp"; return; }
    rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "$ADUAN" ]; then
    make -C "$root" -s build/rel/aduan
    ADUAN=$root/build/rel/aduan
fi
cp "$ADUAN" "$tmp/aduan"
ADUAN=$tmp/aduan
BINS=after
if [ -n "$BEFORE" ]; then
    cp "$BEFORE" "$tmp/aduan-before"
    BINS="before after"
fi
PY=/usr/bin/python3

echo "== generating $CASES cases (bench/inbox_gen.py)"
t0=$(date +%s)
$PY "$root/bench/inbox_gen.py" "$CASES" "$tmp/csv"
echo "   $(( $(date +%s) - t0 )) s"

serve() { # url port [binary]
    local bin=${3:-$ADUAN}
    # tests/pgtmp.sh's cluster runs with fsync=off, which aduan serve refuses
    # unless told it is a throwaway one: this benchmark only reads. The demo
    # admins sign in with the password alone (no 2FA), as under `make run`.
    ADUAN_DATABASE_URL=$1 ADUAN_LISTEN=127.0.0.1:$2 ADUAN_LOG_LEVEL=warn ADUAN_ALLOW_UNSAFE_DB=1 \
        ADUAN_2FA_REQUIRED_ROLES= \
        ADUAN_WA_APP_SECRET=bench ADUAN_MEDIA_DIR=$tmp/media "$bin" serve \
        >"$tmp/serve.out" 2>"$tmp/serve.err" &
    server_pid=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    cat "$tmp/serve.err" >&2
    exit 2
}

# CPU ticks (utime + stime) the server has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

# Waits until the server's SLA scheduler has caught up (see the top).
wait_catchup() { # port
    local t0 quiet=0 hz last now g
    t0=$(date +%s)
    hz=$(getconf CLK_TCK)
    if curl -sf "http://127.0.0.1:$1/metrics" | grep -q '^aduan_sla_catching_up '; then
        while :; do
            g=$(curl -sf "http://127.0.0.1:$1/metrics" | awk '/^aduan_sla_catching_up / {print $2}' || true)
            [ "$g" = 0 ] && break
            [ $(($(date +%s) - t0)) -ge "$SETTLE_MAX" ] && { echo "   catch-up NOT done after $SETTLE_MAX s"; break; }
            sleep 1
        done
        echo "   waited $(($(date +%s) - t0)) s for the SLA catch-up (aduan_sla_catching_up 0)," \
            "$(curl -sf "http://127.0.0.1:$1/metrics" | awk '/^aduan_sla_autoclosed_total / {print $2}' || true) auto-closed"
        return
    fi
    last=$(cpu_ticks)
    while [ "$quiet" -lt 10 ] && [ $(($(date +%s) - t0)) -lt "$SETTLE_MAX" ]; do
        sleep 1
        now=$(cpu_ticks)
        if [ $((now - last)) -le $((hz / 20)) ]; then quiet=$((quiet + 1)); else quiet=0; fi
        last=$now
    done
    echo "   waited $(($(date +%s) - t0)) s for the server to go quiet (no aduan_sla_catching_up" \
        "in /metrics: under 5 % of a core for 10 s)"
}

stop_server() {
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}

port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
status=0
for engine in $ENGINES; do
    echo
    echo "== $engine"
    if [ "$engine" = sqlite ]; then
        url=sqlite:$tmp/bench.db
        ADUAN_DATABASE_URL=$url "$ADUAN" init --demo >/dev/null
        t0=$(date +%s)
        (cd "$tmp/csv" && sqlite3 "$tmp/bench.db" <"$root/bench/inbox_load.sqlite.sql" >/dev/null)
        echo "   loaded in $(( $(date +%s) - t0 )) s: $(du -h "$tmp/bench.db" | cut -f1)"
    else
        eval "$(sh "$root/tests/pgtmp.sh" start "$pg_dir")"
        psql -q "$ADUAN_TEST_PG" -c "CREATE DATABASE bench"
        url=${ADUAN_TEST_PG/\/postgres\?//bench?}
        ADUAN_DATABASE_URL=$url "$ADUAN" init --demo >/dev/null
        t0=$(date +%s)
        (cd "$tmp/csv" && psql -q "$url" -f "$root/bench/inbox_load.pg.sql" >/dev/null)
        echo "   loaded in $(( $(date +%s) - t0 )) s"
    fi
    for bin in $BINS; do
        exe=$ADUAN
        [ "$bin" = before ] && exe=$tmp/aduan-before
        burl=$url
        if [ -n "$BEFORE" ]; then
            # Each binary gets the database as loaded, not as the other left it.
            echo "   -- $bin binary"
            if [ "$engine" = sqlite ]; then
                cp "$tmp/bench.db" "$tmp/bench-$bin.db"
                burl=sqlite:$tmp/bench-$bin.db
            else
                psql -q "$ADUAN_TEST_PG" -c "CREATE DATABASE bench_$bin TEMPLATE bench"
                burl=${url/\/bench\?//bench_$bin?}
            fi
        fi
        serve "$burl" "$port" "$exe"
        wait_catchup "$port"
        echo "   first page of GET /api/v1/cases, $RUNS runs per view (target p99 < 300 ms):"
        $PY "$root/bench/inbox_measure.py" "http://127.0.0.1:$port" "$RUNS" \
            "$tmp/ids-$engine-$bin.json" | tee "$tmp/views-$engine-$bin.txt" || status=1
        # The export through the API, as the superadmin: every case.
        curl -s -c "$tmp/cookies" -H 'Content-Type: application/json' \
            -d '{"login":"superadmin","password":"aduan-demo"}' \
            "http://127.0.0.1:$port/api/v1/auth/login" >/dev/null
        rss0=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
        curl -s -b "$tmp/cookies" -o "$tmp/api.csv" \
            -w '   API export: HTTP %{http_code}, %{size_download} bytes in %{time_total} s\n' \
            "http://127.0.0.1:$port/api/v1/cases/export.csv"
        rss1=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
        echo "   server peak RSS: $rss0 kB before the export, $rss1 kB after; $(($(wc -l <"$tmp/api.csv") - 1)) lines"
        stop_server
        # The export on the command line: peak memory for 1,000 and for every case.
        for q in "--to 2024-01-02" ""; do
            # shellcheck disable=SC2086
            ADUAN_DATABASE_URL=$burl /usr/bin/time -v "$exe" export $q -o "$tmp/cli.csv" \
                2>"$tmp/time.txt" || { cat "$tmp/time.txt"; status=1; }
            printf '   aduan export %-16s %s, peak RSS %s kB, %s s wall\n' "${q:-(every case)}" \
                "$(grep -o 'exported [0-9]* cases' "$tmp/time.txt")" \
                "$(awk '/Maximum resident/ {print $6}' "$tmp/time.txt")" \
                "$(awk '/Elapsed/ {print $8}' "$tmp/time.txt")"
        done
    done
    if [ -n "$BEFORE" ]; then
        echo
        echo "   $engine, p50 / p99 ms, before -> after (ratio of p50 after/before):"
        $PY - "$tmp/views-$engine-before.txt" "$tmp/views-$engine-after.txt" <<'PYEOF'
import math, sys
def rows(path):
    out = {}
    for line in open(path):
        f = line.rstrip("\n")
        if f.startswith("view") or len(f) < 45:
            continue
        nums = f[44:].split()
        if len(nums) == 4:
            out[f[:44].rstrip()] = (float(nums[0]), float(nums[1]))
    return out
b, a = rows(sys.argv[1]), rows(sys.argv[2])
logs = []
for k in a:
    if k in b:
        r = a[k][0] / b[k][0] if b[k][0] > 0 else float("nan")
        if b[k][0] > 0 and a[k][0] > 0:
            logs.append(math.log(r))
        print("   %-44s %7.1f / %7.1f -> %7.1f / %7.1f  %5.2fx" % (k, b[k][0], b[k][1], a[k][0], a[k][1], r))
if logs:
    print("   geometric mean of the p50 ratios: %.2fx over %d views" % (math.exp(sum(logs) / len(logs)), len(logs)))
PYEOF
    fi
    if [ "$engine" = pg ]; then
        sh "$root/tests/pgtmp.sh" stop "$pg_dir"
    fi
done

if [ -f "$tmp/ids-sqlite-after.json" ] && [ -f "$tmp/ids-pg-after.json" ]; then
    if cmp -s "$tmp/ids-sqlite-after.json" "$tmp/ids-pg-after.json"; then
        echo
        echo "== both engines returned the same page for every view"
    else
        echo
        echo "== MISMATCH: the engines' pages differ:"
        diff "$tmp/ids-sqlite-after.json" "$tmp/ids-pg-after.json" | head -20
        status=1
    fi
fi
exit $status
