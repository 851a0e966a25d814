#!/bin/bash
# Set up a Debian 12 machine for libdaxdev: install the missing packages,
# configure and build in ./build, then run the demo.
#   bash tools/setup.sh            everything
#   bash tools/setup.sh --deps     only install packages
# Extra meson options: DAXDEV_MESON_ARGS="-Dwerror=true" bash tools/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
	# build and unit tests
	gcc libc6-dev meson ninja-build pkg-config libcmocka-dev
	# real-kernel suite (tests/vm): QEMU guest with emulated NVDIMMs
	qemu-system-x86 busybox-static cpio kmod ndctl e2fsprogs xfsprogs
	# benchmarks against PMDK (bench/)
	libpmem-dev libpmemlog-dev gnuplot-nox
	# fuzzing (.ci/fuzz.sh): clang and its libFuzzer/sanitizer runtimes
	clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The vm suite downloads Debian's kernel package with apt: it needs the lists.
apt-cache show linux-image-amd64 >/dev/null 2>&1 || $sudo apt-get update -q
[ "${1:-}" = "--deps" ] && exit 0

# shellcheck disable=SC2086
[ -f build/build.ninja ] || meson setup build ${DAXDEV_MESON_ARGS:-}
ninja -C build

echo
echo "== demo: libdaxdev on anonymous memory =="
./build/examples/daxdev-demo anon:64M
echo
bash examples/plog/demo.sh build
