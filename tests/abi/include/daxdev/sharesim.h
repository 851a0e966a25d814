/* SPDX-License-Identifier: MIT */
/*
 * Coherence simulator: several hosts over one memory, each with its own CPU
 * cache, and no coherence between the caches (a CXL memory pool, famfs).
 *
 * The memory is an inner dax device (or anonymous memory, with
 * daxdev_open("sharesim:anon:1M")).  Each simulated host has a cache image
 * of the whole memory; every device of that host (daxdev_sharesim_host())
 * hands out that image from daxdev_direct_access().  A host's loads return
 * its cached copy, its stores stay in its cache: nothing moves between a
 * host and memory except at the simulator's events, which are the calls
 * that reach it:
 *   - a write-back (daxdev_flush(), or any write on a device whose stores are
 *     written back: write cache on, or DAXDEV_SHARING_NONCOHERENT) starts
 *     writing the host's changed lines back: in flight, not yet in memory;
 *   - a fence (daxdev_drain(), the end of every durable call) lands the
 *     host's write-backs in memory;
 *   - an invalidate (daxdev_invalidate(), daxdev_load(), and every
 *     daxdev_read() of a NONCOHERENT device) writes back, fences and fetches
 *     the range again from memory;
 *   - daxdev_sharesim_step() lets time pass over the whole memory.
 * At every event, before its own work, time passes over the event's range,
 * as the seed decides: a changed line of any host may be evicted (written to
 * memory, possibly with only some of its changed 8-byte words: stores that
 * were still to come), an unchanged line may be dropped and fetched again,
 * and a write-back in flight may land.  A line is always written whole, so
 * a host that writes one word of a line writes its stale copy of the others.
 *
 * The same seed over the same sequence of calls gives the same run.  Model
 * and limits: docs/sharesim.md.  Functions return 0 or a negative errno with
 * daxdev_errormsg() set; -EINVAL when dev is not a sharesim device.
 */
#ifndef DAXDEV_SHARESIM_H
#define DAXDEV_SHARESIM_H

#include <daxdev.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DAXDEV_SHARESIM_HOSTS_MAX 64
/* A rate meaning "never" (deterministic runs: nothing happens by chance). */
#define DAXDEV_SHARESIM_NEVER UINT32_MAX

/* How the simulator behaves.  Zero in a field means its default.  Each rate
 * is "one in N" per line (or write-back) and per event: 1 is always. */
struct daxdev_sharesim_opts {
	size_t sz;                /* sizeof(struct daxdev_sharesim_opts) */
	uint64_t seed;            /* of the choices below; 0 is a seed too */
	uint32_t evict_one_in;    /* a changed line is evicted to memory; 0: 4 */
	uint32_t refetch_one_in;  /* an unchanged line is fetched again; 0: 8 */
	uint32_t land_one_in;     /* a write-back in flight lands; 0: 4 */
	uint32_t torn_one_in;     /* an eviction carries only some of the line's
				   * changed words (each one by a coin); 0: 2 */
};

#define DAXDEV_SHARESIM_OPTS(name, ...)                                       \
	struct daxdev_sharesim_opts name = __extension__ ({                   \
		memset(&name, 0, sizeof(struct daxdev_sharesim_opts));        \
		(struct daxdev_sharesim_opts){                                 \
			.sz = sizeof(struct daxdev_sharesim_opts), __VA_ARGS__ \
		};                                                             \
	})

/* Simulate nhosts hosts (1..DAXDEV_SHARESIM_HOSTS_MAX) over inner, which
 * must be writable and have one contiguous mapping: it is the memory, and
 * the simulator holds its own reference.  opts may be NULL.  *devp is a
 * device of host 0 with the process's default policy (LOCAL); every
 * sharesim call takes any device of the simulator.  A host's cache starts
 * as a clean copy of the whole memory, taken when its first device is made. */
DAXDEV_API int daxdev_sharesim_new(struct daxdev *inner, unsigned nhosts,
				   const struct daxdev_sharesim_opts *opts,
				   struct daxdev **devp);

/* A new device of host `host` (< nhosts; daxdev_open("sharesim:...") makes
 * DAXDEV_SHARESIM_HOSTS_MAX), with the policy of opts (NULL: defaults), for
 * example .sharing = DAXDEV_SHARING_NONCOHERENT.  Devices of one host share
 * its cache, as two mappings in one machine would.  Of the open flags only
 * DAXDEV_OPEN_READONLY applies (the API refuses stores; the image stays
 * writable through pointers). */
DAXDEV_API int daxdev_sharesim_host(struct daxdev *sim, unsigned host,
				    const struct daxdev_open_opts *opts, struct daxdev **devp);

/* Restart the choices from seed (the state of caches and memory stays). */
DAXDEV_API int daxdev_sharesim_seed(struct daxdev *sim, uint64_t seed);

/* Let time pass over the whole memory for every host: evictions, refetches
 * and landings as the rates and the seed decide.  Costs a pass over every
 * host's image. */
DAXDEV_API int daxdev_sharesim_step(struct daxdev *sim);

/* Set sz (DAXDEV_SHARESIM_STATS_INIT); fields a library older than the
 * caller does not know read 0.  Counters are for the whole simulator. */
struct daxdev_sharesim_stats {
	size_t sz;               /* sizeof(struct daxdev_sharesim_stats) */
	uint64_t events;         /* write-backs, fences, invalidates and steps */
	uint64_t writebacks;     /* changed lines a write-back or invalidate sent */
	uint64_t landed;         /* write-backs that reached memory */
	uint64_t evictions;      /* changed lines evicted to memory by chance */
	uint64_t torn_evictions; /* of those, with only some of their changes */
	uint64_t refetches;      /* unchanged lines fetched again by chance that
				  * found newer content in memory */
	uint64_t invalidated;    /* lines fetched again by invalidates */
	uint64_t stale_lines;    /* of those, lines whose cached copy was older
				  * than memory: reads that would have been stale */
	uint64_t lost_words;     /* 8-byte words another host had changed in
				  * memory that a line written whole put back to
				  * an older value (two hosts writing one line) */
	uint64_t dirty_lines;    /* now: changed lines not written back, all hosts */
	uint64_t pending_lines;  /* now: write-backs not yet in memory */
};
#define DAXDEV_SHARESIM_STATS_INIT { .sz = sizeof(struct daxdev_sharesim_stats) }
DAXDEV_API int daxdev_sharesim_stats(struct daxdev *sim, struct daxdev_sharesim_stats *stats);

#ifdef __cplusplus
}
#endif
#endif /* DAXDEV_SHARESIM_H */
