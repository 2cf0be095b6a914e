#!/usr/bin/env bash
# Differential check (figures, and a failure on any difference): random workflow
# inputs and kuraCloud answers through wasmtime and through the generated PHP
# (dist/kuracloud.php), every step compared byte for byte.
# Usage: scripts/differential.sh [CASES (10000)] [SEED (1)]. Expects scripts/build-wasm.sh.
# PHP=/path/to/php-wrapper runs the PHP side with other settings (e.g. the JIT on).
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-10000}"
seed="${2:-1}"
cargo build -q --release -p wasm2php --example differential
# PHP without the kuracloud extension (its exception class cannot be created from PHP).
scan="$(php -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')"
ini=$(mktemp -d)
trap 'rm -rf "$ini"' EXIT
if [ -n "$scan" ] && [ -d "$scan" ]; then
  for f in "$scan"/*.ini; do
    [ -e "$f" ] || continue
    grep -qE '^\s*extension\s*=\s*kuracloud' "$f" || ln -s "$f" "$ini/"
  done
fi
PHP_INI_SCAN_DIR="$ini" PHP="${PHP:-php}" "${CARGO_TARGET_DIR:-target}/release/examples/differential" dist/kuracloud.wasm dist/kuracloud.php \
  --cases "$cases" --seed "$seed"
