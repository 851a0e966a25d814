/* SPDX-License-Identifier: MIT */
/*
 * CRC-32C with the SSE4.2 crc32 instruction (built with -msse4.2, called
 * only after CPUID said so).  The instruction takes 3 cycles but can start
 * every cycle, so large buffers run as three independent streams over
 * consecutive blocks, joined by shifting the earlier CRCs forward through a
 * block's worth of zero bytes (CRC is linear: crc(c, A||B) =
 * crc(c, zeros(|B|)) ^ crc(0, B) for the raw register).
 */
#include <nmmintrin.h>
#include <pthread.h>
#include <stdint.h>
#include "x86.h"

#define BLOCK 256   /* bytes per stream per round */

static uint32_t shift_table[4][256];  /* crc(x << 8k, zeros(BLOCK)) by byte */
static pthread_once_t shift_once = PTHREAD_ONCE_INIT;

static uint32_t crc_u8(uint32_t c, const uint8_t *p, size_t len)
{
	while (len--)
		c = _mm_crc32_u8(c, *p++);
	return c;
}

static uint32_t crc_u64(uint32_t c, const uint8_t *p, size_t words)
{
	uint64_t c64 = c;

	for (; words; words--, p += 8)
		c64 = _mm_crc32_u64(c64, x86_load64(p));
	return (uint32_t)c64;
}

static void build_shift_table(void)
{
	static const uint8_t zeros[BLOCK];

	for (unsigned k = 0; k < 4; k++)
		for (uint32_t b = 0; b < 256; b++)
			shift_table[k][b] = crc_u64(b << (8 * k), zeros, BLOCK / 8);
}

static uint32_t shift_block(uint32_t c)
{
	return shift_table[0][c & 0xff] ^ shift_table[1][(c >> 8) & 0xff] ^
	       shift_table[2][(c >> 16) & 0xff] ^ shift_table[3][c >> 24];
}

/* Whole rounds of three blocks; returns the bytes consumed. */
static size_t crc_three_streams(uint32_t *crc, const uint8_t *p, size_t len)
{
	size_t done = 0;

	pthread_once(&shift_once, build_shift_table);
	for (; len - done >= 3 * BLOCK; done += 3 * BLOCK, p += 3 * BLOCK) {
		uint64_t a = *crc, b = 0, c = 0;
		for (size_t i = 0; i < BLOCK; i += 8) {
			a = _mm_crc32_u64(a, x86_load64(p + i));
			b = _mm_crc32_u64(b, x86_load64(p + BLOCK + i));
			c = _mm_crc32_u64(c, x86_load64(p + 2 * BLOCK + i));
		}
		*crc = shift_block(shift_block((uint32_t)a) ^ (uint32_t)b) ^ (uint32_t)c;
	}
	return done;
}

DAXDEV_HIDDEN uint32_t daxdev_crc32c_sse42(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c = ~crc;
	size_t head = (8 - ((uintptr_t)p & 7)) & 7, done;

	if (head > len)
		head = len;
	c = crc_u8(c, p, head);
	p += head;
	len -= head;
	done = len >= 3 * BLOCK ? crc_three_streams(&c, p, len) : 0;
	p += done;
	len -= done;
	c = crc_u64(c, p, len / 8);
	p += len & ~(size_t)7;
	return ~crc_u8(c, p, len & 7);
}
