# cxl-pmem: CXL type-3 persistent memory as device-dax and as ext4 -o dax: persistence_domain=memory_controller -> persistent, write cache on, CPU flush.
VM_NVDIMMS=""
VM_CXL_PMEM="256M"
boot1() {
	cxl_pmem_region
	rdir=/sys/bus/nd/devices/$REGION
	check domain grep -qx memory_controller "$rdir/persistence_domain"
	check provider grep -qx CXL "$(readlink -f "$rdir")/../provider"
	ns_new "$REGION" devdax -a 2M -s 64M
	check devdax vmcheck "/dev/$DEV" --expect-provider devdax --expect-persistence persistent \
		--expect-write-cache 1 --expect-flush any-cpu-flush --expect-align 2M \
		--expect-info "mapping: MAP_SHARED_VALIDATE|MAP_SYNC" --expect-info memory_controller
	ns_new "$REGION" fsdax -s 64M
	check sysfs-wc grep -qx 1 "/sys/block/$DEV/dax/write_cache"
	mkfs_mount "$DEV" /mnt/a dax
	check fsdax vmcheck /mnt/a/pool --create --size 16M --expect-provider fsdax \
		--expect-persistence persistent --expect-write-cache 1 --expect-flush any-cpu-flush \
		--expect-info "mapping: MAP_SHARED_VALIDATE|MAP_SYNC" --expect-info memory_controller
	# the fixture tree tests/fixtures/sysfs-6.1/cxl (only with DAXDEV_VM_DUMP)
	dump_sysfs cxl
}
