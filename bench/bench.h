/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench: what every part shares — the configuration, the types of a
 * backing (memory under test), an implementation and a workload, and the
 * small helpers.  The parts and their interfaces:
 *
 *   daxdev-bench.c  options, setup order, teardown (main)
 *   backing.h       memory backings and the bench-local provider
 *   workloads.h     the workload table and the copy/flush/fill operations
 *   log-append.h    plog against libpmemlog_append (its own backing)
 *   open-cost.h     daxdev_open + put against pmem_map_file + unmap
 *   guarded.h       guarded against unguarded pointer copies (when declared)
 *   runner.h        interleaved rounds, samples, statistics
 *   report.h        text and Markdown tables, CSV, the gnuplot plot
 */
#ifndef DAXDEV_BENCH_H
#define DAXDEV_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KiB (1024ull)
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define MAX_ROUNDS 64
#define MAX_IMPLS 8
#define MAX_SIZES 8
#define MAX_VARIANTS 3
#define KMAX (1u << 16)            /* operations per sample, offset-array patterns */
#define KMAX_HOT (1u << 24)        /* operations per sample, constant offset */

#define barrier() __asm__ __volatile__("" ::: "memory")

struct bench_cfg {
	bool quick;
	int rounds;
	int cpu;
	const char *out;
	const char *only;
	bool anon, shm;
	uint64_t region;
	uint64_t ceiling;
	double sample_ns;           /* target duration of one sample */
	int nvariant;               /* --variant ENV=VALUE: extra libdaxdev rows */
	const char *variant[MAX_VARIANTS];
};

extern struct bench_cfg cfg;
extern int failures;

/* A call failed: counted (the exit status) and printed (the first ten). */
void fail(const char *what, int rc);
double now_ns(void);

/* ---- memory under test ---------------------------------------------------- */

struct daxdev;

struct backing {
	const char *name;           /* "anon", "shm", "volatile", "log", "tmp", ... */
	struct daxdev *dev;
	char *dax;                  /* libdaxdev's mapping (direct_access of page 0) */
	char *pm;                   /* libpmem's mapping of the same kind of memory */
	uint64_t size;              /* 0: the workload sizes are not offsets in it */
	struct daxdev *dev2;        /* shm: libdaxdev's own file provider */
	char *dax2;
	uint64_t size2;
	struct daxdev *view[MAX_VARIANTS]; /* same memory as dev, under cfg.variant[i] */
	char note[512];
	bool ok;
};

/* The backing of the running workload: operations work on it. */
extern struct backing *cur;
/* Source buffer of every copy: cfg.ceiling bytes, set up by main. */
extern char *src;
/* Per-operation offsets (or file indexes) of the running sample: KMAX. */
extern uint64_t *offs;

/* ---- workloads ------------------------------------------------------------- */

/* seq/rand: offsets walk or hit the backing; hot/append: offset 0;
 * open: offs[i] = i, an index into a pool of files. */
enum pattern { SEQ, RAND, HOT, APPEND, OPEN };
extern const char *const pattern_name[];

typedef int (*op_fn)(uint64_t off, size_t len);
typedef void (*prep_fn)(uint64_t off, size_t len);
typedef void (*presample_fn)(size_t len, size_t k);

struct impl {
	const char *name;
	op_fn op;
	prep_fn prep;               /* untimed, per operation, before the batch */
	presample_fn presample;     /* untimed, once per sample */
};

struct workload {
	const char *name;
	const char *title;
	struct backing *bk;
	enum pattern pat;
	int nsizes;
	uint64_t sizes[MAX_SIZES];
	int nimpl;
	struct impl impl[MAX_IMPLS];
	int ref;                    /* reference implementation for ratios, -1 none */
	int ncand;
	int cand[MAX_IMPLS];        /* candidates compared with ref */
	uint64_t batch_cap;         /* bytes per sample at most (0: no cap) */
	bool bandwidth;             /* report GB/s too */
	/* results */
	size_t k[MAX_SIZES];
	double t[MAX_SIZES][MAX_IMPLS][MAX_ROUNDS];
	double probe[MAX_SIZES][MAX_ROUNDS]; /* ns per 4 KiB CRC before each round's samples */
	int nt;
};

#endif
