/* Device-dax and pmem block device sysfs decisions against real 6.1 dumps (NVDIMM, CXL) and hand-made trees, plus the device-dax open path over /dev/zero. */
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>
#include <daxdev.h>
#include "fixture.h"
#include "providers/nvdimm_sysfs.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static void lookup_dax(const char *tree, unsigned maj, unsigned min, struct nvdimm_devdax *dax)
{
	use_tree(tree);
	if (nvdimm_devdax_lookup("/dev/daxX.Y", makedev(maj, min), dax))
		fail_msg("lookup %u:%u in %s: %s", maj, min, tree, daxdev_errormsg());
}

static void check_dax(const char *tree, unsigned maj, unsigned min, enum daxdev_persistence p,
		      bool write_cache, const char *reason)
{
	struct nvdimm_devdax dax;

	lookup_dax(tree, maj, min, &dax);
	assert_int_equal(dax.persist.persistence, p);
	assert_int_equal(dax.persist.write_cache, write_cache);
	assert_contains(dax.persist.reason, reason);
	nvdimm_devdax_clear(&dax);
}

/* Rows of the table in docs/persistence.md, device-dax column. */
static void test_devdax_default_region(void **state)
{
	struct nvdimm_devdax dax;

	(void)state;
	lookup_dax("sysfs-6.1/default", 252, 0, &dax);
	assert_string_equal(dax.name, "dax0.0");
	assert_int_equal(dax.size, 262144000);
	assert_int_equal(dax.align, 2 * MiB);
	assert_string_equal(dax.align_source, "dax0.0/align");
	assert_string_equal(dax.persist.region, "region0");
	assert_int_equal(dax.persist.persistence, DAXDEV_PERSISTENCE_PERSISTENT);
	assert_true(dax.persist.write_cache);
	assert_contains(dax.persist.reason, "region0: no persistence_domain");
	assert_int_equal(dax.bad.count, 0);
	assert_false(dax.bad.unlocated);
	nvdimm_devdax_clear(&dax);
}

static void test_devdax_cpu_cache(void **state)
{
	(void)state;
	check_dax("sysfs-6.1/cpu-cache", 252, 0, DAXDEV_PERSISTENCE_PERSISTENT, false,
		  "region0/persistence_domain=cpu_cache");
}

static void test_devdax_memory_controller(void **state)
{
	(void)state;
	check_dax("sysfs-6.1/mem-ctrl", 252, 0, DAXDEV_PERSISTENCE_PERSISTENT, true,
		  "region0/persistence_domain=memory_controller");
}

static void test_devdax_volatile_region(void **state)
{
	(void)state;
	check_dax("sysfs-made/volatile-region", 252, 4, DAXDEV_PERSISTENCE_VOLATILE, false,
		  "region4 is nd_volatile");
}

static void test_devdax_hmem_no_region(void **state)
{
	struct nvdimm_devdax dax;

	(void)state;
	lookup_dax("sysfs-made/hmem", 252, 1, &dax);
	assert_string_equal(dax.name, "dax1.0");
	assert_int_equal(dax.size, GiB);
	assert_int_equal(dax.persist.persistence, DAXDEV_PERSISTENCE_VOLATILE);
	assert_false(dax.persist.write_cache);
	assert_false(dax.persist.has_region);
	assert_contains(dax.persist.reason, "dax1.0: no nvdimm region above it");
	nvdimm_devdax_clear(&dax);
}

/* CXL type-3 persistent memory (real 6.1 dump): the kernel marks every CXL
 * pmem region memory_controller, so the CPU cache must be flushed. */
static void test_devdax_cxl_pmem(void **state)
{
	struct nvdimm_devdax dax;

	(void)state;
	lookup_dax("sysfs-6.1/cxl", 252, 0, &dax);
	assert_string_equal(dax.name, "dax0.0");
	assert_int_equal(dax.size, 65011712);
	assert_int_equal(dax.align, 2 * MiB);
	assert_true(dax.persist.has_region);
	assert_string_equal(dax.persist.region, "region0");
	assert_contains(dax.persist.region_dir, "/ACPI0017:00/root0/nvdimm-bridge0/ndbus0/region0");
	assert_int_equal(dax.persist.persistence, DAXDEV_PERSISTENCE_PERSISTENT);
	assert_true(dax.persist.write_cache);
	assert_contains(dax.persist.reason, "region0/persistence_domain=memory_controller");
	assert_int_equal(dax.bad.count, 0);
	nvdimm_devdax_clear(&dax);
}

