/* SPDX-License-Identifier: MIT */
/*
 * The advisory lock (daxdev_lock): a holder count per object, and the
 * provider's lock op (flock on its descriptor, members' locks) when the
 * object goes from unlocked to locked.  The count makes a second lock of the
 * same object conflict too (flock would not: one descriptor, one lock); the
 * op makes other objects over the same memory, in any process, conflict.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include "internal.h"

#define LOCK_FLAGS (DAXDEV_LOCK_SHARED | DAXDEV_LOCK_NOWAIT)

DAXDEV_HIDDEN void daxdev_lock_init(struct daxdev *dev)
{
	pthread_mutex_init(&dev->lock_mutex, NULL);
	pthread_cond_init(&dev->lock_cond, NULL);
	dev->lock_holders = 0;
	dev->lock_taking = false;
}

DAXDEV_HIDDEN void daxdev_lock_release(struct daxdev *dev)
{
	if (dev->lock_holders && dev->ops.unlock)
		dev->ops.unlock(dev);
	pthread_cond_destroy(&dev->lock_cond);
	pthread_mutex_destroy(&dev->lock_mutex);
}

static bool conflicts(const struct daxdev *dev, bool shared)
{
	return dev->lock_taking || (shared ? dev->lock_holders < 0 : dev->lock_holders != 0);
}

/* Under lock_mutex: wait until the object's own holders allow the request. */
static int wait_for_object(struct daxdev *dev, unsigned flags)
{
	bool shared = flags & DAXDEV_LOCK_SHARED;

	while (conflicts(dev, shared)) {
		if (flags & DAXDEV_LOCK_NOWAIT)
			return daxdev_err(-EWOULDBLOCK, "daxdev_lock: %s: already locked through this object",
					  dev->host);
		if (dev->lock_holders < 0 && pthread_equal(dev->lock_owner, pthread_self()))
			return daxdev_err(-EDEADLK, "daxdev_lock: %s: this thread holds the object's exclusive lock",
					  dev->host);
		pthread_cond_wait(&dev->lock_cond, &dev->lock_mutex);
	}
	return 0;
}

/* Under lock_mutex, the object unlocked: take the provider's lock with the
 * mutex dropped (it may wait for another process), the object marked busy
 * meanwhile. */
static int take_below(struct daxdev *dev, unsigned flags)
{
	int rc;

	if (!dev->ops.lock)
		return 0;
	dev->lock_taking = true;
	pthread_mutex_unlock(&dev->lock_mutex);
	rc = dev->ops.lock(dev, flags);
	if (rc && !daxdev_errormsg()[0])
		daxdev_err(rc, "daxdev_lock: %s: %s", dev->host,
			   rc == -EWOULDBLOCK ? "locked by another open" : strerror(-rc));
	pthread_mutex_lock(&dev->lock_mutex);
	dev->lock_taking = false;
	pthread_cond_broadcast(&dev->lock_cond);
	return rc;
}

DAXDEV_API int daxdev_lock(struct daxdev *dev, unsigned flags)
{
	int rc;

	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_lock: NULL device");
	if (flags & ~LOCK_FLAGS)
		return daxdev_err(-EINVAL, "daxdev_lock: %s: invalid flags 0x%x", dev->host, flags);
	if (!daxdev_alive(dev))
		return daxdev_err(-ENXIO, "daxdev_lock: %s: device has been killed", dev->host);
	pthread_mutex_lock(&dev->lock_mutex);
	rc = wait_for_object(dev, flags);
	if (!rc && dev->lock_holders == 0)
		rc = take_below(dev, flags);
	if (!rc && (flags & DAXDEV_LOCK_SHARED)) {
		dev->lock_holders++;
	} else if (!rc) {
		dev->lock_holders = -1;
		dev->lock_owner = pthread_self();
	}
	pthread_mutex_unlock(&dev->lock_mutex);
	return rc;
}

DAXDEV_API int daxdev_unlock(struct daxdev *dev)
{
	int rc = 0;

	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_unlock: NULL device");
	pthread_mutex_lock(&dev->lock_mutex);
	if (dev->lock_holders == 0)
		rc = daxdev_err(-EINVAL, "daxdev_unlock: %s: not locked", dev->host);
	else if (dev->lock_holders < 0)
		dev->lock_holders = 0;
	else
		dev->lock_holders--;
	if (!rc && dev->lock_holders == 0) {
		if (dev->ops.unlock)
			dev->ops.unlock(dev);
		pthread_cond_broadcast(&dev->lock_cond);
	}
	pthread_mutex_unlock(&dev->lock_mutex);
	return rc;
}
