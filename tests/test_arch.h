/* SPDX-License-Identifier: MIT */
/* What test_arch.c shares with the per-ISA selection tests beside it. */
#ifndef DAXDEV_TEST_ARCH_H
#define DAXDEV_TEST_ARCH_H

#include <stdbool.h>

#include <arch/arch.h>

/* The message daxdev_err() left (the test provides it), and the policy each
 * test passes to daxdev_arch_select(); both reset by clean_policy(). */
extern char last_error[256];
extern struct daxdev_arch_policy policy;

int clean_policy(void **state);
struct daxdev_arch select_ok(void);
int select_rc(void);
bool cpu_has(const char *feature);
bool proc_cpuinfo_has(const char *key, const char *flag);

#define T(fn) cmocka_unit_test_setup_teardown(fn, clean_policy, clean_policy)

/* test_arch_aarch64.c: its own cmocka group; the number of failures. */
int run_aarch64_select_tests(void);

#endif
