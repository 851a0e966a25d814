/* SPDX-License-Identifier: MIT */
/*
 * plog's test hooks: deliberately broken appends for checking crash checkers
 * (crashcheck.c, tests/).  Not part of plog.h, so that programs using the
 * log cannot reach them by accident.
 */
#ifndef PLOG_TEST_H
#define PLOG_TEST_H

#include "plog.h"

enum plog_test_fault {
	PLOG_FAULT_NONE = 0,
	/* Payload copied without a flush: the append is acknowledged (the
	 * record published) while its data may still sit in the CPU cache. */
	PLOG_FAULT_UNFLUSHED_PAYLOAD = 1,
	/* Everything flushed, but the append returns without its fence: the
	 * append is acknowledged while its write-backs may still be in flight. */
	PLOG_FAULT_UNFENCED_APPEND = 2,
};

/* Make the appends of log broken in the given way (PLOG_FAULT_NONE: not). */
void plog_test_set_fault(struct plog *log, enum plog_test_fault fault);

/* Durably set the log's generation (1..PLOG_TEST_GENERATION_MAX), to test
 * what rewind does at the largest. */
#define PLOG_TEST_GENERATION_MAX ((UINT64_C(1) << 48) - 1)
int plog_test_set_generation(struct plog *log, uint64_t generation);

/* Call fn(arg) in every append after each daxdev_writev() and before the
 * fence: a test runs a follower there, to see appends half done.  On a
 * follower, fn runs in plog_follow() between the first look that found
 * damage and the second: a test changes the log there, as a writer may.
 * NULL: none. */
void plog_test_set_hook(struct plog *log, void (*fn)(void *arg), void *arg);

#endif
