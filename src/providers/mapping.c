/* SPDX-License-Identifier: MIT */
/* MAP_SYNC, else MAP_SHARED: the one mapping path of devdax and fsdax. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <daxdev/provider.h>
#include "mapping.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

MAPPING_HIDDEN int provider_map_shared(const char *name, int fd, void *fixed, size_t len,
				       bool readonly, struct provider_mapping *m)
{
	int prot = readonly ? PROT_READ : PROT_READ | PROT_WRITE;
	int at = fixed ? MAP_FIXED : 0;
	void *addr = mmap(fixed, len, prot, MAP_SHARED_VALIDATE | MAP_SYNC | at, fd, 0);

	m->map_sync = addr != MAP_FAILED;
	m->note[0] = '\0';
	/* EOPNOTSUPP: no synchronous faults here; EINVAL: a kernel that does
	 * not know MAP_SHARED_VALIDATE.  Anything else is a real failure. */
	if (!m->map_sync && (errno == EOPNOTSUPP || errno == EINVAL)) {
		snprintf(m->note, sizeof(m->note), "MAP_SYNC refused: %s", strerror(errno));
		addr = mmap(fixed, len, prot, MAP_SHARED | at, fd, 0);
	}
	if (addr == MAP_FAILED)
		return daxdev_err(-errno, "%s: cannot map %zu bytes: %s", name, len,
				  strerror(errno));
	m->addr = addr;
	m->len = len;
	return 0;
}
