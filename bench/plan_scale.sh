#!/usr/bin/env bash
# bench/plan_scale: `cdr plan` and a no-op `cdr apply` for 10 groups × 20 servers (200 agents, the maximum
# quota) on the local provider. Target: < 1 s each on a 2-core machine.
# Peer (the I/O floor of the same work, measured in the same run): reading every provider record and the whole
# state with standard tools (cat + sqlite3), which is what a refresh must at least do.
# Registering starts a real cdr-agent per host (200 processes, stopped again by `cdr local down` on exit); the
# servers have replication = "stopped", so no shadow hosts or full syncs run, but every plan still asks each of the
# 200 agents for its status over its control API, as a real refresh does.
# Usage: bench/plan_scale.sh [path/to/cdr] [runs]
set -euo pipefail
CDR=$(realpath "${1:-build/cdr}")
RUNS=${2:-7}
WORK=$(mktemp -d /tmp/cdr-bench-plan.XXXXXX)
trap '(cd "$WORK" && "$CDR" local down >/dev/null 2>&1); rm -rf "$WORK"' EXIT
cd "$WORK"

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

now_ns() { date +%s%N; }
# Median wall time in ms of RUNS executions of the given command.
median_ms() {
  local samples=()
  for _ in $(seq 1 "$RUNS"); do
    local t0 t1
    t0=$(now_ns); "$@" >/dev/null; t1=$(now_ns)
    samples+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${samples[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}
floor() {
  cat .cdr/cloud/zones/*/hosts/*.json .cdr/cloud/agents/*/agent.json .cdr/cloud/peerings/*.json \
      .cdr/cloud/endpoints/*.json specs/fleet.toml >/dev/null
  sqlite3 .cdr/state.db 'select * from resources' >/dev/null
}
plan_check() { "$CDR" plan -detailed-exitcode; }

plan_check >/dev/null || { echo "plan after apply is not a no-op" >&2; exit 1; }
plan_ms=$(median_ms "$CDR" plan)
apply_ms=$(median_ms "$CDR" apply --auto-approve)
floor_ms=$(median_ms floor)
floor_ms=$(( floor_ms > 0 ? floor_ms : 1 ))

echo "plan_scale: 10 groups x 20 servers (200 agents), median of $RUNS runs"
printf '  cdr plan            %5d ms   (target < 1000 ms)   %.1fx the I/O floor\n' "$plan_ms" \
  "$(echo "$plan_ms / $floor_ms" | bc -l)"
printf '  cdr apply (no-op)   %5d ms   (target < 1000 ms)   %.1fx the I/O floor\n' "$apply_ms" \
  "$(echo "$apply_ms / $floor_ms" | bc -l)"
printf '  I/O floor (cat records + sqlite3 state) %d ms\n' "$floor_ms"
[ "$plan_ms" -lt 1000 ] && [ "$apply_ms" -lt 1000 ]
