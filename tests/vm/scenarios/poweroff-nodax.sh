# poweroff-nodax: a pattern written through libdaxdev to a page-cache file (ext4 without dax) survives power-off only thanks to msync.
VM_BOOTS=2
SEED=4545
LEN=8M
boot1() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	ns_create "$ns" fsdax
	mkfs_mount "$DEV" /mnt/a
	check msync-path vmcheck /mnt/a/pattern --create --size $LEN --expect-flush msync --no-io
	check write-pattern vmcheck /mnt/a/pattern --write-pattern $SEED --pattern-len $LEN
	# finish powers off at once: whatever is still only in the page cache is lost.
}
host_after_boot1() {
	"$VMCHECK" --scan-raw "$WORK/nvdimm0.img" --seed $SEED --pattern-len $LEN
}
boot2() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	dev=$(ns_blockdev "$ns"); need "$dev" "fsdax namespace did not come back"
	setup mount -t ext4 "/dev/$dev" /mnt/a
	check verify-pattern vmcheck /mnt/a/pattern --verify-pattern $SEED --pattern-len $LEN
}
