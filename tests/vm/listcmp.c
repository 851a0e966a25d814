/* SPDX-License-Identifier: MIT */
/*
 * Guest program of the vm suite: compare `daxdev list --json` with what
 * `ndctl list -RN` and `daxctl list` say about the same devices, field by
 * field: every device they show is listed, with the same size, alignment
 * (device-dax), NUMA and target node, mode, map and region.  With --cxl,
 * `cxl list -RD` too: each CXL pmem region is an nd region of its size in
 * ndctl's list, and every listed device in that nd region says bus CXL.
 *
 *   listcmp DAXDEV.json NDCTL.json [DAXCTL.json] [--cxl CXL.json]
 *
 * Prints one line per comparison; exit 0 when all agree, 1 otherwise.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

static int failures, compared;

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *name_of(json_object *o)
{
	json_object *v = get(o, "chardev");

	if (!v)
		v = get(o, "blockdev");
	return v ? json_object_get_string(v) : NULL;
}

/* The daxdev entry for a device name. */
static json_object *find(json_object *list, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *d = json_object_array_get_idx(list, i);

		if (name_of(d) && !strcmp(name_of(d), name))
			return d;
	}
	return NULL;
}

static void same(const char *who, const char *dev, const char *key, json_object *theirs,
		 json_object *ours)
{
	const char *t, *o;

	if (!theirs)
		return; /* they do not say: nothing to compare */
	t = json_object_get_string(theirs);
	o = ours ? json_object_get_string(ours) : "(absent)";
	compared++;
	if (strcmp(t, o)) {
		printf("FAIL %s %s: %s is %s there, %s in daxdev list\n", who, dev, key, t, o);
		failures++;
	} else {
		printf("ok   %s %s: %s %s\n", who, dev, key, t);
	}
}

/* A value they imply (not one of their JSON's) against the listed one. */
static void same_as(const char *who, const char *dev, const char *key, const char *theirs,
		    json_object *ours)
{
	json_object *t = json_object_new_string(theirs);

	same(who, dev, key, t, ours);
	json_object_put(t);
}

/* An ndctl namespace (or a daxctl device) against the listed device. */
static void compare(const char *who, json_object *theirs, json_object *list, const char *region)
{
	const char *dev = name_of(theirs);
	json_object *ours = find(list, dev);
	static const char *const keys[] = { "size", "numa_node", "target_node", "mode", "map" };

	if (!ours) {
		printf("FAIL %s %s: not in daxdev list\n", who, dev);
		failures++;
		return;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		same(who, dev, keys[i], get(theirs, keys[i]), get(ours, keys[i]));
	/* fsdax: ndctl's align is the pfn's; the library's DAX page is the
	 * page size.  Device-dax: both are the mapping alignment. */
	if (get(theirs, "chardev"))
		same(who, dev, "align", get(theirs, "align"), get(ours, "align"));
	if (region)
		same_as(who, dev, "region", region, get(ours, "region"));
}

/* ndctl -v puts a device-dax namespace's devices in its daxregion: compare
 * each device, and the namespace's own fields under the device's name. */
static void compare_daxregion(json_object *ns, json_object *list, const char *region)
{
	json_object *devs = get(get(ns, "daxregion"), "devices");
	static const char *const keys[] = { "numa_node", "target_node", "mode", "map" };

	for (size_t i = 0; devs && i < json_object_array_length(devs); i++) {
		json_object *dev = json_object_array_get_idx(devs, i), *ours;

		compare("ndctl", dev, list, region);
		ours = find(list, name_of(dev));
		for (size_t k = 0; ours && k < sizeof(keys) / sizeof(keys[0]); k++)
			same("ndctl", name_of(dev), keys[k], get(ns, keys[k]), get(ours, keys[k]));
	}
}

/* ndctl nests namespaces in regions (an array, or one object). */
static void walk_ndctl(json_object *o, json_object *list, const char *region)
{
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			walk_ndctl(json_object_array_get_idx(o, i), list, region);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	if (get(o, "namespaces") && get(o, "dev"))
		region = json_object_get_string(get(o, "dev"));
	if (name_of(o) && get(o, "mode"))
		compare("ndctl", o, list, region);
	else if (get(o, "mode") && get(o, "daxregion"))
		compare_daxregion(o, list, region);
	json_object_object_foreach(o, key, v) {
		if (json_object_is_type(v, json_type_array) || json_object_is_type(v, json_type_object))
			if (strcmp(key, "daxregion"))
				walk_ndctl(v, list, region);
	}
}

static void walk_daxctl(json_object *o, json_object *list)
{
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			walk_daxctl(json_object_array_get_idx(o, i), list);
	} else if (json_object_is_type(o, json_type_object) && get(o, "chardev")) {
		compare("daxctl", o, list, NULL);
	}
}

/* cxl list: a region is an object naming a "region", with a "size" and no
 * "decoder" (decoders name their region too).  cxl 76.x gives a region no
 * "type": the "mode" (pmem, ram) of an endpoint decoder naming it does. */
