/* A single-writer checksummed log followed by another host under sharesim: a follower that invalidates and checks each record's CRC never delivers a stale or torn record, whatever the writer's cache does; one that trusts the sequence number alone does. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <daxdev.h>
#include <daxdev/sharesim.h>

#define LOG_OFF 4096u
#define SLOT 128u              /* two lines: header + payload straddle them */
#define RECORDS 12u
#define HDR 16u                /* crc, len, seq */
#define PAYLOAD (SLOT - HDR)

/* The writer's two kinds: one that writes every record back and fences it
 * before the next (the rule), one whose stores reach memory only when its
 * cache evicts them (until a final flush). */
enum writer { WRITES_BACK, NEVER_WRITES_BACK };
/* The follower: checks the CRC (the rule), or trusts a matching sequence. */
enum follower { CHECKS_CRC, TRUSTS_SEQ };

struct run {
	struct daxdev *mem, *sim, *w, *f;
	char *wp;
	uint64_t next;             /* follower: next sequence to deliver */
	int wrong;                 /* records delivered that were not as written */
	int rejected;              /* polls that found a record torn (CRC) */
};

static void payload_of(uint64_t seq, unsigned char *p)
{
	for (unsigned i = 0; i < PAYLOAD; i++)
		p[i] = (unsigned char)(seq * 37 + i + 1);
}

static uint32_t record_crc(const unsigned char *slot, uint64_t off)
{
	uint32_t crc = daxdev_crc32c(0, slot + 4, SLOT - 4);

	return daxdev_crc32c(crc, &off, sizeof(off));
}

/* Stores only: the record sits in the writer's cache. */
static void writer_store(struct run *r, uint64_t seq)
{
	unsigned char slot[SLOT] = { 0 };
	uint32_t len = PAYLOAD, crc;
	uint64_t off = LOG_OFF + seq * SLOT;

	memcpy(slot + 4, &len, 4);
	memcpy(slot + 8, &seq, 8);
	payload_of(seq, slot + HDR);
	crc = record_crc(slot, off);
	memcpy(slot, &crc, 4);
	memcpy(r->wp + off, slot, SLOT);
}

/* Deliver every record that is there now, in order; stop at the first that
 * is not (yet). */
static void follower_poll(struct run *r, enum follower kind)
{
	unsigned char slot[SLOT], want[PAYLOAD];

	while (r->next < RECORDS) {
		uint64_t off = LOG_OFF + r->next * SLOT, seq;
		uint32_t crc;

		assert_int_equal(daxdev_read(r->f, off, slot, SLOT), 0);
		memcpy(&crc, slot, 4);
		memcpy(&seq, slot + 8, 8);
		if (seq != r->next)
			return;
		if (kind == CHECKS_CRC && crc != record_crc(slot, off)) {
			r->rejected++;
			return;
		}
		payload_of(seq, want);
		r->wrong += memcmp(slot + HDR, want, PAYLOAD) != 0;
		r->next++;
	}
}

static struct run run_log(enum writer wk, enum follower fk, uint64_t seed)
{
	DAXDEV_SHARESIM_OPTS(so, .seed = seed);
	DAXDEV_OPEN_OPTS(nc, .sharing = DAXDEV_SHARING_NONCOHERENT);
	DAXDEV_OPEN_OPTS(ro, .sharing = DAXDEV_SHARING_NONCOHERENT,
			 .flags = DAXDEV_OPEN_READONLY);
	struct run r = { 0 };
	void *addr;

	assert_int_equal(daxdev_open("anon:64K", NULL, &r.mem), 0);
	assert_int_equal(daxdev_sharesim_new(r.mem, 2, &so, &r.sim), 0);
	assert_int_equal(daxdev_sharesim_host(r.sim, 0, &nc, &r.w), 0);
	assert_int_equal(daxdev_sharesim_host(r.sim, 1, &ro, &r.f), 0);
	assert_true(daxdev_direct_access(r.w, 0, 1, &addr) >= 1);
	r.wp = addr;
	for (uint64_t seq = 0; seq < RECORDS; seq++) {
		writer_store(&r, seq);
		follower_poll(&r, fk);
		if (wk == WRITES_BACK)
			assert_int_equal(daxdev_flush(r.w, r.wp + LOG_OFF + seq * SLOT, SLOT), 0);
		else
			assert_int_equal(daxdev_sharesim_step(r.sim), 0);
		follower_poll(&r, fk);
	}
	assert_int_equal(daxdev_flush(r.w, r.wp + LOG_OFF, RECORDS * SLOT), 0);
	follower_poll(&r, fk);
	daxdev_put(r.f);
	daxdev_put(r.w);
	daxdev_put(r.sim);
	daxdev_put(r.mem);
	return r;
}

static void check_variant(enum writer wk, enum follower fk, int *wrong_runs, int *rejecting_runs)
{
	*wrong_runs = *rejecting_runs = 0;
	for (uint64_t seed = 0; seed < 100; seed++) {
		struct run r = run_log(wk, fk, seed);

		assert_int_equal(r.next, RECORDS);   /* all delivered in the end */
		*wrong_runs += r.wrong > 0;
		*rejecting_runs += r.rejected > 0;
	}
}

static void test_follower_checking_crc(void **state)
{
	int wrong, rejecting;

	(void)state;
	check_variant(WRITES_BACK, CHECKS_CRC, &wrong, &rejecting);
	assert_int_equal(wrong, 0);
	/* The writer's cache evicts records half written: the CRC turns each
	 * away until the whole record is there. */
	check_variant(NEVER_WRITES_BACK, CHECKS_CRC, &wrong, &rejecting);
	print_message("CRC follower, writer never writing back: %d of 100 runs met torn records\n",
		      rejecting);
	assert_int_equal(wrong, 0);
	assert_true(rejecting > 0);
}

static void test_follower_trusting_seq(void **state)
{
	int wrong, rejecting;

	(void)state;
	check_variant(NEVER_WRITES_BACK, TRUSTS_SEQ, &wrong, &rejecting);
	print_message("sequence-only follower, writer never writing back: %d of 100 runs delivered torn records\n",
		      wrong);
	assert_true(wrong > 0);
	/* Even a writer that writes each record back is read half written
	 * while its stores are still in its cache. */
	check_variant(WRITES_BACK, TRUSTS_SEQ, &wrong, &rejecting);
	print_message("sequence-only follower, writer writing back: %d of 100 runs delivered torn records\n",
		      wrong);
	assert_true(wrong > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_follower_checking_crc),
		cmocka_unit_test(test_follower_trusting_seq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
