/* SPDX-License-Identifier: MIT */
/*
 * daxdev info: everything daxdev_get_info() and the details report for one
 * target.  daxdev check: the same facts judged, each problem with what to do.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "tool.h"

static const char info_usage[] =
	"usage: daxdev info [-u] [--json] TARGET\n"
	"What libdaxdev decides for TARGET and why: provider, size, alignment, persistence,\n"
	"write cache, copy/flush/drain choice, NUMA nodes, region, bus, mapping, bad blocks.\n"
	"TARGET: /dev/daxX.Y, /dev/pmemN (as files on a DAX filesystem from it), a file,\n"
	"anon:SIZE, linear:..., stripe:..., crashsim:... (see daxdev_open(3)).\n"
	"  -u, --human  sizes in human units\n"
	"  -j, --json   JSON\n"
	"  -h, --help   this text\n";

static const char check_usage[] =
	"usage: daxdev check TARGET\n"
	"Check alignment, MAP_SYNC, bad blocks, persistence and write cache of TARGET.\n"
	"Exit status: 0 fine, 1 problems found (each with what to do), 2 could not check.\n"
	"  -h, --help  this text\n";

struct info_args {
	bool human, json;
	const char *target;
};

static int parse_args(const char *cmd, const char *usage, int argc, char **argv,
		      struct info_args *a)
{
	static const struct option longopts[] = {
		{ "human", no_argument, NULL, 'u' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	bool is_info = !strcmp(cmd, "info");
	int c;

	while ((c = getopt_long(argc, argv, is_info ? "ujh" : "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u': a->human = true; break;
		case 'j': a->json = true; break;
		case 'h': fputs(usage, stdout); return -1;
		default: return tool_bad_option(cmd, argv);
		}
	}
	if (optind != argc - 1)
		return tool_usage_error(cmd, optind == argc ? "a TARGET is needed" :
					"one TARGET only");
	a->target = argv[optind];
	return 0;
}

static json_object *lines_json(const char *text)
{
	json_object *arr = json_object_new_array();
	char buf[4096], *line, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", text);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		json_object_array_add(arr, json_object_new_string(line));
	return arr;
}

static void print_info_json(const struct tool_target *t, bool human)
{
	json_object *o = tool_info_json(&t->info, human);
	struct tool_badblocks bad;

	json_object_object_add(o, "probed", json_object_new_boolean(t->probed));
	tool_badblocks_count(t->dev, &bad);
	if (bad.known)
		json_object_object_add(o, "badblock_count", json_object_new_uint64(bad.count));
	json_object_object_add(o, "details", lines_json(t->details));
	tool_json_print(o);
}

int cmd_info(int argc, char **argv)
{
	struct info_args a = { 0 };
	struct tool_target t;
	char text[8192];
	int rc = parse_args("info", info_usage, argc, argv, &a);

	if (rc)
		return rc < 0 ? TOOL_OK : rc;
	if (tool_target_describe("info", a.target, &t))
		return TOOL_FAIL;
	if (a.json) {
		print_info_json(&t, a.human);
	} else {
		daxdev_format_info(t.dev, text, sizeof(text));
		fputs(text, stdout);
		if (t.probed)
			puts("probed: yes (nothing mapped; daxdev_open decides the same)");
	}
	tool_target_close(&t);
	return TOOL_OK;
}

/* --- check ------------------------------------------------------------ */

struct verdict {
	int problems;
};

static void ok(const char *what, const char *text)
{
	printf("ok       %-12s %s\n", what, text);
}

static void note(const char *what, const char *text)
{
	printf("note     %-12s %s\n", what, text);
}

static void problem(struct verdict *v, const char *what, const char *text, const char *fix)
{
	printf("PROBLEM  %-12s %s\n         %-12s fix: %s\n", what, text, "", fix);
	v->problems++;
}

static bool details_have(const struct tool_target *t, const char *needle)
{
	return strstr(t->details, needle) != NULL;
}

static void check_alignment(const struct tool_target *t, struct verdict *v)
{
	char text[160];

	if (details_have(t, "size: sysfs says") || details_have(t, "size: file has")) {
		snprintf(text, sizeof(text), "size is not a multiple of the alignment %llu: the "
			 "tail is not mapped", (unsigned long long)t->info.align);
		problem(v, "alignment", text, "resize the namespace or file to a multiple of it");
		return;
	}
	snprintf(text, sizeof(text), "%llu bytes in pages of %llu", (unsigned long long)t->info.size,
		 (unsigned long long)t->info.align);
	ok("alignment", text);
}

