/* SPDX-License-Identifier: MIT */
/*
 * The crash simulator's sets: the pending lines (flushed, not fenced) with
 * their index, the intermediate versions kept at fences, and which pages of
 * the images were never touched.  Caller holds cs->lock throughout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crashsim_model.h"

/* --- the line index (caller holds cs->lock) ------------------------------ */

static size_t slot_of(const struct line_index *ix, uint64_t key)
{
	size_t i = (size_t)(key * UINT64_C(0x9E3779B97F4A7C15) >> 20) & (ix->cap - 1);

	while (ix->keys[i] && ix->keys[i] != key)
		i = (i + 1) & (ix->cap - 1);
	return i;
}

static uint32_t index_get(const struct line_index *ix, size_t off)
{
	return ix->cap ? ix->vals[slot_of(ix, off / LINE + 1)] : 0;
}

static int index_grow(struct line_index *ix)
{
	size_t cap = ix->cap ? ix->cap * 2 : 64;
	struct line_index bigger = { .cap = cap, .used = ix->used };

	bigger.keys = calloc(cap, sizeof(*bigger.keys));
	bigger.vals = calloc(cap, sizeof(*bigger.vals));
	if (!bigger.keys || !bigger.vals) {
		free(bigger.keys);
		free(bigger.vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ix->cap; i++) {
		if (!ix->keys[i])
			continue;
		size_t j = slot_of(&bigger, ix->keys[i]);
		bigger.keys[j] = ix->keys[i];
		bigger.vals[j] = ix->vals[i];
	}
	free(ix->keys);
	free(ix->vals);
	*ix = bigger;
	return 0;
}

/* Set the line's value; false when a new line did not fit. */
static bool index_put(struct line_index *ix, size_t off, uint32_t val, bool *added)
{
	size_t i;

	if ((ix->used + 1) * 2 > ix->cap && index_grow(ix))
		return false;
	i = slot_of(ix, off / LINE + 1);
	*added = !ix->keys[i];
	ix->used += *added;
	ix->keys[i] = off / LINE + 1;
	ix->vals[i] = val;
	return true;
}

static void index_clear(struct line_index *ix)
{
	if (!ix->used)
		return;
	memset(ix->keys, 0, ix->cap * sizeof(*ix->keys));
	memset(ix->vals, 0, ix->cap * sizeof(*ix->vals));
	ix->used = 0;
}

/* --- the pending set and the intermediate versions (caller holds lock) --- */

CRASHSIM_HIDDEN int crashsim_reserve(struct crashsim *cs, struct line_copies *set, size_t n)
{
	size_t cap = set->cap ? set->cap : 64;
	struct line_copy *v;

	if (n <= set->cap)
		return 0;
	/* The index holds index + 1 in 32 bits. */
	if (n >= UINT32_MAX || n > SIZE_MAX / sizeof(*v))
		return daxdev_err(-ENOMEM, "crashsim: %s: more than %u lines flushed without a fence",
				  cs->host, UINT32_MAX - 1);
	while (cap < n)
		cap = cap > SIZE_MAX / 2 / sizeof(*v) ? n : cap * 2;
	v = realloc(set->v, cap * sizeof(*v));
	if (!v)
		return daxdev_err(-ENOMEM, "crashsim: %s: out of memory for %zu line copies",
				  cs->host, n);
	set->v = v;
	set->cap = cap;
	return 0;
}

CRASHSIM_HIDDEN int crashsim_pending_put(struct crashsim *cs, size_t off, const void *data)
{
	struct pending *p = &cs->pend;
	bool added;

	if (!index_put(&p->latest, off, (uint32_t)p->copies.n + 1, &added))
		return daxdev_err(-ENOMEM, "crashsim: %s: out of memory for the pending set", cs->host);
	p->copies.v[p->copies.n].off = off;
	memcpy(p->copies.v[p->copies.n++].data, data, LINE);
	p->lines += added;
	return 0;
}

/* Capture live line off unless that would change nothing: the same content
 * as the line's newest copy, or (no copy yet) as the media. */
CRASHSIM_HIDDEN int crashsim_pending_add(struct crashsim *cs, size_t off)
{
	struct pending *p = &cs->pend;
	uint32_t latest = index_get(&p->latest, off);
	const void *have = latest ? (const void *)p->copies.v[latest - 1].data
				  : (const void *)(cs->media + off);
	int rc;

	if (!memcmp(have, cs->live + off, LINE))
		return 0;
	rc = crashsim_reserve(cs, &p->copies, p->copies.n + 1);
	return rc ? rc : crashsim_pending_put(cs, off, cs->live + off);
}

CRASHSIM_HIDDEN void crashsim_pending_clear(struct crashsim *cs)
{
	cs->pend.copies.n = 0;
	cs->pend.lines = 0;
	index_clear(&cs->pend.latest);
}

/* Older intermediate versions of the lines this fence makes durable can
 * no longer land: the newer content was written back after them. */
static void drop_overtaken(struct crashsim *cs)
{
	struct line_copies *m = &cs->intermediate;
	size_t kept = 0;

	for (size_t i = 0; i < m->n; i++)
		if (!index_get(&cs->pend.latest, m->v[i].off))
			m->v[kept++] = m->v[i];
	m->n = kept;
}

/* A line stored over after its flush holds, at this fence, a value that no
 * flush captured; an eviction may still write it back later. */
static void keep_intermediate(struct crashsim *cs, const struct line_copy *flushed)
{
	struct line_copies *m = &cs->intermediate;

	if (!memcmp(cs->live + flushed->off, flushed->data, LINE))
		return;
	if (crashsim_reserve(cs, m, m->n + 1))
		return; /* out of memory: the model loses this candidate only */
	m->v[m->n].off = flushed->off;
	memcpy(m->v[m->n++].data, cs->live + flushed->off, LINE);
}

/* The fence: every flushed line is durable with its newest flushed content. */
CRASHSIM_HIDDEN void crashsim_pending_commit(struct crashsim *cs)
{
	const struct pending *p = &cs->pend;

	drop_overtaken(cs);
	for (size_t i = 0; i < p->copies.n; i++) {
		const struct line_copy *lc = &p->copies.v[i];
		memcpy(cs->media + lc->off, lc->data, LINE);
		if (index_get(&p->latest, lc->off) == i + 1)
			keep_intermediate(cs, lc);
	}
	crashsim_pending_clear(cs);
}

/* --- untouched pages ------------------------------------------------------ */

#define PM_PRESENT (UINT64_C(1) << 63)
#define PM_SWAPPED (UINT64_C(1) << 62)

CRASHSIM_HIDDEN void crashsim_scan_open(struct crashsim_scan *sc)
{
	sc->fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	sc->page = (size_t)sysconf(_SC_PAGESIZE);
	sc->live.have = sc->media.have = 0;
}

CRASHSIM_HIDDEN void crashsim_scan_close(struct crashsim_scan *sc)
{
	if (sc->fd >= 0)
		close(sc->fd);
	sc->fd = -1;
}

/* Asked of /proc/self/maps, whatever provider made the mapping (a
 * composite of one anon: member is as private as anon: itself): every part
 * of the range is in a private mapping of no file. */
CRASHSIM_HIDDEN bool crashsim_private_anonymous(const void *addr, size_t len)
{
	uintptr_t covered = (uintptr_t)addr, hi = covered + len;
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	bool ok = f != NULL;

	while (ok && covered < hi && fgets(line, sizeof(line), f)) {
		unsigned long start, end, inode;
		char perms[8];
		int path = 0;

		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %n", &start, &end, perms, &inode, &path) < 4 ||
		    end <= covered || start >= hi)
			continue;
		ok = start <= covered && perms[3] == 'p' && inode == 0 &&
		     (line[path] == '\0' || line[path] == '\n');
		covered = end;
	}
	if (f)
		fclose(f);
	return ok && covered >= hi;
}

