/* SPDX-License-Identifier: MIT */
/*
 * Linear provider: members concatenated in order ("linear:T1,T2,...").
 * The composite page is the largest member page, so every composite page
 * is whole member pages inside one member and never straddles two; each
 * member therefore contributes its size rounded down to that page.
 */
#include <errno.h>
#include <stdlib.h>
#include <daxdev/composite.h>
#include "composite.h"

/* The last member starting at or before off (members are sorted by start). */
static void linear_locate(const struct composite *c, uint64_t off, size_t *member,
			  uint64_t *member_off, uint64_t *run)
{
	size_t lo = 0, hi = c->count - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (c->members[mid].start <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	*member = lo;
	*member_off = off - c->members[lo].start;
	*run = c->members[lo].used - *member_off;
}

static int linear_geometry(struct composite *c)
{
	uint64_t start = 0;

	for (size_t i = 0; i < c->count; i++) {
		struct composite_member *m = &c->members[i];
		m->used = daxdev_size(m->dev) & ~(c->align - 1);
		if (m->used == 0)
			return daxdev_err(-EINVAL, "linear: member %zu (%s) has %llu bytes, less than the composite page %llu",
					  i + 1, daxdev_host(m->dev),
					  (unsigned long long)daxdev_size(m->dev),
					  (unsigned long long)c->align);
		if (m->used > UINT64_MAX - start)
			return daxdev_err(-EOVERFLOW, "linear: total size overflows");
		m->start = start;
		start += m->used;
	}
	c->size = start;
	c->locate = linear_locate;
	return 0;
}

static int linear_new(struct daxdev *const *members, size_t count,
		      const struct daxdev_open_opts *opts, struct daxdev **devp)
{
	struct composite *c;
	int rc;

	if (!devp)
		return daxdev_err(-EINVAL, "daxdev_linear_new: NULL result pointer");
	rc = composite_new("linear", members, count, &c);
	if (rc)
		return rc;
	rc = linear_geometry(c);
	if (rc) {
		composite_free(c);
		return rc;
	}
	return composite_create_device(c, opts, devp);
}

DAXDEV_API int daxdev_linear_new(struct daxdev *const *members, size_t count,
				       struct daxdev **devp)
{
	return linear_new(members, count, NULL, devp);
}

static int linear_open(const struct daxdev_open_args *args, struct daxdev **devp)
{
	struct daxdev_open_opts member_opts;
	struct daxdev **members;
	size_t count;
	int rc;

	rc = composite_member_opts("linear", args, &member_opts);
	if (rc)
		return rc;
	rc = composite_open_members("linear", args->target, args->target, &member_opts,
				    &members, &count);
	if (rc)
		return rc;
	rc = linear_new(members, count, args->opts, devp);
	composite_put_members(members, count);
	return rc ? rc : composite_check_open_size(*devp, args);
}

static int linear_host(const struct daxdev_open_args *args, char *buf, size_t len)
{
	return composite_host("linear", "", args->target, args, buf, len);
}

DAXDEV_PROVIDER_ENTRY const struct daxdev_provider daxdev_provider_linear = {
	.name = "linear",
	.prefix = "linear:",
	.host = linear_host,
	.open = linear_open,
};
