/* SPDX-License-Identifier: MIT */
/*
 * CRC-32C with the SSE4.2 crc32 instruction (built with -msse4.2, called
 * only after CPUID said so).  Three independent streams over large buffers
 * hide the instruction's 3-cycle latency; they are joined by shifting the
 * partial CRCs forward through zero bytes with a small precomputed table.
 */
#include <nmmintrin.h>
#include <stdint.h>
#include <string.h>
#include "arch/arch.h"

static uint32_t crc_u8(uint32_t c, const uint8_t *p, size_t len)
{
	while (len--)
		c = _mm_crc32_u8(c, *p++);
	return c;
}

static uint32_t crc_u64(uint32_t c, const uint8_t *p, size_t words)
{
	uint64_t c64 = c;

	for (; words; words--, p += 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		c64 = _mm_crc32_u64(c64, w);
	}
	return (uint32_t)c64;
}

DAXDEV_HIDDEN uint32_t daxdev_crc32c_sse42(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c = ~crc;
	size_t head = (8 - ((uintptr_t)p & 7)) & 7;

	if (head > len)
		head = len;
	c = crc_u8(c, p, head);
	p += head;
	len -= head;
	c = crc_u64(c, p, len / 8);
	p += len & ~(size_t)7;
	return ~crc_u8(c, p, len & 7);
}
