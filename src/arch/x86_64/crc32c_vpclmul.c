/* SPDX-License-Identifier: MIT */
/*
 * CRC-32C by folding four 16-byte lanes per instruction (built -mvpclmulqdq
 * -mavx512f -mpclmul -msse4.2, called only after CPUID showed VPCLMULQDQ,
 * AVX-512F with the OS saving its state, PCLMULQDQ and SSE4.2).  Four 64-byte
 * accumulators take 256 bytes per round, every lane moved 2048 bits forward
 * and XORed into the next; then they fold into one, its four lanes into one
 * 16-byte block, and clmul_finish() does the rest.  Constants:
 * crc32c_fold.h.
 *
 * The multiplier is the limit: one 64-byte multiply every 2 cycles, two
 * per 64 bytes, so more accumulators do not make it faster.  Where the
 * crc32 instruction competes for the same unit (AMD Zen 4) crc32 streams
 * alongside do not either; where it runs beside it (Zen 5) they do:
 * crc32c_hybrid.c (docs/performance.md, "CRC-32C").
 */
#include "crc32c_zmm.h"

#define ACCS 4
#define ROUND (ACCS * 64)
#define FOLD_MIN 128        /* below: the crc32 instruction (measured) */

/* Whole rounds from p, into z[] (which holds the first round already). */
static size_t fold_rounds(__m512i z[ACCS], const uint8_t *p, size_t len)
{
	const __m512i k_round = zmm_pair(CRC32C_FOLD_2048_LO, CRC32C_FOLD_2048_HI);
	size_t done = 0;

	for (; len - done >= ROUND; done += ROUND)
#pragma GCC unroll 8
		for (int i = 0; i < ACCS; i++)
			z[i] = zmm_fold(z[i], k_round, zmm_load(p + done + 64 * i));
	zmm_fold_into_last(z, ACCS);
	return done;
}

uint32_t daxdev_crc32c_vpclmul(uint32_t crc, const void *buf, size_t len)
{
	const __m512i k_one = zmm_pair(CRC32C_FOLD_512_LO, CRC32C_FOLD_512_HI);
	const uint8_t *p = buf;
	__m512i z[ACCS];
	size_t done;

	if (len < FOLD_MIN)
		return daxdev_crc32c_sse42(crc, buf, len);
	/* The initial register goes into the first 32 message bits. */
	z[ACCS - 1] = zmm_with_register(zmm_load(p), (uint32_t)~crc);
	if (len >= ROUND) {
		z[0] = z[ACCS - 1];
#pragma GCC unroll 8
		for (int i = 1; i < ACCS; i++)
			z[i] = zmm_load(p + 64 * i);
		done = ROUND + fold_rounds(z, p + ROUND, len - ROUND);
	} else {
		done = 64;
	}
	for (p += done, len -= done; len >= 64; p += 64, len -= 64)
		z[ACCS - 1] = zmm_fold(z[ACCS - 1], k_one, zmm_load(p));
	return clmul_finish(zmm_lanes_to_one(z[ACCS - 1]), p, len);
}

/* Stream whole lines from s to d and fold them into z: the first round
 * starts the accumulators (crc into the first 32 bits), the rest folds. */
static void copy_fold_body(__m512i z[ACCS], char *d, const uint8_t *s,
			     size_t body, uint32_t crc)
{
	const __m512i k_round = zmm_pair(CRC32C_FOLD_2048_LO, CRC32C_FOLD_2048_HI);
	const __m512i k_one = zmm_pair(CRC32C_FOLD_512_LO, CRC32C_FOLD_512_HI);
	size_t done = 0;

#pragma GCC unroll 8
	for (int i = 0; i < ACCS; i++) {
		z[i] = zmm_load(s + 64 * i);
		_mm512_stream_si512((void *)(d + 64 * i), z[i]);
	}
	X86_RECORD_NT(d, ROUND);
	z[0] = zmm_with_register(z[0], (uint32_t)~crc);
	for (done = ROUND; body - done >= ROUND; done += ROUND) {
#pragma GCC unroll 8
		for (int i = 0; i < ACCS; i++) {
			__m512i v = zmm_load(s + done + 64 * i);

			_mm512_stream_si512((void *)(d + done + 64 * i), v);
			z[i] = zmm_fold(z[i], k_round, v);
		}
		X86_RECORD_NT(d + done, ROUND);
	}
	zmm_fold_into_last(z, ACCS);
	for (; done < body; done += 64) {
		__m512i v = zmm_load(s + done);

		_mm512_stream_si512((void *)(d + done), v);
		X86_RECORD_NT(d + done, 64);
		z[ACCS - 1] = zmm_fold(z[ACCS - 1], k_one, v);
	}
}

/*
 * copy_nt (AVX-512 streaming, movnti edges) and CRC-32C of the source in
 * one pass over it: each source line is loaded once, streamed out and
 * folded in, so the folding hides behind the stores.  Returns
 * daxdev_crc32c(crc, src, len).  daxdev_memcpy_crc32c() calls it where the
 * copy streams.  Into cold memory the copy hides most of a separate CRC
 * pass up to a few KiB (plog appends: 1 KiB ~5 % faster, 4 KiB the same);
 * at 64 KiB one pass is 1.28x faster (bench/micro-arch copy-crc-cold).
 */
uint32_t daxdev_x86_copy_nt_crc_vpclmul(void *dst, const void *src, size_t len,
					void (*flush)(const void *, size_t),
					uint32_t crc)
{
	struct x86_nt_split split = x86_nt_split(dst, len);
	const uint8_t *s = src;
	char *d = dst;
	__m512i z[ACCS];
	size_t tail_at = split.head + split.body;

	if (len < X86_NT_EDGE_MIN || split.body < ROUND) {
		daxdev_x86_copy_nt_avx512(dst, src, len, flush);
		return daxdev_crc32c_vpclmul(crc, src, len);
	}
	x86_nt_copy_span(d, (const char *)s, len, 0, split.head);
	crc = daxdev_crc32c_vpclmul(crc, s, split.head);
	copy_fold_body(z, d + split.head, s + split.head, split.body, crc);
	x86_nt_copy_span(d, (const char *)s, len, tail_at, len);
	return clmul_finish(zmm_lanes_to_one(z[ACCS - 1]), s + tail_at, split.tail);
}
