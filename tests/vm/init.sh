#!/bin/busybox sh
# Guest /init of the vm suite: load modules, run /scenario.sh's bootN, print results, power off.
#
# Result protocol on the console (parsed by run-scenario.sh):
#   DAXDEV-RESULT <name> PASS|FAIL <detail>
#   DAXDEV-END boot=<n> results=<count> failed=<count>
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mkdir -p /mnt/a /mnt/b /mnt/c

boot=1
for w in $(cat /proc/cmdline); do
	case $w in daxdev.boot=*) boot=${w#daxdev.boot=} ;; esac
done

NRES=0
NFAIL=0
result() {
	_n=$1 _s=$2
	shift 2
	NRES=$((NRES + 1))
	[ "$_s" = PASS ] || NFAIL=$((NFAIL + 1))
	echo "DAXDEV-RESULT $_n $_s $*"
}

finish() {
	if [ "$NFAIL" -ne 0 ]; then
		dmesg | tail -n 25 | sed 's/^/[dmesg] /'
	fi
	echo "DAXDEV-END boot=$boot results=$NRES failed=$NFAIL"
	# No sync on purpose (-n; busybox syncs otherwise): power-off tests must
	# not be helped by a last write-back of the page cache.
	poweroff -n -f
	sleep 30
}

# check NAME CMD...: run CMD, show its output, one result line.
check() {
	_n=$1
	shift
	"$@" >/tmp/out 2>&1
	_rc=$?
	sed "s/^/[$_n] /" /tmp/out
	if [ $_rc -eq 0 ]; then
		result "$_n" PASS "$*"
	else
		_d=$(grep -m 1 '^FAIL' /tmp/out)
		[ -n "$_d" ] || _d=$(tail -n 1 /tmp/out)
		result "$_n" FAIL "rc=$_rc: $_d"
	fi
}

# expect_fail NAME CMD...: CMD must fail (exit status != 0).
expect_fail() {
	_n=$1
	shift
	"$@" >/tmp/out 2>&1
	_rc=$?
	sed "s/^/[$_n] /" /tmp/out
	if [ $_rc -ne 0 ]; then
		result "$_n" PASS "failed as expected (rc=$_rc): $*"
	else
		result "$_n" FAIL "succeeded but must fail: $*"
	fi
}

# setup CMD...: a step the rest depends on; on failure report and stop this boot.
setup() {
	"$@" >/tmp/out 2>&1
	_rc=$?
	if [ $_rc -ne 0 ]; then
		sed 's/^/[setup] /' /tmp/out
		result setup FAIL "rc=$_rc: $*"
		finish
	fi
	cat /tmp/out
}

# ns_create NAMESPACE MODE [ndctl options]: reconfigure; sets DEV (dax0.0 / pmem0).
ns_create() {
	_ns=$1 _mode=$2
	shift 2
	ndctl create-namespace -f -e "$_ns" -m "$_mode" "$@" >/tmp/ns.json 2>&1
	_rc=$?
	cat /tmp/ns.json
	if [ $_rc -ne 0 ]; then
		result "create-$_mode" FAIL "rc=$_rc: ndctl create-namespace -e $_ns -m $_mode $*"
		finish
	fi
	DEV=$(sed -n 's/.*"\(blockdev\|chardev\)":"\([^"]*\)".*/\2/p' /tmp/ns.json | head -n 1)
	if [ -z "$DEV" ]; then
		result "create-$_mode" FAIL "no device named in ndctl output"
		finish
	fi
}

# region_ns KIND [N]: print the namespace of the Nth (from 0) region whose
# sysfs path contains KIND (ACPI0012 = NFIT NVDIMM, virtio, e820_pmem).
region_ns() {
	_k=0
	for _r in $(ls -d /sys/bus/nd/devices/region* | sort -V); do
		case $(readlink -f "$_r") in
		*"$1"*)
			for _ns in "$_r"/namespace*.0; do
				[ -e "$_ns" ] || continue
				[ "$_k" -eq "${2:-0}" ] && { basename "$_ns"; return 0; }
				_k=$((_k + 1))
			done ;;
		esac
	done
	return 1
}

# ns_blockdev NAMESPACE: the pmem block device of a namespace (fsdax, or
# virtio-pmem / e820 namespaces, which support DAX as they are).
ns_blockdev() {
	ndctl list -n "$1" 2>/dev/null | sed -n 's/.*"blockdev":"\([^"]*\)".*/\1/p' | head -n 1
}

# mkfs_mount DEV DIR [mount options]: ext4 with 4 KiB blocks (DAX needs them).
mkfs_mount() {
	setup mkfs.ext4 -q -F -b 4096 "/dev/$1"
	if [ -n "${3:-}" ]; then
		setup mount -t ext4 -o "$3" "/dev/$1" "$2"
	else
		setup mount -t ext4 "/dev/$1" "$2"
	fi
}

# devdax_and_daxfs: the first NVDIMM as device-dax (2 MiB), the second as fsdax
# with ext4 -o dax on /mnt/a (VM_NVDIMMS needs two); sets dax to dax0.0's name.
devdax_and_daxfs() {
	_ns0=$(region_ns ACPI0012 0); need "$_ns0" "no first NFIT region"
	_ns1=$(region_ns ACPI0012 1); need "$_ns1" "no second NFIT region"
	ns_create "$_ns0" devdax -a 2M
	dax=$DEV
	ns_create "$_ns1" fsdax
	mkfs_mount "$DEV" /mnt/a dax
}

# need VALUE WHAT: stop this boot with a FAIL when VALUE is empty.
need() {
	[ -n "$1" ] && return 0
	result setup FAIL "$2"
	finish
}

while read -r _m; do
	insmod "/lib/modules/$_m.ko" 2>/tmp/insmod || {
		cat /tmp/insmod
		result "insmod-$_m" FAIL "$(cat /tmp/insmod)"
	}
done </lib/modules/load-order

echo
echo "DAXDEV-BOOT boot=$boot kernel=$(uname -r) cpu-flags=$(grep -o -w 'clwb\|clflushopt\|clflush' /proc/cpuinfo | sort -u | tr '\n' ' ')"
if [ -f /scenario.sh ]; then
	. /scenario.sh
	if type "boot$boot" >/dev/null 2>&1; then
		"boot$boot"
	else
		result scenario FAIL "/scenario.sh has no function boot$boot"
	fi
else
	result scenario FAIL "no /scenario.sh in the initramfs"
fi
finish
