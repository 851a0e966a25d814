/* SPDX-License-Identifier: MIT */
/*
 * What sysfs says about the memory behind a device-dax or a pmem block
 * device: the nvdimm region above it, its persistence domain, the write
 * cache the kernel reports and the known bad blocks.  Shared by the devdax
 * and fsdax providers; not a provider itself.  Every path is read under
 * daxdev_sysfs_root() so that tests can point it at a copied tree.
 *
 * These functions only look; they never fail the open because an optional
 * file is missing.  Hidden symbols: the unit tests link the static library.
 */
#ifndef DAXDEV_NVDIMM_SYSFS_H
#define DAXDEV_NVDIMM_SYSFS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <daxdev/provider.h>

#define NVDIMM_HIDDEN __attribute__((visibility("hidden")))
#define NVDIMM_REASON_MAX 160
#define NVDIMM_NAME_MAX 64

/* The region decision for one device (never machine-wide). */
struct nvdimm_persistence {
	enum daxdev_persistence persistence;
	bool write_cache;
	bool has_region;                     /* an nd region was found above */
	bool volatile_region;                /* devtype nd_volatile */
	char region[NVDIMM_NAME_MAX];        /* "region0", or "" */
	char region_dir[PATH_MAX];           /* resolved sysfs dir, or "" */
	char bus[NVDIMM_NAME_MAX];           /* the bus's provider ("ACPI.NFIT",
					      * "CXL", ...), or "" */
	char reason[NVDIMM_REASON_MAX];
};

/* NUMA placement of the memory: -1 where sysfs does not say. */
struct nvdimm_nodes {
	int numa_node;
	int target_node;
};

/* A bad range in bytes, relative to the start of the device. */
struct nvdimm_bad_range {
	uint64_t offset;
	uint64_t length;
};

struct nvdimm_badblocks {
	struct nvdimm_bad_range *ranges;     /* sorted by offset, malloc'ed */
	size_t count;
	size_t region_count;                 /* lines in the region's file */
	bool unlocated;                      /* region has some, device position unknown */
	char source[NVDIMM_REASON_MAX];      /* which files, or why not */
};

/* A device-dax as its sysfs directory describes it. */
struct nvdimm_devdax {
	char name[NVDIMM_NAME_MAX];          /* "dax0.0" */
	char dir[PATH_MAX];                  /* resolved .../daxX.Y */
	uint64_t size;
	uint64_t align;
	char align_source[NVDIMM_REASON_MAX];
	struct nvdimm_persistence persist;
	struct nvdimm_nodes nodes;
	struct nvdimm_badblocks bad;
};

/* A block device carrying a DAX filesystem (the whole disk if a partition). */
struct nvdimm_blockdev {
	bool found;                          /* /sys/dev/block/M:m exists */
	char name[NVDIMM_NAME_MAX];          /* "pmem1" (the disk) */
	char partition[NVDIMM_NAME_MAX];     /* "pmem1p1", or "" */
	uint64_t size;                       /* bytes of the device (the partition
					      * if one), 0 if unreadable */
	char write_cache_path[PATH_MAX];     /* "" if there is none */
	int write_cache_value;               /* 0, 1, or -1 if unreadable */
	size_t badblocks_count;              /* lines in the disk's badblocks */
	char disk_dir[PATH_MAX];             /* resolved sysfs dir of the disk */
	uint64_t part_start;                 /* bytes: the partition's start on
					      * the disk (0 for a whole disk) */
	struct nvdimm_persistence persist;
	struct nvdimm_nodes nodes;           /* of its region */
};

/* "<root>/sys/..." into buf; -ENAMETOOLONG if it does not fit. */
NVDIMM_HIDDEN int nvdimm_sysfs_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Attribute text without the trailing newline; -errno if unreadable. */
NVDIMM_HIDDEN int nvdimm_sysfs_read(const char *dir, const char *attr, char *buf,
				    size_t len);
/* Attribute as a number (decimal or 0x hex). */
NVDIMM_HIDDEN int nvdimm_sysfs_read_u64(const char *dir, const char *attr, uint64_t *value);
/* Name of the bus or class the device belongs to: the last part of the
 * 'subsystem' link (which may dangle in a copied tree). */
NVDIMM_HIDDEN int nvdimm_sysfs_subsystem(const char *dir, char *name, size_t len);
/* Resolve <root>/sys/dev/{char,block}/M:m into a real directory. */
NVDIMM_HIDDEN int nvdimm_sysfs_dev_dir(bool block, dev_t dev, char *dir, size_t len);

/* numa_node and target_node of the first of dirs that has them (NULL
 * ends the list); -1 each where none does (or says -1). */
NVDIMM_HIDDEN void nvdimm_read_nodes(struct nvdimm_nodes *nodes, const char *const *dirs);

/* Walk up from a device directory to its nd region and decide. */
NVDIMM_HIDDEN void nvdimm_region_persistence(const char *dev_dir,
					     struct nvdimm_persistence *p);

/* Only the name and sysfs directory of a character device: -ENODEV with a
 * message naming what it is when it is not a device-dax. */
NVDIMM_HIDDEN int nvdimm_devdax_identify(const char *path, dev_t rdev, struct nvdimm_devdax *dax);
/* Look up a character device: -ENODEV with a message naming what it is
 * when it is not a device-dax. */
NVDIMM_HIDDEN int nvdimm_devdax_lookup(const char *path, dev_t rdev, struct nvdimm_devdax *dax);
NVDIMM_HIDDEN void nvdimm_devdax_clear(struct nvdimm_devdax *dax);

/* The block device under a file's filesystem (st_dev); never fails:
 * missing files leave found/write_cache_value unset and persistence unknown. */
NVDIMM_HIDDEN void nvdimm_blockdev_lookup(dev_t dev, struct nvdimm_blockdev *blk);

/* The disk's bad sectors as byte ranges of the block device the file
 * system is on (the partition): the number of ranges or -errno (-ENOENT:
 * no badblocks file). */
NVDIMM_HIDDEN int nvdimm_blockdev_badblocks(const struct nvdimm_blockdev *blk,
					    struct nvdimm_bad_range **ranges);

/* Parse "sector count" lines (512-byte sectors) into byte ranges of the
 * region; returns the number of ranges or -errno. */
NVDIMM_HIDDEN int nvdimm_parse_badblocks(const char *text, struct nvdimm_bad_range **ranges);
/* First bad byte range overlapping [offset, offset+len), or NULL. */
NVDIMM_HIDDEN const struct nvdimm_bad_range *
nvdimm_badblocks_first(const struct nvdimm_badblocks *bad, uint64_t offset, uint64_t len);

#endif
