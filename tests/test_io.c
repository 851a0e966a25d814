/* I/O tests: write/writev/read/zero/flush_range and the pointer calls are byte-exact at every size, alignment and iovec shape. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <daxdev.h>

#define DEV_SIZE (80u << 20)
#define GUARD 128

static uint8_t *pattern;   /* DEV_SIZE bytes of a fixed pattern */

static int setup(void **state)
{
	(void)state;
	pattern = malloc(DEV_SIZE);
	for (size_t i = 0; i < DEV_SIZE; i++)
		pattern[i] = (uint8_t)(i * 131 + (i >> 9) + 3);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(pattern);
	return 0;
}

/* One device with write cache on (CPU copy/flush path) and one off.  The
 * portable build has no CPU write-back: it must refuse the switch, and its
 * tests then run the one path it has (write cache off). */
static struct daxdev *open_dev(bool write_cache)
{
	struct daxdev *dev;

	assert_int_equal(daxdev_new_volatile(DEV_SIZE, &dev), 0);
#ifdef DAXDEV_TEST_NO_CPU_FLUSH
	if (write_cache) {
		assert_int_equal(daxdev_set_write_cache(dev, true), -EOPNOTSUPP);
		assert_int_equal(daxdev_write_cache(dev), 0);
		return dev;
	}
#endif
	assert_int_equal(daxdev_set_write_cache(dev, write_cache), 0);
	return dev;
}

static uint8_t *base_of(struct daxdev *dev)
{
	void *addr;

	assert_int_equal(daxdev_direct_access(dev, 0, 1, &addr), 1);
	return addr;
}

/* Copy len bytes to dst_off from src_off of the pattern; check the copy and
 * that the guard bytes around it are still 0xee. */
static void check_copy(struct daxdev *dev, uint8_t *base, size_t dst_off, size_t src_off,
		       size_t len, unsigned flags)
{
	memset(base + dst_off - GUARD, 0xee, len + 2 * GUARD);
	assert_int_equal(daxdev_memcpy(dev, base + dst_off, pattern + src_off, len, flags), 0);
	if (memcmp(base + dst_off, pattern + src_off, len))
		fail_msg("copy of %zu bytes dst+%zu src+%zu flags %u differs", len,
			 dst_off % 64, src_off % 64, flags);
	for (size_t i = 0; i < GUARD; i++) {
		if (base[dst_off - GUARD + i] != 0xee || base[dst_off + len + i] != 0xee)
			fail_msg("copy of %zu bytes at +%zu wrote outside its range", len,
				 dst_off % 64);
	}
}

/* Every size 0..4096 at every (destination, source) misalignment 0..63 when
 * exhaustive; otherwise every pair up to 160 bytes and a rotating subset above
 * (each misalignment still meets each size class).  Under emulation (the
 * arm64 cross build sets DAXDEV_TEST_EMULATED, tests/meson.build) the
 * exhaustive sweeps take the second form: ~9x fewer copies, minutes less. */
static void sweep_copies(bool write_cache, unsigned flags, bool exhaustive)
{
	struct daxdev *dev = open_dev(write_cache);
	uint8_t *base = base_of(dev);
	const char *emulated = getenv("DAXDEV_TEST_EMULATED");

	if (emulated && *emulated)
		exhaustive = false;

	for (size_t len = 0; len <= 4096; len++) {
		bool all = exhaustive || len <= 160;
		for (size_t d = 0; d < 64; d++)
			for (size_t s = all ? 0 : d % 13; s < 64; s += all ? 1 : 13)
				check_copy(dev, base, 8192 + d, 64 * 1024 + s, len, flags);
	}
	daxdev_put(dev);
}

static void test_memcpy_sweep_wc_on(void **state)
{
	(void)state;
	sweep_copies(true, 0, true);
}

static void test_memcpy_sweep_forced_nt(void **state)
{
	(void)state;
	sweep_copies(true, DAXDEV_F_NONTEMPORAL | DAXDEV_F_NODRAIN, true);
}

static void test_memcpy_sweep_temporal_and_wc_off(void **state)
{
	(void)state;
	sweep_copies(true, DAXDEV_F_TEMPORAL, true);
	sweep_copies(false, 0, false);   /* plain memcpy: libc's own business */
}

static void test_large_copies(void **state)
{
	static const size_t sizes[] = { 65536, 65537, 2u << 20, (2u << 20) + 63, 64u << 20 };
	struct daxdev *dev = open_dev(true);
	uint8_t *base = base_of(dev);

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		check_copy(dev, base, 4096 + 5, 3, sizes[i], 0);
		check_copy(dev, base, 4096 * 2, 0, sizes[i], DAXDEV_F_NONTEMPORAL);
	}
	daxdev_put(dev);
}

