# devdax-2m: default NVDIMM as device-dax, 2 MiB alignment: persistent, write cache on, CPU flush, MAP_SYNC.
boot1() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	ns_create "$ns" devdax -a 2M
	check sysfs-align grep -qx 2097152 "/sys/bus/dax/devices/$DEV/align"
	check devdax vmcheck "/dev/$DEV" --expect-provider devdax --expect-persistence persistent \
		--expect-write-cache 1 --expect-flush any-cpu-flush --expect-align 2M \
		--expect-info "mapping: MAP_SHARED_VALIDATE|MAP_SYNC"
	# The DAXDEV_WRITE_CACHE override reaches a real device too.
	check env-override env DAXDEV_WRITE_CACHE=0 vmcheck "/dev/$DEV" --expect-provider devdax \
		--expect-write-cache 0 --expect-flush none
}
