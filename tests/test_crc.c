/* daxdev_crc32c: known vectors; every implementation this CPU runs equals the portable one at every length and alignment; chaining across implementations; the folding and shift constants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <daxdev.h>
#include <arch/arch.h>
#ifdef DAXDEV_ARCH_X86_64
#include <arch/x86_64/crc32c_fold.h>
#endif

#define MAX_IMPLS 8
#define BUF_LEN ((64 << 10) + 4096)   /* random lengths reach past 64 KiB */
#define EVERY_LEN_MAX 2200             /* beyond every path's round sizes */

struct impls {
	daxdev_crc32c_fn fn[MAX_IMPLS];
	const char *name[MAX_IMPLS];
	size_t n;
};

static struct impls all_impls(void)
{
	struct impls im = { .n = 0 };

	while (im.n < MAX_IMPLS &&
	       (im.fn[im.n] = daxdev_arch_crc32c_impl(im.n, &im.name[im.n])))
		im.n++;
	/* The best one is what daxdev_crc32c() uses; the table is always last. */
	assert_true(im.n >= 1);
	assert_ptr_equal(im.fn[0], daxdev_arch_crc32c());
	assert_ptr_equal(im.fn[im.n - 1], daxdev_crc32c_sw);
	assert_string_equal(im.name[im.n - 1], "table");
	return im;
}

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint8_t *random_buffer(void)
{
	uint8_t *buf = malloc(BUF_LEN);

	assert_non_null(buf);
	for (size_t i = 0; i < BUF_LEN; i++)
		buf[i] = (uint8_t)rng();
	return buf;
}

