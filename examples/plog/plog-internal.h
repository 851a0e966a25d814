/* SPDX-License-Identifier: MIT */
/*
 * Shared by plog.c (open, create, rewind, reading), append.c (the append),
 * header.c (the header and its generation word) and recover.c (the record
 * scan): the log object, the on-media layout (docs/plog-format.md) and its
 * encoding.
 */
#ifndef PLOG_INTERNAL_H
#define PLOG_INTERNAL_H

#include <endian.h>
#include <stdbool.h>
#include <string.h>
#include "plog-test.h"

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

/* The generation word: a 48-bit generation and, above it, the low 16 bits
 * of the CRC-32C of its 6 bytes, so that one aligned 8-byte store changes
 * both and any damaged byte of the word shows. */
#define GEN_BITS 48
#define GEN_MAX ((UINT64_C(1) << GEN_BITS) - 1)

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
#define APPEND_IOV 64               /* pieces per daxdev_writev() */

/* The pieces of an append not yet handed to daxdev_writev(): small ones
 * copied into stage (contiguous ones merged), large payload runs pointing
 * at the caller's buffer.  The stage comes first and struct plog is
 * allocated on a cache line, so the streaming copies read whole lines. */
struct pending {
	unsigned char stage[STAGE_SIZE];
	uint64_t off;               /* media offset of iov[0] */
	uint64_t len;               /* bytes in iov */
	int n;
	size_t staged;              /* bytes of stage in use */
	bool next_zeroed;           /* the batch's next slot is zeroed already */
	struct iovec iov[APPEND_IOV];
};

struct plog {
	struct pending pend;        /* first: see struct pending */
	struct daxdev *dev;
	unsigned char *base;        /* the device as one mapping, or NULL */
	bool readonly;
	bool locked;                /* holds daxdev_lock() on dev */
	bool follow;                /* PLOG_OPEN_FOLLOW: see follow.c */
	uint64_t size;              /* device bytes */
	uint64_t capacity;          /* record area bytes */
	uint64_t generation;
	uint64_t tail;              /* absolute offset of the next record */
	uint64_t records;
	int damage_err;             /* what ended recovery short, or 0 ... */
	uint64_t damage_off;        /* ... where ... */
	char damage_msg[512];       /* ... and the message */
	/* A follower: what it has delivered, and the record header where its
	 * last scan stopped (a slot that looks the same two scans running is
	 * worth the corruption check; see recover.c). */
	uint64_t delivered_off, delivered_seq;
	uint64_t stop_off;
	unsigned char stop_hdr[REC_HDR];
	enum plog_test_fault fault;
	void (*hook)(void *);       /* plog_test_set_hook() */
	void *hook_arg;
};

/* A record header as decoded from media. */
struct rec {
	uint32_t crc, len, index, count;
	uint64_t gen, seq;
};

static inline void put32(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static inline void put64(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static inline uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static inline uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static inline uint64_t slot_size(uint64_t len)
{
	return (REC_HDR + len + SLOT_ALIGN - 1) & ~(uint64_t)(SLOT_ALIGN - 1);
}

static inline uint64_t data_end(const struct plog *log)
{
	return PLOG_HEADER_SIZE + log->capacity;
}

static inline void decode_rec(const unsigned char *h, struct rec *r)
{
	r->crc = get32(h + REC_CRC);
	r->len = get32(h + REC_LEN);
	r->gen = get64(h + REC_GEN);
	r->seq = get64(h + REC_SEQ);
	r->index = get32(h + REC_INDEX);
	r->count = get32(h + REC_COUNT);
}

/* CRC of a record: header bytes after the CRC field, payload, offset. */
static inline uint32_t crc_finish(uint32_t crc, uint64_t off)
{
	unsigned char le_off[8];

	put64(le_off, off);
	return daxdev_crc32c(crc, le_off, sizeof(le_off));
}

int plog_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The device's message as plog's. */
int plog_dax_fail(int err);

/* header.c */
uint64_t plog_gen_word(uint64_t generation);
void plog_encode_header(const struct plog *log, unsigned char *h);
/* Read and check the header: log->capacity and log->generation. */
int plog_read_header(struct plog *log);

/* recover.c: find the end of the log (log->tail, log->records), scanning
 * from there.  Damage in the record area is recorded in log->damage_* (the
 * records before it are the log); the return value is for what stops
 * recovery altogether. */
int plog_recover(struct plog *log);

/* plog.c: read record seq at off into *buf (grown as needed, *cap bytes),
 * and check the copy as recovery does: generation, sequence, CRC.
 * -EBADMSG if it does not validate (it changed since it was scanned). */
int plog_read_record(struct plog *log, uint64_t off, uint64_t seq, void **buf, size_t *cap,
		     uint32_t *len);

/* follow.c: a follower's open (header only; plog_follow() scans). */
int plog_follow_start(struct plog *log);

#endif
