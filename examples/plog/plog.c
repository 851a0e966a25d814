/* SPDX-License-Identifier: MIT */
/*
 * plog core: errors, opening, creating, rewinding and reading (the append is
 * in append.c, recovery in recover.c).  The layout and the recovery rule are
 * specified in docs/plog-format.md; this file follows it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include "plog-internal.h"

static __thread char plog_msg[1024];

const char *plog_errormsg(void)
{
	return plog_msg;
}

int plog_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(plog_msg, sizeof(plog_msg), fmt, ap);
	va_end(ap);
	return err;
}

int plog_dax_fail(int err)
{
	return plog_fail(err, "%s", daxdev_errormsg());
}

/* --- opening -------------------------------------------------------------- */

static int nothing(void *arg)
{
	(void)arg;
	return 0;
}

/* The device's address when all of it is one mapping: large records are
 * then written by pointer under one daxdev_guarded_call() (put_flat_record
 * in append.c).  A device that hands out all its pages at once is not
 * always one mapping for the library (a composite of one member): the call
 * is asked first. */
static unsigned char *flat_base(struct daxdev *dev, uint64_t size)
{
	uint64_t align = daxdev_align(dev);
	long pages = align ? (long)((size + align - 1) / align) : 0;
	void *addr = NULL;

	if (!pages || daxdev_direct_access(dev, 0, pages, &addr) != pages)
		return NULL;
	return daxdev_guarded_call(dev, nothing, NULL) == 0 ? addr : NULL;
}

static int log_new(struct daxdev *dev, struct plog **logp)
{
	struct plog *log;

	if (!dev || !logp)
		return plog_fail(-EINVAL, "plog: NULL device or result pointer");
	if (posix_memalign((void **)&log, 64, sizeof(*log)))
		return plog_fail(-ENOMEM, "plog: out of memory");
	memset(log, 0, sizeof(*log));
	log->size = daxdev_size(dev);
	log->base = flat_base(dev, log->size);
	log->tail = PLOG_HEADER_SIZE;
	log->dev = daxdev_get(dev);
	*logp = log;
	return 0;
}

void plog_close(struct plog *log)
{
	if (!log)
		return;
	if (log->locked)
		daxdev_unlock(log->dev);
	daxdev_put(log->dev);
	free(log);
}

void plog_test_set_fault(struct plog *log, enum plog_test_fault fault)
{
	if (log)
		log->fault = fault;
}

void plog_test_set_hook(struct plog *log, void (*fn)(void *arg), void *arg)
{
	if (log) {
		log->hook = fn;
		log->hook_arg = arg;
	}
}

/* One writer, or readers only: another open of the log, in this process or
 * another, waits (PLOG_OPEN_WAIT) or makes this one fail with -EBUSY. */
static int lock_log(struct plog *log, unsigned flags)
{
	unsigned how = (log->readonly ? DAXDEV_LOCK_SHARED : 0) |
		       (flags & PLOG_OPEN_WAIT ? 0 : DAXDEV_LOCK_NOWAIT);
	int rc = daxdev_lock(log->dev, how);

	if (rc == -EWOULDBLOCK)
		return plog_fail(-EBUSY, "plog: the log is busy: open for %s elsewhere (another process, or another open in this one)",
				 log->readonly ? "writing" : "reading or writing");
	if (rc)
		return plog_dax_fail(rc);
	log->locked = true;
	return 0;
}

static bool device_readonly(struct daxdev *dev)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;

	return daxdev_get_info(dev, &info) == 0 && info.readonly;
}

/* A writer or a reader: the lock, then the whole log scanned.  Appending
 * after damage would write over what lies beyond it. */
static int open_locked(struct plog *log, unsigned flags)
{
	int rc = lock_log(log, flags);

	if (!rc)
		rc = plog_read_header(log);
	if (!rc)
		rc = plog_recover(log);
	if (!rc && log->damage_err && !log->readonly)
		rc = plog_fail(log->damage_err, "%s", log->damage_msg);
	return rc;
}

