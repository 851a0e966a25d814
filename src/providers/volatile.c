/* SPDX-License-Identifier: MIT */
/*
 * Volatile provider: anonymous memory.  Nothing in it survives power loss, so
 * it declares persistence volatile and write cache off, and the core then
 * copies with plain memcpy and never flushes.  One flat mapping: the core
 * computes page addresses itself (no direct_access op).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "providers.h"

struct volatile_mem {
	void *addr;
	size_t len;
};

static void volatile_release(struct daxdev *dev);
static int volatile_clear(struct daxdev *dev, uint64_t offset, uint64_t len);

static const struct daxdev_operations volatile_ops = {
	.sz = sizeof(struct daxdev_operations),
	.release = volatile_release,
	.badblock_clear = volatile_clear,
};

/* New zero pages in place of the old ones (a poisoned anonymous page is
 * simply dropped by the kernel when unmapped). */
static int volatile_clear(struct daxdev *dev, uint64_t offset, uint64_t len)
{
	struct volatile_mem *m = daxdev_private(dev, &volatile_ops);
	void *at = (char *)m->addr + offset;

	if (mmap(at, (size_t)len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
		return daxdev_err(-errno, "anon: cannot replace [%llu, +%llu): %s",
				  (unsigned long long)offset, (unsigned long long)len, strerror(errno));
	return 0;
}

static void volatile_release(struct daxdev *dev)
{
	struct volatile_mem *m = daxdev_private(dev, &volatile_ops);

	munmap(m->addr, m->len);
	free(m);
}

static int volatile_size(const struct daxdev_open_args *args, long page_size, size_t *len)
{
	uint64_t size = args->opts->size;
	int rc;

	if (args->target[0]) {
		rc = daxdev_parse_size(args->target, &size);
		if (rc)
			return daxdev_err(rc, "anon:%s: expected a size such as anon:64M",
					  args->target);
		if (args->opts->size && args->opts->size != size)
			return daxdev_err(-EINVAL, "anon:%s: size option %llu disagrees with the target",
					  args->target, (unsigned long long)args->opts->size);
	}
	if (size == 0)
		return daxdev_err(-EINVAL, "anon: a size is required, e.g. anon:64M");
	if (size > SIZE_MAX - (uint64_t)page_size || size > (UINT64_C(1) << 47))
		return daxdev_err(-ENOMEM, "anon: size %llu is larger than an address space allows",
				  (unsigned long long)size);
	*len = (size_t)((size + (uint64_t)page_size - 1) & ~((uint64_t)page_size - 1));
	return 0;
}

static int volatile_open(const struct daxdev_open_args *args, struct daxdev **devp)
{
	long page_size = sysconf(_SC_PAGESIZE);
	bool readonly = args->opts->flags & DAXDEV_OPEN_READONLY;
	struct volatile_mem *m;
	int rc;

	m = calloc(1, sizeof(*m));
	if (!m)
		return daxdev_err(-ENOMEM, "anon: out of memory");
	rc = volatile_size(args, page_size, &m->len);
	if (rc)
		goto err_free;
	m->addr = mmap(NULL, m->len, readonly ? PROT_READ : PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->addr == MAP_FAILED) {
		rc = daxdev_err(-errno, "anon: cannot map %zu bytes: %s", m->len, strerror(errno));
		goto err_free;
	}
	struct daxdev_params params = {
		.sz = sizeof(params), .provider = "anon", .host = "anon", .size = m->len,
		.align = (uint64_t)page_size, .base = m->addr,
		.persistence = DAXDEV_PERSISTENCE_VOLATILE,
		.persistence_reason = "anonymous memory", .write_cache = false,
		.flat_mapping = true, .unshared = true, .readonly = readonly,
		.opts = args->opts,
	};
	rc = daxdev_alloc(&volatile_ops, &params, m, devp);
	if (rc)
		goto err_unmap;
	return 0;

err_unmap:
	munmap(m->addr, m->len);
err_free:
	free(m);
	return rc;
}

DAXDEV_PROVIDER_ENTRY const struct daxdev_provider daxdev_provider_anon = {
	.name = "anon",
	.prefix = "anon:",
	.open = volatile_open,
};
