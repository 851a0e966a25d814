#!/bin/bash
# Seeds for the plog-image fuzzer (tests/fuzz/corpus/fuzz_plog), made with the
# plog command of a build: each file is one mode byte (which CRCs the harness
# recomputes: 1 header, 2 records, 4 generation check) and a log image.
#   bash tests/fuzz/make-plog-corpus.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
plog=${1:?build directory}/examples/plog
out=tests/fuzz/corpus/fuzz_plog
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seed() {   # seed NAME MODE IMAGE [BYTES]
	local name=$1 mode=$2 img=$3 bytes=${4:-}
	{
		printf "\\x$(printf %02x "$mode")"
		if [ -n "$bytes" ]; then head -c "$bytes" "$img"; else cat "$img"; fi
	} >"$out/$name"
}

flip() {   # flip IMAGE OFFSET: one byte of the image changed
	printf '\xa5' | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

rm -f "$out"/*
"$plog" create "$work/empty" --size 16K >/dev/null
"$plog" create "$work/three" --size 16K >/dev/null
"$plog" append "$work/three" one two three >/dev/null
"$plog" create "$work/separate" --size 16K >/dev/null
for r in first second third; do "$plog" append "$work/separate" "$r" >/dev/null; done
"$plog" create "$work/many" --size 64K >/dev/null
seq 1 150 | sed 's/^/record /' | "$plog" append "$work/many" - >/dev/null
for name in empty three separate many; do
	for mode in 0 3 7; do seed "$name-mode$mode" "$mode" "$work/$name"; done
done
for name in three separate; do
	cp "$work/$name" "$work/$name-damaged"
	flip "$work/$name-damaged" $((4096 + 32))
	seed "$name-damaged-first" 0 "$work/$name-damaged"
done
cp "$work/separate" "$work/generation"
flip "$work/generation" 66
seed generation-damaged 0 "$work/generation"
seed three-truncated 0 "$work/three" 5000
ls "$out" | wc -l
