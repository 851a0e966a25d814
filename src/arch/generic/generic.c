/* SPDX-License-Identifier: MIT */
/*
 * Portable implementations: ordinary stores, msync() for write-back and a
 * sequentially consistent fence for ordering.  No CPU instruction is assumed,
 * so DAXDEV_FLUSH may only name "msync".
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <arch/arch_env.h>
#include <daxdev/provider.h>

static const char *const flush_words[] = { "msync", "clwb", "clflushopt", "clflush" };
static const char *const isa_words[] = { "avx512", "avx2", "sse2", "generic" };

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* msync is the only portable write-back; it works on whole pages.  The
 * flush signature has no way to report failure: a range that is not a
 * shared file mapping has nothing to write back anyway. */
static void flush_msync(const void *addr, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)addr & ~(page - 1);
	uintptr_t end = ((uintptr_t)addr + len + page - 1) & ~(page - 1);

	if (len)
		(void)msync((void *)start, end - start, MS_SYNC);
}

static void drain_fence(void)
{
	atomic_thread_fence(memory_order_seq_cst);
}

static void copy_temporal(void *dst, const void *src, size_t len,
			  void (*flush)(const void *, size_t))
{
	if (!len)
		return;
	memcpy(dst, src, len);
	flush(dst, len);
}

static void fill_temporal(void *dst, int c, size_t len,
			  void (*flush)(const void *, size_t))
{
	if (!len)
		return;
	memset(dst, c, len);
	flush(dst, len);
}

static int check_env(void)
{
	int flush, isa, rc;
	bool nt_allowed;
	size_t threshold = 0;

	rc = daxdev_arch_env_word("DAXDEV_FLUSH", flush_words,
				  ARRAY_LEN(flush_words), &flush);
	if (rc)
		return rc;
	if (flush > 0)
		return daxdev_err(-ENOTSUP,
				  "DAXDEV_FLUSH=%s: not available in the generic build (only msync)",
				  flush_words[flush]);
	/* Every ISA cap and DAXDEV_NT value leads to the same choice here, but
	 * a typo should still be reported as on x86-64. */
	rc = daxdev_arch_env_word("DAXDEV_ISA", isa_words, ARRAY_LEN(isa_words), &isa);
	if (rc)
		return rc;
	rc = daxdev_arch_env_nt_allowed(&nt_allowed);
	if (rc)
		return rc;
	return daxdev_arch_env_nt_threshold(&threshold);
}

const char *daxdev_arch_cpu_summary(void)
{
	return "generic: no CPU-specific copy or write-back";
}

int daxdev_arch_select(struct daxdev_arch *out)
{
	int rc = check_env();

	if (rc)
		return rc;
	*out = (struct daxdev_arch){
		.copy_name = "memcpy",
		.fill_name = "memset",
		.flush_name = "msync",
		.drain_name = "fence",
		.nt_threshold = SIZE_MAX,   /* nothing non-temporal to switch to */
		.copy_nt = copy_temporal,
		.fill_nt = fill_temporal,
		.flush = flush_msync,
		.drain = drain_fence,
	};
	return 0;
}

daxdev_crc32c_fn daxdev_arch_crc32c(void)
{
	return daxdev_crc32c_sw;
}
