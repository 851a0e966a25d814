/* SPDX-License-Identifier: MIT */
/*
 * File provider: any regular file, mapped shared.
 *
 * If the kernel grants MAP_SYNC the file is on a DAX filesystem with
 * synchronous page faults: stores reach the memory directly and the
 * filesystem's metadata is already durable at fault time, so only the CPU
 * cache may stand between a store and persistence.  The block device under
 * the filesystem says whether it does (dax/write_cache, see nvdimm_sysfs.c).
 *
 * Without MAP_SYNC (page cache, or asynchronous DAX such as virtio-pmem) only
 * msync() makes data durable, so the provider supplies a flush op doing that.
 * On tmpfs/ramfs nothing survives a reboot: volatile, and no flushing at all.
 *
 * A probe (daxdev_probe) asks the same questions without mapping the file:
 * MAP_SYNC on one read-only page, then the same decision and parameters.  A
 * pmem block device is probed as the files of a DAX filesystem on it would
 * be: the kernel grants them MAP_SYNC unless the region is asynchronous.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "providers.h"
#include "mapping.h"
#include "filelock.h"
#include "nvdimm_sysfs.h"
#include "file_badblocks.h"

/* statfs f_type of the memory-only filesystems (values from linux/magic.h) */
#define FSDAX_TMPFS_MAGIC 0x01021994
#define FSDAX_RAMFS_MAGIC 0x858458f6
/* Mappings larger than a 47-bit user address space cannot exist. */
#define FSDAX_MAX_LEN (UINT64_C(1) << 47)

struct fsdax_file {
	int fd;                     /* kept: faults are diagnosed with fstat */
	char *addr;
	size_t len;
	size_t page_size;
	uint64_t file_size;         /* st_size at open; len is this rounded down */
	bool memory_fs;             /* tmpfs or ramfs */
	bool readonly;
	const char *probe;          /* a probe: what it describes; NULL: open */
	bool probe_disk;            /* a probe of the block device itself */
	struct provider_mapping map;
	char name[PATH_MAX];        /* for messages: the path, or "fd N" */
	char host[PATH_MAX];        /* realpath */
	char reason[NVDIMM_REASON_MAX];
	struct nvdimm_blockdev blk; /* the filesystem's block device */
};

/* Indexed [probe][map_sync]: a probe has the flush op the open would have,
 * so the core makes the same choice for it. */
static const struct daxdev_operations fsdax_ops[2][2];

/* The device's file, whichever of the tables it was made with. */
static struct fsdax_file *fsdax_of(struct daxdev *dev)
{
	struct fsdax_file *f = NULL;

	for (int i = 0; i < 4 && !f; i++)
		f = daxdev_private(dev, &fsdax_ops[i / 2][i % 2]);
	return f;
}

/* Without MAP_SYNC, msync on the pages covering the range is what makes
 * the stores durable. */
static int fsdax_msync(struct daxdev *dev, const void *addr, size_t len)
{
	struct fsdax_file *f = fsdax_of(dev);
	uintptr_t start = (uintptr_t)addr & ~((uintptr_t)f->page_size - 1);
	uintptr_t base = (uintptr_t)f->addr;

	if ((uintptr_t)addr < base || len > f->len || (uintptr_t)addr - base > f->len - len)
		return daxdev_err(-ERANGE, "%s: flush of %zu bytes at %p is outside the mapping",
				  f->host, len, addr);
	if (len == 0)
		return 0;
	if (msync((void *)start, (uintptr_t)addr + len - start, MS_SYNC) < 0)
		return daxdev_err(-errno, "%s: msync: %s", f->host, strerror(errno));
	return 0;
}

static void describe_blockdev(const struct fsdax_file *f, char *buf, size_t len, int *pos)
{
	const struct nvdimm_blockdev *blk = &f->blk;

	if (!blk->found) {
		daxdev_describe_printf(buf, len, pos, "block device: %s (no sysfs entry)\n", blk->name);
		return;
	}
	daxdev_describe_printf(buf, len, pos, "block device: %s%s%s\n", blk->name,
			       blk->partition[0] ? ", partition " : "", blk->partition);
	if (blk->write_cache_value >= 0)
		daxdev_describe_printf(buf, len, pos, "write_cache file: %s = %d\n", blk->write_cache_path,
				       blk->write_cache_value);
	else
		daxdev_describe_printf(buf, len, pos, "write_cache file: none\n");
	if (blk->persist.has_region)
		daxdev_describe_printf(buf, len, pos, "region: %s\n", blk->persist.region);
	if (blk->badblocks_count)
		daxdev_describe_printf(buf, len, pos, "badblocks: %s lists %zu bad ranges (the filesystem "
				       "reports them as EIO/SIGBUS)\n", blk->name, blk->badblocks_count);
}

