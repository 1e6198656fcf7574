#!/usr/bin/env bash
# `make demo`: the main job end to end on the embedded local provider, in a fresh directory:
# a local cloud with 3 hosts → validate the example spec → plan to a file → apply it (web-1 replicates to a
# shadow host until realtime) → status and jobs → 8 MiB written through host-1's NBD export reach the replica
# byte for byte → every process stopped (`cdr local down`) → drift sees it → apply brings them back to
# realtime → a DR drill of web-1 at the instant before the last write (any point in time), verified against the
# primary's content at that instant, then cleared → a VPC peering deleted behind cdr's back → drift finds it →
# apply repairs it → no drift → failover of web-1, confirmed (production fenced: a write to it fails) → the DR host
# takes writes → failback (reverse replication sends only what differs; production equals the DR host, unfenced)
# → both tables removed: web-1 protected again, realtime, from replicas seeded with the DR host's disks.
# Every agent and shadow process the demo started is stopped when it exits, also on failure.
set -euo pipefail
CDR=$(realpath "${1:-build/cdr}")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${CDR_DEMO_DIR:-$(mktemp -d /tmp/cdr-demo.XXXXXX)}
mkdir -p "$WORK"
cd "$WORK"
rm -rf .cdr specs
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }
run() { printf '$ cdr %s\n' "$*"; "$CDR" "$@"; }
# Stops the agents and shadow hosts however the demo ends: they are detached and would outlive it.
cleanup() { [ -d .cdr/cloud ] && "$CDR" local down >/dev/null 2>&1 || true; }
trap cleanup EXIT
# A field of web-1 from `cdr status --json` (python3 comes with the test dependencies).
web1() {
  "$CDR" status --json | python3 -c '
import json, sys
servers = [s for g in json.load(sys.stdin)["groups"] for s in g["servers"] if s["name"] == "web-1"]
if not servers: sys.exit("web-1 is not in cdr status --json")
value = eval(sys.argv[1], {}, {"s": servers[0]})
print("" if value is None else value)' "$1"
}
# Waits (bounded) until the replica equals the disk, printing how long it took.
wait_replica_equal() {
  local disk=$1 replica=$2 start=$SECONDS
  until cmp -s "$disk" "$replica"; do
    if (( SECONDS - start > 60 )); then echo "replica $replica still differs from $disk after 60 s" >&2; exit 1; fi
    sleep 0.2
  done
  echo "cmp $disk $replica: identical (after $(( SECONDS - start )) s)"
}

step "A local cloud: zones az1 (production) and az2 (DR), 3 hosts with real ext4 disk images"
run local init --hosts 3 --disk-size-mib 64
run local hosts

step "The desired state: two protection groups in two TOML files"
cp -r "$HERE/specs" specs
run validate

step "Plan, saved to a file (as a CI job would)"
run plan -out=demo.plan

step "Apply exactly that plan"
run apply demo.plan

step "Group overview and the task list"
run status
run jobs --events --limit 4

step "Nothing left to do"
run plan -detailed-exitcode

step "The data plane: write 8 MiB of random data into host-1's disk through its agent's NBD export"
uri=$(web1 's["nbd_uris"][0]')
replica=$(web1 's["replicas"][0]["path"]')
disk=$(realpath .cdr/cloud/zones/az1/disks/host-1-vda.img)
head -c $((8 << 20)) /dev/urandom > random.bin
echo "$ nbdcopy random.bin '$uri'"
nbdcopy random.bin "$uri"
wait_replica_equal "$disk" "$replica"
run status
# The instant and the primary's content, for the drill further down.
before_more=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
hash_then=$(sha256sum < "$disk" | cut -c1-64)
sleep 0.1

step "Every machine switched off: all agents and shadow hosts stop"
run local down
# Nothing answers now: status says so (error, NOT LIVE, a growing RPO bound), never "healthy".
run status
[ "$(web1 's["health"]')" = error ] || { echo "web-1 is not reported as error with its agent stopped" >&2; exit 1; }
set +e
run drift
code=$?
set -e
echo "(exit code $code)"
[ "$code" -eq 2 ] || { echo "expected drift to be found" >&2; exit 1; }

step "Apply restarts them; the agent is pointed at the shadow host's new address and catches up to realtime"
run apply --auto-approve
[ "$(web1 's["state"]')" = realtime ] || { echo "web-1 is not realtime after the apply" >&2; exit 1; }
head -c $((1 << 20)) /dev/urandom > more.bin
uri=$(web1 's["nbd_uris"][0]')
echo "$ nbdcopy more.bin '$uri'   # 1 MiB more, through the restarted agent"
nbdcopy more.bin "$uri"
wait_replica_equal "$disk" "$replica"
run status

