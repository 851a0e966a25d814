/* SPDX-License-Identifier: MIT */
/*
 * Shared code of the composite providers.  A composite never touches member
 * memory itself for writes: every write, zero and flush is cut at member
 * boundaries and handed to the member through the public API, so each
 * member persists its part its own way (eADR fence, cache write-back,
 * msync) and a killed member fails alone with -ENXIO.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "composite.h"

#define COMPOSITE_IOV_BATCH 64
#define COMPOSITE_MSG_MAX 512

static const struct daxdev_operations composite_ops;

static unsigned log2_u64(uint64_t x)
{
	return 63u - (unsigned)__builtin_clzll(x);
}

/* --- parsing and opening members ---------------------------------------- */

static bool is_composite_target(const char *s, size_t len)
{
	static const char *const prefixes[] = { "linear:", "stripe:" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (len >= n && !strncmp(s, prefixes[i], n))
			return true;
	}
	return false;
}

static size_t count_members(const char *list)
{
	size_t n = 1;

	for (const char *p = list; *p; p++)
		n += *p == ',';
	return n;
}

/* The member text [s, s+len) found at offset pos of "kind:target", checked
 * and copied into *name. */
static int member_name(const char *kind, const char *target, const char *s, size_t len,
		       size_t index, char **name)
{
	size_t pos = strlen(kind) + 1 + (size_t)(s - target);

	if (len == 0)
		return daxdev_err(-EINVAL, "%s:%s: empty member at position %zu (offset %zu)",
				  kind, target, index + 1, pos);
	if (is_composite_target(s, len))
		return daxdev_err(-EINVAL, "%s:%s: member %zu (offset %zu) is itself a composite; "
				  "nesting is only possible with daxdev_linear_new()/daxdev_stripe_new()",
				  kind, target, index + 1, pos);
	*name = strndup(s, len);
	return *name ? 0 : daxdev_err(-ENOMEM, "%s: out of memory", kind);
}

static int open_one_member(const char *kind, const char *target, const char *s,
			   size_t len, size_t index, const struct daxdev_open_opts *opts,
			   struct daxdev **devp)
{
	size_t pos = strlen(kind) + 1 + (size_t)(s - target);
	char *name;
	int rc = member_name(kind, target, s, len, index, &name);

	if (rc)
		return rc;
	rc = daxdev_open(name, opts, devp);
	if (rc)
		daxdev_err(rc, "%s:%s: member %zu '%s' (offset %zu): %s", kind, target,
			   index + 1, name, pos, daxdev_errormsg());
	free(name);
	return rc;
}

COMPOSITE_HIDDEN int composite_open_members(const char *kind, const char *target,
					    const char *list,
					    const struct daxdev_open_opts *opts,
					    struct daxdev ***membersp, size_t *countp)
{
	size_t count = count_members(list), i = 0;
	struct daxdev **members;
	const char *p = list;
	int rc = 0;

	if (!*list)
		return daxdev_err(-EINVAL, "%s:%s: no members; expected %s:%sT1,T2,...", kind,
				  target, kind, strcmp(kind, "stripe") ? "" : "CHUNK:");
	members = calloc(count, sizeof(*members));
	if (!members)
		return daxdev_err(-ENOMEM, "%s: out of memory", kind);
	for (; i < count; i++) {
		size_t len = strcspn(p, ",");
		rc = open_one_member(kind, target, p, len, i, opts, &members[i]);
		if (rc)
			goto err_put;
		p += len + 1;
	}
	*membersp = members;
	*countp = count;
	return 0;

err_put:
	composite_put_members(members, i);
	return rc;
}

COMPOSITE_HIDDEN void composite_put_members(struct daxdev **members, size_t count)
{
	for (size_t i = 0; i < count; i++)
		daxdev_put(members[i]);
	free(members);
}

COMPOSITE_HIDDEN int composite_member_opts(const char *kind,
					   const struct daxdev_open_args *args,
					   struct daxdev_open_opts *member)
{
	if (args->opts->flags & DAXDEV_OPEN_CREATE)
		return daxdev_err(-EINVAL, "%s:%s: DAXDEV_OPEN_CREATE does not apply to a composite; "
				  "create the member files first", kind, args->target);
	/* Members share only if the composite does, are opened with the same
	 * access, and follow the same policy: what info says of the composite
	 * is what its members do. */
	*member = *args->opts;
	member->size = 0;
	member->flags &= DAXDEV_OPEN_REUSE | DAXDEV_OPEN_READONLY | DAXDEV_OPEN_SPARSE |
			 DAXDEV_OPEN_NO_SIGBUS_GUARD;
	return 0;
}

