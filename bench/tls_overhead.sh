#!/usr/bin/env bash
# What TLS costs the replication stream: cdr-agent → cdr-shadow over TLS 1.3 (mutual certificates, AES-GCM)
# against the same pair over plain TCP (--insecure), both on 127.0.0.1, in one run.
#
#   bash bench/tls_overhead.sh [build dir] [image MiB] [data MiB] [fio seconds]      (ROUNDS=3 by default)
#   BASELINE=DIR bash bench/tls_overhead.sh …   also runs the cdr-agent/cdr-shadow of DIR over TLS in every round
#                                              (a before/after comparison of a change, in the same run)
#
# Each round runs plain then TLS (alternating which goes first) on a fresh copy of the same sparse image holding
# DATA_MiB of random (incompressible) data at 8 places: a fresh cdr-shadow and a fresh cdr-agent --mode sync
# --shadow, timed from the agent's start until the shadow records full_sync_done (it fdatasyncs the replica
# first), then fio's nbd engine writes 4 KiB random blocks at iodepth 1 for FIO_SECONDS through the agent: in sync
# mode a write is acknowledged only once the shadow has it, so the stream's latency is in every write. The replica
# is compared with the disk (cmp) after each run, and the CPU seconds the agent and the shadow used are reported
# (on a loaded machine the wall times move with the neighbours, the CPU cost does not), both for the whole run
# and, per MiB of data, for the full sync alone (read from /proc when the shadow records full_sync_done), and for
# the full sync by side, user apart from system time. Certificates come from
# `openssl` (an EC P-256 CA, a server certificate for 127.0.0.1, a client certificate naming cdr:server/bench). Medians of the rounds are reported.
# Target: TLS time <= 1.15x plain for the full sync and for the mean write latency; the script exits 1 otherwise.
set -euo pipefail
BUILD=${1:-build}
IMAGE_MIB=${2:-2048}
DATA_MIB=${3:-512}
FIO_SECONDS=${4:-5}
ROUNDS=${ROUNDS:-3}
TARGET=1.15

for tool in cmp fio openssl python3; do
  command -v "$tool" >/dev/null || { echo "tls_overhead: $tool is needed (bash .ci/install-deps.sh)" >&2; exit 2; }
done
fio --enghelp=nbd >/dev/null 2>&1 || { echo "tls_overhead: this fio has no nbd ioengine" >&2; exit 2; }
[ -x "$BUILD/cdr-agent" ] && [ -x "$BUILD/cdr-shadow" ] || { echo "tls_overhead: build cdr-agent and cdr-shadow first" >&2; exit 2; }
BASELINE=${BASELINE:-}
if [ -n "$BASELINE" ]; then
  [ -x "$BASELINE/cdr-agent" ] && [ -x "$BASELINE/cdr-shadow" ] || { echo "tls_overhead: no cdr-agent/cdr-shadow in $BASELINE" >&2; exit 2; }
fi

BENCH=tls_overhead
source "$(dirname "$0")/daemons.sh"
TMP=$(mktemp -d /tmp/cdr-bench-tls.XXXXXX)
cleanup() { stop_pids; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
seconds_since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$(now)"; }

# The estate's CA and one certificate per side, in cdr's --tls-dir layout.
make_certificates() {
  local pki="$TMP/pki"
  mkdir -p "$pki" "$TMP/shadow-tls" "$TMP/agent-tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/ca-key.pem" \
      -out "$pki/ca-cert.pem" -subj /CN=bench-ca -days 1 -addext basicConstraints=critical,CA:TRUE \
      -addext keyUsage=critical,keyCertSign 2>/dev/null
  issue() {  # dir role-prefix extensions
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1/$2-key.pem" -subj "/CN=$2" \
        -out "$1/$2.csr" 2>/dev/null
    printf '%s\n' "$3" >"$1/ext.cnf"
    openssl x509 -req -in "$1/$2.csr" -CA "$pki/ca-cert.pem" -CAkey "$pki/ca-key.pem" -CAcreateserial -days 1 \
        -extfile "$1/ext.cnf" -out "$1/$2-cert.pem" 2>/dev/null
    chmod 600 "$1/$2-key.pem"
    cp "$pki/ca-cert.pem" "$1/ca-cert.pem"
  }
  issue "$TMP/shadow-tls" server "$(printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth')"
  issue "$TMP/agent-tls" client "$(printf 'subjectAltName=URI:cdr:server/bench\nextendedKeyUsage=clientAuth')"
}

echo "tls_overhead: a ${IMAGE_MIB} MiB image with ${DATA_MIB} MiB of random data; $ROUNDS rounds x (plain, TLS)" >&2
make_certificates
IMG="$TMP/image.img"
truncate -s "${IMAGE_MIB}M" "$IMG"
CHUNK_MIB=$((DATA_MIB / 8))
head -c "${CHUNK_MIB}M" /dev/urandom >"$TMP/chunk"
STRIDE_MIB=$(((IMAGE_MIB - CHUNK_MIB) / 7))
for i in $(seq 0 7); do
  dd if="$TMP/chunk" of="$IMG" bs=1M seek=$((i * STRIDE_MIB)) conv=notrunc status=none
done
rm -f "$TMP/chunk"

user_system() {  # "user system" CPU seconds of one pid
  cut -d' ' -f14,15 "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f %.2f", $1 / hz, $2 / hz}'
}

