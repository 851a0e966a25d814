/* SPDX-License-Identifier: MIT */
/* What a device is and what the core chose for it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define DAXDEV_DETAILS_MAX 8192

/* Ask the provider for its lines; kept in the device so the strings handed
 * out stay valid while the caller holds a reference. */
static void refresh_details(struct daxdev *dev)
{
	if (!dev->ops->describe)
		return;
	if (!dev->details)
		dev->details = calloc(1, DAXDEV_DETAILS_MAX);
	if (!dev->details)
		return;
	if (daxdev_enter(dev) == 0) {
		dev->ops->describe(dev, dev->details, DAXDEV_DETAILS_MAX);
		daxdev_leave(dev);
	}
}

static void fill_info(struct daxdev *dev, struct daxdev_info *info)
{
	const struct daxdev_persist *how = daxdev_cur(dev);
	bool write_cache = atomic_load(&dev->write_cache);

	*info = (struct daxdev_info){
		.provider = dev->provider,
		.host = dev->host,
		.size = dev->size,
		.align = dev->align,
		.persistence = dev->persistence,
		.persistence_reason = dev->reason,
		.write_cache = write_cache,
		.write_cache_overridden = dev->write_cache_overridden,
		.write_cache_reason = dev->write_cache_overridden ? dev->override_reason : dev->reason,
		.copy_impl = how->copy_name,
		.fill_impl = how->fill_name,
		.flush_impl = how->flush_name,
		.drain_impl = how->drain_name,
		.nt_threshold = how->provider_flush || !write_cache ? 0 : dev->arch.nt_threshold,
		.details = dev->details ? dev->details : "",
		.alive = daxdev_alive(dev),
	};
}

DAXDEV_EXPORT int daxdev_get_info(struct daxdev *dev, struct daxdev_info *info)
{
	if (!dev)
		return daxdev_err(-EINVAL, "daxdev_get_info: NULL device");
	if (!info)
		return daxdev_err(-EINVAL, "daxdev_get_info: %s: NULL info pointer", dev->host);
	/* Info stays readable after a kill: it says so, and says why. */
	pthread_mutex_lock(&dev->info_lock);
	if (daxdev_alive(dev))
		refresh_details(dev);
	fill_info(dev, info);
	pthread_mutex_unlock(&dev->info_lock);
	return 0;
}

DAXDEV_EXPORT int daxdev_format_info(struct daxdev *dev, char *buf, size_t len)
{
	struct daxdev_info i;
	int rc = daxdev_get_info(dev, &i);

	if (rc)
		return rc;
	if (!buf && len)
		return daxdev_err(-EINVAL, "daxdev_format_info: NULL buffer");
	return snprintf(buf, len,
			"provider: %s\nhost: %s\nsize: %llu\nalign: %llu\n"
			"persistence: %s (%s)\nwrite cache: %s (%s)\n"
			"copy: %s\nfill: %s\nflush: %s\ndrain: %s\nnt threshold: %zu\n"
			"alive: %s\n%s",
			i.provider, i.host, (unsigned long long)i.size,
			(unsigned long long)i.align, daxdev_persistence_name(i.persistence),
			i.persistence_reason, i.write_cache ? "on" : "off",
			i.write_cache_reason, i.copy_impl, i.fill_impl, i.flush_impl,
			i.drain_impl, i.nt_threshold, i.alive ? "yes" : "no", i.details);
}
