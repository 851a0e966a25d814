/* SPDX-License-Identifier: MIT */
/*
 * Crash-simulator provider.  Live memory is the inner device's mapping; the
 * media is a private anonymous copy.  Declaring the write cache on with a
 * flush op makes the core send every copy, fill and flush on this device
 * through crashsim_flush(), and every fence through crashsim_drain().  The
 * two model x86 clwb and sfence: a flush captures the lines' content at that
 * moment into a pending set (written back, not yet known durable), a drain
 * copies the pending set to the media.  A crash lets each pending word land
 * or not, then compares live and media word by word: a differing word was
 * stored but never made durable, and the seed decides whether it survives.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "crashsim_model.h"
#include "providers.h"
#include "splitmix.h"

static const struct daxdev_operations crashsim_ops;

/* The public calls take any struct daxdev: only a device made with our ops
 * gives up its private data. */
CRASHSIM_HIDDEN int crashsim_find(struct daxdev *dev, const char *fn, struct crashsim **csp)
{
	struct crashsim *cs;

	daxdev_errormsg_clear();
	if (!dev)
		return daxdev_err(-EINVAL, "%s: NULL device", fn);
	cs = daxdev_private(dev, &crashsim_ops);
	if (!cs)
		return daxdev_err(-EINVAL, "%s: %s is not a crashsim device", fn,
				  daxdev_host(dev));
	if (!daxdev_alive(dev))
		return daxdev_err(-ENXIO, "%s: %s: device has been killed", fn, cs->host);
	*csp = cs;
	return 0;
}

CRASHSIM_HIDDEN bool crashsim_zero(const char *p, size_t len)
{
	return !len || (!p[0] && !memcmp(p, p + 1, len - 1));
}

/* --- operations ---------------------------------------------------------- */

/* clwb: capture the lines as they are now; nothing is durable until a fence. */
static int crashsim_flush(struct daxdev *dev, const void *addr, size_t len)
{
	struct crashsim *cs = daxdev_private(dev, &crashsim_ops);
	uintptr_t a = (uintptr_t)addr, base = (uintptr_t)cs->live;
	int rc = 0;

	if (a < base || a - base > cs->size || len > cs->size - (a - base))
		return -ERANGE;
	size_t first = (a - base) & ~(size_t)(LINE - 1);
	size_t end = (a - base + len + LINE - 1) & ~(size_t)(LINE - 1);

	pthread_mutex_lock(&cs->lock);
	if (cs->power_off) {
		cs->stats.lost_flushes++;
	} else {
		for (size_t off = first; off < end && !rc; off += LINE)
			rc = crashsim_pending_add(cs, off);
		cs->stats.flushes += rc == 0;
		cs->stats.lines += rc == 0 ? (end - first) / LINE : 0;
	}
	pthread_mutex_unlock(&cs->lock);
	return rc;
}

/* sfence.  The power cut set by crash_after() falls on a fence, so that the
 * lines flushed before it are still pending (maybe durable) at the crash. */
static void crashsim_drain(struct daxdev *dev)
{
	struct crashsim *cs = daxdev_private(dev, &crashsim_ops);

	pthread_mutex_lock(&cs->lock);
	if (!cs->power_off && cs->drain_budget == 0)
		cs->power_off = true;
	if (cs->power_off) {
		cs->stats.lost_drains++;
	} else {
		if (cs->drain_budget != NO_POWER_CUT)
			cs->drain_budget--;
		crashsim_pending_commit(cs);
		cs->stats.drains++;
	}
	pthread_mutex_unlock(&cs->lock);
}

static const char *power_state(const struct crashsim *cs)
{
	if (cs->power_off)
		return "cut";
	return cs->drain_budget == NO_POWER_CUT ? "on" : "cut at a later fence";
}

