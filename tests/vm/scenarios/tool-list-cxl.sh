# tool-list-cxl: daxdev list --json against ndctl list -RNv, daxctl list and cxl list -RD on CXL persistent memory (devdax + fsdax with ext4 -o dax), field by field; every listed device says bus CXL; check and info agree.
VM_NVDIMMS=""
VM_CXL_PMEM="256M"
boot1() {
	cxl_pmem_region
	ns_new "$REGION" devdax -a 2M -s 64M
	dax=$DEV
	ns_new "$REGION" fsdax -s 64M
	mkfs_mount "$DEV" /mnt/a dax
	setup sh -c 'daxdev list --json >/tmp/daxdev.json'
	setup sh -c 'ndctl list -RNv >/tmp/ndctl.json'
	setup sh -c 'daxctl list >/tmp/daxctl.json'
	# -D: cxl 76.x gives a region no type; its endpoint decoders' mode does
	setup sh -c 'cxl list -RD >/tmp/cxl.json'
	check list-vs-ndctl-daxctl-cxl listcmp /tmp/daxdev.json /tmp/ndctl.json /tmp/daxctl.json \
		--cxl /tmp/cxl.json
	# every pmem block device and device-dax of the guest is listed, all on the CXL bus
	for d in $(ls /sys/block | grep '^pmem') $(ls /sys/bus/dax/devices); do
		check "listed-$d" grep -q "\"$d\"" /tmp/daxdev.json
	done
	check list-mount grep -q '"mountpoint": "/mnt/a"' /tmp/daxdev.json
	check list-bus-cxl sh -c 'grep "\"bus\":" /tmp/daxdev.json &&
		! grep "\"bus\":" /tmp/daxdev.json | grep -v "\"bus\": \"CXL\""'
	check check-devdax daxdev check "/dev/$dax"
	# a file on ext4 -o dax: persistent, write cache on, a CPU flush (not msync)
	setup dd if=/dev/zero of=/mnt/a/file bs=1M count=16
	check info-file sh -c 'daxdev info --json /mnt/a/file >/tmp/info.json &&
		grep -E "\"(persistence|write_cache|flush|bus)\":" /tmp/info.json &&
		grep -q "\"persistence\": \"persistent\"" /tmp/info.json &&
		grep -q "\"write_cache\": true" /tmp/info.json &&
		grep -Eq "\"flush\": \"(clwb|clflushopt|clflush)\"" /tmp/info.json &&
		grep -q "\"bus\": \"CXL\"" /tmp/info.json'
}