COMPOSITE_HIDDEN int composite_check_open_size(struct daxdev *dev,
					       const struct daxdev_open_args *args)
{
	if (args->opts->size <= daxdev_size(dev))
		return 0;
	daxdev_err(-EINVAL, "%s: size %llu requested but the composite has %llu bytes",
		   daxdev_host(dev), (unsigned long long)args->opts->size,
		   (unsigned long long)daxdev_size(dev));
	daxdev_put(dev);
	return -EINVAL;
}

/* One member's host, through the provider table as daxdev_open would. */
static int member_host(const char *name, const struct daxdev_open_args *args, char *buf,
		       size_t len)
{
	const struct daxdev_provider *prov;
	struct daxdev_open_args margs = { .fd = -1, .opts = args->opts };
	int rc = daxdev_provider_for(name, -1, 0, &prov, &margs.target);

	if (rc)
		return rc;
	return prov->host ? prov->host(&margs, buf, len) : -ENOENT;
}

COMPOSITE_HIDDEN int composite_host(const char *kind, const char *prefix, const char *list,
				    const struct daxdev_open_args *args, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "%s:%s", kind, prefix);
	char host[PATH_MAX], *name;
	const char *p = list;
	size_t index = 0;
	int rc = 0;

	while (!rc && used < len) {
		size_t n = strcspn(p, ",");

		rc = member_name(kind, args->target, p, n, index++, &name);
		if (rc)
			return rc;
		rc = member_host(name, args, host, sizeof(host));
		free(name);
		if (!rc)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 p == list ? "" : ",", host);
		p += n;
		if (!*p++)
			break;
	}
	return rc ? rc : used < len ? 0 : -ENAMETOOLONG;
}

/* --- the composite object ---------------------------------------------- */

static int check_new_members(const char *kind, struct daxdev *const *members, size_t count)
{
	if (!members || count == 0)
		return daxdev_err(-EINVAL, "%s: at least one member is required", kind);
	for (size_t i = 0; i < count; i++) {
		if (!members[i])
			return daxdev_err(-EINVAL, "%s: member %zu is NULL", kind, i + 1);
		if (!daxdev_alive(members[i]))
			return daxdev_err(-ENXIO, "%s: member %zu (%s) has been killed", kind,
					  i + 1, daxdev_host(members[i]));
		/* The same object twice would alias its memory. */
		for (size_t j = 0; j < i; j++)
			if (members[j] == members[i])
				return daxdev_err(-EINVAL, "%s: member %zu (%s) is the same device as member %zu",
						  kind, i + 1, daxdev_host(members[i]), j + 1);
	}
	return 0;
}

COMPOSITE_HIDDEN int composite_new(const char *kind, struct daxdev *const *members,
				   size_t count, struct composite **cp)
{
	struct composite *c;
	int rc = check_new_members(kind, members, count);

	if (rc)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c)
		return daxdev_err(-ENOMEM, "%s: out of memory", kind);
	c->members = calloc(count, sizeof(*c->members));
	if (!c->members) {
		free(c);
		return daxdev_err(-ENOMEM, "%s: out of memory", kind);
	}
	c->kind = kind;
	c->count = count;
	c->align = 1;
	for (size_t i = 0; i < count; i++) {
		uint64_t align = daxdev_align(members[i]);
		c->members[i].dev = daxdev_get(members[i]);
		c->members[i].align_shift = log2_u64(align);
		if (align > c->align)
			c->align = align;
	}
	c->align_shift = log2_u64(c->align);
	*cp = c;
	return 0;
}

COMPOSITE_HIDDEN void composite_free(struct composite *c)
{
	for (size_t i = 0; i < c->count; i++)
		daxdev_put(c->members[i].dev);
	free(c->members);
	free(c);
}

/* --- creating the device ------------------------------------------------ */

/* volatile < unknown < persistent: a composite is as durable as its weakest
 * member. */
static int persistence_rank(enum daxdev_persistence p)
{
	switch (p) {
	case DAXDEV_PERSISTENCE_VOLATILE: return 0;
	case DAXDEV_PERSISTENCE_UNKNOWN: return 1;
	default: return 2;
	}
}

