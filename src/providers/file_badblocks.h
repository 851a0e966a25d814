/* SPDX-License-Identifier: MIT */
/*
 * A file's bad blocks, for the fsdax provider: the block device's bad
 * ranges (bytes of the partition the filesystem is on) placed at file
 * offsets through the file's extents (FS_IOC_FIEMAP), and clearing a range
 * by giving it new blocks.  Not a provider.
 */
#ifndef DAXDEV_PROVIDERS_FILE_BADBLOCKS_H
#define DAXDEV_PROVIDERS_FILE_BADBLOCKS_H

#include <stdint.h>
#include "nvdimm_sysfs.h"

#define FILE_BB_HIDDEN __attribute__((visibility("hidden")))

/* The first part of the file, ending after from and before file_len, that
 * lies on a bad range: 0 with [*off, *off + *len), -ENODATA if none,
 * -EOPNOTSUPP if the filesystem cannot tell where the file's blocks are
 * (no FIEMAP: tmpfs), or -errno. */
FILE_BB_HIDDEN int file_badblock_next(int fd, const struct nvdimm_bad_range *bad, size_t nbad,
				      uint64_t file_len, uint64_t from, uint64_t *off,
				      uint64_t *len);

/* Deallocate [off, off+len), allocate it again and write zeros through the
 * descriptor (a write, unlike a store through the mapping, lets the pmem
 * driver clear poison), then fdatasync.  0 or -errno with a message naming
 * name. */
FILE_BB_HIDDEN int file_badblock_clear(int fd, const char *name, uint64_t off, uint64_t len);

#endif
