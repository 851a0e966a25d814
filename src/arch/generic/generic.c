/* SPDX-License-Identifier: MIT */
/*
 * Portable implementations: ordinary stores and a sequentially consistent
 * fence.  Plain C has no way to write a CPU cache line back to memory, so
 * this build offers no flush and no invalidate: the core refuses devices
 * that need one (write cache on and no flush of the provider's own) instead
 * of pretending they are durable.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include <arch/arch_env.h>
#include <daxdev/provider.h>

/* Words other builds know, accepted here only to say they cannot be had. */
static const char *const flush_words[] = { "clwb", "clflushopt", "clflush",
					   "dc-cvap", "dc-cvac" };
static const char *const isa_words[] = {
	"movdir64b", "avx512", "avx2", "sse2", "generic",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void drain_fence(void)
{
	atomic_thread_fence(memory_order_seq_cst);
}

/* Only reached with a flush of nothing: without a write-back instruction
 * the core never builds the CPU write-back path (see arch.h). */
static void copy_temporal(void *dst, const void *src, size_t len,
			  void (*flush)(const void *, size_t))
{
	(void)flush;
	memcpy(dst, src, len);
}

static void fill_temporal(void *dst, int c, size_t len,
			  void (*flush)(const void *, size_t))
{
	(void)flush;
	memset(dst, c, len);
}

static int check_policy(const struct daxdev_arch_policy *policy)
{
	int flush, isa, rc;

	rc = daxdev_arch_find_word(policy->flush_origin, policy->flush, flush_words,
				   ARRAY_LEN(flush_words), &flush);
	if (rc)
		return rc;
	if (flush >= 0)
		return daxdev_err(-ENOTSUP,
				  "%s=%s: the portable build (-Darch=generic) has no cache write-back instruction",
				  policy->flush_origin, flush_words[flush]);
	/* Every ISA cap leads to the same choice here, but a typo should still
	 * be reported as on x86-64. */
	return daxdev_arch_find_word(policy->isa_origin, policy->isa, isa_words,
				     ARRAY_LEN(isa_words), &isa);
}

const char *daxdev_arch_cpu_summary(void)
{
	return "generic: no CPU-specific copy or write-back";
}

int daxdev_arch_select(const struct daxdev_arch_policy *policy, struct daxdev_arch *out)
{
	static const struct daxdev_arch_policy no_limits;
	int rc = check_policy(policy ? policy : &no_limits);

	if (rc)
		return rc;
	*out = (struct daxdev_arch){
		.copy_name = "memcpy",
		.fill_name = "memset",
		.flush_name = "none",
		.drain_name = "fence",
		.invalidate_name = "none",
		.nt_threshold = SIZE_MAX,   /* nothing non-temporal to switch to */
		.copy_nt = copy_temporal,
		.fill_nt = fill_temporal,
		.flush = NULL,
		.drain = drain_fence,
		.invalidate = NULL,
		.copy_nt_crc = NULL,
	};
	return 0;
}

daxdev_crc32c_fn daxdev_arch_crc32c_impl(size_t i, const char **name)
{
	if (i)
		return NULL;
	if (name)
		*name = "table";
	return daxdev_crc32c_sw;
}

daxdev_crc32c_fn daxdev_arch_crc32c(void)
{
	return daxdev_crc32c_sw;
}