struct combined {
	enum daxdev_persistence persistence;
	char reason[COMPOSITE_MSG_MAX];
	bool write_cache;
	bool readonly;
	enum daxdev_sharing sharing;
};

/* A composite reads members' memory through its own load and writes through
 * the members' calls: shared and local members together would leave one
 * side without its invalidate or its write-back. */
static int check_sharing(const struct composite *c, size_t i, const struct daxdev_info *info,
			 enum daxdev_sharing first)
{
	if (info->sharing == first)
		return 0;
	return daxdev_err(-EINVAL, "%s: member %zu (%s) is opened with sharing %d, member 1 with %d: "
			  "all members must share alike (DAXDEV_SHARING_NONCOHERENT or not)",
			  c->kind, i + 1, info->host, (int)info->sharing, (int)first);
}

/* Persistence of the weakest member; write cache on if any member's is;
 * read-only if any member is (a pointer store into that member's read-only
 * mapping would fault, so the composite refuses every store). */
static int combine_members(const struct composite *c, struct combined *out)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	int rank = INT_MAX;

	out->write_cache = out->readonly = false;
	for (size_t i = 0; i < c->count; i++) {
		int rc = daxdev_get_info(c->members[i].dev, &info);
		if (!rc && i == 0)
			out->sharing = info.sharing;
		if (!rc)
			rc = check_sharing(c, i, &info, out->sharing);
		if (rc)
			return rc;
		out->write_cache |= info.write_cache;
		out->readonly |= info.readonly;
		if (persistence_rank(info.persistence) < rank) {
			rank = persistence_rank(info.persistence);
			out->persistence = info.persistence;
			snprintf(out->reason, sizeof(out->reason), "weakest is member %zu (%s): %s",
				 i + 1, info.host, info.persistence_reason);
		}
	}
	return 0;
}

/* Shared only if every member is the object registered for its host:
 * anonymous members all have the host "anon" and are each distinct. */
static bool members_shared(const struct composite *c)
{
	for (size_t i = 0; i < c->count; i++) {
		struct daxdev *found = daxdev_get_by_host(daxdev_host(c->members[i].dev));
		daxdev_put(found);
		if (found != c->members[i].dev)
			return false;
	}
	return true;
}

/* "linear:h1,h2" or "stripe:CHUNKBYTES:h1,h2" from the members' hosts. */
static char *canonical_host(const struct composite *c)
{
	size_t len = strlen(c->kind) + 24;
	char *host, *p;

	for (size_t i = 0; i < c->count; i++)
		len += strlen(daxdev_host(c->members[i].dev)) + 1;
	host = malloc(len);
	if (!host)
		return NULL;
	p = host + sprintf(host, "%s:", c->kind);
	if (c->chunk)
		p += sprintf(p, "%llu:", (unsigned long long)c->chunk);
	for (size_t i = 0; i < c->count; i++)
		p += sprintf(p, "%s%s", i ? "," : "", daxdev_host(c->members[i].dev));
	return host;
}

/* Held members (no options): the composite shares as they do.  Opened by
 * string: the members were opened with the composite's own policy. */
static int sharing_opts(const struct composite *c, const struct combined *comb,
			const struct daxdev_open_opts **opts, struct daxdev_open_opts *adopted)
{
	if (!*opts) {
		*adopted = (struct daxdev_open_opts){ .sz = sizeof(*adopted),
						      .sharing = comb->sharing };
		*opts = adopted;
		return 0;
	}
	if ((*opts)->sharing == (int32_t)comb->sharing)
		return 0;
	return daxdev_err(-EINVAL, "%s: sharing %d asked for, but the members are opened with %d",
			  c->kind, (int)(*opts)->sharing, (int)comb->sharing);
}

COMPOSITE_HIDDEN int composite_create_device(struct composite *c,
					     const struct daxdev_open_opts *opts,
					     struct daxdev **devp)
{
	struct daxdev_open_opts adopted;
	struct combined comb;
	char *host;
	int rc = combine_members(c, &comb);