/* Private anonymous memory never touched reads as zeros, and reading it
 * would allocate it (not every kernel maps the shared zero page): the page
 * table says so without reading (/proc/self/pagemap).  false when unsure. */
CRASHSIM_HIDDEN bool crashsim_untouched(struct crashsim_scan *sc, struct pagemap_window *w,
				       const char *addr)
{
	uintptr_t vpn = (uintptr_t)addr / sc->page;
	ssize_t n;

	if (sc->fd < 0)
		return false;
	if (vpn < w->first || vpn >= w->first + w->have) {
		n = pread(sc->fd, w->entries, sizeof(w->entries), (off_t)(vpn * sizeof(uint64_t)));
		if (n < (ssize_t)sizeof(uint64_t))
			return false;
		w->first = vpn;
		w->have = (size_t)n / sizeof(uint64_t);
	}
	return !(w->entries[vpn - w->first] & (PM_PRESENT | PM_SWAPPED));
}

/* Both images of the page at off are zero without reading them. */
CRASHSIM_HIDDEN bool crashsim_both_untouched(const struct crashsim *cs, struct crashsim_scan *sc,
					     size_t off)
{
	return cs->live_private && crashsim_untouched(sc, &sc->live, cs->live + off) &&
	       crashsim_untouched(sc, &sc->media, cs->media + off);
}
