# hwpoison-plog: plog reading a log on tmpfs with a poisoned page reports the page's offset instead of dying (needs plog's recovery to read through daxdev_read: branch plog).
boot1() {
	check create plog-static create /tmp/log --size 1M
	check append sh -c 'i=0; while [ $i -lt 300 ]; do echo "record $i of the log"; i=$((i + 1)); done | plog-static append /tmp/log -'
	check poison faultcheck poison-page /tmp/log 8192
	# Not killed by SIGBUS (exit 135), and the error names offset 8192.
	check cat-reports-offset sh -c 'plog-static cat /tmp/log >/tmp/o 2>/tmp/e; rc=$?; cat /tmp/e; echo "rc=$rc"; [ $rc -ne 135 ] && grep -q 8192 /tmp/e'
}
