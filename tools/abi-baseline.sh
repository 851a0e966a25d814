#!/bin/bash
# Record the ABI every later build is checked against (docs/design.md, "ABI
# rules"): abi/libdaxdev.abi, abidw of the built library.  Until v1.0.0 is
# tagged, run it whenever the API changes; after that, only when a release is
# tagged, from that release's build.
# While the version is 1.0.x it also copies the public headers to
# tests/abi/include, which tests/abi/abi_1_0.c is compiled against; that copy
# stays the 1.0 headers for good (a later release adds its own copy).
#   bash tools/abi-baseline.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
lib=$(ls "$build"/libdaxdev.so.*.*.* | head -n1)
mkdir -p abi
abidw --headers-dir include --headers-dir "$build/include" "$lib" >abi/libdaxdev.abi
echo "baseline: abi/libdaxdev.abi from $lib"
if ! grep -q '^#define DAXDEV_VERSION_STRING "1\.0\.' "$build/include/daxdev/version.h"; then
	echo "not 1.0.x: tests/abi/include keeps the 1.0 headers"
	exit 0
fi
rm -rf tests/abi/include
mkdir -p tests/abi/include/daxdev
cp include/daxdev.h tests/abi/include/
cp include/daxdev/*.h tests/abi/include/daxdev/
cp "$build/include/daxdev/version.h" tests/abi/include/daxdev/
echo "1.0 headers copied to tests/abi/include"
