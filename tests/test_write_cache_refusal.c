/* Never silently non-durable: a build without a CPU write-back (-Darch=generic) refuses write-cache-on devices; what needs none still opens. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <cmocka.h>
#include <daxdev.h>
#include "fixture.h"

/* Built with -DDAXDEV_TEST_NO_CPU_FLUSH for -Darch=generic (tests/meson.build). */
#ifdef DAXDEV_TEST_NO_CPU_FLUSH
#define HAS_CPU_FLUSH false
#else
#define HAS_CPU_FLUSH true
#endif

#define REFUSAL "this build has no way to write it back"

/* Open /dev/zero posing as dax0.0 in tree with a write-cache option: 0 or
 * the error, and the device. */
static int open_zero_with(const char *tree, int write_cache, struct daxdev **dev)
{
	DAXDEV_OPEN_OPTS(opts, .write_cache = write_cache);

	*dev = NULL;
	use_tree(tree);
	return daxdev_open("/dev/zero", &opts, dev);
}

static int open_zero(const char *tree, struct daxdev **dev)
{
	return open_zero_with(tree, DAXDEV_WRITE_CACHE_AUTO, dev);
}

/* What opened must also work: a write that reads back. */
static void write_read_back(struct daxdev *dev)
{
	char back[32] = "";

	assert_int_equal(daxdev_write(dev, 4096, "durable or honest", 18), 0);
	assert_int_equal(daxdev_read(dev, 4096, back, 18), 0);
	assert_string_equal(back, "durable or honest");
}

/* The region has no persistence domain: the CPU cache must be written back.
 * The portable build cannot, so it refuses and says why. */
static void test_devdax_write_cache_on(void **state)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev;
	int rc;

	(void)state;
	rc = open_zero("sysfs-made/zero-old-kernel", &dev);
	if (!HAS_CPU_FLUSH) {
		assert_int_equal(rc, -EOPNOTSUPP);
		assert_null(dev);
		assert_non_null(strstr(daxdev_errormsg(), REFUSAL));
		return;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_true(info.write_cache);
	assert_string_not_equal(info.flush_impl, "none");
	write_read_back(dev);
	daxdev_put(dev);
}

/* persistence_domain=cpu_cache: the platform flushes, every build opens it. */
static void test_devdax_platform_flushes(void **state)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev;

	(void)state;
	assert_int_equal(open_zero("sysfs-made/zero-cpu-cache", &dev), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_false(info.write_cache);
	assert_int_equal(info.persistence, DAXDEV_PERSISTENCE_PERSISTENT);
	assert_string_equal(info.flush_impl, "none");
	assert_string_not_equal(info.drain_impl, "none");   /* still ordered */
	write_read_back(dev);
	/* ...but switching the cache on needs a write-back */
	assert_int_equal(daxdev_set_write_cache(dev, true), HAS_CPU_FLUSH ? 0 : -EOPNOTSUPP);
	if (!HAS_CPU_FLUSH) {
		assert_non_null(strstr(daxdev_errormsg(), "cannot switch the write cache on"));
		assert_int_equal(daxdev_write_cache(dev), 0);
	}
	write_read_back(dev);
	daxdev_put(dev);
}

/* An nd_volatile region: nothing to make durable, every build opens it. */
static void test_devdax_volatile(void **state)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev;

	(void)state;
	assert_int_equal(open_zero("sysfs-made/zero-volatile", &dev), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_false(info.write_cache);
	assert_int_equal(info.persistence, DAXDEV_PERSISTENCE_VOLATILE);
	write_read_back(dev);
	daxdev_put(dev);
}

/* The user's word on the write cache counts in both directions. */
static void test_override(void **state)
{
	struct daxdev *dev;

	DAXDEV_OPEN_OPTS(on, .write_cache = DAXDEV_WRITE_CACHE_ON);

	(void)state;
	assert_int_equal(open_zero_with("sysfs-made/zero-old-kernel", DAXDEV_WRITE_CACHE_OFF,
					&dev), 0);
	write_read_back(dev);
	daxdev_put(dev);
	assert_int_equal(open_zero_with("sysfs-made/zero-cpu-cache", DAXDEV_WRITE_CACHE_ON,
					&dev), HAS_CPU_FLUSH ? 0 : -EOPNOTSUPP);
	if (dev)
		daxdev_put(dev);
	dev = NULL;
	assert_int_equal(daxdev_open("anon:1M", &on, &dev), HAS_CPU_FLUSH ? 0 : -EOPNOTSUPP);
	if (dev)
		daxdev_put(dev);
}

/* Volatile memory and msync files make nothing depend on the CPU cache
 * instructions: they work in every build. */
static void test_anon_and_msync_file(void **state)
{
	char path[] = "daxdev-refusal-XXXXXX";
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct statfs sfs;
	struct daxdev *dev;
	int fd;

	(void)state;
	assert_int_equal(daxdev_open("anon:1M", NULL, &dev), 0);
	write_read_back(dev);
	daxdev_put(dev);

	/* In the build directory (meson's working directory): a disk, so no
	 * MAP_SYNC and msync as the provider's flush. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	assert_int_equal(fstatfs(fd, &sfs), 0);
	close(fd);
	assert_int_equal(daxdev_open(path, NULL, &dev), 0);
	unlink(path);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	if ((unsigned long)sfs.f_type == TMPFS_MAGIC_VALUE) {
		assert_int_equal(info.persistence, DAXDEV_PERSISTENCE_VOLATILE);
	} else {
		assert_true(info.write_cache);
		assert_string_equal(info.flush_impl, "msync");
	}
	write_read_back(dev);
	assert_int_equal(daxdev_flush_range(dev, 0, 1 << 20), 0);
	daxdev_put(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_devdax_write_cache_on, reset_env),
		cmocka_unit_test_teardown(test_devdax_platform_flushes, reset_env),
		cmocka_unit_test_teardown(test_devdax_volatile, reset_env),
		cmocka_unit_test_teardown(test_override, reset_env),
		cmocka_unit_test_teardown(test_anon_and_msync_file, reset_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
