/* SPDX-License-Identifier: MIT */
/*
 * Pointer-based calls for code that stores through direct_access addresses.
 * These are the hot path: a few compares, then one call through the
 * implementation chosen when the device was created.
 */
#include <errno.h>
#include "internal.h"

#define DAXDEV_F_ALL (DAXDEV_F_NODRAIN | DAXDEV_F_NONTEMPORAL | DAXDEV_F_TEMPORAL | \
		      DAXDEV_F_NOFLUSH)

static int check_range_slow(struct daxdev *dev, const char *fn, const void *addr,
			    size_t len)
{
	int rc;

	if (!dev->ops->check_range)
		return daxdev_err(-EOPNOTSUPP, "%s: %s: device has no single mapping for pointer calls",
				  fn, dev->host);
	rc = daxdev_enter(dev);
	if (rc)
		return rc;
	rc = dev->ops->check_range(dev, addr, len);
	daxdev_leave(dev);
	if (rc)
		return daxdev_err(rc, "%s: %s: [%p, +%zu) is not inside the device", fn,
				  dev->host, addr, len);
	return 0;
}

static inline int check_ptr(struct daxdev *dev, const char *fn, const void *addr,
			    size_t len)
{
	uintptr_t a = (uintptr_t)addr, base = (uintptr_t)dev->base;

	if (!addr)
		return daxdev_err(-EINVAL, "%s: %s: NULL address", fn, dev->host);
	if (!base)
		return check_range_slow(dev, fn, addr, len);
	if (a < base || a - base > dev->size || len > dev->size - (a - base))
		return daxdev_err(-ERANGE, "%s: %s: [%p, +%zu) is not inside the mapping", fn,
				  dev->host, addr, len);
	return 0;
}

static inline int check_dev(const struct daxdev *dev, const char *fn)
{
	if (!dev)
		return daxdev_err(-EINVAL, "%s: NULL device", fn);
	if (!atomic_load_explicit(&dev->alive, memory_order_acquire))
		return daxdev_err(-ENXIO, "%s: %s: device has been killed", fn, dev->host);
	return 0;
}

static inline int check_flags(const struct daxdev *dev, const char *fn, unsigned flags)
{
	if ((flags & ~DAXDEV_F_ALL) ||
	    (flags & (DAXDEV_F_TEMPORAL | DAXDEV_F_NONTEMPORAL)) ==
	    (DAXDEV_F_TEMPORAL | DAXDEV_F_NONTEMPORAL))
		return daxdev_err(-EINVAL, "%s: %s: invalid flags 0x%x", fn, dev->host, flags);
	return 0;
}

static inline void finish(struct daxdev *dev, const struct daxdev_persist *how,
			  unsigned flags)
{
	if (!(flags & DAXDEV_F_NODRAIN))
		daxdev_persist_drain(dev, how);
}

DAXDEV_EXPORT int daxdev_memcpy(struct daxdev *dev, void *dst, const void *src, size_t len,
				unsigned flags)
{
	const struct daxdev_persist *how;
	int rc = check_dev(dev, "daxdev_memcpy");

	if (!rc)
		rc = check_flags(dev, "daxdev_memcpy", flags);
	if (!rc && !src && len)
		rc = daxdev_err(-EINVAL, "daxdev_memcpy: %s: NULL source", dev->host);
	if (!rc)
		rc = check_ptr(dev, "daxdev_memcpy", dst, len);
	if (rc || !len)
		return rc;
	how = daxdev_cur(dev);
	rc = how->memcpy(dev, dst, src, len, flags);
	finish(dev, how, flags);
	return rc;
}

DAXDEV_EXPORT int daxdev_memset(struct daxdev *dev, void *dst, int c, size_t len,
				unsigned flags)
{
	const struct daxdev_persist *how;
	int rc = check_dev(dev, "daxdev_memset");

	if (!rc)
		rc = check_flags(dev, "daxdev_memset", flags);
	if (!rc)
		rc = check_ptr(dev, "daxdev_memset", dst, len);
	if (rc || !len)
		return rc;
	how = daxdev_cur(dev);
	rc = how->memset(dev, dst, c, len, flags);
	finish(dev, how, flags);
	return rc;
}

DAXDEV_EXPORT int daxdev_flush(struct daxdev *dev, const void *addr, size_t len)
{
	const struct daxdev_persist *how;
	int rc = check_dev(dev, "daxdev_flush");

	if (!rc)
		rc = check_ptr(dev, "daxdev_flush", addr, len);
	if (rc || !len)
		return rc;
	how = daxdev_cur(dev);
	rc = how->flush(dev, addr, len);
	finish(dev, how, 0);
	return rc;
}

DAXDEV_EXPORT int daxdev_drain(struct daxdev *dev)
{
	int rc = check_dev(dev, "daxdev_drain");

	if (!rc)
		finish(dev, daxdev_cur(dev), 0);
	return rc;
}
