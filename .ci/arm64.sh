#!/bin/bash
# arm64 stage: cross-build with tools/cross/aarch64-linux-gnu.ini and run
# every test defined there: the unit suite under QEMU user mode (-cpu
# cortex-a72, see the cross file) and the arm64-vm suite (full-system guests,
# the DC CVAP path).  Left out, by construction of the cross build: the x86
# real-kernel suite 'vm' (-Dvm_tests=disabled: it boots x86 guests with
# NVDIMMs), the 'install' test (it builds natively; tests/meson.build),
# 'env-setuid' (under QEMU user mode the kernel never runs the program
# set-user-ID) and the libpmem client tests (the host's fio, pmempool and
# PMDK libraries cannot load an arm64 libpmem.so.1).
# Called from .ci/run; BUILD_DIR overrides the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
build=${BUILD_DIR:-build-arm64}
start=$(date +%s)

bash tools/setup.sh --arm64-deps
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" --cross-file tools/cross/aarch64-linux-gnu.ini -Dwerror=true \
		-Dvm_tests=disabled -Dbench=disabled
fi
ninja -C "$build"
# Emulation is 5-20x slower than the host; the multiplier keeps a slow
# machine from timing out test_io's exhaustive sweep (~200 s emulated).
meson test -C "$build" --print-errorlogs --timeout-multiplier 3
echo "arm64 stage: $(($(date +%s) - start)) s"
