/* daxdev list on one fixture tree ($DAXDEV_TOOL_TREE): every device sysfs shows, with sizes, nodes, region, bus and the decision checked against sysfs itself (in the portable build, the refusal where the CPU cache needs a write-back). */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "tool_run.h"

static char root[PATH_MAX];

/* --- sysfs as the test reads it, independently of the tool ------------- */

static bool attr(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX * 2];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return true;
}

static long long attr_num(const char *dir, const char *name, long long dflt)
{
	char text[64];

	return attr(dir, name, text, sizeof(text)) && text[0] ? strtoll(text, NULL, 0) : dflt;
}

/* The region above dir: its resolved path, or "" (hmem). */
static void region_of(const char *dir, char *region, size_t len)
{
	char d[PATH_MAX], text[32];
	char *slash;

	snprintf(d, sizeof(d), "%s", dir);
	region[0] = '\0';
	while ((slash = strrchr(d, '/')) && strlen(d) > strlen(root)) {
		if (attr(d, "devtype", text, sizeof(text)) &&
		    (!strcmp(text, "nd_pmem") || !strcmp(text, "nd_volatile"))) {
			snprintf(region, len, "%s", d);
			return;
		}
		*slash = '\0';
	}
}

static const char *base(const char *p)
{
	return strrchr(p, '/') + 1;
}

struct expect {
	char name[64], dir[PATH_MAX], region[PATH_MAX];
	bool block;
};

static size_t expected_devices(struct expect *e, size_t max)
{
	static const char *const tops[] = { "sys/bus/dax/devices", "sys/block" };
	size_t n = 0;

	for (int t = 0; t < 2; t++) {
		char top[PATH_MAX + 32], link[PATH_MAX * 2];
		struct dirent *d;
		DIR *dir;

		snprintf(top, sizeof(top), "%s/%s", root, tops[t]);
		dir = opendir(top);
		while (dir && (d = readdir(dir)) && n < max) {
			if (d->d_name[0] == '.' || (t == 1 && strncmp(d->d_name, "pmem", 4)))
				continue;
			snprintf(link, sizeof(link), "%s/%s", top, d->d_name);
			if (!realpath(link, e[n].dir))
				continue;
			snprintf(e[n].name, sizeof(e[n].name), "%.63s", d->d_name);
			e[n].block = t == 1;
			region_of(e[n].dir, e[n].region, sizeof(e[n].region));
			n++;
		}
		if (dir)
			closedir(dir);
	}
	return n;
}

static struct expect devices[32];
static size_t device_count;

static const struct expect *expect_of(const char *name)
{
	for (size_t i = 0; i < device_count; i++)
		if (!strcmp(devices[i].name, name))
			return &devices[i];
	fail_msg("%s is not in the tree", name);
	return NULL;
}

/* The provider of the nd bus above the region, or "" (no region: hmem). */
static void expected_bus(const struct expect *e, char *bus, size_t len)
{
	char parent[PATH_MAX];

	bus[0] = '\0';
	if (!e->region[0])
		return;
	snprintf(parent, sizeof(parent), "%s", e->region);
	*strrchr(parent, '/') = '\0';
	attr(parent, "provider", bus, len);
}

/* The decision by the table of docs/persistence.md, from the files alone. */
static void expected_decision(const struct expect *e, bool *wc, const char **flush_msync)
{
	char text[64];
	bool pmem = e->region[0] && attr(e->region, "devtype", text, sizeof(text)) &&
		    !strcmp(text, "nd_pmem");

	*flush_msync = NULL;
	if (!e->block) {
		*wc = pmem && !(attr(e->region, "persistence_domain", text, sizeof(text)) &&
				!strcmp(text, "cpu_cache"));
		return;
	}
	expected_bus(e, text, sizeof(text));
	if (!strcmp(text, "virtio-pmem")) {
		*wc = true;
		*flush_msync = "msync";
		return;
	}
	*wc = pmem && attr_num(e->dir, "dax/write_cache", 1) == 1;
}

