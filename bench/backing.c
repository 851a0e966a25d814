/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: memory backings and the bench-local provider
 * (interface in backing.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libpmem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <daxdev.h>
#include <daxdev/provider.h>

#include "backing.h"

struct backing bk_anon = { .name = "anon" }, bk_shm = { .name = "shm" },
	       bk_vol = { .name = "volatile" };

void prefault(char *p, uint64_t len)
{
	for (uint64_t o = 0; o < len; o += 4096)
		p[o] = 1;
	memset(p, 0, len);
}

char *map_whole(struct daxdev *dev, uint64_t size)
{
	uint64_t align = daxdev_align(dev);
	void *addr = NULL;
	long n = daxdev_direct_access(dev, 0, (long)(size / align), &addr);

	if (n < 0 || (uint64_t)n * align < size)
		return NULL;
	return addr;
}

void describe(struct backing *b, const char *extra)
{
	struct daxdev_info in = DAXDEV_INFO_INIT;

	if (daxdev_get_info(b->dev, &in)) {
		snprintf(b->note, sizeof(b->note), "%s", extra);
		return;
	}
	snprintf(b->note, sizeof(b->note),
		 "provider %s, write cache %s (%s), copy %s, fill %s, flush %s, drain %s, nt_threshold %zu%s%s",
		 in.provider, in.write_cache ? "on" : "off", in.write_cache_reason,
		 in.copy_impl, in.fill_impl, in.flush_impl, in.drain_impl, in.nt_threshold,
		 *extra ? "; " : "", extra);
}

/* ---- the bench-local provider ---------------------------------------------- */

/*
 * One MAP_SHARED mapping, declared persistent with the write cache on, and
 * no flush op, so that the core does what libpmem does on it (CPU cache
 * write-back + fence).  The library's own file provider treats tmpfs as
 * volatile memory (nothing to flush) or, with the write cache forced on,
 * flushes with msync; that is measured separately as "fsdax/msync".
 */
struct shmmap { void *addr; size_t len; bool own; };

static const struct daxdev_operations shmmap_ops;

static void shmmap_release(struct daxdev *dev)
{
	struct shmmap *m = daxdev_private(dev, &shmmap_ops);

	if (m->own)
		munmap(m->addr, m->len);
	free(m);
}

/* One flat mapping: the core computes page addresses itself. */
static const struct daxdev_operations shmmap_ops = {
	.sz = sizeof(struct daxdev_operations),
	.release = shmmap_release,
};

/* A --variant "DAXDEV_X=VALUE" as the open option it stands for. */
static int variant_opts(const char *variant, struct daxdev_open_opts *o)
{
	const char *eq = strchr(variant, '=');
	uint64_t v;

	if (!eq)
		return -EINVAL;
	if (!strncmp(variant, "DAXDEV_NT_THRESHOLD=", 20) && !daxdev_parse_size(eq + 1, &v))
		o->nt_threshold = v ? (size_t)v : 1;
	else if (!strcmp(variant, "DAXDEV_NT=0"))
		o->nt_threshold = DAXDEV_NT_NEVER;
	else if (!strncmp(variant, "DAXDEV_ISA=", 11))
		o->isa = eq + 1;
	else if (!strncmp(variant, "DAXDEV_FLUSH=", 13))
		o->flush = eq + 1;
	else
		return -EINVAL;
	return 0;
}

/* Another device over memory someone else owns (the anon region), created
 * with one policy override (e.g. DAXDEV_NT_THRESHOLD=64, given as an open
 * option): the same memory through another policy, measured in the same
 * rounds. */
static int view_open(void *addr, uint64_t size, const char *host, const char *variant,
		     struct daxdev **devp)
{
	DAXDEV_OPEN_OPTS(opts, .write_cache = DAXDEV_WRITE_CACHE_ON);
	struct shmmap *m = calloc(1, sizeof(*m));
	int rc;

	if (!m || variant_opts(variant, &opts)) {
		free(m);
		return -EINVAL;
	}
	m->addr = addr;
	m->len = size;
	struct daxdev_params p = {
		.sz = sizeof(p), .provider = "bench-view", .host = host, .size = size,
		.align = 4096, .base = addr, .persistence = DAXDEV_PERSISTENCE_PERSISTENT,
		.persistence_reason = "bench: treated as pmem", .write_cache = true,
		.flat_mapping = true, .unshared = true, .opts = &opts,
	};
	rc = daxdev_alloc(&shmmap_ops, &p, m, devp);
	if (rc)
		free(m);
	else
		daxdev_set_write_cache(*devp, true);
	return rc;
}

int shmmap_open(const char *path, uint64_t size, struct daxdev **devp)
{
	struct shmmap *m = calloc(1, sizeof(*m));
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), rc;

	if (!m || fd < 0 || ftruncate(fd, (off_t)size)) {
		if (fd >= 0)
			close(fd);
		free(m);
		return -errno;
	}
	m->len = size;
	m->own = true;
	m->addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m->addr == MAP_FAILED) {
		free(m);
		return -errno;
	}
	struct daxdev_params p = {
		.sz = sizeof(p), .provider = "bench-shmmap", .host = path, .size = size, .align = 4096,
		.base = m->addr, .persistence = DAXDEV_PERSISTENCE_PERSISTENT,
		.persistence_reason = "bench: treated as pmem, like PMEM_IS_PMEM_FORCE",
		/* a file mapped whole, like fsdax with MAP_SYNC: a flat device */
		.write_cache = true, .flat_mapping = true, .unshared = true,
	};
	rc = daxdev_alloc(&shmmap_ops, &p, m, devp);
	if (rc) {
		munmap(m->addr, m->len);
		free(m);
	}
	return rc;
}

