/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: the workload table and the operations of the copy,
 * flush, fill, ceiling and volatile workloads (interface in workloads.h).
 */
#include <errno.h>
#include <libpmem.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxdev.h>

#include "backing.h"
#include "guarded.h"
#include "log-append.h"
#include "open-cost.h"
#include "workloads.h"

struct workload wl[MAXW];
int nwl;

uint64_t all_sizes[MAX_SIZES] = { 64, 256, KiB, 4 * KiB, 64 * KiB, 2 * MiB, 64 * MiB };
uint64_t small_sizes[MAX_SIZES] = { 64, 256, KiB, 4 * KiB, 64 * KiB };
int n_all = 7, n_small = 5;

/* ---- operations ------------------------------------------------------------ */

static unsigned char dirty_val;

static int op_dax_write(uint64_t off, size_t len)
{
	return daxdev_write(cur->dev, off, src, len);
}

static int op_dax_memcpy(uint64_t off, size_t len)
{
	return daxdev_memcpy(cur->dev, cur->dax + off, src, len, 0);
}

#define VIEW_OPS(i)                                                              \
	static int op_view##i##_memcpy(uint64_t off, size_t len)                 \
	{                                                                        \
		return daxdev_memcpy(cur->view[i], cur->dax + off, src, len, 0);  \
	}                                                                        \
	static int op_view##i##_memset(uint64_t off, size_t len)                 \
	{                                                                        \
		return daxdev_memset(cur->view[i], cur->dax + off, 0, len, 0);    \
	}
VIEW_OPS(0)
VIEW_OPS(1)
VIEW_OPS(2)
static op_fn const view_memcpy[MAX_VARIANTS] = {
	op_view0_memcpy, op_view1_memcpy, op_view2_memcpy };
static op_fn const view_memset[MAX_VARIANTS] = {
	op_view0_memset, op_view1_memset, op_view2_memset };

/* fsdax/msync device: smaller; the offsets wrap inside it. */
static uint64_t fs_off(uint64_t off, size_t len)
{
	return off % (cur->size2 - len + 1) & ~(uint64_t)63;
}

static int op_fs_write(uint64_t off, size_t len)
{
	return daxdev_write(cur->dev2, fs_off(off, len), src, len);
}

static int op_fs_flush(uint64_t off, size_t len)
{
	return daxdev_flush(cur->dev2, cur->dax2 + fs_off(off, len), len);
}

static void prep_dirty_fs(uint64_t off, size_t len)
{
	memset(cur->dax2 + fs_off(off, len), ++dirty_val, len);
}

static int op_pmem_memcpy(uint64_t off, size_t len)
{
	pmem_memcpy_persist(cur->pm + off, src, len);
	return 0;
}

static int op_memcpy(uint64_t off, size_t len)
{
	memcpy(cur->pm + off, src, len);
	barrier();
	return 0;
}

static int op_dax_flush(uint64_t off, size_t len)
{
	return daxdev_flush(cur->dev, cur->dax + off, len);
}

static int op_pmem_persist(uint64_t off, size_t len)
{
	pmem_persist(cur->pm + off, len);
	return 0;
}

static void prep_dirty_dax(uint64_t off, size_t len)
{
	memset(cur->dax + off, ++dirty_val, len);
}

static void prep_dirty_pm(uint64_t off, size_t len)
{
	memset(cur->pm + off, ++dirty_val, len);
}

static int op_dax_zero(uint64_t off, size_t len)
{
	return daxdev_zero(cur->dev, off, len);
}

static int op_dax_memset(uint64_t off, size_t len)
{
	return daxdev_memset(cur->dev, cur->dax + off, 0, len, 0);
}

static int op_pmem_memset(uint64_t off, size_t len)
{
	pmem_memset_persist(cur->pm + off, 0, len);
	return 0;
}

static int op_memset(uint64_t off, size_t len)
{
	memset(cur->pm + off, 0, len);
	barrier();
	return 0;
}

