/* SPDX-License-Identifier: MIT */
/*
 * CRC-32C on the vector multiplier and the crc32 instruction at once (built
 * -mvpclmulqdq -mavx512f -mpclmul -msse4.2, called only after CPUID showed
 * all four).  Where the CPU runs the two on different units (cpu.c:
 * FEAT_CRC32_BESIDE_CLMUL; docs/performance.md, "CRC-32C"), each round folds
 * 256 bytes into four 64-byte accumulators, as crc32c_vpclmul.c does, while
 * STREAMS crc32 chains each take 64 bytes of their own part further on:
 *
 *   [ folded: 256 R + 64 e ][ stream 0: 64 R ] ... [ stream 3: 64 R ][ < 64 ]
 *
 * CRC is linear, so at the end the folded register and each stream's
 * register (started at 0) are moved forward through the bytes that follow
 * them (one carry-less multiply and one crc32 each, constants in
 * crc32c_fold.h) and XORed; the last < 64 bytes go through crc32.
 */
#include "crc32c_zmm.h"

#define ACCS 4
#define STREAMS 4
#define STREAM_STEP 64      /* bytes per stream per round: 8 chained crc32 */
#define FOLD_ROUND (ACCS * 64)
#define ROUND (FOLD_ROUND + STREAMS * STREAM_STEP)
/* Every stream's shift is in the table (at most STREAMS * ROUNDS_MAX lines). */
#define ROUNDS_MAX (CRC32C_SHIFT_LINES_COUNT / STREAMS)
/* Below three rounds the folding alone is as fast or faster (measured:
 * docs/performance.md, "CRC-32C"). */
#define HYBRID_MIN (3 * ROUND)

static const uint64_t shift_lines[CRC32C_SHIFT_LINES_COUNT] = CRC32C_SHIFT_LINES_TABLE;

/* The raw register c moved through lines * 64 zero bytes. */
static inline uint64_t shift(uint64_t c, size_t lines)
{
	__m128i k = _mm_cvtsi64_si128((long long)shift_lines[lines - 1]);
	__m128i m = _mm_clmulepi64_si128(_mm_cvtsi64_si128((long long)c), k, 0x00);

	return _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(m));
}

/* One round's STREAM_STEP bytes of each stream; s is stream 0's. */
static inline void streams_step(uint64_t c[STREAMS], const uint8_t *s, size_t part)
{
#pragma GCC unroll 8
	for (int w = 0; w < STREAM_STEP / 8; w++)
#pragma GCC unroll 4
		for (int j = 0; j < STREAMS; j++)
			c[j] = _mm_crc32_u64(c[j], x86_load64(s + part * j + 8 * w));
}

/* rounds * ROUND + extra * 64 bytes from p, reg the raw register before
 * them; returns the raw register after them.  The extra lines are folded
 * (a round's worth across the four accumulators) before the streams. */
static uint64_t crc_span(uint64_t reg, const uint8_t *p, size_t rounds, size_t extra)
{
	const __m512i k_round = zmm_pair(CRC32C_FOLD_2048_LO, CRC32C_FOLD_2048_HI);
	const __m512i k_one = zmm_pair(CRC32C_FOLD_512_LO, CRC32C_FOLD_512_HI);
	const size_t fold_rounds = rounds + extra / ACCS;
	const uint8_t *s = p + FOLD_ROUND * rounds + 64 * extra;
	const uint8_t *single = p + FOLD_ROUND * fold_rounds;
	const size_t part = STREAM_STEP * rounds, part_lines = part / 64;
	uint64_t c[STREAMS] = { 0 }, out;
	__m512i z[ACCS];
	size_t r;

#pragma GCC unroll 4
	for (int i = 0; i < ACCS; i++)
		z[i] = zmm_load(p + 64 * i);
	/* The register before goes into the first 32 message bits. */
	z[0] = zmm_with_register(z[0], reg);
	streams_step(c, s, part);
	for (r = 1; r < rounds; r++) {
#pragma GCC unroll 4
		for (int i = 0; i < ACCS; i++)
			z[i] = zmm_fold(z[i], k_round, zmm_load(p + FOLD_ROUND * r + 64 * i));
		streams_step(c, s + STREAM_STEP * r, part);
	}
	for (; r < fold_rounds; r++)
#pragma GCC unroll 4
		for (int i = 0; i < ACCS; i++)
			z[i] = zmm_fold(z[i], k_round, zmm_load(p + FOLD_ROUND * r + 64 * i));
	zmm_fold_into_last(z, ACCS);
	for (size_t e = 0; e < extra % ACCS; e++)
		z[ACCS - 1] = zmm_fold(z[ACCS - 1], k_one, zmm_load(single + 64 * e));
	out = shift(clmul_register(zmm_lanes_to_one(z[ACCS - 1])), STREAMS * part_lines) ^ c[STREAMS - 1];
#pragma GCC unroll 4
	for (int j = 0; j < STREAMS - 1; j++)
		out ^= shift(c[j], (STREAMS - 1 - j) * part_lines);
	return out;
}

/* Whole spans while HYBRID_MIN bytes are left, then the folding alone.  Not
 * inlined, so that a short buffer reaches the folding without the spans'
 * register saves. */
static __attribute__((noinline)) uint32_t crc_spans(uint32_t crc, const uint8_t *p, size_t len)
{
	uint64_t reg = (uint32_t)~crc;

	while (len >= HYBRID_MIN) {
		size_t rounds = len / ROUND, extra = 0, done;

		if (rounds > ROUNDS_MAX)
			rounds = ROUNDS_MAX;
		else
			extra = (len - rounds * ROUND) / 64;
		reg = crc_span(reg, p, rounds, extra);
		done = rounds * ROUND + 64 * extra;
		p += done;
		len -= done;
	}
	/* < 64 bytes, or < HYBRID_MIN after ROUNDS_MAX rounds. */
	return daxdev_crc32c_vpclmul(~(uint32_t)reg, p, len);
}

uint32_t daxdev_crc32c_hybrid(uint32_t crc, const void *buf, size_t len)
{
	if (len < HYBRID_MIN)
		return daxdev_crc32c_vpclmul(crc, buf, len);
	return crc_spans(crc, buf, len);
}