static void check_fill(struct daxdev *dev, uint8_t *base, size_t off, size_t len,
		       unsigned flags)
{
	memset(base + off - GUARD, 0xee, len + 2 * GUARD);
	assert_int_equal(daxdev_memset(dev, base + off, 0x3c, len, flags), 0);
	for (size_t i = 0; i < len; i++)
		if (base[off + i] != 0x3c)
			fail_msg("fill of %zu at +%zu: byte %zu wrong", len, off % 64, i);
	for (size_t i = 0; i < GUARD; i++)
		if (base[off - GUARD + i] != 0xee || base[off + len + i] != 0xee)
			fail_msg("fill of %zu at +%zu wrote outside", len, off % 64);
}

static void test_memset_sweep(void **state)
{
	struct daxdev *dev = open_dev(true);
	uint8_t *base = base_of(dev);

	(void)state;
	for (size_t len = 0; len <= 4096; len++)
		for (size_t d = 0; d < 64; d++)
			check_fill(dev, base, 8192 + d, len, 0);
	check_fill(dev, base, 8192 + 17, 64u << 20, DAXDEV_F_NONTEMPORAL);
	daxdev_put(dev);
}

static void test_write_read_offsets(void **state)
{
	struct daxdev *dev = open_dev(true);
	uint8_t *back = malloc(1 << 20);

	(void)state;
	for (uint64_t off = 0; off < 3 * 4096; off += 509) {
		size_t len = (size_t)(off * 37 % 70000) + 1;
		assert_int_equal(daxdev_write(dev, off, pattern + off, len), 0);
		assert_int_equal(daxdev_read(dev, off, back, len), 0);
		assert_memory_equal(back, pattern + off, len);
	}
	/* the last byte, and one past it */
	assert_int_equal(daxdev_write(dev, DEV_SIZE - 1, pattern, 1), 0);
	assert_int_equal(daxdev_read(dev, DEV_SIZE - 1, back, 1), 0);
	assert_int_equal(back[0], pattern[0]);
	assert_int_equal(daxdev_write(dev, DEV_SIZE, pattern, 1), -ERANGE);
	assert_non_null(strstr(daxdev_errormsg(), "past the end"));
	assert_int_equal(daxdev_write(dev, DEV_SIZE - 1, pattern, 2), -ERANGE);
	assert_int_equal(daxdev_write(dev, UINT64_MAX, pattern, 2), -ERANGE);
	assert_int_equal(daxdev_read(dev, DEV_SIZE - 1, back, 2), -ERANGE);
	assert_int_equal(daxdev_zero(dev, DEV_SIZE, 1), -ERANGE);
	assert_int_equal(daxdev_zero(dev, 1, UINT64_MAX), -ERANGE);
	assert_int_equal(daxdev_flush_range(dev, DEV_SIZE - 10, 11), -ERANGE);
	assert_int_equal(daxdev_write(dev, DEV_SIZE, pattern, 0), 0);
	assert_int_equal(daxdev_write(dev, 0, NULL, 1), -EINVAL);
	assert_int_equal(daxdev_read(dev, 0, NULL, 1), -EINVAL);
	/* whole device, spanning every page */
	assert_int_equal(daxdev_write(dev, 0, pattern, DEV_SIZE), 0);
	assert_int_equal(daxdev_flush_range(dev, 0, DEV_SIZE), 0);
	assert_memory_equal(base_of(dev), pattern, DEV_SIZE);
	free(back);
	daxdev_put(dev);
}

static void test_zero(void **state)
{
	struct daxdev *dev = open_dev(true);
	uint8_t *base = base_of(dev);

	(void)state;
	assert_int_equal(daxdev_write(dev, 0, pattern, 5 * 4096), 0);
	assert_int_equal(daxdev_zero(dev, 4095, 4098), 0);
	assert_int_equal(base[4094], pattern[4094]);
	for (size_t i = 4095; i < 4095 + 4098; i++)
		assert_int_equal(base[i], 0);
	assert_int_equal(base[4095 + 4098], pattern[4095 + 4098]);
	assert_int_equal(daxdev_zero(dev, 0, 0), 0);
	daxdev_put(dev);
}

