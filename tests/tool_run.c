/* Helpers of the daxdev(1) tests: run the tool in a child, capture stdout and stderr. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "tool_run.h"

static char *slurp(FILE *f, size_t *len)
{
	long n;
	char *buf;

	fflush(f);
	n = ftell(f);
	assert_true(n >= 0);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	if (len)
		*len = (size_t)n;
	fclose(f);
	return buf;
}

static void child(const char *const *env, const char *in, bool as_nobody, const char *const *argv,
		  int out, int err)
{
	const char *tool = getenv("DAXDEV_TOOL");
	const char *args[64] = { "daxdev" };
	int fd = open(in ? in : "/dev/null", O_RDONLY);
	size_t n = 1;

	for (; env && *env; env++) {
		char name[256];
		const char *eq = strchr(*env, '=');

		snprintf(name, sizeof(name), "%.*s", (int)(eq - *env), *env);
		if (eq[1])
			setenv(name, eq + 1, 1);
		else
			unsetenv(name);
	}
	for (; *argv && n < 63; argv++)
		args[n++] = *argv;
	args[n] = NULL;
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	if (as_nobody && (setgid(65534) || setuid(65534)))
		_exit(125);
	execv(tool, (char *const *)args);
	_exit(127);
}

void tool_run(struct tool_out *r, const char *const *env, const char *in, bool as_nobody,
	      const char *const *argv)
{
	FILE *out = tmpfile(), *err = tmpfile();
	int status;
	pid_t pid;

	assert_non_null(getenv("DAXDEV_TOOL"));
	assert_true(out && err);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child(env, in, as_nobody, argv, fileno(out), fileno(err));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fseek(out, 0, SEEK_END);
	fseek(err, 0, SEEK_END);
	r->out = slurp(out, &r->out_len);
	r->err = slurp(err, NULL);
}

void tool_out_free(struct tool_out *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

const char *tool_tree_env(const char *tree)
{
	static char env[PATH_MAX + 32];
	const char *dir = getenv("DAXDEV_TEST_FIXTURES");

	assert_non_null(dir);
	snprintf(env, sizeof(env), "DAXDEV_SYSFS_ROOT=%s/%s", dir, tree);
	return env;
}

json_object *tool_json(const struct tool_out *r)
{
	json_object *doc = json_tokener_parse(r->out);

	if (!doc)
		fail_msg("not JSON (exit %d): %s\nstderr: %s", r->status, r->out, r->err);
	return doc;
}

json_object *tool_json_get(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

void tool_assert_contains(const char *haystack, const char *needle)
{
	/* NULL spelled out: gcc's -Wformat-overflow sees a NULL path under ASan */
	if (!haystack || !strstr(haystack, needle))
		fail_msg("'%s' does not contain '%s'", haystack ? haystack : "(null)", needle);
}

void tool_assert_one_line(const char *err)
{
	const char *nl = strchr(err, '\n');

	if (!nl || nl[1])
		fail_msg("stderr is not exactly one line: '%s'", err);
}

void tool_assert_refusal_msg(const char *msg, const char *name)
{
	char start[128];

	snprintf(start, sizeof(start), "%s: the write cache is on (", name);
	tool_assert_contains(msg, start);
	tool_assert_contains(msg, TOOL_NO_WRITE_BACK);
}

void tool_assert_refused(const struct tool_out *r, const char *name, int status)
{
	if (r->status != status)
		fail_msg("exit %d, want %d: %s", r->status, status, r->err);
	assert_int_equal(r->out_len, 0);
	tool_assert_one_line(r->err);
	tool_assert_refusal_msg(r->err, name);
}

bool tool_nobody_usable(const char *path)
{
	struct tool_out r;
	int status;
	pid_t pid;
	bool ok;

	if (geteuid() != 0)
		return false;
	tool_run(&r, NULL, NULL, true, (const char *[]){ "--version", NULL });
	ok = r.status == 0;
	tool_out_free(&r);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(setgid(65534) || setuid(65534) || access(path, R_OK | X_OK));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
