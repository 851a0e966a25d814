/* SPDX-License-Identifier: MIT */
/*
 * The cache model of the coherence simulator (sharesim.c is the provider).
 * Stores through pointers cannot be seen, so a host's cache is an image of
 * the whole memory plus, per line, the content it last fetched or wrote back
 * (clean): a line whose image differs from its clean copy has been stored to.
 * Nothing moves between a host and memory except here, under the lock, at
 * the simulator's events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sharesim_model.h"
#include "splitmix.h"

/* --- choices -------------------------------------------------------------- */

/* One in one_in; a draw is taken whatever the rate, so that the same seed
 * over the same calls makes the same choices. */
static bool chance(struct sim_model *m, uint32_t one_in)
{
	uint64_t r = splitmix64(&m->rng);

	return one_in != DAXDEV_SHARESIM_NEVER && r % one_in == 0;
}

/* --- one host's lines -------------------------------------------------------- */

static bool dirty(const struct sim_cache *hc, size_t off)
{
	return memcmp(hc->img + off, hc->clean + off, SIM_LINE) != 0;
}

/* Write a whole line to memory: data, from a host whose copy was fetched.
 * Words someone else changed in memory since that fetch, and that data puts
 * back to another value, are lost updates. */
static void write_line(struct sim_model *m, size_t off, const unsigned char *data,
		       const unsigned char *fetched)
{
	unsigned char *mem = (unsigned char *)m->mem + off;

	for (size_t w = 0; w < SIM_LINE; w += SIM_WORD)
		if (memcmp(mem + w, fetched + w, SIM_WORD) && memcmp(mem + w, data + w, SIM_WORD))
			m->stats.lost_words++;
	memcpy(mem, data, SIM_LINE);
}

static void land(struct sim_model *m, struct sim_cache *hc, const struct sim_pending *p)
{
	write_line(m, p->off, p->data, p->fetched);
	hc->inflight[p->off / SIM_LINE]--;
	m->stats.landed++;
}

/* Land this host's write-backs of one line, oldest first: they reach memory
 * in order. */
static void land_line(struct sim_model *m, struct sim_cache *hc, size_t off)
{
	size_t kept = 0;

	if (!hc->inflight[off / SIM_LINE])
		return;
	for (size_t i = 0; i < hc->npend; i++) {
		if (hc->pend[i].off == off)
			land(m, hc, &hc->pend[i]);
		else
			hc->pend[kept++] = hc->pend[i];
	}
	hc->npend = kept;
}

SIM_HIDDEN void sim_land_all(struct sim_model *m, struct sim_cache *hc)
{
	for (size_t i = 0; i < hc->npend; i++)
		land(m, hc, &hc->pend[i]);
	hc->npend = 0;
}

/* Each write-back in flight lands or not; a line's later write-back never
 * lands before its earlier one (hold marks a line whose earlier one stayed). */
static void land_some(struct sim_model *m, struct sim_cache *hc)
{
	size_t kept = 0;

	for (size_t i = 0; i < hc->npend; i++) {
		struct sim_pending *p = &hc->pend[i];
		size_t line = p->off / SIM_LINE;

		if (!m->hold[line] && chance(m, m->land_one_in)) {
			land(m, hc, p);
			continue;
		}
		m->hold[line] = 1;
		if (kept != i)
			hc->pend[kept] = *p;
		kept++;
	}
	hc->npend = kept;
	for (size_t i = 0; i < kept; i++)
		m->hold[hc->pend[i].off / SIM_LINE] = 0;
}

/* Evicted at some moment while it was being stored to: the changed words
 * that had been stored by then (all of them, or by a coin each when torn)
 * go to memory with the rest of the line as fetched. */
static void evict(struct sim_model *m, struct sim_cache *hc, size_t off)
{
	unsigned char mix[SIM_LINE];
	bool torn = chance(m, m->torn_one_in);

	land_line(m, hc, off);
	memcpy(mix, hc->clean + off, SIM_LINE);
	for (size_t w = 0; w < SIM_LINE; w += SIM_WORD)
		if ((!torn || chance(m, 2)) && memcmp(mix + w, hc->img + off + w, SIM_WORD))
			memcpy(mix + w, hc->img + off + w, SIM_WORD);
	if (!memcmp(mix, hc->clean + off, SIM_LINE))
		return;  /* evicted before any store: clean, nothing written */
	write_line(m, off, mix, (const unsigned char *)hc->clean + off);
	memcpy(hc->clean + off, mix, SIM_LINE);
	m->stats.evictions++;
	m->stats.torn_evictions += memcmp(mix, hc->img + off, SIM_LINE) != 0;
}

