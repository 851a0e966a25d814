/* SPDX-License-Identifier: MIT */
/*
 * crashsim snapshots: both images and the pending and intermediate sets,
 * to crash one state under many seeds.  Sparse: only pages that are not
 * zero in both images are kept, so a large, mostly untouched target costs
 * what was written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crashsim_model.h"

struct saved_page {
	size_t off;
	char *live, *media;           /* NULL: that image's page is zero */
};

struct daxdev_crashsim_snapshot {
	const struct crashsim *owner;
	size_t size, page;
	struct saved_page *pages;
	size_t npages;
	struct line_copies pend, intermediate;
};

DAXDEV_API void daxdev_crashsim_snapshot_free(struct daxdev_crashsim_snapshot *snap)
{
	if (!snap)
		return;
	for (size_t i = 0; i < snap->npages; i++) {
		free(snap->pages[i].live);
		free(snap->pages[i].media);
	}
	free(snap->pages);
	free(snap->pend.v);
	free(snap->intermediate.v);
	free(snap);
}

static char *copy_unless_zero(const char *p, size_t n, bool *failed)
{
	char *c;

	if (crashsim_zero(p, n))
		return NULL;
	c = malloc(n);
	if (!c)
		*failed = true;
	else
		memcpy(c, p, n);
	return c;
}

static int save_page(struct daxdev_crashsim_snapshot *snap, const struct crashsim *cs,
		     struct crashsim_scan *sc, size_t off, size_t *cap)
{
	size_t n = cs->size - off < snap->page ? cs->size - off : snap->page;
	bool failed = false;
	struct saved_page sp = { .off = off };

	if (crashsim_both_untouched(cs, sc, off))
		return 0;
	sp.live = copy_unless_zero(cs->live + off, n, &failed);
	sp.media = copy_unless_zero(cs->media + off, n, &failed);
	if (!failed && !sp.live && !sp.media)
		return 0;
	if (!failed && snap->npages == *cap) {
		struct saved_page *grown = realloc(snap->pages, (*cap ? *cap * 2 : 64) * sizeof(*grown));
		failed = !grown;
		if (grown) {
			snap->pages = grown;
			*cap = *cap ? *cap * 2 : 64;
		}
	}
	if (failed) {
		free(sp.live);
		free(sp.media);
		return -ENOMEM;
	}
	snap->pages[snap->npages++] = sp;
	return 0;
}

static int copy_set(struct line_copies *to, const struct line_copies *from)
{
	to->n = to->cap = from->n;
	if (!from->n)
		return 0;
	to->v = malloc(from->n * sizeof(*to->v));
	if (!to->v)
		return -ENOMEM;
	memcpy(to->v, from->v, from->n * sizeof(*to->v));
	return 0;
}

/* Caller holds cs->lock, so that images and sets agree. */
static int snapshot_take(struct crashsim *cs, struct daxdev_crashsim_snapshot *snap)
{
	struct crashsim_scan sc;
	size_t cap = 0;
	int rc = 0;

	snap->owner = cs;
	snap->size = cs->size;
	crashsim_scan_open(&sc);
	snap->page = sc.page;
	for (size_t off = 0; off < cs->size && !rc; off += snap->page)
		rc = save_page(snap, cs, &sc, off, &cap);
	crashsim_scan_close(&sc);
	if (!rc)
		rc = copy_set(&snap->pend, &cs->pend.copies);
	if (!rc)
		rc = copy_set(&snap->intermediate, &cs->intermediate);
	return rc;
}

DAXDEV_API int daxdev_crashsim_save(struct daxdev *dev, struct daxdev_crashsim_snapshot **snapp)
{
	struct daxdev_crashsim_snapshot *snap;
	struct crashsim *cs;
	int rc = crashsim_find(dev, "daxdev_crashsim_save", &cs);

	if (rc)
		return rc;
	if (!snapp)
		return daxdev_err(-EINVAL, "daxdev_crashsim_save: NULL result pointer");
	snap = calloc(1, sizeof(*snap));
	if (!snap)
		return daxdev_err(-ENOMEM, "daxdev_crashsim_save: out of memory");
	pthread_mutex_lock(&cs->lock);
	rc = snapshot_take(cs, snap);
	pthread_mutex_unlock(&cs->lock);
	if (rc) {
		daxdev_crashsim_snapshot_free(snap);
		return daxdev_err(rc, "daxdev_crashsim_save: %s: out of memory for the written pages "
				  "of both images", cs->host);
	}
	*snapp = snap;
	return 0;
}

/* One image's page back: saved content, or zero (written only if needed,
 * so untouched pages stay untouched). */
static void put_page(char *at, const char *saved, size_t n)
{
	if (saved)
		memcpy(at, saved, n);
	else if (!crashsim_zero(at, n))
		memset(at, 0, n);
}

static void restore_images(struct crashsim *cs, const struct daxdev_crashsim_snapshot *snap)
{
	struct crashsim_scan sc;
	size_t next = 0;

	crashsim_scan_open(&sc);
	for (size_t off = 0; off < cs->size; off += snap->page) {
		size_t n = cs->size - off < snap->page ? cs->size - off : snap->page;
		const struct saved_page *sp = next < snap->npages && snap->pages[next].off == off ?
					      &snap->pages[next++] : NULL;
		if (!sp && crashsim_both_untouched(cs, &sc, off))
			continue;
		put_page(cs->live + off, sp ? sp->live : NULL, n);
		put_page(cs->media + off, sp ? sp->media : NULL, n);
	}
	crashsim_scan_close(&sc);
}

DAXDEV_API int daxdev_crashsim_restore(struct daxdev *dev,
				       const struct daxdev_crashsim_snapshot *snap)
{
	struct crashsim *cs;
	int rc = crashsim_find(dev, "daxdev_crashsim_restore", &cs);

	if (rc)
		return rc;
	if (!snap || snap->owner != cs || snap->size != cs->size)
		return daxdev_err(-EINVAL, "daxdev_crashsim_restore: %s: snapshot missing or taken from another device",
				  cs->host);
	pthread_mutex_lock(&cs->lock);
	/* Reserve first: a failed restore leaves the device as it was. */
	rc = crashsim_reserve(cs, &cs->pend.copies, snap->pend.n);
	if (!rc)
		rc = crashsim_reserve(cs, &cs->intermediate, snap->intermediate.n);
	if (!rc) {
		crashsim_pending_clear(cs);
		for (size_t i = 0; i < snap->pend.n && !rc; i++)
			rc = crashsim_pending_put(cs, snap->pend.v[i].off, snap->pend.v[i].data);
		if (snap->intermediate.n)
			memcpy(cs->intermediate.v, snap->intermediate.v,
			       snap->intermediate.n * sizeof(*snap->intermediate.v));
		cs->intermediate.n = snap->intermediate.n;
		restore_images(cs, snap);
		cs->drain_budget = NO_POWER_CUT;
		cs->power_off = false;
	}
	pthread_mutex_unlock(&cs->lock);
	return rc ? rc : crashsim_sync_inner(cs, 0, cs->size);
}
