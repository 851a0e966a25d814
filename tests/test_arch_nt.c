/* copy_nt/fill_nt contract on x86-64 (and the one-pass copy + CRC), with every non-temporal store recorded: each byte of the range is streamed or written back, and nothing outside it is touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <arch/arch.h>
#include <arch/x86_64/x86.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define LINE 64
#define MAX_LEN (5 * LINE)        /* every length up to here */
#define BIG_LEN (8 << 10)         /* a few longer ones up to here */
#define AREA (BIG_LEN + 3 * LINE) /* at least a line of guard either side */
#define EDGE_MIN 8                /* from here no byte is written back */

int daxdev_err(int err, const char *fmt, ...)
{
	(void)fmt;
	return err;
}

/* Where the recording build of the ISA files reports each store. */
void daxdev_x86_record_nt(const void *addr, size_t len);

static unsigned char area[AREA] __attribute__((aligned(LINE)));
static unsigned char nt_map[AREA], flush_map[AREA];
static bool outside;              /* a store or write-back left the area */

static void mark(unsigned char *map, const void *addr, size_t len)
{
	const unsigned char *p = addr;

	if (p < area || p + len > area + AREA) {
		outside = true;
		return;
	}
	memset(map + (p - area), 1, len);
}

void daxdev_x86_record_nt(const void *addr, size_t len)
{
	mark(nt_map, addr, len);
}

static void record_flush(const void *addr, size_t len)
{
	mark(flush_map, addr, len);
}

static void reset(void)
{
	memset(area, 0xa5, sizeof(area));
	memset(nt_map, 0, sizeof(nt_map));
	memset(flush_map, 0, sizeof(flush_map));
	outside = false;
}

/* n bytes of p all equal to v (memcmp against a reference is fast, and
 * every call checks the whole area). */
static bool all_equal(const unsigned char *p, size_t n, unsigned char v)
{
	static unsigned char ref[2][AREA];

	if (!ref[1][0])
		memset(ref[1], 0xa5, AREA);
	return memcmp(p, ref[v == 0xa5], n) == 0;
}

/* Inside [off, off+len): streamed or written back (from EDGE_MIN on:
 * streamed, none written back); outside: neither, and unchanged. */
static void check(size_t off, size_t len, const unsigned char *expect, int fill)
{
	size_t end = off + len;

	assert_false(outside);
	assert_true(all_equal(area, off, 0xa5) && all_equal(area + end, AREA - end, 0xa5));
	assert_true(all_equal(nt_map, off, 0) && all_equal(nt_map + end, AREA - end, 0));
	assert_true(all_equal(flush_map, off, 0) && all_equal(flush_map + end, AREA - end, 0));
	for (size_t i = off; i < end; i++) {
		assert_true(nt_map[i] || flush_map[i]);
		if (len >= EDGE_MIN)
			assert_int_equal(flush_map[i], 0);
		assert_int_equal(area[i], expect ? expect[i - off] : (unsigned char)fill);
	}
}

static unsigned char src[BIG_LEN + LINE];

static void contract(const struct daxdev_arch *arch)
{

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 3);
	for (size_t len = 0; len <= MAX_LEN; len++) {
		for (size_t off = LINE; off < 2 * LINE; off++) {
			reset();
			arch->copy_nt(area + off, src + len % 17, len, record_flush);
			check(off, len, src + len % 17, 0);
			reset();
			arch->fill_nt(area + off, 0x15a, len, record_flush);
			check(off, len, NULL, 0x5a);
		}
	}
}

/* The one-pass copy + CRC-32C: the copy_nt contract, and the CRC. */
static void copy_crc_one(size_t off, size_t len, size_t from)
{
	uint32_t seed = (uint32_t)(len * 2654435761u);
	uint32_t crc;

	reset();
	crc = daxdev_x86_copy_nt_crc_vpclmul(area + off, src + from, len, record_flush, seed);
	check(off, len, src + from, 0);
	assert_int_equal(crc, daxdev_crc32c_sw(seed, src + from, len));
}

static void test_copy_crc_one_pass(void **state)
{
	static const size_t big[] = { 1000, 4096, 4096 + 64, 4096 + 65, 5000, BIG_LEN };
	const char *best = NULL;

	(void)state;
	daxdev_arch_crc32c_impl(0, &best);
	if (strcmp(best, "vpclmul-avx512") != 0)
		skip();   /* no VPCLMULQDQ + AVX-512 here */
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 13 + 5);
	for (size_t len = 0; len <= MAX_LEN; len++)
		for (size_t off = LINE; off < 2 * LINE; off++)
			copy_crc_one(off, len, len % 17);
	for (size_t i = 0; i < ARRAY_LEN(big); i++)
		for (size_t off = LINE; off < 2 * LINE; off += 7)
			copy_crc_one(off, big[i] - (off == LINE ? 0 : LINE), off % 64);
}

/* Every streaming implementation this CPU has (one per ISA word). */
static void test_every_byte_streamed_or_written_back(void **state)
{
	static const char *const isa_words[] = { "movdir64b", "avx512", "avx2", "sse2" };
	const char *done[ARRAY_LEN(isa_words)] = { NULL };
	size_t ndone = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(isa_words); i++) {
		struct daxdev_arch_policy policy = { .isa = isa_words[i] };
		struct daxdev_arch arch;
		bool seen = false;

		assert_int_equal(daxdev_arch_select(&policy, &arch), 0);
		for (size_t j = 0; j < ndone; j++)
			seen = seen || strcmp(done[j], arch.copy_name) == 0;
		if (seen)
			continue;
		print_message("%s\n", arch.copy_name);
		done[ndone++] = arch.copy_name;
		contract(&arch);
	}
	assert_true(ndone >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte_streamed_or_written_back),
		cmocka_unit_test(test_copy_crc_one_pass),
	};

	return cmocka_run_group_tests_name("arch_nt", tests, NULL, NULL);
}