/* The portable build refuses a device whose CPU cache must be written back
 * (write cache on, no msync of its own); the other builds decide for it. */
static bool refused_here(const struct expect *e)
{
	const char *msync;
	bool wc;

	expected_decision(e, &wc, &msync);
	return TOOL_NO_CPU_FLUSH && wc && !msync;
}

/* A namespace above the device names its mode; hand-made trees may have none. */
static const char *expected_mode(const struct expect *e)
{
	char d[PATH_MAX], text[64];
	char *slash;

	snprintf(d, sizeof(d), "%s", e->dir);
	while ((slash = strrchr(d, '/')) && strcmp(d, e->region) && e->region[0]) {
		if (!strncmp(base(d), "namespace", 9) ||
		    (attr(d, "namespace", text, sizeof(text)) && text[0]))
			return e->block ? "fsdax" : "devdax";
		*slash = '\0';
	}
	return "";
}

static void check_node(json_object *dev, const char *key, long long want)
{
	json_object *v = tool_json_get(dev, key);

	if (want < 0)
		assert_null(v);
	else if (!v || json_object_get_int64(v) != want)
		fail_msg("%s: %s is %s, sysfs says %lld", json_object_to_json_string(dev), key,
			 v ? json_object_get_string(v) : "absent", want);
}

static const char *str(json_object *dev, const char *key)
{
	json_object *v = tool_json_get(dev, key);

	return v ? json_object_get_string(v) : "";
}

/* Listed by name, path and mode, with the refusal and no decision. */
static void check_refused(json_object *dev, const struct expect *e)
{
	static const char *const decision[] = { "persistence", "write_cache", "reason", "flush" };

	tool_assert_refusal_msg(str(dev, "error"), e->name);
	assert_string_equal(str(dev, "path") + 5, e->name);
	assert_string_equal(str(dev, "mode"), expected_mode(e));
	for (size_t i = 0; i < sizeof(decision) / sizeof(decision[0]); i++)
		if (tool_json_get(dev, decision[i]))
			fail_msg("%s: %s although refused", json_object_to_json_string(dev),
				 decision[i]);
}

static void check_device(json_object *dev, const struct expect *e)
{
	long long align, size;
	const char *msync;
	char provider[64], parent[PATH_MAX];
	bool wc;

	if (refused_here(e)) {
		check_refused(dev, e);
		return;
	}
	assert_null(tool_json_get(dev, "error"));
	if (e->block) {
		size = attr_num(e->dir, "size", 0) * 512;
		align = sysconf(_SC_PAGESIZE);
	} else {
		snprintf(parent, sizeof(parent), "%s", e->dir);
		*strrchr(parent, '/') = '\0';
		align = attr_num(e->dir, "align", attr_num(parent, "dax_region/align", 4096));
		size = attr_num(e->dir, "size", 0) & ~(align - 1);
	}
	assert_int_equal(json_object_get_int64(tool_json_get(dev, "size")), size);
	assert_int_equal(json_object_get_int64(tool_json_get(dev, "align")), align);
	check_node(dev, "numa_node", e->block ? attr_num(e->region, "numa_node", -1) :
		   attr_num(e->dir, "numa_node", attr_num(e->region, "numa_node", -1)));
	check_node(dev, "target_node", e->block ? attr_num(e->region, "target_node", -1) :
		   attr_num(e->dir, "target_node", attr_num(e->region, "target_node", -1)));
	assert_string_equal(str(dev, "region"), e->region[0] ? base(e->region) : "");
	expected_bus(e, provider, sizeof(provider));
	assert_string_equal(str(dev, "bus"), provider);
	expected_decision(e, &wc, &msync);
	if (json_object_get_boolean(tool_json_get(dev, "write_cache")) != wc)
		fail_msg("%s: write_cache should be %d", json_object_to_json_string(dev), wc);
	if (msync)
		assert_string_equal(str(dev, "flush"), msync);
	assert_string_equal(str(dev, "mode"), expected_mode(e));
	assert_true(str(dev, "reason")[0] != '\0');
	assert_string_equal(str(dev, "path") + 5, e->name);
}

