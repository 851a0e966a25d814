# wc-toggle: the pmem dax/write_cache sysfs switch is followed at open: 1, then 0 (flush none), then 1 again.
boot1() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	ns_create "$ns" fsdax
	mkfs_mount "$DEV" /mnt/a dax
	wc=/sys/block/$DEV/dax/write_cache
	check wc-on vmcheck /mnt/a/pool --create --size 8M --expect-provider fsdax \
		--expect-write-cache 1 --expect-flush any-cpu-flush --no-io
	setup sh -c "echo 0 > $wc"
	check sysfs-wc-0 grep -qx 0 "$wc"
	check wc-off vmcheck /mnt/a/pool --expect-provider fsdax --expect-persistence persistent \
		--expect-write-cache 0 --expect-flush none --expect-info write_cache
	setup sh -c "echo 1 > $wc"
	check wc-on-again vmcheck /mnt/a/pool --expect-provider fsdax --expect-write-cache 1 \
		--expect-flush any-cpu-flush
}
