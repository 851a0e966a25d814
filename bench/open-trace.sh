#!/bin/bash
# Where one daxdev_open goes, against pmem_map_file: the system calls of one open (strace -T), their counts, strace -c over many opens, and the in-process breakdown of open-probe.
#
# usage: bench/open-trace.sh BUILD_DIR [DIR...]     (default DIRs: /tmp /dev/shm)
# For each DIR: a 16 MiB file written whole and one with a 4 KiB hole at the
# end of every MiB (bench/open-files.c), then
#   1. the system calls of one open+close after a warm-up open (strace -f -T),
#      for daxdev_open, daxdev_open with DAXDEV_OPEN_SPARSE (no hole check),
#      pmem_map_file, and daxdev_open of the sparse file; with the count of
#      each call.  strace's times include its own cost (~10 us a call here):
#      read them for order, the in-process figures of 3 for size.
#   2. strace -c -w over N opens of each library (the process start adds a
#      few dozen calls of its own: execve, the loader's mmap/openat/read).
#   3. open-probe time: every step once per round, interleaved, medians.
set -euo pipefail
build=$(readlink -f "${1:?usage: open-trace.sh BUILD_DIR [DIR...]}")
shift
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(/tmp /dev/shm)
probe=$build/bench/open-probe
n=${OPEN_TRACE_N:-200}
command -v strace >/dev/null || { echo "open-trace: strace is missing" >&2; exit 1; }
[ -x "$probe" ] || { echo "open-trace: $probe is missing" >&2; exit 1; }
out=$(mktemp -d "${TMPDIR:-/tmp}/open-trace.XXXXXX")
files=()
trap 'rm -rf "$out"; rm -f "${files[@]}"' EXIT

traced_open() {  # MODE FILE: the calls between open-probe's markers
	strace -f -T -o "$out/trace" "$probe" once "$1" "$2" 2>/dev/null
	sed -n '/open-probe: begin/,/open-probe: end/p' "$out/trace" | sed '1d;$d' |
		sed -E 's/^[0-9]+ +//; s/\{st_mode[^}]*\}/{...}/; s/^fstatfs\(([0-9]+), \{f_type=([A-Z0-9_]+).*\) = /fstatfs(\1, {f_type=\2, ...}) = /; s/, 0x[0-9a-f]+, 1023\)/, ..., 1023)/'
}

for dir in "${dirs[@]}"; do
	full=$dir/open-trace.$$.full sparse=$dir/open-trace.$$.sparse
	files+=("$full" "$sparse")
	"$probe" make "$full" full
	echo "## $dir ($(stat -f -c %T "$dir"))"
	for mode in daxdev nocheck pmem sparse; do
		file=$full m=$mode
		[ $mode = sparse ] && { file=$sparse m=daxdev; "$probe" make "$sparse" sparse; }
		echo
		echo "### one open+close: $mode ($file)"
		echo
		traced_open "$m" "$file" >"$out/calls"
		sed 's/^/    /' "$out/calls"
		echo
		echo "    calls: $(wc -l <"$out/calls"); by name: $(sed -E 's/\(.*//' "$out/calls" |
			sort | uniq -c | sort -rn | awk '{printf "%s %s, ", $2, $1}' | sed 's/, $//')"
	done
	for mode in daxdev pmem; do
		echo
		echo "### strace -c -w, $n opens: $mode"
		echo
		strace -c -w -f -o "$out/summary" "$probe" loop "$mode" "$full" "$n"
		sed -n '1,14p' "$out/summary" | sed 's/^/    /'
	done
	echo
	echo "### in process (open-probe time, no tracer)"
	echo
	"$probe" time "$full" 201
	echo
done
