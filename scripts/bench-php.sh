#!/usr/bin/env bash
# Runtime benchmarks (figures, not pass/fail): the extension against the generated PHP
# on the same machine in the same run, PHP 8.2 CLI with opcache on (and the JIT
# configured where said): students preview of 50, 2,000 and 5,000 students and grade sync of 40,000
# grades (php-ext/bench/runtimes.php), then the generated file's load time and memory
# with and without opcache (php-ext/bench/load.php). Expects scripts/build-wasm.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p kuracloud-php -p kuracloud-host-runner
ext="${CARGO_TARGET_DIR:-$PWD/target}/release/libkuracloud_php.so"
. scripts/lib-sim.sh
start_sim "${CARGO_TARGET_DIR:-target}/release/host-runner"
export KC_SIM_URL="$SIM_URL" KC_WASM="$PWD/dist/kuracloud.wasm" KC_PHP_MODULE="$PWD/dist/kuracloud.php"
# PHP without any kuracloud extension enabled in the ini scan directory.
scan="$(php -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')"
ini=$(mktemp -d)
cache=$(mktemp -d)
trap 'rm -rf "$ini" "$cache"; kill $SIM_PID 2>/dev/null || true' EXIT
if [ -n "$scan" ] && [ -d "$scan" ]; then
  for f in "$scan"/*.ini; do
    [ -e "$f" ] || continue
    grep -qE '^\s*extension\s*=\s*kuracloud' "$f" || ln -s "$f" "$ini/"
  done
fi
phpx() { PHP_INI_SCAN_DIR="$ini" php -d memory_limit=-1 "$@"; }
opcache=(-d opcache.enable_cli=1 -d opcache.jit_buffer_size=0)
jit=(-d opcache.enable_cli=1 -d opcache.jit=tracing -d opcache.jit_buffer_size=128M)
work=(preview 50 preview 2000 preview 5000 grades 40000)
echo "== extension (opcache)"
phpx "${opcache[@]}" -d extension="$ext" php-ext/bench/runtimes.php ext "${work[@]}"
echo "== generated PHP (opcache, no JIT)"
phpx "${opcache[@]}" php-ext/bench/runtimes.php php "${work[@]}" preview 10000 preview 20000
echo "== generated PHP (opcache, JIT configured: php_module compiles the generated file with the JIT off)"
phpx "${jit[@]}" php-ext/bench/runtimes.php php "${work[@]}" preview 10000 preview 20000
echo "== generated file: $(stat -c %s dist/kuracloud.php) bytes"
echo "load without opcache (every CLI process, e.g. cron):"
phpx -d opcache.enable_cli=0 php-ext/bench/load.php dist/kuracloud.php
echo "load with opcache, first time (compiled and optimized into the cache):"
phpx -d opcache.enable_cli=1 -d opcache.file_cache="$cache" php-ext/bench/load.php dist/kuracloud.php
echo "load with opcache, in shared memory (php-fpm / Apache workers after the first request):"
phpx -d opcache.enable_cli=1 php-ext/bench/load.php dist/kuracloud.php --precompile
echo "load with opcache, cached on disk (opcache file cache: a later CLI process):"
phpx -d opcache.enable_cli=1 -d opcache.file_cache="$cache" -d opcache.file_cache_only=1 php-ext/bench/load.php dist/kuracloud.php
echo "== the PHP memory_limit a 40,000-grade sync needs (generated PHP, opcache; the input and its JSON are PHP's too)"
for limit in 128M 192M 224M 256M; do
  if out=$(phpx "${opcache[@]}" -d memory_limit=$limit php-ext/bench/runtimes.php php grades 40000 2>&1); then
    echo "memory_limit=$limit: ok"
  else
    echo "memory_limit=$limit: fails ($(echo "$out" | grep -o 'memory_limit ([^)]*)[^"]*\|Allowed memory size[^(]*' | head -1))"
  fi
done