cpu_seconds() {  # the user + system CPU seconds of the pids given
  for pid in "$@"; do cut -d' ' -f14,15 "/proc/$pid/stat"; done |
      awk -v hz="$(getconf CLK_TCK)" '{t += $1 + $2} END {printf "%.2f", t / hz}'
}

run() {  # mode(plain|tls|baseline) round → appends "sync_s write_mean_us iops cpu_s sync_cpu_s" to $TMP/$mode.txt
  local mode=$1 round=$2 dir="$TMP/$1-$2" bin=$BUILD
  [ "$mode" = baseline ] && bin=$BASELINE
  mkdir -p "$dir/replicas" "$dir/state"
  cp --sparse=always "$IMG" "$dir/disk.img"
  sync
  local shadow_transport=(--insecure) agent_transport=(--insecure)
  if [ "$mode" != plain ]; then
    shadow_transport=(--tls-dir "$TMP/shadow-tls")
    agent_transport=(--tls-dir "$TMP/agent-tls")
  fi
  "$bin/cdr-shadow" --listen 127.0.0.1:0 "${shadow_transport[@]}" --replica-dir "$dir/replicas" >"$dir/shadow.out" \
      2>"$dir/shadow.err" &
  PIDS+=($!)
  local shadow_address start
  shadow_address=$(listening_address "$dir/shadow.out")
  start=$(now)
  "$bin/cdr-agent" --listen 127.0.0.1:0 "${agent_transport[@]}" --state-dir "$dir/state" --export vda="$dir/disk.img" \
      --journal-max-mib 65536 --shadow "$shadow_address" --server-id bench --mode sync >"$dir/agent.out" \
      2>"$dir/agent.err" &
  PIDS+=($!)
  local done_ok=0
  for _ in $(seq 1 12000); do  # 20 minutes at most
    if grep -q '"full_sync_done": *true' "$dir/replicas/bench/vda.state.json" 2>/dev/null; then done_ok=1; break; fi
    sleep 0.05
  done
  [ "$done_ok" = 1 ] || { echo "tls_overhead: $mode: the full sync did not finish" >&2; tail -5 "$dir/agent.err" >&2; exit 1; }
  local sync_seconds sync_cpu sync_split nbd
  sync_seconds=$(seconds_since "$start")
  sync_cpu=$(cpu_seconds "${PIDS[@]}")
  # Per side, user apart from system: TLS's cipher is user time; the shadow's page-cache writes and fdatasyncs,
  # which move most with the neighbours' I/O, are system time.
  sync_split="$(user_system "${PIDS[1]}") $(user_system "${PIDS[0]}")"
  nbd=$(listening_address "$dir/agent.out")
  fio --name=w --ioengine=nbd --uri="nbd://$nbd/vda" --rw=randwrite --bs=4k --iodepth=1 --size=$((IMAGE_MIB / 2))M \
      --runtime="$FIO_SECONDS" --time_based --output-format=json --output="$dir/fio.json" >"$dir/fio.err" 2>&1 \
      || { echo "tls_overhead: $mode: fio failed" >&2; cat "$dir/fio.err" >&2; exit 1; }
  # CPU seconds (user + system) the agent and the shadow spent on the whole run: what TLS costs, whatever the
  # neighbours on the machine do to the wall time.
  local cpu
  cpu=$(cpu_seconds "${PIDS[@]}")
  stop_pids
  cmp "$dir/disk.img" "$dir/replicas/bench/vda.img" || { echo "tls_overhead: $mode: the replica differs" >&2; exit 1; }
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))["jobs"][0]["write"]; print(sys.argv[2], j["lat_ns"]["mean"]/1000, j["iops"], sys.argv[3], sys.argv[4], sys.argv[5])' \
      "$dir/fio.json" "$sync_seconds" "$cpu" "$sync_cpu" "$sync_split" >>"$TMP/$mode.txt"
  rm -rf "$dir"
}

