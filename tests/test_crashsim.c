/* crashsim provider: unflushed words old-or-new by seed, flushed data survives, pointer stores, crash_after, snapshots, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <daxdev.h>
#include <daxdev/crashsim.h>

#define WORDS 64   /* one test region: 8 cache lines */

struct sim {
	struct daxdev *dev;
	uint64_t *mem;  /* page 0 of the live image */
};

static struct sim sim_open(void)
{
	struct sim s;
	void *addr;

	assert_int_equal(daxdev_open("crashsim:anon:64K", 0, &s.dev), 0);
	assert_int_equal(daxdev_direct_access(s.dev, 0, 1, &addr), 1);
	s.mem = addr;
	return s;
}

static uint64_t new_value(int i)
{
	return UINT64_C(0x1111111111111111) * (uint64_t)(i % 15 + 1);
}

/* Store new values in words [0, WORDS) without any flush. */
static void store_unflushed(struct sim *s)
{
	for (int i = 0; i < WORDS; i++)
		s->mem[i] = new_value(i);
}

static void test_info(void **state)
{
	struct sim s = sim_open();
	struct daxdev_info info;

	(void)state;
	assert_int_equal(daxdev_get_info(s.dev, &info), 0);
	assert_string_equal(info.provider, "crashsim");
	assert_string_equal(info.host, "crashsim:anon");
	assert_string_equal(info.flush_impl, "crashsim");
	assert_int_equal(info.persistence, DAXDEV_PERSISTENCE_PERSISTENT);
	assert_true(info.write_cache);
	assert_non_null(strstr(info.details, "crashsim-inner: anon"));
	daxdev_put(s.dev);
}

static void test_unflushed_word_old_or_new(void **state)
{
	struct daxdev_crashsim_stats st;
	struct sim s = sim_open();

	(void)state;
	for (uint64_t seed = 0; seed < 64; seed++) {
		memset(s.mem, 0, WORDS * 8);
		assert_int_equal(daxdev_flush(s.dev, s.mem, WORDS * 8), 0);
		store_unflushed(&s);
		assert_int_equal(daxdev_crashsim_crash(s.dev, seed), 0);
		assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
		assert_int_equal(st.crash_words, WORDS);
		uint64_t kept = 0;
		for (int i = 0; i < WORDS; i++) {
			assert_true(s.mem[i] == 0 || s.mem[i] == new_value(i));
			kept += s.mem[i] != 0;
		}
		assert_int_equal(kept, st.crash_words_new);
		/* The image is now both live and media: a second crash changes nothing. */
		assert_int_equal(daxdev_crashsim_crash(s.dev, seed + 1000), 0);
		assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
		assert_int_equal(st.crash_words, 0);
	}
	daxdev_put(s.dev);
}

static void test_flushed_survives(void **state)
{
	struct sim s = sim_open();

	(void)state;
	for (uint64_t seed = 0; seed < 64; seed++) {
		store_unflushed(&s);
		assert_int_equal(daxdev_flush(s.dev, s.mem + 8, 16), 0); /* line 1 */
		assert_int_equal(daxdev_write(s.dev, 1024, "durable", 8), 0);
		assert_int_equal(daxdev_crashsim_crash(s.dev, seed), 0);
		for (int i = 8; i < 16; i++)
			assert_true(s.mem[i] == new_value(i));
		assert_memory_equal((char *)s.mem + 1024, "durable", 8);
		memset(s.mem, 0, WORDS * 8);
		assert_int_equal(daxdev_flush(s.dev, s.mem, WORDS * 8), 0);
	}
	daxdev_put(s.dev);
}

/* Images of the same unflushed state under different seeds. */
static void crash_images(struct sim *s, uint64_t images[][WORDS], int n)
{
	struct daxdev_crashsim_snapshot *snap;

	memset(s->mem, 0, WORDS * 8);
	assert_int_equal(daxdev_flush(s->dev, s->mem, WORDS * 8), 0);
	store_unflushed(s);
	assert_int_equal(daxdev_crashsim_save(s->dev, &snap), 0);
	for (int i = 0; i < n; i++) {
		assert_int_equal(daxdev_crashsim_restore(s->dev, snap), 0);
		assert_int_equal(daxdev_crashsim_crash(s->dev, (uint64_t)i % 16), 0);
		memcpy(images[i], s->mem, WORDS * 8);
	}
	daxdev_crashsim_snapshot_free(snap);
}

static void test_seeds_differ_and_repeat(void **state)
{
	static uint64_t images[32][WORDS];
	struct sim s = sim_open();
	int distinct = 0;
	bool some_old = false, some_new = false;

	(void)state;
	crash_images(&s, images, 32);
	for (int i = 0; i < 16; i++) {
		assert_memory_equal(images[i], images[i + 16], WORDS * 8); /* same seed */
		distinct += i == 0 || memcmp(images[i], images[0], WORDS * 8) != 0;
		for (int w = 0; w < WORDS; w++) {
			some_old |= images[i][w] == 0;
			some_new |= images[i][w] != 0;
		}
	}
	assert_true(distinct >= 8);
	assert_true(some_old && some_new);
	daxdev_put(s.dev);
}

