/* SPDX-License-Identifier: MIT */
/*
 * daxdev list: every device-dax and pmem block device sysfs shows, with the
 * library's own decision for it (daxdev_probe_dev: the code daxdev_open
 * runs, without opening), the namespace and DIMM facts beside it, and the
 * filesystems mounted from the block devices.  One JSON object per device is
 * built first; the text output is printed from it.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <daxdev/provider.h>
#include "tool.h"
#include "list.h"

static const char list_usage[] =
	"usage: daxdev list [-v] [-u] [--json]\n"
	"Every device-dax and pmem block device: size, alignment, NUMA nodes, namespace mode,\n"
	"region and bus, and what libdaxdev decides for it (persistence, write cache, flush,\n"
	"and why), bad blocks, unsafe shutdowns, DAX filesystems mounted from it.\n"
	"  -v, --verbose  also the namespace, uuid, copy/drain choice, DIMMs and details\n"
	"  -u, --human    sizes in human units (\"2.00 MiB (2.10 MB)\")\n"
	"  -j, --json     JSON (keys and units as ndctl list)\n"
	"  -h, --help     this text\n";

static void add_str(json_object *o, const char *key, const char *value)
{
	if (value && value[0])
		json_object_object_add(o, key, json_object_new_string(value));
}

static void add_node(json_object *o, const char *key, int node)
{
	if (node >= 0)
		json_object_object_add(o, key, json_object_new_int(node));
}

static void add_badblocks(json_object *o, struct daxdev *dev, json_object *root_only)
{
	struct tool_badblocks bad;

	tool_badblocks_count(dev, &bad);
	if (bad.known) {
		json_object_object_add(o, "badblock_count", json_object_new_uint64(bad.count));
		return;
	}
	/* placing the region's bad blocks in the device needs root */
	json_object_object_add(o, "region_badblock_count",
			       json_object_new_uint64(bad.region_count));
	json_object_array_add(root_only, json_object_new_string("badblock_count"));
}

static void add_dimms(json_object *o, const char *dir, const char *region,
		      const struct list_opts *lo)
{
	json_object *arr = json_object_new_array();
	struct tool_dimms dimms;
	long long total = -1;

	tool_sysfs_dimms(dir, region, &dimms);
	for (size_t i = 0; i < dimms.count; i++) {
		const struct tool_dimm *d = &dimms.dimm[i];
		json_object *j = json_object_new_object();

		add_str(j, "dimm", d->name);
		if (d->dirty_shutdown >= 0) {
			json_object_object_add(j, "dirty_shutdown",
					       json_object_new_int64(d->dirty_shutdown));
			total = (total < 0 ? 0 : total) + d->dirty_shutdown;
		}
		add_str(j, "flags", d->flags);
		tool_ndctl_dimm(d->name, j);
		json_object_array_add(arr, j);
	}
	/* the sum over the DIMMs, as PMDK counts unsafe shutdowns */
	if (total >= 0)
		json_object_object_add(o, "dirty_shutdown", json_object_new_int64(total));
	if (lo->verbose && dimms.count)
		json_object_object_add(o, "dimms", arr);
	else
		json_object_put(arr);
}

static void add_namespace(json_object *o, const char *dir, const struct list_opts *lo)
{
	char ns[64], mode[32], map[8], uuid[64];

	tool_sysfs_namespace(dir, ns, sizeof(ns), mode, sizeof(mode), map, sizeof(map), uuid,
			     sizeof(uuid));
	add_str(o, "mode", mode);
	add_str(o, "map", map);
	if (!lo->verbose)
		return;
	add_str(o, "namespace", ns);
	add_str(o, "uuid", uuid);
	tool_ndctl_namespace(ns, o);
}

static void add_decision(json_object *o, const struct daxdev_info *i, const struct list_opts *lo)
{
	json_object_object_add(o, "size", tool_json_size(i->size, lo->human));
	json_object_object_add(o, "align", tool_json_size(i->align, lo->human));
	add_node(o, "numa_node", i->numa_node);
	add_node(o, "target_node", i->target_node);
	add_str(o, "region", i->region);
	add_str(o, "bus", i->bus);
	add_str(o, "persistence", daxdev_persistence_name(i->persistence));
	json_object_object_add(o, "write_cache", json_object_new_boolean(i->write_cache));
	add_str(o, "reason", i->write_cache_reason);
	add_str(o, "flush", i->flush_impl);
	if (!lo->verbose)
		return;
	add_str(o, "persistence_reason", i->persistence_reason);
	add_str(o, "copy", i->copy_impl);
	add_str(o, "drain", i->drain_impl);
}

