#!/usr/bin/env bash
# bench/plan_scale_http: `cdr plan` of 10 groups × 20 servers (200 agents) with the local provider reached over the
# provider protocol (`cdr provider serve local`, HTTP on 127.0.0.1, [provider] type = "http"), as a ratio to the
# same plan with the provider in process, both measured in the same run on the same estate, alternating run by
# run. Target: ≤ 1.5×.
# The estate is insecure = true (agents' control APIs on plain HTTP) on both sides: with HTTPS, asking the 200
# agents for their status takes seconds (BENCHMARKS.md, "What limits `cdr plan`") and would hide the provider's
# share of the time, which is what this measures.
# Usage: bench/plan_scale_http.sh [path/to/cdr] [runs]
set -euo pipefail
CDR=$(realpath "${1:-build/cdr}")
RUNS=${2:-7}
WORK=$(mktemp -d /tmp/cdr-bench-plan-http.XXXXXX)
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  (cd "$WORK" && "$CDR" local down >/dev/null 2>&1) || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$CDR" local init --hosts 200 --disk-size-mib 8 >/dev/null
mkdir specs
groups() {
  printf '\n[quota]\nagents = 200\n'
  for g in $(seq 1 10); do
    printf '\n[[group]]\nname = "group-%d"\nproduction_zone = "az1"\ndr_zone = "az2"\nvpc = "vpc-prod"\n' "$g"
    for s in $(seq 1 20); do
      n=$(( (g - 1) * 20 + s ))
      printf '\n[[group.server]]\nname = "srv-%d"\nhost = "host-%d"\nreplication = "stopped"\n' "$n" "$n"
    done
  done
}
{ printf '[provider]\ntype = "local"\nroot = ".cdr/cloud"\ninsecure = true\n'; groups; } > local.toml
{
  printf '[provider]\ntype = "http"\nurl = "http://127.0.0.1:%d"\ntoken_file = ".cdr/provider-token"\n' "$PORT"
  printf 'insecure = true\n'
  groups
} > http.toml
cp local.toml specs/fleet.toml
"$CDR" apply --auto-approve >/dev/null
"$CDR" provider serve local --listen "127.0.0.1:$PORT" --insecure >serve.log 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do [ -s .cdr/provider-token ] && (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

"$CDR" plan -detailed-exitcode >/dev/null || { echo "plan in process after apply is not a no-op" >&2; exit 1; }
cp http.toml specs/fleet.toml
"$CDR" plan -detailed-exitcode >/dev/null || { echo "plan over HTTP is not a no-op" >&2; exit 1; }

now_ns() { date +%s%N; }
declare -a local_samples http_samples
for _ in $(seq 1 "$RUNS"); do
  cp local.toml specs/fleet.toml
  t0=$(now_ns); "$CDR" plan >/dev/null; t1=$(now_ns)
  local_samples+=($(( (t1 - t0) / 1000000 )))
  cp http.toml specs/fleet.toml
  t0=$(now_ns); "$CDR" plan >/dev/null; t1=$(now_ns)
  http_samples+=($(( (t1 - t0) / 1000000 )))
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
local_ms=$(median "${local_samples[@]}")
http_ms=$(median "${http_samples[@]}")
ratio=$(echo "$http_ms / ($local_ms + 0.0001)" | bc -l)

echo "plan_scale_http: 10 groups x 20 servers (200 agents), median of $RUNS runs each"
printf '  cdr plan, provider in process          %5d ms\n' "$local_ms"
printf '  cdr plan, provider over HTTP (serve)   %5d ms   %.2fx in process (target <= 1.5x)\n' "$http_ms" "$ratio"
[ "$(echo "$ratio <= 1.5" | bc -l)" = 1 ]
