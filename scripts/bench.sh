#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): the module under wasmtime, and HTTP call counts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-wasm.sh
cargo bench -q -p kuracloud-host-runner --bench workflows

echo "== PHP extension (release build)"
cargo build -q --release -p kuracloud-php -p kuracloud-host-runner
log=$(mktemp)
target/release/host-runner sim --port 0 >"$log" 2>&1 &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^kuraCloud simulator listening on \(http[^ ]*\)$/\1/p' "$log")
  [ -n "$url" ] && break
  sleep 0.1
done
ext="$PWD/target/release/libkuracloud_php.so"
KC_SIM_URL="$url" KC_WASM="$PWD/dist/kuracloud.wasm" KC_EXT="$ext" scripts/php-with-ext.sh "$ext" php-ext/bench/bench.php