static void check_map_sync(const struct tool_target *t, struct verdict *v)
{
	if (strcmp(t->info.provider, "fsdax")) {
		if (!strcmp(t->info.provider, "devdax"))
			ok("MAP_SYNC", "not needed: device-dax has no page cache or filesystem metadata");
		else
			note("MAP_SYNC", "does not apply to this provider");
		return;
	}
	if (details_have(t, "MAP_SHARED_VALIDATE|MAP_SYNC")) {
		ok("MAP_SYNC", "granted: stores reach the memory without msync");
	} else if (t->info.persistence == DAXDEV_PERSISTENCE_VOLATILE) {
		note("MAP_SYNC", "refused, and the memory is volatile: nothing to flush");
	} else {
		problem(v, "MAP_SYNC", "refused: every flush is an msync (no DAX, or asynchronous "
			"DAX such as virtio-pmem)", "put the file on a filesystem mounted with -o dax "
			"on a synchronous pmem device, or use device-dax");
	}
}

static void check_badblocks(const struct tool_target *t, struct verdict *v)
{
	struct tool_badblocks bad;
	char text[160];

	tool_badblocks_count(t->dev, &bad);
	if (bad.root_only) {
		snprintf(text, sizeof(text), "%s has %zu bad ranges; placing them in the device "
			 "needs root", t->info.region, bad.region_count);
		note("bad blocks", text);
	} else if (bad.count) {
		snprintf(text, sizeof(text), "%zu bad ranges (reads there fail with EIO)", bad.count);
		problem(v, "bad blocks", text, "restore the data there from a copy, then clear the "
			"poison by writing it (daxdev zero --offset ... --length ..., or "
			"ndctl clear-errors)");
	} else {
		ok("bad blocks", "none known");
	}
}

static void check_persistence(const struct tool_target *t, struct verdict *v)
{
	const struct daxdev_info *i = &t->info;
	char text[300];

	snprintf(text, sizeof(text), "%s (%s)", daxdev_persistence_name(i->persistence),
		 i->persistence_reason);
	if (i->persistence == DAXDEV_PERSISTENCE_PERSISTENT)
		ok("persistence", text);
	else if (i->persistence == DAXDEV_PERSISTENCE_VOLATILE)
		note("persistence", text);
	else
		problem(v, "persistence", text, "sysfs does not say whether this memory survives "
			"power loss: use a pmem namespace (ndctl create-namespace) or device-dax");
}

static void check_write_cache(const struct tool_target *t, struct verdict *v)
{
	const struct daxdev_info *i = &t->info;
	char text[300];

	snprintf(text, sizeof(text), "%s, flush %s (%s)", i->write_cache ? "on" : "off",
		 i->flush_impl, i->write_cache_reason);
	/* Off by the user's word while the platform wants flushing loses data
	 * on power failure. */
	if (i->write_cache_overridden && !i->write_cache &&
	    i->persistence != DAXDEV_PERSISTENCE_VOLATILE &&
	    !strstr(i->persistence_reason, "cpu_cache") &&
	    !strstr(i->persistence_reason, "write_cache=0"))
		problem(v, "write cache", text, "unset DAXDEV_WRITE_CACHE (or the write_cache open "
			"option): this platform does not flush CPU caches on power loss");
	else
		ok("write cache", text);
}

int cmd_check(int argc, char **argv)
{
	struct info_args a = { 0 };
	struct verdict v = { 0 };
	struct tool_target t;
	int rc = parse_args("check", check_usage, argc, argv, &a);

	if (rc)
		return rc < 0 ? TOOL_OK : rc;
	if (tool_target_describe("check", a.target, &t))
		return TOOL_USAGE; /* could not check */
	printf("%s (%s)\n", t.info.host, t.info.provider);
	check_alignment(&t, &v);
	check_map_sync(&t, &v);
	check_badblocks(&t, &v);
	check_persistence(&t, &v);
	check_write_cache(&t, &v);
	tool_target_close(&t);
	if (v.problems)
		printf("%d problem%s found\n", v.problems, v.problems > 1 ? "s" : "");
	return v.problems ? TOOL_FAIL : TOOL_OK;
}
