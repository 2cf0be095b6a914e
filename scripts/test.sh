#!/usr/bin/env bash
# Every test: formatting and lints, Rust unit and integration tests (the real module
# against the simulator over HTTP), and PHP syntax checks.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-wasm.sh
echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy -q --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test -q --workspace
if [ -d moodle-block ]; then
  echo "== php -l"
  find moodle-block -name '*.php' -print0 | xargs -0 -r -n1 php -l >/dev/null
fi
echo "All tests passed."
