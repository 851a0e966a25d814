/* SPDX-License-Identifier: MIT */
/*
 * The public wrappers around the operations table.  Every wrapper checks in
 * the same order — NULL (-EINVAL), dead (-ENXIO), arguments and range
 * (-EINVAL / -ERANGE) — and only then calls the op or its fallback.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "internal.h"

#define DAXDEV_IOV_MAX 1024

/* Stores through a provider's own op (a composite's) never reach the
 * core's read-only tables: offset writes ask here first. */
static int check_writable(const struct daxdev *dev, const char *fn)
{
	if (dev->readonly)
		return daxdev_err(-EROFS, "%s: %s: opened read-only", fn, dev->host);
	return 0;
}

static int check_span(const struct daxdev *dev, const char *fn, uint64_t offset,
		      uint64_t len)
{
	if (offset > dev->size || len > dev->size - offset)
		return daxdev_err(-ERANGE, "%s: %s: range [%llu, +%llu) is past the end (size %llu)",
				  fn, dev->host, (unsigned long long)offset,
				  (unsigned long long)len, (unsigned long long)dev->size);
	return 0;
}

/* The fallback for a flat mapping without the op: every page is there. */
static long flat_direct_access(struct daxdev *dev, uint64_t pgoff, long nr_pages,
			       void **addr)
{
	uint64_t left = (dev->size >> dev->align_shift) - pgoff;

	*addr = dev->base + (pgoff << dev->align_shift);
	return (uint64_t)nr_pages > left ? (long)left : nr_pages;
}

static long call_direct_access(struct daxdev *dev, uint64_t pgoff, long nr_pages,
			       void **addr)
{
	long n;

	if (!dev->ops.direct_access)
		return flat_direct_access(dev, pgoff, nr_pages, addr);
	daxdev_clear_error();
	n = dev->ops.direct_access(dev, pgoff, nr_pages, addr);
	if (n < 0 && !daxdev_errormsg()[0])
		return daxdev_err((int)n, "%s: direct_access at page %llu failed: %s",
				  dev->host, (unsigned long long)pgoff, strerror((int)-n));
	if (n == 0)
		return daxdev_err(-EIO, "%s: provider returned no pages at page %llu",
				  dev->host, (unsigned long long)pgoff);
	return n > nr_pages ? nr_pages : n;
}

/*
 * Start and end a call.  Calls on a flat device touch nothing but memory that
 * stays mapped until the last put, so they only check liveness: kill has
 * nothing to wait for, and the two locked operations (which after a clwb also
 * wait for the write-back) are saved.  Every other call is counted so that
 * kill waits for it.
 */
static int io_begin(struct daxdev *dev)
{
	if (!dev->flat)
		return daxdev_enter(dev);
	if (!atomic_load_explicit(&dev->alive, memory_order_acquire))
		return daxdev_err(-ENXIO, "%s: device has been killed", dev->host);
	return 0;
}

static void io_end(struct daxdev *dev)
{
	if (!dev->flat)
		daxdev_leave(dev);
}

/* Pages [pgoff, pgoff + n) without the ones a fault showed bad: the good
 * ones before the first bad page, or the error of a bad first page. */
static long clip_bad_pages(struct daxdev *dev, const char *fn, uint64_t pgoff, long n)
{
	uint64_t start = pgoff << dev->align_shift;
	struct daxdev_bad b;
	long good;

	if (daxdev_bad_find(dev, start, (uint64_t)n << dev->align_shift, &b))
		return n;
	good = b.offset <= start ? 0 : (long)((b.offset - start) >> dev->align_shift);
	return good ? good : daxdev_bad_refuse(dev, fn, start, &b);
}

/* At most *n bytes from offset, stopping before a range a fault showed bad
 * (byte-exact: a bad 4 KiB inside a 2 MiB page spares the rest of it). */
static int clip_bad_bytes(struct daxdev *dev, const char *fn, uint64_t offset, uint64_t *n)
{
	struct daxdev_bad b;

	if (daxdev_bad_find(dev, offset, *n, &b))
		return 0;
	if (b.offset <= offset)
		return daxdev_bad_refuse(dev, fn, offset, &b);
	*n = b.offset - offset;
	return 0;
}

