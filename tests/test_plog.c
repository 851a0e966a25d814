/* plog format and recovery: append/appendv (the next slot and the padding zeroed, empty records)/rewind (also from the largest generation), full log, bad headers, corruption, garbage, split mappings, one writer or many readers, read-only devices. */
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
#include "plog-test.h"

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
	return plog_open(f->dev, 0, &f->log);
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
	struct iovec v[3] = { { "one", 3 }, { NULL, 0 }, { "three", 5 } };
	struct plog_stat st;
	struct seen s;

	(void)state;
	assert_int_equal(plog_append(f.log, "zero", 4), 0);
	assert_int_equal(plog_append(f.log, NULL, 0), 0);   /* an empty record */
	assert_int_equal(plog_appendv(f.log, v, 3), 0);
	assert_int_equal(reopen(&f), 0);
	s = walk(f.log);
	assert_int_equal(s.count, 5);
	assert_int_equal(s.bytes, 12);
	assert_string_equal(s.last, "three");
	plog_get_stat(f.log, &st);
	assert_int_equal(st.records, 5);
	assert_int_equal(st.used, 5 * 64);   /* small records take one 64-byte line each */
	assert_int_equal(st.used + st.free, st.capacity);
	drop(&f);
}

/* Every append, whatever its records' sizes, leaves the next slot's first line
 * zeroed over whatever was there, and its payloads read back exact. */
static int check_pattern(void *arg, uint64_t seq, const void *data, size_t len)
{
	const unsigned char *p = data;

	(void)arg;
	for (size_t i = 0; i < len; i++)
		assert_int_equal(p[i], (unsigned char)(seq * 7 + i));
	return 0;
}

static uint64_t tail_of(struct plog *log)
{
	struct plog_stat st;

	plog_get_stat(log, &st);
	return PLOG_HEADER_SIZE + st.used;
}

static uint64_t slot_bytes(size_t len)
{
	return (PLOG_RECORD_HEADER + len + 63) & ~(uint64_t)63;
}

/* The padding after each payload of a batch appended at at is zero. */
static void assert_padding_zero(const unsigned char *mem, uint64_t at, const struct iovec *v,
				int n)
{
	for (int i = 0; i < n; i++) {
		for (uint64_t b = at + PLOG_RECORD_HEADER + v[i].iov_len; b < at + slot_bytes(v[i].iov_len); b++)
			assert_int_equal(mem[b], 0);
		at += slot_bytes(v[i].iov_len);
	}
}

static void test_append_zeroes_next_slot(void **state)
{
	/* small; large ending inside a line; large ending on a line (32 + 64k) */
	static const size_t sizes[][2] = { { 64, 0 }, { 1000, 0 }, { 1056, 0 }, { 4096, 0 },
					   { 700, 40 }, { 40, 1056 }, { 513, 2000 }, { 5, 0 },
					   { 512, 0 } };
	static unsigned char buf[2][4096];
	const unsigned char zero[64] = { 0 };
	struct fixture f = make_log("anon:1M");
	uint64_t seq = 0;

	(void)state;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct iovec v[2];
		int n = sizes[k][1] ? 2 : 1;
		uint64_t at = tail_of(f.log);

		memset(f.mem + at, 0xa5, 3 * 4096);
		for (int i = 0; i < n; i++, seq++) {
			for (size_t j = 0; j < sizes[k][i]; j++)
				buf[i][j] = (unsigned char)(seq * 7 + j);
			v[i] = (struct iovec){ .iov_base = buf[i], .iov_len = sizes[k][i] };
		}
		assert_int_equal(plog_appendv(f.log, v, n), 0);
		assert_memory_equal(f.mem + tail_of(f.log), zero, sizeof(zero));
		assert_padding_zero(f.mem, at, v, n);
	}
	assert_int_equal(reopen(&f), 0);
	assert_int_equal(plog_foreach(f.log, check_pattern, NULL), 0);
	assert_int_equal(walk(f.log).count, seq);
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

/* Rewind from the largest generation wraps to 1, never to 0 (which no log
 * has), and the records of the largest do not come back. */
static void test_rewind_at_largest_generation(void **state)
{
	struct fixture f = make_log("anon:64K");
	struct plog_stat st;

	(void)state;
	assert_int_equal(plog_test_set_generation(f.log, PLOG_TEST_GENERATION_MAX), 0);
	assert_int_equal(plog_append(f.log, "old", 3), 0);
	assert_int_equal(reopen(&f), 0);
	plog_get_stat(f.log, &st);
	assert_int_equal(st.generation, PLOG_TEST_GENERATION_MAX);
	assert_int_equal(st.records, 1);
	assert_int_equal(plog_rewind(f.log), 0);
	assert_int_equal(reopen(&f), 0);
	plog_get_stat(f.log, &st);
	assert_int_equal(st.generation, 1);
	assert_int_equal(st.records, 0);
	assert_int_equal(plog_append(f.log, "new", 3), 0);
	assert_int_equal(reopen(&f), 0);
	assert_int_equal(walk(f.log).count, 1);
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
	plog_close(f.log);
	f.mem[30] ^= 1; /* capacity, under the header CRC */
	assert_int_equal(plog_open(f.dev, 0, &log), -EBADMSG);
	assert_non_null(strstr(plog_errormsg(), "checksum"));
	f.mem[30] ^= 1;
	assert_int_equal(plog_open(f.dev, 0, &log), 0);
	plog_close(log);
	/* The same header on a smaller device: truncated. */
	assert_int_equal(daxdev_open("anon:16K", NULL, &small), 0);
	assert_int_equal(daxdev_direct_access(small, 0, 1, &addr), 1);
	memcpy(addr, f.mem, 4096);
	assert_int_equal(plog_open(small, 0, &log), -EBADMSG);
	assert_non_null(strstr(plog_errormsg(), "truncated"));
	memset(addr, 0, 4096);
	assert_int_equal(plog_open(small, 0, &log), -EINVAL);
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
	gen &= PLOG_TEST_GENERATION_MAX;  /* records carry the generation without its check */
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
			assert_int_equal(plog_open(f.dev, 0, &f.log), rc);
		else
			assert_true(walk(f.log).count < 2048);
	}
	plog_close(f.log);
	daxdev_put(f.dev);
}

