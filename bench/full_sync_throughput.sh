#!/usr/bin/env bash
# Full sync of a sparse 4 GiB image from cdr-agent to cdr-shadow over TCP on 127.0.0.1, against the peer
# `cp --sparse=always` of the same image on the same filesystem, in one run.
#
#   bash bench/full_sync_throughput.sh [build dir] [image GiB] [data MiB]      (ROUNDS=3 by default)
#
# The image is an ext4 filesystem (mkfs.ext4) with DATA_MiB of random data written into it at 16 places spread
# over the disk, the rest a hole: the shape of a typical half-empty server disk. Every round first copies it with
# `cp --sparse=always` followed by `sync` of the copy (the replica is durable when the full sync ends, so the fair
# peer is a durable copy; the cp time without the sync is reported too), then starts a fresh cdr-shadow and a fresh
# cdr-agent with --shadow and measures from the agent's start until the shadow records full_sync_done (it
# fdatasyncs the replica first). The replica is then compared with the image (cmp). Medians of the rounds are
# reported. Target: full sync throughput >= 0.7x the durable cp; the script exits 1 when it is missed.
set -euo pipefail
BUILD=${1:-build}
IMAGE_GIB=${2:-4}
DATA_MIB=${3:-1024}
ROUNDS=${ROUNDS:-3}
TARGET=0.7

for tool in cmp mkfs.ext4 python3; do
  command -v "$tool" >/dev/null || { echo "full_sync_throughput: $tool is needed (bash .ci/install-deps.sh)" >&2; exit 2; }
done
AGENT=$(realpath "$BUILD/cdr-agent")
SHADOW=$(realpath "$BUILD/cdr-shadow")
[ -x "$AGENT" ] && [ -x "$SHADOW" ] || { echo "full_sync_throughput: build cdr-agent and cdr-shadow first" >&2; exit 2; }

BENCH=full_sync_throughput
source "$(dirname "$0")/daemons.sh"
TMP=$(mktemp -d /tmp/cdr-bench-sync.XXXXXX)
cleanup() { stop_pids; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
seconds_since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$(now)"; }

echo "full_sync_throughput: making a ${IMAGE_GIB} GiB ext4 image with ${DATA_MIB} MiB of random data" >&2
IMG="$TMP/disk.img"
truncate -s "${IMAGE_GIB}G" "$IMG"
mkfs.ext4 -q -F "$IMG"
head -c "$((DATA_MIB / 16))M" /dev/urandom >"$TMP/chunk"
CHUNK_MIB=$((DATA_MIB / 16))
# Past the first 64 MiB so ext4's own metadata at the start stays intact; the last chunk ends before the disk does.
STRIDE_MIB=$(((IMAGE_GIB * 1024 - 64 - CHUNK_MIB) / 15))
for i in $(seq 0 15); do
  dd if="$TMP/chunk" of="$IMG" bs=1M seek=$((64 + i * STRIDE_MIB)) conv=notrunc,fsync status=none
done
rm -f "$TMP/chunk"
ALLOCATED=$(du -B1 "$IMG" | cut -f1)
sync

CP_TIMES=()
CP_SYNC_TIMES=()
SYNC_TIMES=()
for round in $(seq 1 "$ROUNDS"); do
  rm -f "$TMP/copy.img"; sync
  start=$(now)
  cp --sparse=always "$IMG" "$TMP/copy.img"
  CP_TIMES+=("$(seconds_since "$start")")
  sync "$TMP/copy.img"
  CP_SYNC_TIMES+=("$(seconds_since "$start")")
  rm -f "$TMP/copy.img"

  REPLICAS="$TMP/replicas-$round"; STATE="$TMP/state-$round"
  mkdir -p "$REPLICAS" "$STATE"
  sync
  "$SHADOW" --listen 127.0.0.1:0 --insecure --replica-dir "$REPLICAS" >"$TMP/shadow.out" 2>"$TMP/shadow.err" &
  PIDS+=($!)
  SHADOW_ADDR=$(listening_address "$TMP/shadow.out")
  start=$(now)
  "$AGENT" --listen 127.0.0.1:0 --insecure --state-dir "$STATE" --export vda="$IMG" --shadow "$SHADOW_ADDR" \
      --server-id bench >"$TMP/agent.out" 2>"$TMP/agent.err" &
  PIDS+=($!)
  STATE_FILE="$REPLICAS/bench/vda.state.json"
  done_ok=0
  for _ in $(seq 1 12000); do  # 20 minutes at most
    if grep -q '"full_sync_done": *true' "$STATE_FILE" 2>/dev/null; then done_ok=1; break; fi
    sleep 0.1
  done
  [ "$done_ok" = 1 ] || { echo "full_sync_throughput: the full sync did not finish" >&2; tail -5 "$TMP/agent.err" >&2; exit 1; }
  SYNC_TIMES+=("$(seconds_since "$start")")
  stop_pids
  cmp "$IMG" "$REPLICAS/bench/vda.img" || { echo "full_sync_throughput: replica differs from the image" >&2; exit 1; }
  rm -rf "$REPLICAS" "$STATE"
done

python3 - "$IMAGE_GIB" "$DATA_MIB" "$ALLOCATED" "$TARGET" "${CP_TIMES[*]}" "${CP_SYNC_TIMES[*]}" "${SYNC_TIMES[*]}" <<'EOF'
import statistics, sys
gib, data_mib, allocated, target = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
cp, cp_sync, sync = ([float(x) for x in a.split()] for a in sys.argv[5:8])
m_cp, m_cp_sync, m_sync = statistics.median(cp), statistics.median(cp_sync), statistics.median(sync)
mib = allocated / 2**20
print(f"image {gib} GiB, {data_mib} MiB random data, {mib:.0f} MiB allocated; {len(sync)} rounds (median)")
print(f"  cp --sparse=always            {m_cp:7.3f} s  {mib / m_cp:8.0f} MiB/s of allocated data")
print(f"  cp --sparse=always + sync     {m_cp_sync:7.3f} s  {mib / m_cp_sync:8.0f} MiB/s")
print(f"  cdr full sync (durable)       {m_sync:7.3f} s  {mib / m_sync:8.0f} MiB/s")
ratio = m_cp_sync / m_sync
print(f"  full sync / (cp + sync) throughput: {ratio:.2f}x   (vs cp alone: {m_cp / m_sync:.2f}x)   target >= {target}x")
print("  rounds: cp " + " ".join(f"{x:.2f}" for x in cp) + " | cp+sync " + " ".join(f"{x:.2f}" for x in cp_sync)
      + " | full sync " + " ".join(f"{x:.2f}" for x in sync))
sys.exit(0 if ratio >= target else 1)
EOF