int plog_open(struct daxdev *dev, unsigned flags, struct plog **logp)
{
	struct plog *log;
	int rc;

	if (flags & ~(PLOG_OPEN_READONLY | PLOG_OPEN_WAIT | PLOG_OPEN_FOLLOW))
		return plog_fail(-EINVAL, "plog_open: unknown flags 0x%x", flags);
	rc = log_new(dev, &log);
	if (rc)
		return rc;
	log->follow = flags & PLOG_OPEN_FOLLOW;
	log->readonly = (flags & PLOG_OPEN_READONLY) || log->follow || device_readonly(dev);
	rc = log->follow ? plog_follow_start(log) : open_locked(log, flags);
	if (rc) {
		plog_close(log);
		return rc;
	}
	*logp = log;
	return 0;
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
	r &= GEN_MAX;
	return r ? r : 1;
}

/* The magic durably zero; everything else, fenced; then the magic: a crash
 * in between leaves a device that is not (yet) a log, never a half-made
 * one. */
static int write_header(struct plog *log)
{
	static const char no_magic[sizeof(MAGIC)];
	unsigned char h[HEADER_READ];
	struct iovec rest = { .iov_base = h + sizeof(MAGIC),
			      .iov_len = HEADER_READ - sizeof(MAGIC) };
	int rc;

	plog_encode_header(log, h);
	rc = daxdev_write(log->dev, OFF_MAGIC, no_magic, sizeof(no_magic));
	if (!rc)
		rc = daxdev_writev(log->dev, OFF_MAGIC + sizeof(MAGIC), &rest, 1, DAXDEV_F_NODRAIN);
	/* The zeroing fences the header's stores too. */
	if (!rc)
		rc = daxdev_zero(log->dev, HEADER_READ, PLOG_HEADER_SIZE - HEADER_READ + REC_HDR);
	if (!rc)
		rc = daxdev_write(log->dev, OFF_MAGIC, h, sizeof(MAGIC));
	return rc ? plog_dax_fail(rc) : 0;
}

int plog_create(struct daxdev *dev, struct plog **logp)
{
	struct plog *log;
	int rc = log_new(dev, &log);

	if (rc)
		return rc;
	if (device_readonly(dev)) {
		rc = plog_fail(-EROFS, "plog create: %s is open read-only", daxdev_host(dev));
		goto err_close;
	}
	rc = lock_log(log, 0);
	if (rc)
		goto err_close;
	if (log->size < PLOG_HEADER_SIZE + REC_HDR + 8) {
		rc = plog_fail(-ENOSPC, "plog create: a device of %llu bytes is too small (need at least %u)",
			       (unsigned long long)log->size, PLOG_HEADER_SIZE + REC_HDR + 8);
		goto err_close;
	}
	log->capacity = (log->size - PLOG_HEADER_SIZE) & ~UINT64_C(7);
	log->generation = first_generation();
	log->tail = PLOG_HEADER_SIZE;
	rc = write_header(log);
	if (rc)
		goto err_close;
	*logp = log;
	return 0;

err_close:
	plog_close(log);
	return rc;
}

/* The generation word is one aligned 8-byte store, which the hardware makes
 * durable whole or not at all. */
static int store_generation(struct plog *log, uint64_t generation)
{
	void *page0;
	long got = daxdev_direct_access(log->dev, 0, 1, &page0);
	int rc;

	if (got < 0)
		return plog_dax_fail((int)got);
	uint64_t *word = (uint64_t *)((char *)page0 + OFF_GENERATION);
	__atomic_store_n(word, htole64(plog_gen_word(generation)), __ATOMIC_RELAXED);
	rc = daxdev_flush(log->dev, word, sizeof(*word));
	if (rc)
		return plog_dax_fail(rc);
	log->generation = generation;
	return 0;
}

