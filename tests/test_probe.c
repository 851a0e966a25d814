/* daxdev_probe / daxdev_probe_dev: the same decision as daxdev_open on fixture trees and real files, with nothing mapped. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>
#include <daxdev.h>
#include "fixture.h"

#define MiB (UINT64_C(1) << 20)

/* The portable build cannot write the CPU cache back: where a device needs
 * that (write cache on, CPU flush), probe and open are refused alike. */
#ifdef DAXDEV_TEST_NO_CPU_FLUSH
static const bool no_cpu_write_back = true;
#else
static const bool no_cpu_write_back = false;
#endif

static void assert_refused_here(int rc)
{
	assert_int_equal(rc, -EOPNOTSUPP);
	assert_contains(daxdev_errormsg(), "this build has no way to write it back");
}

static struct daxdev *probe_dev(mode_t type, unsigned maj, unsigned min,
				const struct daxdev_open_opts *opts)
{
	struct daxdev *dev = NULL;

	if (daxdev_probe_dev(type, makedev(maj, min), opts, &dev))
		fail_msg("probe %u:%u: %s", maj, min, daxdev_errormsg());
	return dev;
}

static void get_info(struct daxdev *dev, struct daxdev_info *info)
{
	*info = (struct daxdev_info)DAXDEV_INFO_INIT;
	assert_int_equal(daxdev_get_info(dev, info), 0);
}

/* Every decided field of the info, probe against open. */
static void assert_same_decision(struct daxdev *probed, struct daxdev *opened)
{
	struct daxdev_info p, o;

	get_info(probed, &p);
	get_info(opened, &o);
	assert_string_equal(p.provider, o.provider);
	assert_string_equal(p.host, o.host);
	assert_int_equal(p.size, o.size);
	assert_int_equal(p.align, o.align);
	assert_int_equal(p.persistence, o.persistence);
	assert_int_equal(p.write_cache, o.write_cache);
	assert_int_equal(p.write_cache_overridden, o.write_cache_overridden);
	assert_string_equal(p.persistence_reason, o.persistence_reason);
	assert_string_equal(p.write_cache_reason, o.write_cache_reason);
	assert_string_equal(p.copy_impl, o.copy_impl);
	assert_string_equal(p.flush_impl, o.flush_impl);
	assert_string_equal(p.drain_impl, o.drain_impl);
	assert_int_equal(p.numa_node, o.numa_node);
	assert_int_equal(p.target_node, o.target_node);
	assert_string_equal(p.region, o.region);
	assert_string_equal(p.bus, o.bus);
}

/* /dev/zero posing as dax0.0: probe by path and by number, then open. */
static void check_zero_tree(const char *tree, const struct daxdev_open_opts *opts)
{
	struct daxdev *by_path = NULL, *by_num, *opened = NULL;
	struct stat st;

	use_tree(tree);
	assert_int_equal(stat("/dev/zero", &st), 0);
	if (no_cpu_write_back && !(opts && opts->write_cache == DAXDEV_WRITE_CACHE_OFF)) {
		assert_refused_here(daxdev_probe("/dev/zero", opts, &by_path));
		assert_refused_here(daxdev_probe_dev(S_IFCHR, st.st_rdev, opts, &by_num));
		assert_refused_here(daxdev_open("/dev/zero", opts, &opened));
		return;
	}
	assert_int_equal(daxdev_probe("/dev/zero", opts, &by_path), 0);
	by_num = probe_dev(S_IFCHR, major(st.st_rdev), minor(st.st_rdev), opts);
	assert_int_equal(daxdev_open("/dev/zero", opts, &opened), 0);
	assert_same_decision(by_path, opened);
	assert_same_decision(by_num, opened);
	daxdev_put(by_path);
	daxdev_put(by_num);
	daxdev_put(opened);
}

static void test_devdax_probe_is_open(void **state)
{
	(void)state;
	check_zero_tree("sysfs-made/badblocks", NULL);
	check_zero_tree("sysfs-made/zero-1g", NULL);
	check_zero_tree("sysfs-made/zero-old-kernel", NULL);
	DAXDEV_OPEN_OPTS(off, .write_cache = DAXDEV_WRITE_CACHE_OFF);
	check_zero_tree("sysfs-made/badblocks", &off);
}

