# hwpoison-plog: plog reading a log on tmpfs with a poisoned page prints the records before the page, then names the page's offset and exits 1 instead of dying of the SIGBUS.
boot1() {
	check create plog-static create /tmp/log --size 1M
	check append sh -c 'i=0; while [ $i -lt 300 ]; do echo "record $i of the log"; i=$((i + 1)); done | plog-static append /tmp/log -'
	check poison faultcheck poison-page /tmp/log 8192
	# Not killed by SIGBUS (exit 135), and the error names offset 8192.
	check cat-reports-offset sh -c 'plog-static cat /tmp/log >/tmp/o 2>/tmp/e; rc=$?; cat /tmp/e; echo "rc=$rc"; [ $rc -eq 1 ] && grep -q 8192 /tmp/e'
	# The records before the page are printed: 64-byte slots from 4096, so
	# records 0 to 63.
	check cat-prints-before sh -c 'wc -l </tmp/o; [ "$(wc -l </tmp/o)" -eq 64 ] && [ "$(head -n 1 /tmp/o)" = "record 0 of the log" ] && [ "$(tail -n 1 /tmp/o)" = "record 63 of the log" ]'
}
