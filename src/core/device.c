/* SPDX-License-Identifier: MIT */
/*
 * The dax device object: creation from a provider's ops and params, and the
 * alloc → kill → put lifetime (kernel drivers/dax/super.c is the model).
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"

static bool is_power_of_two(uint64_t x)
{
	return x && !(x & (x - 1));
}

static int check_ops(const struct daxdev_operations *ops, const struct daxdev_params *p)
{
	if (ops->direct_access)
		return 0;
	if (p->base && p->flat_mapping)
		return 0; /* the core computes base + pgoff * align */
	return daxdev_err(-EINVAL, "daxdev_alloc: provider '%s' lacks the direct_access op "
			  "(required unless the mapping is one flat piece)", p->provider);
}

static int check_params(const struct daxdev_operations *ops, const struct daxdev_params *p)
{
	if (!p->provider || !p->host || !p->host[0])
		return daxdev_err(-EINVAL, "daxdev_alloc: provider and host names are required");
	if (!is_power_of_two(p->align))
		return daxdev_err(-EINVAL, "daxdev_alloc: %s: alignment %llu is not a power of two",
				  p->host, (unsigned long long)p->align);
	if (p->size == 0 || p->size % p->align)
		return daxdev_err(-EINVAL, "daxdev_alloc: %s: size %llu is not a non-zero multiple of the alignment %llu",
				  p->host, (unsigned long long)p->size, (unsigned long long)p->align);
	if (p->persistence > DAXDEV_PERSISTENCE_PERSISTENT)
		return daxdev_err(-EINVAL, "daxdev_alloc: %s: invalid persistence %d",
				  p->host, (int)p->persistence);
	if (!p->base && !ops->check_range)
		daxdev_log(DAXDEV_LOG_DEBUG, "%s: no single mapping and no check_range op: pointer calls disabled",
			   p->host);
	return check_ops(ops, p);
}

static unsigned log2_u64(uint64_t x)
{
	return 63u - (unsigned)__builtin_clzll(x);
}

/* Strings the device owns: NULL or "" stays "". */
static int copy_strings(struct daxdev *dev, const struct daxdev_params *p)
{
	dev->host = strdup(p->host);
	dev->region = strdup(p->region ? p->region : "");
	dev->bus = strdup(p->bus ? p->bus : "");
	if (!dev->host || !dev->region || !dev->bus)
		return daxdev_err(-ENOMEM, "daxdev_alloc: out of memory");
	return 0;
}

static void free_strings(struct daxdev *dev)
{
	free(dev->host);
	free(dev->region);
	free(dev->bus);
}

static int fill_device(struct daxdev *dev, const struct daxdev_operations *ops,
		       const struct daxdev_params *p, void *private)
{
	int rc = copy_strings(dev, p);

	if (rc)
		return rc;
	atomic_init(&dev->refs, 1);
	atomic_init(&dev->alive, true);
	atomic_init(&dev->active, 0);
	atomic_init(&dev->kill_waiting, false);
	atomic_init(&dev->killed_once, false);
	dev->private = private;
	dev->size = p->size;
	dev->align = p->align;
	dev->align_shift = log2_u64(p->align);
	dev->base = p->base;
	dev->flat = p->base && p->flat_mapping && !ops->copy_from_iter && !ops->zero &&
		    !ops->flush && !ops->drain;
	dev->readonly = p->readonly;
	dev->provider = p->provider;
	dev->unshared = p->unshared;
	dev->numa_node = p->node_known ? p->numa_node : -1;
	dev->target_node = p->node_known ? p->target_node : -1;
	dev->persistence = p->persistence;
	snprintf(dev->reason, sizeof(dev->reason), "%s",
		 p->persistence_reason ? p->persistence_reason : "not stated by the provider");
	dev->platform_write_cache = p->write_cache;
	pthread_mutex_init(&dev->state_lock, NULL);
	pthread_mutex_init(&dev->bad_lock, NULL);
	atomic_init(&dev->nbad, 0);
	daxdev_lock_init(dev);
	return 0;
}

/* Ops, params and options as this library's structs, whatever their sz. */
static int take_inputs(struct daxdev *dev, const struct daxdev_operations *ops,
		       const struct daxdev_params *params, struct daxdev_params *p)
{
	struct daxdev_open_opts opts;
	int rc;

	rc = daxdev_struct_in("daxdev_alloc", "daxdev_operations", ops, &dev->ops,
			      sizeof(dev->ops));
	if (!rc)
		rc = daxdev_struct_in("daxdev_alloc", "daxdev_params", params, p, sizeof(*p));
	if (!rc)
		rc = daxdev_opts_normalize("daxdev_alloc", p->opts, &opts);
	if (!rc)
		rc = daxdev_policy_from(&opts, &dev->policy);
	if (!rc)
		rc = check_params(&dev->ops, p);
	dev->ops_id = ops;
	return rc;
}

