/* SPDX-License-Identifier: MIT */
/*
 * Shared by the tests that run against tests/fixtures (devdax_sysfs, fsdax,
 * write_cache_refusal, probe, badblocks): choose a sysfs tree, check a
 * message, and a scratch directory on a disk filesystem.
 */
#ifndef DAXDEV_TESTS_FIXTURE_H
#define DAXDEV_TESTS_FIXTURE_H

#include <limits.h>

#define TMPFS_MAGIC_VALUE 0x01021994

/* Point DAXDEV_SYSFS_ROOT at $DAXDEV_TEST_FIXTURES/<tree>, which must
 * exist; returns that root (valid until the next call). */
const char *use_tree(const char *tree);
/* CMocka teardown: DAXDEV_SYSFS_ROOT unset. */
int reset_env(void **state);
/* Fails the test, quoting both, unless haystack contains needle. */
void assert_contains(const char *haystack, const char *needle);

/* CMocka group setup and teardown: workdir is a new directory in /tmp,
 * or in the working directory (the build directory) when /tmp is tmpfs:
 * the msync assertions need page-cache files. */
extern char workdir[PATH_MAX];
int make_workdir(void **state);
int remove_workdir(void **state);

#endif
