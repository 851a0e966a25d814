/* SPDX-License-Identifier: MIT */
/*
 * From an address to the pmem_map_file() mapping that owns it, on every
 * pmem_persist()/pmem_memcpy(): a sorted array of pieces read under a
 * sequence count (a seqlock).  Readers take no lock and store nothing: they
 * read the count, binary-search the array with relaxed atomic loads and read
 * the count again; a writer in between makes them search again.  Writers
 * (map and unmap, rare) serialise on a mutex, edit a private shadow copy and
 * copy it into the array inside one short odd-count window.
 *
 * The array is never freed while the process runs: a reader may still be
 * searching an array that has just been replaced by a larger one, so a
 * replaced array is kept (chained from the new one).  It only grows by
 * doubling, so everything kept is less than the live array.
 *
 * A mapping (and its libdaxdev device) is freed by the pmem_unmap() that
 * takes its last piece away.  A thread flushing that same memory at that
 * moment is racing with the unmap, which libpmem never allowed either.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

struct slot {
	_Atomic uintptr_t start, end;
	_Atomic(struct pmemc_mapping *) m;
};

struct table {
	size_t cap;
	struct table *older;          /* replaced arrays, kept (see above) */
	struct slot s[];
};

/* What writers work on; the published slots are a copy of it. */
struct piece {
	uintptr_t start, end;
	struct pmemc_mapping *m;
};

static _Atomic(struct table *) live;
static _Atomic size_t live_n;
static atomic_uint seq;

static pthread_mutex_t writer_lock = PTHREAD_MUTEX_INITIALIZER;
static struct piece *shadow;       /* sorted by start, no overlaps */
static size_t shadow_n, shadow_cap;
static struct pmemc_mapping **maps; /* every mapping with a piece, by base */
static size_t maps_n, maps_cap;

/* --- readers ------------------------------------------------------- */

static void search(const struct table *t, size_t n, uintptr_t addr, uintptr_t end,
		   struct pmemc_part *part)
{
	size_t lo = 0, hi = n;
	uintptr_t next;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (atomic_load_explicit(&t->s[mid].start, memory_order_relaxed) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	part->start = addr;
	if (lo > 0) {
		uintptr_t pend = atomic_load_explicit(&t->s[lo - 1].end, memory_order_relaxed);

		if (addr < pend) {
			part->end = pend < end ? pend : end;
			part->m = atomic_load_explicit(&t->s[lo - 1].m, memory_order_relaxed);
			return;
		}
	}
	next = lo < n ? atomic_load_explicit(&t->s[lo].start, memory_order_relaxed) : UINTPTR_MAX;
	part->end = next < end ? next : end;
	part->m = NULL;
}

PMEMC_HIDDEN void pmemc_part_at(uintptr_t addr, uintptr_t end, struct pmemc_part *part)
{
	for (;;) {
		unsigned s = atomic_load_explicit(&seq, memory_order_acquire);

		if (s & 1)
			continue;  /* a writer is copying: a few hundred ns at most */
		const struct table *t = atomic_load_explicit(&live, memory_order_relaxed);
		size_t n = atomic_load_explicit(&live_n, memory_order_relaxed);

		if (!t || n == 0) {
			*part = (struct pmemc_part){ .start = addr, .end = end };
		} else {
			search(t, n < t->cap ? n : t->cap, addr, end, part);
		}
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&seq, memory_order_relaxed) == s && part->end > addr)
			return;
	}
}

/* --- writers ------------------------------------------------------- */

PMEMC_HIDDEN void pmemc_table_lock(void)
{
	pthread_mutex_lock(&writer_lock);
}

PMEMC_HIDDEN void pmemc_table_unlock(void)
{
	pthread_mutex_unlock(&writer_lock);
}

static int grow(void **array, size_t *cap, size_t want, size_t elem)
{
	size_t n = *cap ? *cap : 8;
	void *p;

	if (want <= *cap)
		return 0;
	while (n < want)
		n *= 2;
	p = realloc(*array, n * elem);
	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = n;
	return 0;
}

/* A published array with room for n slots (a new, larger one replaces the
 * live one inside the caller's write window). */
static struct table *room_for(size_t n)
{
	struct table *t = atomic_load_explicit(&live, memory_order_relaxed), *bigger;
	size_t cap = t ? t->cap : 8;

