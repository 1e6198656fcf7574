#!/usr/bin/env bash
# `make fuzz`: runs every libFuzzer target of build-fuzz/ for SECONDS each (default 60), starting from the seed
# corpus (fuzz/corpus/TARGET, copied: the repository's corpus only changes on purpose) and any regression inputs.
# An input that crashes, leaks, hangs or exhausts memory is kept in fuzz/artifacts/ and the run fails: copy it
# into fuzz/regressions/TARGET/ (the replay test then runs it in every test suite) and fix the parser.
# Usage: fuzz/run.sh BUILD_DIR [SECONDS]
set -uo pipefail
build=$1
seconds=${2:-60}
root=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$root/artifacts"
failed=()
for program in "$build"/fuzz_*; do
  [ -x "$program" ] || continue
  target=${program##*/fuzz_}
  mkdir -p "$work/$target"
  cp -r "$root/corpus/$target/." "$work/$target/" 2>/dev/null
  [ -d "$root/regressions/$target" ] && cp -r "$root/regressions/$target/." "$work/$target/"
  echo "fuzz $target: ${seconds}s"
  # -timeout: one input may take 10 s (the NBD server's own timeouts are 2 s); -rss_limit_mb bounds memory.
  if ! "$program" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$root/artifacts/$target-" "$work/$target" >"$work/$target.log" 2>&1; then
    failed+=("$target")
    grep -E "ERROR|SUMMARY|Test unit written" "$work/$target.log" | head -20
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$work/$target.log" | tr '\n' ' '
  echo
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]} (inputs in fuzz/artifacts/; copy each into fuzz/regressions/TARGET/ and fix)"
  exit 1
fi
echo "every fuzz target ran ${seconds}s without a finding"
