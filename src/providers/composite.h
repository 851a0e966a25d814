/* SPDX-License-Identifier: MIT */
/*
 * Code shared by the composite providers (linear.c, stripe.c): the member
 * list, parsing of "T1,T2,..." member lists, finding the member behind an
 * address, and splitting a byte range at member boundaries.  Not a provider:
 * each provider supplies its geometry through composite_locate_fn.
 */
#ifndef DAXDEV_PROVIDERS_COMPOSITE_H
#define DAXDEV_PROVIDERS_COMPOSITE_H

#include "providers.h"

#define COMPOSITE_HIDDEN __attribute__((visibility("hidden")))

struct composite_member {
	struct daxdev *dev;
	uint64_t used;        /* bytes of the member the composite uses */
	uint64_t start;       /* linear: composite offset of its first byte */
	unsigned align_shift; /* log2 of the member's own page size */
};

struct composite;

/* Where composite byte offset off lives: member index, offset inside the
 * member, and how many bytes from there stay inside that member (linear)
 * or chunk (stripe). */
typedef void (*composite_locate_fn)(const struct composite *c, uint64_t off,
				    size_t *member, uint64_t *member_off, uint64_t *run);

struct composite {
	const char *kind;            /* "linear" or "stripe": also the provider name */
	composite_locate_fn locate;
	uint64_t align;              /* composite page: the largest member page */
	unsigned align_shift;
	uint64_t chunk;              /* stripe only; 0 for linear */
	uint64_t size;
	size_t count;
	struct composite_member *members;
};

/* Split "T1,T2,..." (list, a suffix of target: the text after "kind:") and
 * open each member with daxdev_open(opts).  Nested composites and empty
 * members are rejected with -EINVAL; messages quote the whole string
 * "kind:target" and the offset of the bad part in it. */
COMPOSITE_HIDDEN int composite_open_members(const char *kind, const char *target,
					    const char *list,
					    const struct daxdev_open_opts *opts,
					    struct daxdev ***membersp, size_t *countp);
/* The host a composite of this member list would be registered under
 * ("kind:" + prefix + the members' hosts joined by commas), found without
 * opening anything; -ENOENT when a member can never be shared (anon). */
COMPOSITE_HIDDEN int composite_host(const char *kind, const char *prefix, const char *list,
				    const struct daxdev_open_args *args, char *buf, size_t len);
/* Put every member and free the array. */
COMPOSITE_HIDDEN void composite_put_members(struct daxdev **members, size_t count);

/* A composite of kind over count members, holding its own reference on
 * each; alignment is the largest member page.  The provider then sets
 * locate, chunk, size and the members' used/start. */
COMPOSITE_HIDDEN int composite_new(const char *kind, struct daxdev *const *members,
				   size_t count, struct composite **cp);
COMPOSITE_HIDDEN void composite_free(struct composite *c);

/* Everything after the geometry is set: combine persistence and write cache,
 * find members' mappings, build the canonical host and allocate the device
 * with the composite ops (the same for every layout: c->locate is what
 * differs) and the policy in opts (NULL: the defaults).  On failure c is
 * freed. */
COMPOSITE_HIDDEN int composite_create_device(struct composite *c,
					     const struct daxdev_open_opts *opts,
					     struct daxdev **devp);

/* daxdev_open() options for the members: the composite's policy, access
 * and sharing, no size (CREATE is refused: a composite has nothing to
 * create). */
COMPOSITE_HIDDEN int composite_member_opts(const char *kind,
					   const struct daxdev_open_args *args,
					   struct daxdev_open_opts *member);
/* A daxdev_open size argument must not exceed the composite's size; on
 * failure the device is put. */
COMPOSITE_HIDDEN int composite_check_open_size(struct daxdev *dev,
					       const struct daxdev_open_args *args);

/* The members' bad ranges at composite offsets: the first ending after
 * from (0), or -ENODATA (composite_badblocks.c). */
COMPOSITE_HIDDEN int composite_badblock_next(const struct composite *c, uint64_t from,
					     struct daxdev_badblock *bb);

#endif
