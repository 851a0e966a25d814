/* SPDX-License-Identifier: MIT */
/*
 * The crash simulator's state, shared by crashsim.c (the provider, flushes,
 * fences, crashes) and crashsim_snapshot.c (save/restore).  Not public.
 */
#ifndef DAXDEV_PROVIDERS_CRASHSIM_MODEL_H
#define DAXDEV_PROVIDERS_CRASHSIM_MODEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <daxdev/crashsim.h>
#include "providers.h"

#define CRASHSIM_HIDDEN __attribute__((visibility("hidden")))
#define LINE 64u
#define WORD 8u
#define NO_POWER_CUT UINT64_MAX

/* One line's content at some moment: when it was flushed (pending), or
 * when a fence found it stored over after its flush (intermediate). */
struct line_copy {
	size_t off;
	unsigned char data[LINE];
};

struct line_copies {
	struct line_copy *v;
	size_t n, cap;
};

/* Line offset -> index + 1 of its newest pending copy; open addressing,
 * sized by the lines pending, not by the device. */
struct line_index {
	uint64_t *keys;               /* line number + 1; 0: empty */
	uint32_t *vals;
	size_t cap, used;
};

/* Lines flushed since the last fence, in flush order.  A line flushed again
 * with new content gets a second copy: its write-backs reach the media in
 * order, so a crash may leave any of the versions (or none). */
struct pending {
	struct line_copies copies;
	struct line_index latest;
	size_t lines;                 /* distinct lines in copies */
};

struct crashsim {
	struct daxdev *dev;
	struct daxdev *inner;
	char *live;                   /* the inner device's mapping */
	char *media;                  /* what survives a power cut; pages the
				       * program never touched stay untouched */
	size_t size;
	pthread_mutex_t lock;         /* images, sets, budget, counters */
	struct pending pend;
	struct line_copies intermediate; /* values held at a fence and stored
					  * over since: an eviction may have
					  * made any of them durable */
	bool live_private;            /* the live image is private anonymous
				       * memory (untouched pages read zero) */
	uint64_t drain_budget;        /* fences left before the power cut */
	bool power_off;               /* cut: flushes and fences no longer count */
	struct daxdev_crashsim_stats stats;
	char host[4096];
};

/* Walking the images page by page without touching untouched pages. */
struct pagemap_window {
	uintptr_t first;              /* page number of entries[0] */
	size_t have;
	uint64_t entries[512];
};

struct crashsim_scan {
	int fd;                       /* /proc/self/pagemap, or -1 */
	size_t page;
	struct pagemap_window live, media; /* one each: they are far apart */
};

/* Is [addr, addr + len) private anonymous memory in this process, whose
 * untouched pages read as zero (so the pagemap tells them without a read)? */
CRASHSIM_HIDDEN bool crashsim_private_anonymous(const void *addr, size_t len);
CRASHSIM_HIDDEN void crashsim_scan_open(struct crashsim_scan *sc);
CRASHSIM_HIDDEN void crashsim_scan_close(struct crashsim_scan *sc);
CRASHSIM_HIDDEN bool crashsim_untouched(struct crashsim_scan *sc, struct pagemap_window *w,
				       const char *addr);
CRASHSIM_HIDDEN bool crashsim_both_untouched(const struct crashsim *cs, struct crashsim_scan *sc,
					     size_t off);

/* Capture live line off into the pending set (a flush); the fence. */
CRASHSIM_HIDDEN int crashsim_pending_add(struct crashsim *cs, size_t off);
CRASHSIM_HIDDEN void crashsim_pending_commit(struct crashsim *cs);

/* Room for n copies in set (caller holds cs->lock); -ENOMEM with a message. */
CRASHSIM_HIDDEN int crashsim_reserve(struct crashsim *cs, struct line_copies *set, size_t n);
/* Append a pending copy of line off; room must have been reserved. */
CRASHSIM_HIDDEN int crashsim_pending_put(struct crashsim *cs, size_t off, const void *data);
CRASHSIM_HIDDEN void crashsim_pending_clear(struct crashsim *cs);
/* Make the inner device hold [lo, hi) of the live image. */
CRASHSIM_HIDDEN int crashsim_sync_inner(struct crashsim *cs, size_t lo, size_t hi);
CRASHSIM_HIDDEN bool crashsim_zero(const char *p, size_t len);
/* The device's state, or a message and -EINVAL/-ENXIO. */
CRASHSIM_HIDDEN int crashsim_find(struct daxdev *dev, const char *fn, struct crashsim **csp);

#endif
