#!/usr/bin/env bash
# The fuzzer (fuzz/): hostile workflow inputs, hostile kuraCloud answers and ABI call
# sequences against the real module (dist/kuracloud.wasm) through the loader (loader/),
# as host-runner and the PHP extension run it.
#
#   scripts/fuzz.sh SECONDS [SEED] [kuracloud-fuzz options, e.g. --jobs 2 --inputs N]
#   scripts/fuzz.sh 0 SEED --replay CASE     # one case, every call and answer printed
#
# Exit status 1 on any trap, deadline, output that is not a well-formed step, or memory
# limit nobody asked for. The seed defaults to 1. FUZZ_PROFILE=dev builds the fuzzer
# without optimisation (what scripts/test.sh does: no release build of wasmtime).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: scripts/fuzz.sh SECONDS [SEED] [options]}
seed=${2:-1}
shift $(($# >= 2 ? 2 : 1))
[ -f dist/kuracloud.wasm ] || scripts/build-wasm.sh
args=(--seed "$seed")
if [ "$seconds" != 0 ]; then args+=(--seconds "$seconds"); fi
exec cargo run -q --profile "${FUZZ_PROFILE:-release}" -p kuracloud-fuzz -- "${args[@]}" "$@"
