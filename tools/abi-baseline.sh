#!/bin/bash
# Record the released ABI: abi/libdaxdev.abi (abidw of the built library) and
# a copy of the public headers in tests/abi/include, which tests/abi/abi_1_0.c
# is compiled against.  Run only when a release is tagged (docs/design.md,
# "ABI rules"): the baseline is what every later 1.x is checked against.
#   bash tools/abi-baseline.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
lib=$(ls "$build"/libdaxdev.so.*.*.* | head -n1)
mkdir -p abi
abidw --headers-dir include --headers-dir "$build/include" "$lib" >abi/libdaxdev.abi
rm -rf tests/abi/include
mkdir -p tests/abi/include/daxdev
cp include/daxdev.h tests/abi/include/
cp include/daxdev/*.h tests/abi/include/daxdev/
cp "$build/include/daxdev/version.h" tests/abi/include/daxdev/
echo "baseline: abi/libdaxdev.abi from $lib; headers copied to tests/abi/include"
