/* SPDX-License-Identifier: MIT */
/* MAP_SYNC, else MAP_SHARED: the one mapping path of devdax and fsdax (and
 * the same question asked by their probes). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <daxdev/provider.h>
#include "mapping.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

/* EOPNOTSUPP: no synchronous faults here; EINVAL: a kernel that does not
 * know MAP_SHARED_VALIDATE.  Anything else is a real failure. */
static bool map_sync_refused(struct provider_mapping *m, int err)
{
	if (err != EOPNOTSUPP && err != EINVAL)
		return false;
	snprintf(m->note, sizeof(m->note), "MAP_SYNC refused: %s", strerror(err));
	return true;
}

MAPPING_HIDDEN int provider_map_shared(const char *name, int fd, void *fixed, size_t len,
				       bool readonly, struct provider_mapping *m)
{
	int prot = readonly ? PROT_READ : PROT_READ | PROT_WRITE;
	int at = fixed ? MAP_FIXED : 0;
	void *addr = mmap(fixed, len, prot, MAP_SHARED_VALIDATE | MAP_SYNC | at, fd, 0);

	m->map_sync = addr != MAP_FAILED;
	m->note[0] = '\0';
	if (!m->map_sync && map_sync_refused(m, errno))
		addr = mmap(fixed, len, prot, MAP_SHARED | at, fd, 0);
	if (addr == MAP_FAILED)
		return daxdev_err(-errno, "%s: cannot map %zu bytes: %s", name, len,
				  strerror(errno));
	m->addr = addr;
	m->len = len;
	return 0;
}

/* The kernel checks MAP_SYNC against the file, not the protection: a
 * read-only page gets the answer a writable mapping of the whole would. */
MAPPING_HIDDEN int provider_map_sync_probe(const char *name, int fd, struct provider_mapping *m)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *addr = mmap(NULL, page, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);

	m->addr = NULL;
	m->len = 0;
	m->note[0] = '\0';
	m->map_sync = addr != MAP_FAILED;
	if (m->map_sync) {
		munmap(addr, page);
		return 0;
	}
	if (map_sync_refused(m, errno))
		return 0;
	return daxdev_err(-errno, "%s: cannot map a page to test MAP_SYNC: %s", name,
			  strerror(errno));
}

MAPPING_HIDDEN long provider_probe_direct_access(struct daxdev *dev, uint64_t pgoff,
						 long nr_pages, void **addr)
{
	(void)pgoff;
	(void)nr_pages;
	(void)addr;
	return daxdev_err(-EOPNOTSUPP, "%s: a probe maps nothing: open the target to access it",
			  daxdev_host(dev));
}

MAPPING_HIDDEN int provider_probe_flush(struct daxdev *dev, const void *addr, size_t len)
{
	(void)addr;
	(void)len;
	return daxdev_err(-EOPNOTSUPP, "%s: a probe maps nothing: open the target to access it",
			  daxdev_host(dev));
}
