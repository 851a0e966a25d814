#!/bin/bash
# ABI stage: the library built in BUILD_DIR (default build) against the
# released baseline abi/libdaxdev.abi.  abidiff reports every change and
# fails on what it deems incompatible; tools/abi-check.py holds libdaxdev's
# own rules (members keep offsets and types, structs grow only after their
# sz, flag values never change).  Added functions are fine.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
lib=$(ls "$build"/libdaxdev.so.*.*.* | head -n1)
abidw --headers-dir include --headers-dir "$build/include" "$lib" >"$build/libdaxdev.current.abi"
set +e
abidiff --no-added-syms abi/libdaxdev.abi "$build/libdaxdev.current.abi"
rc=$?
set -e
# abidiff's status is a bit set: 1 error, 2 usage error, 4 change, 8 incompatible change.
if (( rc & 11 )); then
	echo "ABI: abidiff found an incompatible change or failed (status $rc)"
	exit 1
fi
python3 tools/abi-check.py abi/libdaxdev.abi "$build/libdaxdev.current.abi" \
	tests/abi/include "include:$build/include"
echo "ABI: compatible with the baseline"
