#!/bin/bash
# The drop-in's ABI: soname libpmem.so.1, exactly the 23 functions in node LIBPMEM_1.0, and the same as Debian's PMDK build when that is installed (exports and flag values).
set -euo pipefail
lib=${1:?usage: abi-test.sh LIB COMPAT_SRC_DIR} src=${2:?usage}
pmdk_lib=/usr/lib/x86_64-linux-gnu/libpmem.so.1
pmdk_h=/usr/include/libpmem.h
fail() { echo "FAIL: $*"; exit 1; }

exports() {
	nm -D --defined-only "$1" | awk '{print $3}' | sort
}
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libpmem.so.1 ] || fail "soname '$soname'"
want=$(sed -n 's/^[[:space:]]*\(pmem_[a-z_]*\);$/\1@@LIBPMEM_1.0/p' "$src/libpmem.sym" | sort)
want=$(printf '%s\nLIBPMEM_1.0\n' "$want" | sort)
got=$(exports "$lib")
[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got"); fail "exports differ from libpmem.sym"; }
n=$(grep -c '^pmem_' <<<"$got")
[ "$n" = 23 ] || fail "$n functions, want 23"
echo "exports: the 23 functions of libpmem.sym in LIBPMEM_1.0, soname $soname"

if [ -e "$pmdk_lib" ] && ! cmp -s "$pmdk_lib" "$lib"; then
	theirs=$(exports "$pmdk_lib")
	[ "$got" = "$theirs" ] || { diff <(echo "$theirs") <(echo "$got"); fail "exports differ from $pmdk_lib"; }
	echo "exports: identical to $pmdk_lib"
else
	echo "note: no PMDK $pmdk_lib to compare with"
fi

if [ -e "$pmdk_h" ]; then
	names=$(sed -n 's/^#define \(PMEM_[A-Z_]*\)[[:space:]].*/\1/p' "$src/libpmem.h" | grep -v '^PMEM_API$')
	for name in $names; do
		ours=$(printf '#include "%s"\n%s\n' "$src/libpmem.h" "$name" | cc -E -P - | tail -n1)
		theirs=$(printf '#include <libpmem.h>\n%s\n' "$name" | cc -E -P - | tail -n1)
		a=$(printf '#include <stdio.h>\nint main(void){printf("%%llu\\n",(unsigned long long)(%s));return 0;}\n' "$ours")
		b=$(printf '#include <stdio.h>\nint main(void){printf("%%llu\\n",(unsigned long long)(%s));return 0;}\n' "$theirs")
		va=$(cc -x c -o /tmp/abi-a.$$ - <<<"$a" && /tmp/abi-a.$$)
		vb=$(cc -x c -o /tmp/abi-b.$$ - <<<"$b" && /tmp/abi-b.$$)
		rm -f /tmp/abi-a.$$ /tmp/abi-b.$$
		[ "$va" = "$vb" ] || fail "$name is $va here, $vb in $pmdk_h"
	done
	echo "flags: $(wc -w <<<"$names") macros have the values of $pmdk_h"
else
	echo "note: no $pmdk_h to compare flag values with"
fi
echo "abi test passed"