/* ---- backings ------------------------------------------------------------- */

/* The cfg.variant views over b's memory; their note goes to extra. */
static void open_views(struct backing *b, char *extra, size_t len)
{
	int n = snprintf(extra, len, "libpmem runs on the same anonymous region");

	for (int i = 0; i < cfg.nvariant; i++) {
		char host[64];
		int rc;

		snprintf(host, sizeof(host), "bench-anon-view%d", i);
		rc = view_open(b->dax, b->size, host, cfg.variant[i], &b->view[i]);
		n += snprintf(extra + n, len - n,
			      "; \"[%s]\" rows: another libdaxdev device over the same memory, created with %s%s",
			      cfg.variant[i], cfg.variant[i], rc ? " (FAILED)" : "");
		if ((size_t)n >= len)
			break;
	}
}

int setup_anon(struct backing *b, bool write_cache, const char *target)
{
	char extra[400] = "";
	int rc = daxdev_open(target, NULL, &b->dev);

	if (rc) {
		snprintf(b->note, sizeof(b->note), "daxdev_open(%s): %s", target,
			 daxdev_errormsg());
		return rc;
	}
	rc = daxdev_set_write_cache(b->dev, write_cache);
	if (rc)
		return rc;
	b->size = daxdev_size(b->dev);
	b->dax = b->pm = map_whole(b->dev, b->size);
	if (!b->dax) {
		snprintf(b->note, sizeof(b->note), "direct_access: %s", daxdev_errormsg());
		return -EIO;
	}
	prefault(b->dax, b->size);
	if (write_cache)
		open_views(b, extra, sizeof(extra));
	describe(b, extra);
	b->ok = true;
	return 0;
}

static char shm_dax_path[128], shm_pmem_path[128];

