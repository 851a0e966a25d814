/* Bad blocks as an API: device-dax fixture ranges, composites, a file's bad sectors via FIEMAP, clearing. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>
#include <daxdev.h>
#include "fixture.h"

#define MiB (UINT64_C(1) << 20)
#define DAX_SIZE UINT64_C(262144000)

static void use_root(const char *root)
{
	setenv("DAXDEV_SYSFS_ROOT", root, 1);
}

/* Every range, in order, as "offset+length error flags;" */
static const char *list_of(struct daxdev *dev)
{
	static char text[1024];
	struct daxdev_badblock bb = DAXDEV_BADBLOCK_INIT;
	uint64_t from = 0;
	size_t pos = 0;
	int rc;

	text[0] = '\0';
	while (!(rc = daxdev_badblock_next(dev, from, &bb))) {
		pos += (size_t)snprintf(text + pos, sizeof(text) - pos, "%llu+%llu %d %u;",
					(unsigned long long)bb.offset, (unsigned long long)bb.length,
					bb.error, bb.flags);
		assert_true(bb.offset + bb.length > from);
		from = bb.offset + bb.length;
	}
	assert_int_equal(rc, -ENODATA);
	return text;
}

/* /dev/zero posing as dax0.0 (region0 at 4 GiB, data from 4 GiB + 6 MiB):
 * region sectors 0+8 fall before the device, 20488+8 and 524272+16 in it. */
static struct daxdev *open_dax(const char *target)
{
	/* Write cache off: the portable build (no write-back instruction)
	 * refuses the fixture's write cache on; bad blocks do not care. */
	DAXDEV_OPEN_OPTS(opts, .write_cache = DAXDEV_WRITE_CACHE_OFF);
	struct daxdev *dev = NULL;

	use_tree("sysfs-made/badblocks");
	if (daxdev_open(target, &opts, &dev))
		fail_msg("open %s: %s", target, daxdev_errormsg());
	return dev;
}

static void test_devdax_list_and_clear(void **state)
{
	struct daxdev *dev = open_dax("/dev/zero");
	struct daxdev_badblock bb = DAXDEV_BADBLOCK_INIT;

	(void)state;
	assert_string_equal(list_of(dev), "4198400+4096 -5 1;262135808+8192 -5 1;");
	/* from inside a range: that range */
	assert_int_equal(daxdev_badblock_next(dev, 4198401, &bb), 0);
	assert_int_equal(bb.offset, 4198400);
	assert_int_equal(daxdev_badblock_clear(dev, 2 * MiB, 2 * MiB), 0 - EOPNOTSUPP);
	assert_contains(daxdev_errormsg(), "ndctl clear-errors");
	assert_contains(daxdev_errormsg(), "region0");
	/* the checks before the provider */
	assert_int_equal(daxdev_badblock_clear(dev, 4096, 4096), -EINVAL);
	assert_contains(daxdev_errormsg(), "whole pages of 2097152");
	assert_int_equal(daxdev_badblock_clear(dev, DAX_SIZE, 2 * MiB), -ERANGE);
	bb.sz = 0;
	assert_int_equal(daxdev_badblock_next(dev, 0, &bb), -EINVAL);
	assert_int_equal(daxdev_badblock_next(dev, 0, NULL), -EINVAL);
	assert_int_equal(daxdev_badblock_next(NULL, 0, &bb), -EINVAL);
	daxdev_put(dev);
}

/* A caller built against a shorter struct gets only what it knows. */
static void test_short_struct(void **state)
{
	struct daxdev *dev = open_dax("/dev/zero");
	struct { size_t sz; uint64_t offset; uint64_t canary; } old = {
		.sz = offsetof(struct daxdev_badblock, length), .canary = 77 };

	(void)state;
	assert_int_equal(daxdev_badblock_next(dev, 0, (struct daxdev_badblock *)&old), 0);
	assert_int_equal(old.offset, 4198400);
	assert_int_equal(old.canary, 77);
	daxdev_put(dev);
}

static void test_devdax_unlocated(void **state)
{
	DAXDEV_OPEN_OPTS(opts, .write_cache = DAXDEV_WRITE_CACHE_OFF);
	struct daxdev_badblock bb = DAXDEV_BADBLOCK_INIT;
	struct daxdev *dev = NULL;

	(void)state;
	use_tree("sysfs-made/badblocks-nonroot");
	assert_int_equal(daxdev_open("/dev/zero", &opts, &dev), 0);
	assert_int_equal(daxdev_badblock_next(dev, 0, &bb), -EACCES);
	assert_contains(daxdev_errormsg(), "not located");
	daxdev_put(dev);
}

static void test_linear(void **state)
{
	struct daxdev *dev = open_dax("linear:/dev/zero,/dev/zero");

	(void)state;
	assert_string_equal(list_of(dev), "4198400+4096 -5 1;262135808+8192 -5 1;"
			    "266342400+4096 -5 1;524279808+8192 -5 1;");
	assert_int_equal(daxdev_badblock_clear(dev, DAX_SIZE - 2 * MiB, 4 * MiB), -EOPNOTSUPP);
	assert_contains(daxdev_errormsg(), "linear member 1");
	daxdev_put(dev);
}

/* 2 MiB chunks: member offset 4198400 is chunk 2 (+4096), the composite's
 * chunk 4 (member 1) or 5 (member 2); 262135808 is chunk 124 (+2088960),
 * the composite's chunk 248 or 249. */
