#!/bin/bash
# The drop-in libpmem.so.1 against PMDK's, interleaved in one run: pmem_memcpy_persist (into a pmem_map_file mapping and into memory the program mapped itself), the owner lookup, and fio's libpmem engine.
#
# usage: bench/libpmem-compare.sh BUILD_DIR [ROUNDS] [DIR]
# Each round runs every workload once per library (drop-in first, then PMDK,
# alternating the order every round), each in its own process.  Prints the
# medians over the rounds and "speed ratio" = drop-in speed / PMDK speed
# (> 1: the drop-in is faster).  DIR (default /dev/shm) holds the files.
set -euo pipefail
build=$(readlink -f "${1:?usage: libpmem-compare.sh BUILD_DIR [ROUNDS] [DIR]}")
rounds=${2:-5}
dir=${3:-/dev/shm}
ours=$build/compat/libpmem/libpmem.so.1
pmdk=/usr/lib/x86_64-linux-gnu/libpmem.so.1
prog=$build/bench/libpmem-compare
for f in "$ours" "$pmdk" "$prog"; do
	[ -e "$f" ] || { echo "libpmem-compare: $f is missing" >&2; exit 1; }
done
out=$(mktemp -d "${TMPDIR:-/tmp}/libpmem-compare.XXXXXX")
trap 'rm -rf "$out"' EXIT

fio_job=(--name=compare --ioengine=libpmem --filename="$dir/libpmem-compare-fio.$$" --size=64M
	 --loops=2 --bs=4k --rw=write --direct=1 --output-format=json)
run_fio() {  # LIBDIR ("" for PMDK's) -> write bandwidth in MiB/s
	LD_LIBRARY_PATH=$1 PMEM_IS_PMEM_FORCE=1 fio "${fio_job[@]}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["write"]["bw"] / 1024)'
	rm -f "$dir/libpmem-compare-fio.$$"
}

for r in $(seq 1 "$rounds"); do
	order="ours pmdk"
	[ $((r % 2)) = 0 ] && order="pmdk ours"
	for lib in $order; do
		so=$ours libdir=$(dirname "$ours")
		[ $lib = pmdk ] && so=$pmdk libdir=""
		for mode in copy-mapped copy-unmapped lookup; do
			"$prog" "$so" $mode "$dir" | sed "s/^/$r $lib /" >>"$out/all"
		done
		command -v fio >/dev/null && echo "$r $lib fio-write 4096 $(run_fio "$libdir")" >>"$out/all"
	done
	echo "round $r/$rounds done" >&2
done

python3 - "$out/all" <<'PY'
# Ratios are taken round by round (the two runs of a round are neighbours in
# time), then the median of the ratios: a machine whose speed drifts during
# the run moves both libraries alike.
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    rnd, lib, workload, size, value = line.split()
    rows.setdefault((workload, int(size)), {}).setdefault(rnd, {})[lib] = float(value)
print("| workload | size | drop-in (median) | PMDK (median) | speed ratio drop-in/PMDK: median [min, max] |")
print("|---|---|---|---|---|")
for (w, size), per_round in sorted(rows.items()):
    pairs = [(v["ours"], v["pmdk"]) for v in per_round.values() if "ours" in v and "pmdk" in v]
    bw = w.startswith("fio")
    unit = "MiB/s" if bw else "ns/op"
    ratios = sorted(a / b if bw else b / a for a, b in pairs)
    a = statistics.median(p[0] for p in pairs)
    b = statistics.median(p[1] for p in pairs)
    label = f"{size} mappings" if w == "lookup" else f"{size} B"
    print(f"| {w} | {label} | {a:.1f} {unit} | {b:.1f} {unit} | "
          f"{statistics.median(ratios):.2f} [{ratios[0]:.2f}, {ratios[-1]:.2f}] |")
PY