/* Dropped and fetched again: its own write-backs first (a host reads what it
 * wrote back), then memory. */
static void refetch(struct sim_model *m, struct sim_cache *hc, size_t off)
{
	land_line(m, hc, off);
	if (memcmp(hc->clean + off, m->mem + off, SIM_LINE))
		m->stats.refetches++;
	memcpy(hc->img + off, m->mem + off, SIM_LINE);
	memcpy(hc->clean + off, m->mem + off, SIM_LINE);
}

/* --- events -------------------------------------------------------------- */

SIM_HIDDEN void sim_pass_time(struct sim_model *m, size_t lo, size_t hi)
{
	for (unsigned h = 0; h < m->nhosts; h++) {
		struct sim_cache *hc = &m->hosts[h];

		if (!hc->img)
			continue;
		land_some(m, hc);
		for (size_t off = lo; off < hi; off += SIM_LINE) {
			if (dirty(hc, off)) {
				if (chance(m, m->evict_one_in))
					evict(m, hc, off);
			} else if (chance(m, m->refetch_one_in)) {
				refetch(m, hc, off);
			}
		}
	}
}

static int pending_reserve(struct sim_cache *hc, size_t n)
{
	size_t cap = hc->cap ? hc->cap : 64;
	struct sim_pending *v;

	if (n <= hc->cap)
		return 0;
	while (cap < n)
		cap = cap > SIZE_MAX / 2 / sizeof(*v) ? n : cap * 2;
	if (cap > SIZE_MAX / sizeof(*v) || !(v = realloc(hc->pend, cap * sizeof(*v))))
		return -ENOMEM;
	hc->pend = v;
	hc->cap = cap;
	return 0;
}

/* clwb: each changed line's content now goes on its way to memory; the
 * line stays cached, clean. */
SIM_HIDDEN int sim_write_back(struct sim_model *m, struct sim_cache *hc, size_t lo, size_t hi)
{
	for (size_t off = lo; off < hi; off += SIM_LINE) {
		struct sim_pending *p;

		if (!dirty(hc, off))
			continue;
		if (pending_reserve(hc, hc->npend + 1))
			return -ENOMEM;
		p = &hc->pend[hc->npend++];
		p->off = off;
		memcpy(p->data, hc->img + off, SIM_LINE);
		memcpy(p->fetched, hc->clean + off, SIM_LINE);
		memcpy(hc->clean + off, hc->img + off, SIM_LINE);
		hc->inflight[off / SIM_LINE]++;
		m->stats.writebacks++;
	}
	return 0;
}

/* After a write-back and a fence: every line of the range is fetched again,
 * so the next loads return memory. */
SIM_HIDDEN void sim_refetch_range(struct sim_model *m, struct sim_cache *hc, size_t lo, size_t hi)
{
	for (size_t off = lo; off < hi; off += SIM_LINE) {
		m->stats.stale_lines += memcmp(hc->img + off, m->mem + off, SIM_LINE) != 0;
		memcpy(hc->img + off, m->mem + off, SIM_LINE);
		memcpy(hc->clean + off, m->mem + off, SIM_LINE);
		m->stats.invalidated++;
	}
}

/* --- state ----------------------------------------------------------------- */

SIM_HIDDEN void sim_counts(const struct sim_model *m, struct daxdev_sharesim_stats *s)
{
	*s = m->stats;
	for (unsigned h = 0; h < m->nhosts; h++) {
		const struct sim_cache *hc = &m->hosts[h];

		for (size_t off = 0; hc->img && off < m->size; off += SIM_LINE)
			s->dirty_lines += dirty(hc, off);
		s->pending_lines += hc->npend;
	}
}

/* A host's cache, made when its first device is: every line fetched now.
 * Image and clean copy are one page-aligned block (the image is what
 * direct_access hands out). */
SIM_HIDDEN int sim_cache_init(struct sim_model *m, struct sim_cache *hc)
{
	void *block = NULL;

	if (m->size > SIZE_MAX / 2 || posix_memalign(&block, SIM_PAGE, 2 * m->size))
		block = NULL;
	hc->img = block;
	hc->clean = block ? (char *)block + m->size : NULL;
	hc->inflight = calloc(m->size / SIM_LINE, sizeof(*hc->inflight));
	if (!hc->img || !hc->inflight) {
		sim_cache_free(hc);
		return -ENOMEM;
	}
	memcpy(hc->img, m->mem, m->size);
	memcpy(hc->clean, m->mem, m->size);
	return 0;
}

SIM_HIDDEN void sim_cache_free(struct sim_cache *hc)
{
	free(hc->img);
	free(hc->inflight);
	free(hc->pend);
	memset(hc, 0, sizeof(*hc));
}
