/* SPDX-License-Identifier: MIT */
/*
 * Pointer-based calls for code that stores through direct_access addresses.
 * These are the hot path: a few compares, then one call through the
 * implementation chosen when the device was created.
 */
#include <errno.h>
#include <string.h>
#include "internal.h"

static int check_range_slow(struct daxdev *dev, const char *fn, const void *addr,
			    size_t len)
{
	int rc;

	if (!dev->ops.check_range)
		return daxdev_err(-EOPNOTSUPP, "%s: %s: device has no single mapping for pointer calls",
				  fn, dev->host);
	rc = daxdev_enter(dev);
	if (rc)
		return rc;
	rc = dev->ops.check_range(dev, addr, len);
	daxdev_leave(dev);
	if (rc == -ENXIO)
		return daxdev_err(rc, "%s: %s: [%p, +%zu) belongs to a part that was killed", fn,
				  dev->host, addr, len);
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

/* Every pointer call starts here: the message is cleared, then the device
 * checked. */
static inline int check_dev(const struct daxdev *dev, const char *fn)
{
	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "%s: NULL device", fn);
	if (!atomic_load_explicit(&dev->alive, memory_order_acquire))
		return daxdev_err(-ENXIO, "%s: %s: device has been killed", fn, dev->host);
	return 0;
}

static inline void finish(struct daxdev *dev, const struct daxdev_persist *how,
			  unsigned flags)
{
	if (!(flags & DAXDEV_F_NODRAIN))
		daxdev_persist_drain(dev, how);
}

/* --- guarded pointer calls (DAXDEV_F_GUARDED, daxdev_memcpy_mcsafe) ----- */

/* A range a fault showed bad is refused without touching it. */
static __attribute__((noinline)) int refuse_if_bad(struct daxdev *dev, const char *fn,
						   uintptr_t off, size_t len)
{
	struct daxdev_bad b;

	if (daxdev_bad_find(dev, off, len, &b))
		return 0;
	return daxdev_bad_refuse(dev, fn, off, &b);
}

/* Inline, as the test is on every guarded call's path and rarely true. */
static inline int refuse_bad_ptr(struct daxdev *dev, const char *fn, const void *addr,
				 size_t len)
{
	uintptr_t base = (uintptr_t)dev->base;

	if (!base || !daxdev_has_bad(dev))
		return 0;
	return refuse_if_bad(dev, fn, (uintptr_t)addr - base, len);
}

/* The device memory a copy touches: dst, and src too when it lies in the
 * same mapping (a move inside the device). */
static void arm_store(struct daxdev *dev, struct daxdev_guard *g, void *dst, const void *src,
		      size_t len)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src, base = (uintptr_t)dev->base;

	if (src && base && s >= base && s - base <= dev->size && len <= dev->size - (s - base)) {
		uintptr_t lo = d < s ? d : s, hi = d < s ? s + len : d + len;
		daxdev_guard_arm_ptr(dev, g, (void *)lo, hi - lo);
		return;
	}
	daxdev_guard_arm_ptr(dev, g, dst, len);
}

/* What a guarded store does: a copy (also fused with a CRC of the source
 * when crc is set), a move or a fill. */
struct guarded_op {
	const void *src;           /* NULL: fill with c */
	int c;
	bool move;
	uint32_t *crc;             /* daxdev_memcpy_crc32c's */
};

/* The store and its write-back, under the armed guard. */
static int guarded_body(struct daxdev *dev, const struct daxdev_persist *how, void *dst,
			const struct guarded_op *op, size_t len, unsigned flags)
{
	int rc;

	if (op->crc)
		return how->memcpy_crc(dev, dst, op->src, len, flags | DAXDEV_F_NODRAIN, op->crc);
	if (op->move && !dev->readonly) {
		memmove(dst, op->src, len);
		rc = 0;
	} else if (op->src) {
		rc = how->copy_part(dev, dst, op->src, len, flags | DAXDEV_F_NODRAIN);
	} else {
		rc = how->fill_part(dev, dst, op->c, len, flags | DAXDEV_F_NODRAIN);
	}
	if (!rc && !(flags & DAXDEV_F_NOFLUSH))
		rc = op->move ? how->flush(dev, dst, len) : how->flush_chunk(dev, dst, len);
	return rc;
}

