#!/bin/bash
# Run a test program set-user-ID (so the kernel sets AT_SECURE), as the user
# nobody, from a copy in the build directory: proves the library ignores its
# environment in setuid programs.  Making such a copy needs root.
set -euo pipefail
prog=${1:?program}
dir=${2:?scratch directory}
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: making a set-user-ID copy owned by another user needs root"
	exit 77
fi
copy="$dir/setuid-$(basename "$prog")"
cp "$prog" "$copy"
chown nobody "$copy"
chmod 4755 "$copy"
trap 'rm -f "$copy"' EXIT
if [ "$(stat -c %a "$copy")" != 4755 ]; then
	echo "FAIL: could not set the set-user-ID bit on $copy"
	exit 1
fi
"$copy"