/* The sysfs rows of docs/persistence.md, device-dax column, by number only. */
static void check_dax(const char *tree, unsigned min, enum daxdev_persistence p, bool wc,
		      const char *reason, const char *bus)
{
	struct daxdev_info info;
	struct daxdev *dev;

	use_tree(tree);
	if (no_cpu_write_back && wc) {
		assert_refused_here(daxdev_probe_dev(S_IFCHR, makedev(252, min), NULL, &dev));
		return;
	}
	dev = probe_dev(S_IFCHR, 252, min, NULL);
	get_info(dev, &info);
	assert_string_equal(info.provider, "devdax");
	assert_int_equal(info.persistence, p);
	assert_int_equal(info.write_cache, wc);
	assert_contains(info.persistence_reason, reason);
	assert_string_equal(info.bus, bus);
	assert_string_equal(info.flush_impl, wc ? info.flush_impl : "none");
	daxdev_put(dev);
}

static void test_devdax_trees(void **state)
{
	(void)state;
	check_dax("sysfs-6.1/default", 0, DAXDEV_PERSISTENCE_PERSISTENT, true,
		  "region0: no persistence_domain", "ACPI.NFIT");
	check_dax("sysfs-6.1/cpu-cache", 0, DAXDEV_PERSISTENCE_PERSISTENT, false,
		  "region0/persistence_domain=cpu_cache", "ACPI.NFIT");
	check_dax("sysfs-6.1/mem-ctrl", 0, DAXDEV_PERSISTENCE_PERSISTENT, true,
		  "persistence_domain=memory_controller", "ACPI.NFIT");
	check_dax("sysfs-made/hmem", 1, DAXDEV_PERSISTENCE_VOLATILE, false,
		  "no nvdimm region above it", "");
	/* hand-made: its bus has no provider file */
	check_dax("sysfs-made/volatile-region", 4, DAXDEV_PERSISTENCE_VOLATILE, false,
		  "nd_volatile", "");
}

/* Nothing is mapped: every access is refused, the details say so. */
static void test_probe_maps_nothing(void **state)
{
	struct daxdev *dev;
	char buf[2048];
	void *addr;

	(void)state;
	use_tree("sysfs-6.1/cpu-cache");
	dev = probe_dev(S_IFCHR, 252, 0, NULL);
	assert_int_equal(daxdev_direct_access(dev, 0, 1, &addr), -EOPNOTSUPP);
	assert_contains(daxdev_errormsg(), "dax0.0: a probe maps nothing");
	assert_int_equal(daxdev_write(dev, 0, "x", 1), -EOPNOTSUPP);
	assert_int_equal(daxdev_read(dev, 0, buf, 1), -EOPNOTSUPP);
	assert_int_equal(daxdev_zero(dev, 0, 4096), -EOPNOTSUPP);
	assert_true(daxdev_get_details(dev, buf, sizeof(buf)) > 0);
	assert_contains(buf, "mapping: none (probe)");
	assert_null(daxdev_get_by_host("dax0.0"));
	daxdev_put(dev);
}

/* pmem block devices: what a file on a DAX filesystem from them gets. */
static void check_blk(const char *tree, unsigned min, const char *host, bool wc,
		      const char *reason, const char *flush)
{
	struct daxdev_info info;
	struct daxdev *dev;

	use_tree(tree);
	if (no_cpu_write_back && wc && !(flush && !strcmp(flush, "msync"))) {
		assert_refused_here(daxdev_probe_dev(S_IFBLK, makedev(259, min), NULL, &dev));
		return;
	}
	dev = probe_dev(S_IFBLK, 259, min, NULL);
	get_info(dev, &info);
	assert_string_equal(info.provider, "fsdax");
	assert_string_equal(info.host, host);
	assert_int_equal(info.persistence, DAXDEV_PERSISTENCE_PERSISTENT);
	assert_int_equal(info.write_cache, wc);
	assert_contains(info.persistence_reason, reason);
	if (flush)
		assert_string_equal(info.flush_impl, flush);
	daxdev_put(dev);
}

static void test_blockdev_trees(void **state)
{
	struct daxdev_info info;
	struct daxdev *dev;
	char buf[2048];

	(void)state;
	check_blk("sysfs-6.1/cpu-cache", 0, "pmem1", false,
		  "pmem1/dax/write_cache=0; region1/persistence_domain=cpu_cache", "none");
	check_blk("sysfs-6.1/default", 0, "pmem1", true, "pmem1/dax/write_cache=1", NULL);
	check_blk("sysfs-6.1/default", 2, "pmem3", true, "pmem3/dax/write_cache=1", NULL);
	/* virtio-pmem: asynchronous, so files get no MAP_SYNC and msync */
	check_blk("sysfs-6.1/cpu-cache", 1, "pmem2", true, "no MAP_SYNC: flush = msync", "msync");
	check_blk("sysfs-made/partition", 3, "pmem1p1", false, "pmem1/dax/write_cache=0", "none");
	/* Size, alignment, region and bus do not depend on the write cache:
	 * probed with it off, so that the portable build checks them too. */
	DAXDEV_OPEN_OPTS(off, .write_cache = DAXDEV_WRITE_CACHE_OFF);
	use_tree("sysfs-6.1/mem-ctrl");
	dev = probe_dev(S_IFBLK, 259, 0, &off);
	get_info(dev, &info);
	assert_int_equal(info.size, 512000 * 512);
	assert_int_equal(info.align, (uint64_t)sysconf(_SC_PAGESIZE));
	assert_string_equal(info.region, "region1");
	assert_string_equal(info.bus, "ACPI.NFIT");
	assert_true(daxdev_get_details(dev, buf, sizeof(buf)) > 0);
	assert_contains(buf, "probe: block device");
	daxdev_put(dev);
}

