# Sourced by the scripts that need a kuraCloud simulator: `start_sim BINARY` serves the
# sample instance on a free port of 127.0.0.1, sets SIM_URL, and stops it on exit.
start_sim() {
  local bin="$1" log
  log=$(mktemp)
  "$bin" sim --port 0 >"$log" 2>&1 &
  SIM_PID=$!
  trap 'kill $SIM_PID 2>/dev/null || true; rm -f "'"$log"'"' EXIT
  SIM_URL=""
  for _ in $(seq 1 100); do
    SIM_URL=$(sed -n 's/^kuraCloud simulator listening on \(http[^ ]*\)$/\1/p' "$log")
    [ -n "$SIM_URL" ] && return 0
    sleep 0.1
  done
  echo "the simulator did not start:" >&2
  cat "$log" >&2
  return 1
}