static int fsdax_describe(struct daxdev *dev, char *buf, size_t len)
{
	struct fsdax_file *f = fsdax_of(dev);
	int pos = 0;

	if (f->probe)
		daxdev_describe_printf(buf, len, &pos, "probe: %s\n", f->probe);
	if (f->map.map_sync)
		daxdev_describe_printf(buf, len, &pos, "mapping: MAP_SHARED_VALIDATE|MAP_SYNC\n");
	else
		daxdev_describe_printf(buf, len, &pos, "mapping: MAP_SHARED (%s), flush = msync while the write "
				       "cache is on\n", f->map.note);
	if (f->memory_fs)
		daxdev_describe_printf(buf, len, &pos, "filesystem: tmpfs/ramfs (memory only)\n");
	if (f->file_size != f->len)
		daxdev_describe_printf(buf, len, &pos, "size: file has %llu bytes, %zu mapped (whole pages)\n",
				       (unsigned long long)f->file_size, f->len);
	describe_blockdev(f, buf, len, &pos);
	return pos;
}

static void fsdax_release(struct daxdev *dev)
{
	struct fsdax_file *f = fsdax_of(dev);

	if (f->addr)
		munmap(f->addr, f->len);
	filelock_close(f->fd);
	free(f);
}

/* A guarded access faulted: the file shrank under the mapping (-ESTALE,
 * everything past its new end is gone), or the page itself is bad. */
static int fsdax_fault(struct daxdev *dev, uint64_t offset, bool media, uint64_t *lost,
		       uint64_t *lost_len)
{
	struct fsdax_file *f = fsdax_of(dev);
	uint64_t page = f->page_size, end;
	struct stat st;

	if (media)
		return daxdev_err(-EIO, "the memory behind the file's page is poisoned; "
				  "daxdev_badblock_clear() gives the range new blocks");
	if (!fstat(f->fd, &st) && (uint64_t)st.st_size <= offset) {
		end = ((uint64_t)st.st_size + page - 1) & ~(page - 1);
		*lost = end < offset ? end : offset & ~(page - 1);
		*lost_len = f->len - *lost;
		return daxdev_err(-ESTALE, "the file is now %llu bytes long (it had %llu when opened; "
				  "truncated by another process?); reopen it",
				  (unsigned long long)st.st_size, (unsigned long long)f->file_size);
	}
	return daxdev_err(-EIO, "the filesystem could not back the page (a bad block, an I/O "
			  "error, or no space to fill a hole)");
}

/* The block device's bad ranges under the file's blocks, as file offsets. */
static int fsdax_badblock_next(struct daxdev *dev, uint64_t from, struct daxdev_badblock *bb)
{
	struct fsdax_file *f = fsdax_of(dev);
	struct nvdimm_bad_range *bad;
	int n = nvdimm_blockdev_badblocks(&f->blk, &bad), rc;

	if (n == 0 || n == -ENOENT)
		return -ENODATA;
	if (n < 0)
		return daxdev_err(n, "%s: cannot read the bad blocks of %s: %s", f->host, f->blk.name,
				  strerror(-n));
	rc = file_badblock_next(f->fd, bad, (size_t)n, f->len, from, &bb->offset, &bb->length);
	free(bad);
	if (rc == -EOPNOTSUPP)
		return daxdev_err(rc, "%s: %s lists %d bad ranges, but the filesystem cannot say "
				  "where the file's blocks are (no FIEMAP)", f->host, f->blk.name, n);
	if (rc && rc != -ENODATA)
		return daxdev_err(rc, "%s: FIEMAP: %s", f->host, strerror(-rc));
	bb->error = -EIO;
	bb->flags = DAXDEV_BADBLOCK_PLATFORM;
	return rc;
}

