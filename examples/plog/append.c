/* SPDX-License-Identifier: MIT */
/*
 * plog's one-fence append (docs/plog-format.md, "Writing").
 *
 * An append builds each record header (with the CRC over header, payload and
 * offset) in DRAM and queues header, payload and then zeroes for the header
 * of the slot after the batch as pieces of one daxdev_writev() with
 * DAXDEV_F_NODRAIN, and finishes with one daxdev_drain().  The commonest
 * append, one small record, is built whole on the stack instead and written
 * by one daxdev_write() (append_small).  Where the device
 * is one mapping, a large record is written by pointer under one
 * daxdev_guarded_call(): its end first, its whole lines with their CRC, its
 * header line last (put_flat_record).  Nothing orders
 * those stores, so after a crash any subset of them may be durable; the CRC
 * makes every such subset read as either the whole batch or nothing.
 */
#include <errno.h>
#include "plog-internal.h"

/* --- pending pieces: one daxdev_writev() per append, mostly ------------ */

/* Hand the pending pieces to the device; durable at the next drain. */
static int pend_flush(struct plog *log, unsigned flags)
{
	struct pending *p = &log->pend;
	int rc = 0;

	if (p->n)
		rc = daxdev_writev(log->dev, p->off, p->iov, p->n, DAXDEV_F_NODRAIN | flags);
	if (log->hook)
		log->hook(log->hook_arg);
	p->off += p->len;
	p->len = 0;
	p->n = 0;
	p->staged = 0;
	return rc ? plog_dax_fail(rc) : 0;
}

static void pend_add(struct pending *p, const void *src, size_t n)
{
	struct iovec *last = p->n ? &p->iov[p->n - 1] : NULL;

	if (last && (const char *)last->iov_base + last->iov_len == (const char *)src)
		last->iov_len += n;
	else
		p->iov[p->n++] = (struct iovec){ .iov_base = (void *)src, .iov_len = n };
	p->len += n;
}

/* *dst = n (at most STAGE_SIZE) bytes of the stage, queued next. */
static int pend_reserve(struct plog *log, size_t n, unsigned char **dst)
{
	struct pending *p = &log->pend;

	if (STAGE_SIZE - p->staged < n || p->n == APPEND_IOV) {
		int rc = pend_flush(log, 0);
		if (rc)
			return rc;
	}
	*dst = p->stage + p->staged;
	p->staged += n;
	pend_add(p, *dst, n);
	return 0;
}

/* Copy n bytes (zeros if src is NULL) into the stage. */
static int pend_staged(struct plog *log, const void *src, size_t n)
{
	while (n) {
		size_t take = n < STAGE_SIZE ? n : STAGE_SIZE;
		unsigned char *dst;
		int rc = pend_reserve(log, take, &dst);
		if (rc)
			return rc;
		if (src) {
			memcpy(dst, src, take);
			src = (const char *)src + take;
		} else {
			memset(dst, 0, take);
		}
		n -= take;
	}
	return 0;
}

/* n bytes straight from the caller's buffer. */
static int pend_direct(struct plog *log, const void *src, size_t n)
{
	int rc = log->pend.n == APPEND_IOV ? pend_flush(log, 0) : 0;

	if (!rc && n)
		pend_add(&log->pend, src, n);
	return rc;
}

/* --- records ------------------------------------------------------------- */

/* The header's fields after its CRC. */
static void encode_fields(const struct plog *log, unsigned char *h, size_t len,
			  uint32_t index, uint32_t count)
{
	put32(h + REC_LEN, (uint32_t)len);
	put64(h + REC_GEN, log->generation);
	put64(h + REC_SEQ, log->records + index);
	put32(h + REC_INDEX, index);
	put32(h + REC_COUNT, count);
}

/* Fewer than 64 bytes, as overlapping fixed-size copies: gcc -O2 inlines a
 * variable-length memcpy here as rep movsq, whose start-up cost was ~16 ns
 * of a 1 KiB append. */
