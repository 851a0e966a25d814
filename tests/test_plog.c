/* plog format and recovery: CRC-32C vectors, append/appendv/rewind, full log, bad headers, corruption, garbage, split mappings. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "plog.h"

struct fixture {
	struct daxdev *dev;
	struct plog *log;
	unsigned char *mem;  /* whole device (anon is contiguous) */
};

static struct fixture make_log(const char *target)
{
	struct fixture f;
	void *addr;

	assert_int_equal(daxdev_open(target, NULL, &f.dev), 0);
	assert_true(daxdev_direct_access(f.dev, 0, 1, &addr) > 0);
	f.mem = addr;
	assert_int_equal(plog_create(f.dev, &f.log), 0);
	return f;
}

static void drop(struct fixture *f)
{
	plog_close(f->log);
	daxdev_put(f->dev);
}

static int reopen(struct fixture *f)
{
	plog_close(f->log);
	f->log = NULL;
	return plog_open(f->dev, &f->log);
}

struct seen {
	uint64_t count;
	size_t bytes;
	char last[64];
};

static int count_record(void *arg, uint64_t seq, const void *data, size_t len)
{
	struct seen *s = arg;

	assert_int_equal(seq, s->count);
	s->count++;
	s->bytes += len;
	memset(s->last, 0, sizeof(s->last));
	memcpy(s->last, data, len < sizeof(s->last) - 1 ? len : sizeof(s->last) - 1);
	return 0;
}

static struct seen walk(struct plog *log)
{
	struct seen s = { 0 };

	assert_int_equal(plog_foreach(log, count_record, &s), 0);
	return s;
}

static void test_append_reopen(void **state)
{
	struct fixture f = make_log("anon:1M");
	struct iovec v[3] = { { "one", 3 }, { "", 0 }, { "three", 5 } };
	struct plog_stat st;
	struct seen s;

	(void)state;
	assert_int_equal(plog_append(f.log, "zero", 4), 0);
	assert_int_equal(plog_appendv(f.log, v, 3), 0);
	assert_int_equal(reopen(&f), 0);
	s = walk(f.log);
	assert_int_equal(s.count, 4);
	assert_int_equal(s.bytes, 12);
	assert_string_equal(s.last, "three");
	plog_get_stat(f.log, &st);
	assert_int_equal(st.records, 4);
	assert_int_equal(st.used, 4 * 64);   /* small records take one 64-byte line each */
	assert_int_equal(st.used + st.free, st.capacity);
	drop(&f);
}

static void test_rewind(void **state)
{
	struct fixture f = make_log("anon:1M");
	struct plog_stat st;
	uint64_t gen;

	(void)state;
	assert_int_equal(plog_append(f.log, "old", 3), 0);
	plog_get_stat(f.log, &st);
	gen = st.generation;
	assert_int_equal(plog_rewind(f.log), 0);
	assert_int_equal(reopen(&f), 0);
	plog_get_stat(f.log, &st);
	assert_int_equal(st.records, 0);
	assert_int_equal(st.generation, gen + 1);
	assert_int_equal(plog_append(f.log, "new", 3), 0);
	assert_int_equal(reopen(&f), 0);
	assert_string_equal(walk(f.log).last, "new");
	drop(&f);
}

static void test_full_and_too_large(void **state)
{
	struct fixture f = make_log("anon:8K");
	struct plog_stat before, after;
	static char big[8192];

	(void)state;
	plog_get_stat(f.log, &before);
	assert_int_equal(before.capacity, 4096);
	assert_int_equal(plog_append(f.log, big, 5000), -EFBIG);
	assert_non_null(strstr(plog_errormsg(), "can never fit"));
	assert_int_equal(plog_append(f.log, big, before.max_record), 0);
	plog_get_stat(f.log, &before);
	assert_int_equal(before.free, 0);
	assert_int_equal(plog_append(f.log, "x", 1), -ENOSPC);
	assert_non_null(strstr(plog_errormsg(), "log full"));
	assert_int_equal(reopen(&f), 0);
	plog_get_stat(f.log, &after);
	assert_int_equal(after.records, 1);
	assert_int_equal(after.used, 4096);
	assert_int_equal(plog_append(f.log, NULL, 1), -EINVAL);
	assert_int_equal(plog_appendv(f.log, NULL, 1), -EINVAL);
	drop(&f);
}

