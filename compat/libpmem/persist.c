/* SPDX-License-Identifier: MIT */
/*
 * Flushing: every range is cut at the edges of the pmem_map_file() mappings
 * it crosses; a part inside a mapping goes the way libdaxdev decided for
 * that device (nothing, CPU write-back, msync), a part in no mapping the way
 * PMDK's libpmem goes everywhere (CPU write-back unless the platform flushes
 * on power loss).  Also pmem_is_pmem(), pmem_msync() and the deep calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <daxdev/provider.h>

#include "compat.h"
#include "libpmem.h"

/* End of [addr, addr+len), clamped at the top of the address space. */
static uintptr_t range_end(const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;

	return len > UINTPTR_MAX - a ? UINTPTR_MAX : a + len;
}

static void flush_part(const struct pmemc_part *p, bool deep)
{
	const struct pmemc_mapping *m = p->m;
	void *addr = (void *)p->start;
	size_t n = p->end - p->start;

	if (!m) {
		pmemc_fallback_flush(addr, n, deep);
	} else if (m->mode == PMEMC_CPU) {
		m->flush(addr, n);
	} else if (m->mode == PMEMC_SYNC) {
		daxdev_flush(m->dev, addr, n);
	} else if (deep) {
		pmemc_fallback_flush(addr, n, true); /* deep: even with the cache off */
	}
}

PMEMC_HIDDEN void pmemc_flush_range(const void *addr, size_t len, bool deep)
{
	uintptr_t a = (uintptr_t)addr, end = range_end(addr, len);
	struct pmemc_part p;

	if (!addr)
		return;
	for (; a < end; a = p.end) {
		pmemc_part_at(a, end, &p);
		flush_part(&p, deep);
	}
}

PMEM_API void pmem_flush(const void *addr, size_t len)
{
	pmemc_flush_range(addr, len, false);
}

PMEM_API void pmem_deep_flush(const void *addr, size_t len)
{
	pmemc_flush_range(addr, len, true);
}

PMEM_API void pmem_drain(void)
{
	pmemc_fallback_drain();
}

/* A part inside a mapping: libdaxdev's flush, which ends with that
 * device's own drain. */
PMEM_API void pmem_persist(const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr, end = range_end(addr, len);
	bool fence = !addr || !len;
	struct pmemc_part p;

	for (; addr && a < end; a = p.end) {
		pmemc_part_at(a, end, &p);
		if (p.m) {
			daxdev_flush(p.m->dev, (void *)p.start, p.end - p.start);
		} else {
			pmemc_fallback_flush((void *)p.start, p.end - p.start, false);
			fence = true;
		}
	}
	if (fence)
		pmemc_fallback_drain();
}

PMEM_API int pmem_is_pmem(const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr, end = range_end(addr, len);
	int force = pmemc_is_pmem_force();
	struct pmemc_part p;

	if (force >= 0)
		return force;
	if (!addr || !len)
		return 0;
	for (; a < end; a = p.end) {
		pmemc_part_at(a, end, &p);
		if (!p.m || !p.m->is_pmem)
			return 0;
	}
	return 1;
}

/* msync on the pages of the range, as libpmem does; before it, the CPU
 * write-back of parts whose device needs one (msync does nothing for a
 * device-dax). */
PMEM_API int pmem_msync(const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr, end = range_end(addr, len);
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), start = a & ~(page - 1);
	struct pmemc_part p;

	for (; addr && a < end; a = p.end) {
		pmemc_part_at(a, end, &p);
		if (p.m && p.m->mode == PMEMC_CPU) {
			p.m->flush((void *)p.start, p.end - p.start);
			pmemc_fallback_drain();
		}
	}
	if (msync((void *)start, end - start, MS_SYNC)) {
		pmemc_err(errno, "pmem_msync: [%p, +%zu): %s", addr, len, strerror(errno));
		return -1;
	}
	return 0;
}

/* The region's deep_flush: write-pending queues out to the media.  A region
 * without one has nothing deeper to offer. */
static int region_deep_flush(const char *region)
{
	char path[PATH_MAX];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/sys/bus/nd/devices/%s/deep_flush", daxdev_sysfs_root(),
		 region);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (write(fd, "1", 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

static int deep_drain_part(const struct pmemc_part *p)
{
	void *addr = (void *)p->start;
	size_t n = p->end - p->start;
	int rc;

	if (!p->m)
		return pmem_msync(addr, n) ? -errno : 0;
	if (p->m->mode == PMEMC_SYNC)
		return daxdev_flush(p->m->dev, addr, n);
	if (!p->m->region[0])
		return 0;
	rc = region_deep_flush(p->m->region);
	if (rc)
		pmemc_err(-rc, "pmem_deep_drain: %s/deep_flush: %s", p->m->region, strerror(-rc));
	return rc;
}

PMEM_API int pmem_deep_drain(const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr, end = range_end(addr, len);
	struct pmemc_part p;
	int rc = 0;

	if (!len)
		return 0;
	pmemc_fallback_drain();
	for (; !rc && a < end; a = p.end) {
		pmemc_part_at(a, end, &p);
		rc = deep_drain_part(&p);
	}
	if (rc) {
		errno = -rc;
		return -1;
	}
	return 0;
}

PMEM_API int pmem_deep_persist(const void *addr, size_t len)
{
	pmem_deep_flush(addr, len);
	return pmem_deep_drain(addr, len);
}

PMEM_API int pmem_has_auto_flush(void)
{
	int rc = pmemc_auto_flush();

	if (rc < 0) {
		pmemc_err(-rc, "pmem_has_auto_flush: %s/sys/bus/nd/devices: %s",
			  daxdev_sysfs_root(), strerror(-rc));
		return -1;
	}
	return rc;
}

/* x86-64 has no separate drain instruction for persistent memory. */
PMEM_API int pmem_has_hw_drain(void)
{
	return 0;
}
