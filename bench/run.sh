#!/usr/bin/env bash
# The webhook ingest benchmark: see bench/README.md.
#
#   bench/run.sh            both engines, the default steps (about 3.5 minutes)
#
# Knobs (environment):
#   BENCH_ENGINES   "sqlite pg-fsync"               engines: sqlite; pg-fsync (PostgreSQL
#                                                   with fsync on, as in production); pg
#                                                   (tests/pgtmp.sh's fsync=off cluster,
#                                                   served with ADUAN_ALLOW_UNSAFE_DB=1)
#   BENCH_DURABILITY fsync                          ADUAN_DURABILITY (fsync | process)
#   BENCH_RATES     "2000 5000 10000 15000 20000"   target msg/s, one step each
#   BENCH_DURATION  10                              seconds of schedule per step
#   BENCH_CONNS     32                              keep-alive connections
#   BENCH_THREADS   4                               ADUAN_THREADS
#   BENCH_POOL      4                               ADUAN_DB_POOL_SIZE
#   BENCH_ADUAN     unset                           a prebuilt aduan to test instead
#                                                   of `make build` (an experiment)
#   BENCH_KEEP      unset                           1: keep the temporary files
#
# Exit status: 0 when every acknowledged message was found committed; 1 when
# one was not (or a row nobody was told about appeared) or the server died;
# 2 on a setup failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ENGINES=${BENCH_ENGINES:-sqlite pg-fsync}
DURABILITY=${BENCH_DURABILITY:-fsync}
RATES=${BENCH_RATES:-2000 5000 10000 15000 20000}
DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNS:-32}
THREADS=${BENCH_THREADS:-4}
POOL=${BENCH_POOL:-4}
KEEP=${BENCH_KEEP:-}
ADUAN_BIN=${BENCH_ADUAN:-}
GRACE=5  # a step may go on sending this long after its schedule ends,
DRAIN=5  # then waits at most this long for the last answers
SETTLE=2 # seconds between steps

