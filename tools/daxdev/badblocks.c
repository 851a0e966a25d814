/* SPDX-License-Identifier: MIT */
/*
 * Bad blocks, as the library sees them today: the count from the provider's
 * details ("badblocks: ..." lines, docs/persistence.md), the ranges of an
 * opened device from daxdev_direct_access(), which refuses a bad page with
 * -EIO and otherwise stops before one.  This file is the only one that knows;
 * when the library grows a bad-block API, only these two functions change.
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

/*
 * devdax: "badblocks: region0/badblocks: 3 ranges, 2 in dax0.0"
 *         "badblocks: region0/badblocks: 3 ranges, not located (... root only)"
 *         "badblocks: region0/badblocks: none"
 * fsdax:  "badblocks: pmem1 lists 2 bad ranges (...)"; no line: none.
 */
void tool_badblocks_count(struct daxdev *dev, struct tool_badblocks *bad)
{
	char details[4096];
	const char *line, *end;

	memset(bad, 0, sizeof(*bad));
	bad->known = true;
	if (daxdev_get_details(dev, details, sizeof(details)) < 0)
		return;
	line = strstr(details, "badblocks: ");
	if (!line)
		return;
	end = strchr(line, '\n');
	if (!end)
		end = line + strlen(line);
	if (strstr(line, "not located") && strstr(line, "not located") < end) {
		bad->known = false;
		bad->root_only = true;
		bad->region_count = number_before(line, end, " ranges");
	} else if (strstr(line, " bad ranges") && strstr(line, " bad ranges") < end) {
		bad->count = number_before(line, end, " bad ranges");
	} else if (strstr(line, " in ") && strstr(line, " in ") < end) {
		bad->count = number_before(line, end, " in ");
	}
}

int tool_badblocks_next(struct daxdev *dev, uint64_t from, uint64_t to, uint64_t *off,
			uint64_t *len)
{
	uint64_t align = daxdev_align(dev), pg = from / align, last = (to + align - 1) / align;
	void *addr;
	long n;

	while (pg < last) {
		n = daxdev_direct_access(dev, pg, (long)(last - pg > (1u << 30) ? 1u << 30 : last - pg),
					 &addr);
		if (n == -EIO)
			break;
		if (n < 0)
			return (int)n;
		pg += (uint64_t)n;
	}
	if (pg >= last)
		return 0;
	*off = pg * align;
	for (*len = 0; pg < last && daxdev_direct_access(dev, pg, 1, &addr) == -EIO; pg++)
		*len += align;
	daxdev_errormsg_clear();
	return 1;
}
