#!/usr/bin/env bash
# 4 KiB random writes through cdr-agent (journal + dirty bitmap on, replicating in realtime to a cdr-shadow) against
# the peer `nbdkit file` on the same kind of image, both over TCP on 127.0.0.1, measured with fio's nbd ioengine in
# one run.
#
#   bash bench/nbd_write_latency.sh [path/to/cdr-agent] [seconds per fio run]     (ROUNDS=3 by default)
#
# Each fio run gets a fresh sparse 1 GiB image and (for the agent) a fresh state dir and a fresh cdr-shadow (from
# beside the agent binary; REPLICATION=0 leaves it out), with the servers started just before and stopped (SIGTERM)
# just after it; the agent's run starts once its full sync of the empty image is done. The order alternates nbdkit,
# agent, nbdkit, agent, … for iodepth 1 and 16, ROUNDS times; the median of the rounds is reported. Target: agent
# mean write latency at iodepth 1 <= 1.3x nbdkit's; the script exits 1 when it is missed.
set -euo pipefail
AGENT=${1:-build/cdr-agent}
SECONDS_PER_RUN=${2:-10}
ROUNDS=${ROUNDS:-3}
REPLICATION=${REPLICATION:-1}
TARGET=1.3

for tool in fio nbdkit nbdinfo python3; do
  command -v "$tool" >/dev/null || { echo "nbd_write_latency: $tool is needed (bash .ci/install-deps.sh)" >&2; exit 2; }
done
fio --enghelp=nbd >/dev/null 2>&1 || { echo "nbd_write_latency: this fio has no nbd ioengine" >&2; exit 2; }
[ -x "$AGENT" ] || { echo "nbd_write_latency: no agent binary at $AGENT" >&2; exit 2; }
AGENT=$(realpath "$AGENT")
SHADOW=$(dirname "$AGENT")/cdr-shadow
[ "$REPLICATION" = 0 ] || [ -x "$SHADOW" ] || { echo "nbd_write_latency: no cdr-shadow beside $AGENT" >&2; exit 2; }

TMP=$(mktemp -d /tmp/cdr-bench-nbd.XXXXXX)
SERVER_PID=""
STOP_STATUS=0
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "nbd_write_latency: pid $SERVER_PID ignored SIGTERM for 10 s, killing it" >&2
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    STOP_STATUS=0
    wait "$SERVER_PID" 2>/dev/null || STOP_STATUS=$?
    SERVER_PID=""
  fi
}
SHADOW_PID=""
stop_shadow() {
  if [ -n "$SHADOW_PID" ]; then
    kill -TERM "$SHADOW_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SHADOW_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SHADOW_PID" 2>/dev/null || true
    wait "$SHADOW_PID" 2>/dev/null || true
    SHADOW_PID=""
  fi
}
cleanup() { stop_server; stop_shadow; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until the server at $1 answers an NBD handshake (bounded: 10 s).
wait_ready() {
  for _ in $(seq 1 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "nbd_write_latency: server exited early" >&2; return 1; }
    nbdinfo --size "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "nbd_write_latency: $1 never accepted a connection" >&2
  return 1
}

# A fresh sparse image per run, and `sync` so that no run pays for the writeback of the one before it.
fresh_image() { rm -f "$TMP/disk.img"; sync; truncate -s 1G "$TMP/disk.img"; }

run_fio() {  # uri iodepth out.json
  fio --name=w --ioengine=nbd --uri="$1" --rw=randwrite --bs=4k --iodepth="$2" \
      --runtime="$SECONDS_PER_RUN" --time_based --size=1G --output-format=json --output="$3" >/dev/null
}

run_nbdkit() {  # iodepth round
  fresh_image
  local port; port=$(free_port)
  nbdkit --foreground -i 127.0.0.1 -p "$port" file "$TMP/disk.img" 2>"$TMP/nbdkit.err" &
  SERVER_PID=$!
  wait_ready "nbd://127.0.0.1:$port"
  run_fio "nbd://127.0.0.1:$port" "$1" "$TMP/nbdkit-qd$1-r$2.json"
  stop_server
}

run_agent() {  # iodepth round
  fresh_image
  local state="$TMP/state-qd$1-r$2"
  mkdir -p "$state"
  local replicate=()
  if [ "$REPLICATION" != 0 ]; then
    rm -rf "$TMP/replicas"; mkdir -p "$TMP/replicas"
    "$SHADOW" --listen 127.0.0.1:0 --insecure --replica-dir "$TMP/replicas" >"$TMP/shadow.out" 2>"$TMP/shadow.err" &
    SHADOW_PID=$!
    for _ in $(seq 1 100); do grep -q '^listening on ' "$TMP/shadow.out" && break; sleep 0.05; done
    replicate=(--shadow "$(sed -n 's/^listening on //p' "$TMP/shadow.out")" --server-id bench)
  fi
  # Journal bound well above what one run writes, so every write of the run is journaled (never "journal full").
  "$AGENT" --listen 127.0.0.1:0 --insecure --export disk0="$TMP/disk.img" --state-dir "$state" --journal-max-mib 65536 \
      "${replicate[@]}" >"$TMP/agent.out" 2>"$TMP/agent-qd$1-r$2.err" &
  SERVER_PID=$!
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/agent.out")
    [ -n "$port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "nbd_write_latency: agent did not listen:" >&2; cat "$TMP/agent-qd$1-r$2.err" >&2; exit 2; }
  wait_ready "nbd://127.0.0.1:$port/disk0"
  if [ "$REPLICATION" != 0 ]; then  # measure realtime replication, not the full sync
    for _ in $(seq 1 600); do grep -q '"full_sync_done": *true' "$TMP/replicas/bench/disk0.state.json" 2>/dev/null && break; sleep 0.05; done
    grep -q '"full_sync_done": *true' "$TMP/replicas/bench/disk0.state.json" || { echo "nbd_write_latency: no full sync" >&2; exit 2; }
  fi
  run_fio "nbd://127.0.0.1:$port/disk0" "$1" "$TMP/agent-qd$1-r$2.json"
  stop_server
  stop_shadow
  [ "$STOP_STATUS" -eq 0 ] || echo "nbd_write_latency: agent exited with status $STOP_STATUS on SIGTERM" >&2
  du -sb "$state" | cut -f1 >"$TMP/agent-qd$1-r$2.journal"
  if grep -qiE 'journal full|: full at seq' "$TMP/agent-qd$1-r$2.err"; then
    echo "nbd_write_latency: the agent's journal filled up during the run; numbers would not be comparable" >&2
    exit 2
  fi
  rm -rf "$state"
}

echo "nbd_write_latency: $ROUNDS rounds x (iodepth 1, 16) x (nbdkit, agent), ${SECONDS_PER_RUN}s per fio run, replication=$REPLICATION"
for r in $(seq 1 "$ROUNDS"); do
  for qd in 1 16; do
    run_nbdkit "$qd" "$r"
    run_agent "$qd" "$r"
  done
  echo "  round $r/$ROUNDS done"
done

python3 - "$TMP" "$ROUNDS" "$TARGET" <<'EOF'
import json, statistics, sys
tmp, rounds, target = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])

