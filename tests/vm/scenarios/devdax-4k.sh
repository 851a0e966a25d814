# devdax-4k: default NVDIMM as device-dax, 4 KiB alignment: same as devdax-2m with align 4096.
boot1() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	ns_create "$ns" devdax -a 4K
	check sysfs-align grep -qx 4096 "/sys/bus/dax/devices/$DEV/align"
	check devdax vmcheck "/dev/$DEV" --expect-provider devdax --expect-persistence persistent \
		--expect-write-cache 1 --expect-flush any-cpu-flush --expect-align 4K \
		--expect-info "mapping: MAP_SHARED_VALIDATE|MAP_SYNC"
}
