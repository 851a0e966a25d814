/* crashsim provider: unflushed words old-or-new by seed, flushed-but-unfenced words may be lost, fenced data survives, flush captures content at flush time, intermediate values, crash_after at fences, snapshots keep the pending set, memory use, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
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

	assert_int_equal(daxdev_open("crashsim:anon:64K", NULL, &s.dev), 0);
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
	struct daxdev_info info = DAXDEV_INFO_INIT;

	(void)state;
	assert_int_equal(daxdev_get_info(s.dev, &info), 0);
	assert_string_equal(info.provider, "crashsim");
	assert_string_equal(info.host, "crashsim:anon");
	assert_string_equal(info.flush_impl, "crashsim");
	assert_string_equal(info.drain_impl, "crashsim");
	assert_int_equal(info.persistence, DAXDEV_PERSISTENCE_PERSISTENT);
	assert_true(info.write_cache);
	char details[1024];
	assert_true(daxdev_get_details(s.dev, details, sizeof(details)) > 0);
	assert_non_null(strstr(details, "crashsim-inner: anon"));
	assert_non_null(strstr(details, "crashsim-drains: 0 (0 lost, 0 lines pending)"));
	daxdev_put(s.dev);
}

static void test_unflushed_word_old_or_new(void **state)
{
	struct daxdev_crashsim_stats st = DAXDEV_CRASHSIM_STATS_INIT;
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

/* Store v at word i and write its line back, without a fence (clwb alone). */
static void store_flush_nodrain(struct sim *s, int i, uint64_t v)
{
	assert_int_equal(daxdev_memcpy(s->dev, &s->mem[i], &v, 8, DAXDEV_F_NODRAIN), 0);
}

/* Zero the test region durably (flush + fence). */
static void reset_region(struct sim *s)
{
	memset(s->mem, 0, WORDS * 8);
	assert_int_equal(daxdev_flush(s->dev, s->mem, WORDS * 8), 0);
}

static void test_flushed_not_drained_may_be_lost(void **state)
{
	struct daxdev_crashsim_stats st = DAXDEV_CRASHSIM_STATS_INIT;
	struct sim s = sim_open();
	uint64_t vals[WORDS];
	int lost = 0, kept = 0;

	(void)state;
	for (int i = 0; i < WORDS; i++)
		vals[i] = new_value(i);
	for (uint64_t seed = 0; seed < 64; seed++) {
		reset_region(&s);
		assert_int_equal(daxdev_memcpy(s.dev, s.mem, vals, sizeof(vals), DAXDEV_F_NODRAIN), 0);
		assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
		assert_int_equal(st.pending_lines, WORDS / 8);
		assert_int_equal(daxdev_crashsim_crash(s.dev, seed), 0);
		assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
		assert_int_equal(st.crash_pending_words, WORDS);
		assert_int_equal(st.pending_lines, 0);
		for (int i = 0; i < WORDS; i++) {
			assert_true(s.mem[i] == 0 || s.mem[i] == new_value(i));
			lost += s.mem[i] == 0;
			kept += s.mem[i] != 0;
		}
	}
	assert_true(lost > 0);
	assert_true(kept > 0);
	daxdev_put(s.dev);
}

static void test_drained_survives(void **state)
{
	struct daxdev_crashsim_stats before = DAXDEV_CRASHSIM_STATS_INIT;
	struct daxdev_crashsim_stats after = DAXDEV_CRASHSIM_STATS_INIT;
	struct sim s = sim_open();

	(void)state;
	for (uint64_t seed = 0; seed < 64; seed++) {
		reset_region(&s);
		for (int i = 0; i < WORDS; i++)
			store_flush_nodrain(&s, i, new_value(i));
		assert_int_equal(daxdev_crashsim_stats(s.dev, &before), 0);
		assert_int_equal(daxdev_drain(s.dev), 0);
		assert_int_equal(daxdev_crashsim_stats(s.dev, &after), 0);
		assert_int_equal(after.drains, before.drains + 1);
		assert_int_equal(after.pending_lines, 0);
		assert_int_equal(daxdev_crashsim_crash(s.dev, seed), 0);
		for (int i = 0; i < WORDS; i++)
			assert_true(s.mem[i] == new_value(i));
	}
	daxdev_put(s.dev);
}

/* A flush covers the line as it was then: A flushed, B flushed, C only
 * stored.  Before the fence any of 0, A, B, C may survive; after it, B
 * (the newest flushed) or C, never 0 or A. */
static void test_store_after_flush_not_covered(void **state)
{
	const uint64_t A = 0xa, B = 0xb, C = 0xc;
	struct sim s = sim_open();
	bool seen[2][16] = { { false } };

	(void)state;
	for (uint64_t seed = 0; seed < 512; seed++) {
		bool fenced = seed & 1;

		reset_region(&s);
		store_flush_nodrain(&s, 0, A);
		store_flush_nodrain(&s, 0, B);
		s.mem[0] = C;
		if (fenced)
			assert_int_equal(daxdev_drain(s.dev), 0);
		assert_int_equal(daxdev_crashsim_crash(s.dev, seed >> 1), 0);
		assert_true(s.mem[0] < 16);
		seen[fenced][s.mem[0]] = true;
	}
	assert_true(seen[0][0] && seen[0][A] && seen[0][B] && seen[0][C]);
	assert_true(!seen[1][0] && !seen[1][A] && seen[1][B] && seen[1][C]);
	daxdev_put(s.dev);
}

