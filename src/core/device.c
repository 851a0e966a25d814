/* SPDX-License-Identifier: MIT */
/*
 * The dax device object: creation from a provider's ops and params, and the
 * alloc → kill → put lifetime (kernel drivers/dax/super.c is the model).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static bool is_power_of_two(uint64_t x)
{
	return x && !(x & (x - 1));
}

static int check_params(const struct daxdev_operations *ops,
			const struct daxdev_params *p, struct daxdev **devp)
{
	if (!ops || !p || !devp)
		return daxdev_err(-EINVAL, "daxdev_alloc: NULL ops, params or result pointer");
	if (!ops->direct_access)
		return daxdev_err(-EINVAL, "daxdev_alloc: provider '%s' lacks the required direct_access op",
				  p->provider ? p->provider : "?");
	if (!p->provider || !p->host || !p->host[0])
		return daxdev_err(-EINVAL, "daxdev_alloc: provider and host names are required");
	if (!is_power_of_two(p->align))
		return daxdev_err(-EINVAL, "daxdev_alloc: %s: alignment %llu is not a power of two",
				  p->host, (unsigned long long)p->align);
	if (p->size == 0 || p->size % p->align)
		return daxdev_err(-EINVAL, "daxdev_alloc: %s: size %llu is not a non-zero multiple of the alignment %llu",
				  p->host, (unsigned long long)p->size, (unsigned long long)p->align);
	if (!p->base && !ops->check_range)
		daxdev_log(DAXDEV_LOG_DEBUG, "%s: no single mapping and no check_range op: pointer calls disabled",
			   p->host);
	if (p->persistence > DAXDEV_PERSISTENCE_PERSISTENT)
		return daxdev_err(-EINVAL, "daxdev_alloc: %s: invalid persistence %d",
				  p->host, (int)p->persistence);
	return 0;
}

static unsigned log2_u64(uint64_t x)
{
	return 63u - (unsigned)__builtin_clzll(x);
}

static int fill_device(struct daxdev *dev, const struct daxdev_operations *ops,
		       const struct daxdev_params *p, void *private)
{
	dev->host = strdup(p->host);
	if (!dev->host)
		return daxdev_err(-ENOMEM, "daxdev_alloc: out of memory");
	atomic_init(&dev->refs, 1);
	atomic_init(&dev->alive, true);
	atomic_init(&dev->active, 0);
	atomic_init(&dev->killed_once, false);
	dev->ops = ops;
	dev->private = private;
	dev->size = p->size;
	dev->align = p->align;
	dev->align_shift = log2_u64(p->align);
	dev->base = p->base;
	dev->flat = p->base && p->flat_mapping && !ops->copy_from_iter && !ops->zero &&
		    !ops->flush && !ops->drain;
	dev->provider = p->provider;
	dev->unshared = p->unshared;
	dev->persistence = p->persistence;
	snprintf(dev->reason, sizeof(dev->reason), "%s",
		 p->persistence_reason ? p->persistence_reason : "not stated by the provider");
	dev->platform_write_cache = p->write_cache;
	pthread_mutex_init(&dev->info_lock, NULL);
	return 0;
}

DAXDEV_EXPORT int daxdev_alloc(const struct daxdev_operations *ops,
			       const struct daxdev_params *params, void *private,
			       struct daxdev **devp)
{
	struct daxdev *dev;
	int rc = check_params(ops, params, devp);

	if (rc)
		return rc;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return daxdev_err(-ENOMEM, "daxdev_alloc: out of memory");
	rc = fill_device(dev, ops, params, private);
	if (rc)
		goto err_free;
	rc = daxdev_persist_init(dev, params->flush_name);
	if (rc)
		goto err_host;
	*devp = dev;
	/* Providers may have probed on the way (a registry lookup that found
	 * nothing): a device that was created leaves no message behind. */
	daxdev_clear_error();
	return 0;

err_host:
	pthread_mutex_destroy(&dev->info_lock);
	free(dev->host);
err_free:
	free(dev);
	return rc;
}

DAXDEV_EXPORT void *daxdev_private(const struct daxdev *dev)
{
	return dev ? dev->private : NULL;
}

DAXDEV_EXPORT struct daxdev *daxdev_get(struct daxdev *dev)
{
	if (dev)
		atomic_fetch_add_explicit(&dev->refs, 1, memory_order_relaxed);
	return dev;
}

static void release(struct daxdev *dev)
{
	if (dev->ops->release)
		dev->ops->release(dev);
	pthread_mutex_destroy(&dev->info_lock);
	free(dev->details);
	free(dev->host);
	free(dev);
}

DAXDEV_EXPORT void daxdev_put(struct daxdev *dev)
{
	if (!dev)
		return;
	if (atomic_fetch_sub_explicit(&dev->refs, 1, memory_order_acq_rel) != 1)
		return;
	/* Last reference: nobody can reach it but a registry lookup, which
	 * refuses objects whose count is zero. */
	daxdev_registry_remove(dev);
	if (!atomic_exchange(&dev->killed_once, true) && dev->ops->kill)
		dev->ops->kill(dev);
	release(dev);
}

/*
 * Entering marks a call as running before checking liveness; kill clears
 * liveness before waiting for the count to drain.  Both use sequentially
 * consistent operations, so either the call sees the device dead, or kill
 * sees the call and waits for it.
 */
DAXDEV_HIDDEN int daxdev_enter(struct daxdev *dev)
{
	atomic_fetch_add(&dev->active, 1);
	if (atomic_load(&dev->alive))
		return 0;
	daxdev_leave(dev);
	return daxdev_err(-ENXIO, "%s: device has been killed", dev->host);
}

DAXDEV_HIDDEN void daxdev_leave(struct daxdev *dev)
{
	atomic_fetch_sub_explicit(&dev->active, 1, memory_order_release);
}

DAXDEV_EXPORT void daxdev_kill(struct daxdev *dev)
{
	if (!dev || !atomic_exchange(&dev->alive, false))
		return;
	daxdev_registry_remove(dev);
	while (atomic_load(&dev->active) > 0)
		sched_yield();
	if (!atomic_exchange(&dev->killed_once, true) && dev->ops->kill)
		dev->ops->kill(dev);
	daxdev_log(DAXDEV_LOG_INFO, "%s: killed", dev->host);
}

DAXDEV_EXPORT bool daxdev_alive(const struct daxdev *dev)
{
	return dev && atomic_load_explicit(&dev->alive, memory_order_acquire);
}

DAXDEV_EXPORT uint64_t daxdev_size(const struct daxdev *dev)
{
	return dev ? dev->size : 0;
}

DAXDEV_EXPORT uint64_t daxdev_align(const struct daxdev *dev)
{
	return dev ? dev->align : 0;
}

DAXDEV_EXPORT const char *daxdev_host(const struct daxdev *dev)
{
	return dev ? dev->host : NULL;
}