static void test_known_vectors(void **state)
{
	struct impls im = all_impls();
	uint8_t zeros[32] = { 0 }, ones[32], inc[32];

	(void)state;
	memset(ones, 0xff, sizeof(ones));
	for (int i = 0; i < 32; i++)
		inc[i] = (uint8_t)i;
	/* check value of CRC-32C, and the RFC 3720 (iSCSI) test patterns */
	for (size_t i = 0; i < im.n; i++) {
		print_message("%s\n", im.name[i]);
		assert_int_equal(im.fn[i](0, "123456789", 9), 0xE3069283u);
		assert_int_equal(im.fn[i](0, zeros, 32), 0x8A9136AAu);
		assert_int_equal(im.fn[i](0, ones, 32), 0x62A8AB43u);
		assert_int_equal(im.fn[i](0, inc, 32), 0x46DD794Eu);
	}
	assert_int_equal(daxdev_crc32c(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(daxdev_crc32c(0, NULL, 0), 0);
	assert_int_equal(daxdev_crc32c(0x1234, NULL, 5), 0x1234);
	assert_int_equal(daxdev_crc32c(0x1234, "x", 0), 0x1234);
}

/* Every length up to EVERY_LEN_MAX at 16 alignments, two starting values. */
static void test_every_length(void **state)
{
	struct impls im = all_impls();
	uint8_t *buf = random_buffer();

	(void)state;
	for (size_t len = 0; len <= EVERY_LEN_MAX; len++) {
		for (size_t off = 0; off < 16; off++) {
			uint32_t seed = off & 1 ? 0x9e3779b9u : 0;
			uint32_t want = daxdev_crc32c_sw(seed, buf + off, len);

			for (size_t i = 0; i < im.n - 1; i++)
				assert_int_equal(im.fn[i](seed, buf + off, len), want);
		}
	}
	free(buf);
}

/* Random lengths 0..64 KiB+4000, any alignment within a line, any seed. */
static void test_random_lengths(void **state)
{
	struct impls im = all_impls();
	uint8_t *buf = random_buffer();

	(void)state;
	for (int round = 0; round < 1500; round++) {
		size_t off = rng() % 64;
		size_t len = rng() % (BUF_LEN - 64 + 1);
		uint32_t seed = (uint32_t)rng();
		uint32_t want = daxdev_crc32c_sw(seed, buf + off, len);

		for (size_t i = 0; i < im.n - 1; i++)
			assert_int_equal(im.fn[i](seed, buf + off, len), want);
		assert_int_equal(daxdev_crc32c(seed, buf + off, len), want);
	}
	free(buf);
}

/* A buffer cut into pieces, each piece checksummed by a different
 * implementation, continuing from the previous one's value. */
static void test_chaining_across_paths(void **state)
{
	struct impls im = all_impls();
	uint8_t *buf = random_buffer();

	(void)state;
	for (int round = 0; round < 300; round++) {
		size_t len = rng() % 20000, done = 0, piece = 0;
		uint32_t whole = daxdev_crc32c_sw(7, buf, len), c = 7;

		while (done < len) {
			size_t n = rng() % (len - done + 1);

			c = im.fn[piece++ % im.n](c, buf + done, n);
			done += n;
		}
		assert_int_equal(c, whole);
	}
	free(buf);
}

#ifdef DAXDEV_ARCH_X86_64
/* x^n mod P (P = x^32 + 0x1EDC6F41), computed one bit at a time, then in the
 * form the folding code multiplies with: bit-reversed, shifted left by one. */
static uint64_t clmul_constant(unsigned n)
{
	uint64_t r = 1, reflected = 0;

	while (n--) {
		r <<= 1;
		if (r & (1ull << 32))
			r ^= (1ull << 32) | 0x1EDC6F41u;
	}
	for (int i = 0; i < 32; i++)
		reflected |= (r >> i & 1) << (31 - i);
	return reflected << 1;
}

static void test_fold_constants(void **state)
{
	static const struct {
		unsigned bits;
		uint64_t lo, hi;
	} pairs[] = {
		{ 128, CRC32C_FOLD_128_LO, CRC32C_FOLD_128_HI },
		{ 256, CRC32C_FOLD_256_LO, CRC32C_FOLD_256_HI },
		{ 384, CRC32C_FOLD_384_LO, CRC32C_FOLD_384_HI },
		{ 512, CRC32C_FOLD_512_LO, CRC32C_FOLD_512_HI },
		{ 2048, CRC32C_FOLD_2048_LO, CRC32C_FOLD_2048_HI },
	};
	static const uint64_t shift_lines[] = CRC32C_SHIFT_LINES_TABLE;

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		assert_int_equal(pairs[i].lo, clmul_constant(pairs[i].bits + 32));
		assert_int_equal(pairs[i].hi, clmul_constant(pairs[i].bits - 32));
	}
	/* Entry m - 1 moves a register through m lines: x^(512m - 32). */
	assert_int_equal(sizeof(shift_lines) / sizeof(shift_lines[0]), CRC32C_SHIFT_LINES_COUNT);
	for (unsigned m = 1; m <= CRC32C_SHIFT_LINES_COUNT; m++)
		assert_int_equal(shift_lines[m - 1], clmul_constant(512 * m - 32));
}
#endif

/* Every length from 15 to 18 KiB at one odd alignment: vpclmul+crc32
 * checksums at most 16 KiB and a few lines in one span, then starts the
 * next from the first one's register. */
static void test_lengths_across_spans(void **state)
{
	struct impls im = all_impls();
	uint8_t *buf = random_buffer();

	(void)state;
	for (size_t len = 15 << 10; len <= 18 << 10; len++) {
		uint32_t want = daxdev_crc32c_sw(0x5eed, buf + 5, len);

		for (size_t i = 0; i < im.n - 1; i++)
			assert_int_equal(im.fn[i](0x5eed, buf + 5, len), want);
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_every_length),
		cmocka_unit_test(test_random_lengths),
		cmocka_unit_test(test_chaining_across_paths),
		cmocka_unit_test(test_lengths_across_spans),
#ifdef DAXDEV_ARCH_X86_64
		cmocka_unit_test(test_fold_constants),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
