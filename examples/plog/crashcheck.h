/* SPDX-License-Identifier: MIT */
/*
 * Crash checker for plog: runs appends on a crashsim device, cuts the power
 * at every fence of each append, crashes under many seeds and checks that
 * recovery always finds exactly a prefix of the appended records, intact.
 */
#ifndef PLOG_CRASHCHECK_H
#define PLOG_CRASHCHECK_H

#include <stddef.h>
#include <stdint.h>
#include "plog-test.h"

struct plog_crashcheck_opts {
	const size_t *sizes;        /* record sizes to try, one log each */
	int nsizes;
	int appends;                /* single appends per size */
	int batch;                  /* then one plog_appendv() of this many (0: none) */
	int seeds;                  /* crash images per crash point */
	uint64_t seed;              /* first seed */
	enum plog_test_fault fault; /* PLOG_FAULT_NONE except to test the checker */
};

struct plog_crashcheck_result {
	uint64_t images;            /* crash images recovered and checked */
	uint64_t failures;          /* images whose recovery was wrong */
	char first_failure[512];    /* what went wrong first ("" if nothing) */
};

/* 0 when it ran (look at failures), or -errno if it could not run. */
int plog_crashcheck(const struct plog_crashcheck_opts *opts,
		    struct plog_crashcheck_result *res);

#endif
