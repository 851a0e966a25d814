#!/bin/bash
# Fetch and unpack the Debian kernel package used by the vm suite (cached, locked).
#
# usage: fetch-kernel.sh CACHE_DIR
# DAXDEV_VM_KERNEL_META names the metapackage to follow (default
# linux-image-amd64; tests/arm64 uses linux-image-arm64:arm64).
# Prints the unpacked kernel directory (containing boot/vmlinuz-* and
# lib/modules/VERSION/) on stdout.  Exit 0 on success; on failure prints the
# reason on stderr and exits 77 (skip) or, when CI is set, 1.
set -u

cache=${1:?usage: fetch-kernel.sh CACHE_DIR}

fail() {
	echo "fetch-kernel: $*" >&2
	if [ -n "${CI:-}" ]; then exit 1; fi
	exit 77
}

for tool in apt-cache apt-get dpkg-deb flock; do
	command -v "$tool" >/dev/null 2>&1 || fail "missing host tool '$tool'"
done

mkdir -p "$cache" || fail "cannot create $cache"
exec 9>"$cache/kernel.lock"
flock 9 || fail "cannot lock $cache/kernel.lock"

# An explicit package can be forced (e.g. to pin a kernel); otherwise take
# the one the metapackage depends on today.
meta=${DAXDEV_VM_KERNEL_META:-linux-image-amd64}
pkg=${DAXDEV_VM_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
	pkg=$(apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
fi
if [ -z "$pkg" ]; then
	# Offline fallback: reuse whatever was unpacked before.
	old=$(ls -d "$cache"/kernel-linux-image-*/ 2>/dev/null | head -n1)
	[ -n "$old" ] && [ -f "$old/.complete" ] && { echo "${old%/}"; exit 0; }
	fail "cannot resolve the kernel package: 'apt-cache depends $meta' gave nothing (apt-get update?)"
fi

dir="$cache/kernel-$pkg"
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

rm -rf "$dir" "$cache/dl"
mkdir -p "$cache/dl" || fail "cannot create $cache/dl"
# apt drops privileges to _apt for downloads; let it write here.
chmod 0777 "$cache/dl" 2>/dev/null
if ! (cd "$cache/dl" && apt-get download -q "$pkg") >"$cache/dl.log" 2>&1; then
	cat "$cache/dl.log" >&2
	# Offline with an older kernel already unpacked: use that one (unless a
	# package was asked for by name).
	[ -n "${DAXDEV_VM_KERNEL_PKG:-}" ] ||
	for old in "$cache"/kernel-linux-image-*/; do
		if [ -f "$old/.complete" ]; then
			echo "fetch-kernel: 'apt-get download $pkg' failed; using ${old%/}" >&2
			echo "${old%/}"
			exit 0
		fi
	done
	fail "'apt-get download $pkg' failed (no network or no apt source?)"
fi
deb=$(ls "$cache"/dl/*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || fail "apt-get download $pkg produced no .deb"
mkdir -p "$dir.tmp" && dpkg-deb -x "$deb" "$dir.tmp" || fail "dpkg-deb -x $deb failed"
ls "$dir.tmp"/boot/vmlinuz-* >/dev/null 2>&1 || fail "$deb contains no boot/vmlinuz-*"
rm -rf "$dir" && mv "$dir.tmp" "$dir" && touch "$dir/.complete" || fail "cannot finish $dir"
rm -rf "$cache/dl"
echo "$dir"
