/* SPDX-License-Identifier: MIT */
/*
 * plog core: format, recovery and the one-fence append.  The layout and the
 * recovery rule are specified in docs/plog-format.md; this file follows it.
 *
 * An append builds each record header (with the CRC over header, payload and
 * offset) in DRAM, copies header and payload and then zeroes the header of
 * the slot after the batch, all with DAXDEV_F_NODRAIN, and finishes with one
 * daxdev_drain().  Nothing orders those stores, so after a crash any subset
 * of them may be durable; the CRC makes every such subset read as either the
 * whole batch or nothing.
 */
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include "plog.h"

#define MAGIC "DAXPLOG"             /* 8 bytes with its NUL */
#define OFF_MAGIC 0
#define OFF_VERSION 8
#define OFF_FLAGS 12
#define OFF_DATA 16
#define OFF_CAPACITY 24
#define OFF_HEADER_CRC 60
#define OFF_GENERATION 64
#define HEADER_CHECKED 60           /* header CRC covers bytes [0, 60) */
#define HEADER_READ 72

#define REC_CRC 0
#define REC_LEN 4
#define REC_GEN 8
#define REC_SEQ 16
#define REC_INDEX 24
#define REC_COUNT 28
#define REC_HDR PLOG_RECORD_HEADER

/* Records start on cache lines, so an append of small records writes whole
 * lines only: libdaxdev streams those without first reading them, and the
 * next append never rewrites part of a line the previous one wrote. */
#define SLOT_ALIGN 64u
#define STAGE_SIZE 4096u            /* write-combining buffer for small pieces */
#define INLINE_MAX 512u             /* payloads up to this go through it */

struct plog {
	struct daxdev *dev;
	char *map;                  /* whole device when contiguous, else NULL */
	uint64_t size;              /* device bytes */
	uint64_t capacity;          /* record area bytes */
	uint64_t generation;
	uint64_t tail;              /* absolute offset of the next record */
	uint64_t records;
	enum plog_test_fault fault;
	uint64_t stage_off;         /* media offset of stage[0] */
	size_t stage_len;
	unsigned char stage[STAGE_SIZE];
};

/* A record header as decoded from media. */
struct rec {
	uint32_t crc, len, index, count;
	uint64_t gen, seq;
};

static __thread char plog_msg[1024];

const char *plog_errormsg(void)
{
	return plog_msg;
}

__attribute__((format(printf, 2, 3)))
static int plog_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(plog_msg, sizeof(plog_msg), fmt, ap);
	va_end(ap);
	return err;
}

static int dax_fail(int err)
{
	return plog_fail(err, "%s", daxdev_errormsg());
}

static uint64_t slot_size(uint64_t len)
{
	return (REC_HDR + len + SLOT_ALIGN - 1) & ~(uint64_t)(SLOT_ALIGN - 1);
}

static uint64_t data_end(const struct plog *log)
{
	return PLOG_HEADER_SIZE + log->capacity;
}

/* --- media access: direct_access chunks ---------------------------------- */

typedef int (*chunk_fn)(struct plog *log, void *ctx, char *addr, size_t n);

/* Walk [off, off+len) (inside the device) in the pieces direct_access gives. */
static int media_walk(struct plog *log, uint64_t off, uint64_t len, chunk_fn fn, void *ctx)
{
	uint64_t align = daxdev_align(log->dev);

	if (log->map)
		return fn(log, ctx, log->map + off, len);
	while (len) {
		uint64_t in_page = off & (align - 1);
		uint64_t pages = (in_page + len + align - 1) / align;
		void *addr;
		long got = daxdev_direct_access(log->dev, off / align,
						pages > LONG_MAX ? LONG_MAX : (long)pages, &addr);
		if (got < 0)
			return dax_fail((int)got);
		uint64_t n = (uint64_t)got * align - in_page;
		if (n > len)
			n = len;
		int rc = fn(log, ctx, (char *)addr + in_page, n);
		if (rc)
			return rc;
		off += n;
		len -= n;
	}
	return 0;
}

struct copy_ctx {
	const char *src;
	char *dst;
	unsigned flags;
	uint32_t crc;
};