/* A probe: the disk's own bad ranges when the block device itself was
 * probed (its offsets are the disk's); a probed file keeps no descriptor
 * to place them in the file with. */
static int fsdax_probe_badblock_next(struct daxdev *dev, uint64_t from,
				     struct daxdev_badblock *bb)
{
	struct fsdax_file *f = fsdax_of(dev);
	struct nvdimm_bad_range *bad;
	int n, rc = -ENODATA;

	if (!f->probe_disk)
		return daxdev_err(-EOPNOTSUPP, "%s: a probed file: open it to place the bad blocks "
				  "of %s in it", f->host, f->blk.name);
	n = nvdimm_blockdev_badblocks(&f->blk, &bad);
	if (n == 0 || n == -ENOENT)
		return -ENODATA;
	if (n < 0)
		return daxdev_err(n, "%s: cannot read its bad blocks: %s", f->host, strerror(-n));
	for (int i = 0; i < n && rc; i++) {
		if (bad[i].offset + bad[i].length <= from)
			continue;
		*bb = (struct daxdev_badblock){ .sz = bb->sz, .offset = bad[i].offset,
						.length = bad[i].length, .error = -EIO,
						.flags = DAXDEV_BADBLOCK_PLATFORM };
		rc = 0;
	}
	free(bad);
	return rc;
}

/* Map the range again in place: a hole punch zaps the file's pages but
 * leaves the poison markers memory-failure put in this process's page table
 * (tmpfs unmaps without touching them), which would fault forever. */
static int fsdax_remap(struct fsdax_file *f, uint64_t offset, uint64_t len)
{
	int flags = f->map.map_sync ? MAP_SHARED_VALIDATE | MAP_SYNC : MAP_SHARED;

	if (mmap(f->addr + offset, (size_t)len, PROT_READ | PROT_WRITE, flags | MAP_FIXED, f->fd,
		 (off_t)offset) == MAP_FAILED)
		return daxdev_err(-errno, "%s: cannot map [%llu, +%llu) again: %s", f->host,
				  (unsigned long long)offset, (unsigned long long)len, strerror(errno));
	return 0;
}

/* New blocks for the range, written with zeros; a range past the file's
 * current end (truncated by someone else) is not ours to extend. */
static int fsdax_badblock_clear(struct daxdev *dev, uint64_t offset, uint64_t len)
{
	struct fsdax_file *f = fsdax_of(dev);
	struct stat st;
	int rc;

	if (fstat(f->fd, &st))
		return daxdev_err(-errno, "%s: fstat: %s", f->host, strerror(errno));
	if ((uint64_t)st.st_size < offset + len)
		return daxdev_err(-ESTALE, "%s: the file is now %llu bytes long: [%llu, +%llu) is "
				  "past its end; reopen it", f->host, (unsigned long long)st.st_size,
				  (unsigned long long)offset, (unsigned long long)len);
	rc = file_badblock_clear(f->fd, f->host, offset, len);
	return rc ? rc : fsdax_remap(f, offset, len);
}

static int fsdax_lock(struct daxdev *dev, unsigned flags)
{
	struct fsdax_file *f = fsdax_of(dev);

	return filelock_lock(f->fd, f->host, flags);
}

static void fsdax_unlock(struct daxdev *dev)
{
	filelock_unlock(fsdax_of(dev)->fd);
}

/* MAP_SYNC: CPU cache write-back (or nothing) is enough; the core does it.
 * One flat mapping either way: the core computes page addresses. */
static const struct daxdev_operations fsdax_ops[2][2] = {
	[0][1] = {
		.sz = sizeof(struct daxdev_operations),
		.describe = fsdax_describe,
		.release = fsdax_release,
		.fault = fsdax_fault,
		.badblock_next = fsdax_badblock_next,
		.badblock_clear = fsdax_badblock_clear,
		.lock = fsdax_lock,
		.unlock = fsdax_unlock,
	},
	[0][0] = {
		.sz = sizeof(struct daxdev_operations),
		.flush = fsdax_msync,
		.describe = fsdax_describe,
		.release = fsdax_release,
		.fault = fsdax_fault,
		.badblock_next = fsdax_badblock_next,
		.badblock_clear = fsdax_badblock_clear,
		.lock = fsdax_lock,
		.unlock = fsdax_unlock,
	},
	[1][1] = {
		.sz = sizeof(struct daxdev_operations),
		.direct_access = provider_probe_direct_access,
		.describe = fsdax_describe,
		.release = fsdax_release,
		.badblock_next = fsdax_probe_badblock_next,
	},
	[1][0] = {
		.sz = sizeof(struct daxdev_operations),
		.direct_access = provider_probe_direct_access,
		.flush = provider_probe_flush,
		.describe = fsdax_describe,
		.release = fsdax_release,
		.badblock_next = fsdax_probe_badblock_next,
	},
};

