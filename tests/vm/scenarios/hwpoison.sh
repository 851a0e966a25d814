# hwpoison: memory errors (MADV_HWPOISON) on anon: and tmpfs pages, and files (ext4 -o dax, tmpfs) truncated under open devices: errors with offsets, not deaths.
boot1() {
	# Debian's kernel has CONFIG_MEMORY_FAILURE: an anonymous or tmpfs page
	# poisoned this way raises SIGBUS BUS_MCEERR_AR on the next access.
	check hwpoison-anon faultcheck hwpoison anon:16M
	check hwpoison-tmpfs faultcheck hwpoison /tmp/poisoned --create
	check truncate-tmpfs faultcheck truncate /tmp/truncated
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	ns_create "$ns" fsdax
	mkfs_mount "$DEV" /mnt/a dax
	check truncate-ext4-dax faultcheck truncate /mnt/a/truncated
}
