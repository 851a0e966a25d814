/* Drop-in libpmem through its public API: pmem_map_file flags, unmap, copies, flushes, bad input. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "libpmem.h"

#define MiB (1024 * 1024)

static char dir[256];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/pmemcompat.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static const char *path_of(const char *name)
{
	static char p[320];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

/* Is any line of /proc/self/maps about this range with these permissions? */
static bool maps_has(uintptr_t start, const char *perms, const char *name)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char pr[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, pr) != 3)
			continue;
		if ((!start || (lo <= start && start < hi)) && (!perms || !strcmp(pr, perms)) &&
		    (!name || strstr(line, name)))
			found = true;
	}
	if (f)
		fclose(f);
	return found;
}

static void test_version(void **state)
{
	(void)state;
	assert_null(pmem_check_version(1, 0));
	assert_null(pmem_check_version(1, 1));
	assert_non_null(pmem_check_version(2, 0));
	assert_non_null(strstr(pmem_errormsg(), "major"));
	assert_non_null(pmem_check_version(1, 2));
	assert_non_null(strstr(pmem_errormsg(), "minor"));
	assert_int_equal(pmem_has_hw_drain(), 0);
}

static void test_create_reopen(void **state)
{
	const char *p = path_of("create");
	size_t mapped = 0;
	int is_pmem = -1;
	struct stat st;
	char *a;

	(void)state;
	umask(022);
	a = pmem_map_file(p, 2 * MiB, PMEM_FILE_CREATE, 0640, &mapped, &is_pmem);
	assert_non_null(a);
	assert_int_equal(mapped, 2 * MiB);
	assert_int_equal(is_pmem, 0); /* a file without DAX: msync, not pmem */
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_true((uint64_t)st.st_blocks * 512 >= 2 * MiB); /* allocated, not sparse */
	pmem_memcpy_persist(a + 4000, "persistent", 11);
	assert_int_equal(pmem_msync(a + 4000, 11), 0);
	assert_int_equal(pmem_unmap(a, mapped), 0);
	assert_false(maps_has(0, NULL, p));

	a = pmem_map_file(p, 0, 0, 0, &mapped, NULL);
	assert_non_null(a);
	assert_int_equal(mapped, 2 * MiB);
	assert_string_equal(a + 4000, "persistent");
	assert_int_equal(pmem_unmap(a, mapped), 0);

	/* CREATE on an existing file: truncated (or extended) to len. */
	a = pmem_map_file(p, 1 * MiB, PMEM_FILE_CREATE, 0600, &mapped, NULL);
	assert_non_null(a);
	assert_int_equal(mapped, 1 * MiB);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 1 * MiB);
	assert_string_equal(a + 4000, "persistent");
	assert_int_equal(pmem_unmap(a, mapped), 0);
}

static void expect_fail(const char *p, size_t len, int flags, int err)
{
	errno = 0;
	assert_null(pmem_map_file(p, len, flags, 0600, NULL, NULL));
	assert_int_equal(errno, err);
	assert_true(pmem_errormsg()[0] != '\0');
}

static void test_bad_map(void **state)
{
	(void)state;
	close(open(path_of("exists"), O_CREAT | O_WRONLY, 0600));
	expect_fail(path_of("exists"), MiB, PMEM_FILE_CREATE | PMEM_FILE_EXCL, EEXIST);
	expect_fail(path_of("exists"), MiB, 0, EINVAL);            /* len without CREATE */
	expect_fail(path_of("absent"), 0, 0, ENOENT);
	expect_fail(path_of("absent"), 0, PMEM_FILE_CREATE, EINVAL); /* CREATE needs len */
	expect_fail(path_of("absent"), MiB, 1 << 7, EINVAL);       /* unknown flag */
	expect_fail(dir, MiB, PMEM_FILE_TMPFILE, EINVAL);           /* TMPFILE needs CREATE */
	expect_fail(NULL, MiB, PMEM_FILE_CREATE, EINVAL);
	expect_fail(path_of("exists"), 0, 0, EINVAL);              /* empty file */
	assert_int_equal(access(path_of("absent"), F_OK), -1);     /* nothing left behind */
}

