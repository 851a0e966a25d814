/* plog follow under sharesim: over thousands of seeded schedules a NONCOHERENT follower on another host delivers every record a NONCOHERENT writer appends, whole and in order, also halfway through appends and across rewinds; a follower that does not invalidate, and writers that skip their write-back or their fence, are caught; a follower thread keeps up with a writer thread; and damage is believed only when a second look finds the same bytes. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <daxdev.h>
#include <daxdev/sharesim.h>
#include "plog-test.h"

#define MEMORY "anon:40K"           /* 36 KiB of records: full logs happen */
#define STEPS 48                    /* schedule steps per run */
#define SEEDS 2000                  /* runs of the correct protocol */
#define BUG_SEEDS 200               /* runs with a planted bug */

/* What one run is made of. */
struct config {
	bool follower_invalidates;      /* false: the follower opens LOCAL */
	enum plog_test_fault writer_fault;
	bool rewinds;                   /* the writer rewinds now and then */
};

/* A run: both sides, and what the follower got wrong. */
struct run {
	const struct config *cfg;
	uint64_t rng, seed;
	struct daxdev *mem, *sim, *wdev, *fdev;
	struct plog *w, *f;
	uint64_t first_gen;
	uint64_t started[64];           /* per generation - first_gen: records
					 * whose append has begun */
	unsigned appends, hooks;        /* appends made; calls of mid_append */
	/* follower */
	uint64_t fgen, next;            /* generation and sequence it expects */
	uint64_t delivered, rewinds_seen;
	unsigned wrong, out_of_order, unwritten, errors;
	char first_error[256];
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t s = a * UINT64_C(0x9E3779B97F4A7C15) ^ (b + 0x632BE59BD9B4E019);

	for (int i = 0; i < 3; i++)
		next_rand(&s);
	return s;
}

/* Record (generation, seq): its length and bytes follow from them alone, so
 * the follower can check any record it is handed. */
static uint32_t len_of(uint64_t gen, uint64_t seq)
{
	static const uint32_t lens[] = { 0, 1, 7, 31, 32, 33, 64, 100, 500, 513, 1500, 3000 };

	return lens[mix(gen, seq) % (sizeof(lens) / sizeof(lens[0]))];
}

static void fill_payload(uint64_t gen, uint64_t seq, unsigned char *p, uint32_t len)
{
	uint64_t s = mix(gen, seq) | 1;

	for (uint32_t i = 0; i < len; i++)
		p[i] = (unsigned char)next_rand(&s);
}

static uint64_t gen_of(struct plog *log)
{
	struct plog_stat st;

	plog_get_stat(log, &st);
	return st.generation;
}

static void note_error(struct run *r, const char *what)
{
	if (!r->errors++)
		snprintf(r->first_error, sizeof(r->first_error), "seed %llu: %s",
			 (unsigned long long)r->seed, what);
}

static int check_record(void *arg, uint64_t seq, const void *data, size_t len)
{
	struct run *r = arg;
	uint64_t epoch = r->fgen - r->first_gen;
	unsigned char want[3000];

	if (seq != r->next)
		r->out_of_order++;
	if (epoch >= 64 || seq >= r->started[epoch])
		r->unwritten++;
	fill_payload(r->fgen, seq, want, len_of(r->fgen, seq));
	if (len != len_of(r->fgen, seq) || memcmp(data, want, len))
		r->wrong++;
	r->next = seq + 1;
	r->delivered++;
	return 0;
}

/* One look of the follower.  A rewind it reports moves it to the new
 * generation, which must be newer. */
static void follow_once(struct run *r)
{
	int rc = plog_follow(r->f, check_record, r);

	if (rc == -ESTALE) {
		uint64_t gen = gen_of(r->f);
		if (gen <= r->fgen)
			note_error(r, "a rewind to an older generation");
		r->fgen = gen;
		r->next = 0;
		r->rewinds_seen++;
		rc = plog_follow(r->f, check_record, r);
	}
	if (rc)
		note_error(r, plog_errormsg());
}

/* Inside an append, between its writes and its fence. */
static void mid_append(void *arg)
{
	struct run *r = arg;

	r->hooks++;
	if (next_rand(&r->rng) % 2)
		follow_once(r);
}

static void writer_rewind(struct run *r)
{
	assert_int_equal(plog_rewind(r->w), 0);
	assert_true(gen_of(r->w) - r->first_gen < 64);
}

