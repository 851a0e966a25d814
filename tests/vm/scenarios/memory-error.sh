# memory-error: MADV_HWPOISON on an anonymous and on a tmpfs page: the next read and write of that page raise SIGBUS BUS_MCEERR_AR at that page, the program catches it and goes on, its other pages are untouched.
VM_NVDIMMS=""
boot1() {
	check anon vmpoison
	check tmpfs vmpoison /tmp/poison
	check kernel-counted grep -q 'HardwareCorrupted: *[1-9]' /proc/meminfo
}
