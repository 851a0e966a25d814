/* SPDX-License-Identifier: MIT */
/* daxdev list's parts: the mount table (mounts.c) and the text output (list_text.c). */
#ifndef DAXDEV_TOOL_LIST_H
#define DAXDEV_TOOL_LIST_H

#include <sys/types.h>
#include "tool.h"

struct list_opts {
	bool verbose, human, json;
};

struct list_mount {
	dev_t dev;
	char *point, *fstype, *dax;  /* dax: "always", "inode", or "" (not DAX) */
};

struct list_mounts {
	struct list_mount *m;
	size_t count;
};

/* /proc/self/mountinfo, or for tests DAXDEV_TOOL_MOUNTINFO (read with
 * secure_getenv).  Prints the cause and returns -1 on failure. */
int list_mounts_read(struct list_mounts *mounts);
void list_mounts_free(struct list_mounts *mounts);
/* "mounts": the filesystems on the disk (number disk) or its partitions
 * (subdirectories of disk_dir with a 'partition' file). */
void list_mounts_json(const struct list_mounts *mounts, const char *disk_dir, dev_t disk,
		      json_object *obj);

void list_print_text(json_object *devices);

#endif
