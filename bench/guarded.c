/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: guarded against unguarded pointer copies (interface
 * in guarded.h).  The workloads compile only where daxdev.h declares
 * DAXDEV_F_GUARDED (1.0 does).  Each pairs the plain call (reference)
 * with the guarded one on the same memory, interleaved like every workload;
 * speedup below 1 is the guard's cost.
 */
#include <string.h>

#include <daxdev.h>

#include "backing.h"
#include "guarded.h"
#include "workloads.h"

#ifdef DAXDEV_F_GUARDED

/* Destination of the copies out of the device (the largest small size). */
static char sink[64 * KiB];

static int op_memcpy_plain(uint64_t off, size_t len)
{
	return daxdev_memcpy(cur->dev, cur->dax + off, src, len, 0);
}

static int op_memcpy_guarded(uint64_t off, size_t len)
{
	return daxdev_memcpy(cur->dev, cur->dax + off, src, len, DAXDEV_F_GUARDED);
}

static int op_read_plain(uint64_t off, size_t len)
{
	memcpy(sink, cur->dax + off, len);
	barrier();
	return 0;
}

static int op_read_mcsafe(uint64_t off, size_t len)
{
	return daxdev_memcpy_mcsafe(cur->dev, sink, cur->dax + off, len);
}

static void add_copy(struct backing *bk, const char *name, enum pattern p,
		     const uint64_t *sizes, int n)
{
	struct workload *w = add(name, "guarded against unguarded pointer copy", bk, p,
				 sizes, n);

	w->ref = impl(w, "daxdev_memcpy", op_memcpy_plain, NULL);
	cand(w, "daxdev_memcpy GUARDED", op_memcpy_guarded, NULL);
	if (p == HOT)
		w->bandwidth = false;
}

void add_guarded_workloads(void)
{
	static const uint64_t one[1] = { 8 };
	uint64_t read_sizes[MAX_SIZES];
	int nread = 0;
	struct workload *w;

	if (bk_anon.ok)
		add_copy(&bk_anon, "guarded-seq", SEQ, small_sizes, n_small);
	if (!bk_vol.ok)
		return;
	add_copy(&bk_vol, "guarded-seq", SEQ, small_sizes, n_small);
	add_copy(&bk_vol, "guarded-hot", HOT, one, 1);
	for (int i = 0; i < n_small; i++)
		if (small_sizes[i] <= sizeof(sink))
			read_sizes[nread++] = small_sizes[i];
	w = add("guarded-read", "copy out of the device, plain against machine-check safe",
		&bk_vol, SEQ, read_sizes, nread);
	w->ref = impl(w, "memcpy from the device", op_read_plain, NULL);
	cand(w, "daxdev_memcpy_mcsafe", op_read_mcsafe, NULL);
}

#else

void add_guarded_workloads(void)
{
}

#endif
