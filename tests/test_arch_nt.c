/* copy_nt/fill_nt contract on x86-64, with every non-temporal store recorded: each byte of the range is streamed or written back, and nothing outside it is touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <arch/arch.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define LINE 64
#define MAX_LEN (5 * LINE)        /* every length up to here */
#define AREA (MAX_LEN + 3 * LINE) /* a line of guard either side */
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

/* Inside [off, off+len): streamed or written back (from EDGE_MIN on:
 * streamed, none written back); outside: neither, and unchanged. */
static void check(size_t off, size_t len, const unsigned char *expect, int fill)
{
	assert_false(outside);
	for (size_t i = 0; i < AREA; i++) {
		bool inside = i >= off && i < off + len;

		if (!inside) {
			assert_int_equal(nt_map[i] | flush_map[i], 0);
			assert_int_equal(area[i], 0xa5);
			continue;
		}
		assert_true(nt_map[i] || flush_map[i]);
		if (len >= EDGE_MIN)
			assert_int_equal(flush_map[i], 0);
		assert_int_equal(area[i], expect ? expect[i - off] : (unsigned char)fill);
	}
}

static void contract(const struct daxdev_arch *arch)
{
	unsigned char src[MAX_LEN + LINE];

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
	};

	return cmocka_run_group_tests_name("arch_nt", tests, NULL, NULL);
}