/* Counted against kill as offset I/O is (io.c): a flat device, whose
 * memory stays mapped until the last put, is not counted.  That matters for
 * speed: the count's locked add and subtract each wait for the streaming
 * stores before them, a fence in the middle of a DAXDEV_F_NODRAIN sequence
 * (~150 ns per call measured in plog's appends). */
static int store_begin(struct daxdev *dev)
{
	return dev->flat ? 0 : daxdev_enter(dev);
}

static void store_end(struct daxdev *dev)
{
	if (!dev->flat)
		daxdev_leave(dev);
}

/* Store and write back under the guard; the caller checked everything. */
static __attribute__((noinline)) int guarded_store(struct daxdev *dev, const char *fn,
						   void *dst, const struct guarded_op *op,
						   size_t len, unsigned flags)
{
	const struct daxdev_persist *how = daxdev_cur(dev);
	struct daxdev_guard g;
	int rc = refuse_bad_ptr(dev, fn, dst, len);

	if (!rc)
		rc = store_begin(dev);
	if (rc)
		return rc;
	daxdev_guard_push(&g, dev);
	if (__builtin_setjmp(g.jmp)) {
		rc = daxdev_guard_failed(dev, &g, fn);
		store_end(dev);
		return rc;
	}
	arm_store(dev, &g, dst, op->src, len);
	rc = guarded_body(dev, how, dst, op, len, flags);
	daxdev_guard_disarm(&g);
	daxdev_guard_pop(&g);
	store_end(dev);
	finish(dev, how, rc ? DAXDEV_F_NODRAIN : flags);
	return rc;
}

/* fn(arg) under one frame armed over the whole mapping: the calls fn makes
 * need no frames of their own. */
static __attribute__((noinline)) int guarded_run(struct daxdev *dev, daxdev_guarded_fn fn,
						 void *arg)
{
	static const char name[] = "daxdev_guarded_call";
	struct daxdev_guard g;
	int rc = store_begin(dev);

	if (rc)
		return rc;
	daxdev_guard_push(&g, dev);
	if (__builtin_setjmp(g.jmp)) {
		rc = daxdev_guard_failed(dev, &g, name);
		store_end(dev);
		return rc;
	}
	daxdev_guard_arm_ptr(dev, &g, dev->base, dev->size);
	rc = fn(arg);
	daxdev_guard_disarm(&g);
	daxdev_guard_pop(&g);
	store_end(dev);
	return rc;
}

DAXDEV_API int daxdev_guarded_call(struct daxdev *dev, daxdev_guarded_fn fn, void *arg)
{
	int rc = check_dev(dev, "daxdev_guarded_call");

	if (rc)
		return rc;
	if (!fn)
		return daxdev_err(-EINVAL, "daxdev_guarded_call: %s: NULL function", dev->host);
	if (!dev->base)
		return daxdev_err(-EOPNOTSUPP, "daxdev_guarded_call: %s: device is not one mapping",
				  dev->host);
	return guarded_run(dev, fn, arg);
}

static __attribute__((noinline)) int guarded_load(struct daxdev *dev, void *dst,
						  const void *src, size_t len)
{
	static const char fn[] = "daxdev_memcpy_mcsafe";
	struct daxdev_guard g;
	int rc = refuse_bad_ptr(dev, fn, src, len);

	if (rc)
		return rc;
	daxdev_guard_push(&g, dev);
	if (__builtin_setjmp(g.jmp))
		return daxdev_guard_failed(dev, &g, fn);
	daxdev_guard_arm_ptr(dev, &g, src, len);
	memcpy(dst, src, len);
	daxdev_guard_disarm(&g);
	daxdev_guard_pop(&g);
	return 0;
}