static void walk_cxl(json_object *o, json_object *regions, json_object *modes)
{
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			walk_cxl(json_object_array_get_idx(o, i), regions, modes);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	if (get(o, "region") && get(o, "decoder") && get(o, "mode"))
		json_object_object_add(modes, json_object_get_string(get(o, "region")),
				       json_object_get(get(o, "mode")));
	else if (get(o, "region") && get(o, "size") && !get(o, "decoder"))
		json_object_array_add(regions, json_object_get(o));
	json_object_object_foreach(o, key, v) {
		if (strcmp(key, "region"))
			walk_cxl(v, regions, modes);
	}
}

/* The first nd region in ndctl's list of this size not in taken. */
static const char *nd_region_of_size(json_object *o, int64_t size, json_object *taken)
{
	const char *dev = json_object_get_string(get(o, "dev"));
	const char *found = NULL;

	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; !found && i < json_object_array_length(o); i++)
			found = nd_region_of_size(json_object_array_get_idx(o, i), size, taken);
		return found;
	}
	if (!json_object_is_type(o, json_type_object))
		return NULL;
	if (dev && !strncmp(dev, "region", 6) && get(o, "size") &&
	    json_object_get_int64(get(o, "size")) == size && !get(taken, dev))
		return dev;
	json_object_object_foreach(o, key, v) {
		(void)key;
		if (!found)
			found = nd_region_of_size(v, size, taken);
	}
	return found;
}

/* A CXL pmem region: the nd region it became, whose listed devices all say bus CXL. */
static void compare_cxl_region(json_object *r, json_object *ndctl, json_object *list,
			       json_object *taken)
{
	const char *name = json_object_get_string(get(r, "region"));
	long long size = json_object_get_int64(get(r, "size"));
	const char *nd = nd_region_of_size(ndctl, size, taken);
	int devices = 0;

	compared++;
	if (!nd) {
		printf("FAIL cxl %s: no nd region of size %lld in ndctl list\n", name, size);
		failures++;
		return;
	}
	printf("ok   cxl %s: nd region %s of size %lld\n", name, nd, size);
	json_object_object_add(taken, nd, json_object_new_boolean(1));
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *d = json_object_array_get_idx(list, i);
		const char *region = json_object_get_string(get(d, "region"));

		if (!name_of(d) || !region || strcmp(region, nd))
			continue;
		same_as("cxl", name_of(d), "bus", "CXL", get(d, "bus"));
		devices++;
	}
	if (!devices) {
		printf("FAIL cxl %s: no device of nd region %s in daxdev list\n", name, nd);
		failures++;
	}
}

static void compare_cxl(json_object *cxl, json_object *ndctl, json_object *list)
{
	json_object *regions = json_object_new_array(), *modes = json_object_new_object();
	json_object *taken = json_object_new_object();
	int pmem = 0;

	walk_cxl(cxl, regions, modes);
	for (size_t i = 0; i < json_object_array_length(regions); i++) {
		json_object *r = json_object_array_get_idx(regions, i);
		const char *name = json_object_get_string(get(r, "region"));
		json_object *type = get(r, "type") ? get(r, "type") : get(modes, name);

		if (!type) {
			printf("FAIL cxl %s: no type (no endpoint decoder names it: cxl list -RD)\n",
			       name);
			failures++;
		} else if (!strcmp(json_object_get_string(type), "pmem")) {
			compare_cxl_region(r, ndctl, list, taken);
			pmem++;
		}
	}
	if (!pmem) {
		printf("FAIL cxl: no pmem region in cxl list\n");
		failures++;
	}
	json_object_put(regions);
	json_object_put(modes);
	json_object_put(taken);
}

static json_object *load(const char *path, bool empty_ok)
{
	json_object *doc = json_object_from_file(path);

	if (!doc && empty_ok)
		return json_object_new_array();
	if (!doc) {
		printf("FAIL %s: not JSON\n", path);
		exit(1);
	}
	return doc;
}

int main(int argc, char **argv)
{
	const char *daxctl_path = NULL, *cxl_path = NULL;
	json_object *list, *ndctl, *other;
	bool usage = argc < 3;

	for (int i = 3; i < argc && !usage; i++) {
		if (!strcmp(argv[i], "--cxl") && i + 1 < argc && !cxl_path)
			cxl_path = argv[++i];
		else if (argv[i][0] != '-' && !daxctl_path)
			daxctl_path = argv[i];
		else
			usage = true;
	}
	if (usage) {
		fprintf(stderr, "usage: listcmp DAXDEV.json NDCTL.json [DAXCTL.json] [--cxl CXL.json]\n");
		return 2;
	}
	list = load(argv[1], false);
	ndctl = load(argv[2], true);
	walk_ndctl(ndctl, list, NULL);
	if (daxctl_path) {
		other = load(daxctl_path, true);
		walk_daxctl(other, list);
		json_object_put(other);
	}
	if (cxl_path) {
		other = load(cxl_path, false);
		compare_cxl(other, ndctl, list);
		json_object_put(other);
	}
	printf("%s: %d comparisons, %d differ\n", failures ? "FAIL" : "ok", compared, failures);
	json_object_put(list);
	json_object_put(ndctl);
	return failures || !compared ? 1 : 0;
}
