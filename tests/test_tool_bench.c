/* daxdev bench: results for every size asked, the target's bytes restored, bad sizes refused (and, in the portable build, a write cache it cannot write back). */
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

static const char *const no_tree[] = { "DAXDEV_SYSFS_ROOT=", NULL };

static void test_bench_file(void **state)
{
	char path[PATH_MAX];
	unsigned char data[8192], back[8192];
	json_object *doc, *results;
	struct tool_out r;
	FILE *f;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/daxdev-bench-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7);
	assert_int_equal(write(fd, data, sizeof(data)), sizeof(data));
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);
	tool_run(&r, no_tree, NULL, false,
		 (const char *[]){ "bench", "--sizes", "64,4K", "--json", path, NULL });
	assert_int_equal(r.status, 0);
	assert_null(strchr(r.err, '\r'));
	doc = tool_json(&r);
	results = tool_json_get(doc, "results");
	assert_int_equal(json_object_array_length(results), 2);
	for (int i = 0; i < 2; i++) {
		json_object *o = json_object_array_get_idx(results, i);

		assert_int_equal(json_object_get_int(tool_json_get(o, "size")), i ? 4096 : 64);
		assert_true(json_object_get_int64(tool_json_get(o, "ops")) > 0);
		assert_true(json_object_get_double(tool_json_get(o, "latency_ns")) > 0);
	}
	assert_string_equal(json_object_get_string(tool_json_get(doc, "flush")), "msync");
	json_object_put(doc);
	tool_out_free(&r);
	f = fopen(path, "r");
	assert_int_equal(fread(back, 1, sizeof(back), f), sizeof(back));
	fclose(f);
	assert_memory_equal(back, data, sizeof(data));
	unlink(path);
}

static void test_bench_text_and_errors(void **state)
{
	struct tool_out r;

	(void)state;
	tool_run(&r, no_tree, NULL, false, (const char *[]){ "bench", "-s", "256", "anon:1M", NULL });
	assert_int_equal(r.status, 0);
	tool_assert_contains(r.out, "anon: durable writes");
	tool_assert_contains(r.out, " ns avg");
	tool_out_free(&r);
	tool_run(&r, no_tree, NULL, false, (const char *[]){ "bench", "-s", "0", "anon:1M", NULL });
	assert_int_equal(r.status, 2);
	tool_assert_one_line(r.err);
	tool_out_free(&r);
	tool_run(&r, no_tree, NULL, false, (const char *[]){ "bench", "-s", "2M", "anon:1M", NULL });
	assert_int_equal(r.status, 1);
	tool_assert_contains(r.err, "no room for 2097152");
	tool_out_free(&r);
	tool_run(&r, no_tree, NULL, false, (const char *[]){ "bench", "/nonexistent", NULL });
	assert_int_equal(r.status, 1);
	tool_assert_one_line(r.err);
	tool_out_free(&r);
	tool_run(&r, no_tree, NULL, false, (const char *[]){ "bench", "--help", NULL });
	assert_int_equal(r.status, 0);
	tool_assert_contains(r.out, "usage: daxdev bench");
	tool_out_free(&r);
	if (!TOOL_NO_CPU_FLUSH)
		return;
	/* the portable build cannot write back a write cache that is on */
	tool_run(&r, (const char *[]){ tool_tree_env("sysfs-made/zero-1g"), NULL }, NULL, false,
		 (const char *[]){ "bench", "--json", "/dev/zero", NULL });
	tool_assert_refused(&r, "dax0.0", 1);
	tool_out_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bench_file),
		cmocka_unit_test(test_bench_text_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
