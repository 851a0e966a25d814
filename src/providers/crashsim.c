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
#include <daxdev/crashsim.h>
#include "providers.h"

#define LINE 64u
#define WORD 8u
#define NO_POWER_CUT UINT64_MAX

/* One flushed line: its content when the flush ran.  A later store to the
 * line is not covered by this copy, which is the point of keeping it. */
struct line_copy {
	size_t off;
	unsigned char data[LINE];
};

/* Lines flushed since the last fence, in flush order.  A line flushed again
 * with new content gets a second copy: its write-backs reach the media in
 * order, so a crash may leave any of the versions (or none). */
struct pending {
	struct line_copy *v;
	size_t n, cap;
	uint32_t *latest;             /* per line: index + 1 of its newest copy */
	size_t lines;                 /* distinct lines in v */
};

struct crashsim {
	struct daxdev *dev;
	struct daxdev *inner;
	char *live;                   /* the inner device's mapping */
	char *media;                  /* what survives a power cut */
	size_t size;
	pthread_mutex_t lock;         /* images, pending set, budget, counters */
	struct pending pend;
	uint64_t drain_budget;        /* fences left before the power cut */
	bool power_off;               /* cut: flushes and fences no longer count */
	struct daxdev_crashsim_stats stats;
	char host[4096];
};

struct daxdev_crashsim_snapshot {
	const struct crashsim *owner;
	size_t size;
	char *live;
	char *media;
	struct line_copy *pend;
	size_t npend;
};

static const struct daxdev_operations crashsim_ops;

/* The public calls take any struct daxdev: only a device made with our ops
 * gives up its private data. */
static int sims_find(struct daxdev *dev, const char *fn, struct crashsim **csp)
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

/* --- the pending set (caller holds cs->lock) ----------------------------- */

static int pending_reserve(struct crashsim *cs, size_t n)
{
	struct pending *p = &cs->pend;
	size_t cap = p->cap ? p->cap : 64;
	struct line_copy *v;

	if (n <= p->cap)
		return 0;
	/* latest[] holds index + 1 in 32 bits. */
	if (n >= UINT32_MAX || n > SIZE_MAX / sizeof(*v))
		return daxdev_err(-ENOMEM, "crashsim: %s: more than %u lines flushed without a fence",
				  cs->host, UINT32_MAX - 1);
	while (cap < n)
		cap = cap > SIZE_MAX / 2 / sizeof(*v) ? n : cap * 2;
	v = realloc(p->v, cap * sizeof(*v));
	if (!v)
		return daxdev_err(-ENOMEM, "crashsim: %s: out of memory for %zu pending lines",
				  cs->host, n);
	p->v = v;
	p->cap = cap;
	return 0;
}

/* Append a copy of one line; room must have been reserved. */
static void pending_put(struct crashsim *cs, size_t off, const void *data)
{
	struct pending *p = &cs->pend;
	uint32_t *latest = &p->latest[off / LINE];

	p->v[p->n].off = off;
	memcpy(p->v[p->n].data, data, LINE);
	p->lines += *latest == 0;
	*latest = (uint32_t)++p->n;
}

/* Capture live line off unless that would change nothing: the same content
 * as the line's newest copy, or (no copy yet) as the media. */
static int pending_add(struct crashsim *cs, size_t off)
{
	struct pending *p = &cs->pend;
	uint32_t latest = p->latest[off / LINE];
	const void *have = latest ? (const void *)p->v[latest - 1].data
				  : (const void *)(cs->media + off);
	int rc;

	if (!memcmp(have, cs->live + off, LINE))
		return 0;
	rc = pending_reserve(cs, p->n + 1);
	if (!rc)
		pending_put(cs, off, cs->live + off);
	return rc;
}

static void pending_clear(struct crashsim *cs)
{
	struct pending *p = &cs->pend;

	for (size_t i = 0; i < p->n; i++)
		p->latest[p->v[i].off / LINE] = 0;
	p->n = 0;
	p->lines = 0;
}

