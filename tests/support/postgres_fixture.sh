#!/bin/bash
# ctest's `postgres_server` fixture: `start DIR` runs one PostgreSQL server for the whole test run, listening
# only on a Unix socket in DIR (tests find it through CDR_TEST_POSTGRES_DIR, tests/support/postgres_server.h);
# `stop DIR` stops it by the pid in its postmaster.pid and removes DIR. As root it runs as the postgres user.
set -euo pipefail
action=$1
dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
# Tests throw the data away: no fsync unless asked (bench/plan_scale_pg.sh measures a durable server).
fsync=${CDR_POSTGRES_FSYNC:-off}
# From /: the postgres user may not be allowed into the caller's directory.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    pid=$(head -n 1 "$dir/data/postmaster.pid")
    kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$dir"
}
case $action in
  start)
    stop
    mkdir -p "$dir"
    chmod 755 "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log"; exit 1; }
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 90 \
      -o "-k $dir -c listen_addresses= -c fsync=$fsync -c synchronous_commit=$fsync -c full_page_writes=$fsync -c max_connections=300" \
      start || { cat "$dir/server.log"; exit 1; }
    ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