	if (!rc)
		rc = sharing_opts(c, &comb, &opts, &adopted);
	if (rc)
		goto err_free;
	host = canonical_host(c);
	if (!host) {
		rc = daxdev_err(-ENOMEM, "%s: out of memory", c->kind);
		goto err_free;
	}
	struct daxdev_params params = {
		.sz = sizeof(params), .provider = c->kind, .host = host, .size = c->size,
		.align = c->align, .base = NULL, .persistence = comb.persistence,
		.persistence_reason = comb.reason, .write_cache = comb.write_cache,
		.flush_name = "members", .unshared = !members_shared(c),
		.readonly = comb.readonly, .opts = opts,
	};
	rc = daxdev_alloc(&composite_ops, &params, c, devp);
	free(host);
	if (rc)
		goto err_free;
	return 0;

err_free:
	composite_free(c);
	return rc;
}

/* --- range operations ----------------------------------------------------- */

/* Say which member failed, keeping the member's own message. */
static int member_failed(const struct composite *c, size_t i, int rc)
{
	return daxdev_err(rc, "%s member %zu (%s): %s", c->kind, i + 1,
			  daxdev_host(c->members[i].dev), daxdev_errormsg());
}

static long composite_direct_access(struct daxdev *dev, uint64_t pgoff,
					      long nr_pages, void **addr)
{
	const struct composite *c = daxdev_private(dev, &composite_ops);
	uint64_t member_off, run;
	size_t i;

	c->locate(c, pgoff << c->align_shift, &i, &member_off, &run);
	const struct composite_member *m = &c->members[i];
	unsigned ratio_shift = c->align_shift - m->align_shift;
	uint64_t want = run >> c->align_shift;

	if (want > (uint64_t)nr_pages)
		want = (uint64_t)nr_pages;
	long got = daxdev_direct_access(m->dev, member_off >> m->align_shift,
					(long)(want << ratio_shift), addr);
	if (got < 0)
		return member_failed(c, i, (int)got);
	/* A member page smaller than ours must come in whole composite pages. */
	if (got >> ratio_shift == 0)
		return daxdev_err(-EIO, "%s member %zu (%s): page %llu is not contiguous in the member",
				  c->kind, i + 1, daxdev_host(m->dev), (unsigned long long)pgoff);
	return got >> ratio_shift;
}

typedef int (*segment_fn)(struct daxdev *member, uint64_t member_off, uint64_t len,
			  void *ctx);

/* Cut [off, off+len) at member (stripe: chunk) boundaries. */
static int for_each_segment(const struct composite *c, uint64_t off, uint64_t len,
			    segment_fn fn, void *ctx)
{
	while (len) {
		uint64_t member_off, run;
		size_t i;

		c->locate(c, off, &i, &member_off, &run);
		if (run > len)
			run = len;
		int rc = fn(c->members[i].dev, member_off, run, ctx);
		if (rc)
			return member_failed(c, i, rc);
		off += run;
		len -= run;
	}
	return 0;
}

struct iov_slice {
	const struct iovec *iov;
	size_t pos;   /* bytes of iov[0] already written */
};

/* Up to COMPOSITE_IOV_BATCH pieces covering at most len bytes of s. */
static int take_batch(struct iov_slice *s, uint64_t len, struct iovec *batch,
		      uint64_t *bytes)
{
	int k = 0;

	*bytes = 0;
	while (k < COMPOSITE_IOV_BATCH && *bytes < len) {
		size_t piece = s->iov->iov_len - s->pos;
		if (piece > len - *bytes)
			piece = (size_t)(len - *bytes);
		if (piece) {
			batch[k].iov_base = (char *)s->iov->iov_base + s->pos;
			batch[k++].iov_len = piece;
		}
		*bytes += piece;
		s->pos += piece;
		if (s->pos == s->iov->iov_len) {
			s->iov++;
			s->pos = 0;
		}
	}
	return k;
}

struct write_ctx {
	struct iov_slice slice;
	unsigned flags;
};

static int write_segment(struct daxdev *member, uint64_t member_off, uint64_t len,
			 void *ctx)
{
	struct iovec batch[COMPOSITE_IOV_BATCH];
	struct write_ctx *w = ctx;
	uint64_t bytes;

	while (len) {
		int k = take_batch(&w->slice, len, batch, &bytes);
		int rc = daxdev_writev(member, member_off, batch, k, w->flags);
		if (rc)
			return rc;
		member_off += bytes;
		len -= bytes;
	}
	return 0;
}

/* Each segment goes to its member with the caller's flags: with
 * DAXDEV_F_NODRAIN no member waits, and the composite's drain op waits for
 * them all. */
