# share-plog: two guests on the same two NVDIMM backing files: guest a appends records with plog append --shared while guest b, booted once the logs exist, prints them with plog follow; every record arrives, in order, while a writes. b tells a that it follows through a second log, which a follows.
VM_NVDIMMS="64M 64M"
N=2000
CHUNK=100
records() { i=1; while [ $i -le $N ]; do echo "record $i of $N from guest a"; i=$((i + 1)); done; }

# lines FILE: how many lines FILE has, 0 while it does not exist yet.
lines() { if [ -e "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# wait_lines FILE N TENTHS: wait up to TENTHS/10 s for FILE to have N lines.
wait_lines() {
	_t=0
	while [ "$(lines "$1")" -lt "$2" ]; do
		[ "$_t" -ge "$3" ] && { echo "FAIL: $(lines "$1") of $2 lines in $1 after $(($3 / 10)) s"; return 1; }
		sleep 0.1
		_t=$((_t + 1))
	done
}

# hear_peer DEV: follow the back channel until b's line is in it; SIGINT
# stops the follower with status 0. The output file exists before the
# follower starts, so the wait never reads a missing file (a missing file
# once made the wait end at once and a wrote before b followed).
hear_peer() {
	: >/tmp/back
	plog-static follow "/dev/$1" --interval 20 >/tmp/back 2>/tmp/back.err &
	_fp=$!
	wait_lines /tmp/back 1 3000
	_rc=$?
	kill -INT $_fp
	wait $_fp || _rc=1
	cat /tmp/back /tmp/back.err
	return $_rc
}

# append_paced DEV: the records in chunks of CHUNK, 0.2 s apart.
append_paced() {
	records >/tmp/want
	_i=0
	while [ $((_i * CHUNK)) -lt $N ]; do
		sed -n "$((_i * CHUNK + 1)),$((_i * CHUNK + CHUNK))p" /tmp/want |
			plog-static append "/dev/$1" --shared - || return 1
		sleep 0.2
		_i=$((_i + 1))
	done
	echo "$N records appended in $_i appends of $CHUNK lines"
}

boot1() {
	ns0=$(region_ns ACPI0012 0); need "$ns0" "no NFIT region"
	ns1=$(region_ns ACPI0012 1); need "$ns1" "no second NFIT region"
	ns_create "$ns0" devdax -a 2M
	log=$DEV
	ns_create "$ns1" devdax -a 2M
	back=$DEV
	setup plog-static create "/dev/$log" --force
	setup plog-static create "/dev/$back" --force
	# Both info blocks and both log headers are on the media: b may boot.
	peer_go
	check hear-peer hear_peer "$back"
	check append append_paced "$log"
}

# count_while FILE N TENTHS: wait_lines, and print how many distinct counts
# of lines strictly between 0 and N were seen on the way (records that came
# while a was still appending).
count_while() {
	_t=0 _last=0 _seen=0
	while [ "$(lines "$1")" -lt "$2" ]; do
		_c=$(lines "$1")
		[ "$_c" -gt 0 ] && [ "$_c" -ne "$_last" ] && _seen=$((_seen + 1))
		_last=$_c
		[ "$_t" -ge "$3" ] && { echo "FAIL: $_c of $2 records after $(($3 / 10)) s"; return 1; }
		sleep 0.1
		_t=$((_t + 1))
	done
	echo "all $2 records; $_seen partial counts seen on the way"
	[ "$_seen" -ge 3 ] || { echo "FAIL: fewer than 3 partial counts: b did not read while a wrote"; return 1; }
}

peer1() {
	# Label-less NVDIMMs: b's kernel finds a's two device-dax info blocks.
	wait_for /dev/dax0.0 && wait_for /dev/dax1.0 || need "" "no /dev/dax0.0 and /dev/dax1.0 on the peer after 20 s"
	records >/tmp/want
	: >/tmp/got
	plog-static follow /dev/dax0.0 --interval 5 >/tmp/got 2>/tmp/follow.err &
	fp=$!
	check tell-writer plog-static append /dev/dax1.0 --shared "b follows /dev/dax0.0"
	check all-arrive count_while /tmp/got $N 2000
	kill -INT $fp
	check follow-stops-on-sigint wait $fp
	check in-order cmp /tmp/want /tmp/got
	check follow-quiet sh -c "cat /tmp/follow.err; [ ! -s /tmp/follow.err ]"
}
