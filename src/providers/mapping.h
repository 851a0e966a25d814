/* SPDX-License-Identifier: MIT */
/*
 * Shared by the devdax and fsdax providers: map a descriptor shared, with
 * MAP_SYNC when the kernel grants it (stores then reach the media without
 * msync), else plain MAP_SHARED; and note why MAP_SYNC was not used.  Also
 * what their probes (daxdev_probe) share: asking the same question of one
 * read-only page, and the direct_access of a device that maps nothing.
 */
#ifndef DAXDEV_PROVIDERS_MAPPING_H
#define DAXDEV_PROVIDERS_MAPPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAPPING_HIDDEN __attribute__((visibility("hidden")))

struct provider_mapping {
	void *addr;
	size_t len;
	bool map_sync;
	char note[96];        /* why MAP_SYNC was refused, or "" */
};

/* Map len bytes of fd from offset 0 at fixed (MAP_FIXED) or anywhere (NULL),
 * read-only or read-write.  0, or -errno with a message naming name. */
MAPPING_HIDDEN int provider_map_shared(const char *name, int fd, void *fixed, size_t len,
				       bool readonly, struct provider_mapping *m);

/* Would provider_map_shared() get MAP_SYNC on fd?  Maps one page read-only
 * with the same flags and unmaps it: m->map_sync and m->note as the full
 * mapping would set them, m->addr NULL.  Needs only read access.  0, or
 * -errno with a message naming name. */
MAPPING_HIDDEN int provider_map_sync_probe(const char *name, int fd, struct provider_mapping *m);

struct daxdev;
/* direct_access of a probe: there is no mapping, so every access is refused
 * (-EOPNOTSUPP with a message naming the device). */
MAPPING_HIDDEN long provider_probe_direct_access(struct daxdev *dev, uint64_t pgoff,
						 long nr_pages, void **addr);
/* The flush op of a probe whose open would have one (msync): present so
 * that the core chooses as it would for the open; never reached, since
 * nothing can be addressed, and refuses if it were. */
MAPPING_HIDDEN int provider_probe_flush(struct daxdev *dev, const void *addr, size_t len);

#endif
