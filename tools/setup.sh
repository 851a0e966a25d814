#!/bin/bash
# Set up a Debian 12 machine for libdaxdev: install the missing packages,
# configure and build in ./build, then run the demo.
#   bash tools/setup.sh            everything
#   bash tools/setup.sh --deps     only install packages
#   bash tools/setup.sh --arm64-deps  only the arm64 cross build's packages
#                                  (adds dpkg's arm64 architecture; .ci/arm64.sh)
# Extra meson options: DAXDEV_MESON_ARGS="-Dwerror=true" bash tools/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

packages=(
	# build and unit tests; abigail-tools for the ABI check (.ci/abi.sh)
	gcc libc6-dev meson ninja-build pkg-config libcmocka-dev abigail-tools
	# the daxdev(1) tool: JSON, optional libndctl (with libuuid), bash completion
	libjson-c-dev libndctl-dev uuid-dev bash-completion
	# real-kernel suite (tests/vm): QEMU guest with emulated NVDIMMs
	# (Debian 12's ndctl package also ships the cxl tool)
	qemu-system-x86 busybox-static cpio kmod ndctl daxctl e2fsprogs xfsprogs
	# benchmarks against PMDK (bench/)
	libpmem-dev libpmemlog-dev gnuplot-nox
	# real PMDK clients of the drop-in libpmem (compat/libpmem/tests)
	fio libpmemobj-dev pmdk-tools python3
	# fuzzing (.ci/fuzz.sh): clang and its libFuzzer/sanitizer runtimes
	clang libclang-rt-14-dev
)

# The arm64 cross build and its emulators; libcmocka-dev:arm64 needs dpkg's
# arm64 architecture (undo: remove the :arm64 packages, then
# dpkg --remove-architecture arm64).
arm64_packages=(
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static qemu-system-arm
	libcmocka-dev:arm64 cpio gzip
)
if [ "${1:-}" = "--arm64-deps" ]; then
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		$sudo dpkg --add-architecture arm64
		arm64_new=1
	fi
	packages=("${arm64_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ -n "${arm64_new:-}" ]; then
	echo "setup: installing ${missing[*]}"
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The vm suites download Debian's kernel package with apt: they need the lists.
kernel_meta=linux-image-amd64
[ "${1:-}" = "--arm64-deps" ] && kernel_meta=linux-image-arm64:arm64
apt-cache show "$kernel_meta" >/dev/null 2>&1 || $sudo apt-get update -q
case ${1:-} in --deps|--arm64-deps) exit 0 ;; esac

# shellcheck disable=SC2086
[ -f build/build.ninja ] || meson setup build ${DAXDEV_MESON_ARGS:-}
ninja -C build

echo
echo "== demo: libdaxdev on anonymous memory =="
./build/examples/daxdev-demo anon:64M
echo
bash examples/plog/demo.sh build
