/* SPDX-License-Identifier: MIT */
/*
 * The mount table, for the filesystems on pmem block devices.  Read from
 * /proc/self/mountinfo; the test suite points DAXDEV_TOOL_MOUNTINFO at a
 * file of its own (for tests only: read with secure_getenv, so a set-user-ID
 * run ignores it).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "list.h"

/* mountinfo writes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
			*out++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* "dax" and "dax=always" mean every file; "dax=inode" per file. */
static const char *dax_mode(const char *opts)
{
	char copy[1024], *word, *save = NULL;
	const char *mode = "";

	snprintf(copy, sizeof(copy), "%s", opts);
	for (word = strtok_r(copy, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
		if (!strcmp(word, "dax") || !strcmp(word, "dax=always"))
			mode = "always";
		else if (!strcmp(word, "dax=inode"))
			mode = "inode";
		else if (!strcmp(word, "dax=never"))
			mode = "";
	}
	return mode;
}

/* "36 25 259:0 / /mnt/a rw,relatime shared:1 - ext4 /dev/pmem1 rw,dax=always" */
static int parse_line(char *line, struct list_mount *m)
{
	char point[PATH_MAX], fstype[64], opts[1024], sopts[1024];
	unsigned maj, min;
	const char *dash = strstr(line, " - ");

	if (!dash || sscanf(line, "%*s %*s %u:%u %*s %4095s %1023s", &maj, &min, point, opts) != 4 ||
	    sscanf(dash + 3, "%63s %*s %1023s", fstype, sopts) != 2)
		return -1;
	unescape(point);
	strncat(opts, ",", sizeof(opts) - strlen(opts) - 1);
	strncat(opts, sopts, sizeof(opts) - strlen(opts) - 1);
	m->dev = makedev(maj, min);
	m->point = strdup(point);
	m->fstype = strdup(fstype);
	m->dax = strdup(dax_mode(opts));
	return m->point && m->fstype && m->dax ? 0 : -1;
}

int list_mounts_read(struct list_mounts *mounts)
{
	const char *path = secure_getenv("DAXDEV_TOOL_MOUNTINFO");
	char line[4096];
	FILE *f;

	memset(mounts, 0, sizeof(*mounts));
	if (!path || !path[0])
		path = "/proc/self/mountinfo";
	f = fopen(path, "re");
	if (!f) {
		tool_fail("list", "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct list_mount *grown = realloc(mounts->m, (mounts->count + 1) * sizeof(*grown));

		if (!grown)
			break;
		mounts->m = grown;
		memset(&grown[mounts->count], 0, sizeof(*grown));
		if (!parse_line(line, &grown[mounts->count]))
			mounts->count++;
	}
	fclose(f);
	return 0;
}

void list_mounts_free(struct list_mounts *mounts)
{
	for (size_t i = 0; i < mounts->count; i++) {
		free(mounts->m[i].point);
		free(mounts->m[i].fstype);
		free(mounts->m[i].dax);
	}
	free(mounts->m);
	memset(mounts, 0, sizeof(*mounts));
}

static void add_mounts_of(const struct list_mounts *mounts, dev_t dev, const char *partition,
			  json_object *arr)
{
	for (size_t i = 0; i < mounts->count; i++) {
		const struct list_mount *m = &mounts->m[i];
		json_object *o;

		if (m->dev != dev)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "mountpoint", json_object_new_string(m->point));
		json_object_object_add(o, "fstype", json_object_new_string(m->fstype));
		json_object_object_add(o, "dax", json_object_new_string(m->dax[0] ? m->dax : "no"));
		if (partition)
			json_object_object_add(o, "partition", json_object_new_string(partition));
		json_object_array_add(arr, o);
	}
}

void list_mounts_json(const struct list_mounts *mounts, const char *disk_dir, dev_t disk,
		      json_object *obj)
{
	json_object *arr = json_object_new_array();
	char part_dir[PATH_MAX], text[16];
	struct dirent *d;
	dev_t num;
	DIR *dir;

	add_mounts_of(mounts, disk, NULL, arr);
	dir = opendir(disk_dir);
	while (dir && (d = readdir(dir))) {
		snprintf(part_dir, sizeof(part_dir), "%s/%s", disk_dir, d->d_name);
		if (d->d_name[0] != '.' && !tool_sysfs_read(part_dir, "partition", text, sizeof(text)) &&
		    !tool_sysfs_devnum(part_dir, &num))
			add_mounts_of(mounts, num, d->d_name, arr);
	}
	if (dir)
		closedir(dir);
	if (json_object_array_length(arr))
		json_object_object_add(obj, "mounts", arr);
	else
		json_object_put(arr);
}
