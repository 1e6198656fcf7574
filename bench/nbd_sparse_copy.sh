#!/usr/bin/env bash
# A sparse-aware client reading the protected disk: `nbdcopy` of a 4 GiB image with 1 GiB allocated (16 runs of
# 64 MiB of random data, the rest holes) from cdr-agent and from the peer `nbdkit file` of the same file, to
# `null:`, over TCP on 127.0.0.1, in one run. nbdcopy asks base:allocation for the extents and reads only the
# data, so the time is the price of the agent's BLOCK_STATUS and READ path. Also checks that `nbdinfo --map`
# lists the same extents from both servers. Target (issue #12): agent <= 1.2x nbdkit.
#
#   bash bench/nbd_sparse_copy.sh [path/to/cdr-agent]     (ROUNDS=3)
#
# The agent runs with its journal and dirty bitmap but without a shadow: reads never touch the replication
# path, and a full sync per run would only add minutes. One copy from nbdkit first warms the page cache; then
# the peers alternate and the median time is reported. Exit 1 when a target is missed, 2 when the run failed.
set -euo pipefail
AGENT=${1:-build/cdr-agent}
ROUNDS=${ROUNDS:-3}
BENCH=nbd_sparse_copy

for tool in nbdkit nbdinfo nbdcopy python3; do
  command -v "$tool" >/dev/null || { echo "$BENCH: $tool is needed (bash .ci/install-deps.sh)" >&2; exit 2; }
done
[ -x "$AGENT" ] || { echo "$BENCH: no agent binary at $AGENT" >&2; exit 2; }
AGENT=$(realpath "$AGENT")
# shellcheck source=bench/daemons.sh
source "$(dirname "$0")/daemons.sh"

TMP=$(mktemp -d /tmp/cdr-bench-copy.XXXXXX)
trap 'stop_pids; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

IMG="$TMP/disk.img"
truncate -s 4G "$IMG"
for i in $(seq 0 15); do  # one 64 MiB run of data every 256 MiB
  head -c $((64 << 20)) /dev/urandom | dd of="$IMG" bs=1M seek=$((i * 256)) conv=notrunc status=none
done
sync

wait_ready() {  # uri pid
  for _ in $(seq 1 300); do
    kill -0 "$2" 2>/dev/null || { echo "$BENCH: server exited early" >&2; return 1; }
    nbdinfo --size "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$BENCH: $1 never accepted a connection" >&2
  return 1
}

timed_copy() {  # uri -> seconds on stdout
  local t0 t1
  t0=$(date +%s.%N)
  nbdcopy "$1" null: >&2
  t1=$(date +%s.%N)
  python3 -c "print($t1 - $t0)"
}

start_nbdkit() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  nbdkit --foreground -i 127.0.0.1 -p "$port" file "$IMG" 2>"$TMP/nbdkit.err" &
  PIDS=($!)
  URI="nbd://127.0.0.1:$port"
  wait_ready "$URI" "${PIDS[0]}"
}

start_agent() {
  rm -rf "$TMP/state"
  mkdir -p "$TMP/state"
  "$AGENT" --listen 127.0.0.1:0 --insecure --export disk0="$IMG" --state-dir "$TMP/state" \
      >"$TMP/agent.out" 2>"$TMP/agent.err" &
  PIDS=($!)
  local addr
  addr=$(listening_address "$TMP/agent.out") || { cat "$TMP/agent.err" >&2; exit 2; }
  URI="nbd://$addr/disk0"
  wait_ready "$URI" "${PIDS[0]}"
}

start_nbdkit
nbdinfo --map "$URI" >"$TMP/nbdkit.map"
nbdcopy "$URI" null:  # warms the page cache for both peers
stop_pids
start_agent
nbdinfo --map "$URI" >"$TMP/agent.map"
stop_pids
MAP_SAME=yes
cmp -s "$TMP/nbdkit.map" "$TMP/agent.map" || MAP_SAME=no

echo "$BENCH: $ROUNDS round(s) x nbdcopy of 4 GiB (1 GiB allocated) to null: x (nbdkit, agent)"
NBDKIT_TIMES=() AGENT_TIMES=()
for r in $(seq 1 "$ROUNDS"); do
  start_nbdkit; NBDKIT_TIMES+=("$(timed_copy "$URI")"); stop_pids
  start_agent; AGENT_TIMES+=("$(timed_copy "$URI")"); stop_pids
  echo "  round $r/$ROUNDS: nbdkit ${NBDKIT_TIMES[-1]} s, agent ${AGENT_TIMES[-1]} s"
done

python3 - "$MAP_SAME" "${NBDKIT_TIMES[*]}" "${AGENT_TIMES[*]}" "$(wc -l <"$TMP/nbdkit.map")" <<'PYEOF'
import statistics, sys
same, nbdkit, agent, lines = sys.argv[1] == "yes", sys.argv[2].split(), sys.argv[3].split(), sys.argv[4]
n, a = statistics.median(map(float, nbdkit)), statistics.median(map(float, agent))
print(f"median: nbdkit {n:.3f} s, agent {a:.3f} s: agent / nbdkit {a / n:.2f}x (target <= 1.2x) "
      f"{'met' if a / n <= 1.2 else 'MISSED'}")
print(f"nbdinfo --map: {lines} extent lines from nbdkit file; the agent's are "
      f"{'the same' if same else 'DIFFERENT'}")
sys.exit(0 if same and a / n <= 1.2 else 1)
PYEOF
