# cpu-cache: nvdimm-persistence=cpu (CPU caches are in the persistence domain): write cache off, no flush, only a drain.
VM_PERSISTENCE=cpu
boot1() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	reg=${ns%%.*}
	check domain grep -qx cpu_cache "/sys/bus/nd/devices/region${reg#namespace}/persistence_domain"
	ns_create "$ns" devdax -a 2M
	check devdax vmcheck "/dev/$DEV" --expect-provider devdax --expect-persistence persistent \
		--expect-write-cache 0 --expect-flush none --expect-drain sfence
}