DAXDEV_API int daxdev_alloc(const struct daxdev_operations *ops,
			    const struct daxdev_params *params, void *private,
			    struct daxdev **devp)
{
	struct daxdev_params p;
	struct daxdev *dev;
	int rc;

	daxdev_clear_error();
	if (!ops || !params || !devp)
		return daxdev_err(-EINVAL, "daxdev_alloc: NULL ops, params or result pointer");
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return daxdev_err(-ENOMEM, "daxdev_alloc: out of memory");
	rc = take_inputs(dev, ops, params, &p);
	if (rc)
		goto err_free;
	rc = fill_device(dev, &dev->ops, &p, private);
	if (rc)
		goto err_strings;
	rc = daxdev_persist_init(dev, p.flush_name);
	if (rc)
		goto err_lock;
	daxdev_guard_install(dev);
	*devp = dev;
	/* Providers may have probed on the way (a lookup that found nothing):
	 * a device that was created leaves no message behind. */
	daxdev_clear_error();
	return 0;

err_lock:
	daxdev_lock_release(dev);
	pthread_mutex_destroy(&dev->state_lock);
	daxdev_bad_free(dev);
err_strings:
	free_strings(dev);
err_free:
	free(dev);
	return rc;
}

DAXDEV_API void *daxdev_private(const struct daxdev *dev, const struct daxdev_operations *ops)
{
	return dev && ops && dev->ops_id == ops ? dev->private : NULL;
}

DAXDEV_API struct daxdev *daxdev_get(struct daxdev *dev)
{
	if (dev)
		atomic_fetch_add_explicit(&dev->refs, 1, memory_order_relaxed);
	return dev;
}

static void release(struct daxdev *dev)
{
	daxdev_lock_release(dev);
	if (dev->ops.release)
		dev->ops.release(dev);
	pthread_mutex_destroy(&dev->state_lock);
	daxdev_bad_free(dev);
	free_strings(dev);
	free(dev);
}

static void kill_once(struct daxdev *dev)
{
	if (!atomic_exchange(&dev->killed_once, true) && dev->ops.kill)
		dev->ops.kill(dev);
}

DAXDEV_API void daxdev_put(struct daxdev *dev)
{
	if (!dev)
		return;
	if (atomic_fetch_sub_explicit(&dev->refs, 1, memory_order_acq_rel) != 1)
		return;
	/* Last reference: nobody can reach it but a registry lookup, which
	 * refuses objects whose count is zero. */
	daxdev_registry_remove(dev);
	kill_once(dev);
	release(dev);
}

static void futex_wait(atomic_int *word, int value)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0);
}

static void futex_wake_all(atomic_int *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
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

/* The last call out wakes a sleeping kill.  kill sets kill_waiting before
 * reading active, and this reads it after the decrement (both seq_cst): if
 * this sees no waiter, kill's read sees the decrement and does not sleep. */
DAXDEV_HIDDEN void daxdev_leave(struct daxdev *dev)
{
	if (atomic_fetch_sub(&dev->active, 1) == 1 && atomic_load(&dev->kill_waiting))
		futex_wake_all(&dev->active);
}

DAXDEV_API void daxdev_kill(struct daxdev *dev)
{
	int running;

	if (!dev || !atomic_exchange(&dev->alive, false))
		return;
	daxdev_registry_remove(dev);
	atomic_store(&dev->kill_waiting, true);
	/* Sleep, not spin: a call may be inside a long msync. */
	while ((running = atomic_load(&dev->active)) > 0)
		futex_wait(&dev->active, running);
	atomic_store(&dev->kill_waiting, false);
	kill_once(dev);
	daxdev_log(DAXDEV_LOG_INFO, "%s: killed", dev->host);
}

DAXDEV_API bool daxdev_alive(const struct daxdev *dev)
{
	return dev && atomic_load_explicit(&dev->alive, memory_order_acquire);
}

DAXDEV_API uint64_t daxdev_size(const struct daxdev *dev)
{
	return dev ? dev->size : 0;
}

DAXDEV_API uint64_t daxdev_align(const struct daxdev *dev)
{
	return dev ? dev->align : 0;
}

DAXDEV_API const char *daxdev_host(const struct daxdev *dev)
{
	return dev ? dev->host : NULL;
}
