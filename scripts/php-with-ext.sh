#!/usr/bin/env bash
# php-with-ext.sh EXT.so ARGS...: runs PHP with exactly this build of the kuracloud
# extension, even where another copy is enabled in php.ini (scripts/install-php-ext.sh
# does that for a local Moodle): the scan directory is rebuilt without it.
set -euo pipefail
ext="$1"
shift
scan="$(php -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "$scan" ] && [ -d "$scan" ]; then
  for f in "$scan"/*.ini; do
    [ -e "$f" ] || continue
    grep -qE '^\s*extension\s*=\s*kuracloud' "$f" || ln -s "$f" "$tmp/"
  done
fi
PHP_INI_SCAN_DIR="$tmp" php -d extension="$ext" "$@"