static int crashsim_describe(struct daxdev *dev, char *buf, size_t len)
{
	struct crashsim *cs = daxdev_private(dev, &crashsim_ops);
	struct daxdev_crashsim_stats s;
	const char *power;

	pthread_mutex_lock(&cs->lock);
	s = cs->stats;
	s.pending_lines = cs->pend.lines;
	s.intermediate_lines = cs->intermediate.n;
	power = power_state(cs);
	pthread_mutex_unlock(&cs->lock);
	return snprintf(buf, len,
			"crashsim-inner: %s\ncrashsim-power: %s\n"
			"crashsim-flushes: %llu (%llu lines, %llu lost)\n"
			"crashsim-drains: %llu (%llu lost, %llu lines pending)\n"
			"crashsim-crashes: %llu\n",
			daxdev_host(cs->inner), power,
			(unsigned long long)s.flushes, (unsigned long long)s.lines,
			(unsigned long long)s.lost_flushes, (unsigned long long)s.drains,
			(unsigned long long)s.lost_drains, (unsigned long long)s.pending_lines,
			(unsigned long long)s.crashes);
}

static void crashsim_free_sets(struct crashsim *cs)
{
	pthread_mutex_destroy(&cs->lock);
	free(cs->pend.copies.v);
	free(cs->pend.latest.keys);
	free(cs->pend.latest.vals);
	free(cs->intermediate.v);
}

static void crashsim_release(struct daxdev *dev)
{
	struct crashsim *cs = daxdev_private(dev, &crashsim_ops);

	munmap(cs->media, cs->size);
	daxdev_put(cs->inner);
	crashsim_free_sets(cs);
	free(cs);
}

/* The simulator's memory is its inner device's: so is the lock. */
static int crashsim_lock(struct daxdev *dev, unsigned flags)
{
	return daxdev_lock(((struct crashsim *)daxdev_private(dev, &crashsim_ops))->inner, flags);
}

static void crashsim_unlock(struct daxdev *dev)
{
	daxdev_unlock(((struct crashsim *)daxdev_private(dev, &crashsim_ops))->inner);
}

static const struct daxdev_operations crashsim_ops = {
	.sz = sizeof(struct daxdev_operations),
	.flush = crashsim_flush,
	.drain = crashsim_drain,
	.describe = crashsim_describe,
	.release = crashsim_release,
	.lock = crashsim_lock,
	.unlock = crashsim_unlock,
};

/* --- creation ------------------------------------------------------------ */

/* The media starts equal to the live image; pages that are zero in both
 * need no copy (an anonymous target costs nothing until written). */
static void copy_written_pages(struct crashsim *cs)
{
	struct crashsim_scan sc;

	crashsim_scan_open(&sc);
	for (size_t off = 0; off < cs->size; off += sc.page) {
		size_t n = cs->size - off < sc.page ? cs->size - off : sc.page;
		if (cs->live_private && crashsim_untouched(&sc, &sc.live, cs->live + off))
			continue;
		if (!crashsim_zero(cs->live + off, n))
			memcpy(cs->media + off, cs->live + off, n);
	}
	crashsim_scan_close(&sc);
}

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
	/* the live image (the inner device's) and the media both grow to
	 * the target's size as the program writes it all */
	if (daxdev_sim_check_fits("crashsim", daxdev_host(inner), size))
		return -EFBIG;
	got = daxdev_direct_access(inner, 0, (long)pages, &addr);
	if (got < 0)
		return (int)got;
	if ((uint64_t)got != pages)
		return daxdev_err(-EOPNOTSUPP, "crashsim: %s has no single contiguous mapping",
				  daxdev_host(inner));
	cs->live = addr;
	cs->size = (size_t)size;
	cs->live_private = crashsim_private_anonymous(cs->live, cs->size);
	cs->media = mmap(NULL, cs->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (cs->media == MAP_FAILED)
		return daxdev_err(-ENOMEM, "crashsim: %s: cannot map a %zu-byte media image",
				  daxdev_host(inner), cs->size);
	copy_written_pages(cs);
	return 0;
}

static int alloc_device(struct crashsim *cs, const struct daxdev_open_opts *opts,
			struct daxdev **devp)
{
	char reason[256];

	snprintf(cs->host, sizeof(cs->host), "crashsim:%s", daxdev_host(cs->inner));
	snprintf(reason, sizeof(reason), "simulated: power-failure model over %s",
		 daxdev_host(cs->inner));
	struct daxdev_params params = {
		.sz = sizeof(params), .provider = "crashsim", .host = cs->host,
		.size = cs->size, .align = daxdev_align(cs->inner), .base = cs->live,
		.persistence = DAXDEV_PERSISTENCE_PERSISTENT,
		.persistence_reason = reason, .write_cache = true,
		.flush_name = "crashsim", .unshared = true, .opts = opts,
		/* every page at live + pgoff * align: the core hands them out */
		.flat_mapping = true,
	};
	return daxdev_alloc(&crashsim_ops, &params, cs, devp);
}

