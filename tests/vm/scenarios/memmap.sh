# memmap: legacy memmap=64M!1G pmem (nd_e820) as fsdax with ext4 -o dax: MAP_SYNC, write cache 1, CPU flush.
VM_NVDIMMS=""
VM_MEMMAP="64M!1G"
# memmap= only relabels RAM: the guest must have RAM at 1G..1G+64M.
VM_MEM=1280M
boot1() {
	ns=$(region_ns e820); need "$ns" "no e820 pmem region"
	# The e820 namespace supports DAX as it is (ndctl shows it as fsdax, map mem).
	dev=$(ns_blockdev "$ns"); need "$dev" "no pmem block device under $ns"
	check sysfs-wc grep -qx 1 "/sys/block/$dev/dax/write_cache"
	mkfs_mount "$dev" /mnt/a dax
	check fsdax vmcheck /mnt/a/pool --create --size 16M --expect-provider fsdax \
		--expect-persistence persistent --expect-write-cache 1 --expect-flush any-cpu-flush \
		--expect-info "mapping: MAP_SHARED_VALIDATE|MAP_SYNC"
}
