#!/usr/bin/env bash
# Where the protected disk's time goes under one of bench/nbd_fio.sh's workloads: the agent (journal + bitmap,
# replicating asynchronously to a real cdr-shadow, or synchronously with MODE=sync) is served fio's nbd load
# while one TOOL looks at the agent and the shadow:
#
#   strace   (the default) `strace -c -f` counts their system calls: calls per fio request, load-independent
#   perf     `perf record $PERF_ARGS` samples them; the top symbols are printed
#   cpu      their CPU time per fio request (/proc/PID/stat around the run), fio's own CPU per request, and the
#            "CPU ceiling": the IOPS at which these costs would fill every core of the machine. A measured IOPS
#            near the ceiling means the workload is CPU-bound (more depth cannot help); far below it, requests
#            wait on something else (a lock, a hand-off, the disk)
#   threads  per thread (named: nbd-worker, repl-sender, repl-acks, shadow-conn, shadow-recv) the CPU time,
#            the time spent runnable but waiting for a core, and the time slices per fio request
#            (/proc/PID/task/TID/schedstat), and what each thread was doing (state and system call, sampled
#            from /proc every 2 ms): is a lock serialising the workers, how many are in pwrite at once
#
#   bash bench/nbd_profile.sh [path/to/cdr-agent | nbdkit] [workload: qd1|qd16|fsync16|conns4|rw7030|fua] [seconds]
#
# `nbdkit` in place of the agent serves the same load from `nbdkit file` (TOOL=cpu and threads only): the peer's
# CPU per request and ceiling. Prints fio's request count, then the tool's findings, to stdout; OUT=dir keeps
# the raw files. Not a benchmark (no ratio): the input to BENCHMARKS.md's findings.
set -euo pipefail
AGENT=${1:-build/cdr-agent}
[ "$AGENT" = nbdkit ] || AGENT=$(realpath "$AGENT")
WORKLOAD=${2:-qd16}
SECONDS_PER_RUN=${3:-5}
TOOL=${TOOL:-strace}
MODE=${MODE:-async}
PERF_ARGS=${PERF_ARGS:--g}  # e.g. "--call-graph dwarf" for a build without frame pointers
BENCH=nbd_profile
SHADOW=$(dirname "$AGENT")/cdr-shadow
for tool in fio nbdinfo python3; do
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
if [ "$AGENT" = nbdkit ]; then
  case "$TOOL" in cpu|threads) ;; *) echo "$BENCH: nbdkit is profiled with TOOL=cpu or TOOL=threads" >&2; exit 2 ;; esac
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  nbdkit --foreground -i 127.0.0.1 -p "$port" file "$TMP/disk.img" 2>"$TMP/nbdkit.err" &
  PIDS+=($!)
  SERVER_PIDS=("$!")
  SERVER_NAMES=(nbdkit)
  uri="nbd://127.0.0.1:$port"
  for _ in $(seq 1 300); do nbdinfo --size "$uri" >/dev/null 2>&1 && break; sleep 0.1; done
else
  SHADOW=$(dirname "$AGENT")/cdr-shadow
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
  SERVER_PIDS=("$AGENT_PID" "$SHADOW_PID")
  SERVER_NAMES=(agent shadow)
  addr=$(listening_address "$TMP/agent.out")
  uri="nbd://$addr/disk0"
  st="$TMP/replicas/bench/disk0.state.json"
  for _ in $(seq 1 600); do grep -q '"full_sync_done": *true' "$st" 2>/dev/null && break; sleep 0.05; done
  grep -q '"full_sync_done": *true' "$st" || { echo "$BENCH: no full sync within 30 s" >&2; exit 2; }
fi

