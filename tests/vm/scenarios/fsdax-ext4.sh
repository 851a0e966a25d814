# fsdax-ext4: file created on ext4 -o dax over an fsdax NVDIMM namespace: MAP_SYNC, write cache from sysfs (1), CPU flush.
boot1() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	ns_create "$ns" fsdax
	check sysfs-wc grep -qx 1 "/sys/block/$DEV/dax/write_cache"
	mkfs_mount "$DEV" /mnt/a dax
	check fsdax vmcheck /mnt/a/pool --create --size 32M --expect-provider fsdax \
		--expect-persistence persistent --expect-write-cache 1 --expect-flush any-cpu-flush \
		--expect-info "mapping: MAP_SHARED_VALIDATE|MAP_SYNC"
	check reopen vmcheck /mnt/a/pool --expect-provider fsdax --expect-write-cache 1 --no-io
	# A pmem block device is not a file and not a device-dax: refused.
	expect_fail open-blockdev vmcheck "/dev/$DEV" --no-io
}
