/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: the workload table.  define_workloads() lists every
 * workload in the order the reports show them (the copy/flush/fill/ceiling
 * workloads on anon and shm, the volatile device, then the parts' own:
 * log-append, guarded, open), then keeps those --only selects.  The other
 * workload parts build their entries with add() and impl().
 */
#ifndef DAXDEV_BENCH_WORKLOADS_H
#define DAXDEV_BENCH_WORKLOADS_H

#include "bench.h"

#define MAXW 48
extern struct workload wl[MAXW];
extern int nwl;

/* Size lists of the size-swept workloads (--sizes replaces them). */
extern uint64_t all_sizes[MAX_SIZES], small_sizes[MAX_SIZES];
extern int n_all, n_small;

/* --sizes LIST (64,256,4K): 0, or -1 if it does not parse. */
int parse_sizes(const char *arg);
/* Whether --only selects the workload name (a whole name, or a prefix
 * before '-': "copy" selects copy-seq and copy-rand). */
bool selected(const char *name);

/* A new workload on bk: of the sizes, those that fit (half the backing,
 * cfg.ceiling; a backing of size 0 takes them all).  Reports GB/s. */
struct workload *add(const char *name, const char *title, struct backing *bk,
		     enum pattern pat, const uint64_t *sizes, int nsizes);
/* Add an implementation; returns its index (for ref and cand). */
int impl(struct workload *w, const char *name, op_fn op, prep_fn prep);
/* impl() that is also a candidate compared with w->ref. */
int cand(struct workload *w, const char *name, op_fn op, prep_fn prep);
/* A name made with printf: never NULL (the benchmark runs for minutes). */
const char *name_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void define_workloads(void);

#endif