args=(--ioengine=nbd --uri="$uri" --bs=4k --runtime="$SECONDS_PER_RUN" --time_based --size=1G
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

# fio, with the CPU time (user + system, in seconds) of it and its job processes written to $OUT/fio.cpu.
run_fio() {
  python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[2:], check=True, stdout=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(f"{r.ru_utime + r.ru_stime}\n")' "$OUT/fio.cpu" fio "${args[@]}"
}

# utime + stime of a process in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
if [ "$TOOL" = cpu ]; then
  before=()
  for pid in "${SERVER_PIDS[@]}"; do before+=("$(cpu_ticks "$pid")"); done
  run_fio
  spent=()
  for i in "${!SERVER_PIDS[@]}"; do spent+=("${SERVER_NAMES[$i]}=$(( $(cpu_ticks "${SERVER_PIDS[$i]}") - before[i] ))"); done
  python3 - "$OUT/fio.json" "$OUT/fio.cpu" "$(getconf CLK_TCK)" "$(nproc)" "${spent[@]}" <<'EOF2'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
n = j["write"]["total_ios"] + j["read"]["total_ios"] + j["sync"]["total_ios"]
fio_us = float(open(sys.argv[2]).read()) / n * 1e6
hz, cores = int(sys.argv[3]), int(sys.argv[4])
servers = [(name, int(ticks) / hz / n * 1e6) for name, ticks in (a.split("=") for a in sys.argv[5:])]
server_us = sum(us for _, us in servers)
iops = j["write"]["iops"] + j["read"]["iops"]
print(f"server CPU per fio request: {server_us:.1f} us (" + ", ".join(f"{name} {us:.1f}" for name, us in servers) +
      f"); fio {fio_us:.1f} us; {n} requests")
print(f"IOPS {iops:.0f}; CPU ceiling on {cores} cores at these costs: {cores / (server_us + fio_us) * 1e6:.0f} IOPS "
      f"({iops * (server_us + fio_us) / 1e6 / cores * 100:.0f} % of the cores used by the server(s) and fio)")
EOF2
  exit 0
fi
if [ "$TOOL" = threads ]; then
  # schedstat of every thread once fio is under way and again before its end (a connection's threads exit with
  # it), and the state and system call of every thread sampled in between.
  window=$(( SECONDS_PER_RUN > 3 ? SECONDS_PER_RUN - 2 : 1 ))
  (
    sleep 1
    date +%s.%N >"$OUT/window.start"
    for pid in "${SERVER_PIDS[@]}"; do
      for t in /proc/"$pid"/task/*; do echo "$pid ${t##*/} $(cat "$t/comm") $(cat "$t/schedstat")"; done
    done >"$OUT/schedstat.1" 2>/dev/null
    python3 "$(dirname "$0")/thread_states.py" "$window" "${SERVER_PIDS[@]}" >"$OUT/states.txt"
    for pid in "${SERVER_PIDS[@]}"; do
      for t in /proc/"$pid"/task/*; do echo "$pid ${t##*/} $(cat "$t/comm") $(cat "$t/schedstat")"; done
    done >"$OUT/schedstat.2" 2>/dev/null
    date +%s.%N >"$OUT/window.end"
  ) &
  sampler=$!
  run_fio
  wait "$sampler"
  python3 - "$OUT/fio.json" "$SECONDS_PER_RUN" "$OUT/schedstat.1" "$OUT/schedstat.2" "$OUT/states.txt" \
      "$(cat "$OUT/window.start")" "$(cat "$OUT/window.end")" "${SERVER_PIDS[@]}" <<'EOF3'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
n = j["write"]["total_ios"] + j["read"]["total_ios"] + j["sync"]["total_ios"]
rate = n / float(sys.argv[2])  # requests per second over the run

def load(path):
    rows = {}
    for line in open(path):
        f = line.split()
        if len(f) == 6:
            rows[(f[0], f[1])] = (f[2], [int(x) for x in f[3:]])
    return rows

first, second = load(sys.argv[3]), load(sys.argv[4])
states = {}
for line in open(sys.argv[5]):
    tid, _, rest = line.partition(" ")
    states[tid] = rest.strip()
print(f"fio: {n} requests, {rate:.0f} per second; per thread over the sampled window, per fio request:")
print("  pid/tid        name             CPU us  runnable-waiting us  slices   what it was doing (samples)")
WINDOW = float(sys.argv[7]) - float(sys.argv[6])  # seconds between the two schedstat snapshots
for pid in sys.argv[8:]:
    rows = []
    for key, (name, after) in second.items():
        if key[0] != pid:
            continue
        before = first.get(key, (name, [0, 0, 0]))[1]
        rows.append((key, name, [a - b for a, b in zip(after, before)]))
    for key, name, d in sorted(rows, key=lambda r: -r[2][0]):
        if d[0] == 0 and d[2] == 0:
            continue
        print(f"  {key[0]}/{key[1]:<8} {name:<15} {d[0] / 1e3 / rate / WINDOW:8.1f} {d[1] / 1e3 / rate / WINDOW:18.1f} "
              f"{d[2] / rate / WINDOW:8.2f}   {states.get(key[1], '')}")
EOF3
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
run_fio
kill -INT "$s1" "$s2"
wait "$s1" "$s2" 2>/dev/null || true

python3 - "$OUT/fio.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
n = j["write"]["total_ios"] + j["read"]["total_ios"] + j["sync"]["total_ios"]
print(f"fio requests: {n} ({j['write']['total_ios']} writes, {j['read']['total_ios']} reads, "
      f"{j['sync']['total_ios']} flushes); write IOPS {j['write']['iops']:.0f}, mean {j['write']['lat_ns']['mean']/1000:.1f} us")
EOF
for d in "${SERVER_NAMES[@]}"; do
  echo "== $d"
  if [ "$TOOL" = strace ]; then
    head -20 "$OUT/$d.strace"
  else
    perf report -i "$OUT/$d.perf" --no-children --sort symbol -g none --percent-limit 1.5 --stdio 2>/dev/null | grep "%"
  fi
done
