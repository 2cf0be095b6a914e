#!/usr/bin/env bash
# Benchmark of the Node package (figures, not pass/fail): the 5,000-student preview with
# kuraCloud answered from memory and end to end against the simulator
# (js/bench/preview.js). docs/benchmarks.md has the figures beside host-runner's.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p kuracloud-host-runner
js/build.sh
. scripts/lib-sim.sh
start_sim target/release/host-runner
node js/bench/preview.js "$SIM_URL"
