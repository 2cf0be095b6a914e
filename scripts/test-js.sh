#!/usr/bin/env bash
# The JavaScript package's tests (js/): builds it with wasm-pack (js/build.sh), then runs
# the node --test suites: every workflow against host-runner's simulator, the golden
# parity cases against host-runner, the wasm-bindgen facade, the TypeScript declarations
# (tsc --strict), and the browser page examples/web plus the web target in headless
# Chromium. typescript and playwright-core come from npm into .cache/js-tools (once).
# The package itself runs on Node.js 18 and later; playwright-core needs Node.js 20.
set -euo pipefail
echo "== JavaScript package (js/: Node tests, golden parity, types, browser page)"
cd "$(dirname "$0")/.."
scripts/setup.sh
# The parity tests run host-runner on dist/kuracloud.wasm: build it when missing or older
# than its sources (scripts/test.sh has just built it).
if [ ! -f dist/kuracloud.wasm ] || [ -n "$(find core wasm Cargo.toml Cargo.lock -newer dist/kuracloud.wasm -print -quit)" ]; then
  scripts/build-wasm.sh
fi
cargo build -q -p kuracloud-host-runner
js/build.sh
tools=.cache/js-tools
want=(typescript@5.9.3 playwright-core@1.65.1)
missing=()
for pkg in "${want[@]}"; do
  version=$(node -p "require('./$tools/node_modules/${pkg%@*}/package.json').version" 2>/dev/null || true)
  [ "$version" = "${pkg##*@}" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  # No browser download: the tests use Debian's chromium.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-audit --no-fund --save-exact \
    --prefix "$tools" "${missing[@]}"
fi
KC_JS_TOOLS="$PWD/$tools" node --test js/test/*.test.js
