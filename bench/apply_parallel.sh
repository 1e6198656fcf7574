#!/usr/bin/env bash
# bench/apply_parallel: `cdr apply` of 50 new servers with replication running (5 groups x 10 servers on the
# local provider: per server a real cdr-agent, a cdr-shadow shadow host and a full sync of its 8 MiB disk to
# realtime), with -parallelism=10 against -parallelism=1, measured in the same run on fresh clouds.
# Target: the parallel apply takes <= 0.2x the time of the serial one.
# Usage: bench/apply_parallel.sh [path/to/cdr] [servers]
set -euo pipefail
CDR=$(realpath "${1:-build/cdr}")
SERVERS=${2:-50}
GROUPS_=5
WORK=$(mktemp -d /tmp/cdr-bench-apply.XXXXXX)
cleanup() {
  for d in "$WORK"/p*; do [ -d "$d" ] && (cd "$d" && "$CDR" local down >/dev/null 2>&1); done
  rm -rf "$WORK"
}
trap cleanup EXIT

now_ns() { date +%s%N; }

# One fresh estate per run, so both applies do the same work: create networks, register, sync.
apply_ms() {
  local parallelism=$1 dir="$WORK/p$1"
  mkdir -p "$dir/specs"
  cd "$dir"
  "$CDR" local init --hosts "$SERVERS" --disk-size-mib 8 >/dev/null
  {
    printf '[provider]\ntype = "local"\nroot = ".cdr/cloud"\n\n[quota]\nagents = %d\n' "$SERVERS"
    local per=$(( SERVERS / GROUPS_ ))
    for g in $(seq 1 "$GROUPS_"); do
      printf '\n[[group]]\nname = "group-%d"\nproduction_zone = "az1"\ndr_zone = "az2"\nvpc = "vpc-prod"\n' "$g"
      for s in $(seq 1 "$per"); do
        local n=$(( (g - 1) * per + s ))
        printf '\n[[group.server]]\nname = "srv-%d"\nhost = "host-%d"\nreplication = "running"\n' "$n" "$n"
      done
    done
  } > specs/fleet.toml
  local t0 t1
  t0=$(now_ns)
  "$CDR" apply --auto-approve -parallelism="$parallelism" >apply.log 2>&1 || { tail -20 apply.log >&2; exit 1; }
  t1=$(now_ns)
  "$CDR" plan -detailed-exitcode >/dev/null || { echo "plan after apply (-parallelism=$parallelism) is not a no-op" >&2; exit 1; }
  "$CDR" local down >/dev/null
  cd - >/dev/null
  echo $(( (t1 - t0) / 1000000 ))
}

serial_ms=$(apply_ms 1)
parallel_ms=$(apply_ms 10)
ratio=$(echo "$parallel_ms / $serial_ms" | bc -l)
echo "apply_parallel: $SERVERS new servers in $GROUPS_ groups, replication running (full sync to realtime)"
printf '  cdr apply -parallelism=1    %6d ms\n' "$serial_ms"
printf '  cdr apply -parallelism=10   %6d ms   %.2fx of -parallelism=1 (target <= 0.2x)\n' "$parallel_ms" "$ratio"
[ "$(echo "$ratio <= 0.2" | bc -l)" = 1 ]