static int composite_copy_from_iter(struct daxdev *dev, uint64_t offset,
				    const struct iovec *iov, int iovcnt, unsigned flags)
{
	struct write_ctx w = { .slice = { .iov = iov, .pos = 0 }, .flags = flags };
	uint64_t total = 0;

	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	return for_each_segment(daxdev_private(dev, &composite_ops), offset, total,
				write_segment, &w);
}

static void composite_drain(struct daxdev *dev)
{
	const struct composite *c = daxdev_private(dev, &composite_ops);

	for (size_t i = 0; i < c->count; i++)
		daxdev_drain(c->members[i].dev); /* a killed member has nothing to wait for */
}

static int zero_segment(struct daxdev *member, uint64_t member_off, uint64_t len,
			void *ctx)
{
	(void)ctx;
	return daxdev_zero(member, member_off, len);
}

static int composite_zero(struct daxdev *dev, uint64_t offset, uint64_t len)
{
	return for_each_segment(daxdev_private(dev, &composite_ops), offset, len, zero_segment,
				NULL);
}

/* Every member follows, or none: a member that refuses (killed, or this
 * build cannot write its cache back) puts the ones already switched back.
 * Its message is kept aside first: the calls that undo clear it. */
static int composite_set_write_cache(struct daxdev *dev, bool on)
{
	const struct composite *c = daxdev_private(dev, &composite_ops);
	int *was = calloc(c->count, sizeof(*was)), rc = 0;
	char why[COMPOSITE_MSG_MAX];
	size_t i, done;

	if (!was)
		return daxdev_err(-ENOMEM, "%s: out of memory", c->kind);
	for (done = 0; done < c->count && !rc; done++) {
		was[done] = daxdev_write_cache(c->members[done].dev);
		rc = was[done] < 0 ? was[done] : daxdev_set_write_cache(c->members[done].dev, on);
	}
	if (rc) {
		snprintf(why, sizeof(why), "%s", daxdev_errormsg());
		for (i = 0; i + 1 < done; i++)
			daxdev_set_write_cache(c->members[i].dev, was[i]);
		rc = daxdev_err(rc, "%s member %zu (%s): %s", c->kind, done,
				daxdev_host(c->members[done - 1].dev), why);
	}
	free(was);
	return rc;
}

/* Index of the member whose handed-out memory holds [addr, addr+len), or
 * -1; *rc is that member's answer: 0, or -ENXIO if it was killed. */
static long owner_of(const struct composite *c, const void *addr, size_t len, int *rc)
{
	for (size_t i = 0; i < c->count; i++) {
		*rc = daxdev_check_addr(c->members[i].dev, addr, len);
		if (*rc != -ERANGE)
			return (long)i;
	}
	*rc = -ERANGE;
	return -1;
}

/* A pointer call on the member whose memory holds the range. */
static int in_owner(struct daxdev *dev, const void *addr, size_t len,
		    int (*call)(struct daxdev *, const void *, size_t))
{
	const struct composite *c = daxdev_private(dev, &composite_ops);
	int rc;
	long i = owner_of(c, addr, len, &rc);

	if (i < 0)
		return daxdev_err(-ERANGE, "%s: [%p, +%zu) is not inside one member",
				  daxdev_host(dev), addr, len);
	rc = call(c->members[i].dev, addr, len);
	return rc ? member_failed(c, (size_t)i, rc) : 0;
}

static int composite_flush(struct daxdev *dev, const void *addr, size_t len)
{
	return in_owner(dev, addr, len, daxdev_flush);
}

/* The member holding the range discards it its own way (CPU, or a member
 * simulator's refetch). */
static int composite_invalidate(struct daxdev *dev, const void *addr, size_t len)
{
	return in_owner(dev, addr, len, daxdev_invalidate);
}

/* 0 if inside one live member (of a nested composite, its own check goes
 * down the same way), -ENXIO if that member was killed, else -ERANGE. */
static int composite_check_range(struct daxdev *dev, const void *addr, size_t len)
{
	int rc;

	owner_of(daxdev_private(dev, &composite_ops), addr, len, &rc);
	return rc;
}

static int composite_badblocks(struct daxdev *dev, uint64_t from, struct daxdev_badblock *bb)
{
	return composite_badblock_next(daxdev_private(dev, &composite_ops), from, bb);
}

static int clear_segment(struct daxdev *member, uint64_t member_off, uint64_t len, void *ctx)
{
	(void)ctx;
	return daxdev_badblock_clear(member, member_off, len);
}