static json_object *find(json_object *arr, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *d = json_object_array_get_idx(arr, i);

		if (!strcmp(str(d, "chardev"), name) || !strcmp(str(d, "blockdev"), name))
			return d;
	}
	return NULL;
}

static json_object *list_json(const char *const *args, bool as_nobody)
{
	const char *env[] = { tool_tree_env(getenv("DAXDEV_TOOL_TREE")), NULL };
	struct tool_out r;
	json_object *doc;

	tool_run(&r, env, NULL, as_nobody, args);
	if (r.status)
		fail_msg("list exit %d: %s", r.status, r.err);
	assert_string_equal(r.err, "");
	doc = tool_json(&r);
	tool_out_free(&r);
	return doc;
}

/* Every device of the tree, and nothing else, each as sysfs says. */
static void test_list_matches_sysfs(void **state)
{
	json_object *arr = list_json((const char *[]){ "list", "--json", NULL }, false);

	(void)state;
	assert_true(device_count > 0);
	assert_int_equal(json_object_array_length(arr), device_count);
	for (size_t i = 0; i < device_count; i++) {
		json_object *dev = find(arr, devices[i].name);

		if (!dev)
			fail_msg("%s missing from the list", devices[i].name);
		check_device(dev, &devices[i]);
	}
	json_object_put(arr);
}

static size_t count(const char *haystack, const char *needle)
{
	size_t n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Text, -v and -u show the same devices; text keys are the JSON keys. */
static void test_list_text_and_units(void **state)
{
	const char *env[] = { tool_tree_env(getenv("DAXDEV_TOOL_TREE")), NULL };
	json_object *arr = list_json((const char *[]){ "list", "-u", "-v", "--json", NULL }, false);
	struct tool_out r;
	size_t errors = 0;

	(void)state;
	tool_run(&r, env, NULL, false, (const char *[]){ "list", NULL });
	assert_int_equal(r.status, 0);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *d = json_object_array_get_idx(arr, i);
		char line[1024];

		tool_assert_contains(r.out, str(d, "path"));
		if (tool_json_get(d, "error")) {
			/* refused (the portable build): the reason, no decision */
			snprintf(line, sizeof(line), "  error: %s\n", str(d, "error"));
			tool_assert_contains(r.out, line);
			assert_null(tool_json_get(d, "size"));
			errors++;
			continue;
		}
		tool_assert_contains(str(d, "size"), "iB (");
		snprintf(line, sizeof(line), "  write_cache: %s\n",
			 json_object_get_boolean(tool_json_get(d, "write_cache")) ? "on" : "off");
		tool_assert_contains(r.out, line);
		assert_non_null(tool_json_get(d, "details"));
	}
	assert_int_equal(count(r.out, "\n  error: "), errors);
	tool_out_free(&r);
	json_object_put(arr);
}

/* Nothing list needs is root's: an unprivileged user sees the same. */
static void test_list_as_nobody(void **state)
{
	json_object *mine, *theirs;

	(void)state;
	if (!tool_nobody_usable(root))
		skip();
	mine = list_json((const char *[]){ "list", "--json", NULL }, false);
	theirs = list_json((const char *[]){ "list", "--json", NULL }, true);
	assert_string_equal(json_object_to_json_string(mine), json_object_to_json_string(theirs));
	json_object_put(mine);
	json_object_put(theirs);
}

/* name's entry where this build decides for it; NULL, its refusal checked,
 * where the portable build refuses it (a fact about the decision cannot hold). */
static json_object *decided(json_object *arr, const char *name)
{
	const struct expect *e = expect_of(name);
	json_object *d = find(arr, name);

	if (!d)
		fail_msg("%s missing from the list", name);
	if (!refused_here(e))
		return d;
	check_refused(d, e);
	return NULL;
}

/* name's key is want, where this build decides for name. */
static void decided_int(json_object *arr, const char *name, const char *key, int want)
{
	json_object *d = decided(arr, name);

	if (d)
		assert_int_equal(json_object_get_int(tool_json_get(d, key)), want);
}

