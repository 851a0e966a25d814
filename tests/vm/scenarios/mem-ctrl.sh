# mem-ctrl: nvdimm-persistence=mem-ctrl (ADR): write cache on, CPU flush.
VM_PERSISTENCE=mem-ctrl
boot1() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	ns_create "$ns" devdax -a 2M
	check devdax vmcheck "/dev/$DEV" --expect-provider devdax --expect-persistence persistent \
		--expect-write-cache 1 --expect-flush any-cpu-flush
}
