/* plog damage is never a shorter log: every flipped byte of the header and of every record but the last append, other versions, a poisoned page, a file truncated under an open log. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <daxdev/provider.h>
#include "plog-test.h"

#define MAX_RECORDS 64

struct records {
	int count;
	size_t len[MAX_RECORDS];
	unsigned char data[MAX_RECORDS][128];
};

static int keep_record(void *arg, uint64_t seq, const void *data, size_t len)
{
	struct records *r = arg;

	if (r->count >= MAX_RECORDS || seq != (uint64_t)r->count || len > sizeof(r->data[0]))
		return -ERANGE;
	r->len[r->count] = len;
	memcpy(r->data[r->count++], data, len);
	return 0;
}

static int count_record(void *arg, uint64_t seq, const void *data, size_t len)
{
	(void)seq;
	(void)data;
	(void)len;
	(*(int *)arg)++;
	return 0;
}

static bool same_prefix(const struct records *got, const struct records *want)
{
	if (got->count > want->count)
		return false;
	for (int i = 0; i < got->count; i++)
		if (got->len[i] != want->len[i] || memcmp(got->data[i], want->data[i], got->len[i]))
			return false;
	return true;
}

/* A log on anon:16K: single records, a batch, and the last append. */
static void fill_log(struct daxdev *dev, uint64_t *before_last)
{
	static const char forty[] = "0123456789012345678901234567890123456789";
	struct iovec batch[2] = { { "b1", 2 }, { "second of the batch", 19 } };
	struct plog_stat st;
	struct plog *log;

	assert_int_equal(plog_create(dev, &log), 0);
	assert_int_equal(plog_append(log, "a", 1), 0);
	assert_int_equal(plog_append(log, forty, 40), 0);
	assert_int_equal(plog_appendv(log, batch, 2), 0);
	assert_int_equal(plog_append(log, forty, 33), 0);
	plog_get_stat(log, &st);
	*before_last = PLOG_HEADER_SIZE + st.used;
	assert_int_equal(plog_append(log, "last", 4), 0);
	plog_close(log);
}

/* One flipped byte: either harmless (every record there, intact) or an
 * error naming an offset; read-only, a record-area flip gives the records
 * before it, then the same error. */
static bool flip_outcome(struct daxdev *dev, uint64_t off, const struct records *want)
{
	struct records got = { 0 };
	struct plog *log;
	int rc = plog_open(dev, 0, &log);

	if (rc == 0) {
		rc = plog_foreach(log, keep_record, &got);
		plog_close(log);
		assert_int_equal(rc, 0);
		assert_int_equal(got.count, want->count);
		assert_true(same_prefix(&got, want));
		return false;
	}
	if (rc != -EBADMSG || !strstr(plog_errormsg(), "offset"))
		fail_msg("flip at %llu: open gave %d: %s", (unsigned long long)off, rc, plog_errormsg());
	rc = plog_open(dev, PLOG_OPEN_READONLY, &log);
	if (off < PLOG_HEADER_SIZE) {
		assert_int_equal(rc, -EBADMSG);
		return true;
	}
	assert_int_equal(rc, 0);
	rc = plog_foreach(log, keep_record, &got);
	plog_close(log);
	assert_int_equal(rc, -EBADMSG);
	assert_non_null(strstr(plog_errormsg(), "offset"));
	assert_true(got.count < want->count && same_prefix(&got, want));
	return true;
}

