/* SPDX-License-Identifier: MIT */
/* Non-temporal copy and fill with 64-byte AVX-512 stores (built -mavx512f). */
#include <immintrin.h>

#include "x86.h"

#define LINES_PER_ROUND 4

/* dst is cache-line aligned, len a multiple of the line size. */
static void stream_copy(char *dst, const char *src, size_t len)
{
	const size_t round = LINES_PER_ROUND * X86_CACHE_LINE;

	for (; len >= round; len -= round, dst += round, src += round) {
		__m512i a = _mm512_loadu_si512((const void *)(src + 0));
		__m512i b = _mm512_loadu_si512((const void *)(src + 64));
		__m512i c = _mm512_loadu_si512((const void *)(src + 128));
		__m512i d = _mm512_loadu_si512((const void *)(src + 192));

		_mm512_stream_si512((void *)(dst + 0), a);
		_mm512_stream_si512((void *)(dst + 64), b);
		_mm512_stream_si512((void *)(dst + 128), c);
		_mm512_stream_si512((void *)(dst + 192), d);
	}
	for (; len; len -= 64, dst += 64, src += 64)
		_mm512_stream_si512((void *)dst,
				    _mm512_loadu_si512((const void *)src));
}

static void stream_fill(char *dst, int c, size_t len)
{
	const size_t round = LINES_PER_ROUND * X86_CACHE_LINE;
	__m512i v = _mm512_set1_epi8((char)c);

	for (; len >= round; len -= round, dst += round) {
		_mm512_stream_si512((void *)(dst + 0), v);
		_mm512_stream_si512((void *)(dst + 64), v);
		_mm512_stream_si512((void *)(dst + 128), v);
		_mm512_stream_si512((void *)(dst + 192), v);
	}
	for (; len; len -= 64, dst += 64)
		_mm512_stream_si512((void *)dst, v);
}

void daxdev_x86_copy_nt_avx512(void *dst, const void *src, size_t len,
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

void daxdev_x86_fill_nt_avx512(void *dst, int c, size_t len,
			       void (*flush)(const void *, size_t))
{
	struct x86_nt_split split = x86_nt_split(dst, len);
	char *d = dst;

	x86_fill_edge(d, c, split.head, flush);
	stream_fill(d + split.head, c, split.body);
	x86_fill_edge(d + split.head + split.body, c, split.tail, flush);
}
