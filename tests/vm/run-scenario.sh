#!/bin/bash
# Run one vm-suite scenario: boot Debian's kernel in QEMU with emulated pmem, parse the results.
#
# usage: run-scenario.sh --build-root DIR --src DIR [--guest PROGRAM]... NAME
# Scenario NAME is $src/scenarios/NAME.sh (see docs/testing.md).
# Environment: DAXDEV_VM_ACCEL=kvm|tcg (default: kvm when /dev/kvm is usable),
#   DAXDEV_VM_TIMEOUT (seconds per boot), DAXDEV_VM_KEEP=1 keeps the work dir,
#   CI (set: a missing piece fails instead of skipping).
set -u

build_root="" src="" guests=() name=""
while [ $# -gt 0 ]; do
	case $1 in
	--build-root) build_root=$2; shift 2 ;;
	--src) src=$2; shift 2 ;;
	--guest) guests+=("$(readlink -f "$2")"); shift 2 ;;
	-*) echo "run-scenario: unknown option $1" >&2; exit 2 ;;
	*) name=$1; shift ;;
	esac
done
[ -n "$build_root" ] && [ -n "$src" ] && [ -n "$name" ] ||
	{ echo "usage: run-scenario.sh --build-root DIR --src DIR [--guest PROG]... NAME" >&2; exit 2; }

skip() {
	if [ -n "${CI:-}" ]; then
		echo "vm-$name: FAIL (CI is set, so no skipping): $*" >&2
		exit 1
	fi
	echo "vm-$name: SKIP: $*"
	exit 77
}
die() { echo "vm-$name: FAIL: $*" >&2; exit 1; }

scen="$src/scenarios/$name.sh"
[ -f "$scen" ] || die "no scenario file $scen"

for tool in qemu-system-x86_64 timeout stdbuf cpio gzip; do
	command -v "$tool" >/dev/null 2>&1 || skip "host tool '$tool' is missing (apt-get install qemu-system-x86 cpio)"
done

cache="$build_root/vm-cache"
kdir=$("$src/fetch-kernel.sh" "$cache") || { rc=$?; [ $rc = 77 ] && skip "no kernel (see above)"; exit $rc; }
vmlinuz=$(ls "$kdir"/boot/vmlinuz-* | head -n1)
initrd=$("$src/build-initramfs.sh" "$cache" "$kdir" "$src/init.sh" "${guests[@]}") ||
	{ rc=$?; [ $rc = 77 ] && skip "cannot build the initramfs (see above)"; exit $rc; }

# Scenario settings (defaults first).  A scenario file sets these and defines
# boot1 (boot2...) for the guest and, optionally, host_after_boot1 ... for the host.
VM_BOOTS=1
VM_PERSISTENCE=""          # "", cpu, mem-ctrl
VM_NVDIMMS="256M"          # sizes of the emulated NVDIMMs (namespace0.0, 1.0, ...)
VM_VIRTIO_PMEM=""          # size of a virtio-pmem device, "" for none
VM_MEMMAP=""               # e.g. 64M!1G for a legacy e820 pmem region
VM_CXL_PMEM=""             # size of a CXL type-3 persistent memory device (q35 machine)
VM_MEM=512M
# shellcheck source=/dev/null
. "$scen"

# KVM when it works, else TCG.  /dev/kvm being there is not enough (nested
# virtualization can hang the guest), so the first run boots the bare
# initramfs once under KVM and remembers the outcome in the cache.
kvm_usable() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	(
		flock 8
		if [ ! -s "$cache/kvm-probe" ]; then
			p=$(timeout -k 5 30 qemu-system-x86_64 -accel kvm -cpu max,-arch-capabilities \
				-m 256M -kernel "$vmlinuz" -initrd "$initrd" \
				-append "console=ttyS0 quiet panic=-1" -nographic -no-reboot \
				-nodefaults -serial stdio -monitor none </dev/null 2>&1 | tr -d '\r')
			if grep -q '^DAXDEV-END' <<<"$p"; then
				echo ok >"$cache/kvm-probe"
			else
				echo "no: a KVM guest did not boot within 30s" >"$cache/kvm-probe"
			fi
		fi
	) 8>"$cache/kvm-probe.lock"
	[ "$(cat "$cache/kvm-probe" 2>/dev/null)" = ok ]
}
accel=${DAXDEV_VM_ACCEL:-}
if [ -z "$accel" ]; then
	if kvm_usable; then
		accel=kvm
	else
		accel=tcg
		[ -e /dev/kvm ] && echo "vm-$name: not using /dev/kvm: $(cat "$cache/kvm-probe" 2>/dev/null)"
	fi
fi
case $accel in
kvm) [ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "DAXDEV_VM_ACCEL=kvm but /dev/kvm is not usable" ;;
tcg) ;;
*) die "DAXDEV_VM_ACCEL must be kvm or tcg, not '$accel'" ;;
esac
# -cpu max so that the guest has clwb under TCG too.  Under KVM some hosts
# (nested virtualization) refuse QEMU's IA32_ARCH_CAPABILITIES value and
# QEMU aborts, so that MSR is left out; it does not matter to pmem.
cpu=${DAXDEV_VM_CPU:-$([ $accel = kvm ] && echo max,-arch-capabilities || echo max)}
tmo=${DAXDEV_VM_TIMEOUT:-$([ $accel = kvm ] && echo 120 || echo 280)}

