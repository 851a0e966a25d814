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
 *              persistent (eADR), nothing at all if it is volatile.
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

static void provider_drain(struct daxdev *dev)
{
	dev->ops->drain(dev);
}

/* The provider's flush may keep state (the crash simulator) or make system
 * calls (msync), so the copy and the flush run as one call inside the device. */
static int provider_memcpy(struct daxdev *dev, void *dst, const void *src, size_t len,
			   unsigned flags)
{
	int rc = daxdev_enter(dev);

	if (rc)
		return rc;
	memcpy(dst, src, len);
	if (!(flags & DAXDEV_F_NOFLUSH))
		rc = dev->ops->flush(dev, dst, len);
	daxdev_leave(dev);
	return rc;
}

static int provider_memset(struct daxdev *dev, void *dst, int c, size_t len, unsigned flags)
{
	int rc = daxdev_enter(dev);

	if (rc)
		return rc;
	memset(dst, c, len);
	if (!(flags & DAXDEV_F_NOFLUSH))
		rc = dev->ops->flush(dev, dst, len);
	daxdev_leave(dev);
	return rc;
}

static int provider_flush(struct daxdev *dev, const void *addr, size_t len)
{
	int rc = daxdev_enter(dev);

	if (rc)
		return rc;
	rc = dev->ops->flush(dev, addr, len);
	daxdev_leave(dev);
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

static void fill_write_cache_on(struct daxdev *dev, const char *provider_flush_name)
{
	struct daxdev_persist *p = &dev->persist[1];

	if (!provider_flush_name)
		provider_flush_name = "provider";
	if (dev->ops->flush) {
		*p = (struct daxdev_persist){
			.copy_name = "memcpy", .fill_name = "memset",
			.flush_name = provider_flush_name,
			.drain_name = dev->ops->drain ? provider_flush_name : "none",
			.memcpy = provider_memcpy, .memset = provider_memset,
			.flush = provider_flush, .provider_flush = true,
			.drain = dev->ops->drain ? provider_drain : NULL,
		};
		return;
	}
	*p = (struct daxdev_persist){
		.copy_name = dev->arch.copy_name, .fill_name = dev->arch.fill_name,
		.flush_name = dev->arch.flush_name, .drain_name = dev->arch.drain_name,
		.memcpy = cpu_memcpy, .memset = cpu_memset,
		.flush = cpu_flush, .drain = cpu_drain,
	};
}

static void fill_write_cache_off(struct daxdev *dev)
{
	bool fence = dev->persistence != DAXDEV_PERSISTENCE_VOLATILE;

	dev->persist[0] = (struct daxdev_persist){
		.copy_name = "memcpy", .fill_name = "memset", .flush_name = "none",
		.drain_name = fence ? dev->arch.drain_name : "none",
		.memcpy = plain_memcpy, .memset = plain_memset, .flush = no_flush,
		.drain = fence ? cpu_drain : NULL,
	};
}

DAXDEV_HIDDEN int daxdev_env_write_cache(int *value)
{
	const char *s = getenv("DAXDEV_WRITE_CACHE");

	*value = -1;
	if (!s || !*s)
		return 0;
	if (!strcmp(s, "0") || !strcmp(s, "1")) {
		*value = s[0] - '0';
		return 0;
	}
	return daxdev_err(-EINVAL, "DAXDEV_WRITE_CACHE='%s': expected 0 or 1", s);
}

static void apply_write_cache(struct daxdev *dev, bool on)
{
	atomic_store(&dev->write_cache, on);
	atomic_store_explicit(&dev->cur, &dev->persist[on], memory_order_release);
}

/* Bridge until the open options land: the policy from the environment. */
static int env_policy(struct daxdev_arch_policy *p)
{
	const char *nt = getenv("DAXDEV_NT"), *thr = getenv("DAXDEV_NT_THRESHOLD");
	uint64_t v;

	*p = (struct daxdev_arch_policy){
		.flush = getenv("DAXDEV_FLUSH"), .flush_origin = "DAXDEV_FLUSH",
		.isa = getenv("DAXDEV_ISA"), .isa_origin = "DAXDEV_ISA",
	};
	if (p->flush && !*p->flush)
		p->flush = NULL;
	if (p->isa && !*p->isa)
		p->isa = NULL;
	if (thr && *thr) {
		if (daxdev_parse_size(thr, &v))
			return daxdev_err(-EINVAL, "DAXDEV_NT_THRESHOLD=%s: expected bytes", thr);
		p->nt_threshold = v ? (size_t)v : 1;
	}
	if (nt && *nt && strcmp(nt, "0") && strcmp(nt, "1"))
		return daxdev_err(-EINVAL, "DAXDEV_NT=%s: expected 0 or 1", nt);
	if (nt && !strcmp(nt, "0"))
		p->nt_threshold = SIZE_MAX;
	return 0;
}

DAXDEV_HIDDEN int daxdev_persist_init(struct daxdev *dev, const char *provider_flush_name)
{
	struct daxdev_arch_policy policy;
	int forced, rc;

	rc = daxdev_env_write_cache(&forced);
	if (rc)
		return rc;
	rc = env_policy(&policy);
	if (rc)
		return rc;
	rc = daxdev_arch_select(&policy, &dev->arch);
	if (rc)
		return rc;
	if (!dev->arch.flush && !dev->ops->flush &&
	    (forced >= 0 ? forced : dev->platform_write_cache))
		return daxdev_err(-EOPNOTSUPP, "%s: the write cache is on and this build has no way to write it back",
				  dev->host);
	fill_write_cache_on(dev, provider_flush_name);
	fill_write_cache_off(dev);
	if (forced >= 0) {
		dev->write_cache_overridden = true;
		snprintf(dev->override_reason, sizeof(dev->override_reason),
			 "override DAXDEV_WRITE_CACHE=%d", forced);
	}
	apply_write_cache(dev, forced >= 0 ? forced : dev->platform_write_cache);
	daxdev_log(DAXDEV_LOG_INFO, "%s: write cache %s (%s); copy %s, flush %s, drain %s",
		   dev->host, forced >= 0 ? (forced ? "on" : "off") :
		   (dev->platform_write_cache ? "on" : "off"),
		   forced >= 0 ? dev->override_reason : dev->reason,
		   daxdev_cur(dev)->copy_name, daxdev_cur(dev)->flush_name,
		   daxdev_cur(dev)->drain_name);
	return 0;
}

DAXDEV_EXPORT int daxdev_write_cache(const struct daxdev *dev)
{
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_write_cache: NULL device");
	if (!daxdev_alive(dev))
		return daxdev_err(-ENXIO, "%s: device has been killed", dev->host);
	return atomic_load(&dev->write_cache) ? 1 : 0;
}

DAXDEV_EXPORT int daxdev_set_write_cache(struct daxdev *dev, bool on)
{
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_set_write_cache: NULL device");
	if (!daxdev_alive(dev))
		return daxdev_err(-ENXIO, "%s: device has been killed", dev->host);
	/* The portable build: the cpu shape would call a NULL flush. */
	if (on && !dev->arch.flush && !dev->ops->flush)
		return daxdev_err(-EOPNOTSUPP, "%s: cannot switch the write cache on: this build has no way to write it back",
				  dev->host);
	pthread_mutex_lock(&dev->info_lock);
	dev->write_cache_overridden = true;
	snprintf(dev->override_reason, sizeof(dev->override_reason),
		 "override daxdev_set_write_cache(%d)", on);
	apply_write_cache(dev, on);
	pthread_mutex_unlock(&dev->info_lock);
	daxdev_log(DAXDEV_LOG_INFO, "%s: write cache set %s by the application; flush %s",
		   dev->host, on ? "on" : "off", daxdev_cur(dev)->flush_name);
	return 0;
}