static void test_writev_shapes(void **state)
{
	struct daxdev *dev = open_dev(true);
	struct iovec *iov = calloc(1025, sizeof(*iov));
	uint8_t *base = base_of(dev);
	size_t total = 0;

	(void)state;
	/* no entries */
	assert_int_equal(daxdev_writev(dev, 0, iov, 0, 0), 0);
	assert_int_equal(daxdev_writev(dev, 0, NULL, 0, 0), 0);
	assert_int_equal(daxdev_writev(dev, 0, NULL, 1, 0), -EINVAL);
	/* 1024 entries, every third empty, crossing pages */
	memset(base, 0, 1 << 20);
	for (int i = 0; i < 1024; i++) {
		size_t len = i % 3 == 0 ? 0 : (size_t)(i * 7 % 900) + 1;
		iov[i].iov_base = pattern + total;
		iov[i].iov_len = len;
		total += len;
	}
	assert_int_equal(daxdev_writev(dev, 4000, iov, 1024, 0), 0);
	assert_memory_equal(base + 4000, pattern, total);
	assert_int_equal(base[4000 + total], 0);
	assert_int_equal(base[3999], 0);
	/* too many, negative, NULL base, past the end, overflow */
	assert_int_equal(daxdev_writev(dev, 0, iov, 1025, 0), -EINVAL);
	assert_int_equal(daxdev_writev(dev, 0, iov, -1, 0), -EINVAL);
	iov[5].iov_base = NULL;
	iov[5].iov_len = 3;
	assert_int_equal(daxdev_writev(dev, 0, iov, 6, 0), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "iov[5]"));
	iov[0].iov_base = pattern;
	iov[0].iov_len = SIZE_MAX;
	iov[1].iov_base = pattern;
	iov[1].iov_len = 2;
	assert_int_equal(daxdev_writev(dev, 0, iov, 2, 0), -EINVAL);
	iov[0].iov_len = 10;
	assert_int_equal(daxdev_writev(dev, DEV_SIZE - 11, iov, 2, 0), -ERANGE);
	/* nothing was written by the refused calls */
	assert_int_equal(base[DEV_SIZE - 11], 0);
	/* all zero-length entries */
	for (int i = 0; i < 4; i++)
		iov[i].iov_len = 0;
	assert_int_equal(daxdev_writev(dev, DEV_SIZE, iov, 4, 0), 0);
	free(iov);
	daxdev_put(dev);
}

static void test_direct_access_args(void **state)
{
	struct daxdev *dev = open_dev(false);
	void *addr;
	long pages = DEV_SIZE / 4096;

	(void)state;
	assert_int_equal(daxdev_direct_access(dev, 0, pages + 10, &addr), pages);
	assert_int_equal(daxdev_direct_access(dev, pages - 1, 5, &addr), 1);
	assert_int_equal(daxdev_direct_access(dev, pages, 1, &addr), -ERANGE);
	assert_int_equal(daxdev_direct_access(dev, UINT64_MAX, 1, &addr), -ERANGE);
	assert_int_equal(daxdev_direct_access(dev, 0, 0, &addr), -EINVAL);
	assert_int_equal(daxdev_direct_access(dev, 0, -3, &addr), -EINVAL);
	assert_int_equal(daxdev_direct_access(dev, 0, 1, NULL), -EINVAL);
	daxdev_put(dev);
}

/* Bad policy options are refused with a message naming them, never crash. */
static void test_bad_overrides(void **state)
{
	static const struct {
		struct daxdev_open_opts opts;
		const char *text;
	} bad[] = {
		{ { .sz = sizeof(struct daxdev_open_opts), .flush = "bogus" }, "open option flush=bogus" },
		{ { .sz = sizeof(struct daxdev_open_opts), .isa = "mmx" }, "open option isa=mmx" },
		{ { .sz = sizeof(struct daxdev_open_opts), .flush = "" }, "open option flush" },
		{ { .sz = sizeof(struct daxdev_open_opts), .write_cache = 7 }, "write_cache option 7" },
		{ { .sz = sizeof(struct daxdev_open_opts), .sharing = 9 }, "sharing option 9" },
	};
	struct daxdev *dev = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(daxdev_open("anon:1M", &bad[i].opts, &dev), -EINVAL);
		if (!strstr(daxdev_errormsg(), bad[i].text))
			fail_msg("case %zu: message '%s' lacks '%s'", i, daxdev_errormsg(),
				 bad[i].text);
	}
	assert_null(dev);
	/* a good override works and shows in info (the portable build
	 * refuses write cache on: tests/test_write_cache_refusal.c) */
#ifdef DAXDEV_TEST_NO_CPU_FLUSH
	DAXDEV_OPEN_OPTS(good, .nt_threshold = DAXDEV_NT_NEVER,
			 .write_cache = DAXDEV_WRITE_CACHE_OFF);
#else
	DAXDEV_OPEN_OPTS(good, .nt_threshold = DAXDEV_NT_NEVER,
			 .write_cache = DAXDEV_WRITE_CACHE_ON);
#endif
	assert_int_equal(daxdev_open("anon:1M", &good, &dev), 0);
	struct daxdev_info info = DAXDEV_INFO_INIT;
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_string_equal(info.copy_impl, "memcpy");
	assert_true(info.write_cache_overridden);
#ifdef DAXDEV_TEST_NO_CPU_FLUSH
	assert_false(info.write_cache);
	assert_string_equal(info.write_cache_reason, "override open option write_cache=off");
#else
	assert_true(info.write_cache);
	assert_string_equal(info.write_cache_reason, "override open option write_cache=on");
#endif
	daxdev_put(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_sweep_wc_on),
		cmocka_unit_test(test_memcpy_sweep_forced_nt),
		cmocka_unit_test(test_memcpy_sweep_temporal_and_wc_off),
		cmocka_unit_test(test_large_copies),
		cmocka_unit_test(test_memset_sweep),
		cmocka_unit_test(test_write_read_offsets),
		cmocka_unit_test(test_zero),
		cmocka_unit_test(test_writev_shapes),
		cmocka_unit_test(test_direct_access_args),
		cmocka_unit_test(test_bad_overrides),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
