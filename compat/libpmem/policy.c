/* SPDX-License-Identifier: MIT */
/*
 * The PMEM_* environment variables (read once, like libpmem), the messages
 * of pmem_errormsg(), and what happens on an address that is in no
 * pmem_map_file() mapping: what PMDK's libpmem does everywhere — write back
 * the CPU cache and fence, unless every nvdimm region flushes the CPU cache
 * on power loss — with the copy and flush loops of src/arch.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <daxdev/provider.h>

#include "compat.h"
#include "libpmem.h"

static struct pmemc_policy policy;
static pthread_once_t policy_once = PTHREAD_ONCE_INIT;

/* "0" or "1" (what libpmem tests for); anything else counts as unset. */
static int env_01(const char *name)
{
	const char *v = secure_getenv(name);

	if (v && !strcmp(v, "0"))
		return 0;
	if (v && !strcmp(v, "1"))
		return 1;
	return -1;
}

static bool arch_has(const char *flush_word)
{
	struct daxdev_arch_policy want = { .flush = flush_word, .flush_origin = "PMEM_NO_CLWB" };
	struct daxdev_arch a;

	return daxdev_arch_select(&want, &a) == 0 && a.flush;
}

/* PMEM_NO_CLWB / PMEM_NO_CLFLUSHOPT as a libdaxdev flush word, or NULL for
 * "the best the CPU has". */
static const char *flush_word(const struct daxdev_arch *best)
{
	bool no_clwb = env_01("PMEM_NO_CLWB") == 1;
	bool no_clflushopt = env_01("PMEM_NO_CLFLUSHOPT") == 1;
	const char *name = best->flush_name;

	if (!best->flush)
		return NULL;
	if (no_clwb && !strcmp(name, "clwb"))
		name = arch_has("clflushopt") ? "clflushopt" : "clflush";
	if (no_clflushopt && !strcmp(name, "clflushopt"))
		name = "clflush";
	return strcmp(name, best->flush_name) ? name : NULL;
}

static size_t nt_threshold(void)
{
	const char *v = secure_getenv("PMEM_MOVNT_THRESHOLD");
	unsigned long long n;
	char *end;

	if (env_01("PMEM_NO_MOVNT") == 1)
		return DAXDEV_NT_NEVER;
	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno || *end || n >= SIZE_MAX)
		return 0;  /* libpmem ignores what it cannot read, too */
	return n ? (size_t)n : 1;  /* 0: always stream (libdaxdev's 0 is "default") */
}

static void policy_init(void)
{
	struct daxdev_arch best;
	struct daxdev_arch_policy want = { .flush_origin = "PMEM_NO_CLWB",
					   .isa_origin = "libpmem" };

	daxdev_arch_select(NULL, &best);
	policy.no_flush = env_01("PMEM_NO_FLUSH");
	policy.flush_word = flush_word(&best);
	policy.nt_threshold = nt_threshold();
	want.flush = policy.flush_word;
	want.nt_threshold = policy.nt_threshold;
	if (daxdev_arch_select(&want, &policy.arch))
		policy.arch = best;
	if (policy.no_flush >= 0)
		policy.fallback_flush = !policy.no_flush;
	else
		policy.fallback_flush = pmemc_auto_flush() != 1;
	daxdev_errormsg_clear();
}

PMEMC_HIDDEN const struct pmemc_policy *pmemc_policy(void)
{
	pthread_once(&policy_once, policy_init);
	return &policy;
}

PMEMC_HIDDEN void pmemc_open_opts(struct daxdev_open_opts *opts)
{
	const struct pmemc_policy *p = pmemc_policy();

	opts->write_cache = p->no_flush == 1 ? DAXDEV_WRITE_CACHE_OFF :
			    p->no_flush == 0 ? DAXDEV_WRITE_CACHE_ON : DAXDEV_WRITE_CACHE_AUTO;
	opts->flush = p->flush_word;
	opts->nt_threshold = p->nt_threshold;
}

/* Not cached at load time: libpmem reads it at the first question, so a
 * program may still set it before it opens its first pool. */
PMEMC_HIDDEN int pmemc_is_pmem_force(void)
{
	static atomic_int force = -2;
	int f = atomic_load_explicit(&force, memory_order_relaxed);

	if (f == -2) {
		f = env_01("PMEM_IS_PMEM_FORCE");
		atomic_store_explicit(&force, f, memory_order_relaxed);
	}
	return f;
}

/* --- messages ------------------------------------------------------ */

static _Thread_local char errmsg[512];

PMEMC_HIDDEN void pmemc_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	if (err)
		errno = err;
}

