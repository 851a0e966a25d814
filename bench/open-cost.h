/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: what opening costs.  daxdev_open + daxdev_put of an
 * existing 16 MiB file against pmem_map_file + pmem_unmap of the same file,
 * in /tmp and in /dev/shm (backings "tmp" and "devshm"):
 *
 *   open-full    a file written whole (no holes); also daxdev_open with
 *                DAXDEV_OPEN_SPARSE, which skips the hole check
 *   open-sparse  the same file with a 4 KiB hole at the end of every MiB:
 *                daxdev_open must find the holes and allocate them (checked
 *                before the holes are punched again, untimed, for the next
 *                open, and at the end)
 *
 * The files are made only when --only selects an open workload (the
 * default does).  bench/open-probe.c breaks one open down.
 */
#ifndef DAXDEV_BENCH_OPEN_COST_H
#define DAXDEV_BENCH_OPEN_COST_H

#include "bench.h"

/* Create the files (none if no open workload is selected). */
void setup_open_cost(void);
/* The open-* workloads of every directory whose files are ready. */
void add_open_workloads(void);
/* The backings, for the report's notes: n of them at *bks. */
int open_cost_backings(struct backing **bks, int max);
/* Remove the files; a sparse file left with holes counts as a failure. */
void teardown_open_cost(void);

#endif
