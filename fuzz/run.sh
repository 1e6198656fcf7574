#!/usr/bin/env bash
# `make fuzz`: runs every libFuzzer target of build-fuzz/ for SECONDS each (default 60), starting from the seed
# corpus (fuzz/corpus/TARGET, copied: the repository's corpus only changes on purpose) and any regression inputs.
# An input that crashes, leaks, hangs or exhausts memory is kept in fuzz/artifacts/ and the run fails: copy it
# into fuzz/regressions/TARGET/ (the replay test then runs it in every test suite) and fix the parser.
# Usage: fuzz/run.sh BUILD_DIR [SECONDS]   (FUZZ_JOBS=N targets at a time)
set -uo pipefail
build=$1
seconds=${2:-60}
root=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$root/artifacts"
# Targets run FUZZ_JOBS at a time (default: the machine's cores); each prints its result when it ends.
jobs=${FUZZ_JOBS:-$(nproc)}
run_target() {  # program target -> exit 0 clean, 1 finding
  local program=$1 target=$2 status=0
  mkdir -p "$work/$target"
  cp -r "$root/corpus/$target/." "$work/$target/" 2>/dev/null
  [ -d "$root/regressions/$target" ] && cp -r "$root/regressions/$target/." "$work/$target/"
  # -timeout: one input may take 10 s (the NBD server's own timeouts are 2 s); -rss_limit_mb bounds memory.
  "$program" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$root/artifacts/$target-" "$work/$target" >"$work/$target.log" 2>&1 || status=1
  {
    echo "fuzz $target: ${seconds}s"
    [ $status -eq 0 ] || grep -E "ERROR|SUMMARY|Test unit written" "$work/$target.log" | head -20
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$work/$target.log" | tr '\n' ' '
    echo
  }
  [ $status -eq 0 ] || touch "$work/$target.failed"
}
for program in "$build"/fuzz_*; do
  [ -x "$program" ] || continue
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  run_target "$program" "${program##*/fuzz_}" &
done
wait
failed=()
for marker in "$work"/*.failed; do
  [ -e "$marker" ] && { marker=${marker##*/}; failed+=("${marker%.failed}"); }
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]} (inputs in fuzz/artifacts/; copy each into fuzz/regressions/TARGET/ and fix)"
  exit 1
fi
echo "every fuzz target ran ${seconds}s without a finding"