# Nothing of the caller's aduan settings (a real access token would make the
# worker call Meta; another database...): the server gets only ours.
for v in $(env | sed -n 's/^\(ADUAN_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
unset BENCH_KEEP BENCH_ADUAN BENCH_DURABILITY

die() { echo "run.sh: $*" >&2; exit 2; }
for c in sqlite3 curl python3 make cc column; do
    command -v "$c" >/dev/null || die "$c is needed"
done

tmp=$(mktemp -d /tmp/aduan-bench.XXXXXX)
SECRET="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
srv_pid=""
pg_dir=""
stop_server() {
    [ -n "$srv_pid" ] || return 0
    kill -TERM "$srv_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$srv_pid" 2>/dev/null || true
    wait "$srv_pid" 2>/dev/null || true
    srv_pid=""
}
stop_pg() {
    [ -n "$pg_dir" ] || return 0
    sh "$root/tests/pgtmp.sh" stop "$pg_dir" || true
    pg_dir=""
}
cleanup() {
    stop_server
    stop_pg
    if [ -z "$KEEP" ]; then rm -rf "$tmp"; else echo "run.sh: kept $tmp" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- build ------------------------------------------------------------------
echo "== building" >&2
if [ -z "$ADUAN_BIN" ]; then
    make -C "$root" --no-print-directory build >&2 || die "make build failed"
    ADUAN_BIN=$root/build/rel/aduan
    rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [ -n "$(git -C "$root" status --porcelain -- src 2>/dev/null)" ]; then
        rev="$rev+uncommitted changes in src/"
    fi
    rev="$rev (build/rel, -O2)"
else
    rev="$ADUAN_BIN (BENCH_ADUAN)"
fi
make -C "$here" --no-print-directory >&2 || die "make -C bench failed"
# Copies: others may rebuild build/rel/aduan while this runs.
cp "$ADUAN_BIN" "$tmp/aduan" || die "no $ADUAN_BIN"
cp "$here/build/ingest" "$tmp/ingest"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---- CPU accounting ---------------------------------------------------------
HZ=$(getconf CLK_TCK)
# CPU ticks (user+system) of the server's threads, summed by name:
# "MHD-worker" (HTTP threads), "aduan" (the main thread, which sleeps, the
# background worker and the SLA scheduler) and "aduan-ingest" (the webhook
# group committer; jobs% counts it with "aduan").
thread_ticks() { # PID NAME
    local sum=0 t
    for t in /proc/"$1"/task/*; do
        [ "$(cat "$t/comm" 2>/dev/null)" = "$2" ] || continue
        sum=$((sum + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)))
    done
    echo "$sum"
}
# The PostgreSQL processes: the postmaster and its children.
db_pids() {
    [ -n "$pg_dir" ] && [ -f "$pg_dir/data/postmaster.pid" ] || return 0
    local pm
    pm=$(head -n 1 "$pg_dir/data/postmaster.pid")
    echo "$pm" $(ps -o pid= --ppid "$pm")
}
pids_ticks() {
    local sum=0 p
    for p in "$@"; do
        sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$sum"
}
host_ticks() { awk '/^cpu /{b=$2+$3+$4+$7+$8+$9; print b, b+$5+$6}' /proc/stat; }
pct() { awk -v d="$1" -v w="$2" -v hz="$HZ" 'BEGIN{printf "%.0f", d/hz/w*100}'; }

# ---- database access ---------------------------------------------------------
db_query() { # SQL -> one value per line
    case "$engine" in
    sqlite) sqlite3 -batch -noheader "$db_file" "$1" ;;
    pg*) "$ADUAN_TEST_PG_BIN/psql" -X -q -A -t -h "$ADUAN_TEST_PG_DIR" -p "$ADUAN_TEST_PG_PORT" \
        -U postgres -d aduanbench -c "$1" ;;
    esac
}
wamid_sql() { # the wamids of the rows after id $1
    case "$engine" in
    sqlite) echo "SELECT json_extract(body, '\$.entry[0].changes[0].value.messages[0].id')" \
        "FROM inbound WHERE id > $1" ;;
    pg*) echo "SELECT body::json->'entry'->0->'changes'->0->'value'->'messages'->0->>'id'" \
        "FROM inbound WHERE id > $1" ;;
    esac
}

start_server() { # DATABASE_URL
    local url=$1
    port=$(free_port)
    (cd "$tmp" && ADUAN_DATABASE_URL="$url" ADUAN_MEDIA_DIR="$tmp/media-$engine" \
        ./aduan init --demo) >"$tmp/init-$engine.log" 2>&1 ||
        { cat "$tmp/init-$engine.log" >&2; die "aduan init --demo failed ($engine)"; }
    # The fsync=off cluster is refused unless it is declared a throwaway one.
    local unsafe=0
    [ "$engine" != pg ] || unsafe=1
    serve_cmd="ADUAN_LISTEN=127.0.0.1:PORT ADUAN_DATABASE_URL=<sqlite:FILE or postgresql:///aduanbench?host=..> ADUAN_MEDIA_DIR=DIR"
    serve_cmd="$serve_cmd ADUAN_WA_APP_SECRET=SECRET ADUAN_LOG_LEVEL=warn ADUAN_THREADS=$THREADS"
    serve_cmd="$serve_cmd ADUAN_DB_POOL_SIZE=$POOL ADUAN_DURABILITY=$DURABILITY"
    serve_cmd="$serve_cmd [pg: ADUAN_ALLOW_UNSAFE_DB=1] aduan serve   (no ADUAN_WA_ACCESS_TOKEN: simulator)"
    (cd "$tmp" && exec env ADUAN_LISTEN="127.0.0.1:$port" ADUAN_DATABASE_URL="$url" \
        ADUAN_MEDIA_DIR="$tmp/media-$engine" ADUAN_WA_APP_SECRET="$SECRET" \
        ADUAN_LOG_LEVEL=warn ADUAN_THREADS="$THREADS" ADUAN_DB_POOL_SIZE="$POOL" \
        ADUAN_DURABILITY="$DURABILITY" ADUAN_ALLOW_UNSAFE_DB="$unsafe" \
        ./aduan serve) >"$tmp/serve-$engine.log" 2>&1 &
    srv_pid=$!
    local up=""
    for _ in $(seq 100); do
        if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz"; then up=1; break; fi
        kill -0 "$srv_pid" 2>/dev/null || { cat "$tmp/serve-$engine.log" >&2; die "server died"; }
        sleep 0.1
    done
    [ -n "$up" ] || die "server not answering"
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -X POST -d '{}' \
        "http://127.0.0.1:$port/webhooks/whatsapp")
    [ "$code" = 401 ] || die "an unsigned webhook got $code, not 401"
}

kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; } # KEY of a RESULT line

results="$tmp/results.tsv"
: >"$results"
: >"$tmp/details.log"
fail=0
nonce_base=$(($(date +%s) % 100000 * 1000))
step=0

run_step() { # RATE
    local rate=$1
    step=$((step + 1))
    local before max_before acked_file="$tmp/acked-$engine-$rate.txt"
    before=$(db_query "SELECT count(*) FROM inbound")
    max_before=$(db_query "SELECT coalesce(max(id), 0) FROM inbound")
    local dbp http0 jobs0 db0 hb0 ht0
    dbp=$(db_pids)
    http0=$(thread_ticks "$srv_pid" MHD-worker)
    jobs0=$(($(thread_ticks "$srv_pid" aduan) + $(thread_ticks "$srv_pid" aduan-ingest)))
    db0=$(pids_ticks $dbp)
    read -r hb0 ht0 < <(host_ticks)
    echo "== $engine: $rate msg/s for ${DURATION}s" >&2
    gen_cmd="ingest -p PORT -s SECRET -r RATE -d $DURATION -c $CONNS -g $GRACE -D $DRAIN -n NONCE -a ACKED_FILE"
    local line
    line=$("$tmp/ingest" -p "$port" -s "$SECRET" -r "$rate" -d "$DURATION" -c "$CONNS" \
        -g "$GRACE" -D "$DRAIN" -n $((nonce_base + step)) -a "$acked_file" \
        2> >(sed 's/^/   /' >&2)) || die "the generator failed"
    local http1 jobs1 db1 hb1 ht1
    http1=$(thread_ticks "$srv_pid" MHD-worker)
    jobs1=$(($(thread_ticks "$srv_pid" aduan) + $(thread_ticks "$srv_pid" aduan-ingest)))
    db1=$(pids_ticks $dbp)
    read -r hb1 ht1 < <(host_ticks)
    local wall http_cpu jobs_cpu db_cpu gen_cpu host_cpu other_cpu
    wall=$(kv wall_s "$line")
    http_cpu=$(pct $((http1 - http0)) "$wall")
    jobs_cpu=$(pct $((jobs1 - jobs0)) "$wall")
    db_cpu=$(pct $((db1 - db0)) "$wall")
    gen_cpu=$(kv gen_cpu_pct "$line")
    host_cpu=$(awk -v a="$hb0" -v b="$hb1" -v c="$ht0" -v d="$ht1" -v n="$(nproc)" \
        'BEGIN{printf "%.0f", (b-a)/(d-c)*100*n}')
    other_cpu=$((host_cpu - http_cpu - jobs_cpu - db_cpu - gen_cpu))
    [ "$other_cpu" -ge 0 ] || other_cpu=0

    if ! kill -0 "$srv_pid" 2>/dev/null; then
        echo "!! the server DIED during the $engine step at $rate msg/s; the end of its log:" >&2
        tail -n 20 "$tmp/serve-$engine.log" >&2
        fail=1
    fi
    # Every answer is in: each acknowledged message must be committed.
    local after committed acked errors ambiguous backlog
    after=$(db_query "SELECT count(*) FROM inbound")
    backlog=$(db_query "SELECT count(*) FROM inbound WHERE state = 'new'")
    committed=$((after - before))
    acked=$(kv acked "$line")
    errors=$(kv errors "$line")
    ambiguous=$(($(kv transport "$line") + $(kv timeouts "$line")))
    db_query "$(wamid_sql "$max_before")" | LC_ALL=C sort >"$tmp/db-wamids.txt"
    LC_ALL=C sort -o "$acked_file" "$acked_file"
    local missing extra dups verdict=ok
    missing=$(LC_ALL=C comm -23 "$acked_file" "$tmp/db-wamids.txt" | wc -l)
    extra=$(LC_ALL=C comm -13 "$acked_file" "$tmp/db-wamids.txt" | wc -l)
    dups=$(uniq -d "$tmp/db-wamids.txt" | wc -l)
    # A request whose answer was lost (transport error, timeout) may or may
    # not be committed: only those may appear without a 200.
    if [ "$missing" -ne 0 ] || [ "$dups" -ne 0 ] || [ "$extra" -gt "$ambiguous" ] ||
        [ "$committed" -lt "$acked" ] || [ "$committed" -gt $((acked + ambiguous)) ]; then
        verdict=MISMATCH
        fail=1
        echo "!! MISMATCH $engine @ $rate msg/s: acked=$acked committed=$committed" \
            "acked-but-missing=$missing committed-not-acked=$extra duplicates=$dups" \
            "answers-lost=$ambiguous" >&2
    fi
    printf '%s\n' "$engine	$rate	$(kv achieved "$line")	$(kv p50_ms "$line")	$(kv p99_ms "$line")	$(kv max_ms "$line")	$errors	$acked	$committed	$verdict	$http_cpu	$jobs_cpu	$db_cpu	$gen_cpu	$other_cpu	$backlog" >>"$results"
    {
        echo "$engine $rate: $line"
        if [ "$engine" = sqlite ]; then
            echo "    WAL file: $(stat -c %s "$db_file-wal" 2>/dev/null || echo 0) bytes"
        fi
    } >>"$tmp/details.log"
    sleep "$SETTLE"
}

for engine in $ENGINES; do
    case "$engine" in
    sqlite)
        db_file="$tmp/aduan-sqlite.db"
        start_server "sqlite:$db_file"
        ;;
    pg | pg-fsync)
        pg_dir="$tmp-pg" # not inside $tmp: the postgres user must reach it
        pg_env=$(sh "$root/tests/pgtmp.sh" start "$pg_dir") || die "pgtmp start failed"
        eval "$pg_env"
        if [ "$engine" = pg-fsync ]; then
            # tests/pgtmp.sh runs with fsync=off (set on the command line, so
            # ALTER SYSTEM cannot undo it): restart this one with its WAL
            # flushed at each commit, as a production PostgreSQL runs.
            as_pg=""
            [ "$(id -u)" -ne 0 ] || as_pg="runuser -u postgres --"
            $as_pg "$ADUAN_TEST_PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
                -o "-k $pg_dir -p $ADUAN_TEST_PG_PORT -c listen_addresses= -c max_connections=200 -c fsync=on -c full_page_writes=on -c synchronous_commit=on" \
                restart >/dev/null || die "PostgreSQL restart with fsync=on failed"
            [ "$("$ADUAN_TEST_PG_BIN/psql" -X -q -A -t -h "$ADUAN_TEST_PG_DIR" -p "$ADUAN_TEST_PG_PORT" \
                -U postgres -d postgres -c "SHOW fsync")" = on ] || die "fsync is not on"
        fi
        "$ADUAN_TEST_PG_BIN/createdb" -h "$ADUAN_TEST_PG_DIR" -p "$ADUAN_TEST_PG_PORT" \
            -U postgres aduanbench || die "createdb failed"
        start_server "postgresql:///aduanbench?host=$ADUAN_TEST_PG_DIR&port=$ADUAN_TEST_PG_PORT&user=postgres"
        ;;
    *) die "unknown engine: $engine" ;;
    esac
    for rate in $RATES; do run_step "$rate"; done
    stop_server
    stop_pg
done

# ---- report -------------------------------------------------------------------
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "machine: nproc=$(nproc), CPU: $cpu_model, $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo), Linux $(uname -r), loopback"
echo "aduan:   $rev"
extra_env=$(env | grep -E '^BENCH_(GC|NO_JOBS)=' | tr '\n' ' ' || true)
[ -z "$extra_env" ] || echo "         experiment switches in the environment: $extra_env"
echo "server:  $serve_cmd"
echo "load:    $gen_cmd"
echo "         (bench/build/ingest: open loop, request i due at i/RATE s, $CONNS keep-alive"
echo "          connections, latency from the due time; ${DURATION}s per step)"
echo "command: $(printf '%s ' "${0}") (BENCH_ENGINES='$ENGINES' BENCH_RATES='$RATES' BENCH_DURATION=$DURATION BENCH_CONNS=$CONNS BENCH_THREADS=$THREADS BENCH_POOL=$POOL BENCH_DURABILITY=$DURABILITY)"
echo
{
    printf 'engine\ttarget/s\tachieved/s\tp50_ms\tp99_ms\tmax_ms\terrors\tacked\tcommitted\tcheck\thttp%%\tjobs%%\tpg%%\tgen%%\tother%%\tbacklog\n'
    cat "$results"
} | column -t -s "$(printf '\t')"
echo
echo "CPU, 100 = one core (the machine has $(($(nproc) * 100))): http = aduan's HTTP threads (the"
echo "ingest itself, SQLite included), jobs = aduan's background worker, pg = the PostgreSQL"
echo "processes, gen = the load generator, other = the rest of the machine's busy time"
echo "(kernel threads, disk writeback, other programs). errors = non-200 + transport errors"
echo "+ timeouts + requests never sent (server fell behind). backlog = inbox rows the worker"
echo "has not processed yet at the end of the step (they carry over to the next step)."
echo
awk -F '\t' '$1 == "sqlite" && $2 == 10000 {
    ok = ($3 >= 9900 && $5 < 20 && $7 == 0)
    printf "target (DESIGN.md 7: sqlite, 10000 msg/s, p99 < 20 ms, no errors): %s (achieved %s/s, p99 %s ms, errors %s)\n",
        ok ? "MET" : "NOT MET", $3, $5, $7 }' "$results"
echo
echo "details:"
sed 's/^/  /' "$tmp/details.log"
if [ "$fail" -ne 0 ]; then
    echo "!! FAILED: a server died, or acknowledged messages and committed rows do not match (above)" >&2
    exit 1
fi
echo "every acknowledged message was found committed (by wamid), and nothing else."
