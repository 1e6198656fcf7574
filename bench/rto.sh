#!/usr/bin/env bash
# RTO of a DR disk: time from starting `cdr-dr-disk serve` on a server's history to its ready file plus the first
# successful read over NBD, for a 4 GiB sparse disk holding 1 GiB of data (the base) and N MiB of changed data in
# the CDP log, against the physical peer: `cp --sparse=always` of the same 4 GiB image (+ fsync of the copy).
# The target (DESIGN §5): a usable DR disk in < 5 s, growing with the data changed, not with the disk size.
#
#   bench/rto.sh [BUILD_DIR]      (default: build)   env: SIZES="64 256 1024"  WRITE_KIB=64
# Needs python3 (it writes the log in the journal format, docs/journal-format.md, with libxxhash through ctypes)
# and libnbd-bin (nbdinfo, nbddump). Caches are not dropped: the log was just written, as on a live shadow host.
set -euo pipefail

BUILD=${1:-build}
BIN=$(cd "$BUILD" && pwd)/cdr-dr-disk
SIZES=${SIZES:-"64 256 1024"}
WRITE_KIB=${WRITE_KIB:-64}
[ -x "$BIN" ] || { echo "rto.sh: $BIN not found (build the cdr-dr-disk target)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/cdr-rto-XXXXXX)
SERVE_PID=""
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
SERVER="$WORK/replica/web-1"
mkdir -p "$SERVER"

# The base: 4 GiB sparse, 1 GiB of random data in 1 MiB runs every 4 MiB.
python3 - "$SERVER/vda.base.img" <<'PY'
import os, sys
with open(sys.argv[1], "wb") as f:
    f.truncate(4 << 30)
    for i in range(1024):
        f.seek(i * (4 << 20))
        f.write(os.urandom(1 << 20))
PY

t0=$(now)
cp --sparse=always "$SERVER/vda.base.img" "$WORK/cp-peer.img"
sync "$WORK/cp-peer.img"
t1=$(now)
CP_S=$(echo "$t1 - $t0" | bc -l)
rm -f "$WORK/cp-peer.img"

# N MiB of WRITE_KIB writes at random 4 KiB-aligned offsets, one 64 MiB segment after another, base_seq 0.
make_history() {
  python3 - "$SERVER" "$1" "$WRITE_KIB" <<'PY'
import ctypes, json, os, random, shutil, struct, sys, time
server, mib, write_kib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
xx = ctypes.CDLL("libxxhash.so.0")
xx.XXH3_64bits.restype = ctypes.c_uint64
xx.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
h = lambda b: xx.XXH3_64bits(b, len(b))
cdp = os.path.join(server, "vda.cdp")
shutil.rmtree(cdp, ignore_errors=True)
os.makedirs(cdp)
disk, length = 4 << 30, write_kib << 10
count = (mib << 20) // length
rng = random.Random(mib)
base_time = time.time_ns()
seg, seg_size, seq = None, 0, 0
def new_segment(first):
    global seg, seg_size
    if seg: seg.close()
    seg = open(os.path.join(cdp, "seg-%020d.journal" % first), "wb")
    head = b"CDRJRNL1" + struct.pack("<IIQQ", 1, 64, first, time.time_ns()) + bytes(24)
    seg.write(head + struct.pack("<Q", h(head)))
    seg_size = 64
data = os.urandom(length)
for i in range(count):
    seq += 1
    if seg is None or seg_size + 56 + length > (64 << 20):
        new_segment(seq)
    chunk = data[i % 16:] + data[:i % 16]  # distinct content per record, cheaply
    off = rng.randrange(disk // 4096 - write_kib // 4) * 4096
    head = struct.pack("<IHHQQQQQ", 0x52524443, 1, 0, seq, base_time + seq * 1000, off, length, h(chunk))
    seg.write(head + struct.pack("<Q", h(head)) + chunk)
    seg_size += 56 + length
seg.close()
hist = {"version": 1, "disk_size": disk, "base_seq": 0, "base_time_ns": base_time, "repairs": []}
with open(os.path.join(server, "vda.history.json"), "w") as f:
    json.dump(hist, f)
print(count)
PY
}

printf '%-10s %-9s %-10s %-10s %-10s %-9s\n' "log_MiB" "records" "RTO_s" "cp_s" "RTO/cp" "index_ms"
for N in $SIZES; do
  RECORDS=$(make_history "$N")
  sync
  STATE="$WORK/state-$N"
  READY="$WORK/ready-$N.json"
  t0=$(now)
  "$BIN" serve --replica-dir "$WORK/replica" --server web-1 --at latest --state-dir "$STATE" \
    --listen 127.0.0.1:0 --ready-file "$READY" 2>"$WORK/serve-$N.err" &
  SERVE_PID=$!
  until [ -s "$READY" ]; do
    kill -0 "$SERVE_PID" 2>/dev/null || { cat "$WORK/serve-$N.err" >&2; exit 1; }
    sleep 0.01
  done
  # sed, not python: starting an interpreter here would cost more than the DR disk itself.
  ADDR=$(sed -n 's/.*"address": *"\([^"]*\)".*/\1/p' "$READY")
  nbdinfo --no-content "nbd://$ADDR/vda" >/dev/null  # handshake and size; --no-content skips running file(1)
  nbddump -n 4096 "nbd://$ADDR/vda" >/dev/null
  t1=$(now)
  INDEX_MS=$(sed -n 's/.*"index_ms": *\([0-9.]*\).*/\1/p' "$READY" | xargs printf '%.1f')
  kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; SERVE_PID=""
  RTO=$(echo "$t1 - $t0" | bc -l)
  printf '%-10s %-9s %-10.3f %-10.3f %-10.3f %-9s\n' "$N" "$RECORDS" "$RTO" "$CP_S" "$(echo "$RTO / $CP_S" | bc -l)" "$INDEX_MS"
  rm -rf "$SERVER/vda.cdp" "$STATE"
  [ "$(echo "$RTO < 5" | bc -l)" = 1 ] || MISSED="$MISSED $N"
done
if [ -n "${MISSED:-}" ]; then echo "rto.sh: RTO target (< 5 s) missed for log MiB:$MISSED" >&2; exit 1; fi