/* A real file here (no DAX on the build host): probe and open agree. */
static void check_file(const char *dir)
{
	char path[PATH_MAX];
	struct daxdev *probed = NULL, *opened = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/daxdev-probe-XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 2 * MiB), 0);
	close(fd);
	assert_int_equal(daxdev_probe(path, NULL, &probed), 0);
	assert_int_equal(daxdev_open(path, NULL, &opened), 0);
	assert_same_decision(probed, opened);
	assert_int_equal(daxdev_write(probed, 0, "x", 1), -EOPNOTSUPP);
	daxdev_put(probed);
	daxdev_put(opened);
	unlink(path);
}

static void test_file_probe_is_open(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	check_file(tmp ? tmp : "/tmp");
	if (!access("/dev/shm", W_OK))
		check_file("/dev/shm");
}

static void test_probe_bad_input(void **state)
{
	struct daxdev *dev = NULL;

	(void)state;
	assert_int_equal(daxdev_probe("anon:1M", NULL, &dev), -EOPNOTSUPP);
	assert_contains(daxdev_errormsg(), "the anon provider has nothing to look up");
	assert_int_equal(daxdev_probe("/", NULL, &dev), -EINVAL);
	assert_contains(daxdev_errormsg(), "daxdev_probe: / is a directory");
	assert_int_equal(daxdev_probe("/nonexistent/x", NULL, &dev), -ENOENT);
	assert_int_equal(daxdev_probe("/dev/null", NULL, &dev), -ENODEV);
	assert_contains(daxdev_errormsg(), "(mem), not a device-dax");
	DAXDEV_OPEN_OPTS(create, .flags = DAXDEV_OPEN_CREATE, .size = 4096);
	assert_int_equal(daxdev_probe("/tmp/x", &create, &dev), -EINVAL);
	assert_int_equal(daxdev_probe(NULL, NULL, &dev), -EINVAL);
	assert_int_equal(daxdev_probe_dev(S_IFREG, makedev(1, 1), NULL, &dev), -EINVAL);
	use_tree("sysfs-6.1/default");
	assert_int_equal(daxdev_probe_dev(S_IFCHR, makedev(252, 9), NULL, &dev), -ENODEV);
	assert_contains(daxdev_errormsg(), "char 252:9 is char device 252:9 with no entry");
	assert_int_equal(daxdev_probe_dev(S_IFBLK, makedev(8, 99), NULL, &dev), -ENODEV);
	assert_null(dev);
}

/* A block device without dax attributes carries no DAX filesystem. */
static void test_probe_block_without_dax(void **state)
{
	char dir[] = "/tmp/daxdev-probe-XXXXXX", path[PATH_MAX + 64];
	struct daxdev *dev = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "mkdir -p %s/sys/dev/block %s/sys/sda && echo 2048 >%s/sys/sda/size "
		 "&& ln -s ../../sda %s/sys/dev/block/8:0", dir, dir, dir, dir);
	assert_int_equal(system(path), 0);
	setenv("DAXDEV_SYSFS_ROOT", dir, 1);
	assert_int_equal(daxdev_probe_dev(S_IFBLK, makedev(8, 0), NULL, &dev), -ENODEV);
	assert_contains(daxdev_errormsg(), "sda has no dax attributes");
	snprintf(path, sizeof(path), "rm -r %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_devdax_probe_is_open, reset_env),
		cmocka_unit_test_teardown(test_devdax_trees, reset_env),
		cmocka_unit_test_teardown(test_probe_maps_nothing, reset_env),
		cmocka_unit_test_teardown(test_blockdev_trees, reset_env),
		cmocka_unit_test_teardown(test_file_probe_is_open, reset_env),
		cmocka_unit_test_teardown(test_probe_bad_input, reset_env),
		cmocka_unit_test_teardown(test_probe_block_without_dax, reset_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
