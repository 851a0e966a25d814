/* SPDX-License-Identifier: MIT */
/*
 * x86-64 CPU feature detection and the choice of copy, fill, flush and drain
 * implementations.  Both choices walk a table ordered best first and take
 * the first entry that the CPU supports and the policy allows.
 */
#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arch/arch_env.h>
#include <daxdev/provider.h>

#include "x86.h"

/* Copies shorter than this use ordinary stores + write-back.  Measured
 * (docs/arch.md): with the partial first and last lines written by 8-byte
 * non-temporal stores, streaming 64..255 B at any alignment is ~1.4-1.5x
 * faster than ordinary stores, which must first read each cold line; below
 * a line's worth, ordinary stores keep a line that is being updated in
 * place cached. */
#define DEFAULT_NT_THRESHOLD 64

enum x86_feature {
	FEAT_SSE2 = 1u << 0,
	FEAT_AVX2 = 1u << 1,        /* and the OS saves YMM state */
	FEAT_AVX512F = 1u << 2,     /* and the OS saves ZMM/opmask state */
	FEAT_CLFLUSH = 1u << 3,
	FEAT_CLFLUSHOPT = 1u << 4,
	FEAT_CLWB = 1u << 5,
	FEAT_SSE42 = 1u << 6,       /* crc32 instruction */
	FEAT_PCLMUL = 1u << 7,      /* carry-less multiply, 16 bytes */
	FEAT_VPCLMUL = 1u << 8,     /* carry-less multiply on ymm/zmm lanes */
	FEAT_MOVDIR64B = 1u << 9,   /* 64-byte direct store */
	/* Not an instruction set: the microarchitecture runs crc32 on other
	 * units than the carry-less multiply (crc32c_hybrid.c). */
	FEAT_CRC32_BESIDE_CLMUL = 1u << 10,
};

static const struct {
	unsigned bit;
	const char *name;
} feature_names[] = {
	{ FEAT_SSE2, "sse2" },
	{ FEAT_AVX2, "avx2" },
	{ FEAT_AVX512F, "avx512f" },
	{ FEAT_CLFLUSH, "clflush" },
	{ FEAT_CLFLUSHOPT, "clflushopt" },
	{ FEAT_CLWB, "clwb" },
	{ FEAT_SSE42, "sse4_2" },
	{ FEAT_PCLMUL, "pclmulqdq" },
	{ FEAT_VPCLMUL, "vpclmulqdq" },
	{ FEAT_MOVDIR64B, "movdir64b" },
	{ FEAT_CRC32_BESIDE_CLMUL, "crc32-beside-clmul" },
};

struct flush_impl {
	const char *name;
	unsigned needs;
	daxdev_flush_fn fn;
	bool evicts;          /* the line leaves the cache: usable to invalidate */
};

static const struct flush_impl flush_impls[] = {
	{ "clwb", FEAT_CLWB, daxdev_x86_flush_clwb, false },
	{ "clflushopt", FEAT_CLFLUSHOPT, daxdev_x86_flush_clflushopt, true },
	{ "clflush", FEAT_CLFLUSH, daxdev_x86_flush_clflush, true },
};

/* The flush policy words, in flush_impls order. */
static const char *const flush_words[] = { "clwb", "clflushopt", "clflush" };

/* Without non-temporal stores: ordinary stores, then the chosen write-back. */
static void copy_temporal(void *dst, const void *src, size_t len,
			  void (*flush)(const void *, size_t))
{
	x86_copy_edge(dst, src, len, flush);
}

static void fill_temporal(void *dst, int c, size_t len,
			  void (*flush)(const void *, size_t))
{
	x86_fill_edge(dst, c, len, flush);
}

struct nt_impl {
	const char *copy_name;
	const char *fill_name;
	unsigned needs;
	daxdev_copy_nt_fn copy;
	daxdev_fill_nt_fn fill;
	bool opt_in;          /* only when the policy names it */
	unsigned copy_crc_needs;
	daxdev_copy_nt_crc_fn copy_crc;   /* NULL: none */
};

static const struct nt_impl nt_impls[] = {
	/* Measured no faster than avx512-nt here (docs/arch.md): opt-in. */
	{ "movdir64b", "movdir64b", FEAT_MOVDIR64B,
	  daxdev_x86_copy_nt_movdir64b, daxdev_x86_fill_nt_movdir64b, true, 0, NULL },
	{ "avx512-nt", "avx512-nt", FEAT_AVX512F,
	  daxdev_x86_copy_nt_avx512, daxdev_x86_fill_nt_avx512, false,
	  FEAT_VPCLMUL | FEAT_PCLMUL | FEAT_SSE42, daxdev_x86_copy_nt_crc_vpclmul },
	{ "avx2-nt", "avx2-nt", FEAT_AVX2,
	  daxdev_x86_copy_nt_avx2, daxdev_x86_fill_nt_avx2, false, 0, NULL },
	{ "sse2-nt", "sse2-nt", FEAT_SSE2,
	  daxdev_x86_copy_nt_sse2, daxdev_x86_fill_nt_sse2, false, 0, NULL },
	{ "memcpy", "memset", 0, copy_temporal, fill_temporal, false, 0, NULL },
};

