/* SPDX-License-Identifier: MIT */
/*
 * Reading the nvdimm part of sysfs for the devdax and fsdax providers.
 *
 * The kernel's rule for pmem is: stores must be written back from the CPU
 * cache unless the region's persistence domain includes the CPU cache
 * (persistence_domain = cpu_cache); a block device shows the result in
 * dax/write_cache.  Device-dax has no such file, so its answer comes from the
 * region directly.  Every decision is per device: the region above this
 * device, never a machine-wide setting.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "nvdimm_sysfs.h"

/* sysfs attributes are at most one page; badblocks is the longest we read. */
#define SYSFS_ATTR_MAX 4096
#define SECTOR_SIZE 512u
#define MAX_DAX_MAPPINGS 64

NVDIMM_HIDDEN int nvdimm_sysfs_path(char *buf, size_t len, const char *fmt, ...)
{
	const char *root = daxdev_sysfs_root();
	size_t n = strlen(root);
	va_list ap;
	int m;

	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, root, n);
	va_start(ap, fmt);
	m = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= len - n)
		return -ENAMETOOLONG;
	return 0;
}

static int join(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

NVDIMM_HIDDEN int nvdimm_sysfs_read(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, rc = join(path, sizeof(path), dir, attr);

	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc)
		return rc;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

NVDIMM_HIDDEN int nvdimm_sysfs_read_u64(const char *dir, const char *attr, uint64_t *value)
{
	char text[64], *end;
	unsigned long long v;
	int rc = nvdimm_sysfs_read(dir, attr, text, sizeof(text));

	if (rc)
		return rc;
	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno || end == text || *end)
		return -EINVAL;
	*value = v;
	return 0;
}

