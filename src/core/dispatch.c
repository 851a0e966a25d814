/* SPDX-License-Identifier: MIT */
/*
 * Choosing, once per device, how it copies, fills and flushes.  Three shapes:
 *  - cpu:      write cache on, no provider flush: non-temporal copies from the
 *              threshold up and of whole aligned lines, ordinary stores + cache
 *              write-back for the rest; one fence.
 *  - provider: write cache on and the provider has a flush op (msync, the crash
 *              simulator): ordinary stores, then the provider's flush; its drain
 *              op, if any, where the cpu shape would fence.
 *  - nocache:  write cache off: ordinary stores; a fence if the memory is
 *              persistent (eADR), nothing at all if it is volatile.  Not for
 *              a device shared with hosts whose caches are not coherent with
 *              ours (NONCOHERENT): it keeps the write-back of its write cache
 *              on shape, and its reads invalidate (sharing.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define CACHE_LINE 64

/*
 * Ordinary stores + write-back, or non-temporal stores?  Flags decide when
 * given.  Otherwise stream from the threshold up, and also any copy of whole,
 * aligned cache lines: it needs no write-back at all, and streaming a cold
 * line skips the read that an ordinary store must make first (64 B: ~95 ns
 * instead of ~160 ns here).  Code that soon rewrites or reads the same lines
 * passes DAXDEV_F_TEMPORAL.  With streaming disabled (threshold SIZE_MAX)
 * nothing streams.
 */
static bool stream_it(const struct daxdev *dev, const void *dst, size_t len, unsigned flags)
{
	if (flags & (DAXDEV_F_TEMPORAL | DAXDEV_F_NONTEMPORAL))
		return flags & DAXDEV_F_NONTEMPORAL;
	if (len >= dev->arch.nt_threshold)
		return true;
	return dev->arch.nt_threshold != SIZE_MAX && len &&
	       (((uintptr_t)dst | len) & (CACHE_LINE - 1)) == 0;
}

static int cpu_memcpy(struct daxdev *dev, void *dst, const void *src, size_t len,
		      unsigned flags)
{
	if (flags & DAXDEV_F_NOFLUSH) {
		memcpy(dst, src, len);
	} else if (stream_it(dev, dst, len, flags)) {
		dev->arch.copy_nt(dst, src, len, dev->arch.flush);
	} else {
		memcpy(dst, src, len);
		dev->arch.flush(dst, len);
	}
	return 0;
}

/* One pass where the copy streams and the arch offers a fused CRC; the
 * CRC first and then the usual copy otherwise. */
static int cpu_memcpy_crc(struct daxdev *dev, void *dst, const void *src, size_t len,
			  unsigned flags, uint32_t *crc)
{
	if (!(flags & DAXDEV_F_NOFLUSH) && stream_it(dev, dst, len, flags)) {
		*crc = dev->arch.copy_nt_crc(dst, src, len, dev->arch.flush, *crc);
		return 0;
	}
	cpu_memcpy(dev, dst, src, len, flags);
	*crc = daxdev_crc32c(*crc, src, len);
	return 0;
}

static int cpu_memset(struct daxdev *dev, void *dst, int c, size_t len, unsigned flags)
{
	if (flags & DAXDEV_F_NOFLUSH) {
		memset(dst, c, len);
	} else if (stream_it(dev, dst, len, flags)) {
		dev->arch.fill_nt(dst, c, len, dev->arch.flush);
	} else {
		memset(dst, c, len);
		dev->arch.flush(dst, len);
	}
	return 0;
}

static int cpu_flush(struct daxdev *dev, const void *addr, size_t len)
{
	dev->arch.flush(addr, len);
	return 0;
}

static void cpu_drain(struct daxdev *dev)
{
	dev->arch.drain();
}

/*
 * Provider ops run with this thread's SIGBUS guard paused (internal.h): a
 * fault inside one must not unwind through its locks or past the core's
 * daxdev_leave.
 */
static void provider_drain(struct daxdev *dev)
{
	struct daxdev_guard *g = daxdev_guard_pause();

	dev->ops.drain(dev);
	daxdev_guard_resume(g);
}

/* Every shape without a fused copy: this state's own copy, then the CRC
 * (a refused copy leaves *crc as it was). */
static int copy_then_crc(struct daxdev *dev, void *dst, const void *src, size_t len,
			 unsigned flags, uint32_t *crc)
{
	int rc = daxdev_cur(dev)->memcpy(dev, dst, src, len, flags);

	if (!rc)
		*crc = daxdev_crc32c(*crc, src, len);
	return rc;
}

