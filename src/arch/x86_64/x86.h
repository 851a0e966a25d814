/* SPDX-License-Identifier: MIT */
/*
 * Implementations behind the x86-64 selection tables.  Each ISA lives in its
 * own file compiled with its own -m flags, so that code built for AVX-512 can
 * only run once cpu.c has checked that the CPU (and the OS) support it.
 */
#ifndef DAXDEV_ARCH_X86_H
#define DAXDEV_ARCH_X86_H

#include <emmintrin.h>
#include <stdint.h>
#include <string.h>

#include <arch/arch.h>

#define X86_CACHE_LINE 64

/* Eight bytes from p, at any alignment. */
static inline uint64_t x86_load64(const void *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/* flush.c */
DAXDEV_HIDDEN void daxdev_x86_flush_clwb(const void *addr, size_t len);
DAXDEV_HIDDEN void daxdev_x86_flush_clflushopt(const void *addr, size_t len);
DAXDEV_HIDDEN void daxdev_x86_flush_clflush(const void *addr, size_t len);
DAXDEV_HIDDEN void daxdev_x86_drain_sfence(void);

/* memcpy_sse2.c, memcpy_avx2.c, memcpy_avx512.c, memcpy_movdir64b.c */
#define X86_DECLARE_NT(isa)                                                   \
	DAXDEV_HIDDEN void daxdev_x86_copy_nt_##isa(void *dst, const void *src, \
		size_t len, void (*flush)(const void *, size_t));             \
	DAXDEV_HIDDEN void daxdev_x86_fill_nt_##isa(void *dst, int c,         \
		size_t len, void (*flush)(const void *, size_t))
X86_DECLARE_NT(sse2);
X86_DECLARE_NT(avx2);
X86_DECLARE_NT(avx512);
X86_DECLARE_NT(movdir64b);
#undef X86_DECLARE_NT

/* CRC-32C, same convention as daxdev_crc32c(): crc32c_sse42.c (crc32
 * instruction), crc32c_pclmul.c (16-byte folding), crc32c_vpclmul.c (64-byte
 * folding, AVX-512). */
DAXDEV_HIDDEN uint32_t daxdev_crc32c_sse42(uint32_t crc, const void *buf, size_t len);
DAXDEV_HIDDEN uint32_t daxdev_crc32c_pclmul(uint32_t crc, const void *buf, size_t len);
DAXDEV_HIDDEN uint32_t daxdev_crc32c_vpclmul(uint32_t crc, const void *buf, size_t len);
DAXDEV_HIDDEN uint32_t daxdev_crc32c_hybrid(uint32_t crc, const void *buf, size_t len);
DAXDEV_HIDDEN uint32_t daxdev_x86_copy_nt_crc_vpclmul(void *dst, const void *src,
	size_t len, void (*flush)(const void *, size_t), uint32_t crc);

/* tests/test_arch_nt.c builds the ISA files again with this defined, to
 * see every non-temporal store the copy and fill loops make. */
#ifdef DAXDEV_ARCH_RECORD_NT
void daxdev_x86_record_nt(const void *addr, size_t len);
#define X86_RECORD_NT(addr, len) daxdev_x86_record_nt(addr, len)
#else
#define X86_RECORD_NT(addr, len) ((void)0)
#endif

/* Which part of a destination range lies in whole cache lines (streamed a
 * line at a time): the head before the first line boundary and the tail
 * after the last one do not. */
struct x86_nt_split {
	size_t head;
	size_t body;   /* multiple of X86_CACHE_LINE */
	size_t tail;
};

static inline struct x86_nt_split x86_nt_split(const void *dst, size_t len)
{
	size_t misalign = (uintptr_t)dst & (X86_CACHE_LINE - 1);
	size_t head = misalign ? X86_CACHE_LINE - misalign : 0;
	struct x86_nt_split split = { .head = len, .body = 0, .tail = 0 };

	if (head >= len)
		return split;
	split.head = head;
	split.body = (len - head) & ~(size_t)(X86_CACHE_LINE - 1);
	split.tail = len - head - split.body;
	return split;
}

/*
 * The head and tail of a streaming copy, with 8-byte non-temporal stores
 * (movnti).  An ordinary store to a line that is not cached must first read
 * the line from memory (read-for-ownership), which costs as much as the
 * whole small copy (docs/arch.md); a partial non-temporal store does not.
 * Both edges of [d, d + len) are covered with the first store at `from`,
 * then one at every 8-byte boundary before `to`; a store that would end
 * past the range starts at len - 8 instead.  Stores may overlap each other
 * and the streamed lines, always with the same bytes, and never leave the
 * range: so len must be at least X86_NT_EDGE_MIN.
 */
#define X86_NT_EDGE_MIN 8

static inline size_t x86_nt_next_word(const char *d, size_t off)
{
	return off + 8 - ((uintptr_t)(d + off) & 7);
}

static inline void x86_nt_copy_span(char *d, const char *s, size_t len,
				    size_t from, size_t to)
{
	for (size_t off = from; off < to; off = x86_nt_next_word(d, off)) {
		size_t at = off + 8 <= len ? off : len - 8;
		long long w;

		memcpy(&w, s + at, 8);
		_mm_stream_si64((long long *)(void *)(d + at), w);
		X86_RECORD_NT(d + at, 8);
	}
}

static inline void x86_nt_fill_span(char *d, long long pattern, size_t len,
				    size_t from, size_t to)
{
	for (size_t off = from; off < to; off = x86_nt_next_word(d, off)) {
		size_t at = off + 8 <= len ? off : len - 8;

		_mm_stream_si64((long long *)(void *)(d + at), pattern);
		X86_RECORD_NT(d + at, 8);
	}
}

/* Copies shorter than X86_NT_EDGE_MIN: ordinary stores, then write-back, as
 * the copy_nt contract requires. */
static inline void x86_copy_edge(char *dst, const char *src, size_t len,
				 void (*flush)(const void *, size_t))
{
	if (!len)
		return;
	memcpy(dst, src, len);
	flush(dst, len);
}

static inline void x86_fill_edge(char *dst, int c, size_t len,
				 void (*flush)(const void *, size_t))
{
	if (!len)
		return;
	memset(dst, c, len);
	flush(dst, len);
}

#endif