/* A value the line held at a fence and that was stored over afterwards
 * (never flushed itself) may have been evicted, so a crash may bring it
 * back: A flushed and fenced, B stored after the flush and still there at
 * the fence, C stored later.  Any of A, B, C; B only through the new
 * intermediate versions. */
static void test_intermediate_value_may_survive(void **state)
{
	const uint64_t A = 0xa, B = 0xb, C = 0xc;
	struct daxdev_crashsim_stats st = DAXDEV_CRASHSIM_STATS_INIT;
	struct sim s = sim_open();
	bool seen[16] = { false };

	(void)state;
	for (uint64_t seed = 0; seed < 256; seed++) {
		reset_region(&s);
		store_flush_nodrain(&s, 0, A);
		s.mem[0] = B;
		assert_int_equal(daxdev_drain(s.dev), 0);
		s.mem[0] = C;
		assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
		assert_int_equal(st.intermediate_lines, 1);
		assert_int_equal(daxdev_crashsim_crash(s.dev, seed), 0);
		assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
		assert_int_equal(st.intermediate_lines, 0);
		assert_int_equal(st.crash_intermediate_words, 1);
		assert_true(s.mem[0] < 16);
		seen[s.mem[0]] = true;
	}
	assert_true(seen[A] && seen[B] && seen[C] && !seen[0]);
	/* Flushed and fenced again: the older intermediate value is gone. */
	reset_region(&s);
	store_flush_nodrain(&s, 0, A);
	s.mem[0] = B;
	assert_int_equal(daxdev_drain(s.dev), 0);
	store_flush_nodrain(&s, 0, C);
	assert_int_equal(daxdev_drain(s.dev), 0);
	assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
	assert_int_equal(st.intermediate_lines, 0);
	daxdev_put(s.dev);
}