MODES=(plain tls)
[ -n "$BASELINE" ] && MODES+=(baseline)
for round in $(seq 1 "$ROUNDS"); do
  # Each round starts with another mode, so none always runs first (on the coldest caches).
  for k in $(seq 0 $((${#MODES[@]} - 1))); do run "${MODES[$(((round - 1 + k) % ${#MODES[@]}))]}" "$round"; done
  echo "  round $round/$ROUNDS done" >&2
done

python3 - "$IMAGE_MIB" "$DATA_MIB" "$FIO_SECONDS" "$TARGET" "$TMP" <<'EOF'
import os, statistics, sys
image, data, seconds, target, tmp = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
load = lambda mode: [[float(x) for x in line.split()] for line in open(os.path.join(tmp, mode + ".txt"))]
plain, tls = load("plain"), load("tls")
baseline = load("baseline") if os.path.exists(os.path.join(tmp, "baseline.txt")) else None
med = lambda rows, i: statistics.median(r[i] for r in rows)
print(f"image {image} MiB, {data} MiB random data; fio 4 KiB randwrite iodepth 1, {seconds} s, agent --mode sync; "
      f"{len(tls)} rounds (median)")
print(f"  full sync       plain {med(plain, 0):7.3f} s   TLS {med(tls, 0):7.3f} s   TLS/plain {med(tls, 0) / med(plain, 0):.2f}x")
print(f"  4 KiB write     plain {med(plain, 1):7.1f} us  TLS {med(tls, 1):7.1f} us  TLS/plain {med(tls, 1) / med(plain, 1):.2f}x"
      f"   ({med(plain, 2):.0f} vs {med(tls, 2):.0f} IOPS)")
print(f"  CPU of agent + shadow, full sync  plain {1000 * med(plain, 4) / data:5.2f} ms/MiB   TLS "
      f"{1000 * med(tls, 4) / data:5.2f} ms/MiB   TLS/plain {med(tls, 4) / med(plain, 4):.2f}x")
print(f"  CPU of agent + shadow (whole run)  plain {med(plain, 3):6.2f} s   TLS {med(tls, 3):6.2f} s   "
      f"TLS/plain {med(tls, 3) / med(plain, 3):.2f}x")
rounds = lambda rows, i, f: " ".join(f.format(r[i]) for r in rows)
split = lambda rows: (f"agent user {med(rows, 5):.2f} sys {med(rows, 6):.2f}, shadow user {med(rows, 7):.2f} "
                      f"sys {med(rows, 8):.2f}")
print(f"  CPU s of the full sync by side  plain: {split(plain)} | TLS: {split(tls)}"
      + (f" | baseline: {split(baseline)}" if baseline else ""))
print(f"  rounds: sync plain {rounds(plain, 0, '{:.2f}')} | TLS {rounds(tls, 0, '{:.2f}')} ; write us plain "
      f"{rounds(plain, 1, '{:.0f}')} | TLS {rounds(tls, 1, '{:.0f}')}")
if baseline:
    print(f"  baseline build over TLS: full sync {med(baseline, 0):.3f} s ({med(baseline, 0) / med(plain, 0):.2f}x plain), "
          f"4 KiB write {med(baseline, 1):.1f} us ({med(baseline, 1) / med(plain, 1):.2f}x), full sync CPU "
          f"{1000 * med(baseline, 4) / data:.2f} ms/MiB ({med(baseline, 4) / med(plain, 4):.2f}x); rounds: sync "
          f"{rounds(baseline, 0, '{:.2f}')}")
ok = med(tls, 0) / med(plain, 0) <= target and med(tls, 1) / med(plain, 1) <= target
print(f"  target: TLS <= {target}x plain for both: {'met' if ok else 'MISSED'}")
sys.exit(0 if ok else 1)
EOF