step "A DR drill of web-1 at $before_more (before that last 1 MiB): its disk must be exactly the primary's then"
run recovery-points web-prod/web-1
python3 - "$before_more" "$hash_then" <<'PY'
import sys
spec = open("specs/web.toml").read()
table = ('\n[group.server.drill]          # web-1\'s drill DR host\nname = "web1-drill"\n'
         'recovery_point = "%s"\n'
         "verify = 'command:test \"$(sha256sum < \"$CDR_DISK\" | cut -c1-64)\" = \"%s\"'\n" % (sys.argv[1], sys.argv[2]))
at = spec.index("[[group.server]]", spec.index('name = "web-1"'))
open("specs/web.toml", "w").write(spec[:at] + table.lstrip("\n") + "\n" + spec[at:])
PY
sed -n '/group.server.drill/,/verify/p' specs/web.toml
run plan
run apply --auto-approve
run status
[ "$(web1 's["dr_hosts"][0]["verification"]["result"]')" = passed ] || { echo "the drill did not verify" >&2; exit 1; }

step "Clear the drill: remove the table and apply (replication was never interrupted)"
cp "$HERE/specs/web.toml" specs/web.toml
run apply --auto-approve

step "Someone deletes the web-prod VPC peering in the cloud console"
peering=$(grep -l '"name": "cdr-web-prod"' .cdr/cloud/peerings/*.json)
echo "rm $peering"
rm "$peering"

step "Scheduled drift check (exit 2 = drift)"
set +e
run drift --markdown
code=$?
set -e
echo "(exit code $code)"
[ "$code" -eq 2 ] || { echo "expected drift to be found" >&2; exit 1; }

step "Apply repairs it"
run apply --auto-approve
run drift
run plan -detailed-exitcode

# Puts a TOML table into web-1's [[group.server]] (after its keys, before the next server).
add_to_web1() {
  python3 - "$1" <<'PY'
import sys
spec = open("specs/web.toml").read()
at = spec.index("[[group.server]]", spec.index('name = "web-1"'))
open("specs/web.toml", "w").write(spec[:at] + sys.argv[1].lstrip("\n") + "\n" + spec[at:])
PY
}

step "Failover of web-1 to the DR zone, confirmed: production is fenced"
add_to_web1 $'[group.server.failover]\nname = "web1-dr"\nconfirm = true\n'
sed -n '/group.server.failover/,/confirm/p' specs/web.toml
run apply --auto-approve
run status
uri=$(web1 's["nbd_uris"][0]')
echo "$ nbdcopy more.bin '$uri'   # a write to production must fail now"
if nbdcopy more.bin "$uri" 2>&1; then echo "production took a write while failed over" >&2; exit 1; fi

step "The DR host carries the service: 2 MiB written to it through its NBD export"
dr_id=$(web1 's["dr_hosts"][0]["id"]')
dr_uri=$(web1 's["dr_hosts"][0]["nbd_uris"][0]')
dr_disk=$(realpath ".cdr/cloud/zones/az2/dr_hosts/$dr_id/images/vda.img")
head -c $((2 << 20)) /dev/urandom > on-dr.bin
echo "$ nbdcopy on-dr.bin '$dr_uri'"
nbdcopy on-dr.bin "$dr_uri"

step "Failback: reverse replication into host-1's own disk (only what differs), then production takes over"
add_to_web1 $'[group.server.failback]\nrestore_to_original = true\n'
run plan
run apply --auto-approve
run status
[ "$(web1 's["state"]')" = failed_back ] || { echo "web-1 did not fail back" >&2; exit 1; }
cmp "$disk" "$dr_disk" && echo "cmp $disk $dr_disk: identical"
echo "reverse replication sent $(web1 's["failback"]["reverse_bytes_sent"]') bytes for 2 MiB changed on a 64 MiB disk"
uri=$(web1 's["nbd_uris"][0]')
echo "$ nbdcopy more.bin '$uri'   # production takes writes again"
nbdcopy more.bin "$uri"

step "Protect web-1 again: remove both tables; the new replicas are the DR host's disks (compare, send what differs)"
cp "$HERE/specs/web.toml" specs/web.toml
run plan
run apply --auto-approve
run status
[ "$(web1 's["state"]')" = realtime ] || { echo "web-1 is not realtime again" >&2; exit 1; }
replica=$(web1 's["replicas"][0]["path"]')
wait_replica_equal "$disk" "$replica"

step "Online verify: every disk compared with its replica while the servers run (exit 2 if one differs)"
run verify

printf '\nDemo finished in %s (state: %s/.cdr/state.db).\n' "$WORK" "$WORK"
