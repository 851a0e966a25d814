/* SPDX-License-Identifier: MIT */
/*
 * The coherence simulator's cache model (sharesim_model.c), used by the
 * provider (sharesim.c).  Every function runs under the simulator's lock.
 * Offsets are line-aligned byte offsets into the memory; ranges are
 * [lo, hi).
 */
#ifndef DAXDEV_PROVIDERS_SHARESIM_MODEL_H
#define DAXDEV_PROVIDERS_SHARESIM_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <daxdev/sharesim.h>

#define SIM_HIDDEN __attribute__((visibility("hidden")))
#define SIM_LINE 64u
#define SIM_WORD 8u
#define SIM_PAGE 4096u

/* A write-back on its way to memory: the line as written back, and as this
 * host had fetched it (to tell another host's changes from its own). */
struct sim_pending {
	size_t off;
	unsigned char data[SIM_LINE];
	unsigned char fetched[SIM_LINE];
};

/* One host's cache. */
struct sim_cache {
	char *img;                  /* what its loads return: its devices' memory */
	char *clean;                /* per line: as last fetched or written back
				     * (the second half of img's block) */
	struct sim_pending *pend;   /* write-backs in flight, oldest first */
	size_t npend, cap;
	uint32_t *inflight;         /* per line: how many of pend are its */
};

struct sim_model {
	char *mem;                  /* the memory: the inner device's mapping */
	size_t size;
	unsigned nhosts;
	struct sim_cache *hosts;    /* img NULL until the host's first device */
	unsigned char *hold;        /* per line, scratch of land_some(): all 0 */
	uint64_t rng;
	uint32_t evict_one_in, refetch_one_in, land_one_in, torn_one_in;
	struct daxdev_sharesim_stats stats;
};

/* Time passes over [lo, hi) for every host: write-backs in flight may land,
 * changed lines may be evicted (maybe torn), unchanged ones fetched again. */
SIM_HIDDEN void sim_pass_time(struct sim_model *m, size_t lo, size_t hi);
/* Start writing back hc's changed lines of [lo, hi); -ENOMEM. */
SIM_HIDDEN int sim_write_back(struct sim_model *m, struct sim_cache *hc, size_t lo, size_t hi);
/* A fence: every write-back of hc lands, in order. */
SIM_HIDDEN void sim_land_all(struct sim_model *m, struct sim_cache *hc);
/* Fetch every line of [lo, hi) of hc again from memory (nothing of hc may be
 * changed or in flight there). */
SIM_HIDDEN void sim_refetch_range(struct sim_model *m, struct sim_cache *hc, size_t lo, size_t hi);
/* The counters, with the lines changed and in flight now. */
SIM_HIDDEN void sim_counts(const struct sim_model *m, struct daxdev_sharesim_stats *s);
/* A host's cache as a clean copy of memory now; -ENOMEM. */
SIM_HIDDEN int sim_cache_init(struct sim_model *m, struct sim_cache *hc);
SIM_HIDDEN void sim_cache_free(struct sim_cache *hc);

#endif
