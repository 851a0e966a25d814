/* SPDX-License-Identifier: MIT */
/*
 * arm64 CPU feature detection (the kernel's HWCAP bits, CTR_EL0) and the
 * choice of write-back, invalidate, drain and CRC.  The write-back choice
 * walks a table ordered best first and takes the first entry the CPU
 * supports and the policy allows.
 *
 * Copies are ordinary stores followed by the write-back: arm64 has no store
 * that bypasses the cache on its way to the point of persistence (STNP is a
 * hint that the line may still be allocated, so it needs the same DC CVAP).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

#include <arch/arch_env.h>
#include <daxdev/provider.h>

#include "aarch64.h"

/* The kernel's bits (asm/hwcap.h), spelled here so that a libc without the
 * header still builds: the numbers are ABI. */
#define AARCH64_HWCAP_CRC32 (1ul << 7)
#define AARCH64_HWCAP_DCPOP (1ul << 16)

enum aarch64_feature {
	FEAT_CRC32 = 1u << 0,
	FEAT_DCPOP = 1u << 1,
};

/* Names as /proc/cpuinfo spells them. */
static const struct {
	unsigned bit;
	unsigned long hwcap;
	const char *name;
} feature_names[] = {
	{ FEAT_CRC32, AARCH64_HWCAP_CRC32, "crc32" },
	{ FEAT_DCPOP, AARCH64_HWCAP_DCPOP, "dcpop" },
};

struct flush_impl {
	const char *name;
	unsigned needs;
	daxdev_flush_fn fn;
};

static const struct flush_impl flush_impls[] = {
	{ "dc-cvap", FEAT_DCPOP, daxdev_aarch64_flush_cvap },
	{ "dc-cvac", 0, daxdev_aarch64_flush_cvac },
};

/* The flush policy words, in flush_impls order. */
static const char *const flush_words[] = { "dc-cvap", "dc-cvac" };
/* No streaming copy exists here: the only ISA word is the plain one. */
static const char *const isa_words[] = { "generic" };

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(ARRAY_LEN(flush_words) == ARRAY_LEN(flush_impls),
	       "one flush word per write-back implementation");

size_t daxdev_aarch64_dline = 64;   /* replaced from CTR_EL0 at detection */

static pthread_once_t detect_once = PTHREAD_ONCE_INIT;
static unsigned cpu_features;
static char cpu_summary[128];

#ifdef DAXDEV_ARCH_TESTING
/* Tests pretend the CPU lacks features by clearing bits of this mask. */
static unsigned features_mask = ~0u;

DAXDEV_HIDDEN void daxdev_arch_test_mask_features(const char *const *names,
						  size_t count);
void daxdev_arch_test_mask_features(const char *const *names, size_t count)
{
	features_mask = ~0u;
	for (size_t i = 0; i < count; i++)
		for (size_t f = 0; f < ARRAY_LEN(feature_names); f++)
			if (strcmp(names[i], feature_names[f].name) == 0)
				features_mask &= ~feature_names[f].bit;
}
#define FEATURES() (cpu_features & features_mask)
#else
#define FEATURES() (cpu_features)
#endif

/* CTR_EL0.DminLine (bits 19:16): log2 of the smallest data cache line in
 * 4-byte words.  Linux lets EL0 read it (or traps and answers the
 * system-wide minimum), so the loops never step over a line. */
static size_t read_dline(void)
{
	uint64_t ctr;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	return (size_t)4 << ((ctr >> 16) & 0xf);
}

