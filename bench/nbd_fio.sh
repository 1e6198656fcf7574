#!/usr/bin/env bash
# The protected disk under a guest-like load: fio's nbd ioengine against cdr-agent (journal + dirty bitmap on,
# replicating asynchronously in realtime to a real cdr-shadow) and against the peer `nbdkit file` on the same
# kind of image, both over TCP on 127.0.0.1, in one run. Five workloads, 4 KiB blocks:
#
#   qd1      randwrite, iodepth 1                    mean latency (target: agent <= 1.15x nbdkit)
#   qd16     randwrite, iodepth 16                   IOPS (target >= 1.0x)
#   fsync16  randwrite, iodepth 16, fio fsync=16 (with the nbd engine about 0.7 FLUSH per write)   IOPS (target >= 0.8x)
#   conns4   randwrite, 4 connections x iodepth 16   total IOPS (target >= 1.0x)
#   rw7030   randrw 70 % reads, iodepth 16           total IOPS (target >= 1.0x)
#
#   bash bench/nbd_fio.sh [path/to/cdr-agent] [seconds per fio run]     (ROUNDS=1, WORKLOADS="qd1 qd16 ..." )
#
# BASELINE_AGENT=path/to/an/older/cdr-agent (with its cdr-shadow beside it) adds that build as a third peer in
# the same run, so a change is shown as before/after against the same nbdkit numbers.
#
# Every fio run gets a fresh sparse 1 GiB image and (for the agent) a fresh state dir and cdr-shadow, started just
# before and stopped (SIGTERM) just after; the agent's run starts once the full sync of the empty image is done.
# nbdkit and the agent alternate per workload; with ROUNDS > 1 the median is reported. Exit 1 when a target is
# missed, 2 when the run itself failed.
set -euo pipefail
AGENT=${1:-build/cdr-agent}
SECONDS_PER_RUN=${2:-8}
ROUNDS=${ROUNDS:-1}
WORKLOADS=${WORKLOADS:-"qd1 qd16 fsync16 conns4 rw7030"}
BENCH=nbd_fio

for tool in fio nbdkit nbdinfo python3; do
  command -v "$tool" >/dev/null || { echo "$BENCH: $tool is needed (bash .ci/install-deps.sh)" >&2; exit 2; }
done
fio --enghelp=nbd >/dev/null 2>&1 || { echo "$BENCH: this fio has no nbd ioengine" >&2; exit 2; }
[ -x "$AGENT" ] || { echo "$BENCH: no agent binary at $AGENT" >&2; exit 2; }
AGENT=$(realpath "$AGENT")
SHADOW=$(dirname "$AGENT")/cdr-shadow
[ -x "$SHADOW" ] || { echo "$BENCH: no cdr-shadow beside $AGENT" >&2; exit 2; }
BASELINE_AGENT=${BASELINE_AGENT:-}
if [ -n "$BASELINE_AGENT" ]; then
  BASELINE_AGENT=$(realpath "$BASELINE_AGENT")
  [ -x "$(dirname "$BASELINE_AGENT")/cdr-shadow" ] || { echo "$BENCH: no cdr-shadow beside $BASELINE_AGENT" >&2; exit 2; }
fi
# shellcheck source=bench/daemons.sh
source "$(dirname "$0")/daemons.sh"

TMP=$(mktemp -d /tmp/cdr-bench-fio.XXXXXX)
trap 'stop_pids; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# A fresh sparse image per run, in a directory of its own ($RUN), and `sync` so that no run pays for the writeback
# of the one before it. Old runs are removed at the end only: on a file system mounted with `discard` unlinking a
# randomly written image (and the agent's replica and journal) took minutes and disturbed the next run.
RUN_NO=0
fresh_image() { RUN="$TMP/run$((++RUN_NO))"; mkdir -p "$RUN"; sync; truncate -s 1G "$RUN/disk.img"; }

# The HOST:PORT a daemon announced on stdout as "listening on HOST:PORT" (30 s at most: the machine may be busy).
announced() {
  local a
  for _ in $(seq 1 300); do
    a=$(sed -n 's/^listening on //p' "$1" | head -1)
    [ -n "$a" ] && { echo "$a"; return 0; }
    sleep 0.1
  done
  echo "$BENCH: no 'listening on' in $1" >&2
  return 1
}

wait_ready() {  # uri pid (30 s at most: the machine may be busy)
  for _ in $(seq 1 300); do
    kill -0 "$2" 2>/dev/null || { echo "$BENCH: server exited early" >&2; return 1; }
    nbdinfo --size "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$BENCH: $1 never accepted a connection" >&2
  return 1
}

run_fio() {  # workload uri out.json
  local args=(--ioengine=nbd --uri="$2" --bs=4k --runtime="$SECONDS_PER_RUN" --time_based --size=1G
              --output-format=json --output="$3")
  case "$1" in
    qd1) args+=(--name=w --rw=randwrite --iodepth=1) ;;
    qd16) args+=(--name=w --rw=randwrite --iodepth=16) ;;
    fsync16) args+=(--name=w --rw=randwrite --iodepth=16 --fsync=16) ;;
    conns4) args+=(--name=w --rw=randwrite --iodepth=16 --numjobs=4 --group_reporting) ;;
    rw7030) args+=(--name=w --rw=randrw --rwmixread=70 --iodepth=16) ;;
    *) echo "$BENCH: unknown workload $1" >&2; exit 2 ;;
  esac
  fio "${args[@]}" >/dev/null
}

