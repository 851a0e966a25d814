/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: the runner and the statistics.
 *
 * A calibration round (not recorded) picks K per workload and size; then
 * each of cfg.rounds rounds runs every workload, every size and every
 * implementation once, the implementation order rotating from round to
 * round, and records one sample of each: K back-to-back operations timed
 * in SUBS slices, the median slice's time per operation.  Before each
 * size's samples in a round it times a 4 KiB CRC-32C (w->probe): how fast
 * the core computes in that round.
 */
#ifndef DAXDEV_BENCH_RUNNER_H
#define DAXDEV_BENCH_RUNNER_H

#include "bench.h"

#define SUBS 8

/* Run the workload table (workloads.h): fills each w->k, w->t, w->nt. */
void run_all(void);

struct stat3 { double med, min, max; };

/* Median, min, max of n values. */
struct stat3 stats(const double *v, int n);
/* Of the per-round ratios t[ref] / t[cand] of size index s. */
struct stat3 ratio_stats(const struct workload *w, int s, int ref, int cand);

#endif
