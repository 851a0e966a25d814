/* SPDX-License-Identifier: MIT */
/* Helpers of the daxdev(1) tests: run the tool, capture its output, parse JSON. */
#ifndef DAXDEV_TEST_TOOL_RUN_H
#define DAXDEV_TEST_TOOL_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

/* The portable build (-Darch=generic) has no CPU cache write-back: it refuses
 * a device whose write cache is on and whose provider does not flush by itself
 * (docs/arch.md, generic), and the tests check that refusal there. */
#ifdef DAXDEV_TEST_NO_CPU_FLUSH
#define TOOL_NO_CPU_FLUSH true
#else
#define TOOL_NO_CPU_FLUSH false
#endif
/* What the refusal says, after "NAME: the write cache is on (WHY) ". */
#define TOOL_NO_WRITE_BACK "and this build has no way to write it back"

struct tool_out {
	int status;          /* exit status, or 128 + signal */
	char *out, *err;     /* malloc'ed, NUL-terminated */
	size_t out_len;
};

/* Run $DAXDEV_TOOL with argv (NULL-terminated, without the program name).
 * env: NULL-terminated "NAME=value" to set ("NAME=" unsets); in: a file for
 * stdin or NULL (/dev/null); as_nobody: drop to uid/gid 65534 first. */
void tool_run(struct tool_out *r, const char *const *env, const char *in, bool as_nobody,
	      const char *const *argv);
void tool_out_free(struct tool_out *r);
/* Running as root, and uid 65534 can run the tool and read path: the
 * unprivileged cases make sense (a checkout under a private home cannot). */
bool tool_nobody_usable(const char *path);
/* The fixture tree $DAXDEV_TEST_FIXTURES/tree as "DAXDEV_SYSFS_ROOT=...". */
const char *tool_tree_env(const char *tree);
/* stdout parsed as JSON (fails the test if it is not). */
json_object *tool_json(const struct tool_out *r);
json_object *tool_json_get(json_object *o, const char *key); /* NULL if absent */
void tool_assert_contains(const char *haystack, const char *needle);
/* stderr is exactly one line. */
void tool_assert_one_line(const char *err);
/* msg is the portable build's refusal of device name. */
void tool_assert_refusal_msg(const char *msg, const char *name);
/* The command failed with exit status, nothing on stdout and one line on
 * stderr: the portable build's refusal of device name. */
void tool_assert_refused(const struct tool_out *r, const char *name, int status);

#endif
