/* SPDX-License-Identifier: MIT */
/*
 * A file's bad blocks: the bad ranges of its block device under its
 * extents (FIEMAP), and clearing a range by reallocating it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "file_badblocks.h"

#define EXTENTS_PER_CALL 64
#define ZERO_CHUNK (64u << 10)
/* Extents whose physical place is not known or not a plain block range. */
#define NOT_PLACED (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_ENCODED | FIEMAP_EXTENT_DATA_INLINE | \
		    FIEMAP_EXTENT_NOT_ALIGNED | FIEMAP_EXTENT_DELALLOC)

/* The first bad part of one extent ending after from, in file offsets. */
static bool extent_hit(const struct fiemap_extent *e, const struct nvdimm_bad_range *bad,
		       size_t nbad, uint64_t from, uint64_t *off, uint64_t *len)
{
	uint64_t phys = e->fe_physical, end = e->fe_physical + e->fe_length;

	if (e->fe_flags & NOT_PLACED)
		return false;
	for (size_t i = 0; i < nbad; i++) {
		uint64_t lo = bad[i].offset > phys ? bad[i].offset : phys;
		uint64_t hi = bad[i].offset + bad[i].length < end ? bad[i].offset + bad[i].length : end;
		if (lo >= hi || e->fe_logical + (hi - phys) <= from)
			continue;
		*off = e->fe_logical + (lo - phys);
		*len = hi - lo;
		return true;
	}
	return false;
}

/* Bad ranges are sorted by physical offset, extents come in file order:
 * within an extent the first hit is the lowest file offset, so the first
 * extent with a hit answers. */
FILE_BB_HIDDEN int file_badblock_next(int fd, const struct nvdimm_bad_range *bad, size_t nbad,
				      uint64_t file_len, uint64_t from, uint64_t *off,
				      uint64_t *len)
{
	size_t size = sizeof(struct fiemap) + EXTENTS_PER_CALL * sizeof(struct fiemap_extent);
	struct fiemap *fm = calloc(1, size);
	uint64_t start = from;
	int rc = -ENODATA;

	if (!fm)
		return -ENOMEM;
	while (nbad && rc == -ENODATA && start < file_len) {
		memset(fm, 0, size);
		fm->fm_start = start;
		fm->fm_length = file_len - start;
		fm->fm_extent_count = EXTENTS_PER_CALL;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) < 0) {
			rc = errno == ENOTTY || errno == EOPNOTSUPP ? -EOPNOTSUPP : -errno;
			break;
		}
		if (fm->fm_mapped_extents == 0)
			break;
		for (unsigned i = 0; i < fm->fm_mapped_extents && rc == -ENODATA; i++)
			if (extent_hit(&fm->fm_extents[i], bad, nbad, from, off, len))
				rc = 0;
		const struct fiemap_extent *last = &fm->fm_extents[fm->fm_mapped_extents - 1];
		if (last->fe_flags & FIEMAP_EXTENT_LAST)
			break;
		start = last->fe_logical + last->fe_length;
	}
	free(fm);
	if (!rc && *off + *len > file_len)
		*len = file_len - *off;
	return rc;
}

static int write_zeros(int fd, const char *name, uint64_t off, uint64_t len)
{
	char *zeros = calloc(1, ZERO_CHUNK);
	int rc = 0;

	if (!zeros)
		return daxdev_err(-ENOMEM, "%s: out of memory", name);
	while (len && !rc) {
		size_t n = len < ZERO_CHUNK ? (size_t)len : ZERO_CHUNK;
		ssize_t done = pwrite(fd, zeros, n, (off_t)off);
		if (done <= 0)
			rc = daxdev_err(done < 0 ? -errno : -EIO, "%s: writing zeros at %llu: %s", name,
					(unsigned long long)off, done < 0 ? strerror(errno) : "no progress");
		else
			off += (uint64_t)done, len -= (uint64_t)done;
	}
	free(zeros);
	return rc;
}

FILE_BB_HIDDEN int file_badblock_clear(int fd, const char *name, uint64_t off, uint64_t len)
{
	int rc;

	/* New blocks where the filesystem can give them; where it cannot
	 * punch holes (or allocate), the write below still rewrites them. */
	if (!fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len))
		fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len);
	else if (errno != EOPNOTSUPP)
		return daxdev_err(-errno, "%s: cannot deallocate [%llu, +%llu): %s", name,
				  (unsigned long long)off, (unsigned long long)len, strerror(errno));
	rc = write_zeros(fd, name, off, len);
	if (!rc && fdatasync(fd))
		rc = daxdev_err(-errno, "%s: fdatasync: %s", name, strerror(errno));
	return rc;
}
