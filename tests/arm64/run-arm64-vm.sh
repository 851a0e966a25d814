#!/bin/bash
# Boot Debian's arm64 kernel in qemu-system-aarch64 (TCG) with the static
# arm64check as /init, and pass if it prints "ARM64-VM-RESULT: ok" having
# chosen the expected write-back for that CPU.
#
# usage: run-arm64-vm.sh --build-root DIR --src DIR --guest PROG --cpu CPU --expect FLUSH
#   DAXDEV_ARM64_KERNEL_PKG  pin the kernel package (default: what
#                            linux-image-arm64:arm64 depends on)
#   CI                       set: a missing piece fails instead of skipping
set -u

while [ $# -gt 0 ]; do
	case $1 in
	--build-root) build_root=$2; shift 2 ;;
	--src) src=$2; shift 2 ;;
	--guest) guest=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--expect) expect=$2; shift 2 ;;
	*) echo "run-arm64-vm: unknown argument $1" >&2; exit 2 ;;
	esac
done
name="arm64-vm-$cpu"

skip() {
	if [ -n "${CI:-}" ]; then
		echo "$name: FAIL (CI is set, so no skipping): $*" >&2
		exit 1
	fi
	echo "$name: SKIP: $*" >&2
	exit 77
}

for tool in qemu-system-aarch64 timeout cpio gzip; do
	command -v "$tool" >/dev/null 2>&1 ||
		skip "host tool '$tool' is missing (apt-get install qemu-system-arm cpio)"
done

# The kernel: Debian's arm64 package, unpacked and cached in the build tree
# (needs dpkg's arm64 architecture for apt; .ci/arm64.sh adds it).
kdir=$(DAXDEV_VM_KERNEL_META=linux-image-arm64:arm64 \
	DAXDEV_VM_KERNEL_PKG=${DAXDEV_ARM64_KERNEL_PKG:-} \
	"$src/../vm/fetch-kernel.sh" "$build_root/arm64-vm-cache") ||
	{ rc=$?; [ $rc = 77 ] && skip "no arm64 kernel (see above)"; exit $rc; }
vmlinuz=$(ls "$kdir"/boot/vmlinuz-* | head -n1)

work=$(mktemp -d "${TMPDIR:-/tmp}/daxdev-arm64vm.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/root" && cp "$guest" "$work/root/init" && chmod 755 "$work/root/init" || exit 1
(cd "$work/root" && echo init | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz" || exit 1

echo "$name: kernel $vmlinuz, -cpu $cpu, expecting flush $expect"
start=$(date +%s)
timeout --foreground -k 10 300 qemu-system-aarch64 -M virt -cpu "$cpu" -smp 1 -m 512M \
	-kernel "$vmlinuz" -initrd "$work/initrd.gz" \
	-append "console=ttyAMA0 quiet panic=-1 daxdev_expect_flush=$expect" \
	-nographic -no-reboot </dev/null >"$work/console.log" 2>&1
qrc=$?
secs=$(($(date +%s) - start))
grep -a "arm64check:\|ARM64-VM-RESULT" "$work/console.log"
result=$(grep -a "^ARM64-VM-RESULT:" "$work/console.log" | tr -d '\r' | tail -n1)
echo "$name: ${secs}s, qemu exit $qrc"
case $result in
"ARM64-VM-RESULT: ok flush=$expect "*) exit 0 ;;
"")
	echo "$name: FAIL: no result line; console:" >&2
	tail -n 40 "$work/console.log" >&2
	exit 1 ;;
*) echo "$name: FAIL: $result" >&2; exit 1 ;;
esac
