/* SPDX-License-Identifier: MIT */
/* Thread-local error messages, the log callback, version and small parsers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define DAXDEV_ERRMSG_MAX 512

static _Thread_local char errmsg[DAXDEV_ERRMSG_MAX];

struct log_state {
	daxdev_log_fn fn;
	void *arg;
	int max_level;
};

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct log_state log_state;
static atomic_int log_max_level = -1;   /* -1: environment not read yet */

DAXDEV_EXPORT const char *daxdev_errormsg(void)
{
	return errmsg;
}

DAXDEV_HIDDEN void daxdev_clear_error(void)
{
	errmsg[0] = '\0';
}

DAXDEV_EXPORT int daxdev_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	daxdev_log(DAXDEV_LOG_DEBUG, "error %d: %s", err, errmsg);
	return err;
}

static void log_to_stderr(void *arg, int level, const char *msg)
{
	(void)arg;
	fprintf(stderr, "libdaxdev[%d]: %s\n", level, msg);
}

/* DAXDEV_LOG_LEVEL is the user's explicit request for messages on stderr
 * when the application installs no callback. */
static int env_log_level(void)
{
	const char *s = getenv("DAXDEV_LOG_LEVEL");
	char *end;
	long v;

	if (!s || !*s)
		return 0;
	v = strtol(s, &end, 10);
	if (*end || v < 0)
		return 0;
	return v > DAXDEV_LOG_DEBUG ? DAXDEV_LOG_DEBUG : (int)v;
}

static int current_max_level(void)
{
	int level = atomic_load_explicit(&log_max_level, memory_order_acquire);

	if (level >= 0)
		return level;
	pthread_mutex_lock(&log_lock);
	if (atomic_load(&log_max_level) < 0) {
		log_state.max_level = env_log_level();
		if (log_state.max_level > 0)
			log_state.fn = log_to_stderr;
		atomic_store(&log_max_level, log_state.max_level);
	}
	pthread_mutex_unlock(&log_lock);
	return atomic_load(&log_max_level);
}

DAXDEV_EXPORT void daxdev_set_log(daxdev_log_fn fn, void *arg, int max_level)
{
	pthread_mutex_lock(&log_lock);
	log_state.fn = fn;
	log_state.arg = arg;
	log_state.max_level = fn && max_level > 0 ? max_level : 0;
	/* Without a callback, DAXDEV_LOG_LEVEL decides again at the next message. */
	atomic_store(&log_max_level, fn ? log_state.max_level : -1);
	pthread_mutex_unlock(&log_lock);
}

DAXDEV_EXPORT void daxdev_log(int level, const char *fmt, ...)
{
	char msg[DAXDEV_ERRMSG_MAX];
	struct log_state st;
	va_list ap;

	if (level > current_max_level())
		return;
	pthread_mutex_lock(&log_lock);
	st = log_state;
	pthread_mutex_unlock(&log_lock);
	if (!st.fn || level > st.max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	st.fn(st.arg, level, msg);
}

DAXDEV_EXPORT const char *daxdev_version(void)
{
#define DAXDEV_STR2(x) #x
#define DAXDEV_STR(x) DAXDEV_STR2(x)
	return DAXDEV_STR(DAXDEV_VERSION_MAJOR) "." DAXDEV_STR(DAXDEV_VERSION_MINOR) "."
	       DAXDEV_STR(DAXDEV_VERSION_PATCH);
}

DAXDEV_EXPORT unsigned daxdev_version_number(void)
{
	return DAXDEV_VERSION;
}

DAXDEV_EXPORT int daxdev_describe_printf(char *buf, size_t len, int *pos, const char *fmt, ...)
{
	size_t used = *pos > 0 ? (size_t)*pos : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(used < len ? buf + used : NULL, used < len ? len - used : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += n;
	return *pos;
}

DAXDEV_EXPORT const char *daxdev_sysfs_root(void)
{
	const char *root = getenv("DAXDEV_SYSFS_ROOT");

	return root ? root : "";
}

DAXDEV_EXPORT const char *daxdev_persistence_name(enum daxdev_persistence p)
{
	switch (p) {
	case DAXDEV_PERSISTENCE_VOLATILE:
		return "volatile";
	case DAXDEV_PERSISTENCE_PERSISTENT:
		return "persistent";
	case DAXDEV_PERSISTENCE_UNKNOWN:
		return "unknown";
	}
	return "invalid";
}

static int size_shift(char suffix, unsigned *shift)
{
	static const char units[] = "KMGTP";
	const char *u = suffix ? strchr(units, suffix) : NULL;

	if (!suffix) {
		*shift = 0;
		return 0;
	}
	if (!u)
		return -EINVAL;
	*shift = 10u * (unsigned)(u - units + 1);
	return 0;
}

DAXDEV_EXPORT int daxdev_parse_size(const char *s, uint64_t *size)
{
	unsigned long long v;
	unsigned shift;
	char *end;

	if (!s || !size)
		return daxdev_err(-EINVAL, "daxdev_parse_size: NULL argument");
	if (*s < '0' || *s > '9')
		return daxdev_err(-EINVAL, "size '%s': expected a number with an optional K, M, G, T or P suffix", s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return daxdev_err(-ERANGE, "size '%s' is too large", s);
	if (errno || size_shift(end[0], &shift) || (end[0] && end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B")))
		return daxdev_err(-EINVAL, "size '%s': expected a number with an optional K, M, G, T or P suffix", s);
	if (shift && v > (UINT64_MAX >> shift))
		return daxdev_err(-ERANGE, "size '%s' is too large", s);
	*size = (uint64_t)v << shift;
	return 0;
}
