#!/bin/bash
# Real PMDK clients, unchanged Debian binaries, on the drop-in libpmem.so.1: fio's libpmem engine, libpmemlog/libpmemobj, pmempool.
#
# usage: clients-test.sh fio|libs|pmempool LIBDIR [PMDK_CLIENT]
# LIBDIR holds the drop-in libpmem.so.1; every program runs with
# LD_LIBRARY_PATH=LIBDIR (the documented switch) and each run checks that the
# loader took the drop-in, not PMDK's.  Exit 77 when the Debian package of
# the client is not installed.
set -u
what=${1:?usage} libdir=$(readlink -f "${2:?usage}") client=${3:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/pmem-clients.XXXXXX")
trap 'rm -rf "$work"' EXIT
export LD_LIBRARY_PATH=$libdir
unset PMEM_IS_PMEM_FORCE PMEM_NO_FLUSH

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "FAIL: $*" >&2; exit 1; }

# The loader's own account of what it loaded for the command.
loaded_ours() {
	LD_DEBUG=libs "$@" 2>&1 >/dev/null | grep -q "calling init: $libdir/libpmem.so.1" ||
		die "$1 did not load $libdir/libpmem.so.1"
}

test_fio() {
	command -v fio >/dev/null || skip "fio is not installed (apt-get install fio)"
	fio --enghelp 2>&1 | grep -qx '[[:space:]]*libpmem' || skip "this fio has no libpmem engine"
	# fio's engine refuses memory libpmem does not call pmem: the force
	# variable is how one runs it without DAX, with PMDK's libpmem too.
	local job=(--name=compat --ioengine=libpmem --filename="$work/fio.dat" --size=32M
		   --bs=4k --rw=randwrite --direct=1 --verify=crc32c --do_verify=1
		   --verify_fatal=1 --output-format=terse)
	PMEM_IS_PMEM_FORCE=1 loaded_ours fio "${job[@]}"
	out=$(PMEM_IS_PMEM_FORCE=1 fio "${job[@]}" 2>&1) || die "fio failed: $out"
	# terse v3: field 5 is the error count; verify errors also fail the run.
	err=$(echo "$out" | tail -n1 | cut -d';' -f5)
	[ "$err" = 0 ] || die "fio reported error $err: $out"
	echo "fio libpmem engine: 32 MiB random 4k writes verified with crc32c, error=$err"
	# Without the force variable, fio refuses a file that is not pmem, as on PMDK.
	out=$(fio "${job[@]}" 2>&1) && die "fio accepted a file that is not pmem: $out"
	echo "without PMEM_IS_PMEM_FORCE: refused as on PMDK's libpmem"
}

test_libs() {
	[ -x "$client" ] || skip "PMDK client not built (apt-get install libpmemlog-dev libpmemobj-dev)"
	local c=("$client" --expect-lib "$libdir/libpmem.so.1")
	"${c[@]}" log-create "$work/log" 16777216 500 || die "log-create"
	"${c[@]}" log-check "$work/log" 500 || die "log-check"
	"${c[@]}" obj-create "$work/obj" 16777216 40 || die "obj-create"
	"${c[@]}" obj-check "$work/obj" 40 || die "obj-check"
	# The same check must fail when the library is PMDK's own.
	if LD_LIBRARY_PATH= "${c[@]}" log-check "$work/log" 500 >/dev/null 2>&1; then
		die "--expect-lib accepted PMDK's libpmem"
	fi
}

test_pmempool() {
	command -v pmempool >/dev/null || skip "pmempool is not installed (apt-get install pmdk-tools)"
	loaded_ours pmempool info --help
	pmempool create --layout=compat obj "$work/p.obj" || die "pmempool create obj"
	pmempool create log "$work/p.log" || die "pmempool create log"
	for p in "$work/p.obj" "$work/p.log"; do
		pmempool info "$p" >"$work/info" || die "pmempool info $p"
		grep -q '^POOL Header:' "$work/info" || die "pmempool info $p: no pool header"
		pmempool check -v "$p" | tee "$work/check" || die "pmempool check $p"
		grep -q ': consistent' "$work/check" || die "pmempool check $p not consistent"
	done
	# Pools written by PMDK's libraries over the drop-in, checked by pmempool.
	if [ -x "$client" ]; then
		"$client" obj-create "$work/c.obj" 16777216 10 >/dev/null || die "client obj-create"
		"$client" log-create "$work/c.log" 16777216 10 >/dev/null || die "client log-create"
		pmempool check -v "$work/c.obj" | grep -q ': consistent' || die "check c.obj"
		pmempool check -v "$work/c.log" | grep -q ': consistent' || die "check c.log"
		pmempool info "$work/c.obj" | grep -q 'Layout.*daxdev-compat' || die "info c.obj layout"
	fi
	# A damaged pool is reported, so that the checks above mean something.
	printf 'garbage!' | dd of="$work/p.log" bs=1 seek=4096 conv=notrunc status=none
	pmempool check "$work/p.log" >/dev/null 2>&1 && die "pmempool check missed a damaged header"
	echo "pmempool: create, info and check on obj and log pools"
}

case $what in
fio) test_fio ;;
libs) test_libs ;;
pmempool) test_pmempool ;;
*) die "unknown client test '$what'" ;;
esac
echo "PASS: $what"
