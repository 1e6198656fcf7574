#!/usr/bin/env bash
# bench/failback: the time a failback takes, on the local provider with real processes. A 4 GiB ext4 disk is
# protected (cdr apply → realtime) with 1 GiB of data written through the agent, failed over and confirmed; CHANGED
# MiB of random data are then written to the DR host through its NBD export. Measured: from starting `cdr apply`
# with [group.server.failback] until it returns with the server failed_back (reverse registration, reverse
# replication comparing the blocks changed since the failover — the DR host's change map — and sending only what
# differs, fence, drain, take over), and the bytes reverse replication compared and sent. Peer, measured in the
# same run: `cp --sparse=always` + sync of the same 4 GiB DR image (what a failback that copies the disk home costs
# at least). Target (issue #10): ≤ 0.5×.
# Usage: bench/failback.sh [BUILD_DIR]   env: CHANGED=256, CHANGE_MAP=1 (0: compare the whole disks),
#   VERBOSE_LOG=FILE (the failback's `cdr --verbose apply`, each line with the seconds since the first one),
#   BASELINE=DIR ROUNDS=3: before/after in one run — ROUNDS rounds, each running the whole bench with the
#   binaries in DIR (cdr and the daemons beside it) and then with BUILD_DIR's, every run with its own cp peer.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
if [ -n "${BASELINE:-}" ]; then
  BASE=$(cd "$BASELINE" && pwd)
  printf '%-6s %-9s %-9s %-12s %-10s %-10s %-16s %-16s\n' round binaries load1 failback_s cp_s ratio \
    reverse_sent_MiB compared_MiB
  for round in $(seq 1 "${ROUNDS:-3}"); do
    for side in baseline build; do
      dir=$BASE; [ "$side" = build ] && dir=$BUILD
      load=$(cut -d' ' -f1 /proc/loadavg)
      # A missed target is exit 1 with the table printed; anything else failing has no table line.
      err=$(mktemp /tmp/cdr-bench-failback-err.XXXXXX)
      line=$(BASELINE= bash "$0" "$dir" 2>"$err" | awk 'NR == 2') || true
      if [ -z "$line" ]; then
        echo "failback: the $side run of round $round failed; the end of its output:" >&2
        tail -n 5 "$err" >&2
        rm -f "$err"
        exit 1
      fi
      rm -f "$err"
      read -r _ fb cp ratio sent compared <<<"$line"
      printf '%-6s %-9s %-9s %-12s %-10s %-10s %-16s %-16s\n' "$round" "$side" "$load" "$fb" "$cp" "$ratio" \
        "$sent" "$compared"
    done
  done
  exit 0
fi
CDR=$BUILD/cdr
CHANGED=${CHANGED:-256}
WORK=$(mktemp -d /tmp/cdr-bench-failback.XXXXXX)
trap '(cd "$WORK" && "$CDR" local down >/dev/null 2>&1); rm -rf "$WORK"' EXIT
cd "$WORK"
now() { date +%s.%N; }
# nbdsh runs on the interpreter that has libnbd's bindings (Debian's), whatever python3 comes first on PATH.
NBDSH="/usr/bin/python3 -m nbd"
server() { "$CDR" status --json | python3 -c "import json,sys; s=json.load(sys.stdin)['groups'][0]['servers'][0]; print($1)"; }

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
$1
TOML
}

# Writes $2 MiB of random data at byte offset $3 through the NBD export $1.
write_at() {
  head -c "$(( $2 << 20 ))" /dev/urandom > "$WORK/chunk.bin"
  $NBDSH -c "
h.set_uri_allow_local_file(True)  # the URI names the TLS client certificate directory
h.connect_uri('$1')
data = open('$WORK/chunk.bin', 'rb').read()
for i in range(0, len(data), 4 << 20):
    h.pwrite(data[i:i + (4 << 20)], $3 + i)
h.flush()"
}

spec ""
"$CDR" apply -auto-approve -wait-timeout=600 >/dev/null
URI=$(server 's["nbd_uris"][0]')
# 1 GiB of data, spread over the disk (past the ext4 metadata at the start).
for i in $(seq 0 15); do write_at "$URI" 64 $(( (256 + i * 224) << 20 )); done
FAILOVER=$'[group.server.failover]\nname = "web1-dr"\nconfirm = true\n'
spec "$FAILOVER"
"$CDR" apply -auto-approve -wait-timeout=600 >/dev/null
[ "$(server 's["state"]')" = failover_confirmed ] || { echo "failback: the failover was not confirmed" >&2; exit 1; }
DR_ID=$(server 's["dr_hosts"][0]["id"]')
DR_IMAGE=.cdr/cloud/zones/az2/dr_hosts/$DR_ID/images/vda.img
write_at "$(server 's["dr_hosts"][0]["nbd_uris"][0]')" "$CHANGED" $(( 128 << 20 ))

t0=$(now); cp --sparse=always "$DR_IMAGE" "$WORK/cp-peer.img"; sync "$WORK/cp-peer.img"; t1=$(now)
CP_S=$(echo "$t1 - $t0" | bc -l); rm -f "$WORK/cp-peer.img"

# CHANGE_MAP=0: the DR host's change map is dropped, so reverse replication compares the whole disks (the fallback,
# and what every failback did before the map existed).
[ "${CHANGE_MAP:-1}" = 0 ] && rm -f "${DR_IMAGE%.img}.changes.json"
spec "$FAILOVER"$'\n[group.server.failback]\nrestore_to_original = true'
t0=$(now)
if [ -n "${VERBOSE_LOG:-}" ]; then
  "$CDR" --verbose apply -auto-approve -wait-timeout=600 2>&1 | python3 -uc '
import sys, time
t0 = time.monotonic()
for line in sys.stdin:
    sys.stdout.write("%7.3f %s" % (time.monotonic() - t0, line))' > "$VERBOSE_LOG"
else
  "$CDR" apply -auto-approve -wait-timeout=600 >/dev/null
fi
t1=$(now)
FAILBACK_S=$(echo "$t1 - $t0" | bc -l)
[ "$(server 's["state"]')" = failed_back ] || { echo "failback: the server is not failed_back" >&2; exit 1; }
cmp -s .cdr/cloud/zones/az1/disks/host-1-vda.img "$DR_IMAGE" || { echo "failback: production differs" >&2; exit 1; }
SENT=$(server 's["failback"]["reverse_bytes_sent"]')
COMPARED=$(server 's["failback"].get("reverse_compared_bytes", 0)')

printf '%-12s %-12s %-10s %-10s %-16s %-16s\n' "changed_MiB" "failback_s" "cp_s" "ratio" "reverse_sent_MiB" \
  "compared_MiB"
printf '%-12s %-12.2f %-10.2f %-10.2f %-16.1f %-16.1f\n' "$CHANGED" "$FAILBACK_S" "$CP_S" \
  "$(echo "$FAILBACK_S / $CP_S" | bc -l)" "$(echo "$SENT / 1048576" | bc -l)" "$(echo "$COMPARED / 1048576" | bc -l)"
if [ "$(echo "$FAILBACK_S > 0.5 * $CP_S" | bc -l)" = 1 ]; then
  echo "failback: target missed (failback > 0.5 × cp --sparse + sync)" >&2
  exit 1
fi
