/* daxdev info and daxdev check: every kind of target, the verdicts and their exit codes, bad input, the portable build's refusal of a write cache it cannot write back. */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "tool_run.h"

static char file_path[PATH_MAX];

static int make_file(void **state)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	(void)state;
	snprintf(file_path, sizeof(file_path), "%s/daxdev-tool-XXXXXX", tmp ? tmp : "/tmp");
	fd = mkstemp(file_path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4 << 20), 0);
	close(fd);
	return 0;
}

static int remove_file(void **state)
{
	(void)state;
	unlink(file_path);
	return 0;
}

/* info --json on target; over is an extra "NAME=value" or NULL. */
static json_object *info_json(const char *tree, const char *over, const char *target)
{
	const char *env[] = { tree ? tool_tree_env(tree) : "DAXDEV_SYSFS_ROOT=", over, NULL };
	struct tool_out r;
	json_object *doc;

	tool_run(&r, env, NULL, false, (const char *[]){ "info", "--json", target, NULL });
	if (r.status)
		fail_msg("info %s: exit %d: %s", target, r.status, r.err);
	doc = tool_json(&r);
	tool_out_free(&r);
	return doc;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v = tool_json_get(o, key);

	return v ? json_object_get_string(v) : "";
}

/* The portable build refuses /dev/zero posing as the tree's dax0.0, whose
 * write cache is on: args on it fail with status.  Returns what lets the rest
 * of a test run there (the write cache declared off by the user), else NULL. */
static const char *refused_zero(const char *tree, const char *const *args, int status)
{
	struct tool_out r;

	if (!TOOL_NO_CPU_FLUSH)
		return NULL;
	tool_run(&r, (const char *[]){ tool_tree_env(tree), NULL }, NULL, false, args);
	tool_assert_refused(&r, "dax0.0", status);
	tool_out_free(&r);
	return "DAXDEV_WRITE_CACHE=0";
}

/* /dev/zero posing as dax0.0 (test-only tree): probed, as the open decides. */
static void test_info_devdax(void **state)
{
	const char *tree = "sysfs-made/badblocks";
	const char *over = refused_zero(tree, (const char *[]){ "info", "--json", "/dev/zero",
								NULL }, 1);
	json_object *o = info_json(tree, over, "/dev/zero");

	(void)state;
	assert_string_equal(str(o, "provider"), "devdax");
	assert_string_equal(str(o, "host"), "dax0.0");
	assert_int_equal(json_object_get_int64(tool_json_get(o, "size")), 262144000);
	assert_int_equal(json_object_get_int64(tool_json_get(o, "align")), 2 << 20);
	assert_true(json_object_get_boolean(tool_json_get(o, "probed")));
	assert_int_equal(json_object_get_boolean(tool_json_get(o, "write_cache")), !over);
	assert_int_equal(json_object_get_int(tool_json_get(o, "badblock_count")), 2);
	assert_string_equal(str(o, "bus"), "ACPI.NFIT");
	tool_assert_contains(json_object_to_json_string(tool_json_get(o, "details")),
			     "bad range: offset 4198400 length 4096");
	json_object_put(o);
}

/* Every target kind the library opens. */
static void test_info_targets(void **state)
{
	static const char *const targets[][2] = {
		{ "anon:4M", "anon" }, { "linear:anon:1M,anon:1M", "linear" },
		{ "stripe:4K:anon:1M,anon:1M", "stripe" }, { "crashsim:anon:1M", "crashsim" },
	};
	json_object *o;

	(void)state;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		o = info_json(NULL, NULL, targets[i][0]);
		assert_string_equal(str(o, "provider"), targets[i][1]);
		assert_false(json_object_get_boolean(tool_json_get(o, "probed")));
		json_object_put(o);
	}
	o = info_json(NULL, NULL, file_path);
	assert_string_equal(str(o, "provider"), "fsdax");
	assert_true(json_object_get_boolean(tool_json_get(o, "probed")));
	assert_int_equal(json_object_get_int64(tool_json_get(o, "size")), 4 << 20);
	json_object_put(o);
}

static void test_info_text(void **state)
{
	const char *over = refused_zero("sysfs-made/zero-1g",
					(const char *[]){ "info", "/dev/zero", NULL }, 1);
	const char *env[] = { tool_tree_env("sysfs-made/zero-1g"), over, NULL };
	struct tool_out r;

	(void)state;
	tool_run(&r, env, NULL, false, (const char *[]){ "info", "/dev/zero", NULL });
	assert_int_equal(r.status, 0);
	tool_assert_contains(r.out, "provider: devdax\n");
	tool_assert_contains(r.out, "align: 1073741824\n");
	tool_assert_contains(r.out, "probed: yes");
	tool_out_free(&r);
}

