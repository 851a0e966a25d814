/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: the report of a finished run — the plain-text tables
 * on stdout, and in cfg.out results.csv, results.md and throughput.png.
 * The plot is gnuplot's, from plot.gp and one plot-BACKING-WORKLOAD.dat per
 * panel written here; this is the benchmark's only plotting path
 * (bench/summary.py makes the headline tables of docs/performance.md from
 * results.csv, nothing else).
 */
#ifndef DAXDEV_BENCH_REPORT_H
#define DAXDEV_BENCH_REPORT_H

#include "bench.h"

/* "64 B", "4 KiB", "16 MiB" (from a ring of static buffers). */
const char *size_str(uint64_t n);
/* The whole report; bks are the backings whose notes head it. */
void report(struct backing *const *bks, int nbk);

#endif
