/* SPDX-License-Identifier: MIT */
/*
 * Bad blocks of an opened device: the ranges from daxdev_badblock_next()
 * (what the platform lists and what guarded accesses found).  One thing the
 * API cannot say is that a region has bad blocks it could not place in this
 * device (device-dax without root: the region's list is in sectors of the
 * region, and only root may read where the device starts); that one fact
 * comes from the provider's details line "badblocks: ... not located".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tool.h"

static size_t number_before(const char *line, const char *end, const char *word)
{
	const char *at = strstr(line, word);

	if (!at || at > end)
		return 0;
	while (at > line && at[-1] == ' ')
		at--;
	while (at > line && at[-1] >= '0' && at[-1] <= '9')
		at--;
	return strtoul(at, NULL, 10);
}

/* "badblocks: region0/badblocks: 3 ranges, not located (... root only)" */
static void region_not_located(struct daxdev *dev, struct tool_badblocks *bad)
{
	char details[4096];
	const char *line, *end, *nl;

	if (daxdev_get_details(dev, details, sizeof(details)) < 0)
		return;
	line = strstr(details, "badblocks: ");
	if (!line)
		return;
	end = (nl = strchr(line, '\n')) ? nl : line + strlen(line);
	if (strstr(line, "not located") && strstr(line, "not located") < end) {
		bad->known = false;
		bad->root_only = true;
		bad->region_count = number_before(line, end, " ranges");
	}
}

void tool_badblocks_count(struct daxdev *dev, struct tool_badblocks *bad)
{
	struct daxdev_badblock bb = DAXDEV_BADBLOCK_INIT;

	memset(bad, 0, sizeof(*bad));
	bad->known = true;
	for (uint64_t from = 0; daxdev_badblock_next(dev, from, &bb) == 0;
	     from = bb.offset + bb.length)
		bad->count++;
	daxdev_errormsg_clear();
	if (!bad->count)
		region_not_located(dev, bad);
}

/* The library refuses a whole page (daxdev_align()) around a bad range:
 * that page is what dump, restore and zero must skip. */
int tool_badblocks_next(struct daxdev *dev, uint64_t from, uint64_t to, uint64_t *off,
			uint64_t *len)
{
	struct daxdev_badblock bb = DAXDEV_BADBLOCK_INIT;
	uint64_t align = daxdev_align(dev), lo, hi;
	int rc = daxdev_badblock_next(dev, from, &bb);

	if (!rc) {
		lo = bb.offset / align * align;
		hi = (bb.offset + bb.length + align - 1) / align * align;
	}
	if (rc == -ENODATA || (!rc && lo >= to)) {
		daxdev_errormsg_clear();
		return 0;
	}
	if (rc)
		return rc;
	*off = lo > from ? lo : from;
	*len = (hi < to ? hi : to) - *off;
	return 1;
}
