# poweroff-fsdax: a pattern written through libdaxdev to a new file on ext4 -o dax survives power-off without sync or unmount.
VM_BOOTS=2
SEED=4343
LEN=8M
boot1() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	ns_create "$ns" fsdax
	mkfs_mount "$DEV" /mnt/a dax
	check write-pattern vmcheck /mnt/a/pattern --create --size $LEN --write-pattern $SEED \
		--pattern-len $LEN
}
host_after_boot1() {
	"$VMCHECK" --scan-raw "$WORK/nvdimm0.img" --seed $SEED --pattern-len $LEN
}
boot2() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	dev=$(ns_blockdev "$ns"); need "$dev" "fsdax namespace did not come back"
	setup mount -t ext4 -o dax "/dev/$dev" /mnt/a
	check verify-pattern vmcheck /mnt/a/pattern --verify-pattern $SEED --pattern-len $LEN
}
