/* SPDX-License-Identifier: MIT */
/* Thread-local error messages, the log callback, version and small parsers. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define DAXDEV_ERRMSG_MAX 512

/*
 * Every public call clears the message on entry, so the flag that says
 * whether it holds one is a single byte in the initial-exec TLS block: no
 * __tls_get_addr call on the hot path.  The text itself is only touched
 * when a call fails.
 */
static _Thread_local char errmsg[DAXDEV_ERRMSG_MAX];
DAXDEV_HIDDEN _Thread_local bool daxdev_errmsg_set __attribute__((tls_model("initial-exec")));

struct log_state {
	daxdev_log_fn fn;
	void *arg;
	int max_level;
};

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct log_state log_state;
static atomic_int log_max_level = -1;   /* -1: environment not read yet */

DAXDEV_API const char *daxdev_errormsg(void)
{
	return daxdev_errmsg_set ? errmsg : "";
}

DAXDEV_API void daxdev_errormsg_clear(void)
{
	daxdev_clear_error();
}

DAXDEV_API int daxdev_err(int err, const char *fmt, ...)
{
	char msg[DAXDEV_ERRMSG_MAX];
	va_list ap;

	/* Formatted aside first: a provider may pass daxdev_errormsg() as an
	 * argument to add context to a message from below. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(errmsg, msg, sizeof(msg));
	daxdev_errmsg_set = true;
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
	return daxdev_env()->log_level;
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

DAXDEV_API void daxdev_set_log(daxdev_log_fn fn, void *arg, int max_level)
{
	pthread_mutex_lock(&log_lock);
	log_state.fn = fn;
	log_state.arg = arg;
	log_state.max_level = fn && max_level > 0 ? max_level : 0;
	/* Without a callback, DAXDEV_LOG_LEVEL decides again at the next message. */
	atomic_store(&log_max_level, fn ? log_state.max_level : -1);
	pthread_mutex_unlock(&log_lock);
}

DAXDEV_API void daxdev_log(int level, const char *fmt, ...)
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

DAXDEV_API const char *daxdev_version(void)
{
	return DAXDEV_VERSION_STRING;
}

DAXDEV_API unsigned daxdev_version_number(void)
{
	return DAXDEV_VERSION;
}

DAXDEV_API int daxdev_describe_printf(char *buf, size_t len, int *pos, const char *fmt, ...)
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

DAXDEV_API const char *daxdev_persistence_name(enum daxdev_persistence p)
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

/* Binary shift of a size suffix: "", K, M, G, T or P in either case, the
 * letter optionally followed by "iB" or "B". */
static int size_shift(const char *suffix, unsigned *shift)
{
	static const char units[] = "KMGTP";
	const char *u;

	*shift = 0;
	if (!suffix[0])
		return 0;
	u = strchr(units, toupper((unsigned char)suffix[0]));
	if (!u)
		return -EINVAL;
	if (suffix[1] && strcmp(suffix + 1, "iB") && strcmp(suffix + 1, "B"))
		return -EINVAL;
	*shift = 10u * (unsigned)(u - units + 1);
	return 0;
}

DAXDEV_HIDDEN int daxdev_size_parse(const char *s, uint64_t *size)
{
	unsigned long long v;
	unsigned shift;
	char *end;

	/* By hand about the first character: strtoull takes spaces and signs. */
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || size_shift(end, &shift))
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*size = (uint64_t)v << shift;
	return 0;
}

DAXDEV_API int daxdev_parse_size(const char *s, uint64_t *size)
{
	int rc;

	daxdev_clear_error();
	if (!s || !size)
		return daxdev_err(-EINVAL, "daxdev_parse_size: NULL argument");
	rc = daxdev_size_parse(s, size);
	if (rc == -ERANGE)
		return daxdev_err(rc, "size '%s' is too large", s);
	if (rc)
		return daxdev_err(rc, "size '%s': expected a number with an optional "
				  DAXDEV_SIZE_SUFFIXES " suffix", s);
	return 0;
}
