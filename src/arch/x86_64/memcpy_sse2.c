/* SPDX-License-Identifier: MIT */
/* Non-temporal copy and fill with 16-byte SSE2 stores (x86-64 baseline). */
#include <emmintrin.h>

#include "x86.h"

static inline void copy_line(char *dst, const char *src)
{
	__m128i a = _mm_loadu_si128((const __m128i *)src);
	__m128i b = _mm_loadu_si128((const __m128i *)(src + 16));
	__m128i c = _mm_loadu_si128((const __m128i *)(src + 32));
	__m128i d = _mm_loadu_si128((const __m128i *)(src + 48));

	_mm_stream_si128((__m128i *)dst, a);
	_mm_stream_si128((__m128i *)(dst + 16), b);
	_mm_stream_si128((__m128i *)(dst + 32), c);
	_mm_stream_si128((__m128i *)(dst + 48), d);
}

static inline void fill_line(char *dst, __m128i v)
{
	_mm_stream_si128((__m128i *)dst, v);
	_mm_stream_si128((__m128i *)(dst + 16), v);
	_mm_stream_si128((__m128i *)(dst + 32), v);
	_mm_stream_si128((__m128i *)(dst + 48), v);
}

#define NT_ISA sse2
#define NT_VEC __m128i
#define NT_SPLAT(c) _mm_set1_epi8((char)(c))
#include "nt_loops.h"
