/* SPDX-License-Identifier: MIT */
/*
 * Crash-simulator provider.  Live memory is the inner device's mapping; the
 * media is a private anonymous copy.  Declaring the write cache on with a
 * flush op makes the core send every copy, fill and flush on this device
 * through crashsim_flush(), which is the only path from live to media.  A
 * crash compares the two images word by word: a differing word was stored
 * but not flushed, and the seed decides whether it survives.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <daxdev/crashsim.h>
#include "providers.h"

#define EXPORT __attribute__((visibility("default")))
#define LINE 64u
#define WORD 8u
#define NO_POWER_CUT UINT64_MAX

struct crashsim {
	struct crashsim *next;        /* in the list of live simulators */
	struct daxdev *dev;
	struct daxdev *inner;
	char *live;                   /* the inner device's mapping */
	char *media;                  /* what survives a power cut */
	size_t size;
	pthread_mutex_t lock;         /* images, budget and counters */
	uint64_t flush_budget;        /* flushes left before the power cut */
	struct daxdev_crashsim_stats stats;
	char host[4096];
};

struct daxdev_crashsim_snapshot {
	const struct crashsim *owner;
	size_t size;
	char *live;
	char *media;
};

/* The public calls take any struct daxdev; this list tells ours apart
 * without reading another provider's private data. */
static pthread_mutex_t sims_lock = PTHREAD_MUTEX_INITIALIZER;
static struct crashsim *sims;

static void sims_add(struct crashsim *cs)
{
	pthread_mutex_lock(&sims_lock);
	cs->next = sims;
	sims = cs;
	pthread_mutex_unlock(&sims_lock);
}

static void sims_remove(struct crashsim *cs)
{
	pthread_mutex_lock(&sims_lock);
	for (struct crashsim **p = &sims; *p; p = &(*p)->next) {
		if (*p == cs) {
			*p = cs->next;
			break;
		}
	}
	pthread_mutex_unlock(&sims_lock);
}

static int sims_find(struct daxdev *dev, const char *fn, struct crashsim **csp)
{
	struct crashsim *cs;

	if (!dev)
		return daxdev_err(-EINVAL, "%s: NULL device", fn);
	pthread_mutex_lock(&sims_lock);
	for (cs = sims; cs && cs->dev != dev; cs = cs->next)
		;
	pthread_mutex_unlock(&sims_lock);
	if (!cs)
		return daxdev_err(-EINVAL, "%s: %s is not a crashsim device", fn,
				  daxdev_host(dev));
	if (!daxdev_alive(dev))
		return daxdev_err(-ENXIO, "%s: %s: device has been killed", fn, cs->host);
	*csp = cs;
	return 0;
}

/* --- operations ---------------------------------------------------------- */

static long crashsim_direct_access(struct daxdev *dev, uint64_t pgoff, long nr_pages,
				   void **addr)
{
	struct crashsim *cs = daxdev_private(dev);
	uint64_t align = daxdev_align(dev);
	uint64_t pages = cs->size / align;

	if (pgoff >= pages)
		return -ERANGE;
	*addr = cs->live + pgoff * align;
	return (uint64_t)nr_pages > pages - pgoff ? (long)(pages - pgoff) : nr_pages;
}

static int crashsim_flush(struct daxdev *dev, const void *addr, size_t len)
{
	struct crashsim *cs = daxdev_private(dev);
	uintptr_t a = (uintptr_t)addr, base = (uintptr_t)cs->live;

	if (a < base || a - base > cs->size || len > cs->size - (a - base))
		return -ERANGE;
	size_t first = (a - base) & ~(size_t)(LINE - 1);
	size_t end = (a - base + len + LINE - 1) & ~(size_t)(LINE - 1);

	pthread_mutex_lock(&cs->lock);
	if (cs->flush_budget == 0) {
		cs->stats.lost_flushes++;
	} else {
		if (cs->flush_budget != NO_POWER_CUT)
			cs->flush_budget--;
		memcpy(cs->media + first, cs->live + first, end - first);
		cs->stats.flushes++;
		cs->stats.lines += (end - first) / LINE;
	}
	pthread_mutex_unlock(&cs->lock);
	return 0;
}

