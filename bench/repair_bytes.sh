#!/usr/bin/env bash
# Bytes a repair moves after a long outage, against the peer `rsync --inplace --no-whole-file` bringing the same
# old copy up to date, in one run.
#
#   bash bench/repair_bytes.sh [build dir] [disk MiB] [percent of 4 KiB blocks changed]    defaults: build 1024 5
#
# A disk full of random data is replicated (full sync), the shadow is stopped for longer than the agent's outage
# window (→ replication_error, journal dropped), PERCENT % of the disk's 4 KiB blocks are rewritten at random through
# the agent's NBD front (fio, every block at most once, fresh random data per write so nothing compresses), then the shadow comes back and the agent repairs by itself
# (auto_restart). Measured: the bytes of the repair connection in both directions from the kernel's socket counters
# (`ss -ti`: disk data + hashes + frame headers + acks) and the disk
# bytes it sent, against rsync's total bytes sent + received for a copy of the disk as it was before the outage.
# The replica must equal the disk afterwards. Target: repair wire bytes <= 1.1 x changed bytes + 1 % of the disk.
set -euo pipefail
BUILD=${1:-build}
DISK_MIB=${2:-1024}
PERCENT=${3:-5}

for tool in fio rsync cmp python3; do
  command -v "$tool" >/dev/null || { echo "repair_bytes: $tool is needed (bash .ci/install-deps.sh)" >&2; exit 2; }
done
AGENT=$(realpath "$BUILD/cdr-agent")
SHADOW=$(realpath "$BUILD/cdr-shadow")
[ -x "$AGENT" ] && [ -x "$SHADOW" ] || { echo "repair_bytes: build cdr-agent and cdr-shadow first" >&2; exit 2; }

BENCH=repair_bytes
source "$(dirname "$0")/daemons.sh"
TMP=$(mktemp -d /tmp/cdr-bench-repair.XXXXXX)
AGENT_PID=""; SHADOW_PID=""
cleanup() { stop_pids "$AGENT_PID"; stop_pids "$SHADOW_PID"; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

SHADOW_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
start_shadow() {
  "$SHADOW" --listen "127.0.0.1:$SHADOW_PORT" --insecure --replica-dir "$TMP/replicas" >>"$TMP/shadow.out" 2>>"$TMP/shadow.err" &
  SHADOW_PID=$!
}
# Polls the agent's status until the python expression $1 over `s` (the status JSON) is true; prints the status.
wait_status() {
  python3 - "$API_ADDR" "$TMP/token" "$1" "${2:-300}" <<'EOF'
import json, sys, time, urllib.request
addr, token, cond, limit = sys.argv[1], open(sys.argv[2]).read().strip(), sys.argv[3], float(sys.argv[4])
deadline = time.time() + limit
while True:
    req = urllib.request.Request(f"http://{addr}/v1/status", headers={"Authorization": f"Bearer {token}"})
    s = json.load(urllib.request.urlopen(req, timeout=5))
    if eval(cond, {"s": s}):
        print(json.dumps(s))
        sys.exit(0)
    if time.time() > deadline:
        sys.exit(f"repair_bytes: waited {limit:.0f} s for {cond}; state {s['state']}")
    time.sleep(0.1)
EOF
}

IMG="$TMP/disk.img"
head -c "${DISK_MIB}M" /dev/urandom >"$IMG"
mkdir -p "$TMP/replicas" "$TMP/state"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/token"
start_shadow
"$AGENT" --listen 127.0.0.1:0 --insecure --api-listen 127.0.0.1:0 --api-token-file "$TMP/token" --ready-file "$TMP/ready.json" \
    --state-dir "$TMP/state" --export vda="$IMG" --shadow "127.0.0.1:$SHADOW_PORT" --server-id bench \
    --outage-window-seconds 2 >"$TMP/agent.out" 2>"$TMP/agent.err" &
AGENT_PID=$!
wait_for_file "$TMP/ready.json"
read -r NBD_ADDR API_ADDR < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["nbd_address"], r["api_address"])' "$TMP/ready.json")
wait_status 's["state"] == "realtime"' 600 >/dev/null
cp --sparse=always "$IMG" "$TMP/before.img"  # rsync's destination: the disk as the replica has it

stop_pids "$SHADOW_PID"; SHADOW_PID=""
wait_status 's["state"] == "replication_error"' 120 >/dev/null
CHANGED=$((DISK_MIB * 1024 * 1024 * PERCENT / 100 / 4096 * 4096))
fio --name=change --ioengine=nbd --uri="nbd://$NBD_ADDR/vda" --rw=randwrite --bs=4k --iodepth=8 \
    --io_size="$CHANGED" --size="${DISK_MIB}M" --randrepeat=0 --refill_buffers --output-format=json --output="$TMP/fio.json" >/dev/null
BEFORE=$(wait_status 'True')

start_shadow
AFTER=$(wait_status 's["state"] == "realtime" and s["disks"][0]["acked_seq"] == s["disks"][0]["journal_seq"]' 600)
# The kernel's counters of the agent's connection to the restarted shadow, both directions (the block hashes flow
# from the shadow to the agent): a count that does not depend on what the agent says it sent.
SOCKET=$(ss -tinH state established dst "127.0.0.1:$SHADOW_PORT")
stop_pids "$AGENT_PID"; AGENT_PID=""
stop_pids "$SHADOW_PID"; SHADOW_PID=""
cmp "$IMG" "$TMP/replicas/bench/vda.img" || { echo "repair_bytes: replica differs from the disk" >&2; exit 1; }

rsync --inplace --no-whole-file --stats "$IMG" "$TMP/before.img" >"$TMP/rsync.txt"
cmp "$IMG" "$TMP/before.img" || { echo "repair_bytes: rsync's copy differs from the disk" >&2; exit 1; }

python3 - "$BEFORE" "$AFTER" "$TMP/rsync.txt" "$CHANGED" "$DISK_MIB" "$SOCKET" <<'EOF'
import json, re, sys
before, after = json.loads(sys.argv[1])["disks"][0], json.loads(sys.argv[2])["disks"][0]
socket_counter = lambda name: int(re.search(name + r":(\d+)", sys.argv[6]).group(1))
wire = socket_counter("bytes_sent") + socket_counter("bytes_received")
rsync = open(sys.argv[3]).read()
changed, disk = int(sys.argv[4]), int(sys.argv[5]) * 2**20
num = lambda label: int(re.search(label + r": ([\d,]+)", rsync).group(1).replace(",", ""))
rsync_bytes = num("Total bytes sent") + num("Total bytes received")
data = after["repair_bytes_sent"] - before["repair_bytes_sent"]
limit = 1.1 * changed + 0.01 * disk
mib = lambda b: f"{b / 2**20:8.1f} MiB"
print(f"disk {disk / 2**20:.0f} MiB, {changed / 2**20:.1f} MiB changed ({changed * 100 / disk:.1f} % of 4 KiB blocks)")
print(f"  cdr repair, TCP both ways  {mib(wire)}  ({wire / changed:.3f}x changed; disk data {mib(data)}, "
      f"agent's own count of what it sent {mib(after['bytes_sent'] - before['bytes_sent'])})")
print(f"  rsync --inplace            {mib(rsync_bytes)}  ({rsync_bytes / changed:.3f}x changed)")
print(f"  repair / rsync: {wire / rsync_bytes:.2f}x   target: wire <= 1.1 x changed + 1 % of disk = {mib(limit)}")
sys.exit(0 if wire <= limit else 1)
EOF