/* An append of 1 to 3 records; a full log is rewound first. */
static void writer_append(struct run *r)
{
	static unsigned char bufs[3][3000];
	uint64_t gen = gen_of(r->w), epoch = gen - r->first_gen;
	struct plog_stat st;
	struct iovec iov[3];
	int n = 1 + (int)(next_rand(&r->rng) % 3);

	plog_get_stat(r->w, &st);
	for (int i = 0; i < n; i++) {
		uint64_t seq = st.records + (uint64_t)i;
		iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = len_of(gen, seq) };
		fill_payload(gen, seq, bufs[i], (uint32_t)iov[i].iov_len);
	}
	r->started[epoch] = st.records + (uint64_t)n;
	int rc = plog_appendv(r->w, iov, n);
	if (rc == -ENOSPC) {
		r->started[epoch] = st.records;
		writer_rewind(r);
		return;
	}
	assert_int_equal(rc, 0);
	r->appends++;
}

static void open_run(struct run *r, const struct config *cfg, uint64_t seed)
{
	DAXDEV_SHARESIM_OPTS(so, .seed = seed);
	DAXDEV_OPEN_OPTS(wo, .sharing = DAXDEV_SHARING_NONCOHERENT);
	DAXDEV_OPEN_OPTS(fo, .flags = DAXDEV_OPEN_READONLY,
			 .sharing = cfg->follower_invalidates ? DAXDEV_SHARING_NONCOHERENT :
								 DAXDEV_SHARING_LOCAL);

	*r = (struct run){ .cfg = cfg, .seed = seed, .rng = mix(seed, 77) | 1 };
	assert_int_equal(daxdev_open(MEMORY, NULL, &r->mem), 0);
	assert_int_equal(daxdev_sharesim_new(r->mem, 2, &so, &r->sim), 0);
	assert_int_equal(daxdev_sharesim_host(r->sim, 0, &wo, &r->wdev), 0);
	assert_int_equal(plog_create(r->wdev, &r->w), 0);
	/* create picks a random generation; the run's records follow from it. */
	assert_int_equal(plog_test_set_generation(r->w, 1000 + seed), 0);
	plog_test_set_fault(r->w, cfg->writer_fault);
	plog_test_set_hook(r->w, mid_append, r);
	r->first_gen = gen_of(r->w);
	/* Host 1's cache starts as a copy of memory as it is now: the empty log. */
	assert_int_equal(daxdev_sharesim_host(r->sim, 1, &fo, &r->fdev), 0);
	assert_int_equal(plog_open(r->fdev, PLOG_OPEN_FOLLOW, &r->f), 0);
	r->fgen = gen_of(r->f);
}

static void close_run(struct run *r)
{
	plog_close(r->f);
	plog_close(r->w);
	daxdev_put(r->fdev);
	daxdev_put(r->wdev);
	daxdev_put(r->sim);
	daxdev_put(r->mem);
}

/* The schedule, then one last look once the writer is done: by then the
 * follower must have every record of the writer's generation. */
static void run_one(struct run *r, const struct config *cfg, uint64_t seed)
{
	open_run(r, cfg, seed);
	for (int step = 0; step < STEPS; step++) {
		uint64_t x = next_rand(&r->rng) % 100;
		if (x < 50)
			writer_append(r);
		else if (x < 75)
			follow_once(r);
		else if (x < 90)
			assert_int_equal(daxdev_sharesim_step(r->sim), 0);
		else if (cfg->rewinds && x < 95)
			writer_rewind(r);
	}
	follow_once(r);
	if (r->fgen != gen_of(r->w))
		note_error(r, "the follower never saw the last rewind");
	else if (r->next != r->started[gen_of(r->w) - r->first_gen])
		note_error(r, "the follower missed records of the last generation");
	else if (r->hooks < r->appends)
		note_error(r, "an append did not run the test hook: no follower looked mid-append");
	close_run(r);
}

struct tally {
	unsigned runs, failed_runs;
	uint64_t delivered, rewinds_seen;
	char first[512];
};

static bool run_failed(const struct run *r)
{
	return r->wrong || r->out_of_order || r->unwritten || r->errors;
}

static void sweep(const struct config *cfg, unsigned seeds, struct tally *t)
{
	*t = (struct tally){ 0 };
	for (uint64_t seed = 1; seed <= seeds; seed++) {
		struct run r;
		run_one(&r, cfg, seed);
		t->runs++;
		t->delivered += r.delivered;
		t->rewinds_seen += r.rewinds_seen;
		if (run_failed(&r) && !t->failed_runs++)
			snprintf(t->first, sizeof(t->first), "seed %llu: wrong %u, out of order %u, never written %u; %s",
				 (unsigned long long)seed, r.wrong, r.out_of_order, r.unwritten,
				 r.first_error);
	}
}

