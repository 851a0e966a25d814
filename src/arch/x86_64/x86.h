/* SPDX-License-Identifier: MIT */
/*
 * Implementations behind the x86-64 selection tables.  Each ISA lives in its
 * own file compiled with its own -m flags, so that code built for AVX-512 can
 * only run once cpu.c has checked that the CPU (and the OS) support it.
 */
#ifndef DAXDEV_ARCH_X86_H
#define DAXDEV_ARCH_X86_H

#include <stdint.h>
#include <string.h>

#include <arch/arch.h>

#define X86_CACHE_LINE 64

/* flush.c */
DAXDEV_HIDDEN void daxdev_x86_flush_clwb(const void *addr, size_t len);
DAXDEV_HIDDEN void daxdev_x86_flush_clflushopt(const void *addr, size_t len);
DAXDEV_HIDDEN void daxdev_x86_flush_clflush(const void *addr, size_t len);
DAXDEV_HIDDEN void daxdev_x86_drain_sfence(void);

/* memcpy_sse2.c, memcpy_avx2.c, memcpy_avx512.c */
#define X86_DECLARE_NT(isa)                                                   \
	DAXDEV_HIDDEN void daxdev_x86_copy_nt_##isa(void *dst, const void *src, \
		size_t len, void (*flush)(const void *, size_t));             \
	DAXDEV_HIDDEN void daxdev_x86_fill_nt_##isa(void *dst, int c,         \
		size_t len, void (*flush)(const void *, size_t))
X86_DECLARE_NT(sse2);
X86_DECLARE_NT(avx2);
X86_DECLARE_NT(avx512);
#undef X86_DECLARE_NT

/* CRC-32C, same convention as daxdev_crc32c(): crc32c_sse42.c (crc32
 * instruction), crc32c_pclmul.c (16-byte folding), crc32c_vpclmul.c (64-byte
 * folding, AVX-512). */
DAXDEV_HIDDEN uint32_t daxdev_crc32c_sse42(uint32_t crc, const void *buf, size_t len);
DAXDEV_HIDDEN uint32_t daxdev_crc32c_pclmul(uint32_t crc, const void *buf, size_t len);
DAXDEV_HIDDEN uint32_t daxdev_crc32c_vpclmul(uint32_t crc, const void *buf, size_t len);

/* Which part of a destination range can be streamed: the whole cache lines
 * in it.  The head before the first line boundary and the tail after the
 * last one are stored normally and written back. */
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

/* The parts of an NT copy/fill that are not streamed: ordinary stores, then
 * write-back, as the copy_nt contract requires. */
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
