#!/usr/bin/env bash
# Runs every benchmark against the build in $1 (default: build).
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
bash bench/plan_scale.sh "$BUILD/cdr"
bash bench/nbd_write_latency.sh "$BUILD/cdr-agent"
