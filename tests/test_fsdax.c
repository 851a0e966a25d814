/* File provider on real files (host without DAX: msync path), tmpfs, and the bad targets daxdev_open must refuse clearly. */
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
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <daxdev.h>
#include "fixture.h"

#define MiB (UINT64_C(1) << 20)

static char path[PATH_MAX + 32];

/* The provider's detail lines, in a buffer that lives until the next call. */
static const char *details_of(struct daxdev *dev)
{
	static char buf[4096];

	assert_true(daxdev_get_details(dev, buf, sizeof(buf)) > 0);
	return buf;
}

static const char *file_path(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", workdir, name);
	return path;
}

/* Options in place: OPTS(size, flags) (static: zero padding). */
static const struct daxdev_open_opts *opts_of(uint64_t size, unsigned flags)
{
	static struct daxdev_open_opts o;

	o = (struct daxdev_open_opts){ .sz = sizeof(o), .size = size, .flags = flags };
	return &o;
}
#define OPTS(size, flags) opts_of(size, flags)

static void make_file(const char *name, off_t size)
{
	int fd = open(file_path(name), O_RDWR | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, size), 0);
	close(fd);
}

static void test_create_write_read_reopen(void **state)
{
	struct daxdev *dev = NULL;
	struct daxdev_info info = DAXDEV_INFO_INIT;
	char buf[32] = "";
	const char *p = file_path("data");

	(void)state;
	assert_int_equal(daxdev_open(p, OPTS(MiB, DAXDEV_OPEN_CREATE), &dev), 0);
	assert_int_equal(daxdev_size(dev), MiB);
	assert_int_equal(daxdev_align(dev), (uint64_t)sysconf(_SC_PAGESIZE));
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_string_equal(info.provider, "fsdax");
	assert_string_equal(info.flush_impl, "msync");
	assert_true(info.write_cache);
	assert_int_equal(info.persistence, DAXDEV_PERSISTENCE_PERSISTENT);
	assert_string_equal(info.persistence_reason, "no MAP_SYNC: flush = msync");
	assert_contains(details_of(dev), "mapping: MAP_SHARED (MAP_SYNC refused");
	assert_contains(details_of(dev), "block device: ");
	assert_int_equal(daxdev_write(dev, 4000, "hello, file", 12), 0);
	assert_int_equal(daxdev_zero(dev, 8192, 4096), 0);
	assert_int_equal(daxdev_flush_range(dev, 0, MiB), 0);
	assert_int_equal(daxdev_read(dev, 4000, buf, 12), 0);
	assert_string_equal(buf, "hello, file");
	assert_int_equal(daxdev_read(dev, MiB - 4, buf, 8), -ERANGE);
	daxdev_put(dev);

	/* the bytes are in the file itself, and a new open sees them */
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(pread(fd, buf, 12, 4000), 12);
	close(fd);
	assert_string_equal(buf, "hello, file");
	assert_int_equal(daxdev_open(p, NULL, &dev), 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(daxdev_read(dev, 4000, buf, 12), 0);
	assert_string_equal(buf, "hello, file");
	daxdev_put(dev);
}

/* The host name is the real path, however the file was named. */
static void test_host_is_realpath(void **state)
{
	char odd[PATH_MAX + 64], real[PATH_MAX];
	struct daxdev *dev = NULL;

	(void)state;
	make_file("named", 65536);
	snprintf(odd, sizeof(odd), "%s/./../%s/named", workdir, strrchr(workdir, '/') + 1);
	assert_non_null(realpath(file_path("named"), real));
	assert_int_equal(daxdev_open(odd, NULL, &dev), 0);
	assert_string_equal(daxdev_host(dev), real);
	daxdev_put(dev);
	assert_int_equal(daxdev_open(file_path("named"), OPTS(0, DAXDEV_OPEN_CREATE), &dev), 0);
	assert_int_equal(daxdev_size(dev), 65536); /* existing: CREATE just opens */
	daxdev_put(dev);
}

static void test_create_needs_size(void **state)
{
	struct daxdev *dev = NULL;

	(void)state;
	assert_int_equal(daxdev_open(file_path("nosize"), OPTS(0, DAXDEV_OPEN_CREATE), &dev), -EINVAL);
	assert_contains(daxdev_errormsg(), "a size is needed to create the file");
	assert_int_equal(access(file_path("nosize"), F_OK), -1);
}

static void test_create_huge(void **state)
{
	struct daxdev *dev = NULL;

	(void)state;
	assert_int_equal(daxdev_open(file_path("huge"), OPTS(UINT64_C(1) << 62, DAXDEV_OPEN_CREATE), &dev), -EFBIG);
	assert_contains(daxdev_errormsg(), "larger than an address space allows");
	assert_null(dev);
	assert_int_equal(access(file_path("huge"), F_OK), -1); /* not left behind */
}

static void test_existing_too_small(void **state)
{
	struct daxdev *dev = NULL;

	(void)state;
	make_file("small", 65536);
	assert_int_equal(daxdev_open(file_path("small"), OPTS(MiB, 0), &dev), -ENOSPC);
	assert_contains(daxdev_errormsg(), "has 65536 bytes, less than the 1048576 requested");
	assert_int_equal(daxdev_open(file_path("small"), OPTS(MiB, DAXDEV_OPEN_CREATE), &dev),
			 -ENOSPC);
}

static void test_empty_file(void **state)
{
	struct daxdev *dev = NULL;

	(void)state;
	make_file("empty", 0);
	assert_int_equal(daxdev_open(file_path("empty"), NULL, &dev), -EINVAL);
	assert_contains(daxdev_errormsg(), "is empty");
}

/* Sizes that are not whole pages are rounded down and say so. */
static void test_partial_page(void **state)
{
	struct daxdev *dev = NULL;
	struct daxdev_info info = DAXDEV_INFO_INIT;
	long page = sysconf(_SC_PAGESIZE);

	(void)state;
	make_file("partial", page + 904);
	assert_int_equal(daxdev_open(file_path("partial"), NULL, &dev), 0);
	assert_int_equal(daxdev_size(dev), page);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_contains(details_of(dev), "size: file has ");
	daxdev_put(dev);
	make_file("tiny", 100);
	assert_int_equal(daxdev_open(file_path("tiny"), NULL, &dev), -EINVAL);
	assert_contains(daxdev_errormsg(), "in whole pages");
	assert_int_equal(daxdev_open(file_path("partial"), OPTS((uint64_t)page + 904, 0), &dev),
			 -EINVAL);
}

/* A sparse file gets its blocks at open, not at the first store. */
static void test_holes_allocated(void **state)
{
	struct daxdev *dev = NULL;
	struct stat st;

	(void)state;
	make_file("sparse", 4 * MiB);
	assert_int_equal(stat(file_path("sparse"), &st), 0);
	assert_true((uint64_t)st.st_blocks * 512 < 4 * MiB);
	assert_int_equal(daxdev_open(file_path("sparse"), NULL, &dev), 0);
	assert_int_equal(stat(file_path("sparse"), &st), 0);
	assert_true((uint64_t)st.st_blocks * 512 >= 4 * MiB);
	daxdev_put(dev);
}

/* On tmpfs too, where the check looks at the blocks instead of the holes:
 * one hole in the middle of a file that is otherwise written. */
static void test_holes_allocated_tmpfs(void **state)
{
	char shm[64];
	struct daxdev *dev = NULL;
	struct stat st;
	char page[4096];
	int fd;

	(void)state;
	if (access("/dev/shm", W_OK))
		skip();   /* no tmpfs here */
	snprintf(shm, sizeof(shm), "/dev/shm/daxdev-holes-%d", (int)getpid());
	fd = open(shm, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	memset(page, 7, sizeof(page));
	for (off_t off = 0; off < (off_t)MiB; off += 4096)
		if (off != 512 * 1024)
			assert_int_equal(pwrite(fd, page, sizeof(page), off), 4096);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true((uint64_t)st.st_blocks * 512 < MiB);
	assert_int_equal(daxdev_open(shm, NULL, &dev), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true((uint64_t)st.st_blocks * 512 >= MiB);
	daxdev_put(dev);
	close(fd);
	unlink(shm);
}

/* A file truncated while open: a new open maps what is there now, and asks
 * for no more than that. */
static void test_truncated_while_open(void **state)
{
	struct daxdev *dev = NULL, *again = NULL;
	const char *p = file_path("shrinks");

	(void)state;
	assert_int_equal(daxdev_open(p, OPTS(MiB, DAXDEV_OPEN_CREATE), &dev), 0);
	assert_int_equal(truncate(p, 65536), 0);
	assert_int_equal(daxdev_open(p, NULL, &again), 0);
	assert_int_equal(daxdev_size(again), 65536);
	daxdev_put(again);
	daxdev_put(dev);
	assert_int_equal(daxdev_open(p, OPTS(MiB, 0), &again), -ENOSPC);
	assert_contains(daxdev_errormsg(), "truncated?");
	assert_int_equal(daxdev_open(p, NULL, &again), 0);
	assert_int_equal(daxdev_size(again), 65536);
	daxdev_put(again);
}

/* /dev/shm: memory only, so no msync on every flush. */
static void test_tmpfs_volatile(void **state)
{
	char shm[64];
	struct daxdev *dev = NULL;
	struct daxdev_info info = DAXDEV_INFO_INIT;

	(void)state;
	if (access("/dev/shm", W_OK))
		skip();
	snprintf(shm, sizeof(shm), "/dev/shm/daxdev-test-%d", (int)getpid());
	assert_int_equal(daxdev_open(shm, OPTS(MiB, DAXDEV_OPEN_CREATE), &dev), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_string_equal(info.provider, "fsdax");
	assert_int_equal(info.persistence, DAXDEV_PERSISTENCE_VOLATILE);
	assert_false(info.write_cache);
	assert_string_not_equal(info.flush_impl, "msync");
	assert_contains(info.persistence_reason, "tmpfs/ramfs: memory only");
	assert_contains(details_of(dev), "filesystem: tmpfs/ramfs");
	assert_int_equal(daxdev_write(dev, 0, "shm", 4), 0);
	daxdev_put(dev);
	unlink(shm);
}

static void test_bad_targets(void **state)
{
	struct daxdev *dev = NULL;

	(void)state;
	assert_int_equal(daxdev_open(file_path("absent"), NULL, &dev), -ENOENT);
	assert_int_equal(daxdev_open(workdir, NULL, &dev), -EINVAL);
	assert_contains(daxdev_errormsg(), "is a directory");
	assert_int_equal(daxdev_open(workdir, OPTS(MiB, DAXDEV_OPEN_CREATE), &dev), -EINVAL);
	snprintf(path, sizeof(path), "file:%s", workdir);
	assert_true(daxdev_open(path, NULL, &dev) < 0);
	assert_int_equal(mkfifo(file_path("fifo"), 0600), 0);
	assert_int_equal(daxdev_open(file_path("fifo"), NULL, &dev), -EINVAL);
	assert_contains(daxdev_errormsg(), "is a FIFO");
	assert_null(dev);
}

static void test_block_device(void **state)
{
	static const char *const candidates[] = { "/dev/vda", "/dev/sda", "/dev/nvme0n1",
						  "/dev/loop0", "/dev/ram0" };
	struct daxdev *dev = NULL;
	struct stat st;

	(void)state;
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (stat(candidates[i], &st) || !S_ISBLK(st.st_mode))
			continue;
		assert_int_equal(daxdev_open(candidates[i], NULL, &dev), -EINVAL);
		assert_contains(daxdev_errormsg(), "is a block device");
		return;
	}
	print_message("no block device here, case skipped\n");
	skip();
}

/* Permission denied: run as an unprivileged user in a child when we are root. */
static int open_unprivileged(const char *target)
{
	struct daxdev *dev = NULL;
	int rc;

	if (geteuid() == 0 && setresuid(65534, 65534, 65534))
		return 1000; /* could not drop */
	rc = daxdev_open(target, NULL, &dev);
	if (rc == 0)
		daxdev_put(dev);
	return rc == -EACCES && strstr(daxdev_errormsg(), "Permission denied") ? 0 : 1;
}

static void test_no_permission(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	make_file("private", 65536);
	assert_int_equal(chmod(file_path("private"), 0000), 0);
	assert_int_equal(chmod(workdir, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(open_unprivileged(file_path("private")) == 0 ? 0 :
		      geteuid() == 0 ? 2 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 2) {
		print_message("running as root and cannot drop privileges, case skipped\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_write_read_reopen),
		cmocka_unit_test(test_host_is_realpath),
		cmocka_unit_test(test_create_needs_size),
		cmocka_unit_test(test_create_huge),
		cmocka_unit_test(test_existing_too_small),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_partial_page),
		cmocka_unit_test(test_holes_allocated),
		cmocka_unit_test(test_holes_allocated_tmpfs),
		cmocka_unit_test(test_truncated_while_open),
		cmocka_unit_test(test_tmpfs_volatile),
		cmocka_unit_test(test_bad_targets),
		cmocka_unit_test(test_block_device),
		cmocka_unit_test(test_no_permission),
	};

	return cmocka_run_group_tests(tests, make_workdir, remove_workdir);
}