static int crashsim_describe(struct daxdev *dev, char *buf, size_t len)
{
	struct crashsim *cs = daxdev_private(dev);
	struct daxdev_crashsim_stats s;
	uint64_t budget;

	pthread_mutex_lock(&cs->lock);
	s = cs->stats;
	budget = cs->flush_budget;
	pthread_mutex_unlock(&cs->lock);
	return snprintf(buf, len,
			"crashsim-inner: %s\ncrashsim-power: %s\n"
			"crashsim-flushes: %llu (%llu lines, %llu lost)\ncrashsim-crashes: %llu\n",
			daxdev_host(cs->inner),
			budget == NO_POWER_CUT ? "on" : budget ? "cut after more flushes" : "cut",
			(unsigned long long)s.flushes, (unsigned long long)s.lines,
			(unsigned long long)s.lost_flushes, (unsigned long long)s.crashes);
}

static void crashsim_release(struct daxdev *dev)
{
	struct crashsim *cs = daxdev_private(dev);

	sims_remove(cs);
	munmap(cs->media, cs->size);
	daxdev_put(cs->inner);
	pthread_mutex_destroy(&cs->lock);
	free(cs);
}

static const struct daxdev_operations crashsim_ops = {
	.direct_access = crashsim_direct_access,
	.flush = crashsim_flush,
	.describe = crashsim_describe,
	.release = crashsim_release,
};

/* --- creation ------------------------------------------------------------ */