def load(peer, qd, r):
    with open(f"{tmp}/{peer}-qd{qd}-r{r}.json") as f:
        w = json.load(f)["jobs"][0]["write"]
    pct = w["clat_ns"].get("percentile", {})
    return {"lat": w["lat_ns"]["mean"] / 1000, "p99": pct.get("99.000000", 0) / 1000,
            "iops": w["iops"], "bytes": w["io_bytes"]}

med = {}
for peer in ("nbdkit", "agent"):
    for qd in (1, 16):
        runs = [load(peer, qd, r) for r in range(1, rounds + 1)]
        med[peer, qd] = {k: statistics.median(run[k] for run in runs) for k in ("lat", "p99", "iops")}
        med[peer, qd]["all_lat"] = [round(run["lat"]) for run in runs]

print(f"\nmedian of {rounds} rounds (mean write latency from fio lat_ns; p99 of completion latency)")
print(f"{'':8} {'iodepth':>7} {'mean lat µs':>11} {'p99 µs':>8} {'IOPS':>8}   per-round mean lat µs")
for qd in (1, 16):
    for peer in ("nbdkit", "agent"):
        m = med[peer, qd]
        print(f"{peer:8} {qd:>7} {m['lat']:>11.1f} {m['p99']:>8.0f} {m['iops']:>8.0f}   {m['all_lat']}")
lat_ratio = med["agent", 1]["lat"] / med["nbdkit", 1]["lat"]
iops_ratio = med["agent", 16]["iops"] / med["nbdkit", 16]["iops"]
lat16_ratio = med["agent", 16]["lat"] / med["nbdkit", 16]["lat"]
print(f"\nagent/nbdkit mean latency, iodepth 1:  {lat_ratio:.2f}x   (target <= {target}x)")
print(f"agent/nbdkit mean latency, iodepth 16: {lat16_ratio:.2f}x")
print(f"agent/nbdkit IOPS, iodepth 16:         {iops_ratio:.2f}x")

fio_bytes = journal_bytes = 0
for qd in (1, 16):
    for r in range(1, rounds + 1):
        fio_bytes += load("agent", qd, r)["bytes"]
        with open(f"{tmp}/agent-qd{qd}-r{r}.journal") as f:
            journal_bytes += int(f.read())
print(f"agent state dirs at the end of the runs (journal not yet released + bitmap, du -b) {journal_bytes / 2**20:.0f} MiB for "
      f"{fio_bytes / 2**20:.0f} MiB written by fio = {journal_bytes / fio_bytes:.3f}x")
if lat_ratio > target:
    print(f"TARGET MISSED: iodepth-1 latency ratio {lat_ratio:.2f}x > {target}x")
    sys.exit(1)
print("target met")
EOF