/* Bad input: one line naming the cause, exit 1; usage errors exit 2. */
static void expect_fail(const char *const *argv, int status, const char *why, bool as_nobody)
{
	struct tool_out r;

	tool_run(&r, (const char *[]){ "DAXDEV_SYSFS_ROOT=", NULL }, NULL, as_nobody, argv);
	if (r.status != status)
		fail_msg("%s %s: exit %d, want %d: %s", argv[0], argv[1] ? argv[1] : "", r.status,
			 status, r.err);
	tool_assert_one_line(r.err);
	tool_assert_contains(r.err, why);
	assert_string_equal(r.out, "");
	tool_out_free(&r);
}

static void test_info_bad_input(void **state)
{
	char path[PATH_MAX + 16];

	(void)state;
	expect_fail((const char *[]){ "info", "/nonexistent", NULL }, 1, "No such file", false);
	expect_fail((const char *[]){ "info", "/tmp", NULL }, 1, "is a directory", false);
	expect_fail((const char *[]){ "info", "/dev/null", NULL }, 1, "not a device-dax", false);
	expect_fail((const char *[]){ "info", "anon:12Q", NULL }, 1, "anon", false);
	expect_fail((const char *[]){ "info", NULL }, 2, "a TARGET is needed", false);
	expect_fail((const char *[]){ "info", "a", "b", NULL }, 2, "one TARGET only", false);
	expect_fail((const char *[]){ "info", "-x", "a", NULL }, 2, "unknown option '-x'", false);
	expect_fail((const char *[]){ "frobnicate", NULL }, 2, "unknown command", false);
	if (tool_nobody_usable("/tmp")) {
		snprintf(path, sizeof(path), "%s", file_path);
		assert_int_equal(chmod(path, 0600), 0);
		expect_fail((const char *[]){ "info", path, NULL }, 1, "Permission denied", true);
	}
}

static struct tool_out check(const char *const *env, const char *target)
{
	struct tool_out r;

	tool_run(&r, env, NULL, false, (const char *[]){ "check", target, NULL });
	return r;
}

/* check on /dev/zero posing as the tree's dax0.0, write cache on.  The
 * portable build cannot check it (2); there it is then checked with the write
 * cache declared off, which check reports as one more problem. */
static struct tool_out check_zero(const char *tree)
{
	const char *over = refused_zero(tree, (const char *[]){ "check", "/dev/zero", NULL }, 2);
	struct tool_out r = check((const char *[]){ tool_tree_env(tree), over, NULL }, "/dev/zero");

	if (over)
		tool_assert_contains(r.out, "PROBLEM  write cache");
	return r;
}

/* 0 fine, 1 problems (each with its fix), 2 could not check. */
static void test_check_verdicts(void **state)
{
	struct tool_out r;

	(void)state;
	r = check_zero("sysfs-made/zero-1g");
	assert_int_equal(r.status, TOOL_NO_CPU_FLUSH ? 1 : 0);
	tool_assert_contains(r.out, "ok       bad blocks");
	tool_out_free(&r);
	/* the platform flushes the CPU caches: fine in every build */
	r = check((const char *[]){ tool_tree_env("sysfs-made/zero-cpu-cache"), NULL }, "/dev/zero");
	assert_int_equal(r.status, 0);
	tool_assert_contains(r.out, "ok       write cache  off, flush none");
	tool_out_free(&r);
	r = check_zero("sysfs-made/badblocks");
	assert_int_equal(r.status, 1);
	tool_assert_contains(r.out, "PROBLEM  bad blocks   2 bad ranges");
	tool_assert_contains(r.out, "fix: ");
	tool_out_free(&r);
	r = check_zero("sysfs-made/badblocks-nonroot");
	assert_int_equal(r.status, TOOL_NO_CPU_FLUSH ? 1 : 0);
	tool_assert_contains(r.out, "note     bad blocks   region0 has 3 bad ranges");
	tool_out_free(&r);
	/* a user override that drops flushing the platform needs */
	r = check((const char *[]){ tool_tree_env("sysfs-made/zero-1g"), "DAXDEV_WRITE_CACHE=0",
				    NULL }, "/dev/zero");
	assert_int_equal(r.status, 1);
	tool_assert_contains(r.out, "PROBLEM  write cache");
	tool_out_free(&r);
	/* a page-cache file: durable, but only through msync */
	r = check((const char *[]){ "DAXDEV_SYSFS_ROOT=", NULL }, file_path);
	assert_int_equal(r.status, 1);
	tool_assert_contains(r.out, "PROBLEM  MAP_SYNC");
	tool_out_free(&r);
	r = check((const char *[]){ "DAXDEV_SYSFS_ROOT=", NULL }, "/nonexistent");
	assert_int_equal(r.status, 2);
	tool_assert_one_line(r.err);
	tool_out_free(&r);
	r = check((const char *[]){ "DAXDEV_SYSFS_ROOT=", NULL }, "--help");
	assert_int_equal(r.status, 0);
	tool_assert_contains(r.out, "Exit status: 0 fine, 1 problems");
	tool_out_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_devdax),
		cmocka_unit_test(test_info_targets),
		cmocka_unit_test(test_info_text),
		cmocka_unit_test(test_info_bad_input),
		cmocka_unit_test(test_check_verdicts),
	};

	return cmocka_run_group_tests(tests, make_file, remove_file);
}
