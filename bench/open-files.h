/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench: the files of the open-cost workloads (open-cost.c) and of
 * open-probe: 16 MiB written whole, and the sparse pattern — a 4 KiB hole
 * at the end of every MiB, so that a hole scan from byte 0 meets the first
 * one after 1020 KiB of data.
 */
#ifndef DAXDEV_BENCH_OPEN_FILES_H
#define DAXDEV_BENCH_OPEN_FILES_H

#include <stdbool.h>
#include <stdint.h>

#define OPEN_FILE_SIZE (16ull << 20)
#define OPEN_HOLE_EVERY (1ull << 20)
#define OPEN_HOLE_SIZE 4096ull

/* Write len bytes of data to path (created or truncated) and fsync them,
 * so that every block is allocated; then punch the holes if sparse.
 * 0 or -errno. */
int open_file_make(const char *path, uint64_t len, bool sparse);
/* Punch the sparse pattern's holes into fd's file of len bytes. */
int open_file_punch(int fd, uint64_t len);
/* Bytes of fd's file without storage (st_size - 512 * st_blocks, at least
 * 0), or -errno. */
int64_t open_file_unallocated(int fd);

#endif
