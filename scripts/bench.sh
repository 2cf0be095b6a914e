#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): the module under wasmtime, and HTTP call counts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-wasm.sh
cargo bench -q -p kuracloud-host-runner --bench workflows
