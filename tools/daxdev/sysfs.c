/* SPDX-License-Identifier: MIT */
/*
 * What daxdev list shows beside the library's decision, read from sysfs
 * under daxdev_sysfs_root() (so that fixture trees drive the tests): device
 * numbers, the namespace above a device and the DIMMs behind its region.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <daxdev/provider.h>
#include "tool.h"

int tool_sysfs_read(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, attr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

void tool_sysfs_dir(const char *rel, char *dir, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX];

	dir[0] = '\0';
	if (snprintf(path, sizeof(path), "%s%s", daxdev_sysfs_root(), rel) < (int)sizeof(path) &&
	    realpath(path, real))
		snprintf(dir, len, "%s", real);
}

int tool_sysfs_devnum(const char *dir, dev_t *dev)
{
	unsigned maj, min;
	char text[32];
	int rc = tool_sysfs_read(dir, "dev", text, sizeof(text));

	if (rc)
		return rc;
	if (sscanf(text, "%u:%u", &maj, &min) != 2)
		return -EINVAL;
	*dev = makedev(maj, min);
	return 0;
}

static const char *base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The kernel's namespace mode words, as ndctl names them. */
static const char *mode_name(const char *mode)
{
	static const char *const names[][2] = {
		{ "memory", "fsdax" }, { "dax", "devdax" }, { "safe", "sector" }, { "raw", "raw" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(mode, names[i][0]))
			return names[i][1];
	return mode;
}

/* Walk up from the device to its region: a pfnX.Y/daxX.Y claim names the
 * namespace (and where the page map lives), or the namespace holds the disk. */
void tool_sysfs_namespace(const char *dev_dir, char *ns, size_t ns_len, char *mode,
			  size_t mode_len, char *map, size_t map_len, char *uuid, size_t uuid_len)
{
	char dir[PATH_MAX], text[128], path[PATH_MAX];
	char *slash;

	ns[0] = mode[0] = map[0] = uuid[0] = '\0';
	snprintf(dir, sizeof(dir), "%s", dev_dir);
	while ((slash = strrchr(dir, '/')) && strncmp(base(dir), "region", 6)) {
		const char *name = base(dir);

		if (!ns[0] && !strncmp(name, "namespace", 9)) {
			snprintf(ns, ns_len, "%s", name);
		} else if (!ns[0] && (!strncmp(name, "pfn", 3) || !strncmp(name, "dax", 3)) &&
			   !tool_sysfs_read(dir, "namespace", text, sizeof(text)) && text[0]) {
			snprintf(ns, ns_len, "%s", text);
			if (!tool_sysfs_read(dir, "mode", text, sizeof(text)))
				snprintf(map, map_len, "%s", strcmp(text, "pmem") ? "mem" : "dev");
			if (tool_sysfs_read(dir, "uuid", uuid, uuid_len))
				uuid[0] = '\0';
		}
		*slash = '\0';
	}
	if (!ns[0] || !slash)
		return;
	if (snprintf(path, sizeof(path), "%s/%s", dir, ns) >= (int)sizeof(path))
		return;
	if (!tool_sysfs_read(path, "mode", text, sizeof(text)))
		snprintf(mode, mode_len, "%s", mode_name(text));
	if (!strcmp(mode, "fsdax") && !map[0])
		snprintf(map, map_len, "mem"); /* no pfn device: the page map is in RAM */
	if (!uuid[0] && tool_sysfs_read(path, "uuid", uuid, uuid_len))
		uuid[0] = '\0';
}

static void read_dimm(const char *bus_dir, struct tool_dimm *d)
{
	char dir[PATH_MAX], text[32];

	d->dirty_shutdown = -1;
	d->flags[0] = '\0';
	if (snprintf(dir, sizeof(dir), "%s/%s", bus_dir, d->name) >= (int)sizeof(dir))
		return;
	/* NFIT DIMMs and CXL memory devices each show their own count */
	if (!tool_sysfs_read(dir, "nfit/dirty_shutdown", text, sizeof(text)) ||
	    !tool_sysfs_read(dir, "cxl/dirty_shutdown", text, sizeof(text)))
		d->dirty_shutdown = strtoll(text, NULL, 0);
	if (tool_sysfs_read(dir, "nfit/flags", d->flags, sizeof(d->flags)) &&
	    tool_sysfs_read(dir, "flags", d->flags, sizeof(d->flags)))
		d->flags[0] = '\0';
}

void tool_sysfs_dimms(const char *dev_dir, const char *region, struct tool_dimms *dimms)
{
	char dir[PATH_MAX], attr[32], text[128];
	char *at, *slash;

	memset(dimms, 0, sizeof(*dimms));
	snprintf(dir, sizeof(dir), "%s", dev_dir);
	while ((slash = strrchr(dir, '/')) && strcmp(base(dir), region))
		*slash = '\0';
	if (!slash || !region[0])
		return;
	for (size_t i = 0; dimms->count < sizeof(dimms->dimm) / sizeof(dimms->dimm[0]); i++) {
		snprintf(attr, sizeof(attr), "mapping%zu", i);
		if (tool_sysfs_read(dir, attr, text, sizeof(text)))
			break;
		at = strchr(text, ',');
		if (at)
			*at = '\0';
		snprintf(dimms->dimm[dimms->count++].name, sizeof(dimms->dimm[0].name), "%.31s", text);
	}
	*strrchr(dir, '/') = '\0'; /* the bus holds the nmem directories */
	for (size_t i = 0; i < dimms->count; i++)
		read_dimm(dir, &dimms->dimm[i]);
}