static void test_bad_headers(void **state)
{
	struct fixture f = make_log("anon:64K");
	struct daxdev *small;
	struct plog *log;
	void *addr;

	(void)state;
	f.mem[8] = 2;  /* version */
	assert_int_equal(reopen(&f), -EPROTONOSUPPORT);
	f.mem[8] = 1;
	f.mem[30] ^= 1; /* capacity, under the header CRC */
	assert_int_equal(plog_open(f.dev, &log), -EBADMSG);
	assert_non_null(strstr(plog_errormsg(), "checksum"));
	f.mem[30] ^= 1;
	assert_int_equal(plog_open(f.dev, &log), 0);
	plog_close(log);
	/* The same header on a smaller device: truncated. */
	assert_int_equal(daxdev_open("anon:16K", NULL, &small), 0);
	assert_int_equal(daxdev_direct_access(small, 0, 1, &addr), 1);
	memcpy(addr, f.mem, 4096);
	assert_int_equal(plog_open(small, &log), -EBADMSG);
	assert_non_null(strstr(plog_errormsg(), "truncated"));
	memset(addr, 0, 8);
	assert_int_equal(plog_open(small, &log), -EINVAL);
	assert_non_null(strstr(plog_errormsg(), "not a plog log"));
	assert_int_equal(plog_is_formatted(small), 0);
	assert_int_equal(plog_is_formatted(f.dev), 1);
	daxdev_put(small);
	daxdev_put(f.dev);
}

static void test_corruption_reported(void **state)
{
	struct fixture f = make_log("anon:64K");

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(plog_append(f.log, "0123456789abcdef", 16), 0);
	f.mem[4096 + 64 + 32 + 5] ^= 0x40;  /* payload of record #1 (slots are 64 bytes) */
	assert_int_equal(reopen(&f), -EBADMSG);
	assert_non_null(strstr(plog_errormsg(), "record #1 at offset 4160"));
	f.mem[4096 + 64 + 32 + 5] ^= 0x40;
	assert_int_equal(reopen(&f), 0);
	/* The last record damaged looks like a torn append: dropped, not an error. */
	f.mem[4096 + 2 * 64 + 32] ^= 1;
	assert_int_equal(reopen(&f), 0);
	assert_int_equal(walk(f.log).count, 2);
	drop(&f);
}

/* Random bytes in the record area, and record headers with huge lengths:
 * recovery must end, without reading outside the device. */
static void test_garbage_is_bounded(void **state)
{
	struct fixture f = make_log("anon:64K");
	uint64_t gen;

	(void)state;
	memcpy(&gen, f.mem + 64, 8);
	srand(1);
	for (int round = 0; round < 200; round++) {
		for (int i = 4096; i < 65536; i++)
			f.mem[i] = (unsigned char)rand();
		for (int i = 4096; i + 32 <= 65536 && round % 2; i += 8 * (rand() % 64 + 1)) {
			uint32_t len = round % 4 == 1 ? UINT32_MAX - (uint32_t)(rand() % 16) :
				       (uint32_t)rand() % 70000;
			memcpy(f.mem + i + 4, &len, 4);
			memcpy(f.mem + i + 8, &gen, 8);
		}
		int rc = reopen(&f);
		assert_true(rc == 0 || rc == -EBADMSG);
		if (rc)
			assert_int_equal(plog_open(f.dev, &f.log), rc);
		else
			assert_true(walk(f.log).count < 2048);
	}
	plog_close(f.log);
	daxdev_put(f.dev);
}

/* A device without one contiguous mapping: records cross member boundaries. */
static void test_split_mapping(void **state)
{
	struct fixture f = make_log("linear:anon:64K,anon:64K,anon:64K");
	static char big[70000];

	(void)state;
	memset(big, 'q', sizeof(big));
	for (int i = 0; i < 2; i++)
		assert_int_equal(plog_append(f.log, big, sizeof(big)), 0);
	assert_int_equal(plog_append(f.log, "tail", 4), 0);
	assert_int_equal(reopen(&f), 0);
	struct seen s = walk(f.log);
	assert_int_equal(s.count, 3);
	assert_int_equal(s.bytes, 2 * sizeof(big) + 4);
	assert_string_equal(s.last, "tail");
	drop(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_reopen),
		cmocka_unit_test(test_rewind),
		cmocka_unit_test(test_full_and_too_large),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_corruption_reported),
		cmocka_unit_test(test_garbage_is_bounded),
		cmocka_unit_test(test_split_mapping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
