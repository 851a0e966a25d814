/* SPDX-License-Identifier: MIT */
/*
 * The DAXDEV_* environment variables: process-wide defaults, read once
 * (DAXDEV_SYSFS_ROOT, a test hook, at each use), with secure_getenv() so
 * that a setuid or setgid program linking the library ignores them (a caller could otherwise point DAXDEV_SYSFS_ROOT at a fake
 * tree and turn the program's flushes off).  A value that cannot be parsed
 * is remembered and reported by every open: the user asked for something
 * that cannot be honoured.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static struct daxdev_env env;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

static const char *env_value(const char *var)
{
	const char *value = secure_getenv(var);

	return value && *value ? value : NULL;
}

__attribute__((format(printf, 2, 3)))
static void env_bad(int err, const char *fmt, ...)
{
	va_list ap;

	if (env.error)
		return; /* the first one is reported */
	env.error = err;
	va_start(ap, fmt);
	vsnprintf(env.message, sizeof(env.message), fmt, ap);
	va_end(ap);
}

/* "0" or "1"; -1 when unset. */
static int env_bool(const char *var)
{
	const char *s = env_value(var);

	if (!s)
		return -1;
	if (!strcmp(s, "0") || !strcmp(s, "1"))
		return s[0] - '0';
	env_bad(-EINVAL, "%s='%s': expected 0 or 1", var, s);
	return -1;
}

/* An implementation name; one too long for any is refused whole rather
 * than cut down to something that might mean another. */
static void env_word(const char *var, char *dst, size_t len)
{
	const char *s = env_value(var);

	if (s && strlen(s) >= len)
		env_bad(-EINVAL, "%s='%.40s...': not an implementation name", var, s);
	else
		snprintf(dst, len, "%s", s ? s : "");
}

static void env_threshold(void)
{
	const char *s = env_value("DAXDEV_NT_THRESHOLD");
	int nt = env_bool("DAXDEV_NT");
	uint64_t v;

	env.nt_threshold = 0;
	if (s) {
		if (daxdev_size_parse(s, &v) || v > SIZE_MAX)
			env_bad(-EINVAL, "DAXDEV_NT_THRESHOLD='%s': expected bytes with an optional "
				DAXDEV_SIZE_SUFFIXES " suffix", s);
		else
			env.nt_threshold = v ? (size_t)v : 1;
	}
	if (nt == 0)
		env.nt_threshold = SIZE_MAX;   /* DAXDEV_NT=0 wins */
}

static void env_log_level(void)
{
	const char *s = env_value("DAXDEV_LOG_LEVEL");
	char *end;
	long v;

	env.log_level = 0;
	if (!s)
		return;
	v = strtol(s, &end, 10);
	if (*end || v < 0)
		return; /* logging is best effort: a bad level just logs nothing */
	env.log_level = v > DAXDEV_LOG_DEBUG ? DAXDEV_LOG_DEBUG : (int)v;
}

static void env_read(void)
{
	memset(&env, 0, sizeof(env));
	env.write_cache = env_bool("DAXDEV_WRITE_CACHE");
	env_word("DAXDEV_FLUSH", env.flush, sizeof(env.flush));
	env_word("DAXDEV_ISA", env.isa, sizeof(env.isa));
	env_threshold();
	env_log_level();
	env.sigbus_guard = env_bool("DAXDEV_SIGBUS_GUARD") != 0;
}

DAXDEV_HIDDEN const struct daxdev_env *daxdev_env(void)
{
	pthread_once(&env_once, env_read);
	return &env;
}

/* Not a policy but a test hook: looked up whenever sysfs is consulted, so
 * that one test program can walk several fixture trees. */
DAXDEV_API const char *daxdev_sysfs_root(void)
{
	const char *root = env_value("DAXDEV_SYSFS_ROOT");

	return root ? root : "";
}
