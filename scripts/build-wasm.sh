#!/usr/bin/env bash
# Builds the kuraCloud module: core + wasm ABI for wasm32-unknown-unknown with the
# `wasm` profile (opt-level "s", LTO, stripped, panic=abort), then shrinks it with
# wasm-opt when present, then translates it to PHP with wasm2php (the runtime for servers
# without the extension). Output: dist/kuracloud.wasm and dist/kuracloud.php (generated,
# never edited by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p kuracloud-wasm --target wasm32-unknown-unknown --profile wasm
mkdir -p dist
raw="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm/kuracloud_wasm.wasm"
if command -v wasm-opt >/dev/null 2>&1; then
  # Debian's binaryen 108 needs the features rustc emits named explicitly.
  wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types \
    "$raw" -o dist/kuracloud.wasm.tmp
  mv dist/kuracloud.wasm.tmp dist/kuracloud.wasm
else
  cp "$raw" dist/kuracloud.wasm
fi
echo "built dist/kuracloud.wasm ($(stat -c %s dist/kuracloud.wasm) bytes)"
cargo run -q -p wasm2php -- dist/kuracloud.wasm dist/kuracloud.php
php -l dist/kuracloud.php >/dev/null
echo "built dist/kuracloud.php ($(stat -c %s dist/kuracloud.php) bytes)"
# The plugin directory's copies (gitignored; what package-block.sh zips and a developer
# copies into a Moodle) follow the build, so they are never older than dist/.
cp dist/kuracloud.wasm dist/kuracloud.php moodle-block/wasm/
