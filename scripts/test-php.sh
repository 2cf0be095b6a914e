#!/usr/bin/env bash
# PHP tests: builds the extension, starts a simulator, and runs php-ext/tests/run.php
# (under the extension and under the generated dist/kuracloud.php)
# and php-ext/tests/cache.php (the authenticated disk cache) with the real
# dist/kuracloud.wasm. Expects scripts/build-wasm.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p kuracloud-php -p kuracloud-host-runner
ext="${CARGO_TARGET_DIR:-$PWD/target}/debug/libkuracloud_php.so"
KC_WASM="$PWD/dist/kuracloud.wasm" KC_EXT="$ext" scripts/php-with-ext.sh "$ext" php-ext/tests/cache.php
. scripts/lib-sim.sh
start_sim "${CARGO_TARGET_DIR:-target}/debug/host-runner"
url="$SIM_URL"
# Every test under both runtimes: the extension and the generated PHP.
KC_SIM_URL="$url" KC_WASM="$PWD/dist/kuracloud.wasm" KC_EXT="$ext" KC_PHP_MODULE="$PWD/dist/kuracloud.php" \
  scripts/php-with-ext.sh "$ext" php-ext/tests/run.php
# The generated PHP against wasmtime on random workflows and answers, plain and with
# PHP's JIT configured (php_module keeps it off for the generated code, which the JIT
# miscompiles): any difference fails.
jitphp=$(mktemp)
printf '#!/bin/sh\nexec php -d opcache.enable_cli=1 -d opcache.jit=tracing -d opcache.jit_buffer_size=64M "$@"\n' >"$jitphp"
chmod +x "$jitphp"
cargo build -q -p wasm2php --example differential
for php in php "$jitphp"; do
  scan="$(php -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')"
  ini=$(mktemp -d)
  for f in "$scan"/*.ini; do
    [ -e "$f" ] || continue
    grep -qE '^\s*extension\s*=\s*kuracloud' "$f" || ln -s "$f" "$ini/"
  done
  if ! out=$(PHP_INI_SCAN_DIR="$ini" PHP="$php" "${CARGO_TARGET_DIR:-target}/debug/examples/differential" dist/kuracloud.wasm dist/kuracloud.php --cases 300 --seed 11); then
    echo "$out"
    rm -rf "$ini"
    exit 1
  fi
  echo "$out" | grep -E '^[0-9]+ cases'
  rm -rf "$ini"
done
rm -f "$jitphp"