/* CXL RAM (hand-made, 6.3+ shape): cxl region -> dax_region -> device-dax,
 * no nvdimm region anywhere: volatile, nothing to write back. */
static void test_devdax_cxl_ram(void **state)
{
	struct nvdimm_devdax dax;

	(void)state;
	lookup_dax("sysfs-made/cxl-ram", 252, 0, &dax);
	assert_string_equal(dax.name, "dax0.0");
	assert_int_equal(dax.size, 256 * MiB);
	assert_false(dax.persist.has_region);
	assert_int_equal(dax.persist.persistence, DAXDEV_PERSISTENCE_VOLATILE);
	assert_false(dax.persist.write_cache);
	assert_contains(dax.persist.reason, "dax0.0: no nvdimm region above it");
	nvdimm_devdax_clear(&dax);
}

/* Kernels before 5.10: no per-device align, the dax_region's applies. */
static void test_devdax_align_from_dax_region(void **state)
{
	struct nvdimm_devdax dax;

	(void)state;
	lookup_dax("sysfs-made/zero-old-kernel", 1, 5, &dax);
	assert_int_equal(dax.align, 2 * MiB);
	assert_contains(dax.align_source, "dax_region/align");
	nvdimm_devdax_clear(&dax);
}

/* Two devices, two answers: the decision follows each device's region. */
static void test_devdax_per_device(void **state)
{
	(void)state;
	check_dax("sysfs-made/volatile-region", 252, 4, DAXDEV_PERSISTENCE_VOLATILE, false,
		  "nd_volatile");
	check_dax("sysfs-6.1/cpu-cache", 252, 0, DAXDEV_PERSISTENCE_PERSISTENT, false,
		  "cpu_cache");
	check_dax("sysfs-6.1/default", 252, 0, DAXDEV_PERSISTENCE_PERSISTENT, true,
		  "no persistence_domain");
}

static void test_devdax_not_in_sysfs(void **state)
{
	struct nvdimm_devdax dax;

	(void)state;
	use_tree("sysfs-6.1/default");
	assert_int_equal(nvdimm_devdax_lookup("/dev/x", makedev(252, 9), &dax), -ENODEV);
	assert_contains(daxdev_errormsg(), "char device 252:9 with no entry");
}

/* The host's own sysfs: /dev/null is in class mem. */
static void test_devdax_dev_null_real_sysfs(void **state)
{
	struct daxdev *dev = NULL;

	(void)state;
	assert_int_equal(daxdev_open("/dev/null", NULL, &dev), -ENODEV);
	assert_string_equal(daxdev_errormsg(),
			    "/dev/null is char device 1:3 (mem), not a device-dax");
	assert_null(dev);
}

/* pmem block devices: dax/write_cache plus the region. */
static void check_blk(const char *tree, unsigned maj, unsigned min, const char *name,
		      enum daxdev_persistence p, int write_cache_value, bool write_cache,
		      const char *reason)
{
	struct nvdimm_blockdev blk;

	use_tree(tree);
	nvdimm_blockdev_lookup(makedev(maj, min), &blk);
	assert_true(blk.found);
	assert_string_equal(blk.name, name);
	assert_int_equal(blk.write_cache_value, write_cache_value);
	assert_int_equal(blk.persist.persistence, p);
	assert_int_equal(blk.persist.write_cache, write_cache);
	assert_contains(blk.persist.reason, reason);
	assert_contains(blk.write_cache_path, "/dax/write_cache");
}

static void test_blockdev_default(void **state)
{
	(void)state;
	check_blk("sysfs-6.1/default", 259, 0, "pmem1", DAXDEV_PERSISTENCE_PERSISTENT, 1, true,
		  "pmem1/dax/write_cache=1; region1: no persistence_domain");
	check_blk("sysfs-6.1/default", 259, 1, "pmem2", DAXDEV_PERSISTENCE_PERSISTENT, 1, true,
		  "pmem2/dax/write_cache=1; region2");
	check_blk("sysfs-6.1/default", 259, 2, "pmem3", DAXDEV_PERSISTENCE_PERSISTENT, 1, true,
		  "pmem3/dax/write_cache=1; region3");
}