static void test_follower_gets_every_record(void **state)
{
	static const struct config cfg = { .follower_invalidates = true };
	struct tally t;

	(void)state;
	sweep(&cfg, SEEDS, &t);
	print_message("%u runs, %llu records delivered, %u failed %s\n", t.runs,
		      (unsigned long long)t.delivered, t.failed_runs, t.first);
	assert_int_equal(t.failed_runs, 0);
	assert_true(t.delivered > (uint64_t)SEEDS * 10);
}

static void test_follower_across_rewinds(void **state)
{
	static const struct config cfg = { .follower_invalidates = true, .rewinds = true };
	struct tally t;

	(void)state;
	sweep(&cfg, SEEDS, &t);
	print_message("%u runs with rewinds, %llu records delivered, %llu rewinds seen, %u failed %s\n",
		      t.runs, (unsigned long long)t.delivered, (unsigned long long)t.rewinds_seen,
		      t.failed_runs, t.first);
	assert_int_equal(t.failed_runs, 0);
	assert_true(t.rewinds_seen > SEEDS / 2);
}

/* Each planted bug must fail runs; how many is printed. */
static void expect_caught(const char *what, const struct config *cfg, unsigned min_failed)
{
	struct tally t;

	sweep(cfg, BUG_SEEDS, &t);
	print_message("%s: %u of %u runs caught (%s)\n", what, t.failed_runs, t.runs, t.first);
	assert_true(t.failed_runs >= min_failed);
}

static void test_follower_without_invalidate_is_caught(void **state)
{
	static const struct config cfg = { .follower_invalidates = false };

	(void)state;
	expect_caught("follower that does not invalidate", &cfg, BUG_SEEDS * 9 / 10);
}

static void test_writer_without_write_back_is_caught(void **state)
{
	static const struct config cfg = { .follower_invalidates = true,
					   .writer_fault = PLOG_FAULT_UNFLUSHED_PAYLOAD };

	(void)state;
	expect_caught("writer that does not write its payloads back", &cfg, BUG_SEEDS * 9 / 10);
}

static void test_writer_without_fence_is_caught(void **state)
{
	static const struct config cfg = { .follower_invalidates = true,
					   .writer_fault = PLOG_FAULT_UNFENCED_APPEND };

	(void)state;
	expect_caught("writer that does not fence its appends", &cfg, BUG_SEEDS / 4);
}

/* The same seed gives the same run. */
static void test_runs_are_reproducible(void **state)
{
	static const struct config cfg = { .follower_invalidates = false };
	struct run a, b;

	(void)state;
	run_one(&a, &cfg, 42);
	run_one(&b, &cfg, 42);
	assert_int_equal(a.delivered, b.delivered);
	assert_int_equal(a.errors, b.errors);
	assert_int_equal(a.wrong, b.wrong);
	assert_string_equal(a.first_error, b.first_error);
}

/* Real concurrency, one host: a writer thread appends while the follower
 * looks as fast as it can; every record arrives, in order and whole. */
#define THREAD_RECORDS 20000

struct live {
	struct plog *w;
	uint64_t gen;
	int rc;
};

static void *append_all(void *arg)
{
	static unsigned char buf[3000];
	struct live *l = arg;

	for (uint64_t seq = 0; seq < THREAD_RECORDS && !l->rc; seq++) {
		fill_payload(l->gen, seq, buf, len_of(l->gen, seq));
		l->rc = plog_append(l->w, buf, len_of(l->gen, seq));
	}
	return NULL;
}

static void test_follow_while_appending(void **state)
{
	struct daxdev *dev;
	struct live l = { 0 };
	struct run r = { .seed = 0 };
	pthread_t writer;
	struct plog *f;
	int looks = 0;

	(void)state;
	assert_int_equal(daxdev_open("anon:64M", NULL, &dev), 0);
	assert_int_equal(plog_create(dev, &l.w), 0);
	l.gen = gen_of(l.w);
	assert_int_equal(plog_open(dev, PLOG_OPEN_FOLLOW, &f), 0);
	r.fgen = r.first_gen = l.gen;
	r.started[0] = THREAD_RECORDS;
	assert_int_equal(pthread_create(&writer, NULL, append_all, &l), 0);
	while (r.delivered < THREAD_RECORDS && !r.errors && looks < 100000000) {
		r.f = f;
		follow_once(&r);
		looks++;
	}
	assert_int_equal(pthread_join(writer, NULL), 0);
	print_message("%llu records followed in %d looks\n", (unsigned long long)r.delivered, looks);
	assert_int_equal(l.rc, 0);
	assert_string_equal(r.first_error, "");
	assert_int_equal(r.delivered, THREAD_RECORDS);
	assert_int_equal(r.wrong + r.out_of_order + r.unwritten, 0);
	plog_close(f);
	plog_close(l.w);
	daxdev_put(dev);
}

