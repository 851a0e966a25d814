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

/* Walk [offset, offset+len) in the contiguous pieces direct_access gives;
 * a flat device is one piece. */
typedef int (*chunk_fn)(struct daxdev *dev, void *ctx, char *addr, size_t n);

static int walk_range(struct daxdev *dev, uint64_t offset, uint64_t len,
		      chunk_fn fn, void *ctx)
{
	if (dev->flat)
		return len ? fn(dev, ctx, dev->base + offset, (size_t)len) : 0;
	while (len) {
		uint64_t pgoff = offset >> dev->align_shift;
		uint64_t in_page = offset & (dev->align - 1);
		uint64_t pages = (in_page + len + dev->align - 1) >> dev->align_shift;
		void *addr;
		long got = call_direct_access(dev, pgoff,
					      pages > LONG_MAX ? LONG_MAX : (long)pages, &addr);
		if (got < 0)
			return (int)got;
		uint64_t n = ((uint64_t)got << dev->align_shift) - in_page;
		if (n > len)
			n = len;
		int rc = fn(dev, ctx, (char *)addr + in_page, (size_t)n);
		if (rc)
			return rc;
		offset += n;
		len -= n;
	}
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
	if (!rc)
		rc = walk_range(dev, offset, len, read_chunk, &buf);
	io_end(dev);
	return rc;
}

/* --- writing ----------------------------------------------------------- */

struct write_ctx {
	struct daxdev_iov_cursor cur;
	const struct daxdev_persist *how;
	unsigned flags;
};

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

/* A flat device is one piece at base + offset with no provider flush (so no
 * per-chunk write-back either): one copy per buffer, then the drain.  The
 * walk's chunk callback and cursor cost as much as a small copy. */
static int copy_flat(struct daxdev *dev, uint64_t offset, const struct iovec *iov,
		     int iovcnt, unsigned flags)
{
	const struct daxdev_persist *how = daxdev_cur(dev);
	char *dst = dev->base + offset;
	int rc = 0;

	for (int i = 0; i < iovcnt && !rc; i++) {
		if (iov[i].iov_len)
			rc = how->copy_part(dev, dst, iov[i].iov_base, iov[i].iov_len,
					    flags | DAXDEV_F_NODRAIN);
		dst += iov[i].iov_len;
	}
	if (!rc && !(flags & DAXDEV_F_NODRAIN))
		daxdev_persist_drain(dev, how);
	return rc;
}

static int default_copy_from_iter(struct daxdev *dev, uint64_t offset,
				  const struct iovec *iov, uint64_t total, unsigned flags)
{
	struct write_ctx c = { .cur = { .iov = iov }, .how = daxdev_cur(dev), .flags = flags };
	int rc;

	/* write_chunk steps over zero-length entries as it meets them. */
	rc = walk_range(dev, offset, total, write_chunk, &c);
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
	rc = daxdev_check_flags(dev, fn, flags);
	if (!rc)
		rc = check_iov(dev, fn, iov, iovcnt, &total);
	if (!rc)
		rc = check_span(dev, fn, offset, total);
	if (!rc && total) {
		if (dev->ops.copy_from_iter)
			rc = dev->ops.copy_from_iter(dev, offset, iov, iovcnt, flags);
		else if (dev->flat)
			rc = copy_flat(dev, offset, iov, iovcnt, flags);
		else
			rc = default_copy_from_iter(dev, offset, iov, total, flags);
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

/* One buffer to a flat device: the same checks, then one copy and one drain
 * (small writes are dominated by the call itself; this keeps it short). */
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
	if (dev && dev->flat)
		return write_flat(dev, offset, buf, len);
	return write_iov(dev, "daxdev_write", offset, &iov, 1, 0);
}

/* --- zeroing and flushing ---------------------------------------------- */

static int zero_chunk(struct daxdev *dev, void *ctx, char *addr, size_t n)
{
	const struct daxdev_persist *how = ctx;

	return how->memset(dev, addr, 0, n, DAXDEV_F_NODRAIN);
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
	rc = check_span(dev, "daxdev_zero", offset, len);
	if (!rc && len) {
		how = daxdev_cur(dev);
		if (dev->ops.zero) {
			rc = dev->ops.zero(dev, offset, len);
		} else {
			rc = walk_range(dev, offset, len, zero_chunk, (void *)how);
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
		rc = walk_range(dev, offset, len, flush_chunk, (void *)how);
		if (!rc)
			daxdev_persist_drain(dev, how);
	}
	io_end(dev);
	return rc;
}