static void decided_str(json_object *arr, const char *name, const char *key, const char *want)
{
	json_object *d = decided(arr, name);

	if (d)
		assert_string_equal(str(d, key), want);
}

static void facts_cpu_cache(json_object *arr)
{
	decided_int(arr, "dax0.0", "write_cache", 0);
	decided_str(arr, "pmem1", "flush", "none");
	decided_str(arr, "pmem2", "bus", "virtio-pmem");
	decided_str(arr, "pmem3", "bus", "e820");
	/* the namespace's map, shown whether or not the build can open it */
	assert_string_equal(str(find(arr, "pmem1"), "map"), "dev");
	assert_string_equal(str(find(arr, "pmem3"), "map"), "mem");
}

static void facts_dirty_shutdown(json_object *arr)
{
	decided_int(arr, "dax0.0", "dirty_shutdown", 3);
	decided_int(arr, "pmem1", "dirty_shutdown", 0);
	assert_null(tool_json_get(find(arr, "pmem2"), "dirty_shutdown"));
}

static void facts_badblocks(json_object *arr)
{
	decided_int(arr, "dax0.0", "badblock_count", 2);
	decided_int(arr, "pmem1", "badblock_count", 1);
}

static void facts_badblocks_nonroot(json_object *arr)
{
	json_object *d = decided(arr, "dax0.0");

	if (!d)
		return;
	assert_null(tool_json_get(d, "badblock_count"));
	assert_int_equal(json_object_get_int(tool_json_get(d, "region_badblock_count")), 3);
	assert_string_equal(json_object_to_json_string(tool_json_get(d, "root_only")),
			    "[ \"badblock_count\" ]");
}

/* The kernel marks every CXL pmem region memory_controller: write cache on. */
static void facts_cxl(json_object *arr)
{
	size_t cxl = 0;
	char bus[64];

	for (size_t i = 0; i < device_count; i++) {
		json_object *d;

		expected_bus(&devices[i], bus, sizeof(bus));
		if (strcmp(bus, "CXL"))
			continue;
		cxl++;
		d = decided(arr, devices[i].name);
		if (!d) {
			tool_assert_contains(str(find(arr, devices[i].name), "error"),
					     "memory_controller");
			continue;
		}
		assert_string_equal(str(d, "bus"), "CXL");
		assert_true(json_object_get_boolean(tool_json_get(d, "write_cache")));
		tool_assert_contains(str(d, "reason"), "memory_controller");
	}
	assert_true(cxl > 0);
}

static void facts_hmem(json_object *arr)
{
	json_object *d = decided(arr, "dax1.0");

	if (!d)
		return;
	assert_string_equal(str(d, "persistence"), "volatile");
	assert_int_equal(json_object_get_int(tool_json_get(d, "target_node")), 2);
}

/* What this tree is known to show beyond the generic rules. */
static void test_list_known_facts(void **state)
{
	static const struct {
		const char *tree;
		void (*check)(json_object *arr);
	} facts[] = {
		{ "sysfs-6.1/cpu-cache", facts_cpu_cache },
		{ "sysfs-made/dirty-shutdown", facts_dirty_shutdown },
		{ "sysfs-made/badblocks", facts_badblocks },
		{ "sysfs-made/badblocks-nonroot", facts_badblocks_nonroot },
		{ "sysfs-6.1/cxl", facts_cxl },
		{ "sysfs-made/hmem", facts_hmem },
	};
	const char *tree = getenv("DAXDEV_TOOL_TREE");
	json_object *arr = list_json((const char *[]){ "list", "--json", NULL }, false);

	(void)state;
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		if (!strcmp(tree, facts[i].tree))
			facts[i].check(arr);
	json_object_put(arr);
}