static void copy_short(unsigned char *dst, const char *src, size_t n)
{
	if (n >= 32) {
		memcpy(dst, src, 32);
		memcpy(dst + n - 32, src + n - 32, 32);
	} else if (n >= 16) {
		memcpy(dst, src, 16);
		memcpy(dst + n - 16, src + n - 16, 16);
	} else if (n >= 8) {
		memcpy(dst, src, 8);
		memcpy(dst + n - 8, src + n - 8, 8);
	} else {
		for (size_t i = 0; i < n; i++)
			dst[i] = (unsigned char)src[i];
	}
}

/* How many bytes at off to zero after a batch ending there: the next
 * slot's first line, or a header's worth where the record area ends sooner. */
static size_t next_zeros(const struct plog *log, uint64_t off)
{
	uint64_t room = data_end(log) - off;

	return room >= SLOT_ALIGN ? SLOT_ALIGN : room >= REC_HDR ? REC_HDR : 0;
}

/* n (0, REC_HDR or SLOT_ALIGN) zero bytes queued next, each size a fixed
 * store (see copy_short). */
static int pend_zeros(struct plog *log, size_t n)
{
	unsigned char *dst;
	int rc = n ? pend_reserve(log, n, &dst) : 0;

	if (rc || !n)
		return rc;
	if (n == SLOT_ALIGN)
		memset(dst, 0, SLOT_ALIGN);
	else
		memset(dst, 0, REC_HDR);
	return 0;
}

/* The last line of a record whose payload ends inside one: its tail
 * (rest < 64 bytes), then zeros. */
static void fill_last_line(unsigned char *line, const char *tail, size_t rest)
{
	memset(line, 0, SLOT_ALIGN);
	copy_short(line, tail, rest);
}

/* Bytes written at once rather than queued, by pointer: only under
 * put_flat_record's guard.  The library's error as it is (the caller turns
 * it into plog's). */
static int put_now(struct plog *log, uint64_t at, const void *buf, size_t n)
{
	int rc = daxdev_memcpy(log->dev, log->base + at, buf, n, DAXDEV_F_NODRAIN);

	if (log->hook)
		log->hook(log->hook_arg);
	return rc;
}

/* What of a large record does not depend on its CRC, written before the
 * payload streams: the last line where the payload ends inside one (its
 * tail, zero-padded), and after the batch's last record the next slot's
 * zeroes (then not queued by plog_appendv).  Written after the stream
 * instead, the same stores made a 4 KiB append 85-95 ns (~27%) slower here
 * (docs/performance.md, "Log append: the end first"). */
static int put_end_first(struct plog *log, uint64_t at, const char *tail, size_t rest,
			 bool last)
{
	_Alignas(64) unsigned char buf[2 * SLOT_ALIGN];
	size_t line = rest ? SLOT_ALIGN : 0, zeros = last ? next_zeros(log, at + line) : 0;

	if (!line && !zeros)
		return 0;
	/* One line at a time: gcc -O2 makes one 128-byte memset rep stosq. */
	fill_last_line(buf, tail, rest);
	memset(buf + SLOT_ALIGN, 0, SLOT_ALIGN);
	log->pend.next_zeroed = zeros != 0;
	return put_now(log, at, buf, line + zeros);
}

/* The last line where the payload ends inside one, queued. */
static int pend_last_line(struct plog *log, const char *tail, size_t rest)
{
	unsigned char *dst;
	int rc = pend_reserve(log, SLOT_ALIGN, &dst);

	if (!rc)
		fill_last_line(dst, tail, rest);
	return rc;
}

/* crc_finish(daxdev_crc32c(crc, tail, rest), off) in one call (rest < 64). */
static uint32_t crc_tail_finish(uint32_t crc, const char *tail, size_t rest, uint64_t off)
{
	unsigned char t[SLOT_ALIGN + 8];

	copy_short(t, tail, rest);
	put64(t + rest, off);
	return daxdev_crc32c(crc, t, rest + 8);
}

/* A large record: where it goes, and its payload split into the header
 * line's share (HEAD_PAYLOAD bytes), whole lines (mid) and a tail (rest,
 * under a line). */
#define HEAD_PAYLOAD (SLOT_ALIGN - REC_HDR)

struct large_record {
	struct plog *log;
	uint64_t off;
	const char *payload;
	size_t len, mid, rest;
	uint32_t index, count;
};

