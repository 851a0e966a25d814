# no-dax: a file on ext4 without dax (page cache) uses msync; a tmpfs file is volatile with nothing to flush.
boot1() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	ns_create "$ns" fsdax
	mkfs_mount "$DEV" /mnt/a
	check ext4-msync vmcheck /mnt/a/pool --create --size 16M --expect-provider fsdax \
		--expect-persistence persistent --expect-write-cache 1 --expect-flush msync \
		--expect-info "no MAP_SYNC"
	check tmpfs-volatile vmcheck /tmp/pool --create --size 16M --expect-provider fsdax \
		--expect-persistence volatile --expect-write-cache 0 --expect-flush none \
		--expect-info tmpfs
}