static int provider_flush(struct daxdev *dev, const void *addr, size_t len)
{
	struct daxdev_guard *g = daxdev_guard_pause();
	int rc = daxdev_enter(dev);

	if (!rc) {
		rc = dev->ops.flush(dev, addr, len);
		daxdev_leave(dev);
	}
	daxdev_guard_resume(g);
	return rc;
}

/* A provider store's bytes: a copy, or a fill with c where src is NULL. */
static void store_bytes(void *dst, const void *src, int c, size_t len)
{
	if (src)
		memcpy(dst, src, len);
	else
		memset(dst, c, len);
}

/* The provider's flush may keep state (the crash simulator) or make system
 * calls (msync), so the store and the flush run as one call inside the
 * device: the store first (memcpy or memset), then the flush. */
static int provider_store(struct daxdev *dev, void *dst, const void *src, int c,
			  size_t len, unsigned flags)
{
	struct daxdev_guard *g;
	int rc;

	/* Under a frame that covers dst (daxdev_guarded_call's), which
	 * recovers a fault in the store, and whose call holds the device:
	 * the store there, only the flush inside the device. */
	if (daxdev_guard_covers(dst, len)) {
		store_bytes(dst, src, c, len);
		return flags & DAXDEV_F_NOFLUSH ? 0 : provider_flush(dev, dst, len);
	}
	g = daxdev_guard_pause();
	rc = daxdev_enter(dev);

	if (rc)
		goto out;
	store_bytes(dst, src, c, len);
	if (!(flags & DAXDEV_F_NOFLUSH))
		rc = dev->ops.flush(dev, dst, len);
	daxdev_leave(dev);
out:
	daxdev_guard_resume(g);
	return rc;
}

static int provider_memcpy(struct daxdev *dev, void *dst, const void *src, size_t len,
			   unsigned flags)
{
	return provider_store(dev, dst, src, 0, len, flags);
}

static int provider_memset(struct daxdev *dev, void *dst, int c, size_t len, unsigned flags)
{
	return provider_store(dev, dst, NULL, c, len, flags);
}

/* Offset writes on a provider-flush device: one flush per chunk, not per
 * piece of the caller's iovec (one msync instead of several). */
static int provider_flush_chunk(struct daxdev *dev, const void *addr, size_t len)
{
	struct daxdev_guard *g = daxdev_guard_pause();
	int rc = dev->ops.flush(dev, addr, len);

	daxdev_guard_resume(g);
	return rc;
}

static int plain_memcpy(struct daxdev *dev, void *dst, const void *src, size_t len,
			unsigned flags)
{
	(void)dev;
	(void)flags;
	memcpy(dst, src, len);
	return 0;
}

static int plain_memset(struct daxdev *dev, void *dst, int c, size_t len, unsigned flags)
{
	(void)dev;
	(void)flags;
	memset(dst, c, len);
	return 0;
}

static int no_flush(struct daxdev *dev, const void *addr, size_t len)
{
	(void)dev;
	(void)addr;
	(void)len;
	return 0;
}

static int readonly_memcpy(struct daxdev *dev, void *dst, const void *src, size_t len,
			   unsigned flags)
{
	(void)dst;
	(void)src;
	(void)flags;
	return daxdev_err(-EROFS, "%s: opened read-only: cannot store %zu bytes", dev->host, len);
}

static int readonly_memset(struct daxdev *dev, void *dst, int c, size_t len, unsigned flags)
{
	(void)c;
	return readonly_memcpy(dev, dst, NULL, len, flags);
}

static struct daxdev_persist write_cache_on(struct daxdev *dev, const char *provider_flush_name)
{
	if (!provider_flush_name)
		provider_flush_name = "provider";
	if (dev->ops.flush)
		return (struct daxdev_persist){
			.copy_name = "memcpy", .fill_name = "memset",
			.flush_name = provider_flush_name,
			.drain_name = dev->ops.drain ? provider_flush_name : "none",
			.write_cache = true,
			.memcpy = provider_memcpy, .memset = provider_memset,
			.memcpy_crc = copy_then_crc,
			.flush = provider_flush, .copy_part = plain_memcpy,
			.fill_part = plain_memset, .flush_chunk = provider_flush_chunk,
			.drain = dev->ops.drain ? provider_drain : NULL,
		};
	return (struct daxdev_persist){
		.copy_name = dev->arch.copy_name, .fill_name = dev->arch.fill_name,
		.flush_name = dev->arch.flush_name, .drain_name = dev->arch.drain_name,
		.write_cache = true,
		.memcpy = cpu_memcpy, .memset = cpu_memset, .flush = cpu_flush,
		.memcpy_crc = dev->arch.copy_nt_crc ? cpu_memcpy_crc : copy_then_crc,
		.copy_part = cpu_memcpy, .fill_part = cpu_memset, .flush_chunk = no_flush,
		.drain = cpu_drain,
	};
}