/* Resident memory of this process, in bytes. */
static uint64_t resident(void)
{
	unsigned long long size, rss;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llu %llu", &size, &rss), 2);
	fclose(f);
	return rss * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* A large target costs what is written, not its size: open, write a few
 * lines, crash, save and restore a 1 GiB simulator within a few MiB.  Over
 * anon: itself and over a composite whose one member is anon: (the fuzzer
 * found crashsim:linear:anon:4G reading, so allocating, all of it). */
static void check_memory_grows_with_writes(const char *target)
{
	struct daxdev_crashsim_snapshot *snap;
	uint64_t before = resident(), v = 42;
	struct daxdev *dev;
	char *base;

	assert_int_equal(daxdev_open(target, NULL, &dev), 0);
	assert_int_equal(daxdev_direct_access(dev, 0, 1, (void **)&base), 1);
	for (uint64_t off = 0; off < (1u << 30); off += 64u << 20)
		assert_int_equal(daxdev_write(dev, off, &v, 8), 0);
	memset(base + 4096, 1, 64);   /* stored, never flushed */
	assert_int_equal(daxdev_crashsim_save(dev, &snap), 0);
	assert_int_equal(daxdev_crashsim_crash(dev, 3), 0);
	assert_int_equal(daxdev_crashsim_restore(dev, snap), 0);
	assert_int_equal(daxdev_crashsim_crash(dev, 4), 0);
	uint64_t grown = resident() - before;
	if (grown > (32u << 20))
		fail_msg("%s with 17 lines written grew the process by %llu bytes", target,
			 (unsigned long long)grown);
	uint64_t back = 0;
	assert_int_equal(daxdev_read(dev, 512u << 20, &back, 8), 0);
	assert_int_equal(back, 42);
	daxdev_crashsim_snapshot_free(snap);
	daxdev_put(dev);
}

static void test_memory_grows_with_writes(void **state)
{
	(void)state;
	check_memory_grows_with_writes("crashsim:anon:1G");
	check_memory_grows_with_writes("crashsim:linear:anon:1G");
}

/* Too large to simulate: refused at once, not by the OOM killer later. */
static void test_too_large_fails_fast(void **state)
{
	uint64_t ram = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
	char target[64];
	struct daxdev *dev;

	(void)state;
	snprintf(target, sizeof(target), "crashsim:anon:%llu", (unsigned long long)(ram / 4096 * 4096));
	assert_int_equal(daxdev_open(target, NULL, &dev), -EFBIG);
	assert_non_null(strstr(daxdev_errormsg(), "too large to simulate"));
}

static void test_drain_with_nothing_pending(void **state)
{
	struct daxdev_crashsim_stats st = DAXDEV_CRASHSIM_STATS_INIT;
	struct sim s = sim_open();

	(void)state;
	assert_int_equal(daxdev_drain(s.dev), 0);
	assert_int_equal(daxdev_drain(s.dev), 0);
	store_unflushed(&s);
	/* A fence writes nothing back by itself: the stores stay at stake. */
	assert_int_equal(daxdev_drain(s.dev), 0);
	assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
	assert_int_equal(st.drains, 3);
	assert_int_equal(st.pending_lines, 0);
	assert_int_equal(daxdev_crashsim_crash(s.dev, 1), 0);
	assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
	assert_int_equal(st.crash_words, WORDS);
	assert_int_equal(st.crash_pending_words, 0);
	daxdev_put(s.dev);
}

static void test_crash_after(void **state)
{
	struct daxdev_crashsim_stats st = DAXDEV_CRASHSIM_STATS_INIT;
	struct sim s = sim_open();
	int line1_lost = 0;

	(void)state;
	for (uint64_t seed = 0; seed < 64; seed++) {
		reset_region(&s);
		assert_int_equal(daxdev_crashsim_crash_after(s.dev, 1), 0);
		store_flush_nodrain(&s, 0, 1);
		assert_int_equal(daxdev_drain(s.dev), 0);  /* completes */
		store_flush_nodrain(&s, 8, 2);
		assert_int_equal(daxdev_drain(s.dev), 0);  /* the cut: line 1 stays pending */
		store_flush_nodrain(&s, 16, 3);            /* after the cut: not captured */
		assert_int_equal(daxdev_drain(s.dev), 0);
		assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
		assert_int_equal(st.lost_drains, 2 * (seed + 1));
		assert_int_equal(st.lost_flushes, seed + 1);
		assert_int_equal(st.pending_lines, 1);
		assert_int_equal(daxdev_crashsim_crash(s.dev, seed), 0);
		assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
		assert_int_equal(st.crash_pending_words, 1);
		assert_int_equal(s.mem[0], 1);
		assert_true(s.mem[8] == 0 || s.mem[8] == 2);
		assert_true(s.mem[16] == 0 || s.mem[16] == 3);
		line1_lost += s.mem[8] == 0;
	}
	assert_true(line1_lost > 0);
	/* After the crash the power is back: fences complete again. */
	store_flush_nodrain(&s, 0, 42);
	assert_int_equal(daxdev_drain(s.dev), 0);
	assert_int_equal(daxdev_crashsim_crash(s.dev, 0), 0);
	assert_int_equal(s.mem[0], 42);
	daxdev_put(s.dev);
}

/* The pending set is part of the state: after a restore, the flushed-only
 * value can still come back, and the same seed gives the same image. */
static void test_snapshot_keeps_pending(void **state)
{
	struct daxdev_crashsim_snapshot *snap;
	struct daxdev_crashsim_stats st = DAXDEV_CRASHSIM_STATS_INIT;
	struct sim s = sim_open();
	uint64_t first[64];
	bool seen_a = false;

	(void)state;
	reset_region(&s);
	store_flush_nodrain(&s, 0, 0xa);
	s.mem[0] = 0xc;
	assert_int_equal(daxdev_crashsim_save(s.dev, &snap), 0);
	assert_int_equal(daxdev_drain(s.dev), 0);  /* empties the pending set */
	for (int round = 0; round < 2; round++) {
		for (uint64_t seed = 0; seed < 64; seed++) {
			assert_int_equal(daxdev_crashsim_restore(s.dev, snap), 0);
			assert_int_equal(daxdev_crashsim_stats(s.dev, &st), 0);
			assert_int_equal(st.pending_lines, 1);
			assert_int_equal(daxdev_crashsim_crash(s.dev, seed), 0);
			if (round == 0)
				first[seed] = s.mem[0];
			assert_int_equal(s.mem[0], first[seed]);
			seen_a |= s.mem[0] == 0xa;
		}
	}
	assert_true(seen_a);
	daxdev_crashsim_snapshot_free(snap);
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
	struct daxdev_crashsim_stats st = DAXDEV_CRASHSIM_STATS_INIT;
	struct sim a = sim_open(), b = sim_open();
	struct daxdev *anon, *dev;

	(void)state;
	assert_int_equal(daxdev_open("anon:64K", NULL, &anon), 0);
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
	assert_int_equal(daxdev_open("crashsim:", NULL, &dev), -EINVAL);
	assert_true(daxdev_open("crashsim:/nonexistent/x", NULL, &dev) < 0);
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
		cmocka_unit_test(test_flushed_not_drained_may_be_lost),
		cmocka_unit_test(test_drained_survives),
		cmocka_unit_test(test_store_after_flush_not_covered),
		cmocka_unit_test(test_intermediate_value_may_survive),
		cmocka_unit_test(test_memory_grows_with_writes),
		cmocka_unit_test(test_too_large_fails_fast),
		cmocka_unit_test(test_drain_with_nothing_pending),
		cmocka_unit_test(test_crash_after),
		cmocka_unit_test(test_snapshot_keeps_pending),
		cmocka_unit_test(test_write_cache_off_keeps_all),
		cmocka_unit_test(test_new_over_inner),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