static const char *record_tail(const struct large_record *r)
{
	return r->payload + HEAD_PAYLOAD + r->mid;
}

/* The header line in head: the header's fields and the payload's first
 * bytes.  Returns the CRC so far (everything after the CRC field). */
static uint32_t encode_head_line(const struct large_record *r, unsigned char *head)
{
	encode_fields(r->log, head, r->len, r->index, r->count);
	memcpy(head + REC_HDR, r->payload, HEAD_PAYLOAD);
	return daxdev_crc32c(0, head + REC_LEN, SLOT_ALIGN - REC_LEN);
}

/* The record's CRC into its header line, from crc over all before the tail. */
static void seal_head_line(const struct large_record *r, unsigned char *head, uint32_t crc)
{
	put32(head + REC_CRC, crc_tail_finish(crc, record_tail(r), r->rest, r->off));
}

/* A large record where the device is one mapping, run by put_large_record
 * under one daxdev_guarded_call(): put_end_first() writes the end, then the
 * whole lines stream from the caller's buffer with the CRC folded in as
 * they go (daxdev_memcpy_crc32c: one pass over the payload instead of two),
 * and the header line, which carries the CRC, is written last.  One guard
 * for the three stores instead of one each: 12-27 ns less per 1 KiB append
 * (docs/performance.md, "Log append: one guard"). */
static int put_flat_record(void *arg)
{
	const struct large_record *r = arg;
	struct plog *log = r->log;
	_Alignas(64) unsigned char head[SLOT_ALIGN];
	uint32_t crc;
	int rc = put_end_first(log, r->off + SLOT_ALIGN + r->mid, record_tail(r), r->rest,
			       r->index + 1 == r->count);

	if (rc)
		return rc;
	crc = encode_head_line(r, head);
	rc = daxdev_memcpy_crc32c(log->dev, log->base + r->off + SLOT_ALIGN,
				  r->payload + HEAD_PAYLOAD, r->mid, DAXDEV_F_NODRAIN, &crc);
	if (rc)
		return rc;
	seal_head_line(r, head, crc);
	return put_now(log, r->off, head, SLOT_ALIGN);
}

/* A large payload goes out in whole lines: the header line (the header and
 * the payload's first bytes), the whole lines after it straight from the
 * caller's buffer, and the last line.  Where the device is one mapping,
 * put_flat_record(); elsewhere all three are queued, after a CRC pass. */
static int put_large_record(struct plog *log, uint64_t off, const struct iovec *rec,
			    uint32_t index, uint32_t count)
{
	size_t len = rec->iov_len, mid = (len - HEAD_PAYLOAD) & ~(size_t)(SLOT_ALIGN - 1);
	struct large_record r = { .log = log, .off = off, .payload = rec->iov_base, .len = len,
				  .mid = mid, .rest = len - HEAD_PAYLOAD - mid,
				  .index = index, .count = count };
	unsigned char *head;
	uint32_t crc;
	int rc;

	if (log->base) {
		/* What is queued lies before the record: out first. */
		rc = log->pend.n ? pend_flush(log, 0) : 0;
		if (rc)
			return rc;
		rc = daxdev_guarded_call(log->dev, put_flat_record, &r);
		if (rc)
			return plog_dax_fail(rc);
		log->pend.off += slot_size(len);
		return 0;
	}
	rc = pend_reserve(log, SLOT_ALIGN, &head);
	if (rc)
		return rc;
	crc = encode_head_line(&r, head);
	seal_head_line(&r, head, daxdev_crc32c(crc, r.payload + HEAD_PAYLOAD, mid));
	rc = pend_direct(log, r.payload + HEAD_PAYLOAD, mid);
	return rc || !r.rest ? rc : pend_last_line(log, record_tail(&r), r.rest);
}

