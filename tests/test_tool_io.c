/* daxdev dump, restore, zero: byte-for-byte round trips, ranges never overrun, bad blocks refused or skipped, errors and exit codes, the portable build's refusal of a write cache it cannot write back. */
#include <fcntl.h>
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

#define SIZE (3u << 20)
#define MiB (1u << 20)

static char dev_path[PATH_MAX], data_path[PATH_MAX], out_path[PATH_MAX];
static const char *const no_tree[] = { "DAXDEV_SYSFS_ROOT=", NULL };

static void temp_name(char *buf, const char *what)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(buf, PATH_MAX, "%s/daxdev-%s-XXXXXX", tmp ? tmp : "/tmp", what);
	fd = mkstemp(buf);
	assert_true(fd >= 0);
	close(fd);
}

static void write_file(const char *path, const unsigned char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static unsigned char *read_file(const char *path, size_t *len)
{
	unsigned char *buf = malloc(SIZE + 1);
	FILE *f = fopen(path, "r");

	assert_true(buf && f);
	*len = fread(buf, 1, SIZE + 1, f);
	fclose(f);
	return buf;
}

static void pattern(unsigned char *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)((i * 131 + seed) ^ (i >> 9));
}

static int setup(void **state)
{
	unsigned char *zeros = calloc(1, SIZE);

	(void)state;
	temp_name(dev_path, "dev");
	temp_name(data_path, "data");
	temp_name(out_path, "out");
	write_file(dev_path, zeros, SIZE);
	free(zeros);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(dev_path);
	unlink(data_path);
	unlink(out_path);
	return 0;
}

static int run(const char *const *env, const char *in, const char *const *argv, struct tool_out *r)
{
	tool_run(r, env, in, false, argv);
	if (strchr(r->err, '\r'))
		fail_msg("a progress bar although stderr is not a terminal: %s", r->err);
	return r->status;
}

/* restore from stdin, dump to stdout: the same bytes. */
static void test_round_trip(void **state)
{
	unsigned char *data = malloc(SIZE), *back;
	struct tool_out r;
	size_t len;

	(void)state;
	pattern(data, SIZE, 7);
	write_file(data_path, data, SIZE);
	assert_int_equal(run(no_tree, data_path, (const char *[]){ "restore", dev_path, NULL }, &r), 0);
	tool_out_free(&r);
	assert_int_equal(run(no_tree, NULL, (const char *[]){ "dump", dev_path, NULL }, &r), 0);
	assert_int_equal(r.out_len, SIZE);
	assert_memory_equal(r.out, data, SIZE);
	tool_out_free(&r);
	assert_int_equal(run(no_tree, NULL, (const char *[]){ "dump", "--output", out_path, dev_path,
				     NULL }, &r), 0);
	back = read_file(out_path, &len);
	assert_int_equal(len, SIZE);
	assert_memory_equal(back, data, SIZE);
	tool_out_free(&r);
	free(back);
	free(data);
}

/* A range: nothing written before or after it, even from a longer input. */
static void test_ranges(void **state)
{
	unsigned char *before, *after, *input = malloc(MiB);
	struct tool_out r;
	size_t len;

	(void)state;
	before = read_file(dev_path, &len);
	pattern(input, MiB, 99);
	write_file(data_path, input, MiB);
	assert_int_equal(run(no_tree, NULL, (const char *[]){ "restore", "--input", data_path,
				     "--offset", "4097", "--length", "100", dev_path, NULL }, &r), 0);
	tool_out_free(&r);
	after = read_file(dev_path, &len);
	assert_memory_equal(after, before, 4097);
	assert_memory_equal(after + 4097, input, 100);
	assert_memory_equal(after + 4197, before + 4197, SIZE - 4197);
	free(after);
	/* dump of the same range */
	assert_int_equal(run(no_tree, NULL, (const char *[]){ "dump", "-o", "4097", "-l", "100",
				     dev_path, NULL }, &r), 0);
	assert_int_equal(r.out_len, 100);
	assert_memory_equal(r.out, input, 100);
	tool_out_free(&r);
	/* zero a range */
	assert_int_equal(run(no_tree, NULL, (const char *[]){ "zero", "--offset", "4100",
				     "--length", "10", dev_path, NULL }, &r), 0);
	tool_out_free(&r);
	after = read_file(dev_path, &len);
	for (int i = 0; i < 10; i++)
		assert_int_equal(after[4100 + i], 0);
	assert_memory_equal(after + 4097, input, 3);
	assert_memory_equal(after + 4110, input + 13, 87);
	free(after);
	free(before);
	free(input);
}

static void expect_error(const char *in, const char *const *argv, int status, const char *why)
{
	struct tool_out r;

	if (run(no_tree, in, argv, &r) != status)
		fail_msg("%s: exit %d, want %d: %s", argv[0], r.status, status, r.err);
	tool_assert_one_line(r.err);
	tool_assert_contains(r.err, why);
	tool_out_free(&r);
}

