#!/bin/bash
# CI stage: build the libFuzzer harnesses (tests/fuzz) with clang, ASan and
# UBSan, and run each for about a minute from its committed corpus.  A crash
# fails the stage and leaves its input as crash-* in build-fuzz/<harness>/:
# commit it under tests/fuzz/regressions/<harness>/ with the fix (the unit
# tests replay every file there).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${DAXDEV_FUZZ_SECONDS:-60}

if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dtests=disabled -Dbench=disabled -Dvm_tests=disabled
fi
ninja -C build-fuzz tests/fuzz/fuzz_target tests/fuzz/fuzz_plog tests/fuzz/fuzz_sysfs

status=0
for h in fuzz_target fuzz_plog fuzz_sysfs; do
	work=build-fuzz/$h
	rm -rf "$work" && mkdir -p "$work/corpus"
	# New inputs go to a scratch copy: the committed corpus only grows by hand.
	cp tests/fuzz/corpus/$h/* "$work/corpus/"
	if [ -d tests/fuzz/regressions/$h ]; then cp tests/fuzz/regressions/$h/* "$work/corpus/" 2>/dev/null || true; fi
	# Absolute: fuzz_target runs each input in an empty directory of its own.
	artifacts="$PWD/$work/"
	echo "== $h: ${seconds}s =="
	if ! (cd "$work" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"../tests/fuzz/$h" -max_total_time="$seconds" -rss_limit_mb=2048 \
		-artifact_prefix="$artifacts" \
		-timeout=30 -print_final_stats=1 corpus >"fuzz.log" 2>&1); then
		status=1
		tail -n 60 "$work/fuzz.log"
		ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null || true
	else
		grep -E "^stat::(number_of_executed_units|new_units_added)|Done" "$work/fuzz.log" || true
	fi
done
exit $status