VMCHECK=""
for g in "${guests[@]}"; do [ "$(basename "$g")" = vmcheck ] && VMCHECK=$g; done

work="$build_root/vm-work/$name"
rm -rf "$work" && mkdir -p "$work" || die "cannot create $work"
WORK=$work

# Per-scenario archive with /scenario.sh, appended to the shared initramfs.
mkdir -p "$work/extra" && cp "$scen" "$work/extra/scenario.sh" || die "copy scenario"
(cd "$work/extra" && echo scenario.sh | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$work/extra.cpio.gz" || die "cpio"
cat "$initrd" "$work/extra.cpio.gz" >"$work/initrd.gz" || die "initrd"

machine="pc,nvdimm=on"
[ -n "$VM_CXL_PMEM" ] && machine="q35,nvdimm=on,cxl=on"
[ -n "$VM_PERSISTENCE" ] && machine="$machine,nvdimm-persistence=$VM_PERSISTENCE"
devs=()
if [ -n "$VM_CXL_PMEM" ]; then
	# One host bridge with TWO root ports: with a single port the kernel
	# programs a pass-through decoder that QEMU 7.2 does not route, and the
	# memory reads as zeros (docs/testing.md).  The device sits on the first
	# port; the label storage area (lsa) keeps the namespaces, and the serial
	# number (sn) makes the region's interleave-set cookie non-zero, without
	# which 6.1 refuses those labels at the next boot.
	truncate -s "$VM_CXL_PMEM" "$work/cxl-pmem.img" && truncate -s 1M "$work/cxl-lsa.img" ||
		die "backing file"
	devs+=(-object "memory-backend-file,id=cxl-mem0,share=on,mem-path=$work/cxl-pmem.img,size=$VM_CXL_PMEM"
	       -object "memory-backend-file,id=cxl-lsa0,share=on,mem-path=$work/cxl-lsa.img,size=1M"
	       -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1
	       -device cxl-rp,port=0,bus=cxl.1,id=cxl_rp0,chassis=0,slot=2
	       -device cxl-rp,port=1,bus=cxl.1,id=cxl_rp1,chassis=0,slot=3
	       -device cxl-type3,bus=cxl_rp0,memdev=cxl-mem0,lsa=cxl-lsa0,id=cxl-pmem0,sn=0xd4dd0001
	       -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G)
fi
i=0
for sz in $VM_NVDIMMS; do
	truncate -s "$sz" "$work/nvdimm$i.img" || die "backing file"
	devs+=(-object "memory-backend-file,id=mem$i,share=on,mem-path=$work/nvdimm$i.img,size=$sz"
	       -device "nvdimm,id=nv$i,memdev=mem$i")
	i=$((i + 1))
done
if [ -n "$VM_VIRTIO_PMEM" ]; then
	truncate -s "$VM_VIRTIO_PMEM" "$work/virtio-pmem.img" || die "backing file"
	devs+=(-object "memory-backend-file,id=vpmem,share=on,mem-path=$work/virtio-pmem.img,size=$VM_VIRTIO_PMEM"
	       -device "virtio-pmem-pci,memdev=vpmem,id=vp0")
fi
append="console=ttyS0 quiet panic=-1 oops=panic"
# DAXDEV_VM_DUMP=DIR: scenarios that call dump_sysfs print sysfs, unpacked into DIR.
[ -n "${DAXDEV_VM_DUMP:-}" ] && append="$append daxdev.dump=1"
[ -n "$VM_MEMMAP" ] && append="$append memmap=$VM_MEMMAP"

# unpack_dumps LOG DIR: the base64 tars between DAXDEV-DUMP markers -> DIR/NAME.
unpack_dumps() {
	local dname
	for dname in $(sed -n 's/^DAXDEV-DUMP-BEGIN //p' "$1"); do
		mkdir -p "$2" && rm -rf "${2:?}/$dname" &&
		sed -n "/^DAXDEV-DUMP-BEGIN $dname\$/,/^DAXDEV-DUMP-END $dname\$/p" "$1" |
			sed '1d;$d' | base64 -d | tar -C "$2" -xzf - || {
			echo "vm-$name: dump $dname could not be unpacked"
			return 1
		}
		echo "vm-$name: sysfs dump $dname -> $2/$dname ($(find "$2/$dname" | wc -l) entries)"
	done
}

# qemu_boot LOG BOOT GUEST: run one guest (GUEST a, or b for a peer) to its
# end; its console, line by line, into LOG.  Returns QEMU's exit status.
qemu_boot() {
	timeout --foreground -k 10 "$tmo" qemu-system-x86_64 \
		-accel "$accel" -cpu "$cpu" -smp 1 \
		-machine "$machine" -m "$VM_MEM,slots=4,maxmem=4G" \
		"${devs[@]}" \
		-kernel "$vmlinuz" -initrd "$work/initrd.gz" \
		-append "$append daxdev.boot=$2 daxdev.guest=$3" \
		-nographic -no-reboot -nodefaults -serial stdio -monitor none \
		-pidfile "$work/qemu-$3.pid" \
		</dev/null 2>&1 | stdbuf -oL tr -d '\r' >"$1"
	return "${PIPESTATUS[0]}"
}

# Never leave a guest behind: on any exit, stop the QEMUs this run started
# (by the pid each wrote; only if that process is still a QEMU).
stop_guests() {
	local f p
	for f in "$work"/qemu-*.pid; do
		[ -s "$f" ] || continue
		p=$(cat "$f")
		grep -q qemu "/proc/$p/comm" 2>/dev/null && kill "$p" 2>/dev/null
		rm -f "$f"
	done
}
trap stop_guests EXIT
trap 'exit 143' TERM INT HUP   # so that the EXIT trap runs on a kill too

# check_boot LOG QRC SECS WHAT: show the guest's lines, stop on a timeout or
# a crash; returns 1 when a result failed.
check_boot() {
	local log=$1 qrc=$2 end nfail npass
	# Show the guest's own lines (not the kernel's) in the test log.
	sed -n '/DAXDEV-BOOT/,$p' "$log" | sed 's/.*DAXDEV-BOOT/DAXDEV-BOOT/'
	end=$(grep '^DAXDEV-END ' "$log" | tail -n1)
	nfail=$(grep -c '^DAXDEV-RESULT [^ ]* FAIL' "$log")
	npass=$(grep -c '^DAXDEV-RESULT [^ ]* PASS' "$log")
	echo "vm-$name: $4: ${3}s, qemu exit $qrc, $npass passed, $nfail failed"
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		tail -n 30 "$log" | sed 's/^/  console: /'
		die "$4 timed out after ${tmo}s (log: $log)"
	fi
	if [ -z "$end" ]; then
		tail -n 30 "$log" | sed 's/^/  console: /'
		die "$4 ended without DAXDEV-END (guest crashed?; log: $log)"
	fi
	if [ "$npass" -eq 0 ] && [ "$nfail" -eq 0 ]; then die "$4 reported no results"; fi
	[ -z "${DAXDEV_VM_DUMP:-}" ] || unpack_dumps "$log" "$DAXDEV_VM_DUMP" || return 1
	[ "$nfail" -eq 0 ]
}

since() { local ms=$((($(date +%s%N) - $1) / 1000000)); echo "$((ms / 1000)).$(printf %03d $((ms % 1000)))"; }

# run_pair BOOT: guest a runs bootN; when it prints DAXDEV-PEER-GO (its
# namespace exists), guest b starts on the same backing files and runs peerN.
run_pair() {
	local loga="$work/boot$1.log" logb="$work/boot$1-peer.log" start pa pb qa qb rc=0
	start=$(date +%s%N)
	qemu_boot "$loga" "$1" a &
	pa=$!
	until grep -q '^DAXDEV-PEER-GO' "$loga" 2>/dev/null; do
		kill -0 "$pa" 2>/dev/null || break
		sleep 0.2
	done
	if ! grep -q '^DAXDEV-PEER-GO' "$loga"; then
		wait "$pa"
		qa=$?
		check_boot "$loga" "$qa" "$(since "$start")" "boot $1 (guest a)"
		die "guest a of boot $1 never gave the peer its go (DAXDEV-PEER-GO)"
	fi
	echo "vm-$name: boot $1: guest a ready after $(since "$start")s, starting guest b"
	qemu_boot "$logb" "$1" b &
	pb=$!
	wait "$pa"
	qa=$?
	check_boot "$loga" "$qa" "$(since "$start")" "boot $1 (guest a)" || rc=1
	wait "$pb"
	qb=$?
	check_boot "$logb" "$qb" "$(since "$start")" "boot $1 (guest b, peer)" || rc=1
	return $rc
}

echo "vm-$name: kernel $vmlinuz, accel $accel, cpu $cpu, machine $machine, timeout ${tmo}s per boot"
status=0
for boot in $(seq 1 "$VM_BOOTS"); do
	if type "peer$boot" >/dev/null 2>&1; then
		run_pair "$boot" || status=1
	else
		start=$(date +%s%N)
		qemu_boot "$work/boot$boot.log" "$boot" a
		qrc=$?
		check_boot "$work/boot$boot.log" "$qrc" "$(since "$start")" "boot $boot" || status=1
	fi
	if type "host_after_boot$boot" >/dev/null 2>&1; then
		if "host_after_boot$boot" >"$work/host$boot.log" 2>&1; then
			sed 's/^/[host] /' "$work/host$boot.log"
			echo "DAXDEV-RESULT host-after-boot$boot PASS"
		else
			sed 's/^/[host] /' "$work/host$boot.log"
			echo "DAXDEV-RESULT host-after-boot$boot FAIL"
			status=1
		fi
	fi
done
if [ $status = 0 ] && [ -z "${DAXDEV_VM_KEEP:-}" ]; then rm -rf "$work"; fi
[ $status = 0 ] && echo "vm-$name: PASS" || echo "vm-$name: FAIL (work dir kept: $work)"
exit $status
