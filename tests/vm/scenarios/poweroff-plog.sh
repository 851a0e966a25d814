# poweroff-plog: records appended with the plog example (device-dax and a file on ext4 -o dax) are all there after power-off; two writers at once lose nothing.
VM_BOOTS=2
VM_NVDIMMS="256M 256M"
N=300
records() { i=1; while [ $i -le $N ]; do echo "record $i: $(printf '%0*d' $((i % 97 + 1)) $i)"; i=$((i + 1)); done; }
# two_writers TARGET: two loops of 50 appends at once; the second writer
# waits for the first, so all 100 are acknowledged and all are in the log.
two_writers() {
	plog-static create "$1" --force --size 1M || return 1
	for w in a b; do
		(i=1; while [ $i -le 50 ]; do plog-static append "$1" "$w-$i" && echo "$w-$i"; i=$((i + 1)); done >/tmp/acked-$w) &
	done
	wait
	plog-static cat "$1" | sort >/tmp/got-2w
	sort /tmp/acked-a /tmp/acked-b >/tmp/want-2w
	cmp /tmp/want-2w /tmp/got-2w && [ "$(wc -l </tmp/got-2w)" -eq 100 ] &&
		echo "100 appends acknowledged, all 100 in the log"
}
boot1() {
	devdax_and_daxfs
	check two-writers-devdax two_writers "/dev/$dax"
	check two-writers-file two_writers /mnt/a/log2
	check create-devdax plog-static create "/dev/$dax" --force
	check create-file plog-static create /mnt/a/log --size 8M
	records >/tmp/want
	check append-devdax sh -c "plog-static append /dev/$dax - </tmp/want"
	check append-file sh -c "plog-static append /mnt/a/log - </tmp/want"
	check stat plog-static stat /mnt/a/log
	# Power off at once: no sync, no unmount.
}
boot2() {
	dax=$(ls /dev | grep -m1 '^dax'); need "$dax" "device-dax did not come back"
	ns1=$(region_ns ACPI0012 1); need "$ns1" "no second NFIT region"
	dev=$(ns_blockdev "$ns1"); need "$dev" "fsdax namespace did not come back"
	setup mount -t ext4 -o dax "/dev/$dev" /mnt/a
	records >/tmp/want
	check cat-devdax sh -c "plog-static cat /dev/$dax >/tmp/got-dax && cmp /tmp/want /tmp/got-dax && echo $N records"
	check cat-file sh -c "plog-static cat /mnt/a/log >/tmp/got-file && cmp /tmp/want /tmp/got-file && echo $N records"
}
