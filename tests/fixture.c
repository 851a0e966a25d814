/* SPDX-License-Identifier: MIT */
/* Helpers of the fixture-tree tests (fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <cmocka.h>
#include "fixture.h"

char workdir[PATH_MAX];

const char *use_tree(const char *tree)
{
	static char root[PATH_MAX];
	const char *dir = getenv("DAXDEV_TEST_FIXTURES");

	assert_non_null(dir);
	snprintf(root, sizeof(root), "%s/%s", dir, tree);
	assert_int_equal(access(root, F_OK), 0);
	setenv("DAXDEV_SYSFS_ROOT", root, 1);
	return root;
}

int reset_env(void **state)
{
	(void)state;
	unsetenv("DAXDEV_SYSFS_ROOT");
	return 0;
}

void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("'%s' does not contain '%s'", haystack, needle);
}

int make_workdir(void **state)
{
	struct statfs sfs;
	const char *base = "/tmp";

	(void)state;
	if (!statfs(base, &sfs) && (unsigned long)sfs.f_type == TMPFS_MAGIC_VALUE)
		base = ".";
	snprintf(workdir, sizeof(workdir), "%s/daxdev-fixture-XXXXXX", base);
	return mkdtemp(workdir) ? 0 : -1;
}

int remove_workdir(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	return system(cmd) == 0 ? 0 : -1;
}