/* Walk [offset, offset+len) in the contiguous pieces direct_access gives
 * (a flat device is one piece), each copied with the guard armed over it. */
typedef int (*chunk_fn)(struct daxdev *dev, void *ctx, char *addr, size_t n);

struct walk {
	struct daxdev_guard *guard;
	const char *fn;
	chunk_fn chunk;
	void *ctx;
};

static int walk_piece(struct daxdev *dev, const struct walk *w, uint64_t offset, uint64_t *len)
{
	uint64_t pgoff = offset >> dev->align_shift, in_page = offset & (dev->align - 1);
	uint64_t n = *len, pages;
	void *addr;
	long got;
	int rc = daxdev_has_bad(dev) ? clip_bad_bytes(dev, w->fn, offset, &n) : 0;

	if (rc)
		return rc;
	pages = (in_page + n + dev->align - 1) >> dev->align_shift;
	got = call_direct_access(dev, pgoff, pages > LONG_MAX ? LONG_MAX : (long)pages, &addr);
	if (got < 0)
		return (int)got;
	if (n > ((uint64_t)got << dev->align_shift) - in_page)
		n = ((uint64_t)got << dev->align_shift) - in_page;
	daxdev_guard_arm(w->guard, (char *)addr + in_page, (size_t)n, offset);
	rc = w->chunk(dev, w->ctx, (char *)addr + in_page, (size_t)n);
	daxdev_guard_disarm(w->guard);
	*len = n;
	return rc;
}

static int walk_range(struct daxdev *dev, const struct walk *w, uint64_t offset, uint64_t len)
{
	int rc;

	if (dev->flat && !daxdev_has_bad(dev) && len) {
		daxdev_guard_arm(w->guard, dev->base + offset, (size_t)len, offset);
		rc = w->chunk(dev, w->ctx, dev->base + offset, (size_t)len);
		daxdev_guard_disarm(w->guard);
		return rc;
	}
	while (len) {
		uint64_t n = len;
		rc = walk_piece(dev, w, offset, &n);
		if (rc)
			return rc;
		offset += n;
		len -= n;
	}
	return 0;
}

/* The walk under a SIGBUS guard: a memory error or lost mapping in the
 * range returns -EIO / -ESTALE (fault.c) instead of killing the process.
 * Not inlined: __builtin_setjmp makes its caller save every register. */
static __attribute__((noinline)) int guarded_walk(struct daxdev *dev, const char *fn,
						  uint64_t offset, uint64_t len,
						  chunk_fn chunk, void *ctx)
{
	struct daxdev_guard g;
	struct walk w = { .guard = &g, .fn = fn, .chunk = chunk, .ctx = ctx };
	int rc;

	daxdev_guard_push(&g, dev);
	if (__builtin_setjmp(g.jmp))
		return daxdev_guard_failed(dev, &g, fn);
	rc = walk_range(dev, &w, offset, len);
	daxdev_guard_pop(&g);
	return rc;
}

/* The copy of a flat write under the guard.  Apart, and small: a function
 * with __builtin_setjmp keeps its values in memory, so it should hold no
 * more than the copy (measured: checks in here cost 1.5 ns per write). */
static __attribute__((noinline)) int guarded_flat_copy(struct daxdev *dev,
						       const struct daxdev_persist *how,
						       uint64_t offset, const void *buf,
						       size_t len)
{
	struct daxdev_guard g;
	int rc;

	daxdev_guard_push(&g, dev);
	if (__builtin_setjmp(g.jmp))
		return daxdev_guard_failed(dev, &g, "daxdev_write");
	daxdev_guard_arm(&g, dev->base + offset, len, offset);
	rc = how->memcpy(dev, dev->base + offset, buf, len, DAXDEV_F_NODRAIN);
	daxdev_guard_disarm(&g);
	daxdev_guard_pop(&g);
	return rc;
}

/* The same for a flat read: one memcpy out of the mapping. */
static __attribute__((noinline)) int guarded_flat_read(struct daxdev *dev, uint64_t offset,
						       void *buf, size_t len)
{
	struct daxdev_guard g;

	daxdev_guard_push(&g, dev);
	if (__builtin_setjmp(g.jmp))
		return daxdev_guard_failed(dev, &g, "daxdev_read");
	daxdev_guard_arm(&g, dev->base + offset, len, offset);
	memcpy(buf, dev->base + offset, len);
	daxdev_guard_disarm(&g);
	daxdev_guard_pop(&g);
	return 0;
}

