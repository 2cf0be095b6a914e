#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): the module under wasmtime, and HTTP call counts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-wasm.sh
cargo bench -q -p kuracloud-host-runner --bench workflows

echo "== PHP extension (release build)"
cargo build -q --release -p kuracloud-php -p kuracloud-host-runner
. scripts/lib-sim.sh
start_sim "${CARGO_TARGET_DIR:-target}/release/host-runner"
url="$SIM_URL"
ext="${CARGO_TARGET_DIR:-$PWD/target}/release/libkuracloud_php.so"
KC_SIM_URL="$url" KC_WASM="$PWD/dist/kuracloud.wasm" KC_EXT="$ext" scripts/php-with-ext.sh "$ext" php-ext/bench/bench.php

echo "== Runtimes: the extension against the generated PHP"
scripts/bench-php.sh