static int write_chunk(struct plog *log, void *ctx, char *addr, size_t n)
{
	struct copy_ctx *c = ctx;
	int rc = c->src ? daxdev_memcpy(log->dev, addr, c->src, n, c->flags) :
			  daxdev_memset(log->dev, addr, 0, n, c->flags);

	if (rc)
		return dax_fail(rc);
	if (c->src)
		c->src += n;
	return 0;
}

static int read_chunk(struct plog *log, void *ctx, char *addr, size_t n)
{
	struct copy_ctx *c = ctx;

	(void)log;
	memcpy(c->dst, addr, n);
	c->dst += n;
	return 0;
}

static int crc_chunk(struct plog *log, void *ctx, char *addr, size_t n)
{
	struct copy_ctx *c = ctx;

	(void)log;
	c->crc = daxdev_crc32c(c->crc, addr, n);
	return 0;
}

/* src NULL writes zeros.  flags: DAXDEV_F_* for daxdev_memcpy. */
static int media_write(struct plog *log, uint64_t off, const void *src, uint64_t len,
		       unsigned flags)
{
	struct copy_ctx c = { .src = src, .flags = flags };

	return media_walk(log, off, len, write_chunk, &c);
}

static int media_read(struct plog *log, uint64_t off, void *dst, uint64_t len)
{
	struct copy_ctx c = { .dst = dst };

	return media_walk(log, off, len, read_chunk, &c);
}

static int media_crc(struct plog *log, uint64_t off, uint64_t len, uint32_t *crc)
{
	struct copy_ctx c = { .crc = *crc };
	int rc = media_walk(log, off, len, crc_chunk, &c);

	*crc = c.crc;
	return rc;
}

/* --- staging: contiguous small pieces become one copy ------------------- */

static int stage_flush(struct plog *log)
{
	int rc = 0;

	if (log->stage_len)
		rc = media_write(log, log->stage_off, log->stage, log->stage_len,
				 DAXDEV_F_NODRAIN);
	log->stage_off += log->stage_len;
	log->stage_len = 0;
	return rc;
}

/* src NULL stages zeros. */
static int stage_put(struct plog *log, const void *src, size_t n)
{
	while (n) {
		if (log->stage_len == STAGE_SIZE) {
			int rc = stage_flush(log);
			if (rc)
				return rc;
		}
		size_t take = STAGE_SIZE - log->stage_len < n ? STAGE_SIZE - log->stage_len : n;
		if (src) {
			memcpy(log->stage + log->stage_len, src, take);
			src = (const char *)src + take;
		} else {
			memset(log->stage + log->stage_len, 0, take);
		}
		log->stage_len += take;
		n -= take;
	}
	return 0;
}

/* --- records ------------------------------------------------------------- */