DAXDEV_API long daxdev_direct_access(struct daxdev *dev, uint64_t pgoff, long nr_pages,
					void **addr)
{
	long rc;

	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_direct_access: NULL device");
	rc = daxdev_enter(dev);
	if (rc)
		return rc;
	if (!addr || nr_pages <= 0)
		rc = daxdev_err(-EINVAL, "daxdev_direct_access: %s: need an address pointer and nr_pages > 0",
				dev->host);
	else if (pgoff >= dev->size >> dev->align_shift)
		rc = daxdev_err(-ERANGE, "daxdev_direct_access: %s: page %llu is past the end (%llu pages)",
				dev->host, (unsigned long long)pgoff,
				(unsigned long long)(dev->size >> dev->align_shift));
	else
		rc = call_direct_access(dev, pgoff, nr_pages, addr);
	if (rc > 0 && daxdev_has_bad(dev))
		rc = clip_bad_pages(dev, "daxdev_direct_access", pgoff, rc);
	daxdev_leave(dev);
	return rc;
}

/* --- reading ----------------------------------------------------------- */

static int read_chunk(struct daxdev *dev, void *ctx, char *addr, size_t n)
{
	char **dst = ctx;

	(void)dev;
	memcpy(*dst, addr, n);
	*dst += n;
	return 0;
}

/* Shared with hosts whose caches are not coherent with ours: the device's
 * load invalidates each chunk before copying it (the same in every state). */
static int load_chunk(struct daxdev *dev, void *ctx, char *addr, size_t n)
{
	char **dst = ctx;
	int rc = daxdev_cur(dev)->load(dev, *dst, addr, n);

	*dst += n;
	return rc;
}

DAXDEV_API int daxdev_read(struct daxdev *dev, uint64_t offset, void *buf, size_t len)
{
	int rc;

	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_read: NULL device");
	rc = io_begin(dev);
	if (rc)
		return rc;
	if (!buf && len)
		rc = daxdev_err(-EINVAL, "daxdev_read: %s: NULL buffer", dev->host);
	else
		rc = check_span(dev, "daxdev_read", offset, len);
	if (!rc && len) {
		/* a LOCAL device's load is NULL: the plain copy */
		chunk_fn chunk = daxdev_cur(dev)->load ? load_chunk : read_chunk;

		if (!dev->flat || daxdev_has_bad(dev) || chunk != read_chunk)
			rc = guarded_walk(dev, "daxdev_read", offset, len, chunk, &buf);
		else if (dev->policy.sigbus_guard)
			rc = guarded_flat_read(dev, offset, buf, len);
		else
			memcpy(buf, dev->base + offset, len);
	}
	io_end(dev);
	return rc;
}

/* --- writing ----------------------------------------------------------- */

struct write_ctx {
	struct daxdev_iov_cursor cur;
	const struct daxdev_persist *how;
	unsigned flags;
};

/* The buffers one after another at base + offset: a flat device has no
 * per-chunk write-back to make. */
static int copy_flat(struct daxdev *dev, const struct daxdev_persist *how, uint64_t offset,
		     const struct iovec *iov, int iovcnt, unsigned flags)
{
	char *dst = dev->base + offset;
	int rc = 0;

	for (int i = 0; i < iovcnt && !rc; i++) {
		if (iov[i].iov_len)
			rc = how->copy_part(dev, dst, iov[i].iov_base, iov[i].iov_len,
					    flags | DAXDEV_F_NODRAIN);
		dst += iov[i].iov_len;
	}
	return rc;
}

/* Store a chunk from the caller's iovec: each piece the way the current
 * write-cache state wants (copy_part), then the chunk's write-back where it
 * is per range (flush_chunk: one msync, not one per piece). */