static void detect_once_fn(void)
{
	unsigned long hwcap = getauxval(AT_HWCAP);
	size_t used;

	for (size_t f = 0; f < ARRAY_LEN(feature_names); f++)
		if (hwcap & feature_names[f].hwcap)
			cpu_features |= feature_names[f].bit;
	daxdev_aarch64_dline = read_dline();
	used = (size_t)snprintf(cpu_summary, sizeof(cpu_summary), "aarch64:");
	for (size_t f = 0; f < ARRAY_LEN(feature_names); f++)
		if (cpu_features & feature_names[f].bit && used < sizeof(cpu_summary))
			used += (size_t)snprintf(cpu_summary + used,
						 sizeof(cpu_summary) - used,
						 " %s", feature_names[f].name);
	if (used < sizeof(cpu_summary))
		snprintf(cpu_summary + used, sizeof(cpu_summary) - used,
			 " dline=%zu", daxdev_aarch64_dline);
}

const char *daxdev_arch_cpu_summary(void)
{
	pthread_once(&detect_once, detect_once_fn);
	return cpu_summary;
}

/* CRC-32C implementations, best first; the portable table is last. */
static const struct daxdev_arch_crc_entry crc_impls[] = {
	{ "armv8-crc32", FEAT_CRC32, daxdev_crc32c_armv8, 0 },
	{ "table", 0, daxdev_crc32c_sw, 0 },
};

daxdev_crc32c_fn daxdev_arch_crc32c_impl(size_t i, const char **name)
{
	pthread_once(&detect_once, detect_once_fn);
	return daxdev_arch_crc_pick(crc_impls, ARRAY_LEN(crc_impls), FEATURES(), i, name);
}

daxdev_crc32c_fn daxdev_arch_crc32c(void)
{
	return daxdev_arch_crc32c_impl(0, NULL);
}

static int choose_flush(unsigned features, const struct daxdev_arch_policy *policy,
			const struct flush_impl **out)
{
	int forced, rc;

	rc = daxdev_arch_find_word(policy->flush_origin, policy->flush, flush_words,
				   ARRAY_LEN(flush_words), &forced);
	if (rc)
		return rc;
	if (forced >= 0) {
		if (!daxdev_arch_has(features, flush_impls[forced].needs))
			return daxdev_err(-ENOTSUP, "%s=%s: this CPU has no DCPoP (ARMv8.2 DC CVAP)",
					  policy->flush_origin, flush_words[forced]);
		*out = &flush_impls[forced];
		return 0;
	}
	/* The last entry needs nothing, so the walk always ends on a match. */
	for (size_t i = 0; i < ARRAY_LEN(flush_impls); i++) {
		if (daxdev_arch_has(features, flush_impls[i].needs)) {
			*out = &flush_impls[i];
			break;
		}
	}
	return 0;
}

/* Ordinary stores, then the chosen write-back (see the top of the file). */
static void copy_temporal(void *dst, const void *src, size_t len,
			  void (*flush)(const void *, size_t))
{
	memcpy(dst, src, len);
	flush(dst, len);
}

static void fill_temporal(void *dst, int c, size_t len,
			  void (*flush)(const void *, size_t))
{
	memset(dst, c, len);
	flush(dst, len);
}

int daxdev_arch_select(const struct daxdev_arch_policy *policy, struct daxdev_arch *out)
{
	static const struct daxdev_arch_policy no_limits;
	const struct flush_impl *flush = NULL;
	int isa, rc;

	if (!policy)
		policy = &no_limits;
	pthread_once(&detect_once, detect_once_fn);
	rc = choose_flush(FEATURES(), policy, &flush);
	if (rc)
		return rc;
	rc = daxdev_arch_find_word(policy->isa_origin, policy->isa, isa_words,
				   ARRAY_LEN(isa_words), &isa);
	if (rc)
		return rc;
	*out = (struct daxdev_arch){
		.copy_name = "memcpy",
		.fill_name = "memset",
		.flush_name = flush->name,
		.drain_name = "dsb-sy",
		.invalidate_name = "dc-civac",
		.nt_threshold = SIZE_MAX,   /* nothing to stream with */
		.copy_nt = copy_temporal,
		.fill_nt = fill_temporal,
		.flush = flush->fn,
		.drain = daxdev_aarch64_drain_dsb_sy,
		.invalidate = daxdev_aarch64_invalidate_civac,
	};
	return 0;
}
