/* SPDX-License-Identifier: MIT */
/*
 * Reaching one target: a probe where the provider has one (the decision
 * without write access or a mapping), an open otherwise; and the info as
 * JSON with ndctl-style keys.
 */
#include <errno.h>
#include <string.h>
#include "tool.h"

static int fill(struct tool_target *t)
{
	int rc;

	t->info = (struct daxdev_info)DAXDEV_INFO_INIT;
	rc = daxdev_get_info(t->dev, &t->info);
	if (!rc && daxdev_get_details(t->dev, t->details, sizeof(t->details)) < 0)
		t->details[0] = '\0';
	return rc;
}

int tool_target_describe(const char *cmd, const char *target, struct tool_target *t)
{
	DAXDEV_OPEN_OPTS(ro, .flags = DAXDEV_OPEN_READONLY);
	int rc;

	memset(t, 0, sizeof(*t));
	rc = daxdev_probe(target, NULL, &t->dev);
	t->probed = !rc;
	if (rc == -EOPNOTSUPP) {
		/* anon:, composites, crashsim: nothing to look up, so open;
		 * read-only where the provider allows it */
		rc = daxdev_open(target, &ro, &t->dev);
		if (rc == -EINVAL || rc == -EROFS)
			rc = daxdev_open(target, NULL, &t->dev);
	}
	if (!rc)
		rc = fill(t);
	if (rc) {
		tool_lib_fail(cmd, rc);
		tool_target_close(t);
	}
	return rc;
}

int tool_target_open(const char *cmd, const char *target, bool write, struct tool_target *t)
{
	DAXDEV_OPEN_OPTS(opts, .flags = write ? 0 : DAXDEV_OPEN_READONLY);
	int rc;

	memset(t, 0, sizeof(*t));
	rc = daxdev_open(target, &opts, &t->dev);
	if (!rc)
		rc = fill(t);
	if (rc) {
		tool_lib_fail(cmd, rc);
		tool_target_close(t);
	}
	return rc;
}

void tool_target_close(struct tool_target *t)
{
	daxdev_put(t->dev);
	t->dev = NULL;
}

static void add_str(json_object *o, const char *key, const char *value)
{
	if (value && value[0])
		json_object_object_add(o, key, json_object_new_string(value));
}

/* ndctl leaves out a node it does not know. */
static void add_node(json_object *o, const char *key, int node)
{
	if (node >= 0)
		json_object_object_add(o, key, json_object_new_int(node));
}

json_object *tool_info_json(const struct daxdev_info *i, bool human)
{
	json_object *o = json_object_new_object();

	add_str(o, "provider", i->provider);
	add_str(o, "host", i->host);
	json_object_object_add(o, "size", tool_json_size(i->size, human));
	json_object_object_add(o, "align", tool_json_size(i->align, human));
	add_str(o, "persistence", daxdev_persistence_name(i->persistence));
	add_str(o, "persistence_reason", i->persistence_reason);
	json_object_object_add(o, "write_cache", json_object_new_boolean(i->write_cache));
	json_object_object_add(o, "write_cache_overridden",
			       json_object_new_boolean(i->write_cache_overridden));
	add_str(o, "write_cache_reason", i->write_cache_reason);
	add_str(o, "copy", i->copy_impl);
	add_str(o, "fill", i->fill_impl);
	add_str(o, "flush", i->flush_impl);
	add_str(o, "drain", i->drain_impl);
	json_object_object_add(o, "nt_threshold", json_object_new_uint64(i->nt_threshold));
	add_node(o, "numa_node", i->numa_node);
	add_node(o, "target_node", i->target_node);
	add_str(o, "region", i->region);
	add_str(o, "bus", i->bus);
	add_str(o, "access", i->readonly ? "read-only" : "read-write");
	return o;
}