#define NT_TEMPORAL (sizeof(nt_impls) / sizeof(nt_impls[0]) - 1)

/* The ISA policy words, in nt_impls order. */
static const char *const isa_words[] = {
	"movdir64b", "avx512", "avx2", "sse2", "generic",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(ARRAY_LEN(flush_words) == ARRAY_LEN(flush_impls),
	       "one DAXDEV_FLUSH word per write-back implementation");
_Static_assert(ARRAY_LEN(isa_words) == ARRAY_LEN(nt_impls),
	       "one DAXDEV_ISA word per copy implementation");

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

/* XCR0: which register states the OS saves on a context switch. */
static uint64_t read_xcr0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

#define CPUID1_EDX_CLFSH (1u << 19)  /* <cpuid.h> names no bit for it */
#define XCR0_AVX_STATE 0x06u        /* SSE + YMM upper halves */
#define XCR0_AVX512_STATE 0xe0u     /* opmask + ZMM upper halves + ZMM16-31 */

static unsigned os_saved_vector_state(unsigned leaf1_ecx)
{
	uint64_t xcr0;

	if (!(leaf1_ecx & bit_OSXSAVE) || !(leaf1_ecx & bit_AVX))
		return 0;
	xcr0 = read_xcr0();
	if ((xcr0 & XCR0_AVX_STATE) != XCR0_AVX_STATE)
		return 0;
	if ((xcr0 & XCR0_AVX512_STATE) != XCR0_AVX512_STATE)
		return FEAT_AVX2;
	return FEAT_AVX2 | FEAT_AVX512F;
}

#define AMD_FAMILY_ZEN5 0x1a

/* Properties of the microarchitecture the CPUID bits do not tell, known by
 * measurement (docs/performance.md, "CRC-32C"): AMD family 1Ah (Zen 5)
 * runs crc32 beside vpclmulqdq, 19h (Zen 4) ran them on one unit.  Other
 * CPUs are not assumed to. */
static unsigned microarch_features(unsigned leaf1_eax)
{
	unsigned eax, ebx, ecx, edx, family = (leaf1_eax >> 8) & 0xf;

	if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx) ||
	    ebx != signature_AMD_ebx || ecx != signature_AMD_ecx || edx != signature_AMD_edx)
		return 0;
	if (family == 0xf)
		family += (leaf1_eax >> 20) & 0xff;
	return family >= AMD_FAMILY_ZEN5 ? FEAT_CRC32_BESIDE_CLMUL : 0;
}

static unsigned detect_features(void)
{
	unsigned eax, ebx, ecx, edx, found = 0, os_ok;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return 0;
	found |= microarch_features(eax);
	found |= edx & bit_SSE2 ? FEAT_SSE2 : 0;
	found |= edx & CPUID1_EDX_CLFSH ? FEAT_CLFLUSH : 0;
	found |= ecx & bit_SSE4_2 ? FEAT_SSE42 : 0;
	found |= ecx & bit_PCLMUL ? FEAT_PCLMUL : 0;
	os_ok = os_saved_vector_state(ecx);
	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return found;
	found |= ebx & bit_AVX2 ? FEAT_AVX2 & os_ok : 0;
	found |= ebx & bit_AVX512F ? FEAT_AVX512F & os_ok : 0;
	found |= ebx & bit_CLFLUSHOPT ? FEAT_CLFLUSHOPT : 0;
	found |= ebx & bit_CLWB ? FEAT_CLWB : 0;
	found |= ecx & bit_VPCLMULQDQ ? FEAT_VPCLMUL : 0;
	found |= ecx & bit_MOVDIR64B ? FEAT_MOVDIR64B : 0;
	return found;
}

static void detect_once_fn(void)
{
	size_t used;

	cpu_features = detect_features();
	used = (size_t)snprintf(cpu_summary, sizeof(cpu_summary), "x86_64:");
	for (size_t f = 0; f < ARRAY_LEN(feature_names); f++)
		if (cpu_features & feature_names[f].bit && used < sizeof(cpu_summary))
			used += (size_t)snprintf(cpu_summary + used,
						 sizeof(cpu_summary) - used,
						 " %s", feature_names[f].name);
}