static const char *last_part(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Copy a sysfs name, cut to fit (names are short; the cut never happens). */
static void copy_name(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

NVDIMM_HIDDEN int nvdimm_sysfs_subsystem(const char *dir, char *name, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	int rc = join(path, sizeof(path), dir, "subsystem");

	if (rc)
		return rc;
	/* readlink, not realpath: only the link text matters, and in a copied
	 * tree the bus or class it names is usually not there. */
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (snprintf(name, len, "%s", last_part(target)) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

/* dir + "/" + rel with "." and ".." taken out as text: right in sysfs,
 * where the only links on the way are the one being followed (below
 * <root>/sys every directory is a real one).  One readlink instead of the
 * one per component realpath() makes (measured: 13 of them, ~19 us, for a
 * disk on ext4). */
static int join_relative(char *out, size_t len, const char *dir, const char *rel)
{
	size_t n;

	if (snprintf(out, len, "%s", dir) >= (int)len)
		return -ENAMETOOLONG;
	while (*rel) {
		size_t part = strcspn(rel, "/");

		if (part == 2 && !strncmp(rel, "..", 2)) {
			char *slash = strrchr(out, '/');
			if (!slash)
				return -EINVAL;
			*slash = '\0';
		} else if (part && !(part == 1 && rel[0] == '.')) {
			n = strlen(out);
			if (n + 1 + part >= len)
				return -ENAMETOOLONG;
			out[n] = '/';
			memcpy(out + n + 1, rel, part);
			out[n + 1 + part] = '\0';
		}
		rel += part + (rel[part] == '/');
	}
	return 0;
}

NVDIMM_HIDDEN int nvdimm_sysfs_dev_dir(bool block, dev_t dev, char *dir, size_t len)
{
	char path[PATH_MAX], node[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	int rc = nvdimm_sysfs_path(path, sizeof(path), "/sys/dev/%s",
				   block ? "block" : "char");

	if (rc)
		return rc;
	rc = nvdimm_sysfs_path(node, sizeof(node), "/sys/dev/%s/%u:%u",
			       block ? "block" : "char", major(dev), minor(dev));
	if (rc)
		return rc;
	n = readlink(node, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	if (link[0] == '/')   /* not how sysfs links, but then take it whole */
		return realpath(link, dir) ? 0 : -errno;
	return join_relative(dir, len, path, link);
}

/* An nd region's directory name: the kernel names them regionN. */
static bool region_name(const char *name)
{
	if (strncmp(name, "region", 6) || !name[6])
		return false;
	for (name += 6; *name; name++)
		if (*name < '0' || *name > '9')
			return false;
	return true;
}

/* Find the nd region (devtype nd_pmem or nd_volatile) at or above dev_dir:
 * only directories named regionN are asked (a CXL region is one too, of
 * devtype cxl_region; the walk goes on above it). */
static bool find_region(const char *dev_dir, char *region_dir, char *devtype, size_t devtype_len)
{
	char top[PATH_MAX], dir[PATH_MAX];
	size_t top_len;
	char *slash;

	if (nvdimm_sysfs_path(top, sizeof(top), "/sys") ||
	    snprintf(dir, sizeof(dir), "%s", dev_dir) >= (int)sizeof(dir))
		return false;
	top_len = strlen(top);
	while (strlen(dir) > top_len && !strncmp(dir, top, top_len)) {
		if (region_name(last_part(dir)) &&
		    !nvdimm_sysfs_read(dir, "devtype", devtype, devtype_len) &&
		    (!strcmp(devtype, "nd_pmem") || !strcmp(devtype, "nd_volatile"))) {
			memcpy(region_dir, dir, strlen(dir) + 1);
			return true;
		}
		slash = strrchr(dir, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	return false;
}

static void set_decision(struct nvdimm_persistence *p, enum daxdev_persistence persistence,
			 bool write_cache, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_decision(struct nvdimm_persistence *p, enum daxdev_persistence persistence,
			 bool write_cache, const char *fmt, ...)
{
	va_list ap;

	p->persistence = persistence;
	p->write_cache = write_cache;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
}

/* nd_pmem: the persistence domain says whether the CPU cache is covered. */
static void pmem_region_decision(struct nvdimm_persistence *p)
{
	char domain[64];
	int rc = nvdimm_sysfs_read(p->region_dir, "persistence_domain", domain, sizeof(domain));

	if (rc)
		set_decision(p, DAXDEV_PERSISTENCE_PERSISTENT, true,
			     "%s: no persistence_domain, CPU caches must be flushed", p->region);
	else if (!strcmp(domain, "cpu_cache"))
		set_decision(p, DAXDEV_PERSISTENCE_PERSISTENT, false,
			     "%s/persistence_domain=cpu_cache", p->region);
	else if (!strcmp(domain, "memory_controller"))
		set_decision(p, DAXDEV_PERSISTENCE_PERSISTENT, true,
			     "%s/persistence_domain=memory_controller", p->region);
	else if (!domain[0])
		set_decision(p, DAXDEV_PERSISTENCE_PERSISTENT, true,
			     "%s/persistence_domain is empty, CPU caches must be flushed", p->region);
	else
		set_decision(p, DAXDEV_PERSISTENCE_PERSISTENT, true,
			     "%s/persistence_domain=%.32s (not known here), flushing", p->region, domain);
}

/* The region's bus (its parent directory, ndbusN) names its provider. */
static void region_bus(struct nvdimm_persistence *p)
{
	char bus_dir[PATH_MAX];
	char *slash;

	snprintf(bus_dir, sizeof(bus_dir), "%s", p->region_dir);
	slash = strrchr(bus_dir, '/');
	if (slash)
		*slash = '\0';
	if (nvdimm_sysfs_read(bus_dir, "provider", p->bus, sizeof(p->bus)))
		p->bus[0] = '\0';
}

static int read_node(const char *dir, const char *attr)
{
	char text[32], *end;
	long v;

	if (nvdimm_sysfs_read(dir, attr, text, sizeof(text)))
		return -1;
	v = strtol(text, &end, 10);
	return end == text || *end || v < -1 || v > 1 << 20 ? -1 : (int)v;
}

NVDIMM_HIDDEN void nvdimm_read_nodes(struct nvdimm_nodes *nodes, const char *const *dirs)
{
	nodes->numa_node = nodes->target_node = -1;
	for (; *dirs; dirs++) {
		if (!(*dirs)[0])
			continue;
		if (nodes->numa_node < 0)
			nodes->numa_node = read_node(*dirs, "numa_node");
		if (nodes->target_node < 0)
			nodes->target_node = read_node(*dirs, "target_node");
	}
}

NVDIMM_HIDDEN void nvdimm_region_persistence(const char *dev_dir, struct nvdimm_persistence *p)
{
	char devtype[32];

	memset(p, 0, sizeof(*p));
	if (!find_region(dev_dir, p->region_dir, devtype, sizeof(devtype))) {
		set_decision(p, DAXDEV_PERSISTENCE_UNKNOWN, true, "%.64s: no nvdimm region above it",
			     last_part(dev_dir));
		return;
	}
	p->has_region = true;
	copy_name(p->region, sizeof(p->region), last_part(p->region_dir));
	region_bus(p);
	if (!strcmp(devtype, "nd_volatile")) {
		p->volatile_region = true;
		set_decision(p, DAXDEV_PERSISTENCE_VOLATILE, false, "%s is nd_volatile", p->region);
		return;
	}
	pmem_region_decision(p);
}

NVDIMM_HIDDEN int nvdimm_parse_badblocks(const char *text, struct nvdimm_bad_range **ranges)
{
	struct nvdimm_bad_range *r = NULL, *grown;
	unsigned long long sector, count;
	size_t n = 0, cap = 0;
	int used;

	while (sscanf(text, " %llu %llu%n", &sector, &count, &used) == 2) {
		text += used;
		if (sector > UINT64_MAX / SECTOR_SIZE || count > UINT64_MAX / SECTOR_SIZE)
			goto err_free;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			grown = realloc(r, cap * sizeof(*r));
			if (!grown) {
				free(r);
				return -ENOMEM;
			}
			r = grown;
		}
		r[n].offset = sector * SECTOR_SIZE;
		r[n++].length = count * SECTOR_SIZE;
	}
	while (*text == ' ' || *text == '\n')
		text++;
	if (*text)
		goto err_free;
	*ranges = r;
	return (int)n;

err_free:
	free(r);
	return -EINVAL;
}

NVDIMM_HIDDEN const struct nvdimm_bad_range *
nvdimm_badblocks_first(const struct nvdimm_badblocks *bad, uint64_t offset, uint64_t len)
{
	for (size_t i = 0; i < bad->count; i++) {
		const struct nvdimm_bad_range *r = &bad->ranges[i];
		if (r->offset < offset + len && r->offset + r->length > offset)
			return r;
	}
	return NULL;
}

/* One physical range of a device-dax: [start, end] at device byte dev_offset. */
struct dax_mapping {
	uint64_t start, end, dev_offset;
};

/* Kernels since 5.10 list mappingN/{start,end,page_offset}; older ones had a
 * single 'resource'.  Both are readable by root only. */
static int dax_mappings(const struct nvdimm_devdax *dax, struct dax_mapping *m, size_t max)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), pgoff;
	char name[32];
	size_t n;

	for (n = 0; n < max; n++) {
		char attr[48];
		snprintf(name, sizeof(name), "mapping%zu", n);
		snprintf(attr, sizeof(attr), "%s/start", name);
		if (nvdimm_sysfs_read_u64(dax->dir, attr, &m[n].start))
			break;
		snprintf(attr, sizeof(attr), "%s/end", name);
		if (nvdimm_sysfs_read_u64(dax->dir, attr, &m[n].end))
			return -EACCES;
		snprintf(attr, sizeof(attr), "%s/page_offset", name);
		if (nvdimm_sysfs_read_u64(dax->dir, attr, &pgoff))
			return -EACCES;
		m[n].dev_offset = pgoff * page;
	}
	if (n == 0 && !nvdimm_sysfs_read_u64(dax->dir, "resource", &m[0].start)) {
		m[0].end = m[0].start + dax->size - 1;
		m[0].dev_offset = 0;
		n = 1;
	}
	return n ? (int)n : -EACCES;
}

static int add_range(struct nvdimm_badblocks *bad, uint64_t offset, uint64_t length)
{
	struct nvdimm_bad_range *grown = realloc(bad->ranges, (bad->count + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	bad->ranges = grown;
	bad->ranges[bad->count].offset = offset;
	bad->ranges[bad->count++].length = length;
	return 0;
}

static int by_offset(const void *a, const void *b)
{
	const struct nvdimm_bad_range *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Region-relative bad ranges -> device-relative ones, via physical addresses. */
static int locate_badblocks(struct nvdimm_devdax *dax, const struct nvdimm_bad_range *region_bad,
			    size_t n, uint64_t region_start, const struct dax_mapping *m, size_t nm)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t lo = region_start + region_bad[i].offset;
		uint64_t hi = lo + region_bad[i].length; /* exclusive */
		for (size_t j = 0; j < nm; j++) {
			uint64_t a = lo > m[j].start ? lo : m[j].start;
			uint64_t b = hi < m[j].end + 1 ? hi : m[j].end + 1;
			if (a < b && add_range(&dax->bad, m[j].dev_offset + (a - m[j].start), b - a))
				return -ENOMEM;
		}
	}
	/* qsort's array must not be NULL, even for no elements. */
	if (dax->bad.count)
		qsort(dax->bad.ranges, dax->bad.count, sizeof(*dax->bad.ranges), by_offset);
	return 0;
}

static int region_badblocks(const char *region_dir, struct nvdimm_bad_range **ranges)
{
	char text[SYSFS_ATTR_MAX + 1];
	int rc = nvdimm_sysfs_read(region_dir, "badblocks", text, sizeof(text));

	return rc ? rc : nvdimm_parse_badblocks(text, ranges);
}

static int devdax_badblocks(struct nvdimm_devdax *dax)
{
	struct nvdimm_badblocks *bad = &dax->bad;
	const char *region = dax->persist.region;
	struct nvdimm_bad_range *region_bad = NULL;
	struct dax_mapping maps[MAX_DAX_MAPPINGS];
	uint64_t region_start;
	int n, nm, rc = 0;

	n = region_badblocks(dax->persist.region_dir, &region_bad);
	if (n <= 0) {
		snprintf(bad->source, sizeof(bad->source), "%s/badblocks: %s", region,
			 n == 0 ? "none" : strerror(-n));
		return 0;
	}
	bad->region_count = (size_t)n;
	nm = dax_mappings(dax, maps, MAX_DAX_MAPPINGS);
	if (nm < 0 || nvdimm_sysfs_read_u64(dax->persist.region_dir, "resource", &region_start)) {
		bad->unlocated = true;
		snprintf(bad->source, sizeof(bad->source), "%.16s/badblocks: %d ranges, not located "
			 "(needs %.16s/resource and %.16s/mapping*: root only)", region, n, region,
			 dax->name);
		goto out_free;
	}
	rc = locate_badblocks(dax, region_bad, (size_t)n, region_start, maps, (size_t)nm);
	snprintf(bad->source, sizeof(bad->source), "%.16s/badblocks: %d ranges, %zu in %.16s",
		 region, n, bad->count, dax->name);
out_free:
	free(region_bad);
	return rc;
}

/* 'subsystem' names the bus; without it, a bus/dax (or old class/dax) entry
 * for the same name is the evidence. */
static int devdax_subsystem(const char *dir, char *subsystem, size_t len)
{
	char path[PATH_MAX];
	struct stat st;

	if (!nvdimm_sysfs_subsystem(dir, subsystem, len))
		return 0;
	snprintf(subsystem, len, "unknown");
	if (!nvdimm_sysfs_path(path, sizeof(path), "/sys/bus/dax/devices/%s", last_part(dir)) &&
	    !stat(path, &st))
		snprintf(subsystem, len, "dax");
	else if (!nvdimm_sysfs_path(path, sizeof(path), "/sys/class/dax/%s", last_part(dir)) &&
		 !stat(path, &st))
		snprintf(subsystem, len, "dax");
	return 0;
}

NVDIMM_HIDDEN int nvdimm_devdax_identify(const char *path, dev_t rdev, struct nvdimm_devdax *dax)
{
	char subsystem[NVDIMM_NAME_MAX];
	int rc = nvdimm_sysfs_dev_dir(false, rdev, dax->dir, sizeof(dax->dir));

	if (rc)
		return daxdev_err(-ENODEV, "%s is char device %u:%u with no entry in %s/sys/dev/char "
				  "(%s), not a device-dax", path, major(rdev), minor(rdev),
				  daxdev_sysfs_root(), strerror(-rc));
	devdax_subsystem(dax->dir, subsystem, sizeof(subsystem));
	if (strcmp(subsystem, "dax"))
		return daxdev_err(-ENODEV, "%s is char device %u:%u (%s), not a device-dax",
				  path, major(rdev), minor(rdev), subsystem);
	copy_name(dax->name, sizeof(dax->name), last_part(dax->dir));
	return 0;
}

/* Per-device 'align' appeared in 5.10; before, the region's dax_region/align
 * (a directory beside the device) applied to all its devices. */
static void devdax_align(struct nvdimm_devdax *dax)
{
	char parent[PATH_MAX];
	char *slash;

	if (!nvdimm_sysfs_read_u64(dax->dir, "align", &dax->align)) {
		snprintf(dax->align_source, sizeof(dax->align_source), "%s/align", dax->name);
		return;
	}
	snprintf(parent, sizeof(parent), "%s", dax->dir);
	slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	if (!nvdimm_sysfs_read_u64(parent, "dax_region/align", &dax->align)) {
		snprintf(dax->align_source, sizeof(dax->align_source), "dax_region/align (no %s/align)",
			 dax->name);
		return;
	}
	dax->align = (uint64_t)sysconf(_SC_PAGESIZE);
	snprintf(dax->align_source, sizeof(dax->align_source), "page size (no %s/align)", dax->name);
}

NVDIMM_HIDDEN int nvdimm_devdax_lookup(const char *path, dev_t rdev, struct nvdimm_devdax *dax)
{
	int rc;

	memset(dax, 0, sizeof(*dax));
	rc = nvdimm_devdax_identify(path, rdev, dax);
	if (rc)
		return rc;
	rc = nvdimm_sysfs_read_u64(dax->dir, "size", &dax->size);
	if (rc)
		return daxdev_err(rc, "%s: cannot read %s/size: %s", path, dax->dir, strerror(-rc));
	devdax_align(dax);
	nvdimm_region_persistence(dax->dir, &dax->persist);
	nvdimm_read_nodes(&dax->nodes, (const char *const[]){ dax->dir, dax->persist.region_dir,
							     NULL });
	if (!dax->persist.has_region) {
		/* hmem, CXL RAM: ordinary memory handed out through device-dax */
		set_decision(&dax->persist, DAXDEV_PERSISTENCE_VOLATILE, false,
			     "%s: no nvdimm region above it (hmem/CXL memory, not persistent)",
			     dax->name);
		return 0;
	}
	rc = devdax_badblocks(dax);
	if (rc)
		return daxdev_err(rc, "%s: out of memory reading bad blocks", path);
	return 0;
}

NVDIMM_HIDDEN void nvdimm_devdax_clear(struct nvdimm_devdax *dax)
{
	free(dax->bad.ranges);
	dax->bad.ranges = NULL;
	dax->bad.count = 0;
}

static size_t count_lines(const char *dir, const char *attr)
{
	char text[SYSFS_ATTR_MAX + 1];
	size_t n = 0;

	if (nvdimm_sysfs_read(dir, attr, text, sizeof(text)))
		return 0;
	for (const char *s = text; *s; s++)
		n += *s == '\n';
	return text[0] ? n + 1 : 0;
}

/* dax/write_cache is the kernel's own answer for the disk (and follows a
 * root's "echo 0 >"); the region says whether the memory persists at all. */
static void blockdev_decision(struct nvdimm_blockdev *blk)
{
	struct nvdimm_persistence *p = &blk->persist;
	char region_reason[NVDIMM_REASON_MAX];

	if (p->volatile_region)
		return; /* nd_volatile: nothing to flush for */
	snprintf(region_reason, sizeof(region_reason), "%s", p->reason);
	if (blk->write_cache_value < 0)
		set_decision(p, DAXDEV_PERSISTENCE_UNKNOWN, true, "%s: no readable dax/write_cache, "
			     "flushing to be safe", blk->name);
	else if (!p->has_region)
		set_decision(p, DAXDEV_PERSISTENCE_UNKNOWN, blk->write_cache_value == 1,
			     "%s/dax/write_cache=%d, no nvdimm region above it", blk->name,
			     blk->write_cache_value);
	else
		set_decision(p, DAXDEV_PERSISTENCE_PERSISTENT, blk->write_cache_value == 1,
			     "%s/dax/write_cache=%d; %.100s", blk->name, blk->write_cache_value,
			     region_reason);
}

static void blockdev_write_cache(struct nvdimm_blockdev *blk, const char *disk_dir)
{
	uint64_t value;
	int rc;

	blk->write_cache_value = -1;
	if (join(blk->write_cache_path, sizeof(blk->write_cache_path), disk_dir, "dax/write_cache"))
		blk->write_cache_path[0] = '\0';
	rc = nvdimm_sysfs_read_u64(disk_dir, "dax/write_cache", &value);
	if (!rc && value <= 1)
		blk->write_cache_value = (int)value;
	else if (rc == -ENOENT)
		blk->write_cache_path[0] = '\0';   /* none (unreadable ones stay named) */
}

/* A partition's directory sits in its disk's (.../block/pmem1/pmem1p1); a
 * disk's in the block directory (.../block/pmem1).  Told by the path, so a
 * whole disk costs no read of a "partition" file it does not have. */
static bool partition_dir(const char *dir)
{
	const char *end = strrchr(dir, '/'), *start;

	if (!end || end == dir)
		return false;
	for (start = end - 1; start > dir && *start != '/'; start--)
		;
	return strncmp(start + 1, "block/", 6) != 0;
}

/* Step from a partition's directory up to its disk's. */
static void blockdev_partition(struct nvdimm_blockdev *blk, char *dir)
{
	char part[8], *slash;

	if (nvdimm_sysfs_read(dir, "partition", part, sizeof(part)))
		return;
	copy_name(blk->partition, sizeof(blk->partition), last_part(dir));
	if (!nvdimm_sysfs_read_u64(dir, "start", &blk->part_start))
		blk->part_start *= SECTOR_SIZE;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
}

NVDIMM_HIDDEN void nvdimm_blockdev_lookup(dev_t dev, struct nvdimm_blockdev *blk)
{
	char dir[PATH_MAX];

	memset(blk, 0, sizeof(*blk));
	blk->write_cache_value = -1;
	blk->nodes.numa_node = blk->nodes.target_node = -1;
	snprintf(blk->name, sizeof(blk->name), "block device %u:%u", major(dev), minor(dev));
	if (nvdimm_sysfs_dev_dir(true, dev, dir, sizeof(dir))) {
		set_decision(&blk->persist, DAXDEV_PERSISTENCE_UNKNOWN, true,
			     "%s has no sysfs entry, flushing to be safe", blk->name);
		return;
	}
	blk->found = true;
	/* A disk that is no nvdimm memory (the common case: a file on an
	 * ordinary disk) costs the region search by path, and one read. */
	nvdimm_region_persistence(dir, &blk->persist);
	if (blk->persist.has_region &&
	    !nvdimm_sysfs_read_u64(dir, "size", &blk->size) && blk->size <= UINT64_MAX / 512)
		blk->size *= 512; /* sysfs counts 512-byte sectors, whatever the block size */
	else
		blk->size = 0;
	/* a partition's dax attributes live on its disk, the parent dir */
	if (partition_dir(dir))
		blockdev_partition(blk, dir);
	copy_name(blk->name, sizeof(blk->name), last_part(dir));
	snprintf(blk->disk_dir, sizeof(blk->disk_dir), "%s", dir);
	blockdev_write_cache(blk, dir);
	if (blk->persist.has_region) {
		blk->badblocks_count = count_lines(dir, "badblocks");
		nvdimm_read_nodes(&blk->nodes,
				  (const char *const[]){ blk->persist.region_dir, NULL });
	}
	blockdev_decision(blk);
}

NVDIMM_HIDDEN int nvdimm_blockdev_badblocks(const struct nvdimm_blockdev *blk,
					    struct nvdimm_bad_range **ranges)
{
	char text[SYSFS_ATTR_MAX + 1];
	struct nvdimm_bad_range *r;
	size_t kept = 0;
	int n;

	*ranges = NULL;
	if (!blk->found)
		return -ENOENT;
	n = nvdimm_sysfs_read(blk->disk_dir, "badblocks", text, sizeof(text));
	if (n)
		return n;
	n = nvdimm_parse_badblocks(text, &r);
	if (n <= 0)
		return n;
	/* Disk sectors -> partition bytes; ranges before the partition go. */
	for (int i = 0; i < n; i++) {
		uint64_t end = r[i].offset + r[i].length, start;
		if (end <= blk->part_start)
			continue;
		start = r[i].offset > blk->part_start ? r[i].offset - blk->part_start : 0;
		r[kept].offset = start;
		r[kept++].length = end - blk->part_start - start;
	}
	*ranges = r;
	return (int)kept;
}