/* Each member clears its part (the composite page is a multiple of every
 * member's, so the parts are whole member pages). */
static int composite_badblock_clear(struct daxdev *dev, uint64_t offset, uint64_t len)
{
	return for_each_segment(daxdev_private(dev, &composite_ops), offset, len, clear_segment,
				NULL);
}

/* --- lock ------------------------------------------------------------------ */

/* Members are locked in one order that every composite in every process
 * shares (host name, then object), so that two composites over the same
 * members never wait for each other crosswise. */
static int lock_order(const void *a, const void *b)
{
	struct daxdev *x = *(struct daxdev *const *)a, *y = *(struct daxdev *const *)b;
	int by_host = strcmp(daxdev_host(x), daxdev_host(y));

	if (by_host)
		return by_host;
	return (uintptr_t)x < (uintptr_t)y ? -1 : (uintptr_t)x > (uintptr_t)y;
}

static int composite_lock(struct daxdev *dev, unsigned flags)
{
	const struct composite *c = daxdev_private(dev, &composite_ops);
	struct daxdev **order = calloc(c->count, sizeof(*order));
	size_t done = 0;
	int rc = 0;

	if (!order)
		return daxdev_err(-ENOMEM, "%s: out of memory", c->kind);
	for (size_t i = 0; i < c->count; i++)
		order[i] = c->members[i].dev;
	qsort(order, c->count, sizeof(*order), lock_order);
	for (; done < c->count && !rc; done++)
		rc = daxdev_lock(order[done], flags);
	for (size_t i = 0; rc && i + 1 < done; i++)
		daxdev_unlock(order[i]);
	free(order);
	return rc;
}

static void composite_unlock(struct daxdev *dev)
{
	const struct composite *c = daxdev_private(dev, &composite_ops);

	for (size_t i = 0; i < c->count; i++)
		daxdev_unlock(c->members[i].dev);
}

/* --- description and release ---------------------------------------------- */

static int describe_member(const struct composite *c, size_t i, char *buf, size_t len)
{
	const struct composite_member *m = &c->members[i];
	struct daxdev_info info = DAXDEV_INFO_INIT;

	if (daxdev_get_info(m->dev, &info))
		return snprintf(buf, len, "member %zu: %s (no info: %s)\n", i + 1,
				daxdev_host(m->dev), daxdev_errormsg());
	return snprintf(buf, len, "member %zu: host %s, provider %s, size %llu, used %llu, "
			"write cache %s, alive %s\n", i + 1, info.host, info.provider,
			(unsigned long long)info.size, (unsigned long long)m->used,
			info.write_cache ? "on" : "off", info.alive ? "yes" : "no");
}

static int composite_describe(struct daxdev *dev, char *buf, size_t len)
{
	const struct composite *c = daxdev_private(dev, &composite_ops);
	size_t total;
	int n;

	if (c->chunk)
		n = snprintf(buf, len, "chunk: %llu\nmembers: %zu\n",
			     (unsigned long long)c->chunk, c->count);
	else
		n = snprintf(buf, len, "members: %zu\n", c->count);
	if (n < 0)
		return n;
	total = (size_t)n;
	for (size_t i = 0; i < c->count; i++) {
		n = describe_member(c, i, total < len ? buf + total : NULL,
				    total < len ? len - total : 0);
		if (n < 0)
			return n;
		total += (size_t)n;
	}
	return total > INT_MAX ? INT_MAX : (int)total;
}

/* Members are dropped only here, not at kill: a parent composite may still
 * be walking this one's member table while it is being killed. */
static void composite_release(struct daxdev *dev)
{
	composite_free(daxdev_private(dev, &composite_ops));
}

static const struct daxdev_operations composite_ops = {
	.sz = sizeof(struct daxdev_operations),
	.direct_access = composite_direct_access,
	.copy_from_iter = composite_copy_from_iter,
	.flush = composite_flush,
	.drain = composite_drain,
	.zero = composite_zero,
	.check_range = composite_check_range,
	.describe = composite_describe,
	.set_write_cache = composite_set_write_cache,
	.release = composite_release,
	.invalidate = composite_invalidate,
	.badblock_next = composite_badblocks,
	.badblock_clear = composite_badblock_clear,
	.lock = composite_lock,
	.unlock = composite_unlock,
};