static int write_chunk(struct daxdev *dev, void *ctx, char *addr, size_t n)
{
	struct write_ctx *c = ctx;
	size_t done = 0;

	while (done < n) {
		const struct iovec *iov = c->cur.iov;
		size_t piece = iov->iov_len - c->cur.pos;
		if (piece > n - done)
			piece = n - done;
		int rc = c->how->copy_part(dev, addr + done,
					   (const char *)iov->iov_base + c->cur.pos, piece,
					   c->flags | DAXDEV_F_NODRAIN);
		if (rc)
			return rc;
		done += piece;
		c->cur.pos += piece;
		if (c->cur.pos == iov->iov_len) {
			c->cur.iov++;
			c->cur.pos = 0;
		}
	}
	return c->flags & DAXDEV_F_NOFLUSH ? 0 : c->how->flush_chunk(dev, addr, n);
}

/* A flat device's writev: one copy per buffer at base + offset, then the
 * drain (the walk's chunk callback and cursor cost as much as a small
 * copy), under the guard as write_flat's copy is. */
static __attribute__((noinline)) int guarded_flat_copyv(struct daxdev *dev,
							const struct daxdev_persist *how,
							uint64_t offset, const struct iovec *iov,
							int iovcnt, uint64_t total,
							unsigned flags)
{
	struct daxdev_guard g;

	daxdev_guard_push(&g, dev);
	if (__builtin_setjmp(g.jmp))
		return daxdev_guard_failed(dev, &g, "daxdev_writev");
	daxdev_guard_arm(&g, dev->base + offset, total, offset);
	int rc = copy_flat(dev, how, offset, iov, iovcnt, flags);
	daxdev_guard_disarm(&g);
	daxdev_guard_pop(&g);
	return rc;
}

static int write_flat_iov(struct daxdev *dev, uint64_t offset, const struct iovec *iov,
			  int iovcnt, uint64_t total, unsigned flags)
{
	const struct daxdev_persist *how = daxdev_cur(dev);
	int rc;

	if (dev->policy.sigbus_guard)
		rc = guarded_flat_copyv(dev, how, offset, iov, iovcnt, total, flags);
	else
		rc = copy_flat(dev, how, offset, iov, iovcnt, flags);
	if (!rc && !(flags & DAXDEV_F_NODRAIN))
		daxdev_persist_drain(dev, how);
	return rc;
}

static int default_copy_from_iter(struct daxdev *dev, const char *fn, uint64_t offset,
				  const struct iovec *iov, uint64_t total, unsigned flags)
{
	struct write_ctx c = { .cur = { .iov = iov }, .how = daxdev_cur(dev), .flags = flags };
	int rc;

	/* write_chunk steps over zero-length entries as it meets them. */
	rc = guarded_walk(dev, fn, offset, total, write_chunk, &c);
	if (!rc && !(flags & DAXDEV_F_NODRAIN))
		daxdev_persist_drain(dev, c.how);
	return rc;
}

static int check_iov(const struct daxdev *dev, const char *fn, const struct iovec *iov,
		     int iovcnt, uint64_t *total)
{
	*total = 0;
	if (iovcnt < 0 || iovcnt > DAXDEV_IOV_MAX)
		return daxdev_err(-EINVAL, "%s: %s: iovcnt %d outside 0..%d",
				  fn, dev->host, iovcnt, DAXDEV_IOV_MAX);
	if (iovcnt && !iov)
		return daxdev_err(-EINVAL, "%s: %s: NULL iovec array", fn, dev->host);
	for (int i = 0; i < iovcnt; i++) {
		if (!iov[i].iov_base && iov[i].iov_len)
			return daxdev_err(-EINVAL, "%s: %s: %s[%d] has a NULL base", fn,
					  dev->host, iovcnt == 1 ? "buffer" : "iov", i);
		if (iov[i].iov_len > UINT64_MAX - *total)
			return daxdev_err(-EINVAL, "%s: %s: total length overflows", fn,
					  dev->host);
		*total += iov[i].iov_len;
	}
	return 0;
}

static int write_iov(struct daxdev *dev, const char *fn, uint64_t offset,
		     const struct iovec *iov, int iovcnt, unsigned flags)
{
	uint64_t total;
	int rc;

	if (!dev)
		return daxdev_err(-EINVAL, "%s: NULL device", fn);
	rc = io_begin(dev);
	if (rc)
		return rc;
	rc = check_writable(dev, fn);
	if (!rc)
		rc = daxdev_check_flags(dev, fn, flags);
	if (!rc)
		rc = check_iov(dev, fn, iov, iovcnt, &total);
	if (!rc)
		rc = check_span(dev, fn, offset, total);
	if (!rc && total) {
		if (dev->ops.copy_from_iter)
			rc = dev->ops.copy_from_iter(dev, offset, iov, iovcnt, flags);
		else if (dev->flat && !daxdev_has_bad(dev))
			rc = write_flat_iov(dev, offset, iov, iovcnt, total, flags);
		else
			rc = default_copy_from_iter(dev, fn, offset, iov, total, flags);
	}
	io_end(dev);
	return rc;
}

