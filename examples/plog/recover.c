/* SPDX-License-Identifier: MIT */
/*
 * plog recovery: scan the records to the end of the log (docs/plog-format.md,
 * "Recovery rule"), from the start when a log opens, from where the last scan
 * ended when a follower looks again.  Everything is read through daxdev_read(), a window at a
 * time, so that a page the device cannot read is damage with an offset, not
 * a fault; damage ends the log's readable part, and the caller decides what
 * it means (plog_open: an error for a writer, the end for a reader).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "plog-internal.h"

#define WINDOW (64u * 1024)         /* most bytes read at once */
#define WINDOW_FIRST 4096u          /* the first read: most logs end soon */

/* A copy of [off, off + len) of the device. */
struct window {
	struct plog *log;
	uint64_t off;
	size_t len;
	size_t next;                /* bytes the next refill reads: doubles up to WINDOW */
	unsigned char *buf;
	bool unreadable;            /* a read failed, at ... */
	uint64_t bad;               /* ... this offset */
};

static int window_open(struct window *w, struct plog *log)
{
	*w = (struct window){ .log = log, .next = WINDOW_FIRST, .buf = malloc(WINDOW) };
	return w->buf ? 0 : plog_fail(-ENOMEM, "plog: out of memory");
}

static void window_close(struct window *w)
{
	free(w->buf);
}

/* The first unreadable 64-byte line of [off, off + len), for the message. */
static uint64_t first_unreadable(struct plog *log, uint64_t off, size_t len)
{
	unsigned char line[64];

	for (uint64_t o = off, n; o < off + len; o += n) {
		n = 64 - o % 64 < off + len - o ? 64 - o % 64 : off + len - o;
		if (daxdev_read(log->dev, o, line, n))
			return o;
	}
	return off;
}

static int read_failed(struct window *w, int rc, uint64_t off, size_t len)
{
	char why[256];

	snprintf(why, sizeof(why), "%s", daxdev_errormsg());
	w->unreadable = true;
	w->bad = first_unreadable(w->log, off, len);
	return plog_fail(rc, "plog log is unreadable at offset %llu: %s",
			 (unsigned long long)w->bad, why);
}

/* *p = the bytes [off, off + len) (len <= WINDOW, inside the device),
 * valid until the next call. */
static int window_get(struct window *w, uint64_t off, size_t len, const unsigned char **p)
{
	uint64_t want = len > w->next ? len : w->next;
	int rc;

	if (want > w->log->size - off)
		want = w->log->size - off;
	if (off < w->off || off + len > w->off + w->len) {
		w->len = 0;
		w->next = w->next * 2 > WINDOW ? WINDOW : w->next * 2;
		rc = daxdev_read(w->log->dev, off, w->buf, want);
		if (rc && want > len) {
			/* Something in the rest of the window may be unreadable:
			 * that is not this read's business. */
			want = len;
			rc = daxdev_read(w->log->dev, off, w->buf, want);
		}
		if (rc)
			return read_failed(w, rc, off, len);
		w->off = off;
		w->len = want;
	}
	*p = w->buf + (off - w->off);
	return 0;
}

/* --- records -------------------------------------------------------------- */

/* Whether the record header h found at off is the record with sequence
 * number seq: generation, sequence, batch fields, bounds, then the CRC. */
static int rec_valid(struct window *w, uint64_t off, const unsigned char *h, uint64_t seq,
		     bool *valid)
{
	struct plog *log = w->log;
	const unsigned char *p;
	struct rec r;
	uint32_t crc;

	decode_rec(h, &r);
	*valid = false;
	if (r.gen != log->generation || r.seq != seq || r.count == 0 ||
	    r.count > PLOG_BATCH_MAX || r.index >= r.count ||
	    slot_size(r.len) > data_end(log) - off)
		return 0;
	crc = daxdev_crc32c(0, h + REC_LEN, REC_HDR - REC_LEN);
	for (uint64_t done = 0; done < r.len;) {
		size_t n = r.len - done < WINDOW ? (size_t)(r.len - done) : WINDOW;
		int rc = window_get(w, off + REC_HDR + done, n, &p);
		if (rc)
			return rc;
		crc = daxdev_crc32c(crc, p, n);
		done += n;
	}
	*valid = crc_finish(crc, off) == r.crc;
	return 0;
}

/* A record header copied out of the window (which rec_valid may move). */
static int read_rec_header(struct window *w, uint64_t off, unsigned char *h)
{
	const unsigned char *p;
	int rc = window_get(w, off, REC_HDR, &p);

	if (!rc)
		memcpy(h, p, REC_HDR);
	return rc;
}

struct scan {
	uint64_t off, seq;                 /* next slot and the number it must carry */
	uint64_t committed_off, committed_seq; /* end of the last complete batch */
	uint32_t index, count;             /* position in the batch being read */
};