/* Open with the access asked for; with DAXDEV_OPEN_CREATE create the file
 * if it is absent (with EXCL: only then). */
static int fsdax_open_fd(const struct daxdev_open_args *args, int *fd, bool *created)
{
	const struct daxdev_open_opts *o = args->opts;
	const char *path = args->target;
	mode_t mode = o->mode ? (mode_t)o->mode : 0600;

	*created = false;
	if (args->fd >= 0) {
		*fd = args->fd;
		return 0;
	}
	if (o->flags & DAXDEV_OPEN_CREATE) {
		*fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (*fd >= 0) {
			*created = true;
			return 0;
		}
		if (errno != EEXIST || (o->flags & DAXDEV_OPEN_EXCL))
			return daxdev_err(-errno, "%s: cannot create: %s", path, strerror(errno));
	}
	*fd = open(path, ((o->flags & DAXDEV_OPEN_READONLY) ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (*fd < 0)
		return daxdev_err(-errno, "%s: cannot open for %s: %s", path,
				  (o->flags & DAXDEV_OPEN_READONLY) ? "reading" : "reading and writing",
				  strerror(errno));
	return 0;
}

/* A new file gets all its blocks now, so that no store faults on a hole
 * (which could fail with SIGBUS when the filesystem is full). */
static int fsdax_size_new(struct fsdax_file *f, const struct daxdev_open_args *args, int fd)
{
	uint64_t len = args->opts->size;
	int err;

	if (len == 0)
		return daxdev_err(-EINVAL, "%s: a size is needed to create the file", f->name);
	if (len > FSDAX_MAX_LEN)
		return daxdev_err(-EFBIG, "%s: size %llu is larger than an address space allows",
				  f->name, (unsigned long long)len);
	len = (len + f->page_size - 1) & ~((uint64_t)f->page_size - 1);
	if (args->opts->flags & DAXDEV_OPEN_SPARSE)
		err = ftruncate(fd, (off_t)len) ? errno : 0;
	else
		err = posix_fallocate(fd, 0, (off_t)len);
	if (err)
		return daxdev_err(-err, "%s: cannot allocate %llu bytes: %s", f->name,
				  (unsigned long long)len, strerror(err));
	f->file_size = len;
	f->len = (size_t)len;
	return 0;
}

/* Holes would be allocated at fault time, where running out of space is a
 * SIGBUS; allocate them now (data unchanged) or fail clearly. */
static int fsdax_fill_holes(const struct fsdax_file *f, int fd, const struct stat *st)
{
	uint64_t size = (uint64_t)st->st_size;
	const char *path = f->name;
	off_t hole;
	int err;

	/* tmpfs counts data pages only, so blocks covering the size mean no
	 * hole: no SEEK_HOLE, which walks the page cache there (~80 us for
	 * 16 MiB, most of an open).  Elsewhere blocks include metadata and
	 * prove nothing, and SEEK_HOLE asks the extent tree (~2 us). */
	if (f->memory_fs && (uint64_t)st->st_blocks * 512 >= size)
		return 0;
	hole = lseek(fd, 0, SEEK_HOLE);
	if (hole < 0 || (uint64_t)hole >= size)
		return 0; /* no holes, or the filesystem cannot tell */
	err = posix_fallocate(fd, 0, (off_t)size);
	if (err)
		return daxdev_err(-err, "%s has a hole at byte %lld that cannot be allocated: %s",
				  path, (long long)hole, strerror(err));
	daxdev_log(DAXDEV_LOG_INFO, "%s: allocated the holes from byte %lld", path, (long long)hole);
	return 0;
}

static int fsdax_size_existing(struct fsdax_file *f, const struct daxdev_open_args *args,
			       int fd, const struct stat *st, bool fill_holes)
{
	uint64_t size = (uint64_t)st->st_size, len = size & ~((uint64_t)f->page_size - 1);
	uint64_t want = args->opts->size;

	if (size == 0)
		return daxdev_err(-EINVAL, "%s is empty: give a size (the size option with "
				  "DAXDEV_OPEN_CREATE, or extend the file)", f->name);
	if (want > size)
		return daxdev_err(-ENOSPC, "%s has %llu bytes, less than the %llu requested "
				  "(truncated?)", f->name, (unsigned long long)size,
				  (unsigned long long)want);
	if (len == 0 || len < want)
		return daxdev_err(-EINVAL, "%s has %llu bytes: %llu in whole pages of %zu, less "
				  "than the %llu needed", f->name, (unsigned long long)size,
				  (unsigned long long)len, f->page_size,
				  (unsigned long long)(want ? want : f->page_size));
	if (len > FSDAX_MAX_LEN)
		return daxdev_err(-EFBIG, "%s: %llu bytes do not fit in the address space",
				  f->name, (unsigned long long)len);
	if (len != size)
		daxdev_log(DAXDEV_LOG_WARNING, "%s: %llu bytes is not a page multiple; mapping %llu",
			   f->name, (unsigned long long)size, (unsigned long long)len);
	f->file_size = size;
	f->len = (size_t)len;
	/* Read-only never stores, and sparse accepts what holes bring. */
	if (!fill_holes || (args->opts->flags & (DAXDEV_OPEN_SPARSE | DAXDEV_OPEN_READONLY)))
		return 0;
	return fsdax_fill_holes(f, fd, st);
}

static bool fsdax_memory_fs(int fd)
{
	struct statfs sfs;

	return !fstatfs(fd, &sfs) && ((unsigned long)sfs.f_type == FSDAX_TMPFS_MAGIC ||
				      (unsigned long)sfs.f_type == FSDAX_RAMFS_MAGIC);
}

/* MAP_SYNC: sysfs decides.  Otherwise msync is the flush, except on memory
 * filesystems and nd_volatile regions where there is nothing to flush to.
 * f->blk, f->memory_fs and f->map.map_sync are known. */
static void fsdax_persistence(struct fsdax_file *f, enum daxdev_persistence *persistence,
			      bool *write_cache)
{
	*persistence = f->blk.persist.persistence;
	*write_cache = f->blk.persist.write_cache;
	snprintf(f->reason, sizeof(f->reason), "%s", f->blk.persist.reason);
	if (f->map.map_sync)
		return;
	*persistence = DAXDEV_PERSISTENCE_PERSISTENT;
	*write_cache = true;
	snprintf(f->reason, sizeof(f->reason), "no MAP_SYNC: flush = msync");
	if (f->memory_fs || f->blk.persist.volatile_region) {
		*persistence = DAXDEV_PERSISTENCE_VOLATILE;
		*write_cache = false;
		snprintf(f->reason, sizeof(f->reason), "no MAP_SYNC, %.96s: memory only, nothing to flush",
			 f->memory_fs ? "tmpfs/ramfs" : f->blk.persist.reason);
	}
}

/* The one description of the file, mapped (open) or not (probe). */
static int fsdax_create(struct fsdax_file *f, const struct daxdev_open_args *args,
			struct daxdev **devp)
{
	struct daxdev_params params = {
		.sz = sizeof(params),
		.provider = "fsdax",
		.host = f->host,
		.size = f->len,
		.align = f->page_size,
		.base = f->addr,
		.persistence_reason = f->reason,
		.flat_mapping = f->addr != NULL,
		.unshared = !f->addr, /* a probe is never registered */
		.readonly = f->readonly,
		.region = f->blk.persist.region,
		.bus = f->blk.persist.bus,
		.node_known = true,
		.opts = args->opts,
	};
	const struct daxdev_operations *ops = &fsdax_ops[f->probe != NULL][f->map.map_sync];

	fsdax_persistence(f, &params.persistence, &params.write_cache);
	params.numa_node = f->blk.nodes.numa_node;
	params.target_node = f->blk.nodes.target_node;
	params.flush_name = f->map.map_sync ? NULL : "msync";
	daxdev_log(DAXDEV_LOG_INFO, "%s: %zu bytes, %s; %s%s", f->host, f->len,
		   f->map.map_sync ? "MAP_SYNC" : f->map.note, f->reason, f->probe ? " (probe)" : "");
	return daxdev_alloc(ops, &params, f, devp);
}

/* The real path of the file: the host a shared object is registered under. */
static int fsdax_real_path(const struct daxdev_open_args *args, char *buf, size_t len)
{
	char proc[64], real[PATH_MAX];
	ssize_t n;

	if (args->fd < 0) {
		if (!realpath(args->target, real))
			return -errno;
	} else {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", args->fd);
		n = readlink(proc, real, sizeof(real) - 1);
		if (n < 0)
			return -errno;
		real[n] = '\0';
	}
	if (snprintf(buf, len, "%s", real) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

/* Size and holes: everything that can be refused before anything is mapped. */
static int fsdax_prepare(struct fsdax_file *f, const struct daxdev_open_args *args, int fd,
			 bool created, struct stat *st)
{
	int rc;

	if (fstat(fd, st) < 0)
		return daxdev_err(-errno, "%s: fstat: %s", f->name, strerror(errno));
	if (!S_ISREG(st->st_mode))
		return daxdev_err(-EINVAL, "%s is not a regular file", f->name);
	rc = fsdax_real_path(args, f->host, sizeof(f->host));
	if (rc)
		return daxdev_err(rc, "%s: cannot resolve its path: %s", f->name, strerror(-rc));
	return created ? fsdax_size_new(f, args, fd) : fsdax_size_existing(f, args, fd, st, true);
}

static struct fsdax_file *fsdax_new(const struct daxdev_open_args *args)
{
	struct fsdax_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->fd = -1;   /* the open sets its own; a probe keeps none */
	f->page_size = (size_t)sysconf(_SC_PAGESIZE);
	f->readonly = args->opts->flags & DAXDEV_OPEN_READONLY;
	if (args->node)
		snprintf(f->name, sizeof(f->name), "block %u:%u", major(args->node->st_rdev),
			 minor(args->node->st_rdev));
	else if (args->fd >= 0)
		snprintf(f->name, sizeof(f->name), "fd %d", args->fd);
	else
		snprintf(f->name, sizeof(f->name), "%s", args->target);
	return f;
}

static int fsdax_open(const struct daxdev_open_args *args, struct daxdev **devp)
{
	struct fsdax_file *f = fsdax_new(args);
	struct stat st;
	bool created;
	int fd, rc;

	if (!f)
		return daxdev_err(-ENOMEM, "%s: out of memory", args->target);
	rc = fsdax_open_fd(args, &fd, &created);
	if (rc)
		goto err_free;
	f->memory_fs = fsdax_memory_fs(fd);
	rc = fsdax_prepare(f, args, fd, created, &st);
	if (rc)
		goto err_close;
	rc = provider_map_shared(f->host, fd, NULL, f->len, f->readonly, &f->map);
	if (rc)
		goto err_close;
	f->addr = f->map.addr;
	nvdimm_blockdev_lookup(st.st_dev, &f->blk);
	/* Our own descriptor, also the one daxdev_lock() flocks: the one the
	 * provider opened, or a new open file description of the caller's
	 * (which may be closed after the open, and whose lock is the caller's). */
	f->fd = filelock_keep(fd, args->fd);
	if (f->fd < 0) {
		rc = daxdev_err(-errno, "%s: cannot open descriptor %d again: %s", f->name, fd,
				strerror(errno));
		goto err_unmap;
	}
	rc = fsdax_create(f, args, devp);
	if (rc)
		goto err_fd;
	return 0;

err_fd:
	if (f->fd != fd)
		close(f->fd);
err_unmap:
	munmap(f->addr, f->len);
err_close:
	if (fd != args->fd)
		close(fd);
	if (created)
		unlink(args->target);
err_free:
	free(f);
	return rc;
}

static bool fsdax_takes(const struct stat *st)
{
	return S_ISREG(st->st_mode);
}

/* A file as the open would find it, without filling holes or mapping more
 * than one read-only page; read access is enough. */
static int fsdax_probe_file(struct fsdax_file *f, const struct daxdev_open_args *args)
{
	struct stat st;
	int rc, fd = open(args->target, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return daxdev_err(-errno, "%s: cannot open for reading: %s", f->name, strerror(errno));
	rc = fstat(fd, &st) < 0 ? daxdev_err(-errno, "%s: fstat: %s", f->name, strerror(errno)) : 0;
	if (!rc && !S_ISREG(st.st_mode))
		rc = daxdev_err(-EINVAL, "%s is not a regular file", f->name);
	if (!rc && (rc = fsdax_real_path(args, f->host, sizeof(f->host))))
		rc = daxdev_err(rc, "%s: cannot resolve its path: %s", f->name, strerror(-rc));
	if (!rc)
		rc = fsdax_size_existing(f, args, fd, &st, false);
	if (!rc)
		rc = provider_map_sync_probe(f->host, fd, &f->map);
	if (!rc) {
		nvdimm_blockdev_lookup(st.st_dev, &f->blk);
		f->memory_fs = fsdax_memory_fs(fd);
		f->probe = "nothing mapped; MAP_SYNC tested on one read-only page";
	}
	close(fd);
	return rc;
}

/* Only virtio-pmem registers its regions as asynchronous (flushing goes
 * through the host), and DAX filesystems on those refuse MAP_SYNC. */
static bool fsdax_async_region(const struct nvdimm_blockdev *blk)
{
	return !strcmp(blk->persist.bus, "virtio-pmem");
}

/* A pmem block device: what a file on a DAX filesystem mounted from it gets.
 * Only sysfs is read; the node need not be accessible, or even exist. */
static int fsdax_probe_block(struct fsdax_file *f, dev_t rdev)
{
	nvdimm_blockdev_lookup(rdev, &f->blk);
	if (!f->blk.found)
		return daxdev_err(-ENODEV, "%s: %s", f->name, f->blk.persist.reason);
	if (!f->blk.write_cache_path[0])
		return daxdev_err(-ENODEV, "%s: %s has no dax attributes: no DAX filesystem can be "
				  "mounted from it", f->name, f->blk.name);
	if (f->blk.size < f->page_size)
		return daxdev_err(-ENODEV, "%s: %s has %llu bytes: no capacity", f->name,
				  f->blk.name, (unsigned long long)f->blk.size);
	f->file_size = f->blk.size;
	f->len = (size_t)(f->blk.size & ~((uint64_t)f->page_size - 1));
	snprintf(f->host, sizeof(f->host), "%s", f->blk.partition[0] ? f->blk.partition :
		 f->blk.name);
	f->map.map_sync = !fsdax_async_region(&f->blk);
	if (!f->map.map_sync)
		snprintf(f->map.note, sizeof(f->map.note), "MAP_SYNC refused: %.32s is asynchronous "
			 "(virtio-pmem)", f->blk.persist.region);
	f->probe = "block device: what a file on a DAX filesystem mounted from it gets";
	f->probe_disk = true;
	return 0;
}

static int fsdax_probe(const struct daxdev_open_args *args, struct daxdev **devp)
{
	struct fsdax_file *f = fsdax_new(args);
	struct stat st;
	int rc;

	if (!f)
		return daxdev_err(-ENOMEM, "daxdev_probe: out of memory");
	if (args->node)
		st = *args->node;
	else if (stat(args->target, &st) < 0)
		st.st_mode = 0; /* let the open below name the error */
	if (S_ISBLK(st.st_mode))
		rc = fsdax_probe_block(f, st.st_rdev);
	else
		rc = fsdax_probe_file(f, args);
	if (!rc)
		rc = fsdax_create(f, args, devp);
	if (rc)
		free(f);
	return rc;
}

static bool fsdax_probe_takes(const struct stat *st)
{
	return S_ISREG(st->st_mode) || S_ISBLK(st->st_mode);
}

DAXDEV_PROVIDER_ENTRY const struct daxdev_provider daxdev_provider_file = {
	.name = "fsdax",
	.prefix = "file:",
	.takes = fsdax_takes,
	.host = fsdax_real_path,
	.open = fsdax_open,
	.probe = fsdax_probe,
	.probe_takes = fsdax_probe_takes,
};