static int crashsim_new(struct daxdev *inner, const struct daxdev_open_opts *opts,
			struct daxdev **devp)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct crashsim *cs;
	int rc;

	if (!inner || !devp)
		return daxdev_err(-EINVAL, "daxdev_crashsim_new: NULL device or result pointer");
	if (!daxdev_alive(inner))
		return daxdev_err(-ENXIO, "daxdev_crashsim_new: %s has been killed",
				  daxdev_host(inner));
	rc = daxdev_get_info(inner, &info);
	if (rc)
		return rc;
	if (info.readonly)
		return daxdev_err(-EINVAL, "daxdev_crashsim_new: %s is read-only: a crash rewrites memory",
				  info.host);
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return daxdev_err(-ENOMEM, "crashsim: out of memory");
	pthread_mutex_init(&cs->lock, NULL);
	cs->drain_budget = NO_POWER_CUT;
	cs->inner = daxdev_get(inner);
	rc = map_inner(cs, inner);
	if (rc)
		goto err_put;
	rc = alloc_device(cs, opts, &cs->dev);
	if (rc)
		goto err_unmap;
	*devp = cs->dev;
	return 0;

err_unmap:
	if (cs->media && cs->media != MAP_FAILED)
		munmap(cs->media, cs->size);
err_put:
	daxdev_put(cs->inner);
	crashsim_free_sets(cs);
	free(cs);
	return rc;
}

DAXDEV_API int daxdev_crashsim_new(struct daxdev *inner, struct daxdev **devp)
{
	return crashsim_new(inner, NULL, devp);
}

/* The inner device is opened as asked (size, create, access), but private
 * and with its platform's policy: the simulator's own policy comes from the
 * options. */
static int crashsim_open(const struct daxdev_open_args *args, struct daxdev **devp)
{
	DAXDEV_OPEN_OPTS(inner_opts, .size = args->opts->size, .mode = args->opts->mode,
			 .flags = args->opts->flags & ~DAXDEV_OPEN_REUSE);
	struct daxdev *inner;
	int rc;

	if (!args->target[0])
		return daxdev_err(-EINVAL, "crashsim: a target is required, e.g. crashsim:anon:1M");
	rc = daxdev_open(args->target, &inner_opts, &inner);
	if (rc)
		return rc;
	rc = crashsim_new(inner, args->opts, devp);
	daxdev_put(inner);
	return rc;
}

DAXDEV_PROVIDER_ENTRY const struct daxdev_provider daxdev_provider_crashsim = {
	.name = "crashsim",
	.prefix = "crashsim:",
	.open = crashsim_open,
};

/* --- crashing ------------------------------------------------------------ */

/* How the seed picks surviving words: first a pattern, then coin flips. */
enum survival { ALL_OLD, ALL_NEW, BY_LINE, BY_WORD, MOSTLY_NEW, MOSTLY_OLD };

struct chooser {
	uint64_t state;
	enum survival how;
	bool line_new;
};

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
CRASHSIM_HIDDEN int crashsim_sync_inner(struct crashsim *cs, size_t lo, size_t hi)
{
	if (lo >= hi)
		return 0;
	return daxdev_flush(cs->inner, cs->live + lo, hi - lo);
}

/* Write-backs that may still land at the power cut: each word of each
 * copy, in order, reaches the media or not by the seed.  Counts the words
 * at stake and those that landed. */
static void land_versions(struct crashsim *cs, const struct line_copies *set,
			  struct chooser *c, uint64_t *words, uint64_t *landed)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct line_copy *lc = &set->v[i];

		chooser_next_line(c);
		for (size_t w = 0; w < LINE; w += WORD) {
			char *m = cs->media + lc->off + w;

			if (!memcmp(m, lc->data + w, WORD))
				continue;
			(*words)++;
			if (chooser_keeps_new(c)) {
				memcpy(m, lc->data + w, WORD);
				(*landed)++;
			}
		}
	}
}

