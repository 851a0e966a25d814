/* Drop-in libpmem in one environment per process: pmem_has_auto_flush over sysfs fixtures, PMEM_IS_PMEM_FORCE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libpmem.h"

static int fail(const char *what, int got, int want)
{
	fprintf(stderr, "FAIL: %s = %d, want %d (%s)\n", what, got, want, pmem_errormsg());
	return 1;
}

/* usage: auto-flush N | force N DIR */
int main(int argc, char **argv)
{
	int want = argc > 2 ? atoi(argv[2]) : -2, got, is_pmem = -1;
	char heap[64], path[512];
	size_t len;
	void *a;

	if (argc == 3 && !strcmp(argv[1], "auto-flush")) {
		got = pmem_has_auto_flush();
		printf("pmem_has_auto_flush() = %d under DAXDEV_SYSFS_ROOT=%s\n", got,
		       getenv("DAXDEV_SYSFS_ROOT"));
		return got == want ? 0 : fail("pmem_has_auto_flush()", got, want);
	}
	if (argc == 4 && !strcmp(argv[1], "force")) {
		got = pmem_is_pmem(heap, sizeof(heap));
		if (got != want)
			return fail("pmem_is_pmem(heap)", got, want);
		snprintf(path, sizeof(path), "%s/force-%d", argv[3], (int)getpid());
		a = pmem_map_file(path, 1 << 20, PMEM_FILE_CREATE, 0600, &len, &is_pmem);
		unlink(path);
		if (!a || is_pmem != want)
			return fail("pmem_map_file is_pmem", is_pmem, want);
		printf("PMEM_IS_PMEM_FORCE=%s: pmem_is_pmem = %d everywhere\n",
		       getenv("PMEM_IS_PMEM_FORCE"), want);
		return pmem_unmap(a, len) ? fail("pmem_unmap", -1, 0) : 0;
	}
	fprintf(stderr, "usage: %s auto-flush N | force N DIR\n", argv[0]);
	return 2;
}
