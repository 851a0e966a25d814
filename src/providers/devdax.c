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
 *
 * A probe (daxdev_probe) runs the same lookup and makes the device from the
 * same parameters, only without the mapping: it needs no access to the node.
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
#include "mapping.h"
#include "filelock.h"
#include "nvdimm_sysfs.h"

/* Mappings larger than a 47-bit user address space cannot exist. */
#define DEVDAX_MAX_LEN (UINT64_C(1) << 47)
/* Bad ranges listed one per line in the details; the rest are counted. */
#define DEVDAX_DESCRIBE_BAD_MAX 8

struct devdax_mem {
	void *addr;
	size_t len;
	int lock_fd;              /* for daxdev_lock (filelock.h), or -1 */
	struct provider_mapping map;
	struct nvdimm_devdax dax; /* sysfs view, bad ranges */
};

static const struct daxdev_operations devdax_ops, devdax_probe_ops;

/* The device's memory, whichever of the two tables it was made with. */
static struct devdax_mem *devdax_of(struct daxdev *dev)
{
	struct devdax_mem *m = daxdev_private(dev, &devdax_ops);

	return m ? m : daxdev_private(dev, &devdax_probe_ops);
}

static long devdax_direct_access(struct daxdev *dev, uint64_t pgoff, long nr_pages,
				 void **addr)
{
	struct devdax_mem *m = daxdev_private(dev, &devdax_ops);
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
	struct devdax_mem *m = devdax_of(dev);
	int pos = 0;

	if (!m->addr)
		daxdev_describe_printf(buf, len, &pos, "mapping: none (probe)\n");
	else if (m->map.map_sync)
		daxdev_describe_printf(buf, len, &pos, "mapping: MAP_SHARED_VALIDATE|MAP_SYNC\n");
	else
		daxdev_describe_printf(buf, len, &pos, "mapping: MAP_SHARED (%s)\n", m->map.note);
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

/* The region's bad blocks that fall in this device, in offset order. */
static int devdax_badblock_next(struct daxdev *dev, uint64_t from, struct daxdev_badblock *bb)
{
	struct devdax_mem *m = devdax_of(dev);
	const struct nvdimm_badblocks *bad = &m->dax.bad;

	if (bad->unlocated)
		return daxdev_err(-EACCES, "%s: %s", m->dax.name, bad->source);
	for (size_t i = 0; i < bad->count; i++) {
		if (bad->ranges[i].offset + bad->ranges[i].length <= from)
			continue;
		bb->offset = bad->ranges[i].offset;
		bb->length = bad->ranges[i].length;
		bb->error = -EIO;
		bb->flags = DAXDEV_BADBLOCK_PLATFORM;
		return 0;
	}
	return -ENODATA;
}

/* Device-dax has no write path through the kernel that clears poison, and
 * clearing through the nvdimm bus is root's (ndctl). */
static int devdax_badblock_clear(struct daxdev *dev, uint64_t offset, uint64_t len)
{
	struct devdax_mem *m = devdax_of(dev);

	return daxdev_err(-EOPNOTSUPP, "%s: bad blocks of a device-dax cannot be cleared from "
			  "userspace; as root, 'ndctl clear-errors' on its namespace (%s) clears "
			  "[%llu, +%llu) and the rest", m->dax.name,
			  m->dax.persist.has_region ? m->dax.persist.region : "no region",
			  (unsigned long long)offset, (unsigned long long)len);
}

static void devdax_free(struct devdax_mem *m)
{
	filelock_close(m->lock_fd);
	nvdimm_devdax_clear(&m->dax);
	free(m);
}

static void devdax_release(struct daxdev *dev)
{
	struct devdax_mem *m = devdax_of(dev);

	if (m->addr)
		munmap(m->addr, m->len);
	devdax_free(m);
}

static int devdax_lock(struct daxdev *dev, unsigned flags)
{
	struct devdax_mem *m = devdax_of(dev);

	return filelock_lock(m->lock_fd, m->dax.name, flags);
}

static void devdax_unlock(struct daxdev *dev)
{
	filelock_unlock(devdax_of(dev)->lock_fd);
}

static const struct daxdev_operations devdax_ops = {
	.sz = sizeof(struct daxdev_operations),
	.direct_access = devdax_direct_access,
	.describe = devdax_describe,
	.release = devdax_release,
	.badblock_next = devdax_badblock_next,
	.badblock_clear = devdax_badblock_clear,
	.lock = devdax_lock,
	.unlock = devdax_unlock,
};

/* A probe maps nothing, but knows the region's bad blocks. */
static const struct daxdev_operations devdax_probe_ops = {
	.sz = sizeof(struct daxdev_operations),
	.direct_access = provider_probe_direct_access,
	.describe = devdax_describe,
	.release = devdax_release,
	.badblock_next = devdax_badblock_next,
};

/* Map fd at an address that is a multiple of align: reserve len + align of
 * address space, map the device over the aligned spot, give back the rest. */
static int devdax_map_aligned(struct devdax_mem *m, int fd, const char *name, bool readonly)
{
	size_t align = (size_t)m->dax.align, reserve_len = m->len + align;
	char *reserve, *aligned;
	int rc;

	reserve = mmap(NULL, reserve_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (reserve == MAP_FAILED)
		return daxdev_err(-errno, "%s: cannot reserve %zu bytes of address space: %s", name,
				  reserve_len, strerror(errno));
	aligned = (char *)(((uintptr_t)reserve + align - 1) & ~((uintptr_t)align - 1));
	rc = provider_map_shared(name, fd, aligned, m->len, readonly, &m->map);
	if (rc) {
		munmap(reserve, reserve_len);
		return rc;
	}
	if (aligned > reserve)
		munmap(reserve, (size_t)(aligned - reserve));
	if (reserve + reserve_len > aligned + m->len)
		munmap(aligned + m->len, (size_t)(reserve + reserve_len - (aligned + m->len)));
	m->addr = aligned;
	return 0;
}

/* The mapped length: the whole device, a multiple of its alignment. */
static int devdax_length(struct devdax_mem *m, const char *name, uint64_t want)
{
	uint64_t align = m->dax.align, len = m->dax.size & ~(align - 1);
	long page = sysconf(_SC_PAGESIZE);

	if (align < (uint64_t)page || (align & (align - 1)))
		return daxdev_err(-EINVAL, "%s: alignment %llu (from %s) is not a power of two "
				  ">= the page size", name, (unsigned long long)align,
				  m->dax.align_source);
	if (len == 0)
		return daxdev_err(-ENODEV, "%s: %s has size %llu: no capacity assigned to it",
				  name, m->dax.name, (unsigned long long)m->dax.size);
	if (len > DEVDAX_MAX_LEN)
		return daxdev_err(-ENOMEM, "%s: %llu bytes do not fit in the address space",
				  name, (unsigned long long)len);
	if (len != m->dax.size)
		daxdev_log(DAXDEV_LOG_WARNING, "%s: size %llu is not a multiple of %llu, using %llu",
			   m->dax.name, (unsigned long long)m->dax.size,
			   (unsigned long long)align, (unsigned long long)len);
	if (want > len)
		return daxdev_err(-ENOSPC, "%s: %s has %llu bytes, less than the %llu requested",
				  name, m->dax.name, (unsigned long long)len,
				  (unsigned long long)want);
	m->len = (size_t)len;
	return 0;
}

/* The caller's descriptor, or the path opened with the access asked for. */
static int devdax_fd(const struct daxdev_open_args *args, bool readonly)
{
	int fd;

	if (args->fd >= 0)
		return args->fd;
	fd = open(args->target, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return daxdev_err(-errno, "%s: cannot open for %s: %s", args->target,
				  readonly ? "reading" : "reading and writing", strerror(errno));
	return fd;
}

static int devdax_map(struct devdax_mem *m, const struct daxdev_open_args *args,
		      const char *name, bool readonly)
{
	int fd = devdax_fd(args, readonly), rc;

	if (fd < 0)
		return fd;
	rc = devdax_map_aligned(m, fd, name, readonly);
	if (rc) {
		if (fd != args->fd)
			close(fd);
		return rc;
	}
	m->lock_fd = filelock_keep(fd, args->fd);
	daxdev_log(DAXDEV_LOG_INFO, "%s: %zu bytes at %p, align %llu, %s; %s", m->dax.name,
		   m->len, m->addr, (unsigned long long)m->dax.align,
		   m->map.map_sync ? "MAP_SYNC" : m->map.note, m->dax.persist.reason);
	return 0;
}

/* The one description of the device, mapped (open) or not (probe). */
static int devdax_create(struct devdax_mem *m, const struct daxdev_open_args *args,
			 bool readonly, const struct daxdev_operations *ops, struct daxdev **devp)
{
	struct daxdev_params params = {
		.sz = sizeof(params),
		.provider = "devdax",
		.host = m->dax.name,
		.size = m->len,
		.align = m->dax.align,
		.base = m->addr,
		.persistence = m->dax.persist.persistence,
		.persistence_reason = m->dax.persist.reason,
		.write_cache = m->dax.persist.write_cache,
		.flat_mapping = m->addr && m->dax.bad.count == 0,
		.unshared = !m->addr, /* a probe is never registered */
		.readonly = readonly,
		.region = m->dax.persist.region,
		.bus = m->dax.persist.bus,
		.node_known = true,
		.numa_node = m->dax.nodes.numa_node,
		.target_node = m->dax.nodes.target_node,
		.opts = args->opts,
	};

	return daxdev_alloc(ops, &params, m, devp);
}

/* What the target is: the path, the caller's descriptor, or (probes) the
 * device number alone. */
static int devdax_stat(const struct daxdev_open_args *args, struct stat *st, char *name,
		       size_t len)
{
	int rc;

	if (args->node) {
		*st = *args->node;
		snprintf(name, len, "char %u:%u", major(st->st_rdev), minor(st->st_rdev));
		return 0;
	}
	if (args->fd >= 0) {
		snprintf(name, len, "fd %d", args->fd);
		rc = fstat(args->fd, st);
	} else {
		snprintf(name, len, "%s", args->target);
		rc = stat(args->target, st);
	}
	if (rc < 0)
		return daxdev_err(-errno, "%s: %s", name, strerror(errno));
	if (!S_ISCHR(st->st_mode))
		return daxdev_err(-ENODEV, "%s is not a character device, not a device-dax", name);
	return 0;
}

/* Everything the open decides before mapping: the sysfs view and the length
 * to map.  A probe stops here. */
static int devdax_decide(const struct daxdev_open_args *args, char *name, size_t len,
			 struct devdax_mem **mp)
{
	struct devdax_mem *m;
	struct stat st;
	int rc;

	rc = devdax_stat(args, &st, name, len);
	if (rc)
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m)
		return daxdev_err(-ENOMEM, "%s: out of memory", name);
	m->lock_fd = -1;
	rc = nvdimm_devdax_lookup(name, st.st_rdev, &m->dax);
	if (!rc)
		rc = devdax_length(m, name, args->opts->size);
	if (rc) {
		devdax_free(m);
		return rc;
	}
	*mp = m;
	return 0;
}

static int devdax_open(const struct daxdev_open_args *args, struct daxdev **devp)
{
	bool readonly = args->opts->flags & DAXDEV_OPEN_READONLY;
	struct devdax_mem *m;
	char name[4096];
	int rc;

	rc = devdax_decide(args, name, sizeof(name), &m);
	if (rc)
		return rc;
	rc = devdax_map(m, args, name, readonly);
	if (rc)
		goto err_free;
	rc = devdax_create(m, args, readonly, &devdax_ops, devp);
	if (rc)
		goto err_unmap;
	return 0;

err_unmap:
	munmap(m->addr, m->len);
err_free:
	devdax_free(m);
	return rc;
}

static int devdax_probe(const struct daxdev_open_args *args, struct daxdev **devp)
{
	struct devdax_mem *m;
	char name[4096];
	int rc;

	rc = devdax_decide(args, name, sizeof(name), &m);
	if (rc)
		return rc;
	rc = devdax_create(m, args, false, &devdax_probe_ops, devp);
	if (rc)
		devdax_free(m);
	return rc;
}

static bool devdax_takes(const struct stat *st)
{
	return S_ISCHR(st->st_mode);
}

/* The dax device's sysfs name, found from the device number alone. */
static int devdax_host(const struct daxdev_open_args *args, char *buf, size_t len)
{
	struct nvdimm_devdax *dax = calloc(1, sizeof(*dax));
	char name[4096];
	struct stat st;
	int rc;

	if (!dax)
		return daxdev_err(-ENOMEM, "daxdev_open: out of memory");
	rc = devdax_stat(args, &st, name, sizeof(name));
	if (!rc)
		rc = nvdimm_devdax_identify(name, st.st_rdev, dax);
	if (!rc)
		snprintf(buf, len, "%s", dax->name);
	free(dax);
	return rc;
}

DAXDEV_PROVIDER_ENTRY const struct daxdev_provider daxdev_provider_devdax = {
	.name = "devdax",
	.takes = devdax_takes,
	.host = devdax_host,
	.open = devdax_open,
	.probe = devdax_probe,
};
