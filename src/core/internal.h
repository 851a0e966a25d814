/* SPDX-License-Identifier: MIT */
/* Core-private definitions: the dax device object and the helpers around it. */
#ifndef DAXDEV_INTERNAL_H
#define DAXDEV_INTERNAL_H

#include <stdatomic.h>
#include <pthread.h>
#include <daxdev/provider.h>
#include <arch/arch.h>

#define DAXDEV_EXPORT __attribute__((visibility("default")))
#define DAXDEV_HIDDEN __attribute__((visibility("hidden")))

#define DAXDEV_REASON_MAX 160
#define DAXDEV_HOST_MAX 4096

struct daxdev;

/*
 * How one device copies, fills and flushes.  Two are filled at creation, one
 * for each write-cache state; daxdev_set_write_cache() only switches which one
 * is current, so the hot path never re-decides anything.
 */
struct daxdev_persist {
	const char *copy_name, *fill_name, *flush_name, *drain_name;
	/* copy/fill and write back (unless NOFLUSH); never drain */
	int (*memcpy)(struct daxdev *dev, void *dst, const void *src, size_t len,
		      unsigned flags);
	int (*memset)(struct daxdev *dev, void *dst, int c, size_t len, unsigned flags);
	int (*flush)(struct daxdev *dev, const void *addr, size_t len);
	void (*drain)(struct daxdev *dev); /* NULL: nothing to wait for */
	bool provider_flush;     /* flush is ops->flush: copies must be followed by it */
};

struct daxdev {
	atomic_long refs;
	atomic_bool alive;
	atomic_long active;           /* calls running inside the provider */
	atomic_bool killed_once;
	const struct daxdev_operations *ops;
	void *private;

	uint64_t size;
	uint64_t align;
	unsigned align_shift;
	char *base;                   /* contiguous mapping or NULL */
	bool flat;                    /* offset I/O computes base + offset: a flat
				       * mapping and no provider op but direct_access */
	const char *provider;
	char *host;
	bool unshared;
	bool registered;              /* in the host registry; under its lock */

	enum daxdev_persistence persistence;
	char reason[DAXDEV_REASON_MAX];
	bool platform_write_cache;    /* what the provider found */
	atomic_bool write_cache;
	bool write_cache_overridden;  /* env at creation, or the API */
	char override_reason[DAXDEV_REASON_MAX];

	struct daxdev_arch arch;
	struct daxdev_persist persist[2]; /* [0] write cache off, [1] on */
	_Atomic(const struct daxdev_persist *) cur;

	pthread_mutex_t info_lock;    /* details buffer */
	char *details;
};

/* Lifetime: enter before calling into the provider, leave after. */
DAXDEV_HIDDEN int daxdev_enter(struct daxdev *dev);
DAXDEV_HIDDEN void daxdev_leave(struct daxdev *dev);

DAXDEV_HIDDEN int daxdev_persist_init(struct daxdev *dev, const char *provider_flush_name);
DAXDEV_HIDDEN int daxdev_env_write_cache(int *value);

/* Registry of shared devices by host name. */
DAXDEV_HIDDEN struct daxdev *daxdev_registry_add(struct daxdev *dev);
DAXDEV_HIDDEN void daxdev_registry_remove(struct daxdev *dev);

DAXDEV_HIDDEN void daxdev_clear_error(void);

static inline const struct daxdev_persist *daxdev_cur(const struct daxdev *dev)
{
	return atomic_load_explicit(&dev->cur, memory_order_acquire);
}

/* The one fence at the end of a durable call, where this state needs one. */
static inline void daxdev_persist_drain(struct daxdev *dev, const struct daxdev_persist *how)
{
	if (how->drain)
		how->drain(dev);
}

#endif