/* Planted bug (PLOG_FAULT_UNFLUSHED_PAYLOAD): the whole payload unflushed. */
static int put_unflushed_record(struct plog *log, uint64_t off, const struct iovec *rec,
				uint32_t index, uint32_t count)
{
	unsigned char h[REC_HDR];
	uint32_t crc;
	int rc;

	encode_fields(log, h, rec->iov_len, index, count);
	crc = daxdev_crc32c(0, h + REC_LEN, REC_HDR - REC_LEN);
	crc = daxdev_crc32c(crc, rec->iov_base, rec->iov_len);
	put32(h + REC_CRC, crc_finish(crc, off));
	rc = pend_staged(log, h, REC_HDR);
	if (!rc)
		rc = pend_flush(log, 0);
	if (!rc)
		rc = pend_direct(log, rec->iov_base, rec->iov_len);
	if (!rc)
		rc = pend_flush(log, DAXDEV_F_NOFLUSH);
	return rc ? rc : pend_staged(log, NULL, slot_size(rec->iov_len) - REC_HDR - rec->iov_len);
}

/* A small record (at most INLINE_MAX payload bytes) whole into slot, as it
 * goes at off: header, payload and its padding, the padding as the whole
 * last line zeroed first (a fixed-size store; see copy_short).  The header
 * is encoded apart and the CRC taken over it and the caller's payload:
 * encoding straight into slot measured ~10% slower per 64-byte append, and
 * a CRC read back from slot 26 ns slower at 256 B (its loads straddle the
 * stores just made and wait for them).  Inline: called out of line, a
 * 64-byte append measured up to 6 ns slower. */
static inline void build_small_record(const struct plog *log, unsigned char *slot, uint64_t off,
			       const void *data, size_t len, uint32_t index, uint32_t count)
{
	unsigned char h[REC_HDR];
	uint32_t crc;

	encode_fields(log, h, len, index, count);
	crc = daxdev_crc32c(0, h + REC_LEN, REC_HDR - REC_LEN);
	crc = daxdev_crc32c(crc, data, len);
	put32(h + REC_CRC, crc_finish(crc, off));
	memset(slot + slot_size(len) - SLOT_ALIGN, 0, SLOT_ALIGN);
	memcpy(slot, h, REC_HDR);
	if (len) /* an empty record may come as NULL, which memcpy may not take */
		memcpy(slot + REC_HDR, data, len);
}

/* Queue one record at off: a small one built whole in the stage, a large
 * one as put_large_record() says. */
static int put_record(struct plog *log, uint64_t off, const struct iovec *rec,
		      uint32_t index, uint32_t count)
{
	size_t len = rec->iov_len;
	unsigned char *slot;
	int rc;

	if (log->fault == PLOG_FAULT_UNFLUSHED_PAYLOAD)
		return put_unflushed_record(log, off, rec, index, count);
	if (len > INLINE_MAX)
		return put_large_record(log, off, rec, index, count);
	rc = pend_reserve(log, slot_size(len), &slot);
	if (!rc)
		build_small_record(log, slot, off, rec->iov_base, len, index, count);
	return rc;
}

/* n bytes of buf at off, fenced: one daxdev_write().  With a test hook,
 * as a daxdev_writev() and a daxdev_drain() with the hook between them. */
static int write_fenced(struct plog *log, uint64_t off, const unsigned char *buf, size_t n)
{
	struct iovec piece = { .iov_base = (void *)buf, .iov_len = n };
	int rc;

	if (!log->hook)
		return daxdev_write(log->dev, off, buf, n);
	rc = daxdev_writev(log->dev, off, &piece, 1, DAXDEV_F_NODRAIN);
	log->hook(log->hook_arg);
	return rc ? rc : daxdev_drain(log->dev);
}

/* The usual append, one small record: built whole on the stack with the
 * next slot's zeroes and written by one call, not queued.  Measured
 * in-process A/B against the queued path: 2-19 ns less at 64-512 B
 * (docs/performance.md, "Log append: one small record"). */
static int append_small(struct plog *log, const void *data, size_t len)
{
	_Alignas(64) unsigned char buf[SLOT_ALIGN + INLINE_MAX + SLOT_ALIGN];
	size_t slot = slot_size(len), zeros = next_zeros(log, log->tail + slot);
	int rc;

	build_small_record(log, buf, log->tail, data, len, 0, 1);
	memset(buf + slot, 0, SLOT_ALIGN); /* the zeroes as a whole line, too */
	rc = write_fenced(log, log->tail, buf, slot + zeros);
	if (rc)
		return plog_dax_fail(rc);
	log->tail += slot;
	log->records++;
	return 0;
}