const char *daxdev_arch_cpu_summary(void)
{
	pthread_once(&detect_once, detect_once_fn);
	return cpu_summary;
}

/* Best first, by measurement (docs/performance.md, "CRC-32C"): folding
 * with crc32 streams beside it is first where the two run on different
 * units, and listed after the others elsewhere; 128-bit folding beat the
 * three crc32 streams only below 768 bytes and lost from 1 KiB on (0.66x at
 * 4 KiB), so the streams rank above it; it stays in the table for CPUs with
 * PCLMULQDQ and no SSE4.2, and for the tests. */
static const struct daxdev_arch_crc_entry crc_impls[] = {
	{ "vpclmul+crc32", FEAT_VPCLMUL | FEAT_AVX512F | FEAT_PCLMUL | FEAT_SSE42,
	  daxdev_crc32c_hybrid, FEAT_CRC32_BESIDE_CLMUL },
	{ "vpclmul-avx512", FEAT_VPCLMUL | FEAT_AVX512F | FEAT_PCLMUL | FEAT_SSE42,
	  daxdev_crc32c_vpclmul, 0 },
	{ "sse4.2", FEAT_SSE42, daxdev_crc32c_sse42, 0 },
	{ "pclmul", FEAT_PCLMUL | FEAT_SSE42, daxdev_crc32c_pclmul, 0 },
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
			return daxdev_err(-ENOTSUP, "%s=%s: this CPU has no %s",
					  policy->flush_origin, flush_words[forced],
					  flush_words[forced]);
		*out = &flush_impls[forced];
		return 0;
	}
	for (size_t i = 0; i < ARRAY_LEN(flush_impls); i++) {
		if (daxdev_arch_has(features, flush_impls[i].needs)) {
			*out = &flush_impls[i];
			return 0;
		}
	}
	return daxdev_err(-ENOTSUP, "no cache write-back instruction on this CPU");
}

/* Invalidation must evict: clwb may keep the line, so it is not a candidate. */
static const struct flush_impl *choose_invalidate(unsigned features)
{
	for (size_t i = 0; i < ARRAY_LEN(flush_impls); i++)
		if (flush_impls[i].evicts && daxdev_arch_has(features, flush_impls[i].needs))
			return &flush_impls[i];
	return NULL;
}

static int choose_nt(unsigned features, const struct daxdev_arch_policy *policy,
		     const struct nt_impl **out)
{
	int cap, rc;

	rc = daxdev_arch_find_word(policy->isa_origin, policy->isa, isa_words,
				   ARRAY_LEN(isa_words), &cap);
	if (rc)
		return rc;
	if (policy->nt_threshold == SIZE_MAX)
		cap = (int)NT_TEMPORAL;
	/* The last entry needs nothing, so the walk always ends on a match.
	 * An opt-in entry counts only when the policy names it. */
	for (size_t i = cap < 0 ? 0 : (size_t)cap; i < ARRAY_LEN(nt_impls); i++) {
		if (nt_impls[i].opt_in && (int)i != cap)
			continue;
		if (daxdev_arch_has(features, nt_impls[i].needs)) {
			*out = &nt_impls[i];
			break;
		}
	}
	return 0;
}

int daxdev_arch_select(const struct daxdev_arch_policy *policy, struct daxdev_arch *out)
{
	static const struct daxdev_arch_policy no_limits;
	const struct flush_impl *flush = NULL, *inval;
	const struct nt_impl *nt = NULL;
	int rc;

	if (!policy)
		policy = &no_limits;
	pthread_once(&detect_once, detect_once_fn);
	rc = choose_flush(FEATURES(), policy, &flush);
	if (rc)
		return rc;
	rc = choose_nt(FEATURES(), policy, &nt);
	if (rc)
		return rc;
	inval = choose_invalidate(FEATURES());
	*out = (struct daxdev_arch){
		.copy_name = nt->copy_name,
		.fill_name = nt->fill_name,
		.flush_name = flush->name,
		.drain_name = "sfence",
		.invalidate_name = inval ? inval->name : "none",
		/* Temporal "copy_nt" is the same as the short-copy path. */
		.nt_threshold = nt == &nt_impls[NT_TEMPORAL] ? SIZE_MAX :
				policy->nt_threshold ? policy->nt_threshold :
				DEFAULT_NT_THRESHOLD,
		.copy_nt = nt->copy,
		.fill_nt = nt->fill,
		.flush = flush->fn,
		.drain = daxdev_x86_drain_sfence,
		.invalidate = inval ? inval->fn : NULL,
		.copy_nt_crc = nt->copy_crc && daxdev_arch_has(FEATURES(), nt->copy_crc_needs) ?
			       nt->copy_crc : NULL,
	};
	return 0;
}
