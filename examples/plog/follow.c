/* SPDX-License-Identifier: MIT */
/*
 * plog follower: read a log while another process, or another host, appends
 * to it (docs/shared-memory.md, "Sharing rules for plog").  The follower
 * takes no lock (a shared lock would stop a writer on the same host) and
 * trusts nothing it has not copied and checked: each look re-reads the
 * generation word, scans on from where the last look ended, and reads every
 * record it delivers again and checks that copy.  On a device opened
 * DAXDEV_SHARING_NONCOHERENT every one of those reads invalidates first, so
 * a follower on another host never reads its own stale cache.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "plog-internal.h"

static void restart_at_generation(struct plog *log, uint64_t generation)
{
	log->generation = generation;
	log->tail = log->delivered_off = PLOG_HEADER_SIZE;
	log->records = log->delivered_seq = 0;
	log->stop_off = 0;
	log->damage_err = 0;
}

/* The generation word as it is in memory now: a rewind since the last look
 * is -ESTALE, and the follower carries on at the new generation's start. */
static int check_generation(struct plog *log)
{
	unsigned char le[8];
	uint64_t word = 0, generation = 0, old = log->generation, delivered = log->delivered_seq;
	int rc = 0;

	/* Read twice before calling it corrupt: one 8-byte store changes it,
	 * and a copy is not promised to be one load. */
	for (int look = 0; look < 2 && !rc; look++) {
		rc = daxdev_read(log->dev, OFF_GENERATION, le, sizeof(le));
		word = get64(le);
		generation = word & GEN_MAX;
		if (!rc && generation && plog_gen_word(generation) == word)
			break;
	}
	if (rc)
		return plog_fail(rc, "plog header at offset %d is unreadable: %s", OFF_GENERATION,
				 daxdev_errormsg());
	if (!generation || plog_gen_word(generation) != word)
		return plog_fail(-EBADMSG, "plog header is corrupt at offset %d: the generation word 0x%016llx fails its check",
				 OFF_GENERATION, (unsigned long long)word);
	if (generation == old)
		return 0;
	restart_at_generation(log, generation);
	return plog_fail(-ESTALE, "the log was rewound (generation %llu, now %llu): following from its first record; of the old generation %llu records were delivered, any appended after them were not",
			 (unsigned long long)old, (unsigned long long)generation,
			 (unsigned long long)delivered);
}

int plog_follow_start(struct plog *log)
{
	int rc = plog_read_header(log);

	if (!rc)
		restart_at_generation(log, log->generation);
	return rc;
}

/* Scan on from the end of the last look.  Damage is believed only when a
 * second look, with the generation unchanged, finds it again: a rewind, or
 * an append finishing while the first look read, can pass for damage. */
static int scan_on(struct plog *log)
{
	for (int look = 0; look < 2; look++) {
		int rc = check_generation(log);
		if (rc)
			return rc;
		log->damage_err = 0;
		rc = plog_recover(log);
		if (rc || !log->damage_err)
			return rc;
		if (look == 0 && log->hook)
			log->hook(log->hook_arg);
	}
	return plog_fail(log->damage_err, "%s", log->damage_msg);
}

/* Hand over the records between what was delivered and the scan's end. */
static int deliver(struct plog *log, plog_record_fn fn, void *arg)
{
	size_t cap = 0;
	uint32_t len;
	void *buf = NULL;
	int rc = 0;

	while (!rc && log->delivered_seq < log->records) {
		rc = plog_read_record(log, log->delivered_off, log->delivered_seq, &buf, &cap, &len);
		/* Checked when scanned, changed since: a rewind, or damage. */
		if (rc == -EBADMSG) {
			char why[512];
			snprintf(why, sizeof(why), "%s", plog_errormsg());
			rc = check_generation(log);
			if (!rc)
				rc = plog_fail(-EBADMSG, "%s", why);
			break;
		}
		if (!rc)
			rc = fn(arg, log->delivered_seq, buf, len);
		if (rc)
			break;
		log->delivered_off += slot_size(len);
		log->delivered_seq++;
	}
	free(buf);
	return rc;
}

int plog_follow(struct plog *log, plog_record_fn fn, void *arg)
{
	int rc;

	if (!log || !fn)
		return plog_fail(-EINVAL, "plog_follow: NULL log or function");
	if (!log->follow)
		return plog_fail(-EINVAL, "plog_follow: the log was not opened with PLOG_OPEN_FOLLOW");
	rc = scan_on(log);
	return rc ? rc : deliver(log, fn, arg);
}
