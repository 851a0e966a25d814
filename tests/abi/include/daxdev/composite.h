/* SPDX-License-Identifier: MIT */
/*
 * Composite devices built from devices the caller already holds.  The
 * target strings "linear:T1,T2,..." and "stripe:CHUNK:T1,..." open their
 * members by name; these calls take device objects instead, so members may
 * be any device, including other composites (nesting) and devices made by
 * a provider with daxdev_alloc().  docs/composite.md describes the layout.
 *
 * The composite takes its own reference on every member; the caller keeps
 * its references.  A composite made here is not registered under its host
 * name (only daxdev_open() shares objects).
 */
#ifndef DAXDEV_COMPOSITE_H
#define DAXDEV_COMPOSITE_H

#include <daxdev.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Members concatenated in order.  The composite page is the largest member
 * page; each member contributes its size rounded down to that page. */
DAXDEV_API int daxdev_linear_new(struct daxdev *const *members, size_t count,
		      struct daxdev **devp);

/* Members striped round-robin in chunk-byte pieces.  chunk must be a
 * multiple of every member's page; the size is count times the smallest
 * member size rounded down to chunk. */
DAXDEV_API int daxdev_stripe_new(uint64_t chunk, struct daxdev *const *members, size_t count,
		      struct daxdev **devp);

#ifdef __cplusplus
}
#endif
#endif /* DAXDEV_COMPOSITE_H */