/*
 * Write cache off: nothing to write back, so ordinary stores, unless the
 * caller asks for non-temporal ones (DAXDEV_F_NONTEMPORAL: data it will not
 * read soon; into cold memory they skip reading each line first, 4 KiB and
 * up measured faster here).  Those are weakly ordered, and this state's
 * drain may be none, so they are fenced before the call returns.
 */
static void no_write_back(const void *addr, size_t len)
{
	(void)addr;
	(void)len;
}

static bool stream_unflushed(const struct daxdev *dev, unsigned flags)
{
	return (flags & DAXDEV_F_NONTEMPORAL) && dev->arch.copy_nt && dev->arch.drain &&
	       dev->arch.nt_threshold != SIZE_MAX;
}

static int off_memcpy(struct daxdev *dev, void *dst, const void *src, size_t len,
		      unsigned flags)
{
	if (!stream_unflushed(dev, flags)) {
		memcpy(dst, src, len);
		return 0;
	}
	dev->arch.copy_nt(dst, src, len, no_write_back);
	dev->arch.drain();
	return 0;
}

static int off_memset(struct daxdev *dev, void *dst, int c, size_t len, unsigned flags)
{
	if (!stream_unflushed(dev, flags)) {
		memset(dst, c, len);
		return 0;
	}
	dev->arch.fill_nt(dst, c, len, no_write_back);
	dev->arch.drain();
	return 0;
}

static struct daxdev_persist write_cache_off(struct daxdev *dev)
{
	bool fence = dev->persistence != DAXDEV_PERSISTENCE_VOLATILE;

	return (struct daxdev_persist){
		.copy_name = "memcpy", .fill_name = "memset", .flush_name = "none",
		.drain_name = fence ? dev->arch.drain_name : "none",
		.write_cache = false,
		.memcpy = off_memcpy, .memset = off_memset, .flush = no_flush,
		.memcpy_crc = copy_then_crc,
		.copy_part = off_memcpy, .fill_part = off_memset, .flush_chunk = no_flush,
		.drain = fence ? cpu_drain : NULL,
	};
}

/* A device other hosts read through caches not coherent with this one
 * (DAXDEV_SHARING_NONCOHERENT): they read memory, so its stores are written
 * back with the write cache off too.  Coherence, not persistence: the state
 * still says what the write cache is. */
static struct daxdev_persist shared_write_cache_off(struct daxdev_persist on)
{
	on.write_cache = false;
	return on;
}

/* Where the initial state came from, for info and the log. */
static bool initial_write_cache(struct daxdev *dev, bool *overridden)
{
	const struct daxdev_policy *p = &dev->policy;

	*overridden = p->write_cache >= 0;
	if (!*overridden)
		return dev->platform_write_cache;
	snprintf(dev->override_reason, sizeof(dev->override_reason), "override %s=%s",
		 p->write_cache_origin, p->write_cache ? "on" : "off");
	return p->write_cache;
}

static void fill_states(struct daxdev *dev, const char *provider_flush_name)
{
	static const char set_off[] = "override daxdev_set_write_cache(off)";
	static const char set_on[] = "override daxdev_set_write_cache(on)";
	struct daxdev_persist on = write_cache_on(dev, provider_flush_name);
	struct daxdev_persist off = dev->policy.sharing == DAXDEV_SHARING_NONCOHERENT ?
				    shared_write_cache_off(on) : write_cache_off(dev);
	struct daxdev_persist *st = dev->persist;
	bool overridden;

	st[DAXDEV_STATE_INITIAL] = initial_write_cache(dev, &overridden) ? on : off;
	st[DAXDEV_STATE_INITIAL].overridden = overridden;
	st[DAXDEV_STATE_INITIAL].write_cache_reason = overridden ? dev->override_reason :
						      dev->reason;
	st[DAXDEV_STATE_SET_OFF] = off;
	st[DAXDEV_STATE_SET_ON] = on;
	st[DAXDEV_STATE_SET_OFF].overridden = st[DAXDEV_STATE_SET_ON].overridden = true;
	st[DAXDEV_STATE_SET_OFF].write_cache_reason = set_off;
	st[DAXDEV_STATE_SET_ON].write_cache_reason = set_on;
	for (int i = 0; dev->readonly && i < DAXDEV_NSTATES; i++) {
		st[i].memcpy = st[i].copy_part = readonly_memcpy;
		st[i].memset = st[i].fill_part = readonly_memset;
		st[i].memcpy_crc = copy_then_crc;   /* its memcpy refuses */
	}
	daxdev_sharing_fill(dev, provider_flush_name);
}

