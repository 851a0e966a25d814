/* SPDX-License-Identifier: MIT */
/*
 * plog: an append-only persistent log on a dax device.  One fence per append:
 * every record carries a CRC-32C over itself, its generation, its sequence
 * number and its offset, so a record is published exactly when all of its
 * bytes are durable, and recovery stops at the first record that does not
 * validate.  On-media format: docs/plog-format.md.
 *
 * One writer or any number of readers: an open log holds daxdev_lock() on
 * its device (exclusive to append, shared to read), so a second writer, in
 * this process or another, waits or fails with -EBUSY.  A follower
 * (PLOG_OPEN_FOLLOW, plog_follow()) takes no lock and reads while the writer
 * appends, in this process, another one, or on another host sharing the
 * memory (docs/shared-memory.md).  Damage is never
 * read as a shorter log: it makes an open for appending fail, and a
 * read-only open gives the records before it, then the error.
 *
 * Not thread-safe: callers serialize calls on one log.  Every call returns 0
 * or a negative errno; plog_errormsg() then says why, for the calling thread.
 */
#ifndef PLOG_H
#define PLOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <daxdev.h>

#define PLOG_VERSION 2
#define PLOG_HEADER_SIZE 4096u   /* records start here */
#define PLOG_RECORD_HEADER 32u   /* bytes before each payload */
#define PLOG_BATCH_MAX 1024      /* records per plog_appendv() */

struct plog;

struct plog_stat {
	uint64_t records;
	uint64_t used;        /* bytes of the record area in use, headers included */
	uint64_t free;        /* bytes left in the record area */
	uint64_t capacity;    /* size of the record area */
	uint64_t generation;  /* bumped by every rewind */
	uint64_t max_record;  /* largest payload that fits now (0 if none) */
	uint64_t damage;      /* read-only open of a damaged log: offset where
			       * the readable records end; 0 if undamaged */
};

/* plog_open() flags */
#define PLOG_OPEN_READONLY (1u << 0) /* read, never write (implied by a
				      * read-only device); readers share */
#define PLOG_OPEN_WAIT     (1u << 1) /* wait while the log is open elsewhere
				      * instead of failing with -EBUSY (a
				      * thread that holds it through another
				      * device object would wait forever) */
#define PLOG_OPEN_FOLLOW   (1u << 2) /* follow a log that a writer appends to
				      * meanwhile: read-only, no lock, records
				      * come from plog_follow(); open the
				      * device DAXDEV_SHARING_NONCOHERENT when
				      * the writer may be on another host */

/* Format dev as an empty log, whatever it held (see plog_is_formatted()).
 * -EBUSY if the log is open elsewhere. */
int plog_create(struct daxdev *dev, struct plog **logp);
/* Open an existing log: check the header, recover the records.  To append
 * (the default) it must be undamaged: -EBADMSG (corrupt), -EIO or the
 * device's error (unreadable), with the offset in the message.  Read-only,
 * the records before damage in the record area are readable, and
 * plog_foreach() ends with the damage's error. */
int plog_open(struct daxdev *dev, unsigned flags, struct plog **logp);
/* 1 if dev starts with a plog header of any version, 0 if not, -errno. */
int plog_is_formatted(struct daxdev *dev);
void plog_close(struct plog *log);

/* Append one record; durable and visible when it returns 0.  An empty
 * record (len 0) may pass NULL data; so may an empty iovec in a batch.
 * -ENOSPC when it does not fit now (nothing written), -EFBIG when it never
 * could, -EROFS on a log opened read-only. */
int plog_append(struct plog *log, const void *data, size_t len);
/* Append n records (one per iovec) atomically: after a crash either all of
 * them are in the log or none. */
int plog_appendv(struct plog *log, const struct iovec *records, int n);
/* Empty the log (one durable 8-byte store; old records are not erased). */
int plog_rewind(struct plog *log);

/* Call fn for every record in order; a nonzero return stops the walk and is
 * returned.  data (never NULL, also for an empty record) is valid only
 * during the call.  A damaged log (read-only open) ends the walk with its
 * damage: -EBADMSG or -EIO, and the message. */
typedef int (*plog_record_fn)(void *arg, uint64_t seq, const void *data, size_t len);
int plog_foreach(struct plog *log, plog_record_fn fn, void *arg);
void plog_get_stat(const struct plog *log, struct plog_stat *st);

/* A log opened PLOG_OPEN_FOLLOW: call fn, in order, for every record that
 * is complete in the log now and was not delivered by an earlier call (the
 * first call: every record), then return 0; call it again to wait for more.
 * Only whole batches are delivered, each record checked (CRC, generation,
 * sequence) in the copy handed to fn.  -ESTALE: the log was rewound; records
 * of the old generation not yet delivered are gone, and the next call goes
 * on from the new generation's first record.  -EBADMSG or -EIO: the log is
 * damaged where the follower stands (a record that stays invalid while a
 * later one validates, or memory that cannot be read).  A nonzero return
 * of fn stops the call and is returned; that record comes again next call. */
int plog_follow(struct plog *log, plog_record_fn fn, void *arg);

const char *plog_errormsg(void);

#endif
