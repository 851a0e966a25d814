/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: the cost of opening (interface in open-cost.h).
 *
 * Every operation is a whole open and close of an existing file: the
 * sample's K operations open the same file (open-full, open-sparse's
 * libpmem side) or one file each of a pool (open-sparse's libdaxdev side,
 * whose opens allocate the holes that the untimed preparation punched).
 */
#include <errno.h>
#include <fcntl.h>
#include <libpmem.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <daxdev.h>

#include "open-cost.h"
#include "open-files.h"
#include "workloads.h"

#define OPEN_POOL 4 /* sparse files opened by libdaxdev: at most K per sample */

struct open_dir {
	struct backing bk;          /* first: cur points here while it runs */
	const char *dir;
	char full[128], sparse[128];
	char pool[OPEN_POOL][128];
	int pool_fd[OPEN_POOL];
	bool pool_opened[OPEN_POOL]; /* by daxdev_open since the last punch */
	bool sparse_ok;
};

static struct open_dir dirs[] = {
	{ .bk = { .name = "tmp" }, .dir = "/tmp" },
	{ .bk = { .name = "devshm" }, .dir = "/dev/shm" },
};
#define NDIRS (int)(sizeof(dirs) / sizeof(dirs[0]))

static struct open_dir *od(void)
{
	return (struct open_dir *)cur;
}

/* ---- operations ------------------------------------------------------------ */

static int dax_open_put(const char *path, unsigned flags)
{
	DAXDEV_OPEN_OPTS(opts, .flags = flags);
	struct daxdev *dev;
	int rc = daxdev_open(path, flags ? &opts : NULL, &dev);

	if (!rc)
		daxdev_put(dev);
	return rc;
}

static int pmem_map_unmap(const char *path)
{
	size_t mapped = 0;
	int is_pmem = 0;
	void *addr = pmem_map_file(path, 0, 0, 0, &mapped, &is_pmem);

	if (!addr)
		return errno ? -errno : -EIO;
	return pmem_unmap(addr, mapped) ? -errno : 0;
}

static int op_pmem_full(uint64_t off, size_t len)
{
	(void)off;
	(void)len;
	return pmem_map_unmap(od()->full);
}

static int op_dax_full(uint64_t off, size_t len)
{
	(void)off;
	(void)len;
	return dax_open_put(od()->full, 0);
}

/* DAXDEV_OPEN_SPARSE skips the hole check: the open without it. */
static int op_dax_full_nocheck(uint64_t off, size_t len)
{
	(void)off;
	(void)len;
	return dax_open_put(od()->full, DAXDEV_OPEN_SPARSE);
}

static int op_pmem_sparse(uint64_t off, size_t len)
{
	(void)off;
	(void)len;
	return pmem_map_unmap(od()->sparse);
}

static int op_dax_sparse(uint64_t off, size_t len)
{
	int i = (int)(off % OPEN_POOL); /* batch_cap keeps K within the pool */

	(void)len;
	od()->pool_opened[i] = true;
	return dax_open_put(od()->pool[i], 0);
}

/* A pool file daxdev_open has seen must have no holes left. */
static void check_filled(struct open_dir *d, int i)
{
	int64_t left;
	char what[256];

	if (!d->pool_opened[i])
		return;
	d->pool_opened[i] = false;
	left = open_file_unallocated(d->pool_fd[i]);
	if (left == 0)
		return;
	snprintf(what, sizeof(what), "open-sparse: daxdev_open filling the holes of %s "
		 "(%lld bytes left)", d->pool[i], (long long)left);
	fail(what, left < 0 ? (int)left : -EIO);
}

/* Untimed, before each libdaxdev open of a sparse pool file. */
static void prep_dax_sparse(uint64_t off, size_t len)
{
	struct open_dir *d = od();
	int i = (int)(off % OPEN_POOL), rc;

	(void)len;
	check_filled(d, i);
	rc = open_file_punch(d->pool_fd[i], OPEN_FILE_SIZE);
	if (rc)
		fail("open-sparse: punching holes", rc);
}

/* ---- setup ------------------------------------------------------------------- */

static const char *fs_name(const char *dir)
{
	struct statfs s;

	if (statfs(dir, &s))
		return "?";
	switch ((unsigned long)s.f_type) {
	case 0xEF53: return "ext4";
	case 0x01021994: return "tmpfs";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x794c7630: return "overlayfs";
	default: return "other";
	}
}

