/* SPDX-License-Identifier: MIT */
/*
 * pmem_map_file() and pmem_unmap(): every mapping is a libdaxdev device
 * (file or device-dax), and what libdaxdev decided for that device — write
 * cache, flush instruction, msync — is kept with it for the calls that
 * later store into it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat.h"
#include "libpmem.h"

#define ALL_FILE_FLAGS (PMEM_FILE_CREATE | PMEM_FILE_EXCL | PMEM_FILE_SPARSE | PMEM_FILE_TMPFILE)

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* A libdaxdev failure as a libpmem one: errno and the message. */
static int dax_fail(int rc, const char *path)
{
	pmemc_err(-rc, "pmem_map_file: %s: %s", path, daxdev_errormsg());
	return rc;
}

static int sys_fail(const char *path, const char *what)
{
	int err = errno;

	pmemc_err(err, "pmem_map_file: %s: %s: %s", path, what, strerror(err));
	return -err;
}

/* Device-dax: only CREATE and SPARSE may be given (and mean nothing), and
 * len is 0 or the device's whole size. */
static int open_devdax(const char *path, size_t len, int flags, struct daxdev **devp)
{
	DAXDEV_OPEN_OPTS(opts);
	int rc;

	if (flags & ~(PMEM_FILE_CREATE | PMEM_FILE_SPARSE)) {
		pmemc_err(EINVAL, "pmem_map_file: %s is a device-dax: flags 0x%x not allowed",
			  path, (unsigned)flags);
		return -EINVAL;
	}
	pmemc_open_opts(&opts);
	rc = daxdev_open(path, &opts, devp);
	if (rc)
		return dax_fail(rc, path);
	if (len && len != daxdev_size(*devp)) {
		pmemc_err(EINVAL, "pmem_map_file: %s: len %zu is not the device's size %llu",
			  path, len, (unsigned long long)daxdev_size(*devp));
		daxdev_put(*devp);
		return -EINVAL;
	}
	return 0;
}

/* PMEM_FILE_TMPFILE: an unnamed file in directory dir (O_TMPFILE where the
 * filesystem has it, else a named one unlinked at once). */
static int open_tmpfile(const char *dir, int flags)
{
	int excl = (flags & PMEM_FILE_EXCL) ? O_EXCL : 0;
	char name[PATH_MAX];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC | excl, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd;
	if (snprintf(name, sizeof(name), "%s/.pmem.XXXXXX", dir) >= (int)sizeof(name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(name, O_CLOEXEC);
	if (fd >= 0)
		unlink(name);
	return fd;
}

/* PMEM_FILE_CREATE: create path (with mode, as given) or, without EXCL,
 * take the existing file; *created says which. */
static int open_created(const char *path, int flags, mode_t mode, bool *created)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	*created = fd >= 0;
	if (fd < 0 && errno == EEXIST && !(flags & PMEM_FILE_EXCL))
		fd = open(path, O_RDWR | O_CLOEXEC);
	return fd;
}

/*
 * Size the file to len (rounded up to whole pages: libdaxdev maps whole
 * pages only) and hand the descriptor to libdaxdev, which allocates every
 * block unless SPARSE (libpmem's posix_fallocate).  libpmem's rules are
 * followed here rather than DAXDEV_OPEN_CREATE's: an existing file is
 * truncated or extended to len, and mode 0 means mode 0.
 */
static int open_file_create(const char *path, size_t len, int flags, mode_t mode,
			    struct daxdev **devp)
{
	DAXDEV_OPEN_OPTS(opts, .flags = (flags & PMEM_FILE_SPARSE) ? DAXDEV_OPEN_SPARSE : 0);
	size_t page = page_size(), size;
	bool created = false;
	struct stat st;
	int fd, rc;

	if (len == 0 || len > SIZE_MAX - page || len > (size_t)LONG_MAX) {
		pmemc_err(EINVAL, "pmem_map_file: %s: invalid length %zu", path, len);
		return -EINVAL;
	}
	size = (len + page - 1) & ~(page - 1);
	if (flags & PMEM_FILE_TMPFILE)
		fd = open_tmpfile(path, flags);
	else
		fd = open_created(path, flags, mode, &created);
	if (fd < 0)
		return sys_fail(path, (flags & PMEM_FILE_TMPFILE) ? "cannot create a temporary file" :
				"cannot create or open");
	if (fstat(fd, &st) || ((uint64_t)st.st_size != size && ftruncate(fd, (off_t)size))) {
		rc = sys_fail(path, "cannot size the file");
		goto err_close;
	}
	pmemc_open_opts(&opts);
	rc = daxdev_open_fd(fd, &opts, devp);
	if (rc) {
		dax_fail(rc, path);
		goto err_close;
	}
	close(fd);  /* the mapping keeps the file */
	return 0;

err_close:
	close(fd);
	if (created)
		unlink(path);
	return rc;
}

static int open_target(const char *path, size_t len, int flags, mode_t mode,
		       struct daxdev **devp)
{
	DAXDEV_OPEN_OPTS(opts, .flags = DAXDEV_OPEN_SPARSE);
	struct stat st;
	int rc;

	if (!(flags & PMEM_FILE_TMPFILE) && !stat(path, &st) && S_ISCHR(st.st_mode))
		return open_devdax(path, len, flags, devp);
	if ((flags & PMEM_FILE_TMPFILE) && !(flags & PMEM_FILE_CREATE)) {
		pmemc_err(EINVAL, "pmem_map_file: PMEM_FILE_TMPFILE needs PMEM_FILE_CREATE");
		return -EINVAL;
	}
	if (flags & PMEM_FILE_CREATE)
		return open_file_create(path, len, flags, mode, devp);
	if (len) {
		pmemc_err(EINVAL, "pmem_map_file: %s: len must be 0 without PMEM_FILE_CREATE", path);
		return -EINVAL;
	}
	/* The whole existing file, holes left as they are (libpmem does not
	 * allocate a file it only maps). */
	pmemc_open_opts(&opts);
	rc = daxdev_open(path, &opts, devp);
	return rc ? dax_fail(rc, path) : 0;
}

/* What libdaxdev chose for the device, in the form the hot path needs. */
static void decide(struct pmemc_mapping *m, const struct daxdev_info *info)
{
	struct daxdev_arch_policy want = { .flush = info->flush_impl,
					   .flush_origin = "device flush" };
	struct daxdev_arch arch;

	if (!info->write_cache)
		m->mode = PMEMC_NONE;
	else if (!daxdev_arch_select(&want, &arch) && arch.flush)
		m->mode = PMEMC_CPU;
	else
		m->mode = PMEMC_SYNC;  /* msync, or another flush of the provider's */
	m->flush = m->mode == PMEMC_CPU ? arch.flush : NULL;
	m->is_pmem = info->persistence != DAXDEV_PERSISTENCE_VOLATILE && m->mode != PMEMC_SYNC;
	snprintf(m->region, sizeof(m->region), "%s", info->region ? info->region : "");
	daxdev_errormsg_clear();
}

static int track(struct daxdev *dev, const char *path, struct pmemc_mapping **mp)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct pmemc_mapping *m = calloc(1, sizeof(*m));
	void *base;
	long n;

	if (!m) {
		pmemc_err(ENOMEM, "pmem_map_file: %s: out of memory", path);
		return -ENOMEM;
	}
	n = daxdev_direct_access(dev, 0, 1, &base);
	if (n < 0 || daxdev_get_info(dev, &info)) {
		free(m);
		return dax_fail(n < 0 ? (int)n : -EIO, path);
	}
	m->dev = dev;
	m->base = (uintptr_t)base;
	m->end = m->base + daxdev_size(dev);
	decide(m, &info);
	pmemc_table_lock();
	n = pmemc_table_add(m);
	pmemc_table_unlock();
	if (n) {
		free(m);
		pmemc_err(ENOMEM, "pmem_map_file: %s: out of memory", path);
		return -ENOMEM;
	}
	*mp = m;
	return 0;
}