/* Machine ceiling: the library's non-temporal loops, forced. */
static int op_dax_nt_copy(uint64_t off, size_t len)
{
	return daxdev_memcpy(cur->dev, cur->dax + off, src, len, DAXDEV_F_NONTEMPORAL);
}

static int op_dax_nt_fill(uint64_t off, size_t len)
{
	return daxdev_memset(cur->dev, cur->dax + off, 0, len, DAXDEV_F_NONTEMPORAL);
}

/* Per-call overhead on the volatile device (write cache off). */
static void *(*volatile memcpy_ptr)(void *, const void *, size_t) = memcpy;

static int op_memcpy_ptr(uint64_t off, size_t len)
{
	memcpy_ptr(cur->dax + off, src, len);
	return 0;
}

static int op_dax_drain(uint64_t off, size_t len)
{
	(void)off;
	(void)len;
	return daxdev_drain(cur->dev);
}

/* ---- building the table ------------------------------------------------------ */

const char *name_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fail("vasprintf", -ENOMEM);
		return fmt;
	}
	return s;
}

int parse_sizes(const char *arg)
{
	char buf[256], *save, *tok;

	snprintf(buf, sizeof(buf), "%s", arg);
	n_all = n_small = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;
		if (daxdev_parse_size(tok, &v) || !v || n_all == MAX_SIZES)
			return -1;
		all_sizes[n_all++] = v;
		if (v <= 64 * KiB)
			small_sizes[n_small++] = v;
	}
	return n_all ? 0 : -1;
}

struct workload *add(const char *name, const char *title, struct backing *bk,
		     enum pattern pat, const uint64_t *sizes, int nsizes)
{
	struct workload *w = &wl[nwl++];

	memset(w, 0, sizeof(*w));
	w->name = name;
	w->title = title;
	w->bk = bk;
	w->pat = pat;
	w->ref = -1;
	w->bandwidth = true;
	for (int i = 0; i < nsizes; i++)
		if (!bk->size || (sizes[i] <= bk->size / 2 && sizes[i] <= cfg.ceiling))
			w->sizes[w->nsizes++] = sizes[i];
	return w;
}

int impl(struct workload *w, const char *name, op_fn op, prep_fn prep)
{
	w->impl[w->nimpl] = (struct impl){ .name = name, .op = op, .prep = prep };
	return w->nimpl++;
}

int cand(struct workload *w, const char *name, op_fn op, prep_fn prep)
{
	int m = impl(w, name, op, prep);

	w->cand[w->ncand++] = m;
	return m;
}

bool selected(const char *name)
{
	if (!cfg.only)
		return true;
	char buf[256];
	snprintf(buf, sizeof(buf), ",%s,", cfg.only);
	char key[64];
	snprintf(key, sizeof(key), ",%s,", name);
	if (strstr(buf, key))
		return true;
	/* prefix match: "copy" selects copy-seq and copy-rand */
	for (char *p = buf; (p = strchr(p, ',')) && p[1]; p++) {
		size_t n = strcspn(p + 1, ",");
		if (n && !strncmp(name, p + 1, n) && name[n] == '-')
			return true;
	}
	return false;
}

/* The --variant views' rows of a copy or fill workload. */
static void add_views(struct workload *w, struct backing *bk, const char *call,
		      op_fn const *ops)
{
	for (int v = 0; v < cfg.nvariant; v++)
		if (bk->view[v])
			cand(w, name_printf("%s [%s]", call, cfg.variant[v]), ops[v], NULL);
}