static void test_blockdev_cpu_cache(void **state)
{
	(void)state;
	check_blk("sysfs-6.1/cpu-cache", 259, 0, "pmem1", DAXDEV_PERSISTENCE_PERSISTENT, 0, false,
		  "pmem1/dax/write_cache=0; region1/persistence_domain=cpu_cache");
	/* virtio-pmem and e820 regions have no persistence domain: on */
	check_blk("sysfs-6.1/cpu-cache", 259, 1, "pmem2", DAXDEV_PERSISTENCE_PERSISTENT, 1, true,
		  "write_cache=1");
	check_blk("sysfs-6.1/cpu-cache", 259, 2, "pmem3", DAXDEV_PERSISTENCE_PERSISTENT, 1, true,
		  "write_cache=1");
}

static void test_blockdev_mem_ctrl(void **state)
{
	(void)state;
	check_blk("sysfs-6.1/mem-ctrl", 259, 0, "pmem1", DAXDEV_PERSISTENCE_PERSISTENT, 1, true,
		  "=1; region1/persistence_domain=memory_controller");
	check_blk("sysfs-6.1/mem-ctrl", 259, 1, "pmem2", DAXDEV_PERSISTENCE_PERSISTENT, 1, true,
		  "write_cache=1");
}

/* fsdax on CXL pmem: the disk says write_cache 1, the region memory_controller. */
static void test_blockdev_cxl_pmem(void **state)
{
	(void)state;
	check_blk("sysfs-6.1/cxl", 259, 0, "pmem0.1", DAXDEV_PERSISTENCE_PERSISTENT, 1, true,
		  "pmem0.1/dax/write_cache=1; region0/persistence_domain=memory_controller");
}

/* A partition reads the dax attributes of its disk. */
static void test_blockdev_partition(void **state)
{
	struct nvdimm_blockdev blk;

	(void)state;
	check_blk("sysfs-made/partition", 259, 3, "pmem1", DAXDEV_PERSISTENCE_PERSISTENT, 0, false,
		  "pmem1/dax/write_cache=0");
	nvdimm_blockdev_lookup(makedev(259, 3), &blk);
	assert_string_equal(blk.partition, "pmem1p1");
}

static void test_blockdev_volatile_region(void **state)
{
	(void)state;
	check_blk("sysfs-made/volatile-region", 259, 4, "pmem4", DAXDEV_PERSISTENCE_VOLATILE, 1,
		  false, "region4 is nd_volatile");
}

/* A disk with no sysfs entry, and one with no dax attributes: unknown, and
 * flushing stays on because that is the safe side. */
static void test_blockdev_missing(void **state)
{
	char dir[] = "/tmp/daxdev-sysfs-XXXXXX", path[PATH_MAX];
	struct nvdimm_blockdev blk;

	(void)state;
	use_tree("sysfs-6.1/default");
	nvdimm_blockdev_lookup(makedev(8, 99), &blk);
	assert_false(blk.found);
	assert_int_equal(blk.persist.persistence, DAXDEV_PERSISTENCE_UNKNOWN);
	assert_true(blk.persist.write_cache);
	assert_int_equal(blk.write_cache_value, -1);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sys", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sys/dev", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sys/dev/block", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sys/dev/block/7:0", dir);
	assert_int_equal(symlink("../../loop0", path), 0);
	snprintf(path, sizeof(path), "%s/sys/loop0", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	setenv("DAXDEV_SYSFS_ROOT", dir, 1);
	nvdimm_blockdev_lookup(makedev(7, 0), &blk);
	assert_true(blk.found);
	assert_string_equal(blk.name, "loop0");
	assert_string_equal(blk.write_cache_path, "");
	assert_int_equal(blk.persist.persistence, DAXDEV_PERSISTENCE_UNKNOWN);
	assert_true(blk.persist.write_cache);
	assert_contains(blk.persist.reason, "loop0: no readable dax/write_cache");
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys/dev/block/7:0", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sys/dev/block", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys/dev", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys", dir);
	rmdir(path);
	rmdir(dir);
}

