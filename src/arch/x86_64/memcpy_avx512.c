/* SPDX-License-Identifier: MIT */
/* Non-temporal copy and fill with 64-byte AVX-512 stores (built -mavx512f). */
#include <immintrin.h>

#include "x86.h"

static inline void copy_line(char *dst, const char *src)
{
	_mm512_stream_si512((void *)dst, _mm512_loadu_si512((const void *)src));
}

static inline void fill_line(char *dst, __m512i v)
{
	_mm512_stream_si512((void *)dst, v);
}

#define NT_ISA avx512
#define NT_VEC __m512i
#define NT_SPLAT(c) _mm512_set1_epi8((char)(c))
#include "nt_loops.h"
