#!/bin/sh
# plog CLI: round trip, then bad input — non-plog target, damaged version, truncated file, full log, too-large record, existing log, a flipped header byte, a damaged record, a read-only file, two writers at once — follow (with a rewind, stopped by SIGINT), and crashcheck with and without planted bugs.
# usage: test_plog_cli.sh PLOG_BINARY WORKDIR
set -u
plog=$1
dir=$2/plog-cli.$$
mkdir -p "$dir" || exit 1
trap 'rm -rf "$dir"' EXIT
# A cross build (tools/cross/*.ini) runs the binary through meson's exe
# wrapper (QEMU user mode): a one-line script stands in for it.
if [ -n "${MESON_EXE_WRAPPER:-}" ]; then
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$MESON_EXE_WRAPPER" "$plog" >"$dir/plog"
	chmod +x "$dir/plog"
	plog=$dir/plog
fi
fails=0

# expect_fail NAME PATTERN CMD...: CMD must exit non-zero and say PATTERN on stderr.
expect_fail() {
	name=$1 pattern=$2
	shift 2
	if "$@" >"$dir/out" 2>"$dir/err"; then
		echo "FAIL $name: exited 0"; fails=$((fails + 1))
	elif ! grep -q "$pattern" "$dir/err"; then
		echo "FAIL $name: stderr lacks '$pattern':"; cat "$dir/err"; fails=$((fails + 1))
	else
		echo "ok   $name: $(cat "$dir/err")"
	fi
}

expect_ok() {
	name=$1
	shift
	if "$@" >"$dir/out" 2>"$dir/err"; then
		echo "ok   $name"
	else
		echo "FAIL $name:"; cat "$dir/err"; fails=$((fails + 1))
	fi
}

log=$dir/log
expect_ok create "$plog" create "$log" --size 1M
expect_ok append "$plog" append "$log" first second
printf 'third\nfourth\n' > "$dir/in"
expect_ok append-stdin sh -c "'$plog' append '$log' - < '$dir/in'"
expect_ok cat "$plog" cat "$log"
printf 'first\nsecond\nthird\nfourth\n' | cmp -s - "$dir/out" || { echo "FAIL cat output"; fails=$((fails + 1)); }
expect_ok stat "$plog" stat "$log"
grep -q '^records: 4$' "$dir/out" || { echo "FAIL stat records"; cat "$dir/out"; fails=$((fails + 1)); }
expect_fail create-existing "already holds a plog log" "$plog" create "$log"
expect_ok rewind "$plog" rewind "$log"
expect_ok cat-empty "$plog" cat "$log"
[ ! -s "$dir/out" ] || { echo "FAIL rewind left records"; fails=$((fails + 1)); }

# Not a plog log.
head -c 65536 /dev/zero > "$dir/zeros"
expect_fail not-plog "not a plog log" "$plog" cat "$dir/zeros"
expect_fail no-such "No such file" "$plog" stat "$dir/absent"

# A changed version byte (byte 8, the version's low byte): the header
# checksum still matches version 2, so this is damage, not a newer format
# (that case, with its checksum, is in test_plog_damage.c).
expect_ok create-v "$plog" create "$dir/v" --size 64K
printf '\003' | dd of="$dir/v" bs=1 seek=8 conv=notrunc 2>/dev/null
expect_fail version "corrupt at offset 8" "$plog" cat "$dir/v"

# Truncated file.
expect_ok create-t "$plog" create "$dir/t" --size 1M
"$plog" append "$dir/t" keep >/dev/null
truncate -s 512K "$dir/t"
expect_fail truncated "truncated" "$plog" cat "$dir/t"

# Full log and a record that can never fit: nothing written, nothing lost.
expect_ok create-f "$plog" create "$dir/f" --size 8K
big=$(head -c 4064 /dev/zero | tr '\0' x)
expect_ok fill "$plog" append "$dir/f" "$big"
expect_fail full "log full" "$plog" append "$dir/f" more
expect_fail too-large "can never fit" "$plog" append "$dir/f" "$big$big"
expect_ok cat-full "$plog" cat "$dir/f"
[ "$(wc -c < "$dir/out")" -eq 4065 ] || { echo "FAIL full log lost data"; fails=$((fails + 1)); }

