#!/bin/bash
# Install test: `meson install` into a fresh prefix, then build and run an outside program with pkg-config; the library exports only daxdev_* symbols.
set -euo pipefail
src=${1:?source dir}
work=$(mktemp -d "${TMPDIR:-/tmp}/daxdev-install.XXXXXX")
trap 'rm -rf "$work"' EXIT

meson setup "$work/build" "$src" --prefix="$work/prefix" -Dtests=disabled -Dbench=disabled \
	-Dvm_tests=disabled >"$work/setup.log" 2>&1 || { cat "$work/setup.log"; exit 1; }
ninja -C "$work/build" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
meson install -C "$work/build" --no-rebuild >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }

pcdir=$(dirname "$(find "$work/prefix" -name daxdev.pc | head -n1)")
[ -n "$pcdir" ] || { echo "FAIL: no daxdev.pc installed"; exit 1; }
export PKG_CONFIG_PATH=$pcdir
libdir=$(pkg-config --variable=libdir daxdev)

cat >"$work/prog.c" <<'PROG'
#include <daxdev.h>
#include <daxdev/provider.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	struct daxdev *dev;
	char back[6];
	if (daxdev_open("anon:1M", 0, &dev) || daxdev_write(dev, 0, "hello", 6) ||
	    daxdev_read(dev, 0, back, 6) || strcmp(back, "hello")) {
		fprintf(stderr, "failed: %s\n", daxdev_errormsg());
		return 1;
	}
	printf("outside program: libdaxdev %s read back '%s'\n", daxdev_version(), back);
	daxdev_put(dev);
	return 0;
}
PROG
# shellcheck disable=SC2046
cc -Wall -Werror -o "$work/prog" "$work/prog.c" $(pkg-config --cflags --libs daxdev)
LD_LIBRARY_PATH=$libdir "$work/prog"

# Only daxdev_* (and the version node) may be exported.
lib=$(ls "$libdir"/libdaxdev.so.* | head -n1)
extra=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v -e '^daxdev_' -e '^LIBDAXDEV_1$' || true)
if [ -n "$extra" ]; then
	echo "FAIL: symbols exported besides daxdev_*:"; echo "$extra"; exit 1
fi
count=$(nm -D --defined-only "$lib" | grep -c ' daxdev_')
echo "exports: $count daxdev_* symbols, nothing else"
for h in daxdev.h daxdev/provider.h daxdev/crashsim.h daxdev/composite.h; do
	[ -f "$work/prefix/include/$h" ] || { echo "FAIL: $h not installed"; exit 1; }
done
# One man page per public function.
mandir=$(find "$work/prefix" -type d -name man3 | head -n1)
missing=""
for sym in $(nm -D --defined-only "$lib" | awk '$3 ~ /^daxdev_/ {sub(/@.*/, "", $3); print $3}'); do
	[ -f "$mandir/$sym.3" ] || missing="$missing $sym"
done
if [ -n "$missing" ]; then
	echo "FAIL: no man page for:$missing"; exit 1
fi
echo "man pages: one for each of the $count exported functions"
echo "install test passed"
