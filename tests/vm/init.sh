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
guest=a     # b: the peer guest of a two-guest boot, which runs peerN
for w in $(cat /proc/cmdline); do
	case $w in
	daxdev.boot=*) boot=${w#daxdev.boot=} ;;
	daxdev.guest=*) guest=${w#daxdev.guest=} ;;
	esac
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
	echo "DAXDEV-END boot=$boot guest=$guest results=$NRES failed=$NFAIL"
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
	ns_ndctl "$_mode" -f -e "$_ns" -m "$_mode" "$@"
}

# ns_new REGION MODE [ndctl options]: a new namespace in a labelled region
# (CXL); sets DEV.
ns_new() {
	_reg=$1 _mode=$2
	shift 2
	ns_ndctl "$_mode" -r "$_reg" -m "$_mode" "$@"
}

# ns_ndctl MODE ARGS...: ndctl create-namespace ARGS; DEV from its output.
ns_ndctl() {
	_mode=$1
	shift
	ndctl create-namespace "$@" >/tmp/ns.json 2>&1
	_rc=$?
	cat /tmp/ns.json
	if [ $_rc -ne 0 ]; then
		result "create-$_mode" FAIL "rc=$_rc: ndctl create-namespace $*"
		finish
	fi
	DEV=$(sed -n 's/.*"\(blockdev\|chardev\)":"\([^"]*\)".*/\2/p' /tmp/ns.json | head -n 1)
	if [ -z "$DEV" ]; then
		result "create-$_mode" FAIL "no device named in ndctl output"
		finish
	fi
}

# ns_found REGION devdax|fsdax: wait (up to 20 s: probing runs
# asynchronously) for a device-dax or pmem disk in REGION that the kernel
# found on its own (labels, info block); sets DEV to its name.
ns_found() {
	case $2 in
	devdax) _glob="/sys/bus/nd/devices/$1/dax*/dax*" ;;
	*) _glob="/sys/bus/nd/devices/$1/*/block/pmem*" ;;
	esac
	_t=0
	while :; do
		for _d in $_glob; do
			DEV=${_d##*/}
			[ -e "/dev/$DEV" ] && return 0
		done
		[ "$_t" -ge 200 ] && need "" "no $2 device in $1 after 20 s"
		sleep 0.1
		_t=$((_t + 1))
	done
}

# wait_for PATH [TENTHS]: wait up to TENTHS/10 s (default 20 s) for PATH.
wait_for() {
	_t=0
	while [ ! -e "$1" ]; do
		[ "$_t" -ge "${2:-200}" ] && return 1
		sleep 0.1
		_t=$((_t + 1))
	done
}

# cxl_pmem_region: load the CXL modules, wait for mem0 and make a persistent
# region on it (6.1 does not re-assemble regions after a reboot: every boot
# calls this).  Sets REGION to the nd region it became (region0).
cxl_pmem_region() {
	load_modules /lib/modules/load-order-cxl
	wait_for /sys/bus/cxl/devices/mem0 || need "" "no /sys/bus/cxl/devices/mem0 after 20 s"
	setup cxl create-region -m -d decoder0.0 -w 1 -g 256 -t pmem mem0
	REGION=""
	_t=0
	while [ -z "$REGION" ] && [ "$_t" -lt 100 ]; do
		REGION=$(cd /sys/bus/nd/devices && for _r in region*; do
			case $(readlink -f "$_r") in *ACPI0017*) echo "$_r" ;; esac
		done | head -n 1)
		[ -n "$REGION" ] || sleep 0.1
		_t=$((_t + 1))
	done
	need "$REGION" "cxl create-region made no nd region"
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

# dump_sysfs NAME: only when the host asked (DAXDEV_VM_DUMP, daxdev.dump=1):
# copy the pmem, dax and CXL parts of sysfs (attribute values; links as
# links; "<unreadable>" for what cannot be read) and print them as a base64
# tar between DAXDEV-DUMP markers.  The host unpacks them into
# $DAXDEV_VM_DUMP/NAME; tests/fixtures/make-fixtures.py trims them.
dump_sysfs() {
	grep -qw daxdev.dump=1 /proc/cmdline || return 0
	_top=/tmp/dump/$1
	rm -rf "$_top" && mkdir -p "$_top"
	echo "$(uname -r) $(cat /proc/cmdline)" >"$_top/KERNEL"
	# whole device subtrees: every nd bus, the CXL root and memory devices
	_trees=$(for _l in /sys/bus/nd/devices/ndbus* /sys/bus/cxl/devices/root* \
			/sys/bus/cxl/devices/mem* /sys/bus/dax/devices/*; do
		[ -e "$_l" ] && readlink -f "$_l"
	done | sort -u)
	for _t in $_trees; do
		find "$_t" \( -name power -o -name trace -o -name queue -o -name mq -o -name bdi \
			-o -name holders -o -name slaves -o -name integrity \) -prune -o -print |
		while read -r _p; do dump_entry "$_p" "$_top"; done
	done
	# the links that lead into those subtrees
	for _l in /sys/bus/nd/devices/* /sys/bus/dax/devices/* /sys/bus/cxl/devices/* \
			/sys/class/dax/* /sys/dev/char/* /sys/dev/block/* /sys/block/*; do
		[ -L "$_l" ] || continue
		_r=$(readlink -f "$_l")
		for _t in $_trees; do
			case $_r in "$_t"|"$_t"/*) dump_entry "$_l" "$_top"; break ;; esac
		done
	done
	echo "DAXDEV-DUMP-BEGIN $1"
	tar -C /tmp/dump -czf - "$1" | base64
	echo "DAXDEV-DUMP-END $1"
}

# dump_entry PATH TOP: one sysfs entry (and the directories above it) under TOP.
dump_entry() {
	_d=$2$(dirname "$1")
	mkdir -p "$_d"
	if [ -L "$1" ]; then
		ln -s "$(readlink "$1")" "$2$1"
	elif [ -d "$1" ]; then
		mkdir -p "$2$1"
	elif ! cat "$1" >"$2$1" 2>/dev/null; then
		echo "<unreadable>" >"$2$1"
	fi
}

# peer_go: tell the runner to start the peer guest (a scenario with peerN):
# the shared media is ready for it to boot on.
peer_go() {
	echo "DAXDEV-PEER-GO"
}

# need VALUE WHAT: stop this boot with a FAIL when VALUE is empty.
need() {
	[ -n "$1" ] && return 0
	result setup FAIL "$2"
	finish
}

# load_modules LIST: insmod the modules named in LIST, in order.
load_modules() {
	while read -r _m; do
		insmod "/lib/modules/$_m.ko" 2>/tmp/insmod || {
			cat /tmp/insmod
			result "insmod-$_m" FAIL "$(cat /tmp/insmod)"
		}
	done <"$1"
}

load_modules /lib/modules/load-order

echo
echo "DAXDEV-BOOT boot=$boot guest=$guest kernel=$(uname -r) cpu-flags=$(grep -o -w 'clwb\|clflushopt\|clflush' /proc/cpuinfo | sort -u | tr '\n' ' ')"
if [ -f /scenario.sh ]; then
	. /scenario.sh
	fn=boot$boot
	[ "$guest" = b ] && fn=peer$boot
	if type "$fn" >/dev/null 2>&1; then
		"$fn"
	else
		result scenario FAIL "/scenario.sh has no function $fn"
	fi
else
	result scenario FAIL "no /scenario.sh in the initramfs"
fi
finish
