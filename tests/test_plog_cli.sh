#!/bin/sh
# plog CLI: round trip, then bad input — non-plog target, wrong version, truncated file, full log, too-large record, existing log — and crashcheck with and without planted bugs.
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

# Wrong version: byte 8 is the version's low byte.
expect_ok create-v "$plog" create "$dir/v" --size 64K
printf '\002' | dd of="$dir/v" bs=1 seek=8 conv=notrunc 2>/dev/null
expect_fail version "version 2 is not supported" "$plog" cat "$dir/v"

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