run_nbdkit() {  # workload round
  fresh_image
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  nbdkit --foreground -i 127.0.0.1 -p "$port" file "$RUN/disk.img" 2>"$TMP/nbdkit.err" &
  local pid=$!
  PIDS=("$pid")
  wait_ready "nbd://127.0.0.1:$port" "$pid"
  run_fio "$1" "nbd://127.0.0.1:$port" "$TMP/nbdkit-$1-r$2.json"
  stop_pids
}

run_agent() {  # workload round [peer name] [agent binary]
  local peer=${3:-agent} agent=${4:-$AGENT}
  local shadow
  shadow=$(dirname "$agent")/cdr-shadow
  fresh_image
  local state="$RUN/state"
  mkdir -p "$state" "$RUN/replicas"
  "$shadow" --listen 127.0.0.1:0 --insecure --replica-dir "$RUN/replicas" >"$TMP/shadow.out" 2>"$TMP/shadow.err" &
  local shadow_pid=$!
  local shadow_addr
  shadow_addr=$(announced "$TMP/shadow.out") || exit 2
  # Journal bound well above what one run writes, so every write of the run is journaled (never "journal full").
  "$agent" --listen 127.0.0.1:0 --insecure --export disk0="$RUN/disk.img" --state-dir "$state" --journal-max-mib 65536 \
      --shadow "$shadow_addr" --server-id bench >"$TMP/agent.out" 2>"$TMP/$peer-$1-r$2.err" &
  local pid=$!
  PIDS=("$pid" "$shadow_pid")
  local addr
  addr=$(announced "$TMP/agent.out") || { cat "$TMP/$peer-$1-r$2.err" >&2; exit 2; }
  wait_ready "nbd://$addr/disk0" "$pid"
  local st="$RUN/replicas/bench/disk0.state.json"
  for _ in $(seq 1 600); do grep -q '"full_sync_done": *true' "$st" 2>/dev/null && break; sleep 0.05; done
  grep -q '"full_sync_done": *true' "$st" || { echo "$BENCH: no full sync within 30 s" >&2; exit 2; }
  run_fio "$1" "nbd://$addr/disk0" "$TMP/$peer-$1-r$2.json"
  stop_pids
  if grep -qiE 'journal full|: full at seq' "$TMP/$peer-$1-r$2.err"; then
    echo "$BENCH: the agent's journal filled up during the run; numbers would not be comparable" >&2
    exit 2
  fi
}

echo "$BENCH: $ROUNDS round(s) x ($WORKLOADS) x (nbdkit, agent), ${SECONDS_PER_RUN}s per fio run"
for r in $(seq 1 "$ROUNDS"); do
  for w in $WORKLOADS; do
    run_nbdkit "$w" "$r"
    [ -z "$BASELINE_AGENT" ] || run_agent "$w" "$r" baseline "$BASELINE_AGENT"
    run_agent "$w" "$r"
  done
  echo "  round $r/$ROUNDS done"
done

python3 - "$TMP" "$ROUNDS" "$WORKLOADS" "$BASELINE_AGENT" <<'EOF'
import json, statistics, sys
tmp, rounds, workloads, baseline = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4]
peers = ("nbdkit", "baseline", "agent") if baseline else ("nbdkit", "agent")
# workload: (metric, target ratio, higher is better)
targets = {"qd1": ("lat", 1.15, False), "qd16": ("iops", 1.0, True), "fsync16": ("iops", 0.8, True),
           "conns4": ("iops", 1.0, True), "rw7030": ("iops", 1.0, True)}

def load(peer, w, r):
    with open(f"{tmp}/{peer}-{w}-r{r}.json") as f:
        job = json.load(f)["jobs"][0]
    iops = job["read"]["iops"] + job["write"]["iops"]
    return {"iops": iops, "lat": job["write"]["lat_ns"]["mean"] / 1000}

print(f"\nmedian of {rounds} round(s); IOPS = reads + writes; lat = mean write latency (fio lat_ns)")
print(f"{'workload':9} {'nbdkit IOPS':>11} {'agent IOPS':>11} {'nbdkit µs':>10} {'agent µs':>9}  ratio (target)")
missed = []
for w in workloads:
    med = {}
    for peer in peers:
        runs = [load(peer, w, r) for r in range(1, rounds + 1)]
        med[peer] = {k: statistics.median(run[k] for run in runs) for k in ("iops", "lat")}
    metric, target, higher = targets[w]
    ratio = med["agent"][metric] / med["nbdkit"][metric]
    ok = ratio >= target if higher else ratio <= target
    what = "IOPS" if metric == "iops" else "latency"
    print(f"{w:9} {med['nbdkit']['iops']:>11.0f} {med['agent']['iops']:>11.0f} {med['nbdkit']['lat']:>10.1f} "
          f"{med['agent']['lat']:>9.1f}  {what} {ratio:.2f}x ({'>=' if higher else '<='} {target}x) "
          f"{'met' if ok else 'MISSED'}")
    if baseline:
        before = med["baseline"][metric] / med["nbdkit"][metric]
        print(f"{'':9} baseline: {med['baseline']['iops']:.0f} IOPS, {med['baseline']['lat']:.1f} µs: "
              f"{what} {before:.2f}x nbdkit (this agent {ratio:.2f}x)")
    if not ok:
        missed.append(w)
if missed:
    print("targets missed: " + " ".join(missed))
    sys.exit(1)
print("all targets met")
EOF
