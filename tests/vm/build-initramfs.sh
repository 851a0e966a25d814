#!/bin/bash
# Build (once, cached by content of its inputs) the base initramfs of the vm suite.
#
# usage: build-initramfs.sh CACHE_DIR KERNEL_DIR INIT_SCRIPT GUEST_PROGRAM...
# The archive holds busybox, the pmem/dax/filesystem modules of KERNEL_DIR in
# load order (lib/modules/load-order; the CXL ones, loaded only by the
# scenarios that want them, in lib/modules/load-order-cxl), ndctl, cxl,
# mkfs.ext4, mkfs.xfs (with their shared libraries), the guest /init and the
# given static guest programs (in /bin).  Prints the path
# of the .cpio.gz on stdout.  Exit 77 (skip) or 1 (CI set) when a piece is missing.
set -u

cache=${1:?usage}; kdir=${2:?usage}; init=${3:?usage}; shift 3

fail() {
	echo "build-initramfs: $*" >&2
	if [ -n "${CI:-}" ]; then exit 1; fi
	exit 77
}
die() { echo "build-initramfs: $*" >&2; exit 1; }   # our own bug, never a skip

for tool in cpio gzip modinfo ldd sha256sum flock; do
	command -v "$tool" >/dev/null 2>&1 || fail "missing host tool '$tool'"
done
busybox=/bin/busybox
[ -x "$busybox" ] || fail "$busybox not found (apt-get install busybox-static)"
ldd "$busybox" >/dev/null 2>&1 && fail "$busybox is dynamically linked; install busybox-static"
host_tools=""
# cxl comes with Debian 12's ndctl package (there is no separate cxl package).
for t in ndctl cxl mkfs.ext4 mkfs.xfs; do
	p=$(PATH=$PATH:/sbin:/usr/sbin command -v "$t") || fail "missing host tool '$t' (ndctl, e2fsprogs, xfsprogs)"
	host_tools="$host_tools $p"
done
# Optional: what daxdev(1) is compared with in the guest (daxctl, cxl).
for t in daxctl cxl; do
	p=$(PATH=$PATH:/sbin:/usr/sbin command -v "$t") && host_tools="$host_tools $p"
done
for g in "$@"; do
	[ -x "$g" ] || die "guest program $g missing"
	ldd "$g" >/dev/null 2>&1 && die "guest program $g is not static"
done
# Dynamic guest programs: the PMDK clients of the drop-in libpmem (scenario
# poweroff-pmdk).  DAXDEV_VM_DYNAMIC lists them; they come with the shared
# libraries ldd finds (PMDK's libpmem.so.1 among them), and
# DAXDEV_VM_LIBPMEM, the drop-in, goes where `meson install` puts it.
dynamic_guests=${DAXDEV_VM_DYNAMIC:-}
drop_in=${DAXDEV_VM_LIBPMEM:-}
for g in $dynamic_guests $drop_in; do
	[ -f "$g" ] || die "dynamic guest file $g missing"
done
host_tools="$host_tools $dynamic_guests"

kver=$(ls "$kdir/lib/modules" | head -n1)
mdir="$kdir/lib/modules/$kver"
[ -d "$mdir/kernel" ] || die "no modules under $mdir"

# Modules wanted; their dependencies come first (modinfo -F depends).
# crc32c_generic goes first although nothing declares it: xfs and ext4 look
# up "crc32c" through the crypto API at load time.
wanted="crc32c_generic nfit nd_pmem nd_btt dax_pmem device_dax nd_e820 virtio_pmem virtio_pci ext4 xfs"
# CXL type-3 memory (cxl_core and cxl_port are built in on Debian's kernel).
wanted_cxl="cxl_acpi cxl_pci cxl_mem cxl_pmem"
order=()
declare -A seen path
while IFS= read -r f; do
	b=${f##*/}; b=${b%.ko}; path[${b//-/_}]=$f
done < <(find "$mdir/kernel" -name '*.ko')
builtin=$(sed 's,.*/,,; s,\.ko$,,; s,-,_,g' "$mdir/modules.builtin" 2>/dev/null)
add_mod() {
	local m=${1//-/_} d
	[ -n "${seen[$m]:-}" ] && return 0
	seen[$m]=1
	if [ -z "${path[$m]:-}" ]; then
		grep -qx "$m" <<<"$builtin" && return 0
		die "module $m not found in $mdir"
	fi
	for d in $(modinfo -F depends "${path[$m]}" | tr ',' ' '); do add_mod "$d"; done
	order+=("$m")
}
for m in $wanted; do add_mod "$m"; done
nbase=${#order[@]}
for m in $wanted_cxl; do add_mod "$m"; done

# Cache key: everything that goes in, plus this script and the init.
key=$( {
	echo "$kver ${order[*]}"
	sha256sum "$0" "$init" "$busybox" $host_tools $drop_in "$@" | cut -d' ' -f1
} | sha256sum | cut -c1-16)
out="$cache/initramfs-$key.cpio.gz"

mkdir -p "$cache" || fail "cannot create $cache"
exec 9>"$cache/initramfs.lock"
flock 9 || fail "cannot lock"
if [ -s "$out" ]; then echo "$out"; exit 0; fi

root=$(mktemp -d "$cache/initramfs-root.XXXXXX") || die "mktemp"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,mnt,etc,lib/modules,run} || die "mkdir"
cp "$busybox" "$root/bin/busybox" || die "copy busybox"
for i in "${!order[@]}"; do
	m=${order[$i]}
	cp "${path[$m]}" "$root/lib/modules/$m.ko" || die "copy $m"
	if [ "$i" -lt "$nbase" ]; then
		echo "$m" >>"$root/lib/modules/load-order"
	else
		echo "$m" >>"$root/lib/modules/load-order-cxl"
	fi
done
copy_with_libs() {
	local p=$1 lib
	cp -L "$p" "$root/bin/" || die "copy $p"
	for lib in $(ldd "$p" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		mkdir -p "$root$(dirname "$lib")"
		[ -e "$root$lib" ] || cp -L "$lib" "$root$lib" || die "copy $lib"
	done
}
for t in $host_tools; do copy_with_libs "$t"; done
for g in "$@"; do cp "$g" "$root/bin/" || die "copy $g"; done
if [ -n "$drop_in" ]; then
	mkdir -p "$root/usr/lib/x86_64-linux-gnu/daxdev/libpmem" &&
		cp -L "$drop_in" "$root/usr/lib/x86_64-linux-gnu/daxdev/libpmem/libpmem.so.1" ||
		die "copy $drop_in"
fi
cp "$init" "$root/init" && chmod 0755 "$root/init" || die "copy init"
: >"$root/etc/mtab"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$out.tmp" ||
	die "cpio failed"
mv "$out.tmp" "$out" || die "mv"
echo "$out"
