# virtio-pmem: ext4 -o dax on virtio-pmem is asynchronous DAX: MAP_SYNC refused, flush = msync, reason says "no MAP_SYNC".
VM_NVDIMMS=""
VM_VIRTIO_PMEM="256M"
boot1() {
	ns=$(region_ns virtio); need "$ns" "no virtio-pmem region"
	dev=$(ns_blockdev "$ns"); need "$dev" "no pmem block device under $ns"
	mkfs_mount "$dev" /mnt/a dax
	check mounted-dax grep -q "/mnt/a ext4 .*dax" /proc/mounts
	check virtio-msync vmcheck /mnt/a/pool --create --size 16M --expect-provider fsdax \
		--expect-persistence persistent --expect-write-cache 1 --expect-flush msync \
		--expect-info "no MAP_SYNC"
}
