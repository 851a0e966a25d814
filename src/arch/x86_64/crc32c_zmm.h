/* SPDX-License-Identifier: MIT */
/*
 * The 64-byte folding step shared by crc32c_vpclmul.c and crc32c_hybrid.c:
 * four 16-byte lanes per instruction.  Only for files built with
 * -mvpclmulqdq -mavx512f -mpclmul -msse4.2.
 */
#ifndef DAXDEV_ARCH_CRC32C_ZMM_H
#define DAXDEV_ARCH_CRC32C_ZMM_H

#include "crc32c_clmul.h"

static inline __m512i zmm_load(const uint8_t *p)
{
	return _mm512_loadu_si512((const void *)p);
}

/* Each lane of acc moved forward by the distance k was made for, XORed
 * into data. */
static inline __m512i zmm_fold(__m512i acc, __m512i k, __m512i data)
{
	__m512i lo = _mm512_clmulepi64_epi128(acc, k, 0x00);
	__m512i hi = _mm512_clmulepi64_epi128(acc, k, 0x11);

	return _mm512_ternarylogic_epi64(lo, hi, data, 0x96);   /* lo ^ hi ^ data */
}

/* A fold constant pair in every lane. */
static inline __m512i zmm_pair(uint64_t lo, uint64_t hi)
{
	return _mm512_broadcast_i32x4(_mm_set_epi64x((long long)hi, (long long)lo));
}

/* Accumulators z[0..n) folded into z[n - 1], each moved one 64-byte block
 * forward onto the next. */
static inline void zmm_fold_into_last(__m512i *z, int n)
{
	const __m512i k_one = zmm_pair(CRC32C_FOLD_512_LO, CRC32C_FOLD_512_HI);

	for (int i = 1; i < n; i++)
		z[i] = zmm_fold(z[i - 1], k_one, z[i]);
}

/* The initial register into the first 32 message bits of z. */
static inline __m512i zmm_with_register(__m512i z, uint64_t reg)
{
	return _mm512_xor_si512(z, _mm512_zextsi128_si512(_mm_cvtsi64_si128((long long)reg)));
}

/* Lanes 0..2 moved forward by 384, 256 and 128 bits onto lane 3. */
static inline __m128i zmm_lanes_to_one(__m512i z)
{
	const __m512i k = _mm512_set_epi64(0, 0,
		(long long)CRC32C_FOLD_128_HI, (long long)CRC32C_FOLD_128_LO,
		(long long)CRC32C_FOLD_256_HI, (long long)CRC32C_FOLD_256_LO,
		(long long)CRC32C_FOLD_384_HI, (long long)CRC32C_FOLD_384_LO);
	__m512i t = zmm_fold(z, k, _mm512_setzero_si512());
	__m128i x = _mm512_extracti32x4_epi32(z, 3);

	x = _mm_xor_si128(x, _mm512_castsi512_si128(t));
	x = _mm_xor_si128(x, _mm512_extracti32x4_epi32(t, 1));
	return _mm_xor_si128(x, _mm512_extracti32x4_epi32(t, 2));
}

#endif
