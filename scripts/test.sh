#!/usr/bin/env bash
# Every test: formatting and lints, Rust unit and integration tests (the real module
# against the simulator over HTTP), PHP syntax checks, and the PHP extension's tests
# (the same module through PHP, with parity against host-runner).
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
echo "== fuzzing: 3,000 cases (at most 60 s), seed 1" && FUZZ_PROFILE=dev scripts/fuzz.sh 60 1 --inputs 3000
echo "== php -l"
find moodle-block php-ext scripts -name '*.php' -print0 | xargs -0 -r -n1 php -l >/dev/null
echo "== plugin validation (what moodle-plugin-ci validate checks)"
php scripts/validate-plugin.php
echo "== PHP extension tests"
scripts/test-php.sh
scripts/test-js.sh
echo "== Moodle PHPUnit (needs MOODLE_DIR; CI has no Moodle)"
scripts/test-moodle.sh
echo "All tests passed."
