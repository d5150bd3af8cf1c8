#!/bin/sh
# A throwaway PostgreSQL for the tests, on a Unix socket in its own
# directory (no TCP at all), removed afterwards.
#
#   tests/pgtmp.sh start DIR   initdb into DIR, start it; prints KEY=VALUE lines:
#                              ADUAN_TEST_PG (a URL of the "postgres" database),
#                              ADUAN_TEST_PG_DIR, ADUAN_TEST_PG_PORT, ADUAN_TEST_PG_BIN
#   tests/pgtmp.sh stop DIR    stop it and remove DIR
#
# PostgreSQL refuses to run as root, so as root the server runs as the
# "postgres" user that Debian's package creates.
set -eu
cmd=$1
dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "pgtmp: PostgreSQL is not installed (make deps)" >&2; exit 1; }
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    chmod 700 "$dir"
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -p $port -c listen_addresses= -c fsync=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "ADUAN_TEST_PG='postgresql:///postgres?host=$dir&port=$port&user=postgres'"
    echo "ADUAN_TEST_PG_DIR=$dir"
    echo "ADUAN_TEST_PG_PORT=$port"
    echo "ADUAN_TEST_PG_BIN=$bin"
    ;;
stop)
    if [ -d "$dir/data" ]; then
        as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