DAXDEV_API int daxdev_memcpy_mcsafe(struct daxdev *dev, void *dst, const void *src,
				    size_t len)
{
	int rc = check_dev(dev, "daxdev_memcpy_mcsafe");

	if (!rc && !dst && len)
		rc = daxdev_err(-EINVAL, "daxdev_memcpy_mcsafe: %s: NULL destination", dev->host);
	if (!rc)
		rc = check_ptr(dev, "daxdev_memcpy_mcsafe", src, len);
	if (rc || !len)
		return rc;
	return guarded_load(dev, dst, src, len);
}

DAXDEV_API int daxdev_memcpy(struct daxdev *dev, void *dst, const void *src, size_t len,
				unsigned flags)
{
	const struct daxdev_persist *how;
	int rc = check_dev(dev, "daxdev_memcpy");

	if (!rc)
		rc = daxdev_check_flags(dev, "daxdev_memcpy", flags);
	if (!rc && !src && len)
		rc = daxdev_err(-EINVAL, "daxdev_memcpy: %s: NULL source", dev->host);
	if (!rc)
		rc = check_ptr(dev, "daxdev_memcpy", dst, len);
	if (rc || !len)
		return rc;
	if (flags & DAXDEV_F_GUARDED)
		return guarded_store(dev, "daxdev_memcpy", dst,
				     &(struct guarded_op){ .src = src }, len, flags);
	how = daxdev_cur(dev);
	rc = how->memcpy(dev, dst, src, len, flags);
	finish(dev, how, flags);
	return rc;
}

DAXDEV_API int daxdev_memcpy_crc32c(struct daxdev *dev, void *dst, const void *src,
				    size_t len, unsigned flags, uint32_t *crc)
{
	const struct daxdev_persist *how;
	int rc = check_dev(dev, "daxdev_memcpy_crc32c");

	if (!rc)
		rc = daxdev_check_flags(dev, "daxdev_memcpy_crc32c", flags);
	if (!rc && ((!src && len) || !crc))
		rc = daxdev_err(-EINVAL, "daxdev_memcpy_crc32c: %s: NULL %s", dev->host,
				crc ? "source" : "crc pointer");
	if (!rc)
		rc = check_ptr(dev, "daxdev_memcpy_crc32c", dst, len);
	if (rc || !len)
		return rc;
	if (flags & DAXDEV_F_GUARDED)
		return guarded_store(dev, "daxdev_memcpy_crc32c", dst,
				     &(struct guarded_op){ .src = src, .crc = crc }, len, flags);
	how = daxdev_cur(dev);
	rc = how->memcpy_crc(dev, dst, src, len, flags, crc);
	finish(dev, how, flags);
	return rc;
}

/* Overlapping ranges: memmove's order, then the write-back of the whole
 * destination (streaming stores give no order guarantee between the
 * overlapping parts).  Disjoint ranges take the memcpy path. */
static int overlapping_move(struct daxdev *dev, const struct daxdev_persist *how, void *dst,
			    const void *src, size_t len, unsigned flags)
{
	if (dev->readonly)
		return how->memcpy(dev, dst, src, len, flags); /* refuses */
	memmove(dst, src, len);
	return flags & DAXDEV_F_NOFLUSH ? 0 : how->flush(dev, dst, len);
}

