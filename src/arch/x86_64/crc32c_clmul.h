/* SPDX-License-Identifier: MIT */
/*
 * The 16-byte folding step and the finish shared by crc32c_pclmul.c and
 * crc32c_vpclmul.c.  Only for files built with -mpclmul -msse4.2.
 */
#ifndef DAXDEV_ARCH_CRC32C_CLMUL_H
#define DAXDEV_ARCH_CRC32C_CLMUL_H

#include <immintrin.h>

#include "crc32c_fold.h"
#include "x86.h"

static inline __m128i clmul_load16(const uint8_t *p)
{
	return _mm_loadu_si128((const __m128i *)p);
}

/* acc moved forward by the distance k was made for, XORed into data. */
static inline __m128i clmul_fold16(__m128i acc, __m128i k, __m128i data)
{
	__m128i lo = _mm_clmulepi64_si128(acc, k, 0x00);
	__m128i hi = _mm_clmulepi64_si128(acc, k, 0x11);

	return _mm_xor_si128(_mm_xor_si128(lo, hi), data);
}

/* The raw CRC register of everything folded into the block x:
 * crc(0, block) = block * x^32 mod P, two crc32 instructions. */
static inline uint64_t clmul_register(__m128i x)
{
	uint64_t c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(x));

	return _mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(x, 1));
}

/* x holds everything before p folded into one 16-byte block: fold the
 * remaining whole blocks in, take the register of the result, and run the
 * last < 16 bytes through the crc32 instruction.  Returns the caller-visible
 * (inverted) value, as daxdev_crc32c_sse42(). */
static inline uint32_t clmul_finish(__m128i x, const uint8_t *p, size_t len)
{
	const __m128i k = _mm_set_epi64x((long long)CRC32C_FOLD_128_HI,
					 (long long)CRC32C_FOLD_128_LO);

	for (; len >= 16; p += 16, len -= 16)
		x = clmul_fold16(x, k, clmul_load16(p));
	return daxdev_crc32c_sse42(~(uint32_t)clmul_register(x), p, len);
}

#endif
