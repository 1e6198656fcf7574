# Sourced by the benchmarks that start cdr-agent / cdr-shadow: stopping them by pid (SIGTERM, then SIGKILL after
# 10 s) and waiting for the files and lines they announce themselves with. BENCH names the caller in messages.
PIDS=()

# Stops the pids given, or every pid in PIDS (and empties it) when none are given.
stop_pids() {
  local targets=("$@")
  [ ${#targets[@]} -gt 0 ] || targets=("${PIDS[@]}")
  local pid
  for pid in "${targets[@]}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${targets[@]}"; do
    [ -n "$pid" ] || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [ $# -gt 0 ] || PIDS=()
}

# Waits (10 s at most) until the file $1 exists and is not empty.
wait_for_file() {
  for _ in $(seq 1 200); do [ -s "$1" ] && return 0; sleep 0.05; done
  echo "$BENCH: $1 never appeared" >&2
  return 1
}

# Waits (10 s at most) for "listening on HOST:PORT" in the file $1 and prints HOST:PORT.
listening_address() {
  for _ in $(seq 1 200); do
    if grep -q '^listening on ' "$1" 2>/dev/null; then sed -n 's/^listening on //p' "$1" | head -1; return 0; fi
    sleep 0.05
  done
  echo "$BENCH: no 'listening on' in $1" >&2
  return 1
}
