# poweroff-pmdk: PMDK's own libpmemlog and libpmemobj (Debian's builds) on libdaxdev's drop-in libpmem, on device-dax and on ext4-DAX files: written, powered off, read back.
VM_BOOTS=2
VM_NVDIMMS="256M 256M 256M"
LIB=/usr/lib/x86_64-linux-gnu/daxdev/libpmem
NLOG=300
NOBJ=50
# The documented switch (docs/libpmem.md), and a check that it took.  SDS
# (unsafe-shutdown tracking) needs firmware calls the emulated NVDIMMs lack.
client() {
	LD_LIBRARY_PATH=$LIB PMEMOBJ_CONF="sds.at_create=0" PMEMLOG_CONF="sds.at_create=0" \
		pmdk-client --expect-lib "$LIB/libpmem.so.1" "$@"
}
boot1() {
	devdax_and_daxfs
	ns2=$(region_ns ACPI0012 2); need "$ns2" "no third NFIT region"
	ns_create "$ns2" devdax -a 2M
	dax2=$DEV
	check log-devdax client log-create "/dev/$dax" 0 $NLOG
	check obj-devdax client obj-create "/dev/$dax2" 0 $NOBJ
	check log-file client log-create /mnt/a/log 16777216 $NLOG
	check obj-file client obj-create /mnt/a/obj 16777216 $NOBJ
	# Power off at once: no sync, no unmount.
}
boot2() {
	ls /dev | grep '^dax'
	dax=$(ls /dev | grep '^dax' | sort | head -n1); need "$dax" "device-dax did not come back"
	dax2=$(ls /dev | grep '^dax' | sort | tail -n1)
	[ "$dax" != "$dax2" ] || need "" "only one device-dax came back"
	ns1=$(region_ns ACPI0012 1); need "$ns1" "no second NFIT region"
	dev=$(ns_blockdev "$ns1"); need "$dev" "fsdax namespace did not come back"
	setup mount -t ext4 -o dax "/dev/$dev" /mnt/a
	check log-devdax client log-check "/dev/$dax" $NLOG
	check obj-devdax client obj-check "/dev/$dax2" $NOBJ
	check log-file client log-check /mnt/a/log $NLOG
	check obj-file client obj-check /mnt/a/obj $NOBJ
	expect_fail wrong-count client log-check /mnt/a/log $((NLOG + 1))
}
