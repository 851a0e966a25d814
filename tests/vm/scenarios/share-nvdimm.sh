# share-nvdimm: two guests on one NVDIMM backing file: guest a makes a device-dax and writes numbered records through libdaxdev while guest b, booted once the namespace exists, reads every one in order.
N=2000
boot1() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	ns_create "$ns" devdax -a 2M
	setup vmshare "/dev/$DEV" --clear $N
	# The info block of the device-dax is on the media now: b may boot.
	peer_go
	check writer vmshare "/dev/$DEV" --writer $N
}
peer1() {
	# Label-less NVDIMM: b's kernel finds a's device-dax info block on the
	# media while probing namespace0.0 at boot; b runs no ndctl at all.
	wait_for /dev/dax0.0 || need "" "no /dev/dax0.0 on the peer after 20 s"
	check peer-sees-devdax grep -qx dax /sys/bus/nd/devices/namespace0.0/mode
	check reader vmshare /dev/dax0.0 --reader $N
}