/* Devices that are not one mapping for the library, so large records take
 * the queued path: three members, where records cross member boundaries,
 * and one member, which hands out all its pages at once all the same. */
static void test_split_mapping(void **state)
{
	static const char *const specs[] = { "linear:anon:64K,anon:64K,anon:64K",
					     "linear:anon:256K" };
	static char big[70000];

	(void)state;
	memset(big, 'q', sizeof(big));
	for (size_t k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
		struct fixture f = make_log(specs[k]);

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
}

/* A log on a new 64 KiB file in a new directory made from dir's template. */
static struct fixture make_file_log(char *dir, char *path, size_t len)
{
	DAXDEV_OPEN_OPTS(create, .size = 64 * 1024, .flags = DAXDEV_OPEN_CREATE);
	struct daxdev *dev;

	assert_non_null(mkdtemp(dir));
	snprintf(path, len, "%s/log", dir);
	assert_int_equal(daxdev_open(path, &create, &dev), 0);
	daxdev_put(dev);
	return make_log(path);
}

static void remove_file_log(const char *dir, const char *path)
{
	unlink(path);
	rmdir(dir);
}

/* One writer or many readers, through one object or two. */
static void test_one_writer(void **state)
{
	char dir[] = "/tmp/plog-writer.XXXXXX", path[64];
	struct fixture f = make_file_log(dir, path, sizeof(path));
	struct plog *second, *reader;
	struct daxdev *other;

	(void)state;
	assert_int_equal(plog_open(f.dev, 0, &second), -EBUSY);
	assert_non_null(strstr(plog_errormsg(), "busy"));
	assert_int_equal(plog_open(f.dev, PLOG_OPEN_READONLY, &reader), -EBUSY);
	assert_int_equal(plog_create(f.dev, &second), -EBUSY);
	/* Another object over the same file: the same answer. */
	assert_int_equal(daxdev_open(path, NULL, &other), 0);
	assert_int_equal(plog_open(other, 0, &second), -EBUSY);
	assert_int_equal(plog_append(f.log, "one", 3), 0);
	plog_close(f.log);
	/* Readers share; a writer waits for them all. */
	assert_int_equal(plog_open(f.dev, PLOG_OPEN_READONLY, &reader), 0);
	assert_int_equal(plog_open(other, PLOG_OPEN_READONLY, &f.log), 0);
	assert_int_equal(plog_open(other, 0, &second), -EBUSY);
	assert_int_equal(plog_append(reader, "two", 3), -EROFS);
	assert_int_equal(plog_rewind(reader), -EROFS);
	assert_int_equal(walk(reader).count, 1);
	plog_close(reader);
	plog_close(f.log);
	assert_int_equal(plog_open(other, 0, &f.log), 0);
	assert_int_equal(plog_open(other, PLOG_OPEN_WAIT, &second), -EDEADLK);
	assert_int_equal(plog_open(f.dev, 1u << 9, &second), -EINVAL);
	drop(&f);
	daxdev_put(other);
	remove_file_log(dir, path);
}

/* A read-only device gives a read-only log; create refuses it. */
static void test_readonly_device(void **state)
{
	char dir[] = "/tmp/plog-ro.XXXXXX", path[64];
	DAXDEV_OPEN_OPTS(ro, .flags = DAXDEV_OPEN_READONLY);
	struct fixture f = make_file_log(dir, path, sizeof(path));

	(void)state;
	assert_int_equal(plog_append(f.log, "kept", 4), 0);
	drop(&f);
	assert_int_equal(daxdev_open(path, &ro, &f.dev), 0);
	assert_int_equal(plog_open(f.dev, 0, &f.log), 0);
	assert_string_equal(walk(f.log).last, "kept");
	assert_int_equal(plog_append(f.log, "more", 4), -EROFS);
	plog_close(f.log);
	assert_int_equal(plog_create(f.dev, &f.log), -EROFS);
	daxdev_put(f.dev);
	remove_file_log(dir, path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_reopen),
		cmocka_unit_test(test_append_zeroes_next_slot),
		cmocka_unit_test(test_rewind),
		cmocka_unit_test(test_rewind_at_largest_generation),
		cmocka_unit_test(test_one_writer),
		cmocka_unit_test(test_readonly_device),
		cmocka_unit_test(test_full_and_too_large),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_corruption_reported),
		cmocka_unit_test(test_garbage_is_bounded),
		cmocka_unit_test(test_split_mapping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
