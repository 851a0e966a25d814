#!/bin/bash
# Install test: `meson install` into a fresh prefix, then build and run an outside program with pkg-config; the library exports exactly the version script's symbols, each with its man page.
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
	if (daxdev_open("anon:1M", NULL, &dev) || daxdev_write(dev, 0, "hello", 6) ||
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

# Exactly the symbols the version script lists, each in its node, and the
# soname of major version 1.
lib=$(ls "$libdir"/libdaxdev.so.*.*.* | head -n1)
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libdaxdev.so.1 ] || { echo "FAIL: soname '$soname', want libdaxdev.so.1"; exit 1; }
script_syms=$(sed -n 's/^[[:space:]]*\(daxdev_[a-z0-9_]*\);$/\1/p' "$src/src/libdaxdev.sym" | sort)
lib_syms=$(nm -D --defined-only "$lib" | awk '$3 !~ /^LIBDAXDEV_/ {print $3}' | sed 's/@.*//' | sort)
if [ "$script_syms" != "$lib_syms" ]; then
	echo "FAIL: exported symbols differ from src/libdaxdev.sym:"
	diff <(echo "$script_syms") <(echo "$lib_syms") || true
	exit 1
fi
unversioned=$(nm -D --defined-only "$lib" | awk '$3 ~ /^daxdev_/ && $3 !~ /@@?LIBDAXDEV_/' || true)
[ -z "$unversioned" ] || { echo "FAIL: symbols without a version node:"; echo "$unversioned"; exit 1; }
count=$(echo "$lib_syms" | wc -l)
echo "exports: exactly the $count symbols of the version script, soname $soname"
# The library's decision path never needs the tool's libraries (libndctl,
# libdaxctl, json-c): only libc.
needed=$(readelf -d "$lib" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
case "$needed" in
*ndctl*|*daxctl*|*json*) echo "FAIL: libdaxdev links $needed"; exit 1 ;;
esac
echo "links only: $needed"
for h in daxdev.h daxdev/version.h daxdev/provider.h daxdev/crashsim.h daxdev/composite.h \
	daxdev/sharesim.h; do
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
