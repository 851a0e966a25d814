# poweroff-virtio: a pattern written through libdaxdev (msync path) on ext4 -o dax over virtio-pmem survives power-off.
VM_BOOTS=2
VM_NVDIMMS=""
VM_VIRTIO_PMEM="256M"
SEED=4444
LEN=8M
boot1() {
	ns=$(region_ns virtio); need "$ns" "no virtio-pmem region"
	dev=$(ns_blockdev "$ns"); need "$dev" "no pmem block device under $ns"
	mkfs_mount "$dev" /mnt/a dax
	check write-pattern vmcheck /mnt/a/pattern --create --size $LEN --write-pattern $SEED \
		--pattern-len $LEN
}
host_after_boot1() {
	"$VMCHECK" --scan-raw "$WORK/virtio-pmem.img" --seed $SEED --pattern-len $LEN
}
boot2() {
	ns=$(region_ns virtio); need "$ns" "no virtio-pmem region"
	dev=$(ns_blockdev "$ns"); need "$dev" "no pmem block device under $ns"
	setup mount -t ext4 -o dax "/dev/$dev" /mnt/a
	check verify-pattern vmcheck /mnt/a/pattern --verify-pattern $SEED --pattern-len $LEN
}
