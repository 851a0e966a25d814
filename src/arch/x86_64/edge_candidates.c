/* SPDX-License-Identifier: MIT */
/*
 * Edge-writing candidates for bench/micro-arch (edge_candidates.h); built
 * -mavx512f -mavx512bw, called only after daxdev_x86_cand_usable().
 */
#include <cpuid.h>
#include <immintrin.h>

#include "edge_candidates.h"
#include "x86.h"

typedef void (*edge_fn)(char *d, const char *s, size_t n, daxdev_x86_flush_fn flush);

bool daxdev_x86_cand_usable(void)
{
	unsigned eax, ebx, ecx, edx, lo, hi;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE))
		return false;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	if ((lo & 0xe6) != 0xe6 || !__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return false;
	return (ebx & bit_AVX512F) && (ebx & bit_AVX512BW);
}

static void copy_with_edges(void *dst, const void *src, size_t len,
			    daxdev_x86_flush_fn flush, edge_fn edge)
{
	struct x86_nt_split split = x86_nt_split(dst, len);
	char *d = (char *)dst + split.head;
	const char *s = (const char *)src + split.head;

	edge(dst, src, split.head, flush);
	for (size_t n = split.body; n; n -= 64, d += 64, s += 64)
		_mm512_stream_si512((void *)d, _mm512_loadu_si512((const void *)s));
	edge(d, s, split.tail, flush);
}

static void edge_stores(char *d, const char *s, size_t n, daxdev_x86_flush_fn flush)
{
	x86_copy_edge(d, s, n, flush);
}

static __mmask64 byte_mask(size_t from, size_t n)
{
	return (n >= 64 ? ~0ull : (1ull << n) - 1) << from;
}

static void edge_masked(char *d, const char *s, size_t n, daxdev_x86_flush_fn flush)
{
	__mmask64 m = byte_mask(0, n);

	if (!n)
		return;
	_mm512_mask_storeu_epi8(d, m, _mm512_maskz_loadu_epi8(m, s));
	flush(d, n);
}

static void edge_maskmov(char *d, const char *s, size_t n, daxdev_x86_flush_fn flush)
{
	(void)flush;
	for (size_t off = 0; off < n; off += 16) {
		size_t chunk = n - off < 16 ? n - off : 16;
		__m128i keep = _mm_cmpgt_epi8(_mm_set1_epi8((char)chunk),
			_mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
		char bytes[16] = { 0 };

		memcpy(bytes, s + off, chunk);
		_mm_maskmoveu_si128(_mm_loadu_si128((const __m128i *)bytes), keep, d + off);
	}
}

static void edge_merge(char *d, const char *s, size_t n, daxdev_x86_flush_fn flush)
{
	char *line = (char *)((uintptr_t)d & ~(uintptr_t)(X86_CACHE_LINE - 1));
	size_t at = (size_t)(d - line);
	__m512i merged;

	(void)flush;
	if (!n)
		return;
	merged = _mm512_mask_loadu_epi8(_mm512_load_si512((const void *)line),
					byte_mask(at, n), s - at);
	_mm512_stream_si512((void *)line, merged);
}

#define CANDIDATE(how)                                                        \
	void daxdev_x86_cand_copy_##how(void *dst, const void *src, size_t len, \
					daxdev_x86_flush_fn flush)             \
	{                                                                      \
		copy_with_edges(dst, src, len, flush, edge_##how);             \
	}
CANDIDATE(stores)
CANDIDATE(masked)
CANDIDATE(maskmov)
CANDIDATE(merge)
