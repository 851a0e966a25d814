/* SPDX-License-Identifier: MIT */
/*
 * Guest program of the vm suite: compare `daxdev list --json` with what
 * `ndctl list -RN` and `daxctl list` say about the same devices, field by
 * field: every device they show is listed, with the same size, alignment
 * (device-dax), NUMA and target node, mode, map and region.
 *
 *   listcmp DAXDEV.json NDCTL.json [DAXCTL.json]
 *
 * Prints one line per comparison; exit 0 when all agree, 1 otherwise.
 */
#include <stdbool.h>
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
	if (region) {
		json_object *r = json_object_new_string(region);

		same(who, dev, "region", r, get(ours, "region"));
		json_object_put(r);
	}
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
	json_object *list, *ndctl, *daxctl;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: listcmp DAXDEV.json NDCTL.json [DAXCTL.json]\n");
		return 2;
	}
	list = load(argv[1], false);
	ndctl = load(argv[2], true);
	walk_ndctl(ndctl, list, NULL);
	if (argc == 4) {
		daxctl = load(argv[3], true);
		walk_daxctl(daxctl, list);
		json_object_put(daxctl);
	}
	printf("%s: %d comparisons, %d differ\n", failures ? "FAIL" : "ok", compared, failures);
	json_object_put(list);
	json_object_put(ndctl);
	return failures || !compared ? 1 : 0;
}
