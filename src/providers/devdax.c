/* SPDX-License-Identifier: MIT */
/*
 * Device-dax provider: /dev/daxX.Y, a character device that maps persistent
 * (or, for hmem/CXL, ordinary) memory with no filesystem or page cache.
 *
 * The device only accepts mappings whose address and length are multiples of
 * its alignment (4 KiB, 2 MiB or 1 GiB), so the whole device is mapped once at
 * such an address.  Whether stores must be flushed comes from the nvdimm
 * region above the device (nvdimm_sysfs.c); the core overrides it only on the
 * user's request.  Known bad blocks make direct_access fail with -EIO.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "providers.h"
#include "nvdimm_sysfs.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

/* Mappings larger than a 47-bit user address space cannot exist. */
#define DEVDAX_MAX_LEN (UINT64_C(1) << 47)
/* Bad ranges listed one per line in the details; the rest are counted. */
#define DEVDAX_DESCRIBE_BAD_MAX 8

struct devdax_mem {
	void *addr;
	size_t len;
	bool map_sync;
	char map_note[96];        /* why MAP_SYNC was not used */
	struct nvdimm_devdax dax; /* sysfs view, bad ranges */
};

static long devdax_direct_access(struct daxdev *dev, uint64_t pgoff, long nr_pages,
				 void **addr)
{
	struct devdax_mem *m = daxdev_private(dev);
	uint64_t align = m->dax.align, pages = m->len / align, first_bad;
	const struct nvdimm_bad_range *bad;
	uint64_t n;

	if (pgoff >= pages)
		return -ERANGE;
	n = (uint64_t)nr_pages > pages - pgoff ? pages - pgoff : (uint64_t)nr_pages;
	bad = nvdimm_badblocks_first(&m->dax.bad, pgoff * align, n * align);
	if (bad) {
		first_bad = bad->offset / align;
		if (first_bad <= pgoff)
			return daxdev_err(-EIO, "%s: page %llu overlaps bad range at byte %llu (+%llu)",
					  m->dax.name, (unsigned long long)pgoff,
					  (unsigned long long)bad->offset,
					  (unsigned long long)bad->length);
		n = first_bad - pgoff; /* the good pages before it */
	}
	*addr = (char *)m->addr + pgoff * align;
	return (long)n;
}

static void describe_badblocks(const struct devdax_mem *m, char *buf, size_t len, int *pos)
{
	const struct nvdimm_badblocks *bad = &m->dax.bad;

	daxdev_describe_printf(buf, len, pos, "badblocks: %s\n", bad->source);
	for (size_t i = 0; i < bad->count && i < DEVDAX_DESCRIBE_BAD_MAX; i++)
		daxdev_describe_printf(buf, len, pos, "bad range: offset %llu length %llu\n",
				       (unsigned long long)bad->ranges[i].offset,
				       (unsigned long long)bad->ranges[i].length);
	if (bad->count > DEVDAX_DESCRIBE_BAD_MAX)
		daxdev_describe_printf(buf, len, pos, "bad range: ... %zu more\n",
				       bad->count - DEVDAX_DESCRIBE_BAD_MAX);
}

static int devdax_describe(struct daxdev *dev, char *buf, size_t len)
{
	struct devdax_mem *m = daxdev_private(dev);
	int pos = 0;

	if (m->map_sync)
		daxdev_describe_printf(buf, len, &pos, "mapping: MAP_SHARED_VALIDATE|MAP_SYNC\n");
	else
		daxdev_describe_printf(buf, len, &pos, "mapping: MAP_SHARED (%s)\n", m->map_note);
	daxdev_describe_printf(buf, len, &pos, "sysfs: %s\n", m->dax.dir);
	daxdev_describe_printf(buf, len, &pos, "align: %llu from %s\n", (unsigned long long)m->dax.align,
			       m->dax.align_source);
	if (m->dax.size != m->len)
		daxdev_describe_printf(buf, len, &pos,
				       "size: sysfs says %llu, mapped %zu (a multiple of align)\n",
				       (unsigned long long)m->dax.size, m->len);
	daxdev_describe_printf(buf, len, &pos, "region: %s\n", m->dax.persist.has_region ?
			       m->dax.persist.region : "none (not nvdimm memory)");
	if (m->dax.persist.has_region)
		describe_badblocks(m, buf, len, &pos);
	return pos;
}

static void devdax_release(struct daxdev *dev)
{
	struct devdax_mem *m = daxdev_private(dev);

	munmap(m->addr, m->len);
	nvdimm_devdax_clear(&m->dax);
	free(m);
}

static const struct daxdev_operations devdax_ops = {
	.direct_access = devdax_direct_access,
	.describe = devdax_describe,
	.release = devdax_release,
};

/* Map fd at an address that is a multiple of align: reserve len + align of
 * address space, map the device over the aligned spot, give back the rest. */
