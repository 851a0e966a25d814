/* SPDX-License-Identifier: MIT */
/*
 * The crash checker.  For each append it saves the simulator's state, runs
 * the append once to count its fences (k), then for every n in 0..k and
 * every seed: restore, let only n fences complete, run the real append to
 * its end, crash, and recover.  crashsim's power cut falls on fence n + 1,
 * with every line flushed before it still pending, so each 8-byte word the
 * append stored or flushed since fence n lands or not by the seed: that
 * covers a crash at any point between fence n and fence n + 1.  Image n = k
 * is the acknowledged append: every fence completed, so the records must be
 * there.  After recovery the log is appended to once more and reopened, to
 * check that the recovered end is a usable one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <daxdev/crashsim.h>
#include "crashcheck.h"

struct checker {
	const struct plog_crashcheck_opts *opts;
	struct plog_crashcheck_result *res;
	struct daxdev *dev;
	size_t size;                /* record size of this round */
	uint64_t committed;         /* records durable before the append */
	int nrec;                   /* records in the append under test */
	unsigned char *buf;         /* payload scratch */
};

__attribute__((format(printf, 3, 4)))
static int note(struct checker *c, int rc, const char *fmt, ...)
{
	va_list ap;

	if (c->res->first_failure[0])
		return rc;
	va_start(ap, fmt);
	vsnprintf(c->res->first_failure, sizeof(c->res->first_failure), fmt, ap);
	va_end(ap);
	return rc;
}

/* Payload of record number i: distinct per record and per size. */
static void fill_payload(unsigned char *p, size_t size, uint64_t i)
{
	for (size_t j = 0; j < size; j++)
		p[j] = (unsigned char)(i * 131 + j * 7 + size);
	memcpy(p, &i, size < sizeof(i) ? size : sizeof(i));
}

static int append_records(struct checker *c, struct plog *log, uint64_t first)
{
	struct iovec iov[PLOG_BATCH_MAX];
	unsigned char *bufs = malloc(c->size * (size_t)c->nrec + 1);
	int rc;

	if (!bufs)
		return note(c, -ENOMEM, "out of memory");
	for (int i = 0; i < c->nrec; i++) {
		iov[i].iov_base = bufs + c->size * (size_t)i;
		iov[i].iov_len = c->size;
		fill_payload(iov[i].iov_base, c->size, first + (uint64_t)i);
	}
	plog_test_set_fault(log, c->opts->fault);
	rc = plog_appendv(log, iov, c->nrec);
	free(bufs);
	return rc ? note(c, rc, "append failed: %s", plog_errormsg()) : 0;
}

static int open_and_append(struct checker *c)
{
	struct plog *log;
	int rc = plog_open(c->dev, 0, &log);

	if (rc)
		return note(c, rc, "open before the append failed: %s", plog_errormsg());
	rc = append_records(c, log, c->committed);
	plog_close(log);
	return rc;
}

struct verify {
	struct checker *c;
	uint64_t count;
	bool bad;
};

static int verify_record(void *arg, uint64_t seq, const void *data, size_t len)
{
	struct verify *v = arg;

	fill_payload(v->c->buf, v->c->size, seq);
	if (seq != v->count || len != v->c->size || memcmp(data, v->c->buf, len))
		v->bad = true;
	v->count++;
	return 0;
}

/* Recovered records must be exactly the first committed, or committed +
 * nrec when the batch landed (always, once the append was acknowledged:
 * it returned with every one of its fences complete). */
static bool prefix_ok(struct checker *c, struct plog *log, bool acked, uint64_t seed)
{
	struct verify v = { .c = c };
	uint64_t want = c->committed + (uint64_t)c->nrec;

	plog_foreach(log, verify_record, &v);
	if (v.bad)
		return note(c, false, "size %zu seed %llu: a recovered record is damaged",
			    c->size, (unsigned long long)seed);
	if (v.count != c->committed && v.count != want)
		return note(c, false, "size %zu seed %llu: recovered %llu records, expected %llu or %llu",
			    c->size, (unsigned long long)seed, (unsigned long long)v.count,
			    (unsigned long long)c->committed, (unsigned long long)want);
	if (acked && v.count != want)
		return note(c, false, "size %zu seed %llu: an acknowledged append was lost (%llu of %llu records)",
			    c->size, (unsigned long long)seed, (unsigned long long)v.count,
			    (unsigned long long)want);
	return true;
}

/* The log as recovered (before) took one more record: reopened, it must
 * hold it right after the others. */
static bool usable_after(struct checker *c, const struct plog_stat *before, uint64_t seed)
{
	struct plog_stat after;
	struct plog *again;
	bool ok;

	if (plog_open(c->dev, 0, &again))
		return note(c, false, "size %zu seed %llu: reopen after recovery failed: %s",
			    c->size, (unsigned long long)seed, plog_errormsg());
	plog_get_stat(again, &after);
	ok = after.records == before->records + 1 && after.used == before->used + 64; /* "after": one line */
	plog_close(again);
	return ok ? true : note(c, false, "size %zu seed %llu: the record appended after recovery is not where it belongs",
				c->size, (unsigned long long)seed);
}