/* --- the second look ------------------------------------------------------- */

static int count_delivered(void *arg, uint64_t seq, const void *data, size_t len)
{
	(void)seq;
	(void)data;
	(void)len;
	(*(int *)arg)++;
	return 0;
}

static void flip_byte(struct daxdev *dev, uint64_t off)
{
	unsigned char b;

	assert_int_equal(daxdev_read(dev, off, &b, 1), 0);
	b ^= 0x20;
	assert_int_equal(daxdev_write(dev, off, &b, 1), 0);
}

/* Three records on anon:64K; *payload = the offset of the middle one's
 * first payload byte.  Flipping it fails that record's CRC while the record
 * after it still validates: damage, or an append seen half done. */
static struct daxdev *three_records(uint64_t *payload)
{
	static const char middle[] = "the middle record";
	unsigned char slot[256];
	struct plog_stat st;
	struct daxdev *dev;
	struct plog *w;
	uint64_t off;

	assert_int_equal(daxdev_open("anon:64K", NULL, &dev), 0);
	assert_int_equal(plog_create(dev, &w), 0);
	assert_int_equal(plog_append(w, "the first record", 16), 0);
	plog_get_stat(w, &st);
	off = PLOG_HEADER_SIZE + st.used;
	assert_int_equal(plog_append(w, middle, sizeof(middle) - 1), 0);
	assert_int_equal(plog_append(w, "the last record", 15), 0);
	plog_close(w);
	assert_int_equal(daxdev_read(dev, off, slot, sizeof(slot)), 0);
	for (size_t i = 0; i + sizeof(middle) - 1 <= sizeof(slot); i++) {
		if (!memcmp(slot + i, middle, sizeof(middle) - 1)) {
			*payload = off + i;
			return dev;
		}
	}
	fail_msg("the middle record's payload is not in its slot");
	return NULL;
}

/* Bytes that fail where the follower stopped may be an append in progress:
 * the first call delivers what is before them and says nothing; the same
 * bytes on the next call are damage, reported with the offset. */
static void test_damage_believed_on_second_call(void **state)
{
	uint64_t payload;
	struct daxdev *dev = three_records(&payload);
	struct plog *f;
	int n = 0;

	(void)state;
	flip_byte(dev, payload);
	assert_int_equal(plog_open(dev, PLOG_OPEN_FOLLOW, &f), 0);
	assert_int_equal(plog_follow(f, count_delivered, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(plog_follow(f, count_delivered, &n), -EBADMSG);
	assert_non_null(strstr(plog_errormsg(), "corrupt"));
	assert_non_null(strstr(plog_errormsg(), "offset"));
	assert_int_equal(n, 1);
	plog_close(f);
	daxdev_put(dev);
}

struct repair {
	struct daxdev *dev;
	uint64_t payload;
	int calls;
};

static void repair_between_looks(void *arg)
{
	struct repair *r = arg;

	r->calls++;
	flip_byte(r->dev, r->payload);
}

/* A writer that finishes between the two looks of one call: the second look
 * finds the record whole, and it is delivered, not called damage. */
static void test_second_look_sees_the_append_finished(void **state)
{
	struct repair r = { 0 };
	struct plog *f;
	int n = 0;

	(void)state;
	r.dev = three_records(&r.payload);
	flip_byte(r.dev, r.payload);
	assert_int_equal(plog_open(r.dev, PLOG_OPEN_FOLLOW, &f), 0);
	plog_test_set_hook(f, repair_between_looks, &r);
	assert_int_equal(plog_follow(f, count_delivered, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(plog_follow(f, count_delivered, &n), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(n, 3);
	plog_close(f);
	daxdev_put(r.dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_follower_gets_every_record),
		cmocka_unit_test(test_follower_across_rewinds),
		cmocka_unit_test(test_follower_without_invalidate_is_caught),
		cmocka_unit_test(test_writer_without_write_back_is_caught),
		cmocka_unit_test(test_writer_without_fence_is_caught),
		cmocka_unit_test(test_runs_are_reproducible),
		cmocka_unit_test(test_follow_while_appending),
		cmocka_unit_test(test_damage_believed_on_second_call),
		cmocka_unit_test(test_second_look_sees_the_append_finished),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
