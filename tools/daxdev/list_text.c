/* SPDX-License-Identifier: MIT */
/*
 * daxdev list without --json: the same objects as "key: value" lines under
 * each device's name, so that the text and the JSON can never disagree.
 */
#include <stdio.h>
#include <string.h>
#include "list.h"

static void print_value(json_object *v)
{
	if (json_object_is_type(v, json_type_boolean))
		fputs(json_object_get_boolean(v) ? "on" : "off", stdout);
	else
		fputs(json_object_get_string(v), stdout);
}

/* Objects in an array: "mountpoint (fstype, dax always)"-like, key value pairs. */
static void print_object(json_object *o)
{
	const char *sep = "";

	json_object_object_foreach(o, key, v) {
		printf("%s%s ", sep, key);
		print_value(v);
		sep = ", ";
	}
}

static void print_array(const char *key, json_object *arr)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		printf("  %s: ", key);
		if (json_object_is_type(v, json_type_object))
			print_object(v);
		else
			print_value(v);
		putchar('\n');
	}
}

static void print_device(json_object *dev)
{
	json_object *name;

	if (!json_object_object_get_ex(dev, "chardev", &name))
		json_object_object_get_ex(dev, "blockdev", &name);
	printf("%s\n", json_object_get_string(name));
	json_object_object_foreach(dev, key, v) {
		if (!strcmp(key, "chardev") || !strcmp(key, "blockdev"))
			continue;
		if (json_object_is_type(v, json_type_array)) {
			print_array(key, v);
			continue;
		}
		printf("  %s: ", key);
		print_value(v);
		putchar('\n');
	}
}

void list_print_text(json_object *devices)
{
	size_t n = json_object_array_length(devices);

	for (size_t i = 0; i < n; i++) {
		if (i)
			putchar('\n');
		print_device(json_object_array_get_idx(devices, i));
	}
	if (!n)
		puts("no device-dax or pmem block devices");
}