static void test_sparse_tmpfile_mode0(void **state)
{
	size_t mapped;
	struct stat st;
	char *a;
	int n_before, n_after;
	char cmd[400];

	(void)state;
	a = pmem_map_file(path_of("sparse"), 64 * MiB, PMEM_FILE_CREATE | PMEM_FILE_SPARSE, 0600,
			  &mapped, NULL);
	assert_non_null(a);
	assert_int_equal(stat(path_of("sparse"), &st), 0);
	assert_true((uint64_t)st.st_blocks * 512 < 64 * MiB);
	assert_int_equal(pmem_unmap(a, mapped), 0);

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	FILE *f = popen(cmd, "r");
	assert_int_equal(fscanf(f, "%d", &n_before), 1);
	pclose(f);
	a = pmem_map_file(dir, 5000, PMEM_FILE_CREATE | PMEM_FILE_TMPFILE, 0, &mapped, NULL);
	assert_non_null(a);
	assert_int_equal(mapped, 8192); /* whole pages */
	memset(a, 1, mapped);
	f = popen(cmd, "r");
	assert_int_equal(fscanf(f, "%d", &n_after), 1);
	pclose(f);
	assert_int_equal(n_before, n_after); /* unnamed */
	assert_int_equal(pmem_unmap(a, mapped), 0);

	a = pmem_map_file(path_of("mode0"), MiB, PMEM_FILE_CREATE, 0, &mapped, NULL);
	assert_non_null(a);
	assert_int_equal(stat(path_of("mode0"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0);
	assert_int_equal(pmem_unmap(a, mapped), 0);
}

/* Unmapping part of a mapping: that part is gone (reserved, no access), the
 * rest still works; the last part releases the file. */
static void test_partial_unmap(void **state)
{
	const char *p = path_of("partial");
	long page = sysconf(_SC_PAGESIZE);
	size_t mapped;
	char *a;

	(void)state;
	a = pmem_map_file(p, (size_t)(4 * page), PMEM_FILE_CREATE, 0600, &mapped, NULL);
	assert_non_null(a);
	assert_int_equal(pmem_unmap(a + page, (size_t)(2 * page)), 0);
	assert_true(maps_has((uintptr_t)a + (uintptr_t)page, "---p", NULL));
	assert_true(maps_has((uintptr_t)a, NULL, p));
	pmem_memcpy_persist(a, "first", 6);
	pmem_memcpy_persist(a + 3 * page, "last", 5);
	assert_int_equal(pmem_unmap(a, (size_t)page), 0);
	assert_true(maps_has((uintptr_t)a + 3 * (uintptr_t)page, NULL, p));
	assert_int_equal(pmem_unmap(a + 3 * page, (size_t)page), 0);
	assert_false(maps_has(0, NULL, p));
	assert_false(maps_has((uintptr_t)a + (uintptr_t)page, NULL, NULL)); /* reservation gone */

	/* munmap's rules, and plain mappings are unmapped too. */
	errno = 0;
	assert_int_equal(pmem_unmap(a + 1, (size_t)page), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(pmem_unmap(a, 0), -1);
	char *anon = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	assert_int_equal(pmem_unmap(anon, (size_t)page), 0);
	assert_false(maps_has((uintptr_t)anon, NULL, NULL));
}

/* Every flag combination copies, moves and fills correctly, inside a
 * mapping and in plain memory, at odd offsets and lengths. */
static void check_ops(char *dst, size_t room)
{
	static char src[8192], want[8192];
	size_t lens[] = { 1, 7, 63, 64, 65, 255, 256, 4095, 4096 + 33 };

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (char)(i * 7 + 3);
	for (unsigned flags = 0; flags <= PMEM_F_MEM_VALID_FLAGS; flags++) {
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			size_t len = lens[l], off = (flags * 13 + l) % 64;

			assert_true(off + len + 64 <= room);
			assert_ptr_equal(pmem_memcpy(dst + off, src, len, flags), dst + off);
			assert_memory_equal(dst + off, src, len);
			pmem_memset(dst + off, (int)flags, len, flags);
			memset(want, (int)flags, len);
			assert_memory_equal(dst + off, want, len);
			/* overlapping, both directions */
			memcpy(dst, src, len + 64);
			pmem_memmove(dst + 17, dst, len, flags);
			assert_memory_equal(dst + 17, src, len);
			memcpy(dst, src, len + 64);
			pmem_memmove(dst, dst + 17, len, flags);
			assert_memory_equal(dst, src + 17, len);
		}
	}
	pmem_drain();
	pmem_memcpy_nodrain(dst, src, 100);
	pmem_memset_nodrain(dst + 100, 9, 100);
	pmem_memmove_nodrain(dst + 200, dst, 100);
	pmem_memset_persist(dst + 300, 8, 100);
	pmem_memmove_persist(dst + 400, dst, 100);
	assert_memory_equal(dst + 200, src, 100);
}

static void test_ops(void **state)
{
	size_t mapped, room = 64 * 1024;
	char *heap = malloc(room), *a;

	(void)state;
	check_ops(heap, room);
	a = pmem_map_file(path_of("ops"), room, PMEM_FILE_CREATE, 0600, &mapped, NULL);
	assert_non_null(a);
	check_ops(a, room);
	assert_int_equal(pmem_unmap(a, mapped), 0);
	free(heap);
}

/* Input libpmem accepts must not crash: NULL, zero lengths, unaligned
 * ranges, addresses in no mapping. */
static void test_odd_input(void **state)
{
	char *heap = malloc(1000);

	(void)state;
	assert_int_equal(pmem_is_pmem(NULL, 100), 0);
	assert_int_equal(pmem_is_pmem(heap, 0), 0);
	assert_int_equal(pmem_is_pmem(heap + 3, 997), 0);
	pmem_flush(NULL, 0);
	pmem_flush(NULL, 64);
	pmem_flush(heap + 1, 0);
	pmem_flush(heap + 1, 999);
	pmem_persist(heap + 5, 3);
	pmem_persist(NULL, 0);
	pmem_deep_flush(heap + 9, 500);
	assert_int_equal(pmem_deep_drain(heap, 0), 0);
	assert_int_equal(pmem_deep_persist(heap + 1, 999), 0);
	assert_int_equal(pmem_msync(heap + 3, 10), 0);
	assert_int_equal(pmem_msync(NULL, 0), 0);
	assert_ptr_equal(pmem_memcpy_persist(NULL, heap, 0), NULL);
	assert_ptr_equal(pmem_memcpy(heap, NULL, 0, 0), heap);
	assert_ptr_equal(pmem_memset_persist(heap, 0, 0), heap);
	assert_ptr_equal(pmem_memmove(heap, heap, 1000, 0xffff), heap); /* unknown flags */
	assert_int_equal(pmem_has_auto_flush() >= 0, 1);
	free(heap);
}

static void *other_thread(void *arg)
{
	(void)arg;
	return (void *)(uintptr_t)(pmem_errormsg()[0] != '\0');
}

static void test_errormsg_per_thread(void **state)
{
	pthread_t t;
	void *other_has_msg;

	(void)state;
	assert_null(pmem_map_file(NULL, 0, 0, 0, NULL, NULL));
	assert_true(pmem_errormsg()[0] != '\0');
	pthread_create(&t, NULL, other_thread, NULL);
	pthread_join(t, &other_has_msg);
	assert_null(other_has_msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_create_reopen),
		cmocka_unit_test(test_bad_map),
		cmocka_unit_test(test_sparse_tmpfile_mode0),
		cmocka_unit_test(test_partial_unmap),
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_odd_input),
		cmocka_unit_test(test_errormsg_per_thread),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
