/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: the log workload — plog (examples/plog) over a
 * libdaxdev device against pmemlog_append, both in /dev/shm.  Built with
 * libpmemlog (BENCH_HAVE_PMEMLOG) and the plog sources (BENCH_HAVE_PLOG);
 * without libpmemlog the "log" backing only carries a note.
 */
#ifndef DAXDEV_BENCH_LOG_APPEND_H
#define DAXDEV_BENCH_LOG_APPEND_H

#include "bench.h"

extern struct backing bk_log;

/* Create and prefault both pools (64 MiB in quick mode, else 256 MiB). */
void setup_log(void);
/* The log-append workload, if the pools are there. */
void add_log_workloads(void);
void teardown_log(void);

#endif
