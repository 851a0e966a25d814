/* plog under the crash simulator: every crash point of every append recovers a prefix; planted flush and fence bugs are caught. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "crashcheck.h"

static void test_every_crash_point(void **state)
{
	static const size_t sizes[] = { 1, 7, 8, 63, 64, 65, 4096, 70000 };
	struct plog_crashcheck_opts o = {
		.sizes = sizes, .nsizes = sizeof(sizes) / sizeof(sizes[0]),
		.appends = 4, .batch = 3, .seeds = 256, .seed = 1,
	};
	struct plog_crashcheck_result r;

	(void)state;
	assert_int_equal(plog_crashcheck(&o, &r), 0);
	printf("crash images checked: %llu, failed: %llu%s%s\n",
	       (unsigned long long)r.images, (unsigned long long)r.failures,
	       r.failures ? "; first: " : "", r.first_failure);
	assert_true(r.images >= 10000);
	assert_int_equal(r.failures, 0);
}

/* Run the checker over an append with a planted fault: it must report bad
 * images, and say an acknowledged append was lost. */
static void expect_caught(const char *what, enum plog_test_fault fault,
			  const size_t *sizes, size_t nsizes)
{
	struct plog_crashcheck_opts o = {
		.sizes = sizes, .nsizes = nsizes,
		.appends = 2, .batch = 2, .seeds = 16, .seed = 7, .fault = fault,
	};
	struct plog_crashcheck_result r;

	assert_int_equal(plog_crashcheck(&o, &r), 0);
	printf("%s: %llu of %llu crash images bad; first: %s\n", what,
	       (unsigned long long)r.failures, (unsigned long long)r.images, r.first_failure);
	assert_true(r.failures > 0);
	assert_non_null(strstr(r.first_failure, "acknowledged append was lost"));
}

/* The same checker must catch an append that publishes a record whose
 * payload was never flushed. */
static void test_planted_bug_is_caught(void **state)
{
	static const size_t sizes[] = { 64, 4096, 70000 };

	(void)state;
	expect_caught("planted bug", PLOG_FAULT_UNFLUSHED_PAYLOAD, sizes,
		      sizeof(sizes) / sizeof(sizes[0]));
}

/* An append that flushes everything but skips its fence: the old model
 * (flush = durable) could not see this; with flushes only pending until a
 * fence, an acknowledged record must be lost under some seeds. */
static void test_missing_fence_is_caught(void **state)
{
	static const size_t sizes[] = { 8, 64, 4096, 70000 };

	(void)state;
	expect_caught("missing fence", PLOG_FAULT_UNFENCED_APPEND, sizes,
		      sizeof(sizes) / sizeof(sizes[0]));
}

static void test_bad_options(void **state)
{
	struct plog_crashcheck_opts o = { .nsizes = 0, .seeds = 1 };
	struct plog_crashcheck_result r;

	(void)state;
	assert_int_equal(plog_crashcheck(&o, &r), -EINVAL);
	assert_int_equal(plog_crashcheck(NULL, &r), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_crash_point),
		cmocka_unit_test(test_planted_bug_is_caught),
		cmocka_unit_test(test_missing_fence_is_caught),
		cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