static void arch_policy(const struct daxdev_policy *p, struct daxdev_arch_policy *a)
{
	*a = (struct daxdev_arch_policy){
		.flush = p->flush[0] ? p->flush : NULL, .flush_origin = p->flush_origin,
		.isa = p->isa[0] ? p->isa : NULL, .isa_origin = p->isa_origin,
		.nt_threshold = p->nt_threshold,
	};
}

/* Write cache on with no provider flush needs the CPU's write-back. */
static bool can_write_back(const struct daxdev *dev)
{
	return dev->ops.flush || dev->arch.flush;
}

static void apply_state(struct daxdev *dev, enum daxdev_state state)
{
	atomic_store_explicit(&dev->cur, &dev->persist[state], memory_order_release);
}

DAXDEV_HIDDEN int daxdev_persist_init(struct daxdev *dev, const char *provider_flush_name)
{
	struct daxdev_arch_policy policy;
	const struct daxdev_persist *how;
	int rc;

	arch_policy(&dev->policy, &policy);
	rc = daxdev_arch_select(&policy, &dev->arch);
	if (rc)
		return rc;
	rc = daxdev_sharing_check(dev);
	if (rc)
		return rc;
	fill_states(dev, provider_flush_name);
	apply_state(dev, DAXDEV_STATE_INITIAL);
	how = daxdev_cur(dev);
	if (how->write_cache && !can_write_back(dev))
		return daxdev_err(-EOPNOTSUPP, "%s: the write cache is on (%s) and this build has no "
				  "way to write it back (%s): stores could not be made durable",
				  dev->host, how->write_cache_reason, daxdev_arch_cpu_summary());
	daxdev_log(DAXDEV_LOG_INFO, "%s: write cache %s (%s); copy %s, flush %s, drain %s%s",
		   dev->host, how->write_cache ? "on" : "off", how->write_cache_reason,
		   how->copy_name, how->flush_name, how->drain_name,
		   dev->policy.sharing == DAXDEV_SHARING_NONCOHERENT ?
		   "; shared, not coherent: reads invalidate, writes are written back" : "");
	return 0;
}

DAXDEV_API int daxdev_write_cache(const struct daxdev *dev)
{
	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_write_cache: NULL device");
	if (!daxdev_alive(dev))
		return daxdev_err(-ENXIO, "%s: device has been killed", dev->host);
	return daxdev_cur(dev)->write_cache ? 1 : 0;
}

static int set_below(struct daxdev *dev, bool on)
{
	int rc;

	if (!dev->ops.set_write_cache)
		return 0;
	rc = daxdev_enter(dev);
	if (rc)
		return rc;
	rc = dev->ops.set_write_cache(dev, on);
	daxdev_leave(dev);
	return rc;
}

DAXDEV_API int daxdev_set_write_cache(struct daxdev *dev, bool on)
{
	int rc;

	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_set_write_cache: NULL device");
	if (!daxdev_alive(dev))
		return daxdev_err(-ENXIO, "%s: device has been killed", dev->host);
	if (on && !can_write_back(dev))
		return daxdev_err(-EOPNOTSUPP, "%s: cannot switch the write cache on: this build has "
				  "no way to write it back (%s)", dev->host, daxdev_arch_cpu_summary());
	pthread_mutex_lock(&dev->state_lock);
	rc = set_below(dev, on);
	if (!rc)
		apply_state(dev, on ? DAXDEV_STATE_SET_ON : DAXDEV_STATE_SET_OFF);
	pthread_mutex_unlock(&dev->state_lock);
	if (rc)
		return rc;
	daxdev_log(DAXDEV_LOG_INFO, "%s: write cache set %s by the application; flush %s",
		   dev->host, on ? "on" : "off", daxdev_cur(dev)->flush_name);
	return 0;
}
