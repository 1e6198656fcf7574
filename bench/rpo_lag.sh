#!/usr/bin/env bash
# RPO under a sustained write churn: fio writes through cdr-agent's NBD front at a fixed rate while replication
# runs in realtime to cdr-shadow (both on 127.0.0.1); the agent's control API is sampled every 100 ms for the lag
# (the age of the oldest write the shadow has not acknowledged: what a disaster at that instant would lose).
#
#   bash bench/rpo_lag.sh [build dir] [MB/s] [seconds]          defaults: build 50 30
#
# Reported: lag p50/p99/max over the samples, and the churn fio actually sustained next to the rate asked for (the
# peer: a run that did not reach the rate would flatter the lag). The replica is compared with the disk after the
# run. Target: p99 < 1 s at 50 MB/s; the script exits 1 when it is missed.
set -euo pipefail
BUILD=${1:-build}
RATE_MB=${2:-50}
SECONDS_TO_RUN=${3:-30}
TARGET_P99=1.0

for tool in fio cmp python3; do
  command -v "$tool" >/dev/null || { echo "rpo_lag: $tool is needed (bash .ci/install-deps.sh)" >&2; exit 2; }
done
fio --enghelp=nbd >/dev/null 2>&1 || { echo "rpo_lag: this fio has no nbd ioengine" >&2; exit 2; }
AGENT=$(realpath "$BUILD/cdr-agent")
SHADOW=$(realpath "$BUILD/cdr-shadow")
[ -x "$AGENT" ] && [ -x "$SHADOW" ] || { echo "rpo_lag: build cdr-agent and cdr-shadow first" >&2; exit 2; }

BENCH=rpo_lag
source "$(dirname "$0")/daemons.sh"
TMP=$(mktemp -d /tmp/cdr-bench-rpo.XXXXXX)
cleanup() { stop_pids; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM


IMG="$TMP/disk.img"
truncate -s 1G "$IMG"
mkdir -p "$TMP/replicas" "$TMP/state"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/token"
"$SHADOW" --listen 127.0.0.1:0 --insecure --replica-dir "$TMP/replicas" >"$TMP/shadow.out" 2>"$TMP/shadow.err" &
PIDS+=($!)
SHADOW_ADDR=$(listening_address "$TMP/shadow.out")
"$AGENT" --listen 127.0.0.1:0 --insecure --api-listen 127.0.0.1:0 --api-token-file "$TMP/token" --ready-file "$TMP/ready.json" \
    --state-dir "$TMP/state" --export vda="$IMG" --shadow "$SHADOW_ADDR" --server-id bench \
    >"$TMP/agent.out" 2>"$TMP/agent.err" &
PIDS+=($!)
wait_for_file "$TMP/ready.json"
read -r NBD_ADDR API_ADDR < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["nbd_address"], r["api_address"])' "$TMP/ready.json")

python3 - "$API_ADDR" "$TMP/token" "$TMP/lag.txt" "$SECONDS_TO_RUN" <<'EOF' &
import json, sys, time, urllib.request
addr, token, out, seconds = sys.argv[1], open(sys.argv[2]).read().strip(), sys.argv[3], float(sys.argv[4])
def status():
    req = urllib.request.Request(f"http://{addr}/v1/status", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)
deadline = time.time() + 120
while status()["state"] != "realtime":  # the initial full sync of the empty disk
    if time.time() > deadline:
        sys.exit("rpo_lag: the agent never reached realtime")
    time.sleep(0.1)
open(out + ".ready", "w").close()
with open(out, "w") as f:
    end = time.time() + seconds + 2
    while time.time() < end:
        s = status()
        f.write(f"{time.time():.3f} {s['lag_seconds']:.4f} {s['state']}\n")
        time.sleep(0.1)
EOF
SAMPLER=$!
for _ in $(seq 1 1200); do [ -e "$TMP/lag.txt.ready" ] && break; kill -0 "$SAMPLER" 2>/dev/null || break; sleep 0.1; done
[ -e "$TMP/lag.txt.ready" ] || { echo "rpo_lag: replication did not reach realtime" >&2; tail -5 "$TMP/agent.err" >&2; exit 1; }

fio --name=churn --ioengine=nbd --uri="nbd://$NBD_ADDR/vda" --rw=randwrite --bs=64k --iodepth=4 \
    --rate="${RATE_MB}m" --runtime="$SECONDS_TO_RUN" --time_based --size=1G \
    --output-format=json --output="$TMP/fio.json" >/dev/null
wait "$SAMPLER"

# After the churn the replica must catch up and equal the disk.
python3 - "$API_ADDR" "$TMP/token" <<'EOF'
import json, sys, time, urllib.request
addr, token = sys.argv[1], open(sys.argv[2]).read().strip()
deadline = time.time() + 60
while time.time() < deadline:
    req = urllib.request.Request(f"http://{addr}/v1/status", headers={"Authorization": f"Bearer {token}"})
    s = json.load(urllib.request.urlopen(req, timeout=5))
    d = s["disks"][0]
    if d["acked_seq"] == d["journal_seq"]:
        sys.exit(0)
    time.sleep(0.1)
sys.exit("rpo_lag: the shadow did not catch up within 60 s")
EOF
stop_pids
cmp "$IMG" "$TMP/replicas/bench/vda.img" || { echo "rpo_lag: replica differs from the disk" >&2; exit 1; }

python3 - "$TMP/lag.txt" "$TMP/fio.json" "$RATE_MB" "$TARGET_P99" <<'EOF'
import json, statistics, sys
lags = [float(line.split()[1]) for line in open(sys.argv[1]) if line.strip()]
states = {line.split()[2] for line in open(sys.argv[1]) if line.strip()}
job = json.load(open(sys.argv[2]))["jobs"][0]["write"]
rate_mb, target = float(sys.argv[3]), float(sys.argv[4])
bw_mb = job["bw_bytes"] / 1e6
lags.sort()
q = lambda p: lags[min(len(lags) - 1, int(p * len(lags)))]
print(f"churn asked {rate_mb:.0f} MB/s, sustained {bw_mb:.1f} MB/s ({bw_mb / rate_mb:.2f}x), "
      f"{job['io_bytes'] / 1e6:.0f} MB written in 64 KiB random writes, iodepth 4")
print(f"lag over {len(lags)} samples (every 100 ms): p50 {q(0.5) * 1000:.0f} ms, p99 {q(0.99) * 1000:.0f} ms, "
      f"max {lags[-1] * 1000:.0f} ms   target p99 < {target:.1f} s; states seen: {', '.join(sorted(states))}")
ok = q(0.99) < target and bw_mb >= 0.95 * rate_mb and states == {"realtime"}
sys.exit(0 if ok else 1)
EOF
