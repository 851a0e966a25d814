/* SPDX-License-Identifier: MIT */
/*
 * What a device is and what the core chose for it.  Every string handed out
 * is owned by the device and never rewritten (the write-cache state and its
 * reason are switched together with one pointer), so any number of threads
 * may read info at once; the provider's details go into caller storage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static void fill_info(struct daxdev *dev, struct daxdev_info *info)
{
	const struct daxdev_persist *how = daxdev_cur(dev);

	*info = (struct daxdev_info){
		.sz = sizeof(*info),
		.provider = dev->provider,
		.host = dev->host,
		.size = dev->size,
		.align = dev->align,
		.persistence = dev->persistence,
		.write_cache = how->write_cache,
		.write_cache_overridden = how->overridden,
		.alive = daxdev_alive(dev),
		.readonly = dev->readonly,
		.persistence_reason = dev->reason,
		.write_cache_reason = how->write_cache_reason,
		.copy_impl = how->copy_name,
		.fill_impl = how->fill_name,
		.flush_impl = how->flush_name,
		.drain_impl = how->drain_name,
		/* Streaming happens only on the CPU write-back path, which a
		 * NONCOHERENT device takes with the write cache off too. */
		.nt_threshold = (how->write_cache ||
				 dev->policy.sharing == DAXDEV_SHARING_NONCOHERENT) &&
				!dev->ops.flush ? dev->arch.nt_threshold : 0,
		.numa_node = dev->numa_node,
		.target_node = dev->target_node,
		.region = dev->region,
		.bus = dev->bus,
		.sharing = (enum daxdev_sharing)dev->policy.sharing,
		.invalidate_impl = how->invalidate_name,
	};
}

DAXDEV_API int daxdev_struct_out(void *out, const void *full, size_t full_sz)
{
	size_t sz;

	memcpy(&sz, out, sizeof(sz));
	if (sz < sizeof(size_t))
		return daxdev_err(-EINVAL, "struct with sz %zu: set sz to the struct's size", sz);
	/* An older caller gets the fields it knows; a newer one zeros for the
	 * fields this library does not know. */
	if (sz > full_sz)
		memset((char *)out + full_sz, 0, sz - full_sz);
	memcpy(out, full, sz < full_sz ? sz : full_sz);
	memcpy(out, &sz, sizeof(sz));
	return 0;
}

DAXDEV_API int daxdev_get_info(struct daxdev *dev, struct daxdev_info *info)
{
	struct daxdev_info full;

	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_get_info: NULL device");
	if (!info)
		return daxdev_err(-EINVAL, "daxdev_get_info: %s: NULL info pointer", dev->host);
	/* Info stays readable after a kill: it says so. */
	fill_info(dev, &full);
	return daxdev_struct_out(info, &full, sizeof(full));
}

/* The provider's lines at buf + *pos (snprintf counting); nothing after a
 * kill, since the provider may have dropped what it would describe. */
static int describe(struct daxdev *dev, char *buf, size_t len, int pos)
{
	int n;

	if (!dev->ops.describe || daxdev_enter(dev)) {
		daxdev_clear_error();
		return pos;
	}
	n = dev->ops.describe(dev, (size_t)pos < len ? buf + pos : NULL,
			      (size_t)pos < len ? len - (size_t)pos : 0);
	daxdev_leave(dev);
	return n > 0 ? pos + n : pos;
}

DAXDEV_API int daxdev_get_details(struct daxdev *dev, char *buf, size_t len)
{
	daxdev_clear_error();
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_get_details: NULL device");
	if (!buf && len)
		return daxdev_err(-EINVAL, "daxdev_get_details: %s: NULL buffer", dev->host);
	if (len)
		buf[0] = '\0';
	return describe(dev, buf, len, 0);
}

static const char *sharing_name(enum daxdev_sharing sharing)
{
	return sharing == DAXDEV_SHARING_NONCOHERENT ? "noncoherent" : "local";
}

static int format_node(char *buf, size_t len, int node)
{
	return node < 0 ? snprintf(buf, len, "unknown") : snprintf(buf, len, "%d", node);
}

DAXDEV_API int daxdev_format_info(struct daxdev *dev, char *buf, size_t len)
{
	struct daxdev_info i = DAXDEV_INFO_INIT;
	char numa[16], target[16];
	int pos = 0, rc = daxdev_get_info(dev, &i);

	if (rc)
		return rc;
	if (!buf && len)
		return daxdev_err(-EINVAL, "daxdev_format_info: NULL buffer");
	format_node(numa, sizeof(numa), i.numa_node);
	format_node(target, sizeof(target), i.target_node);
	daxdev_describe_printf(buf, len, &pos,
			       "provider: %s\nhost: %s\nsize: %llu\nalign: %llu\n"
			       "persistence: %s (%s)\nwrite cache: %s (%s)\n"
			       "copy: %s\nfill: %s\nflush: %s\ndrain: %s\nnt threshold: %zu\n"
			       "numa node: %s\ntarget node: %s\nregion: %s\nbus: %s\n"
			       "sharing: %s\ninvalidate: %s\naccess: %s\nalive: %s\n",
			       i.provider, i.host, (unsigned long long)i.size,
			       (unsigned long long)i.align, daxdev_persistence_name(i.persistence),
			       i.persistence_reason, i.write_cache ? "on" : "off",
			       i.write_cache_reason, i.copy_impl, i.fill_impl, i.flush_impl,
			       i.drain_impl, i.nt_threshold, numa, target,
			       i.region[0] ? i.region : "none", i.bus[0] ? i.bus : "none",
			       sharing_name(i.sharing), i.invalidate_impl,
			       i.readonly ? "read-only" : "read-write", i.alive ? "yes" : "no");
	return describe(dev, buf, len, pos);
}
