/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench: files for the open-cost measurements (interface in
 * open-files.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "open-files.h"

int open_file_punch(int fd, uint64_t len)
{
	for (uint64_t end = OPEN_HOLE_EVERY; end <= len; end += OPEN_HOLE_EVERY)
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)(end - OPEN_HOLE_SIZE), (off_t)OPEN_HOLE_SIZE))
			return -errno;
	return 0;
}

int64_t open_file_unallocated(int fd)
{
	struct stat st;
	int64_t stored;

	if (fstat(fd, &st))
		return -errno;
	stored = (int64_t)st.st_blocks * 512;
	return st.st_size > stored ? st.st_size - stored : 0;
}

/* len bytes of a non-zero pattern from offset 0. */
static int fill(int fd, uint64_t len)
{
	static char chunk[64 << 10];

	memset(chunk, 0x5a, sizeof(chunk));
	for (uint64_t off = 0; off < len; off += sizeof(chunk)) {
		size_t n = len - off < sizeof(chunk) ? len - off : sizeof(chunk);
		if (pwrite(fd, chunk, n, (off_t)off) != (ssize_t)n)
			return errno ? -errno : -EIO;
	}
	return fsync(fd) ? -errno : 0;
}

int open_file_make(const char *path, uint64_t len, bool sparse)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), rc;

	if (fd < 0)
		return -errno;
	rc = fill(fd, len);
	if (!rc && sparse)
		rc = open_file_punch(fd, len);
	close(fd);
	if (rc)
		unlink(path);
	return rc;
}
