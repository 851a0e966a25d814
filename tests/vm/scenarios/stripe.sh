# stripe: a stripe of a device-dax and a file on ext4 -o dax (2 MiB chunks): persistent, write cache on, flushes routed to each member; a pattern written through it survives power-off.
VM_BOOTS=2
VM_NVDIMMS="256M 256M"
SEED=5151
LEN=32M
stripe_target() { echo "stripe:2M:/dev/$1,/mnt/a/member"; }
boot1() {
	devdax_and_daxfs
	check member-file vmcheck /mnt/a/member --create --size 64M --no-io \
		--expect-info "mapping: MAP_SHARED_VALIDATE|MAP_SYNC"
	# 2 members x 64 MiB (the smaller member, in whole chunks) = 128 MiB.
	check stripe vmcheck "$(stripe_target "$dax")" --expect-provider stripe \
		--expect-persistence persistent --expect-write-cache 1 --expect-flush members \
		--expect-align 2M --expect-info "chunk: 2097152" \
		--expect-info "provider devdax" --expect-info "provider fsdax" \
		--expect-info "size: 134217728"
	check write-pattern vmcheck "$(stripe_target "$dax")" --write-pattern $SEED --pattern-len $LEN
	# Power off at once: no sync, no unmount.
}
boot2() {
	dax=$(ls /dev | grep -m1 '^dax'); need "$dax" "device-dax did not come back"
	ns1=$(region_ns ACPI0012 1); need "$ns1" "no second NFIT region"
	dev=$(ns_blockdev "$ns1"); need "$dev" "fsdax namespace did not come back"
	setup mount -t ext4 -o dax "/dev/$dev" /mnt/a
	check verify-pattern vmcheck "$(stripe_target "$dax")" --verify-pattern $SEED --pattern-len $LEN
	expect_fail wrong-seed vmcheck "$(stripe_target "$dax")" --verify-pattern 1 --pattern-len $LEN
}