static void test_crash_after(void **state)
{
	struct daxdev_crashsim_stats st;
	struct sim s = sim_open();

	(void)state;
	for (uint64_t seed = 0; seed < 32; seed++) {
		memset(s.mem, 0, WORDS * 8);
		assert_int_equal(daxdev_flush(s.dev, s.mem, WORDS * 8), 0);
		assert_int_equal(daxdev_crashsim_crash_after(s.dev, 1), 0);
		store_unflushed(&s);
		assert_int_equal(daxdev_flush(s.dev, s.mem, 64), 0);      /* reaches media */
		assert_int_equal(daxdev_flush(s.dev, s.mem + 8, 64), 0);  /* lost */
		assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
		assert_int_equal(st.lost_flushes, seed + 1);
		assert_int_equal(daxdev_crashsim_crash(s.dev, seed), 0);
		assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
		assert_int_equal(st.crash_words, WORDS - 8);
		for (int i = 0; i < 8; i++)
			assert_true(s.mem[i] == new_value(i));
	}
	/* After the crash the power is back: flushes reach the media again. */
	s.mem[0] = 42;
	assert_int_equal(daxdev_flush(s.dev, s.mem, 8), 0);
	assert_int_equal(daxdev_crashsim_crash(s.dev, 0), 0);
	assert_int_equal(s.mem[0], 42);
	daxdev_put(s.dev);
}

static void test_write_cache_off_keeps_all(void **state)
{
	struct sim s = sim_open();

	(void)state;
	assert_int_equal(daxdev_set_write_cache(s.dev, false), 0);
	for (uint64_t seed = 0; seed < 16; seed++) {
		store_unflushed(&s);
		assert_int_equal(daxdev_crashsim_crash(s.dev, seed), 0);
		for (int i = 0; i < WORDS; i++)
			assert_true(s.mem[i] == new_value(i));
	}
	daxdev_put(s.dev);
}

static void test_new_over_inner(void **state)
{
	struct daxdev *inner, *dev;
	uint64_t *mem;
	void *addr;

	(void)state;
	assert_int_equal(daxdev_new_volatile(8192, &inner), 0);
	assert_int_equal(daxdev_direct_access(inner, 0, 1, &addr), 1);
	mem = addr;
	mem[0] = 7;  /* before the simulator: taken as durable */
	assert_int_equal(daxdev_crashsim_new(inner, &dev), 0);
	daxdev_put(inner);  /* the simulator keeps its own reference */
	mem[0] = 8;
	mem[1] = 9;
	assert_int_equal(daxdev_flush(dev, &mem[1], 8), 0);
	assert_int_equal(daxdev_crashsim_crash(dev, 0), 0);
	assert_int_equal(mem[1], 9);
	assert_true(mem[0] == 7 || mem[0] == 8);
	daxdev_put(dev);
}

static void test_errors(void **state)
{
	struct daxdev_crashsim_snapshot *snap;
	struct daxdev_crashsim_stats st;
	struct sim a = sim_open(), b = sim_open();
	struct daxdev *anon, *dev;

	(void)state;
	assert_int_equal(daxdev_open("anon:64K", 0, &anon), 0);
	assert_int_equal(daxdev_crashsim_crash(anon, 1), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "not a crashsim device"));
	assert_int_equal(daxdev_crashsim_crash(NULL, 1), -EINVAL);
	assert_int_equal(daxdev_crashsim_stats(a.dev, NULL), -EINVAL);
	assert_int_equal(daxdev_crashsim_stats(anon, &st), -EINVAL);
	assert_int_equal(daxdev_crashsim_save(a.dev, NULL), -EINVAL);
	assert_int_equal(daxdev_crashsim_restore(a.dev, NULL), -EINVAL);
	assert_int_equal(daxdev_crashsim_crash_after(a.dev, UINT64_MAX), -EINVAL);
	assert_int_equal(daxdev_crashsim_new(NULL, &dev), -EINVAL);
	assert_int_equal(daxdev_crashsim_new(anon, NULL), -EINVAL);
	assert_int_equal(daxdev_open("crashsim:", 0, &dev), -EINVAL);
	assert_true(daxdev_open("crashsim:/nonexistent/x", 0, &dev) < 0);
	assert_int_equal(daxdev_flush(a.dev, (char *)b.mem, 8), -ERANGE);
	assert_int_equal(daxdev_crashsim_save(a.dev, &snap), 0);
	assert_int_equal(daxdev_crashsim_restore(b.dev, snap), -EINVAL);
	daxdev_crashsim_snapshot_free(snap);
	daxdev_crashsim_snapshot_free(NULL);
	daxdev_kill(a.dev);
	assert_int_equal(daxdev_crashsim_crash(a.dev, 1), -ENXIO);
	daxdev_kill(anon);
	assert_int_equal(daxdev_crashsim_new(anon, &dev), -ENXIO);
	daxdev_put(anon);
	daxdev_put(a.dev);
	daxdev_put(b.dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_unflushed_word_old_or_new),
		cmocka_unit_test(test_flushed_survives),
		cmocka_unit_test(test_seeds_differ_and_repeat),
		cmocka_unit_test(test_crash_after),
		cmocka_unit_test(test_write_cache_off_keeps_all),
		cmocka_unit_test(test_new_over_inner),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