PMEM_API const char *pmem_errormsg(void)
{
	return errmsg;
}

PMEM_API const char *pmem_check_version(unsigned major_required, unsigned minor_required)
{
	if (major_required != PMEM_MAJOR_VERSION) {
		pmemc_err(0, "libpmem major version mismatch (need %u, found %u)",
			  major_required, PMEM_MAJOR_VERSION);
		return errmsg;
	}
	if (minor_required > PMEM_MINOR_VERSION) {
		pmemc_err(0, "libpmem minor version mismatch (need %u, found %u)",
			  minor_required, PMEM_MINOR_VERSION);
		return errmsg;
	}
	return NULL;
}

/* --- the platform: does every region flush the CPU cache itself? --- */

static bool region_flushes_cpu_cache(const char *dir, const char *region)
{
	char path[PATH_MAX + 320], text[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%.255s/persistence_domain", dir, region);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(text, sizeof(text), f))
		text[0] = '\0';
	fclose(f);
	text[strcspn(text, "\n")] = '\0';
	return !strcmp(text, "cpu_cache");
}

PMEMC_HIDDEN int pmemc_auto_flush(void)
{
	char dir[PATH_MAX];
	struct dirent *e;
	int regions = 0, all = 1;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/sys/bus/nd/devices", daxdev_sysfs_root());
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno; /* no nvdimm bus: nothing flushes */
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "region", 6))
			continue;
		regions++;
		if (!region_flushes_cpu_cache(dir, e->d_name))
			all = 0;
	}
	closedir(d);
	return regions && all;
}

/* --- addresses in no mapping --------------------------------------- */

/* Without a write-back instruction (the portable build) only the kernel
 * can write a mapping back: msync, whatever the memory is. */
static void msync_pages(const void *addr, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)addr & ~(page - 1);

	msync((void *)start, (uintptr_t)addr + len - start, MS_SYNC);
}

PMEMC_HIDDEN void pmemc_fallback_flush(const void *addr, size_t len, bool deep)
{
	const struct pmemc_policy *p = pmemc_policy();

	if (!len || (!deep && !p->fallback_flush))
		return;
	if (p->arch.flush)
		p->arch.flush(addr, len);
	else
		msync_pages(addr, len);
}

PMEMC_HIDDEN void pmemc_fallback_drain(void)
{
	pmemc_policy()->arch.drain();
}

/* Non-temporal stores when asked for (NONTEMPORAL or WC without TEMPORAL or
 * WB) or, unasked, from the threshold up; never for overlapping ranges. */
static bool stream_it(const struct pmemc_policy *p, uintptr_t d, uintptr_t s, size_t len,
		      unsigned flags)
{
	bool nt = flags & (PMEM_F_MEM_NONTEMPORAL | PMEM_F_MEM_WC);
	bool t = flags & (PMEM_F_MEM_TEMPORAL | PMEM_F_MEM_WB);

	if (!p->arch.flush || p->arch.nt_threshold == SIZE_MAX || (d - s < len || s - d < len))
		return false;
	if (nt != t)
		return nt;
	return len >= p->arch.nt_threshold;
}

PMEMC_HIDDEN void pmemc_fallback_memmove(void *dst, const void *src, size_t len,
					 unsigned flags)
{
	const struct pmemc_policy *p = pmemc_policy();

	if ((flags & PMEM_F_MEM_NOFLUSH) || !p->fallback_flush) {
		memmove(dst, src, len);
	} else if (stream_it(p, (uintptr_t)dst, (uintptr_t)src, len, flags)) {
		p->arch.copy_nt(dst, src, len, p->arch.flush);
	} else {
		memmove(dst, src, len);
		pmemc_fallback_flush(dst, len, false);
	}
	if (!(flags & (PMEM_F_MEM_NODRAIN | PMEM_F_MEM_NOFLUSH)))
		p->arch.drain();
}

PMEMC_HIDDEN void pmemc_fallback_memset(void *dst, int c, size_t len, unsigned flags)
{
	const struct pmemc_policy *p = pmemc_policy();

	if ((flags & PMEM_F_MEM_NOFLUSH) || !p->fallback_flush) {
		memset(dst, c, len);
	} else if (stream_it(p, (uintptr_t)dst, (uintptr_t)dst + len, len, flags)) {
		p->arch.fill_nt(dst, c, len, p->arch.flush);
	} else {
		memset(dst, c, len);
		pmemc_fallback_flush(dst, len, false);
	}
	if (!(flags & (PMEM_F_MEM_NODRAIN | PMEM_F_MEM_NOFLUSH)))
		p->arch.drain();
}