static void put32(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put64(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static void decode_rec(const unsigned char *h, struct rec *r)
{
	r->crc = get32(h + REC_CRC);
	r->len = get32(h + REC_LEN);
	r->gen = get64(h + REC_GEN);
	r->seq = get64(h + REC_SEQ);
	r->index = get32(h + REC_INDEX);
	r->count = get32(h + REC_COUNT);
}

/* CRC of a record: header bytes after the CRC field, payload, offset. */
static uint32_t crc_finish(uint32_t crc, uint64_t off)
{
	unsigned char le_off[8];

	put64(le_off, off);
	return daxdev_crc32c(crc, le_off, sizeof(le_off));
}

static void encode_rec(struct plog *log, unsigned char *h, uint64_t off,
		       const struct iovec *rec, uint32_t index, uint32_t count)
{
	uint32_t crc;

	put32(h + REC_LEN, (uint32_t)rec->iov_len);
	put64(h + REC_GEN, log->generation);
	put64(h + REC_SEQ, log->records + index);
	put32(h + REC_INDEX, index);
	put32(h + REC_COUNT, count);
	crc = daxdev_crc32c(0, h + REC_LEN, REC_HDR - REC_LEN);
	crc = daxdev_crc32c(crc, rec->iov_base, rec->iov_len);
	put32(h + REC_CRC, crc_finish(crc, off));
}

/* A large payload: the piece that completes the header's line and the
 * unaligned tail go through the stage, the whole lines between straight from
 * the caller's buffer, so every copy covers whole cache lines. */
static int put_large_payload(struct plog *log, uint64_t off, const struct iovec *rec,
			     unsigned *flags)
{
	const char *p = rec->iov_base;
	size_t len = rec->iov_len, first = SLOT_ALIGN - REC_HDR, mid;
	int rc;

	if (first > len)
		first = len;
	mid = (len - first) & ~(size_t)(SLOT_ALIGN - 1);
	if (log->fault == PLOG_FAULT_UNFLUSHED_PAYLOAD) {
		*flags = DAXDEV_F_NOFLUSH;   /* planted bug: the whole payload unflushed */
		first = 0;
		mid = len;
	}
	rc = stage_put(log, p, first);
	if (!rc)
		rc = stage_flush(log);
	if (!rc && mid)
		rc = media_write(log, off + REC_HDR + first, p + first, mid, *flags);
	log->stage_off = off + REC_HDR + first + mid;
	return rc ? rc : stage_put(log, p + first + mid, len - first - mid);
}

/* Store one record at off: small ones through the stage, large payloads
 * copied straight from the caller's buffer. */
static int put_record(struct plog *log, uint64_t off, const struct iovec *rec,
		      uint32_t index, uint32_t count)
{
	unsigned char h[REC_HDR];
	size_t pad = slot_size(rec->iov_len) - REC_HDR - rec->iov_len;
	unsigned payload_flags = DAXDEV_F_NODRAIN;
	int rc;

	encode_rec(log, h, off, rec, index, count);
	rc = stage_put(log, h, REC_HDR);
	if (!rc && rec->iov_len <= INLINE_MAX && log->fault != PLOG_FAULT_UNFLUSHED_PAYLOAD)
		rc = stage_put(log, rec->iov_base, rec->iov_len);
	else if (!rc)
		rc = put_large_payload(log, off, rec, &payload_flags);
	return rc ? rc : stage_put(log, NULL, pad);
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

int plog_appendv(struct plog *log, const struct iovec *recs, int n)
{
	uint64_t need, off;
	int rc;

	if (!log)
		return plog_fail(-EINVAL, "plog append: NULL log");
	rc = check_batch(log, recs, n, &need);
	if (rc)
		return rc;
	log->stage_off = off = log->tail;
	log->stage_len = 0;
	for (int i = 0; i < n && !rc; i++) {
		rc = put_record(log, off, &recs[i], (uint32_t)i, (uint32_t)n);
		off += slot_size(recs[i].iov_len);
	}
	/* Zero the next slot's first line, so a reader stops there at once. */
	if (!rc && data_end(log) - off >= REC_HDR)
		rc = stage_put(log, NULL, data_end(log) - off >= SLOT_ALIGN ? SLOT_ALIGN : REC_HDR);
	if (!rc)
		rc = stage_flush(log);
	if (!rc && log->fault != PLOG_FAULT_UNFENCED_APPEND && (rc = daxdev_drain(log->dev)))
		rc = dax_fail(rc);
	if (rc)
		return rc;
	log->tail = off;
	log->records += (uint64_t)n;
	return 0;
}

int plog_append(struct plog *log, const void *data, size_t len)
{
	struct iovec rec = { .iov_base = (void *)data, .iov_len = len };

	return plog_appendv(log, &rec, 1);
}

/* --- opening and recovery ------------------------------------------------ */

static int log_new(struct daxdev *dev, struct plog **logp)
{
	struct plog *log;
	uint64_t pages;
	void *addr;
	long got;

	if (!dev || !logp)
		return plog_fail(-EINVAL, "plog: NULL device or result pointer");
	log = calloc(1, sizeof(*log));
	if (!log)
		return plog_fail(-ENOMEM, "plog: out of memory");
	log->size = daxdev_size(dev);
	pages = log->size / daxdev_align(dev);
	got = daxdev_direct_access(dev, 0, pages > LONG_MAX ? LONG_MAX : (long)pages, &addr);
	if (got < 0) {
		free(log);
		return dax_fail((int)got);
	}
	if ((uint64_t)got == pages)
		log->map = addr;
	log->dev = daxdev_get(dev);
	*logp = log;
	return 0;
}

void plog_close(struct plog *log)
{
	if (!log)
		return;
	daxdev_put(log->dev);
	free(log);
}

void plog_set_test_fault(struct plog *log, enum plog_test_fault fault)
{
	if (log)
		log->fault = fault;
}

static int check_header(struct plog *log, const unsigned char *h)
{
	uint32_t version = get32(h + OFF_VERSION);

	if (memcmp(h + OFF_MAGIC, MAGIC, sizeof(MAGIC)))
		return plog_fail(-EINVAL, "not a plog log (no plog magic at offset 0)");
	if (version != PLOG_VERSION)
		return plog_fail(-EPROTONOSUPPORT, "plog format version %u is not supported (this program reads version %d)",
				 version, PLOG_VERSION);
	if (get32(h + OFF_HEADER_CRC) != daxdev_crc32c(0, h, HEADER_CHECKED))
		return plog_fail(-EBADMSG, "plog header is corrupt (checksum mismatch)");
	if (get32(h + OFF_FLAGS) || get64(h + OFF_DATA) != PLOG_HEADER_SIZE)
		return plog_fail(-EBADMSG, "plog header has unknown flags or data offset");
	log->capacity = get64(h + OFF_CAPACITY);
	log->generation = get64(h + OFF_GENERATION);
	if (log->capacity < REC_HDR || log->capacity % 8 || log->generation == 0)
		return plog_fail(-EBADMSG, "plog header is corrupt (capacity %llu, generation %llu)",
				 (unsigned long long)log->capacity,
				 (unsigned long long)log->generation);
	if (log->capacity > log->size - PLOG_HEADER_SIZE || log->size < PLOG_HEADER_SIZE)
		return plog_fail(-EBADMSG, "plog log is truncated: it needs %llu bytes, the device has %llu",
				 (unsigned long long)(PLOG_HEADER_SIZE + log->capacity),
				 (unsigned long long)log->size);
	return 0;
}

static int read_header(struct plog *log)
{
	unsigned char h[HEADER_READ];
	int rc;

	if (log->size < HEADER_READ)
		return plog_fail(-EINVAL, "not a plog log (device of %llu bytes is too small)",
				 (unsigned long long)log->size);
	rc = media_read(log, 0, h, sizeof(h));
	return rc ? rc : check_header(log, h);
}

/* Whether the record header h found at off is the record with sequence
 * number seq: generation, sequence, batch fields, bounds, then the CRC. */
static int rec_valid(struct plog *log, uint64_t off, const unsigned char *h, uint64_t seq,
		     bool *valid)
{
	struct rec r;
	uint32_t crc;
	int rc;

	decode_rec(h, &r);
	*valid = false;
	if (r.gen != log->generation || r.seq != seq || r.count == 0 ||
	    r.count > PLOG_BATCH_MAX || r.index >= r.count ||
	    slot_size(r.len) > data_end(log) - off)
		return 0;
	crc = daxdev_crc32c(0, h + REC_LEN, REC_HDR - REC_LEN);
	rc = media_crc(log, off + REC_HDR, r.len, &crc);
	if (rc)
		return rc;
	*valid = crc_finish(crc, off) == r.crc;
	return 0;
}

struct scan {
	uint64_t off, seq;                 /* next slot and the number it must carry */
	uint64_t committed_off, committed_seq; /* end of the last complete batch */
	uint32_t index, count;             /* position in the batch being read */
};

/* Read one slot; *more = false when it ends the log. */
static int scan_step(struct plog *log, struct scan *s, bool *more)
{
	unsigned char h[REC_HDR];
	struct rec r;
	int rc;

	*more = false;
	if (data_end(log) - s->off < REC_HDR)
		return 0;
	rc = media_read(log, s->off, h, REC_HDR);
	if (rc)
		return rc;
	decode_rec(h, &r);
	if (r.index != s->index || (r.index && r.count != s->count))
		return 0;
	rc = rec_valid(log, s->off, h, s->seq, more);
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

/* A valid record of this generation beyond the end, from a batch begun
 * after the last complete one, proves that something written before it and
 * fenced has since been damaged. */
static int find_later_record(struct plog *log, const struct scan *s, uint64_t *found)
{
	unsigned char h[REC_HDR];
	struct rec r;
	bool valid;

	for (uint64_t z = s->off + 8; z + REC_HDR <= data_end(log); z += 8) {
		/* Most words are payload or old generations: skip them cheaply. */
		if (log->map && get64((unsigned char *)log->map + z + REC_GEN) != log->generation)
			continue;
		int rc = media_read(log, z, h, REC_HDR);
		if (rc)
			return rc;
		decode_rec(h, &r);
		if (r.gen != log->generation || r.index > r.seq ||
		    r.seq - r.index <= s->committed_seq)
			continue;
		rc = rec_valid(log, z, h, r.seq, &valid);
		if (rc)
			return rc;
		if (valid) {
			*found = z;
			return 1;
		}
	}
	return 0;
}

static int check_for_corruption(struct plog *log, const struct scan *s)
{
	static const unsigned char zero[REC_HDR];
	unsigned char h[REC_HDR];
	uint64_t found = 0;
	int rc;

	if (data_end(log) - s->off < REC_HDR)
		return 0;
	rc = media_read(log, s->off, h, REC_HDR);
	if (rc || !memcmp(h, zero, REC_HDR))
		return rc;  /* a clean end: the zeroed header an append leaves */
	rc = find_later_record(log, s, &found);
	if (rc <= 0)
		return rc;
	return plog_fail(-EBADMSG, "plog log is corrupt: record #%llu at offset %llu does not validate, but record(s) written after it do (offset %llu)",
			 (unsigned long long)s->seq, (unsigned long long)s->off,
			 (unsigned long long)found);
}

static int recover(struct plog *log)
{
	struct scan s = { .off = PLOG_HEADER_SIZE, .committed_off = PLOG_HEADER_SIZE };
	bool more = true;
	int rc = 0;

	while (more && !rc)
		rc = scan_step(log, &s, &more);
	if (!rc)
		rc = check_for_corruption(log, &s);
	log->tail = s.committed_off;
	log->records = s.committed_seq;
	return rc;
}

int plog_open(struct daxdev *dev, struct plog **logp)
{
	struct plog *log;
	int rc = log_new(dev, &log);

	if (rc)
		return rc;
	rc = read_header(log);
	if (!rc)
		rc = recover(log);
	if (rc) {
		plog_close(log);
		return rc;
	}
	*logp = log;
	return 0;
}

int plog_is_formatted(struct daxdev *dev)
{
	char magic[sizeof(MAGIC)];
	int rc;

	if (!dev)
		return plog_fail(-EINVAL, "plog: NULL device");
	if (daxdev_size(dev) < sizeof(magic))
		return 0;
	rc = daxdev_read(dev, OFF_MAGIC, magic, sizeof(magic));
	if (rc)
		return dax_fail(rc);
	return !memcmp(magic, MAGIC, sizeof(magic));
}

/* --- creating and rewinding ---------------------------------------------- */

/* A fresh random generation, so that records left on the device by an
 * earlier log never match. */
static uint64_t first_generation(void)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		r = (uint64_t)ts.tv_nsec * UINT64_C(0x9E3779B97F4A7C15) ^
		    (uint64_t)ts.tv_sec ^ (uint64_t)getpid() << 32;
	}
	return (r >> 2) | 1;  /* nonzero, with room for 2^62 rewinds */
}

static void encode_header(const struct plog *log, unsigned char *h)
{
	memset(h, 0, HEADER_READ);
	memcpy(h + OFF_MAGIC, MAGIC, sizeof(MAGIC));
	put32(h + OFF_VERSION, PLOG_VERSION);
	put64(h + OFF_DATA, PLOG_HEADER_SIZE);
	put64(h + OFF_CAPACITY, log->capacity);
	put32(h + OFF_HEADER_CRC, daxdev_crc32c(0, h, HEADER_CHECKED));
	put64(h + OFF_GENERATION, log->generation);
}

/* Everything but the magic first, then the magic: a crash in between leaves
 * a device that is not (yet) a log, never a half-made one. */
static int write_header(struct plog *log)
{
	unsigned char h[HEADER_READ];
	int rc;

	encode_header(log, h);
	rc = media_write(log, OFF_MAGIC + sizeof(MAGIC), h + sizeof(MAGIC),
			 HEADER_READ - sizeof(MAGIC), DAXDEV_F_NODRAIN);
	if (!rc)
		rc = media_write(log, HEADER_READ, NULL, PLOG_HEADER_SIZE - HEADER_READ + REC_HDR,
				 DAXDEV_F_NODRAIN);
	if (!rc && (rc = daxdev_drain(log->dev)))
		return dax_fail(rc);
	if (!rc)
		rc = media_write(log, OFF_MAGIC, h, sizeof(MAGIC), 0);
	return rc;
}

int plog_create(struct daxdev *dev, struct plog **logp)
{
	struct plog *log;
	int rc = log_new(dev, &log);

	if (rc)
		return rc;
	if (log->size < PLOG_HEADER_SIZE + REC_HDR + 8) {
		rc = plog_fail(-ENOSPC, "plog create: a device of %llu bytes is too small (need at least %u)",
			       (unsigned long long)log->size, PLOG_HEADER_SIZE + REC_HDR + 8);
		goto err_close;
	}
	log->capacity = (log->size - PLOG_HEADER_SIZE) & ~UINT64_C(7);
	log->generation = first_generation();
	log->tail = PLOG_HEADER_SIZE;
	rc = media_write(log, OFF_MAGIC, NULL, sizeof(MAGIC), 0);
	if (!rc)
		rc = write_header(log);
	if (rc)
		goto err_close;
	*logp = log;
	return 0;

err_close:
	plog_close(log);
	return rc;
}

int plog_rewind(struct plog *log)
{
	void *page0;
	long got;
	int rc;

	if (!log)
		return plog_fail(-EINVAL, "plog_rewind: NULL log");
	got = daxdev_direct_access(log->dev, 0, 1, &page0);
	if (got < 0)
		return dax_fail((int)got);
	/* The generation is one aligned 8-byte word: a single store, which the
	 * hardware makes durable whole or not at all. */
	uint64_t *gen = (uint64_t *)((char *)page0 + OFF_GENERATION);
	__atomic_store_n(gen, htole64(log->generation + 1), __ATOMIC_RELAXED);
	rc = daxdev_flush(log->dev, gen, sizeof(*gen));
	if (rc)
		return dax_fail(rc);
	log->generation++;
	log->tail = PLOG_HEADER_SIZE;
	log->records = 0;
	/* Not needed for correctness: lets the next open stop at once. */
	return media_write(log, PLOG_HEADER_SIZE, NULL, REC_HDR, 0);
}

/* --- reading ------------------------------------------------------------- */

static int visit_record(struct plog *log, uint64_t off, uint64_t seq, plog_record_fn fn,
			void *arg, uint64_t *len)
{
	unsigned char h[REC_HDR];
	struct rec r;
	void *copy;
	int rc = media_read(log, off, h, REC_HDR);

	if (rc)
		return rc;
	decode_rec(h, &r);
	*len = r.len;
	if (slot_size(r.len) > log->tail - off)
		return plog_fail(-EIO, "plog: record #%llu changed under the reader",
				 (unsigned long long)seq);
	if (log->map)
		return fn(arg, seq, log->map + off + REC_HDR, r.len);
	copy = malloc(r.len ? r.len : 1);
	if (!copy)
		return plog_fail(-ENOMEM, "plog: out of memory for a %u-byte record", r.len);
	rc = media_read(log, off + REC_HDR, copy, r.len);
	if (!rc)
		rc = fn(arg, seq, copy, r.len);
	free(copy);
	return rc;
}

int plog_foreach(struct plog *log, plog_record_fn fn, void *arg)
{
	uint64_t off = PLOG_HEADER_SIZE, len;

	if (!log || !fn)
		return plog_fail(-EINVAL, "plog_foreach: NULL log or function");
	for (uint64_t seq = 0; seq < log->records; seq++) {
		int rc = visit_record(log, off, seq, fn, arg, &len);
		if (rc)
			return rc;
		off += slot_size(len);
	}
	return 0;
}

void plog_get_stat(const struct plog *log, struct plog_stat *st)
{
	uint64_t free_bytes = data_end(log) - log->tail;

	*st = (struct plog_stat){
		.records = log->records,
		.used = log->tail - PLOG_HEADER_SIZE,
		.free = free_bytes,
		.capacity = log->capacity,
		.generation = log->generation,
		.max_record = free_bytes >= REC_HDR ? (free_bytes - REC_HDR) & ~UINT64_C(7) : 0,
	};
}
