#!/bin/bash
# TSan stage: build with -Db_sanitize=thread (gcc) and run the tests that
# use threads against the shared registry and device lifetime.  Called from
# .ci/run; BUILD_DIR overrides the build directory.  No suppressions: a
# report is a race to fix.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-tsan}

if [ ! -d "$build" ]; then
	meson setup "$build" -Dwerror=true -Db_sanitize=thread -Db_lundef=false \
		-Dvm_tests=disabled -Dbench=disabled
fi
ninja -C "$build"
# halt_on_error: the first race fails the test instead of scrolling past.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	meson test -C "$build" --print-errorlogs registry_stress composite core provider threads api
