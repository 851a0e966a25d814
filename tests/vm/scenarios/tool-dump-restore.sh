# tool-dump-restore: daxdev restore then dump round-trips a device-dax byte for byte (whole device and a range), zero clears exactly its range.
VM_NVDIMMS="128M"
VM_MEM=768M
boot1() {
	ns=$(region_ns ACPI0012); need "$ns" "no NFIT region"
	ns_create "$ns" devdax -a 2M
	setup sh -c "head -c 16777216 /dev/urandom >/tmp/random"
	setup sh -c "head -c 4096 /dev/zero >/tmp/zero4k"
	check restore-range daxdev restore --offset 8M --length 16M --input /tmp/random "/dev/$DEV"
	check dump-range sh -c "daxdev dump --offset 8M --length 16M /dev/$DEV | cmp - /tmp/random"
	check dump-all sh -c "daxdev dump /dev/$DEV >/tmp/all"
	check zero-all daxdev zero "/dev/$DEV"
	check zeroed sh -c "daxdev dump --offset 8M --length 4K /dev/$DEV | cmp - /tmp/zero4k"
	check restore-all daxdev restore --input /tmp/all "/dev/$DEV"
	check round-trip sh -c "daxdev dump /dev/$DEV | cmp - /tmp/all"
	check range-intact sh -c "daxdev dump -o 8M -l 16M /dev/$DEV | cmp - /tmp/random"
	# zero 4 KiB at 9M: those bytes are zero, the bytes around them unchanged
	check zero-range daxdev zero --offset 9M --length 4096 "/dev/$DEV"
	check zero-range-zeroed sh -c "daxdev dump -o 9M -l 4096 /dev/$DEV | cmp - /tmp/zero4k"
	setup sh -c "dd if=/tmp/random bs=4096 count=256 2>/dev/null >/tmp/before"
	setup sh -c "dd if=/tmp/random bs=4096 skip=257 count=256 2>/dev/null >/tmp/after"
	check zero-range-before sh -c "daxdev dump -o 8M -l 1M /dev/$DEV | cmp - /tmp/before"
	check zero-range-after sh -c "daxdev dump -o 9220K -l 1M /dev/$DEV | cmp - /tmp/after"
	expect_fail past-end daxdev dump --offset 200M "/dev/$DEV"
}
