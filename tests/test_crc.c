/* daxdev_crc32c: known vectors, the CPU's implementation equals the portable one at every length and alignment, chaining. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <daxdev.h>
#include <arch/arch.h>

static void test_known_vectors(void **state)
{
	uint8_t zeros[32] = { 0 }, ones[32], inc[32];

	(void)state;
	memset(ones, 0xff, sizeof(ones));
	for (int i = 0; i < 32; i++)
		inc[i] = (uint8_t)i;
	/* check value of CRC-32C, and the RFC 3720 (iSCSI) test patterns */
	assert_int_equal(daxdev_crc32c(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(daxdev_crc32c(0, zeros, 32), 0x8A9136AAu);
	assert_int_equal(daxdev_crc32c(0, ones, 32), 0x62A8AB43u);
	assert_int_equal(daxdev_crc32c(0, inc, 32), 0x46DD794Eu);
	assert_int_equal(daxdev_crc32c_sw(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(daxdev_crc32c(0, NULL, 0), 0);
	assert_int_equal(daxdev_crc32c(0x1234, NULL, 5), 0x1234);
	assert_int_equal(daxdev_crc32c(0x1234, "x", 0), 0x1234);
}

/* Whatever this CPU uses must agree with the portable code everywhere. */
static void test_matches_portable(void **state)
{
	size_t n = 4096 + 64;
	uint8_t *buf = malloc(n);
	daxdev_crc32c_fn fast = daxdev_arch_crc32c();

	(void)state;
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);
	/* every length up to 300, then a stride; and every length around the
	 * three-stream rounds (768 bytes) */
	for (size_t len = 0; len <= 4096; len += len < 300 ? 1 : (len % 768 > 760 ? 1 : 61))
		for (size_t off = 0; off < 16; off++) {
			uint32_t want = daxdev_crc32c_sw(0x9e3779b9u, buf + off, len);
			assert_int_equal(fast(0x9e3779b9u, buf + off, len), want);
			assert_int_equal(daxdev_crc32c(0x9e3779b9u, buf + off, len), want);
		}
	free(buf);
}

static void test_chaining(void **state)
{
	uint8_t buf[1000];
	uint32_t whole, c;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	whole = daxdev_crc32c(0, buf, sizeof(buf));
	for (size_t cut = 0; cut <= sizeof(buf); cut += 37) {
		c = daxdev_crc32c(0, buf, cut);
		assert_int_equal(daxdev_crc32c(c, buf + cut, sizeof(buf) - cut), whole);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_matches_portable),
		cmocka_unit_test(test_chaining),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
