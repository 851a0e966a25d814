# poweroff-cxl: patterns written through libdaxdev to device-dax and to an ext4 -o dax file on CXL persistent memory survive power-off (host scan, and a second boot that recreates the region).
VM_BOOTS=2
VM_NVDIMMS=""
VM_CXL_PMEM="256M"
SEED_DAX=4646
SEED_FILE=4747
LEN=8M
boot1() {
	cxl_pmem_region
	ns_new "$REGION" devdax -a 2M -s 64M
	check write-devdax vmcheck "/dev/$DEV" --write-pattern $SEED_DAX --pattern-len $LEN
	ns_new "$REGION" fsdax -s 64M
	mkfs_mount "$DEV" /mnt/a dax
	check write-file vmcheck /mnt/a/pattern --create --size $LEN --write-pattern $SEED_FILE \
		--pattern-len $LEN
	# finish powers off at once: no sync, no unmount.
}
host_after_boot1() {
	"$VMCHECK" --scan-raw "$WORK/cxl-pmem.img" --seed $SEED_DAX --pattern-len $LEN &&
	"$VMCHECK" --scan-raw "$WORK/cxl-pmem.img" --seed $SEED_FILE --pattern-len $LEN
}
boot2() {
	# 6.1 forgets the region at reboot; the same command maps the same
	# device range again and the namespaces come back from the labels.
	cxl_pmem_region
	ns_found "$REGION" devdax
	check verify-devdax vmcheck "/dev/$DEV" --verify-pattern $SEED_DAX --pattern-len $LEN
	expect_fail wrong-seed vmcheck "/dev/$DEV" --verify-pattern $SEED_FILE --pattern-len $LEN
	ns_found "$REGION" fsdax
	setup mount -t ext4 -o dax "/dev/$DEV" /mnt/a
	check verify-file vmcheck /mnt/a/pattern --verify-pattern $SEED_FILE --pattern-len $LEN
}