/* The fence: every flushed line is durable with its newest flushed content. */
static void pending_commit(struct crashsim *cs)
{
	for (size_t i = 0; i < cs->pend.n; i++)
		memcpy(cs->media + cs->pend.v[i].off, cs->pend.v[i].data, LINE);
	pending_clear(cs);
}

/* --- operations ---------------------------------------------------------- */

static long crashsim_direct_access(struct daxdev *dev, uint64_t pgoff, long nr_pages,
				   void **addr)
{
	struct crashsim *cs = daxdev_private(dev, &crashsim_ops);
	uint64_t align = daxdev_align(dev);
	uint64_t pages = cs->size / align;

	if (pgoff >= pages)
		return -ERANGE;
	*addr = cs->live + pgoff * align;
	return (uint64_t)nr_pages > pages - pgoff ? (long)(pages - pgoff) : nr_pages;
}

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
			rc = pending_add(cs, off);
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
		pending_commit(cs);
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

static void crashsim_release(struct daxdev *dev)
{
	struct crashsim *cs = daxdev_private(dev, &crashsim_ops);

	munmap(cs->media, cs->size);
	daxdev_put(cs->inner);
	pthread_mutex_destroy(&cs->lock);
	free(cs->pend.v);
	free(cs->pend.latest);
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
	.direct_access = crashsim_direct_access,
	.flush = crashsim_flush,
	.drain = crashsim_drain,
	.describe = crashsim_describe,
	.release = crashsim_release,
	.lock = crashsim_lock,
	.unlock = crashsim_unlock,
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
	/* One slot per line, so that a flush finds a line's pending copy at once. */
	cs->pend.latest = calloc(cs->size / LINE, sizeof(*cs->pend.latest));
	rc = cs->pend.latest ? alloc_device(cs, opts, &cs->dev)
			     : daxdev_err(-ENOMEM, "crashsim: %s: out of memory",
						  daxdev_host(inner));
	if (rc)
		goto err_unmap;
	*devp = cs->dev;
	return 0;

err_unmap:
	if (cs->media && cs->media != MAP_FAILED)
		munmap(cs->media, cs->size);
err_put:
	daxdev_put(cs->inner);
	pthread_mutex_destroy(&cs->lock);
	free(cs->pend.latest);
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

/* The write-backs still in flight at the power cut: each word of each
 * pending copy, in flush order, reaches the media or not by the seed. */
static void land_pending(struct crashsim *cs, struct chooser *c)
{
	for (size_t i = 0; i < cs->pend.n; i++) {
		const struct line_copy *lc = &cs->pend.v[i];

		chooser_next_line(c);
		for (size_t w = 0; w < LINE; w += WORD) {
			char *m = cs->media + lc->off + w;

			if (!memcmp(m, lc->data + w, WORD))
				continue;
			cs->stats.crash_pending_words++;
			if (chooser_keeps_new(c)) {
				memcpy(m, lc->data + w, WORD);
				cs->stats.crash_pending_words_new++;
			}
		}
	}
	pending_clear(cs);
}

DAXDEV_API int daxdev_crashsim_crash(struct daxdev *dev, uint64_t seed)
{
	struct crashsim *cs;
	struct chooser c;
	size_t lo = SIZE_MAX, hi = 0;
	int rc = sims_find(dev, "daxdev_crashsim_crash", &cs);

	if (rc)
		return rc;
	chooser_init(&c, seed);
	pthread_mutex_lock(&cs->lock);
	cs->stats.crash_words = cs->stats.crash_words_new = 0;
	cs->stats.crash_pending_words = cs->stats.crash_pending_words_new = 0;
	/* Write cache off means the platform persists every store (eADR). */
	if (daxdev_write_cache(dev) == 0) {
		pending_clear(cs);
		memcpy(cs->media, cs->live, cs->size);
	} else {
		land_pending(cs, &c);
	}
	for (size_t off = 0; off < cs->size; off += LINE) {
		if (!memcmp(cs->live + off, cs->media + off, LINE))
			continue;
		settle_line(cs, off, &c);
		lo = lo < off ? lo : off;
		hi = off + LINE;
	}
	cs->stats.crashes++;
	cs->drain_budget = NO_POWER_CUT;
	cs->power_off = false;
	pthread_mutex_unlock(&cs->lock);
	return sync_inner(cs, lo, hi);
}

DAXDEV_API int daxdev_crashsim_crash_after(struct daxdev *dev, uint64_t n)
{
	struct crashsim *cs;
	int rc = sims_find(dev, "daxdev_crashsim_crash_after", &cs);

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
	int rc = sims_find(dev, "daxdev_crashsim_stats", &cs);

	if (rc)
		return rc;
	if (!stats)
		return daxdev_err(-EINVAL, "daxdev_crashsim_stats: NULL result pointer");
	pthread_mutex_lock(&cs->lock);
	now = cs->stats;
	now.pending_lines = cs->pend.lines;
	pthread_mutex_unlock(&cs->lock);
	now.sz = sizeof(now);
	return daxdev_struct_out(stats, &now, sizeof(now));
}

/* --- snapshots ----------------------------------------------------------- */

DAXDEV_API void daxdev_crashsim_snapshot_free(struct daxdev_crashsim_snapshot *snap)
{
	if (!snap)
		return;
	free(snap->live);
	free(snap->media);
	free(snap->pend);
	free(snap);
}

/* Both images and the pending set; NULL when out of memory.  Caller holds
 * cs->lock, so that the three agree. */
static struct daxdev_crashsim_snapshot *snapshot_take(struct crashsim *cs)
{
	struct daxdev_crashsim_snapshot *snap = calloc(1, sizeof(*snap));
	size_t npend = cs->pend.n;

	if (!snap)
		return NULL;
	snap->live = malloc(cs->size);
	snap->media = malloc(cs->size);
	snap->pend = npend ? malloc(npend * sizeof(*snap->pend)) : NULL;
	if (!snap->live || !snap->media || (npend && !snap->pend)) {
		daxdev_crashsim_snapshot_free(snap);
		return NULL;
	}
	snap->owner = cs;
	snap->size = cs->size;
	snap->npend = npend;
	memcpy(snap->live, cs->live, cs->size);
	memcpy(snap->media, cs->media, cs->size);
	if (npend)
		memcpy(snap->pend, cs->pend.v, npend * sizeof(*snap->pend));
	return snap;
}

DAXDEV_API int daxdev_crashsim_save(struct daxdev *dev, struct daxdev_crashsim_snapshot **snapp)
{
	struct daxdev_crashsim_snapshot *snap;
	struct crashsim *cs;
	size_t npend;
	int rc = sims_find(dev, "daxdev_crashsim_save", &cs);

	if (rc)
		return rc;
	if (!snapp)
		return daxdev_err(-EINVAL, "daxdev_crashsim_save: NULL result pointer");
	pthread_mutex_lock(&cs->lock);
	snap = snapshot_take(cs);
	npend = cs->pend.n;
	pthread_mutex_unlock(&cs->lock);
	if (!snap)
		return daxdev_err(-ENOMEM, "daxdev_crashsim_save: %s: out of memory for two %zu-byte images and %zu pending lines",
				  cs->host, cs->size, npend);
	*snapp = snap;
	return 0;
}

DAXDEV_API int daxdev_crashsim_restore(struct daxdev *dev,
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
	/* Reserve first: a failed restore leaves the device as it was. */
	rc = pending_reserve(cs, snap->npend);
	if (!rc) {
		pending_clear(cs);
		for (size_t i = 0; i < snap->npend; i++)
			pending_put(cs, snap->pend[i].off, snap->pend[i].data);
		memcpy(cs->live, snap->live, cs->size);
		memcpy(cs->media, snap->media, cs->size);
		cs->drain_budget = NO_POWER_CUT;
		cs->power_off = false;
	}
	pthread_mutex_unlock(&cs->lock);
	return rc ? rc : sync_inner(cs, 0, cs->size);
}
