/* SPDX-License-Identifier: MIT */
/*
 * Shared by the devdax and fsdax providers: map a descriptor shared, with
 * MAP_SYNC when the kernel grants it (stores then reach the media without
 * msync), else plain MAP_SHARED; and note why MAP_SYNC was not used.
 */
#ifndef DAXDEV_PROVIDERS_MAPPING_H
#define DAXDEV_PROVIDERS_MAPPING_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