static void test_every_byte_flipped(void **state)
{
	static const unsigned char masks[] = { 0x01, 0x80, 0xff };
	struct records want = { 0 };
	int reported = 0, harmless = 0;
	uint64_t before_last;
	struct daxdev *dev;
	struct plog *log;
	unsigned char *mem;
	void *addr;

	(void)state;
	assert_int_equal(daxdev_open("anon:16K", NULL, &dev), 0);
	assert_int_equal(daxdev_direct_access(dev, 0, 4, &addr), 4);
	mem = addr;
	fill_log(dev, &before_last);
	assert_int_equal(plog_open(dev, 0, &log), 0);
	assert_int_equal(plog_foreach(log, keep_record, &want), 0);
	plog_close(log);
	assert_int_equal(want.count, 6);
	for (uint64_t off = 0; off < before_last; off++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			mem[off] ^= masks[m];
			bool was_reported = flip_outcome(dev, off, &want);
			mem[off] ^= masks[m];
			reported += was_reported;
			harmless += !was_reported;
			/* Every byte of the header that recovery reads matters. */
			if (off < 72)
				assert_true(was_reported);
		}
	}
	/* The generation word's check: every value of every byte. */
	for (uint64_t off = 64; off < 72; off++) {
		for (unsigned mask = 1; mask < 256; mask++) {
			mem[off] ^= (unsigned char)mask;
			assert_true(flip_outcome(dev, off, &want));
			mem[off] ^= (unsigned char)mask;
		}
	}
	printf("single-byte flips: %d reported with an offset, %d harmless (unused bytes)\n",
	       reported, harmless);
	daxdev_put(dev);
}

/* A version this program does not read, with its checksum: refused as
 * such, not as damage. */
static void test_other_versions(void **state)
{
	struct daxdev *dev;
	struct plog *log;
	unsigned char *mem;
	void *addr;
	uint32_t crc;

	(void)state;
	assert_int_equal(daxdev_open("anon:64K", NULL, &dev), 0);
	assert_int_equal(daxdev_direct_access(dev, 0, 1, &addr), 1);
	mem = addr;
	assert_int_equal(plog_create(dev, &log), 0);
	plog_close(log);
	for (unsigned version = 1; version <= 3; version += 2) {
		mem[8] = (unsigned char)version;
		crc = daxdev_crc32c(0, mem, 60);
		memcpy(mem + 60, &crc, 4);   /* little-endian host */
		assert_int_equal(plog_open(dev, PLOG_OPEN_READONLY, &log), -EPROTONOSUPPORT);
		assert_non_null(strstr(plog_errormsg(), version == 1 ? "version 1 is not supported" :
							       "version 3 is not supported"));
	}
	mem[40] ^= 1;   /* and a checksum that no longer matches either */
	assert_int_equal(plog_open(dev, 0, &log), -EPROTONOSUPPORT);
	assert_non_null(strstr(plog_errormsg(), "or the header is damaged"));
	/* A damaged magic still marks a log: create must not take it for free. */
	mem[40] ^= 1;
	mem[8] = 2;
	crc = daxdev_crc32c(0, mem, 60);
	memcpy(mem + 60, &crc, 4);
	mem[3] ^= 0x10;
	assert_int_equal(plog_open(dev, 0, &log), -EBADMSG);
	assert_non_null(strstr(plog_errormsg(), "offset 0"));
	assert_int_equal(plog_is_formatted(dev), 1);
	daxdev_put(dev);
}

/* --- a device with a page that cannot be read --------------------------- */

#define POISON_PAGES 16

struct poisoned {
	char *mem;
	long bad;                  /* page whose direct access fails, or -1 */
};

static const struct daxdev_operations poisoned_ops;

/* Like device-dax with a bad block: -EIO at the bad page, the good pages
 * before it otherwise. */
static long poisoned_direct_access(struct daxdev *dev, uint64_t pgoff, long nr, void **addr)
{
	struct poisoned *p = daxdev_private(dev, &poisoned_ops);

	if (p->bad >= 0 && (long)pgoff == p->bad)
		return daxdev_err(-EIO, "poisoned: page %ld is bad", p->bad);
	if (p->bad > (long)pgoff && (long)pgoff + nr > p->bad)
		nr = p->bad - (long)pgoff;
	*addr = p->mem + pgoff * 4096;
	return nr;
}

static const struct daxdev_operations poisoned_ops = {
	.sz = sizeof(struct daxdev_operations),
	.direct_access = poisoned_direct_access,
};

