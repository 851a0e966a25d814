/* SPDX-License-Identifier: MIT */
/* Non-temporal copy and fill with 32-byte AVX2 stores (built -mavx2). */
#include <immintrin.h>

#include "x86.h"

#define LINES_PER_ROUND 4

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

/* dst is cache-line aligned, len a multiple of the line size. */
static void stream_copy(char *dst, const char *src, size_t len)
{
	const size_t round = LINES_PER_ROUND * X86_CACHE_LINE;

	for (; len >= round; len -= round, dst += round, src += round) {
		copy_line(dst, src);
		copy_line(dst + 64, src + 64);
		copy_line(dst + 128, src + 128);
		copy_line(dst + 192, src + 192);
	}
	for (; len; len -= 64, dst += 64, src += 64)
		copy_line(dst, src);
}

static void stream_fill(char *dst, int c, size_t len)
{
	const size_t round = LINES_PER_ROUND * X86_CACHE_LINE;
	__m256i v = _mm256_set1_epi8((char)c);

	for (; len >= round; len -= round, dst += round) {
		fill_line(dst, v);
		fill_line(dst + 64, v);
		fill_line(dst + 128, v);
		fill_line(dst + 192, v);
	}
	for (; len; len -= 64, dst += 64)
		fill_line(dst, v);
}

void daxdev_x86_copy_nt_avx2(void *dst, const void *src, size_t len,
			     void (*flush)(const void *, size_t))
{
	struct x86_nt_split split = x86_nt_split(dst, len);
	char *d = dst;
	const char *s = src;

	x86_copy_edge(d, s, split.head, flush);
	stream_copy(d + split.head, s + split.head, split.body);
	x86_copy_edge(d + split.head + split.body, s + split.head + split.body,
		      split.tail, flush);
}

void daxdev_x86_fill_nt_avx2(void *dst, int c, size_t len,
			     void (*flush)(const void *, size_t))
{
	struct x86_nt_split split = x86_nt_split(dst, len);
	char *d = dst;

	x86_fill_edge(d, c, split.head, flush);
	stream_fill(d + split.head, c, split.body);
	x86_fill_edge(d + split.head + split.body, c, split.tail, flush);
}
