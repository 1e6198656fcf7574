#!/usr/bin/env bash
# `make demo`: the main job end to end on the embedded local provider, in a fresh directory:
# a local cloud with 3 hosts → validate the example spec → plan to a file → apply it → status and jobs →
# a VPC peering deleted behind cdr's back → drift finds it → apply repairs it → no drift, no changes.
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

printf '\nDemo finished in %s (state: %s/.cdr/state.db).\n' "$WORK" "$WORK"