/* Filesystems from the mount table, on the disk and on its partitions. */
static void test_list_mounts(void **state)
{
	char path[] = "/tmp/daxdev-mountinfo-XXXXXX", env_mi[64];
	const char *env[] = { tool_tree_env(getenv("DAXDEV_TOOL_TREE")), env_mi, NULL };
	json_object *arr, *m;
	struct tool_out r;
	FILE *f;
	int fd = mkstemp(path);

	(void)state;
	if (strcmp(getenv("DAXDEV_TOOL_TREE"), "sysfs-made/partition"))
		skip();
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	      "40 22 259:0 / /mnt/a rw,relatime shared:9 - ext4 /dev/pmem1 rw,dax=always\n"
	      "41 22 259:3 / /mnt/with\\040space rw shared:10 - xfs /dev/pmem1p1 rw,dax\n"
	      "42 22 259:1 / /mnt/c rw shared:11 - ext4 /dev/pmem2 rw\n", f);
	fclose(f);
	snprintf(env_mi, sizeof(env_mi), "DAXDEV_TOOL_MOUNTINFO=%s", path);
	tool_run(&r, env, NULL, false, (const char *[]){ "list", "--json", NULL });
	assert_int_equal(r.status, 0);
	arr = tool_json(&r);
	m = tool_json_get(find(arr, "pmem1"), "mounts");
	assert_int_equal(json_object_array_length(m), 2);
	assert_string_equal(str(json_object_array_get_idx(m, 0), "mountpoint"), "/mnt/a");
	assert_string_equal(str(json_object_array_get_idx(m, 0), "dax"), "always");
	assert_string_equal(str(json_object_array_get_idx(m, 1), "mountpoint"), "/mnt/with space");
	assert_string_equal(str(json_object_array_get_idx(m, 1), "partition"), "pmem1p1");
	assert_string_equal(str(json_object_array_get_idx(m, 1), "fstype"), "xfs");
	m = tool_json_get(find(arr, "pmem2"), "mounts");
	assert_string_equal(str(json_object_array_get_idx(m, 0), "dax"), "no");
	assert_null(tool_json_get(find(arr, "dax0.0"), "mounts"));
	json_object_put(arr);
	tool_out_free(&r);
	unlink(path);
}

/* Usage errors exit 2, an unreadable mount table 1, each with one line. */
static void test_list_bad_input(void **state)
{
	const char *env[] = { tool_tree_env(getenv("DAXDEV_TOOL_TREE")),
			      "DAXDEV_TOOL_MOUNTINFO=/nonexistent/mountinfo", NULL };
	struct tool_out r;

	(void)state;
	tool_run(&r, env, NULL, false, (const char *[]){ "list", "extra", NULL });
	assert_int_equal(r.status, 2);
	tool_assert_one_line(r.err);
	tool_out_free(&r);
	tool_run(&r, env, NULL, false, (const char *[]){ "list", "--bogus", NULL });
	assert_int_equal(r.status, 2);
	tool_assert_contains(r.err, "unknown option '--bogus'");
	tool_out_free(&r);
	tool_run(&r, env, NULL, false, (const char *[]){ "list", NULL });
	assert_int_equal(r.status, 1);
	tool_assert_one_line(r.err);
	tool_assert_contains(r.err, "/nonexistent/mountinfo");
	tool_out_free(&r);
	tool_run(&r, env, NULL, false, (const char *[]){ "list", "--help", NULL });
	assert_int_equal(r.status, 0);
	tool_assert_contains(r.out, "usage: daxdev list");
	tool_out_free(&r);
}

int main(void)
{
	const char *dir = getenv("DAXDEV_TEST_FIXTURES"), *tree = getenv("DAXDEV_TOOL_TREE");
	char path[PATH_MAX];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_matches_sysfs),
		cmocka_unit_test(test_list_text_and_units),
		cmocka_unit_test(test_list_as_nobody),
		cmocka_unit_test(test_list_known_facts),
		cmocka_unit_test(test_list_mounts),
		cmocka_unit_test(test_list_bad_input),
	};

	if (!dir || !tree)
		return 99;
	snprintf(path, sizeof(path), "%s/%s", dir, tree);
	if (!realpath(path, root))
		return 99;
	device_count = expected_devices(devices, sizeof(devices) / sizeof(devices[0]));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