static struct daxdev *poisoned_device(struct poisoned *p)
{
	static char mem[POISON_PAGES * 4096] __attribute__((aligned(4096)));
	struct daxdev_params params = {
		.sz = sizeof(params), .provider = "poisoned", .host = "poisoned",
		.size = sizeof(mem), .align = 4096, .base = mem,
		.persistence = DAXDEV_PERSISTENCE_VOLATILE, .unshared = true,
	};
	struct daxdev *dev;

	memset(mem, 0, sizeof(mem));
	*p = (struct poisoned){ .mem = mem, .bad = -1 };
	assert_int_equal(daxdev_alloc(&poisoned_ops, &params, p, &dev), 0);
	return dev;
}

/* Records of 1000 bytes (1088-byte slots) from 4096: #11 is the first to
 * reach page 4 (offset 16384). */
static void test_poisoned_page(void **state)
{
	static char payload[1000];
	struct plog_stat st;
	struct poisoned p;
	struct daxdev *dev = poisoned_device(&p);
	struct plog *log;
	int seen = 0;

	(void)state;
	assert_int_equal(plog_create(dev, &log), 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(plog_append(log, payload, sizeof(payload)), 0);
	plog_close(log);
	p.bad = 4;
	assert_int_equal(plog_open(dev, 0, &log), -EIO);
	assert_non_null(strstr(plog_errormsg(), "unreadable at offset 16384"));
	assert_int_equal(plog_open(dev, PLOG_OPEN_READONLY, &log), 0);
	plog_get_stat(log, &st);
	assert_int_equal(st.records, 11);
	assert_int_equal(st.damage, 16384);
	assert_int_equal(plog_foreach(log, count_record, &seen), -EIO);
	assert_non_null(strstr(plog_errormsg(), "unreadable at offset 16384"));
	assert_int_equal(seen, 11);
	plog_close(log);
	/* Beyond the end of the log: never read, nothing lost. */
	p.bad = 12;
	assert_int_equal(plog_open(dev, 0, &log), 0);
	plog_get_stat(log, &st);
	assert_int_equal(st.records, 20);
	plog_close(log);
	/* The header's page: nothing can be read. */
	p.bad = 0;
	assert_int_equal(plog_open(dev, PLOG_OPEN_READONLY, &log), -EIO);
	assert_non_null(strstr(plog_errormsg(), "offset 0"));
	daxdev_put(dev);
}

/* --- a file truncated under an open log --------------------------------- */

/* CMocka puts its own SIGBUS handler in front while a test runs and does
 * not chain: the test that needs the library's (taken in main, after an
 * open installed it) puts it back. */
static struct sigaction library_handler;

static int take_library_handler(void)
{
	struct daxdev *dev;

	if (daxdev_open("anon:4K", NULL, &dev))
		return -1;
	daxdev_put(dev);
	return sigaction(SIGBUS, NULL, &library_handler);
}

static void test_truncated_under_open_log(void **state)
{
	char dir[] = "/tmp/plog-trunc.XXXXXX", path[64];
	DAXDEV_OPEN_OPTS(create, .size = 1 << 20, .flags = DAXDEV_OPEN_CREATE);
	static char payload[4000];
	struct daxdev *dev;
	struct plog *log;
	int seen = 0, rc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	assert_int_equal(daxdev_open(path, &create, &dev), 0);
	assert_int_equal(plog_create(dev, &log), 0);
	for (int i = 0; i < 40; i++)   /* 4032-byte slots: 15 end below 64 KiB */
		assert_int_equal(plog_append(log, payload, sizeof(payload)), 0);
	assert_int_equal(truncate(path, 64 * 1024), 0);
	assert_int_equal(sigaction(SIGBUS, &library_handler, NULL), 0);
	rc = plog_foreach(log, count_record, &seen);
	assert_true(rc < 0);
	assert_non_null(strstr(plog_errormsg(), "offset"));
	assert_int_equal(seen, 15);
	assert_true(plog_append(log, payload, sizeof(payload)) < 0);
	plog_close(log);
	daxdev_put(dev);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte_flipped),
		cmocka_unit_test(test_other_versions),
		cmocka_unit_test(test_poisoned_page),
		cmocka_unit_test(test_truncated_under_open_log),
	};

	if (take_library_handler())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
