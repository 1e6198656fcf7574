#!/usr/bin/env bash
# bench/plan_scale_pg: `cdr plan` of 10 groups × 20 servers (200 agents) with the state on PostgreSQL, as a ratio
# to the same plan with the state in the SQLite file, both measured in the same run on the same estate (the
# PostgreSQL copy is made by `cdr state migrate`). Target: ≤ 1.5×.
# The server is a throwaway one (initdb + pg_ctl in a temp dir, Unix socket only, started and stopped by
# tests/support/postgres_fixture.sh; as root it runs as the postgres user); fsync stays on here, unlike in tests.
# Usage: bench/plan_scale_pg.sh [path/to/cdr] [runs]
set -euo pipefail
CDR=$(realpath "${1:-build/cdr}")
RUNS=${2:-7}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/cdr-bench-plan-pg.XXXXXX)
PGDIR=$(mktemp -u /tmp/cdr-bench-pg.XXXXXX)
cleanup() {
  (cd "$WORK" && "$CDR" local down >/dev/null 2>&1) || true
  "$HERE/../tests/support/postgres_fixture.sh" stop "$PGDIR" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

CDR_POSTGRES_FSYNC=on "$HERE/../tests/support/postgres_fixture.sh" start "$PGDIR" >/dev/null
URL="postgresql:///estate?host=$PGDIR&user=postgres"
psql_admin() { psql -q -h "$PGDIR" -U postgres -d postgres -c "$1"; }
psql_admin "CREATE DATABASE estate" >/dev/null

"$CDR" local init --hosts 200 --disk-size-mib 8 >/dev/null
mkdir specs
{
  printf '[provider]\ntype = "local"\nroot = ".cdr/cloud"\n\n[quota]\nagents = 200\n'
  for g in $(seq 1 10); do
    printf '\n[[group]]\nname = "group-%d"\nproduction_zone = "az1"\ndr_zone = "az2"\nvpc = "vpc-prod"\n' "$g"
    for s in $(seq 1 20); do
      n=$(( (g - 1) * 20 + s ))
      printf '\n[[group.server]]\nname = "srv-%d"\nhost = "host-%d"\nreplication = "stopped"\n' "$n" "$n"
    done
  done
} > specs/fleet.toml
"$CDR" apply --auto-approve >/dev/null
"$CDR" state migrate --to "$URL" >/dev/null
"$CDR" plan -detailed-exitcode >/dev/null || { echo "plan on SQLite after apply is not a no-op" >&2; exit 1; }
"$CDR" --state "$URL" plan -detailed-exitcode >/dev/null || { echo "plan on PostgreSQL is not a no-op" >&2; exit 1; }

now_ns() { date +%s%N; }
# Median wall time in ms of RUNS executions of the given command; the two backends alternate run by run so a
# noisy neighbour hits both alike.
declare -a sqlite_samples pg_samples
for _ in $(seq 1 "$RUNS"); do
  t0=$(now_ns); "$CDR" plan >/dev/null; t1=$(now_ns)
  sqlite_samples+=($(( (t1 - t0) / 1000000 )))
  t0=$(now_ns); "$CDR" --state "$URL" plan >/dev/null; t1=$(now_ns)
  pg_samples+=($(( (t1 - t0) / 1000000 )))
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
sqlite_ms=$(median "${sqlite_samples[@]}")
pg_ms=$(median "${pg_samples[@]}")
ratio=$(echo "$pg_ms / ($sqlite_ms + 0.0001)" | bc -l)

echo "plan_scale_pg: 10 groups x 20 servers (200 agents), median of $RUNS runs each"
printf '  cdr plan, state in SQLite       %5d ms\n' "$sqlite_ms"
printf '  cdr plan, state on PostgreSQL   %5d ms   %.2fx SQLite (target <= 1.5x)\n' "$pg_ms" "$ratio"
[ "$(echo "$ratio <= 1.5" | bc -l)" = 1 ]