static bool check_image(struct checker *c, bool acked, uint64_t seed)
{
	struct plog_stat before;
	struct plog *log;
	bool ok;

	if (plog_open(c->dev, 0, &log))
		return note(c, false, "size %zu seed %llu: recovery failed: %s", c->size,
			    (unsigned long long)seed, plog_errormsg());
	ok = prefix_ok(c, log, acked, seed);
	plog_get_stat(log, &before);
	if (ok && plog_append(log, "after", 5))
		ok = note(c, false, "size %zu seed %llu: append after recovery failed: %s",
			  c->size, (unsigned long long)seed, plog_errormsg());
	plog_close(log);
	return ok && usable_after(c, &before, seed);
}

static int one_image(struct checker *c, const struct daxdev_crashsim_snapshot *snap,
		     uint64_t n, bool acked, uint64_t seed)
{
	int rc = daxdev_crashsim_restore(c->dev, snap);

	if (!rc)
		rc = daxdev_crashsim_crash_after(c->dev, n);
	if (rc)
		return note(c, rc, "crashsim: %s", daxdev_errormsg());
	rc = open_and_append(c);
	if (!rc && (rc = daxdev_crashsim_crash(c->dev, seed)))
		return note(c, rc, "crashsim: %s", daxdev_errormsg());
	if (rc)
		return rc;
	c->res->images++;
	if (!check_image(c, acked, seed))
		c->res->failures++;
	return 0;
}

/* Fences, not flushes, are the crash points: between two fences crashsim
 * already lets every flushed or stored word land or not. */
static int count_fences(struct checker *c, uint64_t *k)
{
	struct daxdev_crashsim_stats before = DAXDEV_CRASHSIM_STATS_INIT;
	struct daxdev_crashsim_stats after = DAXDEV_CRASHSIM_STATS_INIT;
	int rc = daxdev_crashsim_stats(c->dev, &before);

	if (!rc)
		rc = open_and_append(c);
	if (!rc)
		rc = daxdev_crashsim_stats(c->dev, &after);
	if (!rc)
		*k = after.drains - before.drains;
	return rc;
}

/* All crash images of one append, then the append for real. */
static int check_append(struct checker *c)
{
	struct daxdev_crashsim_snapshot *snap;
	uint64_t k = 0;
	int rc = daxdev_crashsim_save(c->dev, &snap);

	if (rc)
		return note(c, rc, "crashsim: %s", daxdev_errormsg());
	rc = count_fences(c, &k);
	for (uint64_t n = 0; !rc && n <= k; n++)
		for (int s = 0; !rc && s < c->opts->seeds; s++)
			rc = one_image(c, snap, n, n == k, c->opts->seed + c->res->images);
	if (!rc)
		rc = daxdev_crashsim_restore(c->dev, snap);
	if (!rc)
		rc = open_and_append(c);
	c->committed += (uint64_t)c->nrec;
	daxdev_crashsim_snapshot_free(snap);
	return rc;
}

static int open_device(struct checker *c)
{
	int slots = c->opts->appends + c->opts->batch + 2;
	uint64_t bytes = PLOG_HEADER_SIZE + (uint64_t)slots * (PLOG_RECORD_HEADER + c->size + 8);
	char target[64];
	struct plog *log;
	int rc;

	bytes = (bytes + 65535) & ~(uint64_t)65535;
	snprintf(target, sizeof(target), "crashsim:anon:%llu", (unsigned long long)bytes);
	rc = daxdev_open(target, NULL, &c->dev);
	if (rc)
		return note(c, rc, "%s: %s", target, daxdev_errormsg());
	rc = plog_create(c->dev, &log);
	if (rc)
		return note(c, rc, "create: %s", plog_errormsg());
	plog_close(log);
	return 0;
}

static int check_size(struct checker *c, size_t size)
{
	int rc;

	c->size = size;
	c->committed = 0;
	c->buf = malloc(size + 1);
	if (!c->buf)
		return note(c, -ENOMEM, "out of memory");
	rc = open_device(c);
	for (int a = 0; !rc && a < c->opts->appends; a++) {
		c->nrec = 1;
		rc = check_append(c);
	}
	if (!rc && c->opts->batch > 0) {
		c->nrec = c->opts->batch;
		rc = check_append(c);
	}
	daxdev_put(c->dev);
	c->dev = NULL;
	free(c->buf);
	return rc;
}

int plog_crashcheck(const struct plog_crashcheck_opts *opts,
		    struct plog_crashcheck_result *res)
{
	struct checker c = { .opts = opts, .res = res };
	int rc = 0;

	if (!opts || !res)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	if (opts->nsizes < 1 || opts->appends < 0 || opts->batch < 0 ||
	    opts->batch > PLOG_BATCH_MAX || opts->seeds < 1)
		return note(&c, -EINVAL, "crashcheck: bad options");
	for (int i = 0; !rc && i < opts->nsizes; i++)
		rc = check_size(&c, opts->sizes[i]);
	return rc;
}
