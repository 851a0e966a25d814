/* SPDX-License-Identifier: MIT */
/*
 * CRC-32C by folding with carry-less multiplication (built -mpclmul
 * -msse4.2, called only after CPUID showed PCLMULQDQ and SSE4.2).  Four
 * 16-byte accumulators take 64 bytes per round, each moved 512 bits forward
 * and XORed into the next block (constants: crc32c_fold.h); then they fold
 * into one and clmul_finish() does the rest.  Short buffers go to the crc32
 * instruction alone.
 */
#include "crc32c_clmul.h"

#define LANES 4
#define ROUND (LANES * 16)
#define FOLD_MIN 256        /* below: the crc32 instruction */

uint32_t daxdev_crc32c_pclmul(uint32_t crc, const void *buf, size_t len)
{
	const __m128i k_round = _mm_set_epi64x((long long)CRC32C_FOLD_512_HI,
					       (long long)CRC32C_FOLD_512_LO);
	const __m128i k_one = _mm_set_epi64x((long long)CRC32C_FOLD_128_HI,
					     (long long)CRC32C_FOLD_128_LO);
	const uint8_t *p = buf;
	__m128i x[LANES];

	if (len < FOLD_MIN)
		return daxdev_crc32c_sse42(crc, buf, len);
	/* The initial register goes into the first 32 message bits. */
	x[0] = _mm_xor_si128(clmul_load16(p), _mm_cvtsi32_si128((int)~crc));
#pragma GCC unroll 8
	for (int i = 1; i < LANES; i++)
		x[i] = clmul_load16(p + 16 * i);
	for (p += ROUND, len -= ROUND; len >= ROUND; p += ROUND, len -= ROUND)
#pragma GCC unroll 8
		for (int i = 0; i < LANES; i++)
			x[i] = clmul_fold16(x[i], k_round, clmul_load16(p + 16 * i));
#pragma GCC unroll 8
	for (int i = 1; i < LANES; i++)
		x[i] = clmul_fold16(x[i - 1], k_one, x[i]);
	return clmul_finish(x[LANES - 1], p, len);
}