expect_fail usage "usage" "$plog" frobnicate "$log"

# flip_byte FILE OFFSET: invert one bit of the byte at OFFSET.
flip_byte() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((b ^ 32)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# A flipped byte in the header's generation word: reported with its offset,
# never an empty log; an append must not overwrite the records.
expect_ok create-g "$plog" create "$dir/g" --size 64K
expect_ok append-g "$plog" append "$dir/g" one two three
cp "$dir/g" "$dir/g.orig"
flip_byte "$dir/g" 66
expect_fail gen-flip "corrupt.*offset 64" "$plog" cat "$dir/g"
expect_fail gen-flip-append "corrupt.*offset 64" "$plog" append "$dir/g" four
cp "$dir/g.orig" "$dir/g"
expect_ok cat-g "$plog" cat "$dir/g"
printf 'one\ntwo\nthree\n' | cmp -s - "$dir/out" || { echo "FAIL gen-flip: records lost"; fails=$((fails + 1)); }

# A damaged record that later appends prove complete: cat prints the records
# before it, then the damage with its offset, and fails; append refuses it.
expect_ok create-d "$plog" create "$dir/d" --size 64K
expect_ok append-d "$plog" append "$dir/d" one two three
flip_byte "$dir/d" $((4096 + 64 + 32))
expect_fail damaged-cat "corrupt.*offset 4160" "$plog" cat "$dir/d"
[ "$(cat "$dir/out")" = one ] || { echo "FAIL damaged-cat: records before the damage not printed"; fails=$((fails + 1)); }
expect_fail damaged-stat "corrupt.*offset 4160" "$plog" stat "$dir/d"
expect_fail damaged-append "corrupt.*offset 4160" "$plog" append "$dir/d" four

# cat and stat need only read access.
expect_ok create-r "$plog" create "$dir/r" --size 64K
expect_ok append-r "$plog" append "$dir/r" one two
chmod 0444 "$dir/r"
if [ "$(id -u)" -ne 0 ]; then
	as_reader=""
elif command -v setpriv >/dev/null; then
	as_reader="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	as_reader="skip"
fi
if [ "$as_reader" = skip ]; then
	echo "ok   read-only: not checked (root without setpriv)"
else
	expect_ok cat-readonly $as_reader "$plog" cat "$dir/r"
	printf 'one\ntwo\n' | cmp -s - "$dir/out" || { echo "FAIL cat-readonly output"; fails=$((fails + 1)); }
	expect_ok stat-readonly $as_reader "$plog" stat "$dir/r"
	expect_fail append-readonly "ermission denied\|read-only" $as_reader "$plog" append "$dir/r" three
fi

# Two writers at once: every acknowledged append is in the log, and an
# append that is not in it said so (exit status and message).
expect_ok create-c "$plog" create "$dir/c" --size 1M
writer() {
	i=1
	: >"$dir/acked-$1"
	while [ $i -le 150 ]; do
		if "$plog" append "$dir/c" "$1-$i" 2>>"$dir/refused-$1"; then
			echo "$1-$i" >>"$dir/acked-$1"
		fi
		i=$((i + 1))
	done
}
writer a &
writer b &
wait
expect_ok cat-c "$plog" cat "$dir/c"
sort "$dir/out" >"$dir/got-c"
sort "$dir/acked-a" "$dir/acked-b" >"$dir/want-c"
if ! cmp -s "$dir/want-c" "$dir/got-c"; then
	echo "FAIL two-writers: $(wc -l <"$dir/want-c") appends acknowledged, $(wc -l <"$dir/got-c") records in the log"
	fails=$((fails + 1))
elif grep -qv "busy\|open for writing\|locked" "$dir/refused-a" "$dir/refused-b"; then
	echo "FAIL two-writers: an unclear refusal:"; cat "$dir/refused-a" "$dir/refused-b"
	fails=$((fails + 1))
else
	echo "ok   two-writers: $(wc -l <"$dir/got-c") of 300 appends acknowledged, all in the log"
fi

# follow: the records there, then each one another process appends (the
# writer holds the log meanwhile), a rewind told on stderr; SIGINT ends it
# with status 0.
# wait_lines FILE N: wait up to 30 s for FILE to have N lines.
wait_lines() {
	t=0
	while [ "$(wc -l <"$1")" -lt "$2" ] && [ $t -lt 300 ]; do
		sleep 0.1; t=$((t + 1))
	done
	[ "$(wc -l <"$1")" -ge "$2" ]
}
expect_ok create-fo "$plog" create "$dir/fo" --size 1M
expect_ok append-fo "$plog" append "$dir/fo" one two
if [ -n "${DAXDEV_TEST_NO_CPU_FLUSH:-}" ]; then
	# The portable build has no cache invalidate: sharing with other hosts
	# (follow, append --shared) is refused, naming why.
	expect_fail follow-portable "no cache invalidate" "$plog" follow "$dir/fo"
	expect_fail append-shared-portable "no cache invalidate" "$plog" append "$dir/fo" --shared x
else
	"$plog" follow "$dir/fo" --interval 5 >"$dir/fo-out" 2>"$dir/fo-err" &
	fpid=$!
	wait_lines "$dir/fo-out" 2 || echo "follow: the first records did not come"
	printf 'three\nfour\n' | "$plog" append "$dir/fo" --shared - || echo "FAIL append --shared"
	"$plog" append "$dir/fo" -- --five >/dev/null
	wait_lines "$dir/fo-out" 5 || echo "follow: the appended records did not come"
	"$plog" rewind "$dir/fo" && "$plog" append "$dir/fo" six
	wait_lines "$dir/fo-out" 6 || echo "follow: the record after the rewind did not come"
	kill -INT $fpid
	wait $fpid; frc=$?
	if [ $frc -ne 0 ]; then
		echo "FAIL follow: exit $frc after SIGINT"; cat "$dir/fo-err"; fails=$((fails + 1))
	elif ! printf 'one\ntwo\nthree\nfour\n--five\nsix\n' | cmp -s - "$dir/fo-out"; then
		echo "FAIL follow: printed"; cat "$dir/fo-out"; fails=$((fails + 1))
	elif ! grep -q "rewound.*5 records were delivered" "$dir/fo-err"; then
		echo "FAIL follow: rewind not told:"; cat "$dir/fo-err"; fails=$((fails + 1))
	else
		echo "ok   follow: 6 records in order across a rewind, stopped by SIGINT"
	fi
	expect_fail follow-not-plog "not a plog log" "$plog" follow "$dir/zeros"
fi
expect_fail follow-interval "interval takes milliseconds" "$plog" follow "$dir/fo" --interval 0
expect_fail append-option "unknown option" "$plog" append "$dir/fo" --sharde x

# crashcheck: the real append passes; each planted bug is caught (exit 1).
expect_ok crashcheck "$plog" crashcheck --images 1000
for bug in --planted-bug --missing-fence; do
	if "$plog" crashcheck --images 1000 $bug >"$dir/out" 2>&1; then
		echo "FAIL crashcheck $bug: not caught"; fails=$((fails + 1))
	elif grep -q "acknowledged append was lost" "$dir/out"; then
		echo "ok   crashcheck $bug: $(head -n 1 "$dir/out")"
	else
		echo "FAIL crashcheck $bug:"; cat "$dir/out"; fails=$((fails + 1))
	fi
done

[ "$fails" -eq 0 ] && echo "all CLI checks passed" || echo "$fails CLI checks failed"
[ "$fails" -eq 0 ]
