/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: the memory the copy/flush/fill workloads run on, and
 * the bench-local provider (public daxdev/provider.h API) that gives a
 * /dev/shm file or someone else's memory a libdaxdev device on the CPU
 * write-back path, like libpmem's.
 */
#ifndef DAXDEV_BENCH_BACKING_H
#define DAXDEV_BENCH_BACKING_H

#include "bench.h"

/* anon:SIZE (libpmem on the same addresses), /dev/shm files, and a plain
 * anon: device with the write cache off. */
extern struct backing bk_anon, bk_shm, bk_vol;

/* Touch every page, then zero: no timed operation takes a page fault. */
void prefault(char *p, uint64_t len);
/* The device's whole memory as one address range, NULL if it is not one. */
char *map_whole(struct daxdev *dev, uint64_t size);
/* b->note: what libdaxdev chose for b->dev, then extra. */
void describe(struct backing *b, const char *extra);

/* Open target ("anon:SIZE") into b with the write cache set; with the cache
 * on, also the cfg.variant views over the same memory. */
int setup_anon(struct backing *b, bool write_cache, const char *target);
/* libpmem's pmem_map_file and the bench provider on two /dev/shm files of
 * cfg.region bytes, plus libdaxdev's own file provider on a third. */
int setup_shm(struct backing *b);
/* A device of the bench provider over a new MAP_SHARED file of size bytes
 * at path (created or truncated), declared persistent, write cache on. */
int shmmap_open(const char *path, uint64_t size, struct daxdev **devp);
/* Put every device the backings above hold. */
void teardown_backings(void);

#endif
