/* SPDX-License-Identifier: MIT */
/*
 * Bad blocks as an API: the provider's known bad ranges (nvdimm badblocks,
 * a file's bad sectors, a composite's members') merged with the ranges this
 * device's guarded accesses found (fault.c), and clearing them where
 * userspace can.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

/* The provider's first range ending after from, or -ENODATA. */
static int provider_next(struct daxdev *dev, uint64_t from, struct daxdev_badblock *bb)
{
	int rc;

	if (!dev->ops.badblock_next)
		return -ENODATA;
	daxdev_clear_error();
	rc = dev->ops.badblock_next(dev, from, bb);
	if (rc && rc != -ENODATA && !daxdev_errormsg()[0])
		daxdev_err(rc, "%s: listing bad blocks failed: %s", dev->host, strerror(-rc));
	return rc;
}

/* The first remembered range ending after from, or -ENODATA. */
static int remembered_next(struct daxdev *dev, uint64_t from, struct daxdev_badblock *bb)
{
	struct daxdev_bad b;
	int rc = daxdev_bad_find(dev, from, UINT64_MAX - from, &b);

	if (!rc) {
		bb->offset = b.offset;
		bb->length = b.length;
		bb->error = b.error;
		bb->flags = DAXDEV_BADBLOCK_SEEN;
	}
	return rc;
}

static int check_out(const char *fn, const struct daxdev_badblock *bb)
{
	if (!bb)
		return daxdev_err(-EINVAL, "%s: NULL result pointer", fn);
	if (bb->sz < sizeof(size_t))
		return daxdev_err(-EINVAL, "%s: struct daxdev_badblock with sz %zu: set sz "
				  "(DAXDEV_BADBLOCK_INIT)", fn, bb->sz);
	return 0;
}

static int next_of_both(struct daxdev *dev, uint64_t from, struct daxdev_badblock *out)
{
	struct daxdev_badblock p = DAXDEV_BADBLOCK_INIT, s = DAXDEV_BADBLOCK_INIT;
	int rp = provider_next(dev, from, &p);
	int rs = remembered_next(dev, from, &s);

	if (rp && rp != -ENODATA)
		return rp;
	if (rp && rs)
		return daxdev_err(-ENODATA, "daxdev_badblock_next: %s: no bad range ends after offset %llu",
				  dev->host, (unsigned long long)from);
	/* Both: the lower offset; a platform range first at the same one. */
	*out = !rp && (rs || p.offset <= s.offset) ? p : s;
	return 0;
}

DAXDEV_API int daxdev_badblock_next(struct daxdev *dev, uint64_t from, struct daxdev_badblock *bb)
{
	struct daxdev_badblock found = DAXDEV_BADBLOCK_INIT;
	int rc;

	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_badblock_next: NULL device");
	rc = daxdev_enter(dev);
	if (rc)
		return rc;
	rc = check_out("daxdev_badblock_next", bb);
	if (!rc)
		rc = next_of_both(dev, from, &found);
	daxdev_leave(dev);
	if (rc)
		return rc;
	found.sz = sizeof(found);
	return daxdev_struct_out(bb, &found, sizeof(found));
}

static int check_clear(struct daxdev *dev, uint64_t offset, uint64_t len)
{
	const char *fn = "daxdev_badblock_clear";

	if (dev->readonly)
		return daxdev_err(-EROFS, "%s: %s: opened read-only", fn, dev->host);
	if (offset > dev->size || len > dev->size - offset)
		return daxdev_err(-ERANGE, "%s: %s: range [%llu, +%llu) is past the end (size %llu)",
				  fn, dev->host, (unsigned long long)offset, (unsigned long long)len,
				  (unsigned long long)dev->size);
	if ((offset | len) & (dev->align - 1))
		return daxdev_err(-EINVAL, "%s: %s: [%llu, +%llu) is not in whole pages of %llu "
				  "(clearing zeroes whole pages; round the range yourself)", fn,
				  dev->host, (unsigned long long)offset, (unsigned long long)len,
				  (unsigned long long)dev->align);
	if (!dev->ops.badblock_clear)
		return daxdev_err(-EOPNOTSUPP, "%s: %s: the %s provider cannot clear bad blocks",
				  fn, dev->host, dev->provider);
	return 0;
}

DAXDEV_API int daxdev_badblock_clear(struct daxdev *dev, uint64_t offset, uint64_t len)
{
	int rc;

	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_badblock_clear: NULL device");
	rc = daxdev_enter(dev);
	if (rc)
		return rc;
	rc = check_clear(dev, offset, len);
	if (!rc && len) {
		rc = dev->ops.badblock_clear(dev, offset, len);
		if (rc && !daxdev_errormsg()[0])
			daxdev_err(rc, "daxdev_badblock_clear: %s: %s", dev->host, strerror(-rc));
		else if (!rc)
			daxdev_bad_forget(dev, offset, len);
	}
	daxdev_leave(dev);
	if (!rc && len)
		daxdev_log(DAXDEV_LOG_INFO, "%s: cleared [%llu, +%llu): zeroed, new memory behind it",
			   dev->host, (unsigned long long)offset, (unsigned long long)len);
	return rc;
}
