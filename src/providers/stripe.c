/* SPDX-License-Identifier: MIT */
/*
 * Stripe provider: chunk-sized pieces dealt round-robin over the members
 * ("stripe:CHUNK:T1,T2,...").  Chunk k lives in member k mod N at member
 * offset (k div N) * CHUNK.  The composite page is the largest member page
 * (CHUNK is a multiple of it), so direct_access hands out pages up to the
 * end of one chunk: contiguous memory never crosses a chunk.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <daxdev/composite.h>
#include "composite.h"

static void stripe_locate(const struct composite *c, uint64_t off, size_t *member,
			  uint64_t *member_off, uint64_t *run)
{
	uint64_t chunk_no = off / c->chunk, in_chunk = off % c->chunk;

	*member = (size_t)(chunk_no % c->count);
	*member_off = chunk_no / c->count * c->chunk + in_chunk;
	*run = c->chunk - in_chunk;
}

static int stripe_geometry(struct composite *c, uint64_t chunk)
{
	uint64_t per_member = UINT64_MAX;

	for (size_t i = 0; i < c->count; i++) {
		struct daxdev *m = c->members[i].dev;
		if (chunk == 0 || chunk % daxdev_align(m))
			return daxdev_err(-EINVAL, "stripe: chunk %llu is not a multiple of member %zu (%s) page size %llu",
					  (unsigned long long)chunk, i + 1, daxdev_host(m),
					  (unsigned long long)daxdev_align(m));
		if (daxdev_size(m) / chunk * chunk < per_member)
			per_member = daxdev_size(m) / chunk * chunk;
	}
	if (per_member == 0)
		return daxdev_err(-EINVAL, "stripe: a member is smaller than the chunk %llu",
				  (unsigned long long)chunk);
	if (per_member > UINT64_MAX / c->count)
		return daxdev_err(-EOVERFLOW, "stripe: total size overflows");
	for (size_t i = 0; i < c->count; i++)
		c->members[i].used = per_member;
	c->chunk = chunk;
	c->size = per_member * c->count;
	c->locate = stripe_locate;
	return 0;
}

static int stripe_new(uint64_t chunk, struct daxdev *const *members, size_t count,
		      const struct daxdev_open_opts *opts, struct daxdev **devp)
{
	struct composite *c;
	int rc;

	if (!devp)
		return daxdev_err(-EINVAL, "daxdev_stripe_new: NULL result pointer");
	rc = composite_new("stripe", members, count, &c);
	if (rc)
		return rc;
	rc = stripe_geometry(c, chunk);
	if (rc) {
		composite_free(c);
		return rc;
	}
	return composite_create_device(c, opts, devp);
}

DAXDEV_API int daxdev_stripe_new(uint64_t chunk, struct daxdev *const *members,
				       size_t count, struct daxdev **devp)
{
	return stripe_new(chunk, members, count, NULL, devp);
}

/* "CHUNK:list": the chunk size and where the member list starts. */
static int parse_chunk(const char *target, uint64_t *chunk, const char **list)
{
	const char *colon = strchr(target, ':');
	char text[64];
	int rc;

	if (!colon || colon == target || (size_t)(colon - target) >= sizeof(text))
		return daxdev_err(-EINVAL, "stripe:%s: expected stripe:CHUNK:T1,T2,... (offset 7)",
				  target);
	memcpy(text, target, (size_t)(colon - target));
	text[colon - target] = '\0';
	rc = daxdev_parse_size(text, chunk);
	if (rc || *chunk == 0)
		return daxdev_err(rc ? rc : -EINVAL, "stripe:%s: bad chunk size '%s' (offset 7)",
				  target, text);
	*list = colon + 1;
	return 0;
}

static int stripe_open(const struct daxdev_open_args *args, struct daxdev **devp)
{
	struct daxdev_open_opts member_opts;
	struct daxdev **members;
	const char *list = NULL;
	uint64_t chunk = 0;
	size_t count;
	int rc;

	rc = composite_member_opts("stripe", args, &member_opts);
	if (rc)
		return rc;
	rc = parse_chunk(args->target, &chunk, &list);
	if (rc)
		return rc;
	rc = composite_open_members("stripe", args->target, list, &member_opts, &members,
				    &count);
	if (rc)
		return rc;
	rc = stripe_new(chunk, members, count, args->opts, devp);
	composite_put_members(members, count);
	return rc ? rc : composite_check_open_size(*devp, args);
}

static int stripe_host(const struct daxdev_open_args *args, char *buf, size_t len)
{
	const char *list;
	uint64_t chunk;
	char prefix[32];
	int rc = parse_chunk(args->target, &chunk, &list);

	if (rc)
		return rc;
	snprintf(prefix, sizeof(prefix), "%llu:", (unsigned long long)chunk);
	return composite_host("stripe", prefix, list, args, buf, len);
}

DAXDEV_PROVIDER_ENTRY const struct daxdev_provider daxdev_provider_stripe = {
	.name = "stripe",
	.prefix = "stripe:",
	.host = stripe_host,
	.open = stripe_open,
};
