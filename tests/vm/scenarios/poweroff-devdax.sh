# poweroff-devdax: a pattern written through libdaxdev on device-dax survives power-off (guest and host check every byte).
VM_BOOTS=2
SEED=4242
LEN=8M
boot1() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	ns_create "$ns" devdax -a 2M
	check write-pattern vmcheck "/dev/$DEV" --write-pattern $SEED --pattern-len $LEN
	# finish powers off at once: no sync, no unmount.
}
host_after_boot1() {
	"$VMCHECK" --scan-raw "$WORK/nvdimm0.img" --seed $SEED --pattern-len $LEN
}
boot2() {
	# Label-less NVDIMM: the kernel finds the device-dax info block again.
	ls /dev/dax* 2>/dev/null
	need "$(ls /dev/dax0.0 2>/dev/null)" "/dev/dax0.0 did not come back after power-off"
	check verify-pattern vmcheck /dev/dax0.0 --verify-pattern $SEED --pattern-len $LEN
	expect_fail wrong-seed vmcheck /dev/dax0.0 --verify-pattern $((SEED + 1)) --pattern-len $LEN
}
