#!/usr/bin/env bash
# bench/drill_rto: the user-facing RTO and the space recovery points take, on the local provider with real
# processes. A 4 GiB ext4 disk is protected (cdr apply → realtime), 1 GiB of data is written through the agent, then
# for each N in SIZES: N MiB more are written, and the time is measured from `cdr apply` declaring a drill at
# "latest" until the drill DR host's disk answers over NBD (nbdinfo + first 4 KiB read). Peer, measured in the same
# run: `cp --sparse=always` + sync of the same 4 GiB replica image (what a copy-based restore at least costs).
# Target (DESIGN §5): < 5 s, growing with the data changed since the base, not with the disk size.
# Then the space: with a point every POINT_SECONDS, WRITE_MIB MiB are written per interval; the history's growth
# per point (from `cdr recovery-points --json`: bytes per point, history bytes on the shadow) is compared with the
# data written.
# Usage: bench/drill_rto.sh [BUILD_DIR]   env: SIZES="64 256"  POINT_SECONDS=3  WRITE_MIB=16  POINTS=4
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
CDR=$BUILD/cdr
SIZES=${SIZES:-"64 256"}
POINT_SECONDS=${POINT_SECONDS:-3}
WRITE_MIB=${WRITE_MIB:-16}
POINTS=${POINTS:-4}
WORK=$(mktemp -d /tmp/cdr-bench-rto.XXXXXX)
trap '(cd "$WORK" && "$CDR" local down >/dev/null 2>&1); rm -rf "$WORK"' EXIT
cd "$WORK"
now() { date +%s.%N; }
# nbdsh runs on the interpreter that has libnbd's bindings (Debian's), whatever python3 comes first on PATH.
NBDSH="/usr/bin/python3 -m nbd"
json_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

"$CDR" local init --hosts 1 --disk-size-mib 4096 >/dev/null
mkdir specs
spec() {
  cat > specs/web.toml <<TOML
[provider]
type = "local"
root = ".cdr/cloud"

[[group]]
name = "web-prod"
production_zone = "az1"
dr_zone = "az2"
vpc = "vpc-prod"

[[group.server]]
name = "web-1"
host = "host-1"
replication = "running"
recovery_points = { every_seconds = $POINT_SECONDS, keep = 1000 }
$1
TOML
}
spec ""
"$CDR" apply -auto-approve -wait-timeout=600 >/dev/null
STATUS=$("$CDR" status --json)
URI=$(echo "$STATUS" | json_field 'd["groups"][0]["servers"][0]["nbd_uris"][0]')
REPLICA=$(echo "$STATUS" | json_field 'd["groups"][0]["servers"][0]["replicas"][0]["path"]')
DISK=.cdr/cloud/zones/az1/disks/host-1-vda.img

# Writes $1 MiB of random data at byte offset $2 through the agent and waits for the replica to hold it.
write_through() {
  head -c "$(( $1 << 20 ))" /dev/urandom > "$WORK/chunk.bin"
  $NBDSH -u "$URI" -c "
data = open('$WORK/chunk.bin', 'rb').read()
for i in range(0, len(data), 4 << 20):
    h.pwrite(data[i:i + (4 << 20)], $2 + i)
h.flush()"
  for _ in $(seq 1 1200); do cmp -s "$DISK" "$REPLICA" && return 0; sleep 0.1; done
  echo "drill_rto: the replica never caught up" >&2; exit 1
}

# 1 GiB of data, spread over the disk (past the ext4 metadata at the start).
for i in $(seq 0 15); do write_through 64 $(( (256 + i * 224) << 20 )); done
t0=$(now); cp --sparse=always "$REPLICA" "$WORK/cp-peer.img"; sync "$WORK/cp-peer.img"; t1=$(now)
CP_S=$(echo "$t1 - $t0" | bc -l); rm -f "$WORK/cp-peer.img"

MISSED=""
printf '%-12s %-10s %-10s %-10s\n' "changed_MiB" "RTO_s" "cp_s" "RTO/cp"
for N in $SIZES; do
  write_through "$N" $(( 128 << 20 ))
  spec $'[group.server.drill]\nname = "web1-drill"\nrecovery_point = "latest"'
  t0=$(now)
  "$CDR" apply -auto-approve >/dev/null
  DR=$("$CDR" status --json | json_field 'd["groups"][0]["servers"][0]["dr_hosts"][0]["nbd_uris"][0]')
  nbdinfo --no-content "$DR" >/dev/null
  nbddump -n 4096 "$DR" >/dev/null
  t1=$(now)
  RTO=$(echo "$t1 - $t0" | bc -l)
  printf '%-12s %-10.3f %-10.3f %-10.3f\n' "$N" "$RTO" "$CP_S" "$(echo "$RTO / $CP_S" | bc -l)"
  [ "$(echo "$RTO < 5" | bc -l)" = 1 ] || MISSED="$MISSED $N"
  spec ""
  "$CDR" apply -auto-approve >/dev/null
done

# Space per recovery point versus the data changed between points.
BEFORE=$("$CDR" recovery-points web-prod/web-1 --json)
N0=$(echo "$BEFORE" | json_field 'len(d["points"])')
H0=$(echo "$BEFORE" | json_field 'd["history_bytes"]')
for i in $(seq 1 "$POINTS"); do
  write_through "$WRITE_MIB" $(( (512 + i * WRITE_MIB) << 20 ))
  sleep "$POINT_SECONDS"
done
sleep "$POINT_SECONDS"
AFTER=$("$CDR" recovery-points web-prod/web-1 --json)
echo "$AFTER" | python3 -c "
import json, sys
d = json.load(sys.stdin); n0, h0, w = $N0, $H0, $WRITE_MIB << 20
new = d['points'][n0:]
written = $POINTS * w
grown = d['history_bytes'] - h0
print('points taken while writing: %d; data written: %d MiB' % (len(new), written >> 20))
print('bytes per point (data written since the previous point), MiB: ' + ' '.join('%.1f' % (p['bytes'] / 2**20) for p in new))
print('history growth on the shadow: %.1f MiB = %.3fx the data written' % (grown / 2**20, grown / written))
"
if [ -n "$MISSED" ]; then echo "drill_rto: RTO target (< 5 s) missed for changed MiB:$MISSED" >&2; exit 1; fi
