# fsdax-xfs: file on xfs -o dax over a 512 MiB NVDIMM (xfs needs >= 300 MB): MAP_SYNC, write cache 1, CPU flush.
VM_NVDIMMS="512M"
boot1() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	ns_create "$ns" fsdax
	setup mkfs.xfs -q -f "/dev/$DEV"
	setup mount -t xfs -o dax "/dev/$DEV" /mnt/a
	check fsdax vmcheck /mnt/a/pool --create --size 32M --expect-provider fsdax \
		--expect-persistence persistent --expect-write-cache 1 --expect-flush any-cpu-flush \
		--expect-info "mapping: MAP_SHARED_VALIDATE|MAP_SYNC"
}