static void test_parse_badblocks(void **state)
{
	struct nvdimm_bad_range *r = NULL;

	(void)state;
	assert_int_equal(nvdimm_parse_badblocks("", &r), 0);
	free(r);
	assert_int_equal(nvdimm_parse_badblocks("0 8\n20488 8\n", &r), 2);
	assert_int_equal(r[0].offset, 0);
	assert_int_equal(r[0].length, 4096);
	assert_int_equal(r[1].offset, 20488 * 512);
	assert_int_equal(r[1].length, 4096);
	free(r);
	assert_int_equal(nvdimm_parse_badblocks("12 x\n", &r), -EINVAL);
	assert_int_equal(nvdimm_parse_badblocks("18446744073709551615 1\n", &r), -EINVAL);
}

/* Region-relative sectors become device offsets through the physical
 * addresses: region0 at 4 GiB, dax0.0 data from 4 GiB + 6 MiB. */
static void test_badblocks_located(void **state)
{
	struct nvdimm_devdax dax;

	(void)state;
	lookup_dax("sysfs-made/badblocks", 252, 0, &dax);
	assert_int_equal(dax.bad.region_count, 3);
	assert_false(dax.bad.unlocated);
	assert_int_equal(dax.bad.count, 2);
	assert_int_equal(dax.bad.ranges[0].offset, 4 * MiB + 4096);
	assert_int_equal(dax.bad.ranges[0].length, 4096);
	assert_int_equal(dax.bad.ranges[1].offset, 262144000 - 8192);
	assert_int_equal(dax.bad.ranges[1].length, 8192);
	assert_non_null(nvdimm_badblocks_first(&dax.bad, 4 * MiB, 2 * MiB));
	assert_null(nvdimm_badblocks_first(&dax.bad, 0, 4 * MiB + 4096));
	assert_contains(dax.bad.source, "region0/badblocks: 3 ranges, 2 in dax0.0");
	nvdimm_devdax_clear(&dax);
}

static void test_badblocks_unlocated(void **state)
{
	struct nvdimm_devdax dax;

	(void)state;
	lookup_dax("sysfs-made/badblocks-nonroot", 252, 0, &dax);
	assert_true(dax.bad.unlocated);
	assert_int_equal(dax.bad.count, 0);
	assert_contains(dax.bad.source, "not located");
	nvdimm_devdax_clear(&dax);
}

/* Does this kernel grant MAP_SYNC on /dev/zero at a fixed address, as the
 * provider asks?  Linux refuses (EOPNOTSUPP); QEMU 7.2 user mode (the arm64
 * build's tests) drops the flag and maps anyway, so the provider's answer
 * is checked against the same call made here. */
static bool map_sync_granted_on_zero(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int fd = open("/dev/zero", O_RDWR);
	void *reserve, *addr;

	assert_true(fd >= 0);
	reserve = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(reserve != MAP_FAILED);
	addr = mmap(reserve, page, PROT_READ | PROT_WRITE,
		    0x03 /* MAP_SHARED_VALIDATE */ | 0x80000 /* MAP_SYNC */ | MAP_FIXED, fd, 0);
	munmap(reserve, page);
	close(fd);
	return addr != MAP_FAILED;
}

/* The whole open path over /dev/zero posing as dax0.0 (test-only tree),
 * with a write-cache option.  These trees say write cache on, which the
 * portable build refuses (tests/test_write_cache_refusal.c): there the
 * tests, which are about mapping and bad blocks, declare the cache flushed
 * by the platform unless they ask for a setting. */
static struct daxdev *open_zero_with(const char *tree, int write_cache)
{
	DAXDEV_OPEN_OPTS(opts, .write_cache = write_cache);
	struct daxdev *dev = NULL;

#ifdef DAXDEV_TEST_NO_CPU_FLUSH
	if (write_cache == DAXDEV_WRITE_CACHE_AUTO)
		opts.write_cache = DAXDEV_WRITE_CACHE_OFF;
#endif
	use_tree(tree);
	if (daxdev_open("/dev/zero", &opts, &dev))
		fail_msg("open /dev/zero over %s: %s", tree, daxdev_errormsg());
	return dev;
}

static struct daxdev *open_zero(const char *tree)
{
	return open_zero_with(tree, DAXDEV_WRITE_CACHE_AUTO);
}

