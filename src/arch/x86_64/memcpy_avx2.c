/* SPDX-License-Identifier: MIT */
/* Non-temporal copy and fill with 32-byte AVX2 stores (built -mavx2). */
#include <immintrin.h>

#include "x86.h"

static inline void copy_line(char *dst, const char *src)
{
	__m256i lo = _mm256_loadu_si256((const __m256i *)src);
	__m256i hi = _mm256_loadu_si256((const __m256i *)(src + 32));

	_mm256_stream_si256((__m256i *)dst, lo);
	_mm256_stream_si256((__m256i *)(dst + 32), hi);
}

static inline void fill_line(char *dst, __m256i v)
{
	_mm256_stream_si256((__m256i *)dst, v);
	_mm256_stream_si256((__m256i *)(dst + 32), v);
}

#define NT_ISA avx2
#define NT_VEC __m256i
#define NT_SPLAT(c) _mm256_set1_epi8((char)(c))
#include "nt_loops.h"