/* Read one slot; *more = false when it ends the log. */
static int scan_step(struct window *w, struct scan *s, bool *more)
{
	unsigned char h[REC_HDR];
	struct rec r;
	int rc;

	*more = false;
	if (data_end(w->log) - s->off < REC_HDR)
		return 0;
	rc = read_rec_header(w, s->off, h);
	if (rc)
		return rc;
	decode_rec(h, &r);
	if (r.index != s->index || (r.index && r.count != s->count))
		return 0;
	rc = rec_valid(w, s->off, h, s->seq, more);
	if (rc || !*more)
		return rc;
	s->off += slot_size(r.len);
	s->seq++;
	s->count = r.count;
	s->index = r.index + 1 == r.count ? 0 : r.index + 1;
	if (s->index == 0) {
		s->committed_off = s->off;
		s->committed_seq = s->seq;
	}
	return 0;
}

/* Whether the header at z (in h) is a valid record from a batch begun
 * after the last complete one. */
static int later_record_at(struct window *w, const struct scan *s, uint64_t z,
			   const unsigned char *p, bool *valid)
{
	unsigned char h[REC_HDR];
	struct rec r;

	memcpy(h, p, REC_HDR);      /* rec_valid moves the window */
	decode_rec(h, &r);
	*valid = false;
	if (r.index > r.seq || r.seq - r.index <= s->committed_seq)
		return 0;
	return rec_valid(w, z, h, r.seq, valid);
}

/* A valid record of this generation beyond the end, from a batch begun
 * after the last complete one, proves that something written before it and
 * fenced has since been damaged. */
static int find_later_record(struct window *w, const struct scan *s, uint64_t *found)
{
	uint64_t end = data_end(w->log), gen = w->log->generation;
	uint64_t z = s->off + 8;
	const unsigned char *p;
	bool valid = false;
	int rc = 0;

	while (!rc && !valid && z + REC_HDR <= end) {
		rc = window_get(w, z, REC_HDR, &p);
		/* Walk the words the window holds; most are payload or old
		 * generations, skipped with one compare. */
		uint64_t stop = w->off + w->len < end ? w->off + w->len : end;
		for (; !rc && z + REC_HDR <= stop; z += 8, p += 8) {
			if (get64(p + REC_GEN) != gen)
				continue;
			rc = later_record_at(w, s, z, p, &valid);
			if (rc || valid)
				break;
			z += 8;         /* the window may have moved: fetch again */
			break;
		}
	}
	if (!rc && valid)
		*found = z;
	return rc ? rc : valid;
}

/* A follower's scan stops wherever the writer is; an append in progress
 * there looks like damage for a moment.  It pays for the corruption check
 * only when it finds the same bytes where it stopped last time. */
static bool worth_checking(struct plog *log, uint64_t off, const unsigned char *h)
{
	bool same = log->stop_off == off && !memcmp(log->stop_hdr, h, REC_HDR);

	log->stop_off = off;
	memcpy(log->stop_hdr, h, REC_HDR);
	return !log->follow || same;
}

static int check_for_corruption(struct window *w, const struct scan *s)
{
	static const unsigned char zero[REC_HDR];
	unsigned char h[REC_HDR];
	uint64_t found = 0;
	int rc;

	if (data_end(w->log) - s->off < REC_HDR)
		return 0;
	rc = read_rec_header(w, s->off, h);
	if (rc || !memcmp(h, zero, REC_HDR) || !worth_checking(w->log, s->off, h))
		return rc;  /* a clean end: the zeroed header an append leaves */
	rc = find_later_record(w, s, &found);
	if (rc <= 0)
		return rc;
	return plog_fail(-EBADMSG, "plog log is corrupt: record #%llu at offset %llu does not validate, but record(s) written after it do (offset %llu)",
			 (unsigned long long)s->seq, (unsigned long long)s->off,
			 (unsigned long long)found);
}

/* Corruption or an unreadable part: the records before it are the log. */
static bool is_damage(const struct window *w, int rc)
{
	if (rc == -EBADMSG && !w->unreadable)
		return true;
	/* A read error, unless the device itself has gone away. */
	return w->unreadable && (rc != -ENXIO || daxdev_alive(w->log->dev));
}

int plog_recover(struct plog *log)
{
	struct scan s = { .off = log->tail, .seq = log->records,
			  .committed_off = log->tail, .committed_seq = log->records };
	struct window w;
	bool more = true;
	int rc = window_open(&w, log);

	if (rc)
		return rc;
	while (more && !rc)
		rc = scan_step(&w, &s, &more);
	if (!rc)
		rc = check_for_corruption(&w, &s);
	log->tail = s.committed_off;
	log->records = s.committed_seq;
	if (rc && is_damage(&w, rc)) {
		log->damage_err = rc;
		log->damage_off = w.unreadable ? w.bad : s.off;
		snprintf(log->damage_msg, sizeof(log->damage_msg), "%s", plog_errormsg());
		rc = 0;
	}
	window_close(&w);
	return rc;
}