static void test_open_direct_access_badblocks(void **state)
{
	struct daxdev *dev = open_zero("sysfs-made/badblocks");
	struct daxdev_info info = DAXDEV_INFO_INIT;
	void *addr, *first;

	(void)state;
	assert_int_equal(daxdev_direct_access(dev, 0, 125, &first), 2);
	assert_int_equal((uintptr_t)first % (2 * MiB), 0);
	assert_int_equal(daxdev_direct_access(dev, 2, 1, &addr), -EIO);
	assert_contains(daxdev_errormsg(), "page 2 overlaps bad range");
	assert_int_equal(daxdev_direct_access(dev, 3, 200, &addr), 121);
	assert_ptr_equal(addr, (char *)first + 3 * 2 * MiB);
	assert_int_equal(daxdev_direct_access(dev, 124, 1, &addr), -EIO);
	assert_int_equal(daxdev_direct_access(dev, 125, 1, &addr), -ERANGE);
	/* offset I/O goes through the same check: the bad page refuses, its
	 * neighbours work */
	char buf[64] = "x";
	assert_int_equal(daxdev_write(dev, 2 * 2 * MiB + 100, buf, 1), -EIO);
	assert_int_equal(daxdev_read(dev, 2 * 2 * MiB - 64, buf, 128), -EIO);
	assert_int_equal(daxdev_zero(dev, 2 * 2 * MiB, 1), -EIO);
	assert_int_equal(daxdev_write(dev, 2 * 2 * MiB - 64, buf, 64), 0);
	assert_int_equal(daxdev_read(dev, 3 * 2 * MiB, buf, 64), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_string_equal(info.provider, "devdax");
	assert_string_equal(info.host, "dax0.0");
	assert_int_equal(info.size, 262144000);
	assert_int_equal(info.align, 2 * MiB);
	char details[4096];
	assert_true(daxdev_get_details(dev, details, sizeof(details)) > 0);
	assert_contains(details, map_sync_granted_on_zero() ?
			"mapping: MAP_SHARED_VALIDATE|MAP_SYNC\n" :
			"mapping: MAP_SHARED (MAP_SYNC refused");
	assert_contains(details, "bad range: offset 4198400 length 4096\n");
	assert_contains(details, "bad range: offset 262135808 length 8192\n");
	daxdev_put(dev);
}

static void test_open_aligned_1g(void **state)
{
	struct daxdev *dev = open_zero("sysfs-made/zero-1g");
	char buf[8] = "", *addr;

	(void)state;
	assert_int_equal(daxdev_align(dev), GiB);
	assert_int_equal(daxdev_size(dev), 2 * GiB);
	assert_int_equal(daxdev_direct_access(dev, 1, 1, (void **)&addr), 1);
	assert_int_equal((uintptr_t)addr % GiB, 0);
	assert_int_equal(daxdev_write(dev, 2 * GiB - 8, "1G-tail", 8), 0);
	assert_int_equal(daxdev_read(dev, 2 * GiB - 8, buf, 8), 0);
	assert_string_equal(buf, "1G-tail");
	assert_string_equal(addr + GiB - 8, "1G-tail");
	daxdev_put(dev);
}

/* The whole open path on the CXL dump (/dev/zero posing as its dax0.0):
 * the decision, and where the memory is (NUMA node, target node, region,
 * bus) as the kernel shows it. */
static void test_open_cxl_pmem(void **state)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	char details[4096];
	struct daxdev *dev;

	(void)state;
#ifdef DAXDEV_TEST_NO_CPU_FLUSH
	use_tree("sysfs-made/cxl-zero");
	assert_int_equal(daxdev_open("/dev/zero", NULL, &dev), -EOPNOTSUPP);
	return;
#endif
	dev = open_zero_with("sysfs-made/cxl-zero", DAXDEV_WRITE_CACHE_AUTO);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_string_equal(info.provider, "devdax");
	assert_string_equal(info.host, "dax0.0");
	assert_int_equal(info.size, 65011712);
	assert_int_equal(info.align, 2 * MiB);
	assert_int_equal(info.persistence, DAXDEV_PERSISTENCE_PERSISTENT);
	assert_contains(info.persistence_reason, "region0/persistence_domain=memory_controller");
	assert_true(info.write_cache);
	assert_false(info.write_cache_overridden);
	assert_int_equal(daxdev_write_cache(dev), 1);
	assert_int_equal(info.numa_node, 0);
	assert_int_equal(info.target_node, 1);
	assert_string_equal(info.region, "region0");
	assert_string_equal(info.bus, "CXL");
	assert_true(daxdev_get_details(dev, details, sizeof(details)) > 0);
	assert_contains(details, "nvdimm-bridge0/ndbus0/region0/dax0.0/dax0.0");
	assert_int_equal(daxdev_write(dev, 64 * 1024 - 3, "cxl", 3), 0);
	daxdev_put(dev);
}