PMEM_API void *pmem_map_file(const char *path, size_t len, int flags, mode_t mode,
			     size_t *mapped_lenp, int *is_pmemp)
{
	struct pmemc_mapping *m = NULL;
	struct daxdev *dev;
	int force;

	if (!path || (flags & ~ALL_FILE_FLAGS)) {
		pmemc_err(EINVAL, "pmem_map_file: %s", path ? "invalid flags" : "NULL path");
		return NULL;
	}
	if (open_target(path, len, flags, mode, &dev))
		return NULL;
	if (track(dev, path, &m)) {
		daxdev_put(dev);
		return NULL;
	}
	force = pmemc_is_pmem_force();
	if (mapped_lenp)
		*mapped_lenp = m->end - m->base;
	if (is_pmemp)
		*is_pmemp = force >= 0 ? force : m->is_pmem;
	return (void *)m->base;
}

/* Part of a mapping [start, end) unmapped: leave it unreachable but still
 * reserved, so that nothing else is mapped there before libdaxdev unmaps
 * the whole device. */
static int unmap_within(struct pmemc_mapping *m, uintptr_t start, uintptr_t end)
{
	int rc = pmemc_table_cut(start, end);

	if (rc)
		return rc;
	if (m->pieces == 0) {
		pmemc_mapping_forget(m);
		daxdev_put(m->dev);
		free(m);
		return 0;
	}
	if (mmap((void *)start, end - start, PROT_NONE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED)
		return -errno;
	return 0;
}

static int unmap_range(uintptr_t start, uintptr_t end)
{
	struct pmemc_mapping *m, *above;
	uintptr_t stop;
	int rc = 0;

	while (!rc && start < end) {
		m = pmemc_mapping_near(start, &above);
		if (m) {
			stop = m->end < end ? m->end : end;
			rc = unmap_within(m, start, stop);
		} else {
			stop = above && above->base < end ? above->base : end;
			rc = munmap((void *)start, stop - start) ? -errno : 0;
		}
		start = stop;
	}
	return rc;
}

/* munmap()'s rules: a page-aligned address and a length that is not 0. */
PMEM_API int pmem_unmap(void *addr, size_t len)
{
	uintptr_t start = (uintptr_t)addr, page = page_size(), span;
	int rc;

	span = (len + page - 1) & ~(page - 1);
	if ((start & (page - 1)) || len == 0 || span < len || start + span < start) {
		pmemc_err(EINVAL, "pmem_unmap: [%p, +%zu): not a page-aligned, non-empty range",
			  addr, len);
		return -1;
	}
	pmemc_table_lock();
	rc = unmap_range(start, start + span);
	pmemc_table_unlock();
	if (rc) {
		pmemc_err(-rc, "pmem_unmap: [%p, +%zu): %s", addr, len, strerror(-rc));
		return -1;
	}
	return 0;
}