static json_object *details_json(struct daxdev *dev)
{
	json_object *arr = json_object_new_array();
	char buf[4096], *line, *save = NULL;

	if (daxdev_get_details(dev, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		json_object_array_add(arr, json_object_new_string(line));
	return arr;
}

/* One device: its name and sysfs directory, then what the probe says. */
static json_object *device_json(const char *name, const char *dir, bool block,
				const struct list_opts *lo, const struct list_mounts *mounts)
{
	json_object *o = json_object_new_object(), *root_only = json_object_new_array();
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev = NULL;
	char path[PATH_MAX];
	dev_t num = 0;
	int rc;

	add_str(o, block ? "blockdev" : "chardev", name);
	snprintf(path, sizeof(path), "/dev/%s", name);
	add_str(o, "path", path);
	rc = tool_sysfs_devnum(dir, &num);
	if (!rc)
		rc = daxdev_probe_dev(block ? S_IFBLK : S_IFCHR, num, NULL, &dev);
	if (!rc)
		rc = daxdev_get_info(dev, &info);
	add_namespace(o, dir, lo);
	if (rc) {
		add_str(o, "error", daxdev_errormsg()[0] ? daxdev_errormsg() : strerror(-rc));
	} else {
		add_decision(o, &info, lo);
		add_badblocks(o, dev, root_only);
		add_dimms(o, dir, info.region, lo);
		if (lo->verbose)
			json_object_object_add(o, "details", details_json(dev));
	}
	if (block)
		list_mounts_json(mounts, dir, num, o);
	if (json_object_array_length(root_only))
		json_object_object_add(o, "root_only", root_only);
	else
		json_object_put(root_only);
	daxdev_put(dev);
	return o;
}

static int is_dax_entry(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int is_pmem_entry(const struct dirent *d)
{
	return !strncmp(d->d_name, "pmem", 4);
}

/* Devices under one sysfs directory, in natural order (dax2.0 before dax10.0). */
static void add_devices(json_object *arr, const char *rel, bool block,
			const struct list_opts *lo, const struct list_mounts *mounts)
{
	char top[PATH_MAX], dir[PATH_MAX], link[PATH_MAX];
	struct dirent **names;
	int n;

	snprintf(top, sizeof(top), "%s%s", daxdev_sysfs_root(), rel);
	n = scandir(top, &names, block ? is_pmem_entry : is_dax_entry, versionsort);
	for (int i = 0; i < n; i++) {
		snprintf(link, sizeof(link), "%s/%s", rel, names[i]->d_name);
		tool_sysfs_dir(link, dir, sizeof(dir));
		if (dir[0])
			json_object_array_add(arr, device_json(names[i]->d_name, dir, block, lo,
							       mounts));
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

static int parse_list_args(int argc, char **argv, struct list_opts *lo)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' }, { "human", no_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "vujh", longopts, NULL)) != -1) {
		switch (c) {
		case 'v': lo->verbose = true; break;
		case 'u': lo->human = true; break;
		case 'j': lo->json = true; break;
		case 'h': fputs(list_usage, stdout); return -1;
		default: return tool_bad_option("list", argv);
		}
	}
	if (optind < argc)
		return tool_usage_error("list", "unexpected argument '%s'", argv[optind]);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct list_opts lo = { 0 };
	struct list_mounts mounts;
	json_object *arr;
	int rc = parse_list_args(argc, argv, &lo);

	if (rc)
		return rc < 0 ? TOOL_OK : rc;
	if (list_mounts_read(&mounts))
		return TOOL_FAIL;
	arr = json_object_new_array();
	add_devices(arr, "/sys/bus/dax/devices", false, &lo, &mounts);
	add_devices(arr, "/sys/block", true, &lo, &mounts);
	list_mounts_free(&mounts);
	tool_ndctl_done();
	if (lo.json) {
		tool_json_print(arr);
	} else {
		list_print_text(arr);
		json_object_put(arr);
	}
	return TOOL_OK;
}