/* libpmem's file and the bench provider's, both cfg.region bytes. */
static int shm_regions(struct backing *b, size_t *mapped, int *is_pmem)
{
	int rc;

	snprintf(shm_pmem_path, sizeof(shm_pmem_path), "/dev/shm/daxdev-bench-%d.pmem",
		 (int)getpid());
	snprintf(shm_dax_path, sizeof(shm_dax_path), "/dev/shm/daxdev-bench-%d.dax",
		 (int)getpid());
	b->pm = pmem_map_file(shm_pmem_path, cfg.region, PMEM_FILE_CREATE, 0600, mapped,
			      is_pmem);
	if (!b->pm) {
		snprintf(b->note, sizeof(b->note), "pmem_map_file: %s", pmem_errormsg());
		return -EIO;
	}
	unlink(shm_pmem_path);
	rc = shmmap_open(shm_dax_path, cfg.region, &b->dev);
	unlink(shm_dax_path);
	if (rc) {
		snprintf(b->note, sizeof(b->note), "shm mapping for libdaxdev: %s",
			 strerror(-rc));
		pmem_unmap(b->pm, *mapped);
		b->pm = NULL;
	}
	return rc;
}

/* The library's own file provider on a small tmpfs file, write cache
 * forced on: what daxdev_open("/dev/shm/...") really does. */
static void shm_file_provider(struct backing *b, int is_pmem, char *extra, size_t len)
{
	uint64_t fs_size = 256 * MiB < cfg.region ? 256 * MiB : cfg.region;
	char target[160], fs_path[128];
	DAXDEV_OPEN_OPTS(create, .size = fs_size, .flags = DAXDEV_OPEN_CREATE);
	int rc;

	snprintf(fs_path, sizeof(fs_path), "/dev/shm/daxdev-bench-%d.fsdax", (int)getpid());
	snprintf(target, sizeof(target), "file:%s", fs_path);
	rc = daxdev_open(target, &create, &b->dev2);
	unlink(fs_path);
	if (rc) {
		snprintf(extra, len, "libpmem: pmem_map_file, is_pmem=%d; libdaxdev file provider: %s",
			 is_pmem, daxdev_errormsg());
		b->dev2 = NULL;
		return;
	}
	struct daxdev_info in = DAXDEV_INFO_INIT;
	bool wc_default = daxdev_write_cache(b->dev2) == 1;
	daxdev_set_write_cache(b->dev2, true);
	b->dax2 = map_whole(b->dev2, fs_size);
	b->size2 = fs_size;
	if (b->dax2)
		prefault(b->dax2, fs_size);
	daxdev_get_info(b->dev2, &in);
	snprintf(extra, len,
		 "libpmem: pmem_map_file, is_pmem=%d; \"fsdax/msync\" rows: libdaxdev's own file provider on tmpfs (default write cache %s, forced on: copy %s, flush %s)",
		 is_pmem, wc_default ? "on" : "off", in.copy_impl, in.flush_impl);
	if (!b->dax2) {
		daxdev_put(b->dev2);
		b->dev2 = NULL;
	}
}

int setup_shm(struct backing *b)
{
	size_t mapped = 0;
	int is_pmem = 0, rc = shm_regions(b, &mapped, &is_pmem);
	char extra[400];

	if (rc)
		return rc;
	rc = daxdev_set_write_cache(b->dev, true);
	if (rc)
		return rc;
	b->size = cfg.region;
	b->dax = map_whole(b->dev, b->size);
	if (!b->dax) {
		snprintf(b->note, sizeof(b->note), "direct_access: %s", daxdev_errormsg());
		return -EIO;
	}
	prefault(b->dax, b->size);
	prefault(b->pm, b->size);
	shm_file_provider(b, is_pmem, extra, sizeof(extra));
	describe(b, extra);
	b->ok = true;
	return 0;
}

void teardown_backings(void)
{
	for (int v = 0; v < MAX_VARIANTS; v++)
		if (bk_anon.view[v])
			daxdev_put(bk_anon.view[v]);
	if (bk_anon.dev)
		daxdev_put(bk_anon.dev);
	if (bk_shm.dev)
		daxdev_put(bk_shm.dev);
	if (bk_shm.dev2)
		daxdev_put(bk_shm.dev2);
	if (bk_vol.dev)
		daxdev_put(bk_vol.dev);
}