DAXDEV_API int daxdev_writev(struct daxdev *dev, uint64_t offset, const struct iovec *iov,
			     int iovcnt, unsigned flags)
{
	daxdev_clear_error();
	return write_iov(dev, "daxdev_writev", offset, iov, iovcnt, flags);
}

/* One buffer to a flat device without bad ranges: the same checks, then
 * one guarded copy and one drain (small writes are dominated by the call
 * itself; this keeps it short). */
static int write_flat(struct daxdev *dev, uint64_t offset, const void *buf, size_t len)
{
	const struct daxdev_persist *how;
	int rc = io_begin(dev);

	if (!rc && !buf && len)
		rc = daxdev_err(-EINVAL, "daxdev_write: %s: NULL buffer", dev->host);
	if (!rc)
		rc = check_span(dev, "daxdev_write", offset, len);
	if (rc || !len)
		return rc;
	how = daxdev_cur(dev);
	if (dev->policy.sigbus_guard)
		rc = guarded_flat_copy(dev, how, offset, buf, len);
	else
		rc = how->memcpy(dev, dev->base + offset, buf, len, DAXDEV_F_NODRAIN);
	if (!rc)
		daxdev_persist_drain(dev, how);
	return rc;
}

DAXDEV_API int daxdev_write(struct daxdev *dev, uint64_t offset, const void *buf,
			    size_t len)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

	daxdev_clear_error();
	if (dev && dev->flat && !daxdev_has_bad(dev))
		return write_flat(dev, offset, buf, len);
	return write_iov(dev, "daxdev_write", offset, &iov, 1, 0);
}

/* --- zeroing and flushing ---------------------------------------------- */

/* Like write_chunk: the fill, then the chunk's write-back where it is per
 * range; nothing enters the provider while memory is being stored. */
static int zero_chunk(struct daxdev *dev, void *ctx, char *addr, size_t n)
{
	const struct daxdev_persist *how = ctx;
	int rc = how->fill_part(dev, addr, 0, n, DAXDEV_F_NODRAIN);

	return rc ? rc : how->flush_chunk(dev, addr, n);
}

DAXDEV_API int daxdev_zero(struct daxdev *dev, uint64_t offset, uint64_t len)
{
	const struct daxdev_persist *how;
	int rc;

	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_zero: NULL device");
	rc = io_begin(dev);
	if (rc)
		return rc;
	rc = check_writable(dev, "daxdev_zero");
	if (!rc)
		rc = check_span(dev, "daxdev_zero", offset, len);
	if (!rc && len) {
		how = daxdev_cur(dev);
		if (dev->ops.zero) {
			rc = dev->ops.zero(dev, offset, len);
		} else {
			rc = guarded_walk(dev, "daxdev_zero", offset, len, zero_chunk,
					  (void *)how);
			if (!rc)
				daxdev_persist_drain(dev, how);
		}
	}
	io_end(dev);
	return rc;
}

static int flush_chunk(struct daxdev *dev, void *ctx, char *addr, size_t n)
{
	const struct daxdev_persist *how = ctx;

	return how->flush(dev, addr, n);
}

DAXDEV_API int daxdev_flush_range(struct daxdev *dev, uint64_t offset, uint64_t len)
{
	const struct daxdev_persist *how;
	int rc;

	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_flush_range: NULL device");
	rc = io_begin(dev);
	if (rc)
		return rc;
	rc = check_span(dev, "daxdev_flush_range", offset, len);
	if (!rc && len) {
		how = daxdev_cur(dev);
		rc = guarded_walk(dev, "daxdev_flush_range", offset, len, flush_chunk,
				  (void *)how);
		if (!rc)
			daxdev_persist_drain(dev, how);
	}
	io_end(dev);
	return rc;
}