/* The user's override wins; the persistence reason still says what sysfs said. */
static void test_open_reports_sysfs_under_override(void **state)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev;

	(void)state;
	dev = open_zero_with("sysfs-made/badblocks", DAXDEV_WRITE_CACHE_OFF);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_false(info.write_cache);
	assert_true(info.write_cache_overridden);
	assert_contains(info.persistence_reason, "region0: no persistence_domain");
	daxdev_put(dev);
#ifdef DAXDEV_TEST_NO_CPU_FLUSH
	assert_int_equal(daxdev_open("/dev/zero", NULL, &dev), -EOPNOTSUPP);
#else
	dev = open_zero_with("sysfs-made/badblocks", DAXDEV_WRITE_CACHE_AUTO);
	assert_int_equal(daxdev_write_cache(dev), 1);
	daxdev_put(dev);
#endif
}

/* The default dump has no /dev/zero entry: the error names the root used. */
static void test_open_zero_not_in_tree(void **state)
{
	struct daxdev *dev = NULL;

	(void)state;
	const char *root = use_tree("sysfs-6.1/default");
	assert_int_equal(daxdev_open("/dev/zero", NULL, &dev), -ENODEV);
	assert_contains(daxdev_errormsg(), "/dev/zero is char device 1:5 with no entry in");
	assert_contains(daxdev_errormsg(), root);
}

static void test_open_too_small_for_request(void **state)
{
	struct daxdev *dev = NULL;

	(void)state;
	use_tree("sysfs-made/badblocks");
	DAXDEV_OPEN_OPTS(opts, .size = 300 * MiB);
	assert_int_equal(daxdev_open("/dev/zero", &opts, &dev), -ENOSPC);
	assert_contains(daxdev_errormsg(), "dax0.0 has 262144000 bytes, less than the 314572800");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_devdax_default_region, reset_env),
		cmocka_unit_test_teardown(test_devdax_cpu_cache, reset_env),
		cmocka_unit_test_teardown(test_devdax_memory_controller, reset_env),
		cmocka_unit_test_teardown(test_devdax_volatile_region, reset_env),
		cmocka_unit_test_teardown(test_devdax_hmem_no_region, reset_env),
		cmocka_unit_test_teardown(test_devdax_cxl_pmem, reset_env),
		cmocka_unit_test_teardown(test_devdax_cxl_ram, reset_env),
		cmocka_unit_test_teardown(test_devdax_align_from_dax_region, reset_env),
		cmocka_unit_test_teardown(test_devdax_per_device, reset_env),
		cmocka_unit_test_teardown(test_devdax_not_in_sysfs, reset_env),
		cmocka_unit_test_teardown(test_devdax_dev_null_real_sysfs, reset_env),
		cmocka_unit_test_teardown(test_blockdev_default, reset_env),
		cmocka_unit_test_teardown(test_blockdev_cpu_cache, reset_env),
		cmocka_unit_test_teardown(test_blockdev_mem_ctrl, reset_env),
		cmocka_unit_test_teardown(test_blockdev_cxl_pmem, reset_env),
		cmocka_unit_test_teardown(test_blockdev_partition, reset_env),
		cmocka_unit_test_teardown(test_blockdev_volatile_region, reset_env),
		cmocka_unit_test_teardown(test_blockdev_missing, reset_env),
		cmocka_unit_test_teardown(test_parse_badblocks, reset_env),
		cmocka_unit_test_teardown(test_badblocks_located, reset_env),
		cmocka_unit_test_teardown(test_badblocks_unlocated, reset_env),
		cmocka_unit_test_teardown(test_open_direct_access_badblocks, reset_env),
		cmocka_unit_test_teardown(test_open_aligned_1g, reset_env),
		cmocka_unit_test_teardown(test_open_cxl_pmem, reset_env),
		cmocka_unit_test_teardown(test_open_reports_sysfs_under_override, reset_env),
		cmocka_unit_test_teardown(test_open_zero_not_in_tree, reset_env),
		cmocka_unit_test_teardown(test_open_too_small_for_request, reset_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