/* copy-P, flush-P, fill-P on bk: rand takes the small sizes only. */
static void add_durable(struct backing *bk, enum pattern p)
{
	bool r = p == RAND;
	const uint64_t *sizes = r ? small_sizes : all_sizes;
	int n = r ? n_small : n_all;
	struct workload *w;

	w = add(name_printf("copy-%s", pattern_name[p]), "durable copy", bk, p, sizes, n);
	w->ref = impl(w, "pmem_memcpy_persist", op_pmem_memcpy, NULL);
	cand(w, "daxdev_write", op_dax_write, NULL);
	cand(w, "daxdev_memcpy", op_dax_memcpy, NULL);
	add_views(w, bk, "daxdev_memcpy", view_memcpy);
	impl(w, "memcpy(not durable)", op_memcpy, NULL);
	if (!r)
		impl(w, "daxdev NT loop", op_dax_nt_copy, NULL);
	if (bk->dev2 && !r)
		impl(w, "daxdev_write fsdax/msync", op_fs_write, NULL);

	w = add(name_printf("flush-%s", pattern_name[p]), "flush of dirty ranges", bk, p,
		sizes, n);
	w->ref = impl(w, "pmem_persist", op_pmem_persist, prep_dirty_pm);
	cand(w, "daxdev_flush", op_dax_flush, prep_dirty_dax);
	if (bk->dev2 && !r)
		impl(w, "daxdev_flush fsdax/msync", op_fs_flush, prep_dirty_fs);
	w->batch_cap = 8 * MiB;

	w = add(name_printf("fill-%s", pattern_name[p]), "durable fill", bk, p, sizes, n);
	w->ref = impl(w, "pmem_memset_persist", op_pmem_memset, NULL);
	cand(w, "daxdev_zero", op_dax_zero, NULL);
	cand(w, "daxdev_memset", op_dax_memset, NULL);
	add_views(w, bk, "daxdev_memset", view_memset);
	impl(w, "memset(not durable)", op_memset, NULL);
}

static void add_ceiling(struct backing *bk)
{
	uint64_t csz[1] = { cfg.ceiling };
	struct workload *w = add("ceiling-seq", "machine ceiling (non-temporal loops)", bk,
				 SEQ, csz, 1);

	impl(w, "daxdev NT copy", op_dax_nt_copy, NULL);
	impl(w, "daxdev NT fill", op_dax_nt_fill, NULL);
	impl(w, "pmem_memcpy_persist", op_pmem_memcpy, NULL);
	impl(w, "pmem_memset_persist", op_pmem_memset, NULL);
	impl(w, "memcpy", op_memcpy, NULL);
	impl(w, "memset", op_memset, NULL);
}

static void add_volatile(void)
{
	static const uint64_t one[1] = { 8 };
	struct workload *w;

	w = add("volatile-seq", "volatile device (write cache off)", &bk_vol, SEQ,
		all_sizes, n_all);
	w->ref = impl(w, "memcpy", op_memcpy, NULL);
	cand(w, "daxdev_write", op_dax_write, NULL);
	cand(w, "daxdev_memcpy", op_dax_memcpy, NULL);

	w = add("overhead-hot", "pointer API per call (volatile device, hot line)",
		&bk_vol, HOT, one, 1);
	w->bandwidth = false;
	w->ref = impl(w, "memcpy via pointer", op_memcpy_ptr, NULL);
	cand(w, "daxdev_memcpy", op_dax_memcpy, NULL);
	cand(w, "daxdev_flush (no-op)", op_dax_flush, NULL);
	cand(w, "daxdev_drain (no-op)", op_dax_drain, NULL);
}

/* Keep the workloads --only selects, in order. */
static void keep_selected(void)
{
	int j = 0;

	for (int i = 0; i < nwl; i++)
		if (selected(wl[i].name))
			wl[j++] = wl[i];
	nwl = j;
}

void define_workloads(void)
{
	struct backing *bks[2] = { &bk_anon, &bk_shm };

	for (int b = 0; b < 2; b++) {
		if (!bks[b]->ok)
			continue;
		add_durable(bks[b], SEQ);
		add_durable(bks[b], RAND);
		add_ceiling(bks[b]);
	}
	if (bk_vol.ok)
		add_volatile();
	add_log_workloads();
	add_guarded_workloads();
	add_open_workloads();
	if (cfg.only)
		keep_selected();
}
