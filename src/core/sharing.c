/* SPDX-License-Identifier: MIT */
/*
 * Memory that other hosts map too, through caches that are not coherent
 * with this one (DAXDEV_SHARING_NONCOHERENT: a CXL memory pool, famfs).  A
 * writer must write its lines back (dispatch.c keeps the write-back in every
 * write-cache state of such a device); a reader must discard its own copy
 * before it loads, or it reads what it cached earlier.  Decided once per
 * device: every state of its table gets the same load and invalidate.  A
 * LOCAL device's load is NULL, so that its daxdev_read() stays the plain
 * copy it always was.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include "internal.h"

/* A full barrier: a seq_cst fence (a locked instruction or mfence on x86,
 * DMB on arm64).  GCC rejects fences under -fsanitize=thread; a locked
 * read-modify-write orders clflushopt/clflush on x86 just as well. */
static inline void full_barrier(void)
{
#ifdef __SANITIZE_THREAD__
	static atomic_int word;

	atomic_fetch_add_explicit(&word, 0, memory_order_seq_cst);
#else
	atomic_thread_fence(memory_order_seq_cst);
#endif
}

/*
 * Three fences around the discard.  The first orders the caller's earlier
 * loads (the flag that said the data is ready) before it, so that a line
 * fetched before the flag was read cannot survive it.  The drain completes
 * the write-backs and discards (DSB on arm64).  The last keeps later loads
 * from being served before the discard: on x86 a locked instruction or
 * mfence orders clflushopt/clflush with them, sfence does not.
 */
static int cpu_invalidate(struct daxdev *dev, const void *addr, size_t len)
{
	full_barrier();
	dev->arch.invalidate(addr, len);
	dev->arch.drain();
	full_barrier();
	return 0;
}

static int cpu_load(struct daxdev *dev, void *dst, const void *src, size_t len)
{
	cpu_invalidate(dev, src, len);
	memcpy(dst, src, len);
	return 0;
}

static int provider_invalidate(struct daxdev *dev, const void *addr, size_t len)
{
	int rc = daxdev_enter(dev);

	if (rc)
		return rc;
	rc = dev->ops.invalidate(dev, addr, len);
	daxdev_leave(dev);
	return rc;
}

static int provider_load(struct daxdev *dev, void *dst, const void *src, size_t len)
{
	int rc = provider_invalidate(dev, src, len);

	if (!rc)
		memcpy(dst, src, len);
	return rc;
}

static int no_invalidate(struct daxdev *dev, const void *addr, size_t len)
{
	return daxdev_err(-EOPNOTSUPP, "%s: cannot discard [%p, +%zu) from the cache: this build has "
			  "no cache invalidate instruction (%s) and the provider none of its own",
			  dev->host, addr, len, daxdev_arch_cpu_summary());
}

DAXDEV_HIDDEN void daxdev_sharing_fill(struct daxdev *dev, const char *provider_flush_name)
{
	bool noncoherent = dev->policy.sharing == DAXDEV_SHARING_NONCOHERENT;
	int (*invalidate)(struct daxdev *, const void *, size_t) = no_invalidate;
	int (*load)(struct daxdev *, void *, const void *, size_t) = NULL;
	const char *name = "none";

	if (dev->ops.invalidate) {
		invalidate = provider_invalidate;
		name = provider_flush_name ? provider_flush_name : "provider";
		if (noncoherent)
			load = provider_load;
	} else if (dev->arch.invalidate) {
		invalidate = cpu_invalidate;
		name = dev->arch.invalidate_name;
		if (noncoherent)
			load = cpu_load;
	}
	for (int i = 0; i < DAXDEV_NSTATES; i++) {
		dev->persist[i].load = load;
		dev->persist[i].invalidate = invalidate;
		dev->persist[i].invalidate_name = name;
	}
}

/* Other hosts read memory, never this cache: without a write-back and an
 * invalidate the device would silently assume coherence. */
DAXDEV_HIDDEN int daxdev_sharing_check(const struct daxdev *dev)
{
	const char *missing;

	if (dev->policy.sharing != DAXDEV_SHARING_NONCOHERENT)
		return 0;
	if (!dev->ops.flush && !dev->arch.flush)
		missing = "cache write-back";
	else if (!dev->ops.invalidate && !dev->arch.invalidate)
		missing = "cache invalidate";
	else
		return 0;
	return daxdev_err(-EOPNOTSUPP, "%s: opened shared with other hosts (DAXDEV_SHARING_NONCOHERENT), "
			  "but this build has no %s instruction (%s) and the provider none of its "
			  "own: other hosts' writes could not be seen, nor this host's reach them",
			  dev->host, missing, daxdev_arch_cpu_summary());
}