	if (t && n <= t->cap)
		return t;
	while (cap < n)
		cap *= 2;
	bigger = calloc(1, sizeof(*bigger) + cap * sizeof(struct slot));
	if (!bigger)
		return NULL;
	bigger->cap = cap;
	bigger->older = t;
	return bigger;
}

/* Copy the shadow into the published array: the only time readers wait. */
static int publish(void)
{
	struct table *t = room_for(shadow_n);
	unsigned s = atomic_load_explicit(&seq, memory_order_relaxed);

	if (!t)
		return -ENOMEM;
	atomic_store_explicit(&seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (size_t i = 0; i < shadow_n; i++) {
		atomic_store_explicit(&t->s[i].start, shadow[i].start, memory_order_relaxed);
		atomic_store_explicit(&t->s[i].end, shadow[i].end, memory_order_relaxed);
		atomic_store_explicit(&t->s[i].m, shadow[i].m, memory_order_relaxed);
	}
	atomic_store_explicit(&live, t, memory_order_relaxed);
	atomic_store_explicit(&live_n, shadow_n, memory_order_relaxed);
	atomic_store_explicit(&seq, s + 2, memory_order_release);
	return 0;
}

/* Index of the first piece / mapping that starts above addr. */
static size_t piece_above(uintptr_t addr)
{
	size_t lo = 0, hi = shadow_n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (shadow[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t mapping_above(uintptr_t addr)
{
	size_t lo = 0, hi = maps_n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (maps[mid]->base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

PMEMC_HIDDEN int pmemc_table_add(struct pmemc_mapping *m)
{
	size_t at, mi;

	if (grow((void **)&shadow, &shadow_cap, shadow_n + 1, sizeof(*shadow)) ||
	    grow((void **)&maps, &maps_cap, maps_n + 1, sizeof(*maps)))
		return -ENOMEM;
	at = piece_above(m->base);
	memmove(&shadow[at + 1], &shadow[at], (shadow_n - at) * sizeof(*shadow));
	shadow[at] = (struct piece){ .start = m->base, .end = m->end, .m = m };
	shadow_n++;
	if (publish()) {
		memmove(&shadow[at], &shadow[at + 1], (--shadow_n - at) * sizeof(*shadow));
		return -ENOMEM;
	}
	mi = mapping_above(m->base);
	memmove(&maps[mi + 1], &maps[mi], (maps_n - mi) * sizeof(*maps));
	maps[mi] = m;
	maps_n++;
	m->pieces = 1;
	return 0;
}

/* The pieces of [start, end) removed from the shadow: a piece inside it
 * goes, one across an edge shrinks, one around it splits in two. */
static void cut_shadow(uintptr_t start, uintptr_t end)
{
	size_t out = 0;

	for (size_t i = 0; i < shadow_n; i++) {
		struct piece p = shadow[i];

		if (p.end <= start || p.start >= end) {
			shadow[out++] = p;
			continue;
		}
		p.m->pieces--;
		if (p.start < start) {
			shadow[out++] = (struct piece){ p.start, start, p.m };
			p.m->pieces++;
		}
		if (p.end > end) {
			/* Only the piece around the whole range splits, and it
			 * is the only one that overlaps: out <= i here. */
			if (out > i) {
				memmove(&shadow[out + 1], &shadow[out],
					(shadow_n - i - 1) * sizeof(*shadow));
				shadow_n++;
				i++;
			}
			shadow[out++] = (struct piece){ end, p.end, p.m };
			p.m->pieces++;
		}
	}
	shadow_n = out;
}

PMEMC_HIDDEN int pmemc_table_cut(uintptr_t start, uintptr_t end)
{
	/* Room for the one piece that may split. */
	if (grow((void **)&shadow, &shadow_cap, shadow_n + 1, sizeof(*shadow)))
		return -ENOMEM;
	cut_shadow(start, end);
	return publish();
}

PMEMC_HIDDEN struct pmemc_mapping *pmemc_mapping_near(uintptr_t addr,
						      struct pmemc_mapping **above)
{
	size_t i = mapping_above(addr);

	*above = i < maps_n ? maps[i] : NULL;
	if (i > 0 && addr < maps[i - 1]->end)
		return maps[i - 1];
	return NULL;
}

PMEMC_HIDDEN void pmemc_mapping_forget(struct pmemc_mapping *m)
{
	for (size_t i = 0; i < maps_n; i++) {
		if (maps[i] == m) {
			memmove(&maps[i], &maps[i + 1], (maps_n - i - 1) * sizeof(*maps));
			maps_n--;
			return;
		}
	}
}