int plog_test_set_generation(struct plog *log, uint64_t generation)
{
	if (!log || !generation || generation > PLOG_TEST_GENERATION_MAX)
		return plog_fail(-EINVAL, "plog_test_set_generation: no log, or generation out of range");
	return store_generation(log, generation);
}

int plog_rewind(struct plog *log)
{
	int rc;

	if (!log)
		return plog_fail(-EINVAL, "plog_rewind: NULL log");
	if (log->readonly)
		return plog_fail(-EROFS, "plog rewind: the log is open read-only");
	/* 1 after the largest: 0 is never a generation. */
	rc = store_generation(log, log->generation == GEN_MAX ? 1 : log->generation + 1);
	if (rc)
		return rc;
	log->tail = PLOG_HEADER_SIZE;
	log->records = 0;
	/* Not needed for correctness: lets the next open stop at once. */
	rc = daxdev_zero(log->dev, PLOG_HEADER_SIZE, REC_HDR);
	return rc ? plog_dax_fail(rc) : 0;
}

/* --- reading ------------------------------------------------------------- */

static int record_fail(int err, uint64_t seq, uint64_t off, const char *why)
{
	return plog_fail(err, "plog: record #%llu at offset %llu: %s", (unsigned long long)seq,
			 (unsigned long long)off, why);
}

/* Grow *buf to n bytes; never NULL, so that an empty record is handed over
 * as a valid pointer (memcmp or memcpy of 0 bytes from NULL is undefined). */
static int reserve(void **buf, size_t *cap, size_t n)
{
	void *bigger;

	if (*buf && n <= *cap)
		return 0;
	bigger = realloc(*buf, n ? n : 1);
	if (!bigger)
		return plog_fail(-ENOMEM, "plog: out of memory for a %zu-byte record", n);
	*buf = bigger;
	*cap = n;
	return 0;
}

/* The copy is checked, never the device: another host may change the
 * device between two reads. */
int plog_read_record(struct plog *log, uint64_t off, uint64_t seq, void **buf, size_t *cap,
		     uint32_t *len)
{
	unsigned char h[REC_HDR];
	struct rec r;
	uint32_t crc;
	int rc = daxdev_read(log->dev, off, h, REC_HDR);

	if (rc)
		return record_fail(rc, seq, off, daxdev_errormsg());
	decode_rec(h, &r);
	if (r.gen != log->generation || r.seq != seq || slot_size(r.len) > log->tail - off)
		return record_fail(-EBADMSG, seq, off, "changed under the reader");
	rc = reserve(buf, cap, r.len);
	if (!rc && (rc = daxdev_read(log->dev, off + REC_HDR, *buf, r.len)))
		return record_fail(rc, seq, off, daxdev_errormsg());
	if (rc)
		return rc;
	crc = daxdev_crc32c(0, h + REC_LEN, REC_HDR - REC_LEN);
	crc = crc_finish(daxdev_crc32c(crc, *buf, r.len), off);
	if (crc != r.crc)
		return record_fail(-EBADMSG, seq, off, "changed under the reader (its CRC no longer matches)");
	*len = r.len;
	return 0;
}

int plog_foreach(struct plog *log, plog_record_fn fn, void *arg)
{
	uint64_t off = PLOG_HEADER_SIZE;
	size_t cap = 0;
	uint32_t len = 0;
	void *buf = NULL;
	int rc = 0;

	if (!log || !fn)
		return plog_fail(-EINVAL, "plog_foreach: NULL log or function");
	for (uint64_t seq = 0; seq < log->records && !rc; seq++) {
		rc = plog_read_record(log, off, seq, &buf, &cap, &len);
		if (!rc)
			rc = fn(arg, seq, buf, len);
		off += slot_size(len);
	}
	free(buf);
	if (!rc && log->damage_err)
		rc = plog_fail(log->damage_err, "%s", log->damage_msg);
	return rc;
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
		.damage = log->damage_err ? log->damage_off : 0,
	};
}
