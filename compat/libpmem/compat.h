/* SPDX-License-Identifier: MIT */
/*
 * Inside the drop-in libpmem: the mappings pmem_map_file() made (each one a
 * libdaxdev device), the lock-free lookup from an address to its mapping,
 * and the fallback for addresses in no mapping (what PMDK's libpmem does:
 * CPU cache write-back, unless every region flushes on power loss).
 */
#ifndef DAXDEV_COMPAT_PMEM_H
#define DAXDEV_COMPAT_PMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <daxdev.h>
#include <arch/arch.h>

#define PMEMC_HIDDEN __attribute__((visibility("hidden")))

/* How the device behind a mapping makes a store durable, as libdaxdev
 * decided when it was opened (its write cache never changes afterwards:
 * nothing here calls daxdev_set_write_cache). */
enum pmemc_mode {
	PMEMC_NONE,    /* write cache off: stores need no write-back */
	PMEMC_CPU,     /* write back the CPU cache (flush below), then fence */
	PMEMC_SYNC,    /* the provider's own flush: msync (no MAP_SYNC) */
};

/* One pmem_map_file(): immutable once published, except pieces (writers
 * only, under the table lock). */
struct pmemc_mapping {
	struct daxdev *dev;
	uintptr_t base, end;          /* the device's whole mapping */
	enum pmemc_mode mode;
	bool is_pmem;                 /* what pmem_is_pmem() answers for it */
	daxdev_flush_fn flush;        /* PMEMC_CPU: the device's instruction */
	char region[32];              /* nvdimm region, for pmem_deep_drain */
	size_t pieces;                /* parts still mapped (pmem_unmap cuts) */
};

/* A part of an address range: inside one mapping (m != NULL) or in none. */
struct pmemc_part {
	uintptr_t start, end;
	struct pmemc_mapping *m;
};

/* --- table.c: pieces of mappings, sorted; lock-free readers ---------- */

/* The part of [addr, end) that starts at addr: the piece holding addr
 * (clipped to end), or the stretch up to the next piece.  No locks, no
 * stores: a sequence count and a binary search. */
PMEMC_HIDDEN void pmemc_part_at(uintptr_t addr, uintptr_t end, struct pmemc_part *part);
/* Writers (map, unmap) hold the table lock around these. */
PMEMC_HIDDEN void pmemc_table_lock(void);
PMEMC_HIDDEN void pmemc_table_unlock(void);
PMEMC_HIDDEN int pmemc_table_add(struct pmemc_mapping *m);
/* Take [start, end) out of the pieces (m->pieces counts what is left of
 * each mapping); 0 or -ENOMEM. */
PMEMC_HIDDEN int pmemc_table_cut(uintptr_t start, uintptr_t end);
/* The mapping whose whole range holds addr, or the first one above it
 * (*above), among all that still have a piece; writers only. */
PMEMC_HIDDEN struct pmemc_mapping *pmemc_mapping_near(uintptr_t addr,
						      struct pmemc_mapping **above);
/* Forget a mapping with no pieces left (writers only). */
PMEMC_HIDDEN void pmemc_mapping_forget(struct pmemc_mapping *m);

/* --- policy.c: environment, fallback, messages ---------------------- */

struct pmemc_policy {
	int no_flush;                 /* PMEM_NO_FLUSH: -1 unset, 0, 1 */
	const char *flush_word;       /* from PMEM_NO_CLWB/NO_CLFLUSHOPT, or NULL */
	size_t nt_threshold;          /* PMEM_NO_MOVNT / PMEM_MOVNT_THRESHOLD; 0 default */
	struct daxdev_arch arch;      /* for addresses in no mapping */
	bool fallback_flush;          /* write back there (no auto flush) */
};

/* Read once; never NULL. */
PMEMC_HIDDEN const struct pmemc_policy *pmemc_policy(void);
/* Open options for pmem_map_file() that carry the PMEM_* variables. */
PMEMC_HIDDEN void pmemc_open_opts(struct daxdev_open_opts *opts);
/* PMEM_IS_PMEM_FORCE, read at the first question: -1 unset, 0, 1. */
PMEMC_HIDDEN int pmemc_is_pmem_force(void);
/* Sets this thread's pmem_errormsg() and errno = err (positive). */
PMEMC_HIDDEN void pmemc_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1, 0, or -errno: every nvdimm region's persistence_domain is cpu_cache. */
PMEMC_HIDDEN int pmemc_auto_flush(void);

/* --- fallback (policy.c): addresses that are in no mapping ---------- */

PMEMC_HIDDEN void pmemc_fallback_flush(const void *addr, size_t len, bool deep);
PMEMC_HIDDEN void pmemc_fallback_drain(void);
/* PMEM_F_MEM_* flags. */
PMEMC_HIDDEN void pmemc_fallback_memmove(void *dst, const void *src, size_t len,
					 unsigned flags);
PMEMC_HIDDEN void pmemc_fallback_memset(void *dst, int c, size_t len, unsigned flags);

/* --- persist.c ------------------------------------------------------ */

/* Write back [addr, addr+len) the way its owner needs, no fence
 * (deep: even where the write cache is off). */
PMEMC_HIDDEN void pmemc_flush_range(const void *addr, size_t len, bool deep);

#endif
