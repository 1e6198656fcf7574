#!/usr/bin/env bash
# Where the protected disk's time goes under one of bench/nbd_fio.sh's workloads: the agent (journal + bitmap,
# replicating asynchronously to a real cdr-shadow, or synchronously with MODE=sync) is served fio's nbd load
# while either `strace -c -f` counts the syscalls of the agent and the shadow (TOOL=strace, the default: calls
# per fio request, independent of the machine's load), `perf record -g` samples both (TOOL=perf), or their CPU
# time per fio request is read from /proc/PID/stat around the run (TOOL=cpu, also load-independent).
#
#   bash bench/nbd_profile.sh [path/to/cdr-agent] [workload: qd1|qd16|fsync16|conns4|rw7030] [seconds]
#
# Prints fio's request count, then for each daemon its syscall table (strace) or top symbols (perf), to stdout;
# OUT=dir keeps the raw files. Not a benchmark (no peer, no ratio): the input to BENCHMARKS.md's findings.
set -euo pipefail
AGENT=$(realpath "${1:-build/cdr-agent}")
WORKLOAD=${2:-qd16}
SECONDS_PER_RUN=${3:-5}
TOOL=${TOOL:-strace}
MODE=${MODE:-async}
PERF_ARGS=${PERF_ARGS:--g}  # e.g. "--call-graph dwarf" for a build without frame pointers
BENCH=nbd_profile
SHADOW=$(dirname "$AGENT")/cdr-shadow
for tool in fio nbdinfo; do
  command -v "$tool" >/dev/null || { echo "$BENCH: $tool is needed" >&2; exit 2; }
done
# shellcheck source=bench/daemons.sh
source "$(dirname "$0")/daemons.sh"
TMP=$(mktemp -d /tmp/cdr-bench-profile.XXXXXX)
OUT=${OUT:-$TMP}
mkdir -p "$OUT"
# Removed in the background: on a file system mounted with `discard` unlinking a randomly written image takes
# minutes, and the CPU time of the next run does not include it.
trap 'stop_pids; (rm -rf "$TMP" >/dev/null 2>&1 &)' EXIT
trap 'exit 130' INT TERM

truncate -s 1G "$TMP/disk.img"
mkdir -p "$TMP/state" "$TMP/replicas"
"$SHADOW" --listen 127.0.0.1:0 --insecure --replica-dir "$TMP/replicas" >"$TMP/shadow.out" 2>"$TMP/shadow.err" &
PIDS+=($!)
SHADOW_PID=$!
shadow_addr=$(listening_address "$TMP/shadow.out")
"$AGENT" --listen 127.0.0.1:0 --insecure --export disk0="$TMP/disk.img" --state-dir "$TMP/state" \
    --journal-max-mib 65536 --shadow "$shadow_addr" --server-id bench --mode "$MODE" >"$TMP/agent.out" \
    2>"$TMP/agent.err" &
PIDS+=($!)
AGENT_PID=$!
addr=$(listening_address "$TMP/agent.out")
st="$TMP/replicas/bench/disk0.state.json"
for _ in $(seq 1 600); do grep -q '"full_sync_done": *true' "$st" 2>/dev/null && break; sleep 0.05; done
grep -q '"full_sync_done": *true' "$st" || { echo "$BENCH: no full sync within 30 s" >&2; exit 2; }

args=(--ioengine=nbd --uri="nbd://$addr/disk0" --bs=4k --runtime="$SECONDS_PER_RUN" --time_based --size=1G
      --output-format=json --output="$OUT/fio.json" --name=w)
case "$WORKLOAD" in
  qd1) args+=(--rw=randwrite --iodepth=1) ;;
  qd16) args+=(--rw=randwrite --iodepth=16) ;;
  fsync16) args+=(--rw=randwrite --iodepth=16 --fsync=16) ;;
  conns4) args+=(--rw=randwrite --iodepth=16 --numjobs=4 --group_reporting) ;;
  rw7030) args+=(--rw=randrw --rwmixread=70 --iodepth=16) ;;
  fua) args+=(--rw=randwrite --iodepth=1 --fdatasync=1) ;;
  *) echo "$BENCH: unknown workload $WORKLOAD" >&2; exit 2 ;;
esac

# utime + stime of a process in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
if [ "$TOOL" = cpu ]; then
  agent_before=$(cpu_ticks "$AGENT_PID")
  shadow_before=$(cpu_ticks "$SHADOW_PID")
  fio "${args[@]}" >/dev/null
  agent_ticks=$(( $(cpu_ticks "$AGENT_PID") - agent_before ))
  shadow_ticks=$(( $(cpu_ticks "$SHADOW_PID") - shadow_before ))
  python3 - "$OUT/fio.json" "$agent_ticks" "$shadow_ticks" "$(getconf CLK_TCK)" <<'EOF2'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
n = j["write"]["total_ios"] + j["read"]["total_ios"] + j["sync"]["total_ios"]
agent, shadow, hz = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
us = lambda ticks: ticks / hz / n * 1e6
print(f"agent + shadow CPU per fio request: {us(agent + shadow):.1f} us (agent {us(agent):.1f}, shadow "
      f"{us(shadow):.1f}; {n} requests)")
EOF2
  exit 0
fi
command -v "$TOOL" >/dev/null || { echo "$BENCH: $TOOL is needed" >&2; exit 2; }
if [ "$TOOL" = strace ]; then
  strace -c -f -o "$OUT/agent.strace" -p "$AGENT_PID" &
  s1=$!
  strace -c -f -o "$OUT/shadow.strace" -p "$SHADOW_PID" &
  s2=$!
else
  perf record $PERF_ARGS -o "$OUT/agent.perf" -p "$AGENT_PID" 2>/dev/null &
  s1=$!
  perf record $PERF_ARGS -o "$OUT/shadow.perf" -p "$SHADOW_PID" 2>/dev/null &
  s2=$!
fi
sleep 1
fio "${args[@]}" >/dev/null
kill -INT "$s1" "$s2"
wait "$s1" "$s2" 2>/dev/null || true

python3 - "$OUT/fio.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
n = j["write"]["total_ios"] + j["read"]["total_ios"] + j["sync"]["total_ios"]
print(f"fio requests: {n} ({j['write']['total_ios']} writes, {j['read']['total_ios']} reads, "
      f"{j['sync']['total_ios']} flushes); write IOPS {j['write']['iops']:.0f}, mean {j['write']['lat_ns']['mean']/1000:.1f} us")
EOF
for d in agent shadow; do
  echo "== $d"
  if [ "$TOOL" = strace ]; then
    head -20 "$OUT/$d.strace"
  else
    perf report -i "$OUT/$d.perf" --no-children --sort symbol -g none --percent-limit 1.5 --stdio 2>/dev/null | grep "%"
  fi
done