static void test_errors(void **state)
{
	unsigned char small[10] = { 1 };

	(void)state;
	write_file(data_path, small, sizeof(small));
	expect_error(data_path, (const char *[]){ "restore", "--length", "100", dev_path, NULL }, 1,
		     "the input ended after 10 of the 100 bytes");
	expect_error(NULL, (const char *[]){ "dump", "--offset", "4M", dev_path, NULL }, 1,
		     "past the end");
	expect_error(NULL, (const char *[]){ "zero", "-o", "3M", "-l", "1", dev_path, NULL }, 1,
		     "past the end");
	expect_error(NULL, (const char *[]){ "dump", "/nonexistent", NULL }, 1, "No such file");
	expect_error(NULL, (const char *[]){ "zero", "/tmp", NULL }, 1, "is a directory");
	expect_error(NULL, (const char *[]){ "dump", "--length", "12Q", dev_path, NULL }, 2,
		     "--length '12Q': not a size");
	expect_error(NULL, (const char *[]){ "restore", "--input", "/nonexistent", dev_path, NULL },
		     1, "/nonexistent");
	expect_error(NULL, (const char *[]){ "zero", NULL }, 2, "a TARGET is needed");
	expect_error(NULL, (const char *[]){ "dump", "--input", "x", dev_path, NULL }, 2,
		     "--input does not apply to dump");
}

/* The portable build cannot write back the CPU cache of the tree's dax0.0
 * (write cache on): dump, restore and zero refuse it, nothing written out. */
static void expect_no_write_back(const char *tree_env)
{
	static const char *const cmds[] = { "dump", "restore", "zero" };
	struct tool_out r;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		run((const char *[]){ tree_env, NULL }, data_path,
		    (const char *[]){ cmds[i], "/dev/zero", NULL }, &r);
		tool_assert_refused(&r, "dax0.0", 1);
		tool_out_free(&r);
	}
}

/* /dev/zero posing as dax0.0 with bad pages 2 (4 MiB..6 MiB) and 124; in the
 * portable build, refused, then with the write cache declared off by the user. */
static void test_bad_blocks(void **state)
{
	const char *const tree[] = { tool_tree_env("sysfs-made/badblocks"),
				     TOOL_NO_CPU_FLUSH ? "DAXDEV_WRITE_CACHE=0" : NULL, NULL };
	struct tool_out r;
	unsigned char zeros[4096] = { 0 };

	(void)state;
	if (TOOL_NO_CPU_FLUSH)
		expect_no_write_back(tree[0]);
	expect_error(NULL, (const char *[]){ "zero", "/dev/zero", NULL }, 1, "");
	assert_int_equal(run(tree, NULL, (const char *[]){ "dump", "-o", "3M", "-l", "4M",
				     "/dev/zero", NULL }, &r), 1);
	tool_assert_contains(r.err, "bad block at offset 4194304 (2097152 bytes) in the range");
	assert_int_equal(r.out_len, 0);
	tool_out_free(&r);
	assert_int_equal(run(tree, NULL, (const char *[]){ "dump", "--skip-bad", "-o", "3M", "-l",
				     "4M", "/dev/zero", NULL }, &r), 0);
	tool_assert_contains(r.err, "skipped bad range at offset 4194304 (2097152 bytes)");
	assert_int_equal(r.out_len, 4 * MiB);
	assert_memory_equal(r.out + MiB, zeros, sizeof(zeros));
	tool_out_free(&r);
	/* refused before anything is written */
	write_file(data_path, zeros, sizeof(zeros));
	assert_int_equal(run(tree, data_path, (const char *[]){ "restore", "-o", "6M", "-l",
				     "300M", "/dev/zero", NULL }, &r), 1);
	tool_out_free(&r);
	assert_int_equal(run(tree, NULL, (const char *[]){ "zero", "--skip-bad", "-o", "2M",
				     "-l", "6M", "/dev/zero", NULL }, &r), 0);
	tool_assert_contains(r.err, "1 bad range skipped");
	tool_out_free(&r);
	/* a range clear of bad pages needs no --skip-bad */
	assert_int_equal(run(tree, NULL, (const char *[]){ "zero", "-o", "6M", "-l", "2M",
				     "/dev/zero", NULL }, &r), 0);
	tool_out_free(&r);
}

/* On a terminal (script(1) gives one) the bar is drawn up to 100%. */
static void test_progress_on_terminal(void **state)
{
	char cmd[PATH_MAX * 2 + 64], buf[65536];
	size_t n;
	FILE *p;

	(void)state;
	if (access("/usr/bin/script", X_OK))
		skip();
	snprintf(cmd, sizeof(cmd), "DAXDEV_SYSFS_ROOT= script -qec '%s zero %s' /dev/null",
		 getenv("DAXDEV_TOOL"), dev_path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	assert_int_equal(pclose(p), 0);
	tool_assert_contains(buf, "zero     [########################################] 100.0%");
}

static void test_help(void **state)
{
	static const char *const cmds[] = { "dump", "restore", "zero" };
	struct tool_out r;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(run(no_tree, NULL, (const char *[]){ cmds[i], "--help", NULL }, &r), 0);
		tool_assert_contains(r.out, "usage: daxdev ");
		tool_assert_contains(r.out, "--skip-bad");
		tool_out_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bad_blocks),
		cmocka_unit_test(test_progress_on_terminal),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