static void test_stripe(void **state)
{
	struct daxdev *dev = open_dax("stripe:2M:/dev/zero,/dev/zero");

	(void)state;
	assert_string_equal(list_of(dev), "8392704+4096 -5 1;10489856+4096 -5 1;"
			    "522182656+8192 -5 1;524279808+8192 -5 1;");
	daxdev_put(dev);
}

/* --- a file: the disk's bad sectors under its extents --------------------- */

/* A sysfs tree whose block device for st_dev lists one bad range: 8 KiB
 * (16 sectors) from 8 KiB into the file's first extent. */
static int fake_disk_tree(const char *root, dev_t dev, uint64_t bad_phys)
{
	char path[PATH_MAX + 64], cmd[3 * PATH_MAX];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/sys/dev/block' '%s/sys/devices/virtual/block/fake'",
		 root, root);
	if (system(cmd))
		return -1;
	snprintf(path, sizeof(path), "%s/sys/dev/block/%u:%u", root, major(dev), minor(dev));
	if (symlink("../../devices/virtual/block/fake", path))
		return -1;
	snprintf(path, sizeof(path), "%s/sys/devices/virtual/block/fake/badblocks", root);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%llu 16\n", (unsigned long long)(bad_phys / 512));
	return fclose(f);
}

/* Where the file's first extent is on its block device, or skip. */
static uint64_t first_extent(int fd, uint64_t *logical)
{
	union { struct fiemap fm; char bytes[sizeof(struct fiemap) + sizeof(struct fiemap_extent)]; } q;
	struct fiemap_extent *e = q.fm.fm_extents;

	memset(&q, 0, sizeof(q));
	q.fm.fm_length = UINT64_MAX;
	q.fm.fm_flags = FIEMAP_FLAG_SYNC;
	q.fm.fm_extent_count = 1;
	*logical = 0;
	if (ioctl(fd, FS_IOC_FIEMAP, &q.fm) || q.fm.fm_mapped_extents != 1 || e->fe_length < 64 * 1024)
		return 0;
	*logical = e->fe_logical;
	return e->fe_physical;
}

static void test_file_fiemap(void **state)
{
	char path[PATH_MAX + 16], root[PATH_MAX + 16];
	uint64_t logical, phys;
	struct daxdev *dev;
	unsigned char buf[8192];
	struct stat st;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/file", workdir);
	DAXDEV_OPEN_OPTS(opts, .size = MiB, .flags = DAXDEV_OPEN_CREATE);
	use_root("/nonexistent-sysfs");
	assert_int_equal(daxdev_open(path, &opts, &dev), 0);
	memset(buf, 0xab, sizeof(buf));
	for (uint64_t off = 0; off < MiB; off += sizeof(buf))
		assert_int_equal(daxdev_write(dev, off, buf, sizeof(buf)), 0);
	daxdev_put(dev);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	phys = first_extent(fd, &logical);
	close(fd);
	if (!phys)
		skip(); /* no FIEMAP here (tmpfs), or a fragmented file */
	snprintf(root, sizeof(root), "%s/sysfs", workdir);
	assert_int_equal(fake_disk_tree(root, st.st_dev, phys + 8192), 0);
	use_root(root);
	assert_int_equal(daxdev_open(path, NULL, &dev), 0);
	char want[64];
	snprintf(want, sizeof(want), "%llu+8192 -5 1;", (unsigned long long)(logical + 8192));
	assert_string_equal(list_of(dev), want);
	/* Clearing gives the range new zeroed blocks; the rest stays. */
	assert_int_equal(daxdev_badblock_clear(dev, logical + 8192, 8192), 0);
	assert_int_equal(daxdev_read(dev, logical + 8192, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(daxdev_read(dev, logical, buf, 16), 0);
	assert_int_equal(buf[0], 0xab);
	daxdev_put(dev);
}

/* Anonymous memory: clearing replaces the pages with zero pages. */
static void test_anon_clear(void **state)
{
	struct daxdev *dev;
	char buf[3 * 4096];

	(void)state;
	assert_int_equal(daxdev_open("anon:64K", NULL, &dev), 0);
	memset(buf, 7, sizeof(buf));
	assert_int_equal(daxdev_write(dev, 0, buf, sizeof(buf)), 0);
	assert_string_equal(list_of(dev), "");
	assert_int_equal(daxdev_badblock_clear(dev, 4096, 4096), 0);
	assert_int_equal(daxdev_read(dev, 0, buf, sizeof(buf)), 0);
	assert_int_equal(buf[4095], 7);
	assert_int_equal(buf[4096], 0);
	assert_int_equal(buf[8191], 0);
	assert_int_equal(buf[8192], 7);
	daxdev_put(dev);
	DAXDEV_OPEN_OPTS(ro, .flags = DAXDEV_OPEN_READONLY);
	assert_int_equal(daxdev_open("anon:64K", &ro, &dev), 0);
	assert_int_equal(daxdev_badblock_clear(dev, 0, 4096), -EROFS);
	daxdev_put(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_devdax_list_and_clear, reset_env),
		cmocka_unit_test_teardown(test_short_struct, reset_env),
		cmocka_unit_test_teardown(test_devdax_unlocated, reset_env),
		cmocka_unit_test_teardown(test_linear, reset_env),
		cmocka_unit_test_teardown(test_stripe, reset_env),
		cmocka_unit_test_teardown(test_file_fiemap, reset_env),
		cmocka_unit_test_teardown(test_anon_clear, reset_env),
	};

	return cmocka_run_group_tests(tests, make_workdir, remove_workdir);
}
