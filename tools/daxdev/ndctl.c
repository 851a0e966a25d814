/* SPDX-License-Identifier: MIT */
/*
 * What libndctl adds to sysfs: the namespace mode and uuid as ndctl reports
 * them, DIMM failure flags and SMART health (root: a firmware command).
 * Built only with the Meson feature 'ndctl'; libdaxdev itself never links
 * libndctl.  libndctl reads the real /sys, so nothing is added while
 * DAXDEV_SYSFS_ROOT points elsewhere (a fixture tree).
 */
#include <string.h>
#include <daxdev/provider.h>
#include "tool.h"

#ifdef DAXDEV_TOOL_NDCTL
#include <ndctl/libndctl.h>
#include <uuid/uuid.h>

static struct ndctl_ctx *ctx;
static bool ctx_tried;

static struct ndctl_ctx *context(void)
{
	if (!ctx_tried) {
		ctx_tried = true;
		if (daxdev_sysfs_root()[0] || ndctl_new(&ctx))
			ctx = NULL;
	}
	return ctx;
}

static const char *mode_name(enum ndctl_namespace_mode mode)
{
	switch (mode) {
	case NDCTL_NS_MODE_FSDAX: return "fsdax";
	case NDCTL_NS_MODE_DEVDAX: return "devdax";
	case NDCTL_NS_MODE_SECTOR: return "sector";
	case NDCTL_NS_MODE_RAW: return "raw";
	default: return NULL;
	}
}

static struct ndctl_namespace *find_namespace(const char *name)
{
	struct ndctl_namespace *ndns;
	struct ndctl_region *region;
	struct ndctl_bus *bus;

	ndctl_bus_foreach(context(), bus)
		ndctl_region_foreach(bus, region)
			ndctl_namespace_foreach(region, ndns)
				if (!strcmp(ndctl_namespace_get_devname(ndns), name))
					return ndns;
	return NULL;
}

void tool_ndctl_namespace(const char *ns, json_object *obj)
{
	struct ndctl_namespace *ndns;
	const char *mode;
	char text[40];
	uuid_t uu;

	if (!ns[0] || !context() || !(ndns = find_namespace(ns)))
		return;
	mode = mode_name(ndctl_namespace_get_mode(ndns));
	if (mode)
		json_object_object_add(obj, "mode", json_object_new_string(mode));
	if (ndctl_namespace_get_pfn(ndns))
		ndctl_pfn_get_uuid(ndctl_namespace_get_pfn(ndns), uu);
	else if (ndctl_namespace_get_dax(ndns))
		ndctl_dax_get_uuid(ndctl_namespace_get_dax(ndns), uu);
	else
		ndctl_namespace_get_uuid(ndns, uu);
	if (!uuid_is_null(uu)) {
		uuid_unparse(uu, text);
		json_object_object_add(obj, "uuid", json_object_new_string(text));
	}
}

static void add_flag(json_object *obj, const char *key, int set)
{
	if (set > 0)
		json_object_object_add(obj, key, json_object_new_boolean(true));
}

static const char *health_name(unsigned health)
{
	if (health & ND_SMART_FATAL_HEALTH)
		return "fatal";
	if (health & ND_SMART_CRITICAL_HEALTH)
		return "critical";
	if (health & ND_SMART_NON_CRITICAL_HEALTH)
		return "non-critical";
	return "ok";
}

/* SMART needs a firmware command: root only, and not every DIMM has it. */
static void add_health(struct ndctl_dimm *dimm, json_object *obj)
{
	struct ndctl_cmd *cmd = ndctl_dimm_cmd_new_smart(dimm);

	if (cmd && ndctl_cmd_submit(cmd) >= 0 &&
	    (ndctl_cmd_smart_get_flags(cmd) & ND_SMART_HEALTH_VALID))
		json_object_object_add(obj, "health_state",
				       json_object_new_string(health_name(ndctl_cmd_smart_get_health(cmd))));
	if (cmd)
		ndctl_cmd_unref(cmd);
}

void tool_ndctl_dimm(const char *nmem, json_object *obj)
{
	struct ndctl_dimm *dimm;
	struct ndctl_bus *bus;

	if (!context())
		return;
	ndctl_bus_foreach(context(), bus)
		ndctl_dimm_foreach(bus, dimm) {
			if (strcmp(ndctl_dimm_get_devname(dimm), nmem))
				continue;
			add_flag(obj, "flag_failed_save", ndctl_dimm_failed_save(dimm));
			add_flag(obj, "flag_failed_arm", ndctl_dimm_failed_arm(dimm));
			add_flag(obj, "flag_failed_restore", ndctl_dimm_failed_restore(dimm));
			add_flag(obj, "flag_failed_flush", ndctl_dimm_failed_flush(dimm));
			add_flag(obj, "flag_failed_map", ndctl_dimm_failed_map(dimm));
			add_flag(obj, "flag_smart_event", ndctl_dimm_smart_pending(dimm));
			add_health(dimm, obj);
			return;
		}
}

void tool_ndctl_done(void)
{
	if (ctx)
		ndctl_unref(ctx);
	ctx = NULL;
	ctx_tried = false;
}

bool tool_ndctl_built(void)
{
	return true;
}

#else /* without libndctl: sysfs alone */

void tool_ndctl_namespace(const char *ns, json_object *obj)
{
	(void)ns;
	(void)obj;
}

void tool_ndctl_dimm(const char *nmem, json_object *obj)
{
	(void)nmem;
	(void)obj;
}

void tool_ndctl_done(void)
{
}

bool tool_ndctl_built(void)
{
	return false;
}
#endif