static int check_batch(const struct plog *log, const struct iovec *recs, int n,
		       uint64_t *need)
{
	if (n < 1 || n > PLOG_BATCH_MAX || !recs)
		return plog_fail(-EINVAL, "an append takes 1..%d records, not %d",
				 PLOG_BATCH_MAX, n);
	*need = 0;
	for (int i = 0; i < n; i++) {
		if (!recs[i].iov_base && recs[i].iov_len)
			return plog_fail(-EINVAL, "record %d has no data", i);
		if (recs[i].iov_len > UINT32_MAX - 7 ||
		    slot_size(recs[i].iov_len) > log->capacity)
			return plog_fail(-EFBIG, "a %zu-byte record can never fit: the log holds at most %llu payload bytes",
					 recs[i].iov_len,
					 (unsigned long long)(log->capacity - REC_HDR));
		*need += slot_size(recs[i].iov_len);
		if (*need > data_end(log) - log->tail)
			return plog_fail(-ENOSPC, "log full: %llu bytes free, the %s needs more",
					 (unsigned long long)(data_end(log) - log->tail),
					 n > 1 ? "batch" : "record");
	}
	return 0;
}

/* Where to read ahead after an append of more than SLOT_ALIGN + INLINE_MAX
 * bytes: the line where the next append of the same size would end (for a
 * large record, the line its put_end_first() zeroes first), or NULL.
 * Measured in-process A/B on the bench's device, both orders, 4 KiB and
 * 2 MiB pages alike: the read takes 4-17 ns off a 1 KiB append and 33-74 ns
 * off 4 KiB (docs/performance.md, "Log append: reading ahead").  Not after
 * small appends: there the very next append stores to that line while the
 * read is still in flight, which measured 50 ns slower at 64 B.  The caller
 * issues the prefetch itself: gcc drops a call to a void function whose only
 * effect is a prefetch. */
static const unsigned char *ahead_line(const struct plog *log, uint64_t prev_tail,
				       uint64_t tail)
{
	uint64_t next_end = tail + (tail - prev_tail);

	if (!log->base || tail - prev_tail <= SLOT_ALIGN + INLINE_MAX || next_end >= data_end(log))
		return NULL;
	return log->base + next_end;
}

int plog_appendv(struct plog *log, const struct iovec *recs, int n)
{
	const unsigned char *ahead;
	uint64_t need, off;
	int rc;

	if (!log)
		return plog_fail(-EINVAL, "plog append: NULL log");
	if (log->readonly)
		return plog_fail(-EROFS, "plog append: the log is open read-only");
	rc = check_batch(log, recs, n, &need);
	if (rc)
		return rc;
	if (n == 1 && recs[0].iov_len <= INLINE_MAX && log->fault == PLOG_FAULT_NONE)
		return append_small(log, recs[0].iov_base, recs[0].iov_len);
	off = log->pend.off = log->tail;
	log->pend.len = 0;
	log->pend.n = 0;
	log->pend.staged = 0;
	log->pend.next_zeroed = false;
	for (int i = 0; i < n && !rc; i++) {
		rc = put_record(log, off, &recs[i], (uint32_t)i, (uint32_t)n);
		off += slot_size(recs[i].iov_len);
	}
	/* Zero the next slot's first line, so a reader stops there at once. */
	if (!rc && !log->pend.next_zeroed)
		rc = pend_zeros(log, next_zeros(log, off));
	if (!rc)
		rc = pend_flush(log, 0);
	if (!rc && log->fault != PLOG_FAULT_UNFENCED_APPEND && (rc = daxdev_drain(log->dev)))
		rc = plog_dax_fail(rc);
	if (rc)
		return rc;
	ahead = ahead_line(log, log->tail, off);
	if (ahead)
		__builtin_prefetch(ahead, 0, 0); /* a hint: nothing depends on it */
	log->tail = off;
	log->records += (uint64_t)n;
	return 0;
}

int plog_append(struct plog *log, const void *data, size_t len)
{
	struct iovec rec = { .iov_base = (void *)data, .iov_len = len };

	return plog_appendv(log, &rec, 1);
}
