#!/usr/bin/env bash
# Runs every benchmark against the build in $1 (default: build). Each prints its numbers next to the peer measured
# in the same run and exits non-zero when its target is missed; all run even when one misses.
set -uo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
failed=()
run() { echo; echo "== $*"; "$@" || failed+=("$2"); }
run bash bench/plan_scale.sh "$BUILD/cdr"
run bash bench/plan_scale_pg.sh "$BUILD/cdr"
run bash bench/plan_scale_http.sh "$BUILD/cdr"
run bash bench/apply_parallel.sh "$BUILD/cdr"
run bash bench/nbd_write_latency.sh "$BUILD/cdr-agent"
run bash bench/nbd_fio.sh "$BUILD/cdr-agent"
run bash bench/nbd_fua_latency.sh "$BUILD/cdr-agent"
run bash bench/nbd_sparse_copy.sh "$BUILD/cdr-agent"
run bash bench/full_sync_throughput.sh "$BUILD"
run bash bench/tls_overhead.sh "$BUILD"
run bash bench/rpo_lag.sh "$BUILD"
run bash bench/repair_bytes.sh "$BUILD"
run bash bench/rto.sh "$BUILD"
run bash bench/drill_rto.sh "$BUILD"
run bash bench/failback.sh "$BUILD"
if [ ${#failed[@]} -gt 0 ]; then
  echo; echo "targets missed or runs failed: ${failed[*]}"
  exit 1
fi