/* The libdaxdev pool, kept open for punching; 0 or -errno. */
static int make_pool(struct open_dir *d)
{
	for (int i = 0; i < OPEN_POOL; i++) {
		int rc;

		snprintf(d->pool[i], sizeof(d->pool[i]), "%s/daxdev-bench-%d.open-pool%d",
			 d->dir, (int)getpid(), i);
		rc = open_file_make(d->pool[i], OPEN_FILE_SIZE, true);
		if (rc)
			return rc;
		d->pool_fd[i] = open(d->pool[i], O_RDWR | O_CLOEXEC);
		if (d->pool_fd[i] < 0)
			return -errno;
	}
	return 0;
}

/* Whether punching made holes here (a filesystem may not support it). */
static bool has_holes(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool holes;

	if (fd < 0)
		return false;
	holes = open_file_unallocated(fd) > 0 &&
		lseek(fd, 0, SEEK_HOLE) < (off_t)OPEN_FILE_SIZE;
	close(fd);
	return holes;
}

static void setup_dir(struct open_dir *d)
{
	int rc;

	for (int i = 0; i < OPEN_POOL; i++)
		d->pool_fd[i] = -1;
	snprintf(d->full, sizeof(d->full), "%s/daxdev-bench-%d.open-full", d->dir, (int)getpid());
	snprintf(d->sparse, sizeof(d->sparse), "%s/daxdev-bench-%d.open-sparse", d->dir,
		 (int)getpid());
	rc = open_file_make(d->full, OPEN_FILE_SIZE, false);
	if (!rc)
		rc = open_file_make(d->sparse, OPEN_FILE_SIZE, true);
	if (!rc)
		rc = make_pool(d);
	if (rc) {
		snprintf(d->bk.note, sizeof(d->bk.note), "%s: cannot make the files: %s",
			 d->dir, strerror(-rc));
		return;
	}
	d->sparse_ok = has_holes(d->sparse);
	snprintf(d->bk.note, sizeof(d->bk.note),
		 "16 MiB files in %s (%s), written whole%s; libpmem: pmem_map_file(path, 0, 0, 0) "
		 "+ pmem_unmap (PMEM_IS_PMEM_FORCE=1); libdaxdev: daxdev_open(path, NULL) + "
		 "daxdev_put", d->dir, fs_name(d->dir),
		 d->sparse_ok ? "; sparse: a 4 KiB hole at the end of every MiB" :
		 "; no holes after punching: no open-sparse");
	d->bk.ok = true;
}

void setup_open_cost(void)
{
	bool want = selected("open-full") || selected("open-sparse");

	for (int i = 0; i < NDIRS; i++) {
		if (want)
			setup_dir(&dirs[i]);
		else
			snprintf(dirs[i].bk.note, sizeof(dirs[i].bk.note), "not selected");
	}
}

/* ---- table, report, teardown --------------------------------------------------- */

static void add_dir(struct open_dir *d)
{
	static const uint64_t size[1] = { OPEN_FILE_SIZE };
	struct workload *w;

	w = add("open-full", "open + close of a 16 MiB file without holes", &d->bk, OPEN, size, 1);
	w->bandwidth = false;
	w->ref = impl(w, "pmem_map_file+pmem_unmap", op_pmem_full, NULL);
	cand(w, "daxdev_open+daxdev_put", op_dax_full, NULL);
	cand(w, "daxdev_open(SPARSE: no hole check)+put", op_dax_full_nocheck, NULL);
	if (!d->sparse_ok)
		return;
	w = add("open-sparse", "open + close of a 16 MiB file with 16 holes", &d->bk, OPEN,
		size, 1);
	w->bandwidth = false;
	w->batch_cap = OPEN_POOL * OPEN_FILE_SIZE;
	w->ref = impl(w, "pmem_map_file+pmem_unmap", op_pmem_sparse, NULL);
	cand(w, "daxdev_open+daxdev_put (fills the holes)", op_dax_sparse, prep_dax_sparse);
}

void add_open_workloads(void)
{
	for (int i = 0; i < NDIRS; i++)
		if (dirs[i].bk.ok)
			add_dir(&dirs[i]);
}

int open_cost_backings(struct backing **bks, int max)
{
	int n = 0;

	for (int i = 0; i < NDIRS && n < max; i++)
		bks[n++] = &dirs[i].bk;
	return n;
}

void teardown_open_cost(void)
{
	for (int i = 0; i < NDIRS; i++) {
		struct open_dir *d = &dirs[i];

		if (!d->full[0])
			continue; /* never set up */
		for (int j = 0; j < OPEN_POOL; j++) {
			check_filled(d, j);
			if (d->pool_fd[j] >= 0)
				close(d->pool_fd[j]);
			unlink(d->pool[j]);
		}
		unlink(d->full);
		unlink(d->sparse);
	}
}
