# tool-list: daxdev list --json against ndctl list -RNv and daxctl list on NVDIMM (devdax + fsdax with ext4 -o dax), virtio-pmem and memmap, field by field; list and probe agree with the open.
VM_NVDIMMS="256M 256M"
VM_PERSISTENCE=cpu
VM_VIRTIO_PMEM="256M"
VM_MEMMAP="64M!1G"
VM_MEM=1280M
boot1() {
	devdax_and_daxfs
	check list daxdev list
	setup sh -c 'daxdev list --json >/tmp/daxdev.json'
	setup sh -c 'ndctl list -RNv >/tmp/ndctl.json'
	if command -v daxctl >/dev/null; then
		setup sh -c 'daxctl list >/tmp/daxctl.json'
		check list-vs-ndctl-daxctl listcmp /tmp/daxdev.json /tmp/ndctl.json /tmp/daxctl.json
	else
		check list-vs-ndctl listcmp /tmp/daxdev.json /tmp/ndctl.json
	fi
	# every pmem block device and device-dax of the guest is listed
	for d in $(ls /sys/block | grep '^pmem') $(ls /sys/bus/dax/devices); do
		check "listed-$d" grep -q "\"$d\"" /tmp/daxdev.json
	done
	check list-mount grep -q '"mountpoint": "/mnt/a"' /tmp/daxdev.json
	check list-buses sh -c 'grep -q "\"bus\": \"ACPI.NFIT\"" /tmp/daxdev.json &&
		grep -q "\"bus\": \"virtio-pmem\"" /tmp/daxdev.json &&
		grep -q "\"bus\": \"e820\"" /tmp/daxdev.json'
	# cpu_cache persistence: the probe says write cache off, and so does the open
	check probe-says-off sh -c "daxdev info --json /dev/$dax | grep -q '\"write_cache\": false'"
	check open-says-off vmcheck "/dev/$dax" --expect-write-cache 0 --no-io
	# virtio-pmem: files on it get msync, listed so before any file exists
	vdev=$(ns_blockdev "$(region_ns virtio)")
	check virtio-listed-msync sh -c "daxdev info --json /dev/$vdev | grep -q '\"flush\": \"msync\"'"
	check check-devdax daxdev check "/dev/$dax"
}
