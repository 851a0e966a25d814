/* SPDX-License-Identifier: MIT */
/*
 * A composite's bad ranges: each member's, translated to composite offsets.
 * Both layouts map member offsets to composite offsets in increasing order,
 * so for each member the first bad range at or after the member offset
 * that composite offset `from` corresponds to gives that member's
 * candidate; the lowest candidate wins.
 */
#include <errno.h>
#include "composite.h"

/* The lowest member offset whose composite offset is >= from. */
static uint64_t member_from(const struct composite *c, size_t i, uint64_t from)
{
	const struct composite_member *m = &c->members[i];
	uint64_t row, col;

	if (!c->chunk)
		return from > m->start ? from - m->start : 0;
	row = from / (c->chunk * c->count);
	col = from / c->chunk % c->count;
	if (i < col)
		return (row + 1) * c->chunk;
	return row * c->chunk + (i == col ? from % c->chunk : 0);
}

/* Composite offset of member offset moff, and how far it runs contiguously. */
static uint64_t to_composite(const struct composite *c, size_t i, uint64_t moff, uint64_t *run)
{
	if (!c->chunk) {
		*run = c->members[i].used - moff;
		return c->members[i].start + moff;
	}
	*run = c->chunk - moff % c->chunk;
	return (moff / c->chunk * c->count + i) * c->chunk + moff % c->chunk;
}

/* Member i's first bad piece at composite offset >= from (a range that
 * started earlier is reported from there: its earlier part was at lower
 * offsets), or -ENODATA. */
static int member_candidate(const struct composite *c, size_t i, uint64_t from,
			    struct daxdev_badblock *bb)
{
	uint64_t mfrom = member_from(c, i, from), start, run;
	struct daxdev_badblock mb = DAXDEV_BADBLOCK_INIT;
	int rc;

	if (mfrom >= c->members[i].used)
		return -ENODATA;
	rc = daxdev_badblock_next(c->members[i].dev, mfrom, &mb);
	if (rc)
		return rc;
	start = mb.offset > mfrom ? mb.offset : mfrom;
	if (start >= c->members[i].used)
		return -ENODATA;
	bb->offset = to_composite(c, i, start, &run);
	bb->length = mb.offset + mb.length - start < run ? mb.offset + mb.length - start : run;
	bb->error = mb.error;
	bb->flags = mb.flags;
	return 0;
}

COMPOSITE_HIDDEN int composite_badblock_next(const struct composite *c, uint64_t from,
					     struct daxdev_badblock *bb)
{
	struct daxdev_badblock cand = DAXDEV_BADBLOCK_INIT;
	bool found = false;

	for (size_t i = 0; i < c->count; i++) {
		int rc = member_candidate(c, i, from, &cand);
		if (rc == -ENODATA)
			continue;
		if (rc)
			return daxdev_err(rc, "%s member %zu (%s): %s", c->kind, i + 1,
					  daxdev_host(c->members[i].dev), daxdev_errormsg());
		if (!found || cand.offset < bb->offset) {
			bb->offset = cand.offset;
			bb->length = cand.length;
			bb->error = cand.error;
			bb->flags = cand.flags;
			found = true;
		}
	}
	return found ? 0 : -ENODATA;
}
