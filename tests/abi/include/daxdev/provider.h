/* SPDX-License-Identifier: MIT */
/*
 * The provider interface: how a kind of memory becomes a dax device.
 * Modelled on the kernel's struct dax_operations.  A provider fills a
 * daxdev_operations table and a daxdev_params description and calls
 * daxdev_alloc(); from then on the core is the only caller of the table.
 * Providers include only this header (and daxdev.h through it).
 *
 * Both structs start with their size (sz = sizeof the struct the provider
 * was compiled with): a provider built against 1.0 keeps working with a
 * later library whose structs have grown, and a newer provider's struct
 * with non-zero fields this library does not know is refused (-EINVAL).
 */
#ifndef DAXDEV_PROVIDER_H
#define DAXDEV_PROVIDER_H

#include <daxdev.h>

#ifdef __cplusplus
extern "C" {
#endif

struct daxdev_operations {
	size_t sz;   /* sizeof(struct daxdev_operations) */

	/* REQUIRED unless params.base is set and params.flat_mapping is true
	 * (then the core computes base + pgoff * align).  Translate a page
	 * offset (page = params.align) into an address: store the address of
	 * page pgoff in *addr and return how many contiguous pages
	 * (1..nr_pages) start there.  -ERANGE past the end, -EIO if a page in
	 * the range is known bad (return the good pages before it instead, if
	 * there are any).  The core has already checked pgoff < number of
	 * pages and nr_pages > 0. */
	long (*direct_access)(struct daxdev *dev, uint64_t pgoff, long nr_pages,
			      void **addr);

	/* OPTIONAL.  Copy the caller's buffers to [offset, offset+total) and
	 * make them durable; with DAXDEV_F_NODRAIN leave the final wait to the
	 * drain op.  flags are daxdev_writev()'s, already checked.  Return 0
	 * or -errno.  Fallback: the core walks direct_access and copies with
	 * the device's chosen copy implementation, then drains once. */
	int (*copy_from_iter)(struct daxdev *dev, uint64_t offset,
			      const struct iovec *iov, int iovcnt, unsigned flags);

	/* OPTIONAL.  Make [addr, addr+len) durable; addr came from
	 * direct_access.  Return 0, -ERANGE if the address is not the device's,
	 * or -errno.  Called only while the write cache is on, or on a device
	 * opened DAXDEV_SHARING_NONCOHERENT (then always: other hosts read
	 * memory).  A provider with this op gets ordinary (temporal) copies
	 * followed by this op.  Fallback: CPU cache write-back
	 * (clwb/clflushopt/clflush) + fence when the write cache is on or the
	 * device is NONCOHERENT; nothing otherwise. */
	int (*flush)(struct daxdev *dev, const void *addr, size_t len);

	/* OPTIONAL.  Wait until every earlier flush of this device is durable:
	 * called wherever the core would fence after this provider's flush ops
	 * (daxdev_drain, the end of write/zero/flush_range, pointer calls
	 * without DAXDEV_F_NODRAIN), only when flush would be called.  It may
	 * run after a kill (until release) and must stay safe then.  A provider
	 * whose flush is synchronous (msync) needs none; the crash simulator
	 * uses it to model fences, composites to drain their members.
	 * Fallback: nothing. */
	void (*drain)(struct daxdev *dev);

	/* OPTIONAL.  Zero [offset, offset+len) durably.  Range is checked.
	 * Fallback: non-temporal fill (or memset + write-back) per
	 * direct_access chunk, then one drain. */
	int (*zero)(struct daxdev *dev, uint64_t offset, uint64_t len);

	/* OPTIONAL; needed when params.base is NULL (no single mapping).
	 * Return 0 if [addr, addr+len) lies inside memory the device handed
	 * out by direct_access, -ENXIO if that memory belongs to a part that
	 * was killed, else -ERANGE.  Pointer calls (daxdev_memcpy,
	 * daxdev_flush, ...) use it before touching memory.  Fallback: with a
	 * base the core checks the range itself; without one, pointer calls
	 * fail with -EOPNOTSUPP. */
	int (*check_range)(struct daxdev *dev, const void *addr, size_t len);

	/* OPTIONAL.  Append provider-specific "key: value" lines (mapping
	 * flags, bad blocks, members) to buf, which is the caller's own
	 * storage; return the length written as snprintf does (see
	 * daxdev_describe_printf()).  Fallback: no details. */
	int (*describe)(struct daxdev *dev, char *buf, size_t len);

	/* OPTIONAL.  Apply daxdev_set_write_cache() below the device (a
	 * composite sets it on its members) before the core switches its own
	 * copy and flush choice.  Return 0 or -errno (nothing changes then).
	 * Fallback: the core's switch alone. */
	int (*set_write_cache)(struct daxdev *dev, bool on);

	/* OPTIONAL.  Called once when the device is killed, after running calls
	 * have finished (stop work, drop members).  Fallback: nothing. */
	void (*kill)(struct daxdev *dev);

	/* OPTIONAL.  Called at the last daxdev_put(): unmap, close, free the
	 * private data.  Fallback: nothing. */
	void (*release)(struct daxdev *dev);

	/* OPTIONAL.  Write back and discard [addr, addr+len) (addr came from
	 * direct_access) from this host's cache, and return only when the
	 * next load of it will read memory, that is what other hosts wrote
	 * back: the op does its own fencing.  Return 0, -ERANGE if the
	 * address is not the device's, or -errno.  Used by daxdev_invalidate()
	 * and daxdev_load(), and on a device opened DAXDEV_SHARING_NONCOHERENT
	 * by every daxdev_read().  Needed where the memory behind the
	 * addresses is not simply this CPU's (the sharing simulator) or is
	 * another device's (composites).  Fallback: the CPU's invalidate
	 * (clflushopt/clflush, DC CIVAC) between full fences; where the build
	 * has none, daxdev_invalidate() fails with -EOPNOTSUPP and the device
	 * cannot be opened DAXDEV_SHARING_NONCOHERENT. */
	int (*invalidate)(struct daxdev *dev, const void *addr, size_t len);

	/* OPTIONAL.  A guarded access faulted at offset: media is true for a
	 * memory error (BUS_MCEERR_*), false for a mapping fault (BUS_ADRERR).
	 * Set [*lost, *lost + *lost_len) to the range known unusable (it covers
	 * offset; preset to the faulting page) and return the error to report:
	 * -EIO or -ESTALE, with a message naming the cause.  Called outside any
	 * signal handler.  Fallback: the page, -EIO for media, -ESTALE
	 * otherwise. */
	int (*fault)(struct daxdev *dev, uint64_t offset, bool media, uint64_t *lost,
		     uint64_t *lost_len);

	/* OPTIONAL.  The first bad range the provider knows of (nvdimm badblocks,
	 * a file's bad sectors, a member's) that ends after from: fill bb's
	 * offset, length, error (-EIO) and flags (DAXDEV_BADBLOCK_PLATFORM) and
	 * return 0, or return -ENODATA.  The core merges these with the ranges
	 * its guarded accesses found.  Fallback: the provider knows of none. */
	int (*badblock_next)(struct daxdev *dev, uint64_t from, struct daxdev_badblock *bb);

	/* OPTIONAL.  Make [offset, offset+len) usable and zero (range checked,
	 * aligned to the device page): reallocate what backs it.  Return 0 or
	 * -errno with a message (-EOPNOTSUPP naming who can clear it).  On 0 the
	 * core forgets the bad ranges it found there.  Fallback: -EOPNOTSUPP. */
	int (*badblock_clear)(struct daxdev *dev, uint64_t offset, uint64_t len);

	/* OPTIONAL.  Take the advisory lock below the object for
	 * daxdev_lock(): flock() on the provider's own descriptor, the
	 * members' locks.  flags are daxdev_lock()'s (DAXDEV_LOCK_SHARED,
	 * DAXDEV_LOCK_NOWAIT), already checked.  Called only when the object
	 * goes from unlocked to locked, without the kill count (it may wait a
	 * long time), so it must stay safe after a kill, until release.
	 * Return 0, -EWOULDBLOCK (NOWAIT, held elsewhere) or -errno.
	 * Fallback: the lock is the object's alone, which is right when no
	 * other object can reach the memory (anonymous memory). */
	int (*lock)(struct daxdev *dev, unsigned flags);

	/* OPTIONAL; required with lock.  Drop what lock took: called by
	 * daxdev_unlock() when the last holder leaves, and at release of an
	 * object still locked (before the release op). */
	void (*unlock)(struct daxdev *dev);
};

struct daxdev_params {
	size_t sz;                       /* sizeof(struct daxdev_params) */
	const char *provider;            /* short provider name, "devdax" */
	const char *host;                /* registry name, "dax0.0" (copied) */
	uint64_t size;                   /* bytes, a multiple of align */
	uint64_t align;                  /* direct-access page size, power of 2 */
	void *base;                      /* one contiguous mapping of size bytes,
					  * or NULL (composites) */
	enum daxdev_persistence persistence;
	bool write_cache;                /* what the platform says */
	bool flat_mapping;               /* every page is at base + pgoff * align
					  * and good (no bad pages): offset I/O may
					  * compute addresses instead of calling
					  * direct_access.  Used only with a base
					  * and when the provider has no
					  * copy_from_iter, zero, flush or drain
					  * op (the data path is then the core's
					  * alone). */
	bool unshared;                   /* never registered under its host
					  * (anonymous memory: each is distinct) */
	bool readonly;                   /* mapped without write permission:
					  * every write fails with -EROFS */
	const char *persistence_reason;  /* copied */
	const char *flush_name;          /* name of ops->flush, "msync" */
	const char *region;              /* nvdimm region, or NULL (copied) */
	const char *bus;                 /* nvdimm bus provider, or NULL (copied) */
	bool node_known;                 /* numa_node/target_node are set (each
					  * may still be -1) */
	int32_t numa_node;
	int32_t target_node;
	const struct daxdev_open_opts *opts; /* the policy to apply: the options
					  * the device is being opened with;
					  * NULL: the process defaults */
};

/* Create a device.  Checks the required ops and params (-EINVAL with a
 * message).  Chooses the copy, fill and flush implementations from
 * params->opts and the environment.  The new device holds one reference. */
DAXDEV_API int daxdev_alloc(const struct daxdev_operations *ops,
			    const struct daxdev_params *params, void *private,
			    struct daxdev **devp);
/* The private data given to daxdev_alloc(), but only to the ops table that
 * created the device: NULL for any other ops (or a NULL dev).  This is how
 * a provider recognises its own devices among any struct daxdev. */
DAXDEV_API void *daxdev_private(const struct daxdev *dev,
				const struct daxdev_operations *ops);

/* Set this thread's error message; returns err (a negative errno) so that
 * providers can write "return daxdev_err(-EINVAL, "...", ...);". */
DAXDEV_API int daxdev_err(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Report a decision to the log callback, if the level is enabled. */
DAXDEV_API void daxdev_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* For describe ops: snprintf at buf + *pos, advancing *pos by what the text
 * needs even once buf is full (so the result counts as snprintf's does).
 * Returns the new *pos. */
DAXDEV_API int daxdev_describe_printf(char *buf, size_t len, int *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* For providers with an API of their own: copy full (a struct whose first
 * member is its size_t sz, full_sz bytes) into the caller's version of it at
 * out, whose sz the caller set: a shorter one gets the fields it knows, a
 * longer one zeros beyond full_sz.  -EINVAL with a message if out->sz is
 * smaller than a size_t. */
DAXDEV_API int daxdev_struct_out(void *out, const void *full, size_t full_sz);

/* Root under which sysfs is read: DAXDEV_SYSFS_ROOT (a test hook, looked
 * up at each call; ignored in setuid/setgid programs), or "" for "/". */
DAXDEV_API const char *daxdev_sysfs_root(void);

#ifdef __cplusplus
}
#endif
#endif /* DAXDEV_PROVIDER_H */
