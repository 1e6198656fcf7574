#!/usr/bin/env bash
# Sync mode's price on the guest: 4 KiB FUA writes at iodepth 1 (each acknowledged only once durable), mean
# latency, against cdr-agent `--mode sync` (acknowledged once durable locally AND on a real cdr-shadow on the same
# machine) and against the peer `nbdkit file` (durable locally), both over TCP on 127.0.0.1, in one run.
# Target (issue #12): agent <= 1.5x nbdkit. The client is libnbd's Python binding, one pwrite with
# CMD_FLAG_FUA at a time at random 4 KiB-aligned offsets of a fresh sparse 1 GiB image, timed around the call.
#
#   bash bench/nbd_fua_latency.sh [path/to/cdr-agent] [writes per run]     (ROUNDS=3)
#
# BASELINE_AGENT=path/to/an/older/cdr-agent (cdr-shadow beside it) adds that build as a third peer. Peers
# alternate within a round; the median of the rounds' means is reported. Exit 1 when the target is missed,
# 2 when the run failed.
set -euo pipefail
AGENT=${1:-build/cdr-agent}
WRITES=${2:-2000}
ROUNDS=${ROUNDS:-3}
BENCH=nbd_fua_latency
PY=/usr/bin/python3  # the interpreter that has libnbd's binding (python3-libnbd)

for tool in nbdkit nbdinfo; do
  command -v "$tool" >/dev/null || { echo "$BENCH: $tool is needed (bash .ci/install-deps.sh)" >&2; exit 2; }
done
"$PY" -c 'import nbd' 2>/dev/null || { echo "$BENCH: python3-libnbd is needed" >&2; exit 2; }
[ -x "$AGENT" ] || { echo "$BENCH: no agent binary at $AGENT" >&2; exit 2; }
AGENT=$(realpath "$AGENT")
BASELINE_AGENT=${BASELINE_AGENT:-}
[ -z "$BASELINE_AGENT" ] || BASELINE_AGENT=$(realpath "$BASELINE_AGENT")
# shellcheck source=bench/daemons.sh
source "$(dirname "$0")/daemons.sh"

TMP=$(mktemp -d /tmp/cdr-bench-fua.XXXXXX)
trap 'stop_pids; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# Each run in a directory of its own; old ones are removed at the end (on a file system mounted with
# `discard`, unlinking a randomly written image takes long enough to disturb the next run).
fresh_dir() { RUN="$TMP/run$((++RUN_NO))"; mkdir -p "$RUN"; truncate -s 1G "$RUN/disk.img"; sync; }
RUN_NO=0

wait_ready() {  # uri pid
  for _ in $(seq 1 300); do
    kill -0 "$2" 2>/dev/null || { echo "$BENCH: server exited early" >&2; return 1; }
    nbdinfo --size "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$BENCH: $1 never accepted a connection" >&2
  return 1
}

fua_writes() {  # uri out
  "$PY" - "$1" "$WRITES" >"$2" <<'PYEOF'
import os, random, sys, time
import nbd
uri, n = sys.argv[1], int(sys.argv[2])
h = nbd.NBD()
h.connect_uri(uri)
assert h.can_fua(), "the server does not offer FUA"
blocks = h.get_size() // 4096
rng = random.Random(12)
buf = os.urandom(4096)
total = 0.0
for _ in range(n):
    off = rng.randrange(blocks) * 4096
    t = time.perf_counter()
    h.pwrite(buf, off, nbd.CMD_FLAG_FUA)
    total += time.perf_counter() - t
h.shutdown()
print(total / n * 1e6)
PYEOF
}

run_nbdkit() {  # round
  fresh_dir
  local port
  port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  nbdkit --foreground -i 127.0.0.1 -p "$port" file "$RUN/disk.img" 2>"$RUN/nbdkit.err" &
  PIDS=($!)
  wait_ready "nbd://127.0.0.1:$port" "${PIDS[0]}"
  fua_writes "nbd://127.0.0.1:$port" "$TMP/nbdkit-r$1"
  stop_pids
}

run_agent() {  # round peer agent
  local agent=$3
  fresh_dir
  mkdir -p "$RUN/state" "$RUN/replicas"
  "$(dirname "$agent")/cdr-shadow" --listen 127.0.0.1:0 --insecure --replica-dir "$RUN/replicas" \
      >"$RUN/shadow.out" 2>"$RUN/shadow.err" &
  local shadow_pid=$!
  PIDS=("$shadow_pid")
  local shadow_addr
  shadow_addr=$(listening_address "$RUN/shadow.out") || exit 2
  "$agent" --listen 127.0.0.1:0 --insecure --export disk0="$RUN/disk.img" --state-dir "$RUN/state" \
      --shadow "$shadow_addr" --server-id bench --mode sync >"$RUN/agent.out" 2>"$RUN/agent.err" &
  PIDS=($! "$shadow_pid")
  local addr
  addr=$(listening_address "$RUN/agent.out") || { cat "$RUN/agent.err" >&2; exit 2; }
  wait_ready "nbd://$addr/disk0" "${PIDS[0]}"
  # Sync mode waits for the shadow only in realtime, so the run starts once the full sync is done.
  local st="$RUN/replicas/bench/disk0.state.json"
  for _ in $(seq 1 600); do grep -q '"full_sync_done": *true' "$st" 2>/dev/null && break; sleep 0.05; done
  grep -q '"full_sync_done": *true' "$st" || { echo "$BENCH: no full sync within 30 s" >&2; exit 2; }
  fua_writes "nbd://$addr/disk0" "$TMP/$2-r$1"
  stop_pids
  if grep -q 'running async until it catches up' "$RUN/agent.err"; then
    echo "$BENCH: the shadow missed sync mode's ack timeout: the run was not all synchronous" >&2
    exit 2
  fi
}

echo "$BENCH: $ROUNDS round(s) x $WRITES FUA writes of 4 KiB x (nbdkit, agent --mode sync${BASELINE_AGENT:+, baseline})"
for r in $(seq 1 "$ROUNDS"); do
  run_nbdkit "$r"
  [ -z "$BASELINE_AGENT" ] || run_agent "$r" baseline "$BASELINE_AGENT"
  run_agent "$r" agent "$AGENT"
  echo "  round $r/$ROUNDS: nbdkit $(cat "$TMP/nbdkit-r$r") µs${BASELINE_AGENT:+, baseline $(cat "$TMP/baseline-r$r") µs}, agent $(cat "$TMP/agent-r$r") µs"
done

"$PY" - "$TMP" "$ROUNDS" "$BASELINE_AGENT" <<'PYEOF'
import statistics, sys
tmp, rounds, baseline = sys.argv[1], int(sys.argv[2]), sys.argv[3]
med = lambda peer: statistics.median(float(open(f"{tmp}/{peer}-r{r}").read()) for r in range(1, rounds + 1))
nbdkit, agent = med("nbdkit"), med("agent")
ratio = agent / nbdkit
print(f"median of {rounds} round(s), mean FUA write latency: nbdkit {nbdkit:.1f} µs, agent --mode sync {agent:.1f} µs")
if baseline:
    print(f"baseline agent: {med('baseline'):.1f} µs ({med('baseline') / nbdkit:.2f}x nbdkit)")
print(f"agent / nbdkit: {ratio:.2f}x (target <= 1.5x) {'met' if ratio <= 1.5 else 'MISSED'}")
sys.exit(0 if ratio <= 1.5 else 1)
PYEOF
