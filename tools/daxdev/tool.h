/* SPDX-License-Identifier: MIT */
/*
 * daxdev(1): what a program using libdaxdev will do on each device, and the
 * daxio-style chores.  Only public libdaxdev headers, json-c and (optional)
 * libndctl.  Exit status: 0 fine, 1 failure (or problems found), 2 usage.
 */
#ifndef DAXDEV_TOOL_H
#define DAXDEV_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <json-c/json.h>
#include <daxdev.h>

#define TOOL_OK 0
#define TOOL_FAIL 1
#define TOOL_USAGE 2

/* Subcommands: argc/argv start at the subcommand's name. */
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_zero(int argc, char **argv);

/* --- util.c ---------------------------------------------------------- */

/* "daxdev list: ..." on stderr, one line; returns TOOL_FAIL. */
int tool_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with "(try daxdev CMD --help)"; returns TOOL_USAGE. */
int tool_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* getopt_long found an unknown option or a missing argument (opterr is 0). */
int tool_bad_option(const char *cmd, char **argv);
/* Sizes: bytes, or with human units "2.00 MiB (2.10 MB)". */
void tool_size_str(uint64_t bytes, bool human, char *buf, size_t len);
json_object *tool_json_size(uint64_t bytes, bool human);
/* A size argument (daxdev_parse_size syntax). */
int tool_parse_size(const char *cmd, const char *opt, const char *arg, uint64_t *out);
/* Print a JSON document (pretty, like ndctl) and drop it. */
void tool_json_print(json_object *doc);
/* Library errno -> exit status with the library's message. */
int tool_lib_fail(const char *cmd, int rc);

/* Progress bar on stderr, only when stderr is a terminal. */
struct tool_progress {
	bool on;
	const char *what;
	uint64_t total, done;
	int last_permille;
};
void tool_progress_start(struct tool_progress *p, const char *what, uint64_t total);
void tool_progress_add(struct tool_progress *p, uint64_t n);
void tool_progress_end(struct tool_progress *p);

/* --- target.c: one target, probed or opened -------------------------- */

/* How a subcommand reaches its target: a probe where one exists (needs no
 * write access), else an open; the info is the device's. */
struct tool_target {
	struct daxdev *dev;
	struct daxdev_info info;
	bool probed;                 /* daxdev_probe (nothing mapped) */
	char details[4096];
};
/* For info/check: probe, or open read-only where a probe cannot be made. */
int tool_target_describe(const char *cmd, const char *target, struct tool_target *t);
/* For I/O: open (read-only unless write); -errno after printing the cause. */
int tool_target_open(const char *cmd, const char *target, bool write, struct tool_target *t);
void tool_target_close(struct tool_target *t);
/* The info fields as JSON (sizes per human). */
json_object *tool_info_json(const struct daxdev_info *info, bool human);

/* --- badblocks.c: the one place that knows how bad blocks are found ----- */

struct tool_badblocks {
	bool known;                  /* count is the device's own */
	bool root_only;              /* the region has some; placing them needs root */
	size_t count;
	size_t region_count;         /* when root_only */
};
void tool_badblocks_count(struct daxdev *dev, struct tool_badblocks *bad);
/* First bad range in [from, to) of an opened device: 1 and its offset and length, 0 if
 * none, -errno. */
int tool_badblocks_next(struct daxdev *dev, uint64_t from, uint64_t to, uint64_t *off,
			uint64_t *len);

/* --- sysfs.c: what list reads beside the library --------------------- */

struct tool_dimm {
	char name[32];               /* nmem0 */
	long long dirty_shutdown;    /* -1: not shown by the kernel */
	char flags[128];             /* nmemN/flags, "" if none */
};

struct tool_dimms {
	struct tool_dimm dimm[16];
	size_t count;
};

/* Read under daxdev_sysfs_root(); path relative to it ("/sys/..."). */
int tool_sysfs_read(const char *dir, const char *attr, char *buf, size_t len);
/* The resolved sysfs directory of a path under the root, "" if absent. */
void tool_sysfs_dir(const char *rel, char *dir, size_t len);
/* "major:minor" of a device directory. */
int tool_sysfs_devnum(const char *dir, dev_t *dev);
/* The namespace above a device dir: its name, mode (fsdax, devdax, sector,
 * raw), map ("dev"/"mem" for fsdax) and uuid; "" where sysfs has none. */
void tool_sysfs_namespace(const char *dev_dir, char *ns, size_t ns_len, char *mode,
			  size_t mode_len, char *map, size_t map_len, char *uuid, size_t uuid_len);
/* The DIMMs behind the region named region, found above dev_dir. */
void tool_sysfs_dimms(const char *dev_dir, const char *region, struct tool_dimms *dimms);

/* --- ndctl.c: optional libndctl facts (no-ops when built without) ------ */

/* Namespace mode and uuid, DIMM flags and health, into obj; only against
 * the real sysfs (libndctl does not follow DAXDEV_SYSFS_ROOT). */
void tool_ndctl_namespace(const char *ns, json_object *obj);
void tool_ndctl_dimm(const char *nmem, json_object *obj);
void tool_ndctl_done(void);
bool tool_ndctl_built(void);

#endif