/* Settle every line where live and media differ; *lo, *hi: the span. */
static void settle_all(struct crashsim *cs, struct chooser *c, size_t *lo, size_t *hi)
{
	struct crashsim_scan sc;

	crashsim_scan_open(&sc);
	for (size_t p = 0; p < cs->size; p += sc.page) {
		size_t end = cs->size - p < sc.page ? cs->size : p + sc.page;
		if (crashsim_both_untouched(cs, &sc, p) ||
		    !memcmp(cs->live + p, cs->media + p, end - p))
			continue;
		for (size_t off = p; off < end; off += LINE) {
			if (!memcmp(cs->live + off, cs->media + off, LINE))
				continue;
			settle_line(cs, off, c);
			*lo = *lo < off ? *lo : off;
			*hi = off + LINE;
		}
	}
	crashsim_scan_close(&sc);
}

/* Write cache off: the platform persists every store (eADR). */
static void keep_everything(struct crashsim *cs)
{
	struct crashsim_scan sc;

	crashsim_pending_clear(cs);
	cs->intermediate.n = 0;
	crashsim_scan_open(&sc);
	for (size_t p = 0; p < cs->size; p += sc.page) {
		size_t n = cs->size - p < sc.page ? cs->size - p : sc.page;
		if (!crashsim_both_untouched(cs, &sc, p) && memcmp(cs->live + p, cs->media + p, n))
			memcpy(cs->media + p, cs->live + p, n);
	}
	crashsim_scan_close(&sc);
}

static void reset_crash_stats(struct daxdev_crashsim_stats *st)
{
	st->crash_words = st->crash_words_new = 0;
	st->crash_pending_words = st->crash_pending_words_new = 0;
	st->crash_intermediate_words = st->crash_intermediate_words_new = 0;
}

DAXDEV_API int daxdev_crashsim_crash(struct daxdev *dev, uint64_t seed)
{
	struct crashsim *cs;
	struct chooser c;
	size_t lo = SIZE_MAX, hi = 0;
	int rc = crashsim_find(dev, "daxdev_crashsim_crash", &cs);

	if (rc)
		return rc;
	chooser_init(&c, seed);
	pthread_mutex_lock(&cs->lock);
	reset_crash_stats(&cs->stats);
	if (daxdev_write_cache(dev) == 0) {
		keep_everything(cs);
	} else {
		/* Intermediate values were held before the pending flushes. */
		land_versions(cs, &cs->intermediate, &c, &cs->stats.crash_intermediate_words,
			      &cs->stats.crash_intermediate_words_new);
		land_versions(cs, &cs->pend.copies, &c, &cs->stats.crash_pending_words,
			      &cs->stats.crash_pending_words_new);
		crashsim_pending_clear(cs);
		cs->intermediate.n = 0;
	}
	settle_all(cs, &c, &lo, &hi);
	cs->stats.crashes++;
	cs->drain_budget = NO_POWER_CUT;
	cs->power_off = false;
	pthread_mutex_unlock(&cs->lock);
	return crashsim_sync_inner(cs, lo, hi);
}

DAXDEV_API int daxdev_crashsim_crash_after(struct daxdev *dev, uint64_t n)
{
	struct crashsim *cs;
	int rc = crashsim_find(dev, "daxdev_crashsim_crash_after", &cs);

	if (rc)
		return rc;
	if (n == NO_POWER_CUT)
		return daxdev_err(-EINVAL, "daxdev_crashsim_crash_after: %s: n too large",
				  cs->host);
	pthread_mutex_lock(&cs->lock);
	cs->drain_budget = n;
	cs->power_off = false;
	pthread_mutex_unlock(&cs->lock);
	return 0;
}

DAXDEV_API int daxdev_crashsim_stats(struct daxdev *dev, struct daxdev_crashsim_stats *stats)
{
	struct daxdev_crashsim_stats now;
	struct crashsim *cs;
	int rc = crashsim_find(dev, "daxdev_crashsim_stats", &cs);

	if (rc)
		return rc;
	if (!stats)
		return daxdev_err(-EINVAL, "daxdev_crashsim_stats: NULL result pointer");
	pthread_mutex_lock(&cs->lock);
	now = cs->stats;
	now.pending_lines = cs->pend.lines;
	now.intermediate_lines = cs->intermediate.n;
	pthread_mutex_unlock(&cs->lock);
	now.sz = sizeof(now);
	return daxdev_struct_out(stats, &now, sizeof(now));
}