DAXDEV_API int daxdev_memmove(struct daxdev *dev, void *dst, const void *src, size_t len,
				 unsigned flags)
{
	const struct daxdev_persist *how;
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;
	int rc = check_dev(dev, "daxdev_memmove");

	if (!rc)
		rc = daxdev_check_flags(dev, "daxdev_memmove", flags);
	if (!rc && !src && len)
		rc = daxdev_err(-EINVAL, "daxdev_memmove: %s: NULL source", dev->host);
	if (!rc)
		rc = check_ptr(dev, "daxdev_memmove", dst, len);
	if (rc || !len)
		return rc;
	if (flags & DAXDEV_F_GUARDED)
		return guarded_store(dev, "daxdev_memmove", dst,
				     &(struct guarded_op){ .src = src,
							   .move = d - s < len || s - d < len },
				     len, flags);
	how = daxdev_cur(dev);
	if (d - s < len || s - d < len)
		rc = overlapping_move(dev, how, dst, src, len, flags);
	else
		rc = how->memcpy(dev, dst, src, len, flags);
	finish(dev, how, flags);
	return rc;
}

DAXDEV_API int daxdev_memset(struct daxdev *dev, void *dst, int c, size_t len,
				unsigned flags)
{
	const struct daxdev_persist *how;
	int rc = check_dev(dev, "daxdev_memset");

	if (!rc)
		rc = daxdev_check_flags(dev, "daxdev_memset", flags);
	if (!rc)
		rc = check_ptr(dev, "daxdev_memset", dst, len);
	if (rc || !len)
		return rc;
	if (flags & DAXDEV_F_GUARDED)
		return guarded_store(dev, "daxdev_memset", dst, &(struct guarded_op){ .c = c },
				     len, flags);
	how = daxdev_cur(dev);
	rc = how->memset(dev, dst, c, len, flags);
	finish(dev, how, flags);
	return rc;
}

DAXDEV_API int daxdev_flush(struct daxdev *dev, const void *addr, size_t len)
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

/* --- memory shared with non-coherent hosts (sharing.c) ------------------ */

DAXDEV_API int daxdev_invalidate(struct daxdev *dev, const void *addr, size_t len)
{
	int rc = check_dev(dev, "daxdev_invalidate");

	if (!rc)
		rc = check_ptr(dev, "daxdev_invalidate", addr, len);
	if (rc || !len)
		return rc;
	return daxdev_cur(dev)->invalidate(dev, addr, len);
}

DAXDEV_API int daxdev_load(struct daxdev *dev, void *dst, const void *src, size_t len)
{
	const struct daxdev_persist *how;
	int rc = check_dev(dev, "daxdev_load");

	if (!rc && !dst && len)
		rc = daxdev_err(-EINVAL, "daxdev_load: %s: NULL destination", dev->host);
	if (!rc)
		rc = check_ptr(dev, "daxdev_load", src, len);
	if (rc || !len)
		return rc;
	how = daxdev_cur(dev);
	if (how->load)
		return how->load(dev, dst, src, len);
	memcpy(dst, src, len);
	return 0;
}

/* No counting against kill: what a check reads (the mapping, a composite's
 * member table) lives until the last put, which the caller's reference
 * holds off. */
static int check_addr(struct daxdev *dev, const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr, base = (uintptr_t)dev->base;
	int rc;

	if (base)
		rc = a < base || a - base > dev->size || len > dev->size - (a - base) ?
		     -ERANGE : 0;
	else
		rc = dev->ops.check_range ? dev->ops.check_range(dev, addr, len) : -ERANGE;
	return rc == 0 && !daxdev_alive(dev) ? -ENXIO : rc;
}

DAXDEV_API int daxdev_check_addr(struct daxdev *dev, const void *addr, size_t len)
{
	int rc;

	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_check_addr: NULL device");
	rc = check_addr(dev, addr, len);
	if (rc == -ERANGE)
		return daxdev_err(rc, "daxdev_check_addr: %s: [%p, +%zu) is not its memory",
				  dev->host, addr, len);
	if (rc)
		return daxdev_err(rc, "daxdev_check_addr: %s: [%p, +%zu) belongs to a killed device",
				  dev->host, addr, len);
	return 0;
}

DAXDEV_API int daxdev_drain(struct daxdev *dev)
{
	int rc = check_dev(dev, "daxdev_drain");

	if (!rc)
		finish(dev, daxdev_cur(dev), 0);
	return rc;
}
