#!/usr/bin/env bash
# Builds the JavaScript package from wasm-js/ (the wasm-bindgen facade over core):
#   js/pkg/node/     wasm-pack --target nodejs   (what node.js loads)
#   js/pkg/web/      wasm-pack --target web      (what web.js loads, ES module)
#   js/pkg/classic/  wasm-pack --target no-modules, inlined with the effect loop into
#                    examples/web/kuracloud.bundle.js, a classic script the example page
#                    loads from file:// (no server)
# with the module's own cargo profile (`wasm`). wasm-pack and wasm-bindgen-cli come from
# scripts/setup.sh; nothing is downloaded here (--mode no-install).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wasm-pack wasm-bindgen; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup.sh" >&2; exit 1; }
done
# The `wasm` profile strips the module, so wasm-bindgen cannot read which features rustc
# enabled and says so; --reference-types tells it (rustc enables them for wasm32 since
# 1.82), so that one warning is left out.
build() {
  local log
  log=$(mktemp)
  if ! wasm-pack --quiet build wasm-js --mode no-install --profile wasm --reference-types --no-gitignore \
    --target "$1" --out-dir "../js/pkg/$2" --out-name kuracloud 2>"$log"; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  grep -v 'the `target_features` custom section is missing' "$log" >&2 || true
  rm -f "$log"
}
build nodejs node
build web web
build no-modules classic
node js/tools/bundle-classic.js js/pkg/classic examples/web/kuracloud.bundle.js
echo "built js/pkg/{node,web,classic} ($(stat -c %s js/pkg/node/kuracloud_bg.wasm) bytes of wasm) and examples/web/kuracloud.bundle.js"
