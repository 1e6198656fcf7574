#!/usr/bin/env bash
# `cmake --install` puts cdr, cdr-agent, cdr-shadow and cdr-dr-disk in PREFIX/bin, and the installed cdr runs a
# local cloud whose agent and shadow host are the installed programs (found beside cdr, not in the build tree).
# Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d)
prefix=$work/prefix
cleanup() {
  if [ -x "$prefix/bin/cdr" ] && [ -d "$work/dr/.cdr" ]; then
    (cd "$work/dr" && "$prefix/bin/cdr" local down >/dev/null 2>&1) || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null
for p in cdr cdr-agent cdr-shadow cdr-dr-disk; do
  [ -x "$prefix/bin/$p" ] || { echo "FAIL: $prefix/bin/$p not installed"; exit 1; }
done
"$prefix/bin/cdr" version | grep -q '^cdr v' || { echo "FAIL: cdr version"; exit 1; }

mkdir -p "$work/dr/specs" && cd "$work/dr"
"$prefix/bin/cdr" local init --hosts 1 --disk-size-mib 16 >/dev/null
cat > specs/web.toml <<'SPEC'
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
SPEC
"$prefix/bin/cdr" apply -auto-approve >apply.out 2>&1 || { cat apply.out; echo "FAIL: apply"; exit 1; }

# Every cloud process runs from the prefix.
pids=$(find .cdr/cloud -name ready.json -exec sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' {} \;)
[ -n "$pids" ] || { echo "FAIL: no process of the local cloud wrote ready.json"; exit 1; }
for pid in $pids; do
  exe=$(readlink "/proc/$pid/exe")
  case "$exe" in
    "$prefix"/bin/cdr-*) ;;
    *) echo "FAIL: pid $pid runs $exe, not a program of $prefix/bin"; exit 1 ;;
  esac
done
"$prefix/bin/cdr" status --json | grep -q '"state": "realtime"' || { "$prefix/bin/cdr" status; echo "FAIL: not realtime"; exit 1; }
echo "PASS: installed programs run from $prefix"