static int devdax_map_aligned(struct devdax_mem *m, int fd, const char *path)
{
	size_t align = (size_t)m->dax.align, reserve_len = m->len + align;
	int prot = PROT_READ | PROT_WRITE;
	char *reserve, *aligned, *addr;

	reserve = mmap(NULL, reserve_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (reserve == MAP_FAILED)
		return daxdev_err(-errno, "%s: cannot reserve %zu bytes of address space: %s", path,
				  reserve_len, strerror(errno));
	aligned = (char *)(((uintptr_t)reserve + align - 1) & ~((uintptr_t)align - 1));
	addr = mmap(aligned, m->len, prot, MAP_SHARED_VALIDATE | MAP_SYNC | MAP_FIXED, fd, 0);
	m->map_sync = addr != MAP_FAILED;
	if (!m->map_sync && (errno == EOPNOTSUPP || errno == EINVAL)) {
		snprintf(m->map_note, sizeof(m->map_note), "MAP_SYNC refused: %s", strerror(errno));
		addr = mmap(aligned, m->len, prot, MAP_SHARED | MAP_FIXED, fd, 0);
	}
	if (addr == MAP_FAILED) {
		int err = errno;
		munmap(reserve, reserve_len);
		return daxdev_err(-err, "%s: cannot map %zu bytes at %zu alignment: %s", path,
				  m->len, align, strerror(err));
	}
	if (aligned > reserve)
		munmap(reserve, (size_t)(aligned - reserve));
	if (reserve + reserve_len > aligned + m->len)
		munmap(aligned + m->len, (size_t)(reserve + reserve_len - (aligned + m->len)));
	m->addr = aligned;
	return 0;
}

/* The mapped length: the whole device, a multiple of its alignment. */
static int devdax_length(struct devdax_mem *m, const struct daxdev_open_args *args)
{
	uint64_t align = m->dax.align, len = m->dax.size & ~(align - 1);
	long page = sysconf(_SC_PAGESIZE);

	if (align < (uint64_t)page || (align & (align - 1)))
		return daxdev_err(-EINVAL, "%s: alignment %llu (from %s) is not a power of two "
				  ">= the page size", args->target, (unsigned long long)align,
				  m->dax.align_source);
	if (len == 0)
		return daxdev_err(-ENODEV, "%s: %s has size %llu: no capacity assigned to it",
				  args->target, m->dax.name, (unsigned long long)m->dax.size);
	if (len > DEVDAX_MAX_LEN)
		return daxdev_err(-ENOMEM, "%s: %llu bytes do not fit in the address space",
				  args->target, (unsigned long long)len);
	if (len != m->dax.size)
		daxdev_log(DAXDEV_LOG_WARNING, "%s: size %llu is not a multiple of %llu, using %llu",
			   m->dax.name, (unsigned long long)m->dax.size,
			   (unsigned long long)align, (unsigned long long)len);
	if (args->size > len)
		return daxdev_err(-ENOSPC, "%s: %s has %llu bytes, less than the %llu requested",
				  args->target, m->dax.name, (unsigned long long)len,
				  (unsigned long long)args->size);
	m->len = (size_t)len;
	return 0;
}

static int devdax_map(struct devdax_mem *m, const struct daxdev_open_args *args)
{
	int fd, rc;

	fd = open(args->target, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return daxdev_err(-errno, "%s: cannot open for reading and writing: %s",
				  args->target, strerror(errno));
	rc = devdax_map_aligned(m, fd, args->target);
	close(fd); /* the mapping keeps the device open */
	if (rc)
		return rc;
	daxdev_log(DAXDEV_LOG_INFO, "%s: %zu bytes at %p, align %llu, %s; %s", m->dax.name,
		   m->len, m->addr, (unsigned long long)m->dax.align,
		   m->map_sync ? "MAP_SYNC" : m->map_note, m->dax.persist.reason);
	return 0;
}

static int devdax_create(struct devdax_mem *m, struct daxdev **devp)
{
	struct daxdev_params params = {
		.provider = "devdax",
		.host = m->dax.name,
		.size = m->len,
		.align = m->dax.align,
		.base = m->addr,
		.persistence = m->dax.persist.persistence,
		.persistence_reason = m->dax.persist.reason,
		.write_cache = m->dax.persist.write_cache,
		.flat_mapping = m->dax.bad.count == 0,
	};

	return daxdev_alloc(&devdax_ops, &params, m, devp);
}

DAXDEV_PROVIDER_ENTRY int daxdev_devdax_open(const struct daxdev_open_args *args,
					     struct daxdev **devp)
{
	struct devdax_mem *m;
	struct stat st;
	int rc;

	if (stat(args->target, &st) < 0)
		return daxdev_err(-errno, "%s: %s", args->target, strerror(errno));
	if (!S_ISCHR(st.st_mode))
		return daxdev_err(-ENODEV, "%s is not a character device, not a device-dax",
				  args->target);
	m = calloc(1, sizeof(*m));
	if (!m)
		return daxdev_err(-ENOMEM, "%s: out of memory", args->target);
	rc = nvdimm_devdax_lookup(args->target, st.st_rdev, &m->dax);
	if (rc)
		goto err_clear;
	rc = devdax_length(m, args);
	if (rc)
		goto err_clear;
	rc = devdax_map(m, args);
	if (rc)
		goto err_clear;
	rc = devdax_create(m, devp);
	if (rc)
		goto err_unmap;
	return 0;

err_unmap:
	munmap(m->addr, m->len);
err_clear:
	nvdimm_devdax_clear(&m->dax);
	free(m);
	return rc;
}