static int map_inner(struct crashsim *cs, struct daxdev *inner)
{
	uint64_t size = daxdev_size(inner), align = daxdev_align(inner);
	uint64_t pages = size / align;
	void *addr;
	long got;

	if (size > SIZE_MAX || pages > (uint64_t)LONG_MAX || align % LINE)
		return daxdev_err(-EINVAL, "crashsim: %s: size %llu or page size %llu not supported",
				  daxdev_host(inner), (unsigned long long)size,
				  (unsigned long long)align);
	got = daxdev_direct_access(inner, 0, (long)pages, &addr);
	if (got < 0)
		return (int)got;
	if ((uint64_t)got != pages)
		return daxdev_err(-EOPNOTSUPP, "crashsim: %s has no single contiguous mapping",
				  daxdev_host(inner));
	cs->live = addr;
	cs->size = (size_t)size;
	cs->media = mmap(NULL, cs->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (cs->media == MAP_FAILED)
		return daxdev_err(-ENOMEM, "crashsim: %s: cannot map a %zu-byte media image",
				  daxdev_host(inner), cs->size);
	memcpy(cs->media, cs->live, cs->size);
	return 0;
}

static int alloc_device(struct crashsim *cs, struct daxdev **devp)
{
	char reason[256];

	snprintf(cs->host, sizeof(cs->host), "crashsim:%s", daxdev_host(cs->inner));
	snprintf(reason, sizeof(reason), "simulated: power-failure model over %s",
		 daxdev_host(cs->inner));
	struct daxdev_params params = {
		.provider = "crashsim", .host = cs->host, .size = cs->size,
		.align = daxdev_align(cs->inner), .base = cs->live,
		.persistence = DAXDEV_PERSISTENCE_PERSISTENT,
		.persistence_reason = reason, .write_cache = true,
		.flush_name = "crashsim", .unshared = true,
	};
	return daxdev_alloc(&crashsim_ops, &params, cs, devp);
}

EXPORT int daxdev_crashsim_new(struct daxdev *inner, struct daxdev **devp)
{
	struct crashsim *cs;
	int rc;

	if (!inner || !devp)
		return daxdev_err(-EINVAL, "daxdev_crashsim_new: NULL device or result pointer");
	if (!daxdev_alive(inner))
		return daxdev_err(-ENXIO, "daxdev_crashsim_new: %s has been killed",
				  daxdev_host(inner));
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return daxdev_err(-ENOMEM, "crashsim: out of memory");
	pthread_mutex_init(&cs->lock, NULL);
	cs->flush_budget = NO_POWER_CUT;
	cs->inner = daxdev_get(inner);
	rc = map_inner(cs, inner);
	if (rc)
		goto err_put;
	rc = alloc_device(cs, &cs->dev);
	if (rc)
		goto err_unmap;
	sims_add(cs);
	*devp = cs->dev;
	return 0;

err_unmap:
	if (cs->media && cs->media != MAP_FAILED)
		munmap(cs->media, cs->size);
err_put:
	daxdev_put(cs->inner);
	pthread_mutex_destroy(&cs->lock);
	free(cs);
	return rc;
}

DAXDEV_PROVIDER_ENTRY int daxdev_crashsim_open(const struct daxdev_open_args *args,
					       struct daxdev **devp)
{
	struct daxdev *inner;
	int rc;

	if (!args->target[0])
		return daxdev_err(-EINVAL, "crashsim: a target is required, e.g. crashsim:anon:1M");
	rc = daxdev_open_size(args->target, args->size, args->flags, &inner);
	if (rc)
		return rc;
	rc = daxdev_crashsim_new(inner, devp);
	daxdev_put(inner);
	return rc;
}

/* --- crashing ------------------------------------------------------------ */

/* How the seed picks surviving words: first a pattern, then coin flips. */
enum survival { ALL_OLD, ALL_NEW, BY_LINE, BY_WORD, MOSTLY_NEW, MOSTLY_OLD };

struct chooser {
	uint64_t state;
	enum survival how;
	bool line_new;
};

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static void chooser_init(struct chooser *c, uint64_t seed)
{
	static const enum survival patterns[8] = {
		ALL_OLD, ALL_NEW, BY_LINE, BY_LINE, BY_WORD, BY_WORD, MOSTLY_NEW, MOSTLY_OLD,
	};

	c->state = seed;
	c->how = patterns[splitmix64(&c->state) % 8];
}

static void chooser_next_line(struct chooser *c)
{
	if (c->how == BY_LINE)
		c->line_new = splitmix64(&c->state) & 1;
}

static bool chooser_keeps_new(struct chooser *c)
{
	switch (c->how) {
	case ALL_OLD:
		return false;
	case ALL_NEW:
		return true;
	case BY_LINE:
		return c->line_new;
	case BY_WORD:
		return splitmix64(&c->state) & 1;
	case MOSTLY_NEW:
		return splitmix64(&c->state) % 8 != 0;
	case MOSTLY_OLD:
		return splitmix64(&c->state) % 8 == 0;
	}
	return false;
}

/* Settle one line that differs: each differing word becomes old or new in
 * both images. */
static void settle_line(struct crashsim *cs, size_t off, struct chooser *c)
{
	chooser_next_line(c);
	for (size_t w = off; w < off + LINE; w += WORD) {
		uint64_t old, new;
		memcpy(&old, cs->media + w, WORD);
		memcpy(&new, cs->live + w, WORD);
		if (old == new)
			continue;
		cs->stats.crash_words++;
		if (chooser_keeps_new(c)) {
			memcpy(cs->media + w, &new, WORD);
			cs->stats.crash_words_new++;
		} else {
			memcpy(cs->live + w, &old, WORD);
		}
	}
}

/* Make the inner device hold what the live image now holds. */
static int sync_inner(struct crashsim *cs, size_t lo, size_t hi)
{
	if (lo >= hi)
		return 0;
	return daxdev_flush(cs->inner, cs->live + lo, hi - lo);
}

EXPORT int daxdev_crashsim_crash(struct daxdev *dev, uint64_t seed)
{
	struct crashsim *cs;
	struct chooser c;
	size_t lo = SIZE_MAX, hi = 0;
	int rc = sims_find(dev, "daxdev_crashsim_crash", &cs);

	if (rc)
		return rc;
	chooser_init(&c, seed);
	pthread_mutex_lock(&cs->lock);
	/* Write cache off means the platform persists every store (eADR). */
	if (daxdev_write_cache(dev) == 0)
		memcpy(cs->media, cs->live, cs->size);
	cs->stats.crash_words = cs->stats.crash_words_new = 0;
	for (size_t off = 0; off < cs->size; off += LINE) {
		if (!memcmp(cs->live + off, cs->media + off, LINE))
			continue;
		settle_line(cs, off, &c);
		lo = lo < off ? lo : off;
		hi = off + LINE;
	}
	cs->stats.crashes++;
	cs->flush_budget = NO_POWER_CUT;
	pthread_mutex_unlock(&cs->lock);
	return sync_inner(cs, lo, hi);
}

EXPORT int daxdev_crashsim_crash_after(struct daxdev *dev, uint64_t n)
{
	struct crashsim *cs;
	int rc = sims_find(dev, "daxdev_crashsim_crash_after", &cs);

	if (rc)
		return rc;
	if (n == NO_POWER_CUT)
		return daxdev_err(-EINVAL, "daxdev_crashsim_crash_after: %s: n too large",
				  cs->host);
	pthread_mutex_lock(&cs->lock);
	cs->flush_budget = n;
	pthread_mutex_unlock(&cs->lock);
	return 0;
}

EXPORT int daxdev_crashsim_stats(struct daxdev *dev, struct daxdev_crashsim_stats *stats)
{
	struct crashsim *cs;
	int rc = sims_find(dev, "daxdev_crashsim_stats", &cs);

	if (rc)
		return rc;
	if (!stats)
		return daxdev_err(-EINVAL, "daxdev_crashsim_stats: NULL result pointer");
	pthread_mutex_lock(&cs->lock);
	*stats = cs->stats;
	pthread_mutex_unlock(&cs->lock);
	return 0;
}

/* --- snapshots ----------------------------------------------------------- */

EXPORT void daxdev_crashsim_snapshot_free(struct daxdev_crashsim_snapshot *snap)
{
	if (!snap)
		return;
	free(snap->live);
	free(snap->media);
	free(snap);
}

EXPORT int daxdev_crashsim_save(struct daxdev *dev, struct daxdev_crashsim_snapshot **snapp)
{
	struct daxdev_crashsim_snapshot *snap;
	struct crashsim *cs;
	int rc = sims_find(dev, "daxdev_crashsim_save", &cs);

	if (rc)
		return rc;
	if (!snapp)
		return daxdev_err(-EINVAL, "daxdev_crashsim_save: NULL result pointer");
	snap = calloc(1, sizeof(*snap));
	if (snap) {
		snap->live = malloc(cs->size);
		snap->media = malloc(cs->size);
	}
	if (!snap || !snap->live || !snap->media) {
		daxdev_crashsim_snapshot_free(snap);
		return daxdev_err(-ENOMEM, "daxdev_crashsim_save: %s: out of memory for %zu bytes",
				  cs->host, 2 * cs->size);
	}
	snap->owner = cs;
	snap->size = cs->size;
	pthread_mutex_lock(&cs->lock);
	memcpy(snap->live, cs->live, cs->size);
	memcpy(snap->media, cs->media, cs->size);
	pthread_mutex_unlock(&cs->lock);
	*snapp = snap;
	return 0;
}

EXPORT int daxdev_crashsim_restore(struct daxdev *dev,
				   const struct daxdev_crashsim_snapshot *snap)
{
	struct crashsim *cs;
	int rc = sims_find(dev, "daxdev_crashsim_restore", &cs);

	if (rc)
		return rc;
	if (!snap || snap->owner != cs || snap->size != cs->size)
		return daxdev_err(-EINVAL, "daxdev_crashsim_restore: %s: snapshot missing or taken from another device",
				  cs->host);
	pthread_mutex_lock(&cs->lock);
	memcpy(cs->live, snap->live, cs->size);
	memcpy(cs->media, snap->media, cs->size);
	cs->flush_budget = NO_POWER_CUT;
	pthread_mutex_unlock(&cs->lock);
	return sync_inner(cs, 0, cs->size);
}
