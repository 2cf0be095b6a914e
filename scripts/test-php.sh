#!/usr/bin/env bash
# PHP tests: builds the extension, starts a simulator, and runs php-ext/tests/run.php
# with the real dist/kuracloud.wasm. Expects scripts/build-wasm.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p kuracloud-php -p kuracloud-host-runner
ext="$PWD/target/debug/libkuracloud_php.so"
log=$(mktemp)
target/debug/host-runner sim --port 0 >"$log" 2>&1 &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^kuraCloud simulator listening on \(http[^ ]*\)$/\1/p' "$log")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "the simulator did not start:"; cat "$log"; exit 1; }
KC_SIM_URL="$url" KC_WASM="$PWD/dist/kuracloud.wasm" KC_EXT="$ext" \
  scripts/php-with-ext.sh "$ext" php-ext/tests/run.php
