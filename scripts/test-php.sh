#!/usr/bin/env bash
# PHP tests: builds the extension, starts a simulator, and runs php-ext/tests/run.php
# (under the extension and under the generated dist/kuracloud.php)
# and php-ext/tests/cache.php (the authenticated disk cache) with the real
# dist/kuracloud.wasm. Expects scripts/build-wasm.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p kuracloud-php -p kuracloud-host-runner
ext="$PWD/target/debug/libkuracloud_php.so"
KC_WASM="$PWD/dist/kuracloud.wasm" KC_EXT="$ext" scripts/php-with-ext.sh "$ext" php-ext/tests/cache.php
. scripts/lib-sim.sh
start_sim target/debug/host-runner
url="$SIM_URL"
# Every test under both runtimes: the extension and the generated PHP.
KC_SIM_URL="$url" KC_WASM="$PWD/dist/kuracloud.wasm" KC_EXT="$ext" KC_PHP_MODULE="$PWD/dist/kuracloud.php" \
  scripts/php-with-ext.sh "$ext" php-ext/tests/run.php
