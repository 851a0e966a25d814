#!/bin/bash
# The README demo: a persistent log on a file in a temporary directory (the
# embedded default: any file works) and on volatile memory, with what
# libdaxdev chose for each device and why.
set -euo pipefail
build=${1:-build}
plog=$build/examples/plog
dir=$(mktemp -d "${TMPDIR:-/tmp}/plog-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT

echo "== plog on a file: $dir/log =="
"$plog" create "$dir/log" --size 8M
printf 'one\ntwo\nthree\n' | "$plog" append "$dir/log" -
"$plog" append "$dir/log" "appended by a second process"
echo "-- cat (a new process reads what the others wrote):"
"$plog" cat "$dir/log"
echo "-- stat:"
"$plog" stat "$dir/log"
echo
echo "== plog on volatile memory (anon:8M), in one process =="
"$plog" demo anon:8M
