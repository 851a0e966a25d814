/* SPDX-License-Identifier: MIT */
/*
 * Open options: accepting any caller's struct size, and turning options and
 * environment into one policy per device.  The rule for each field is the
 * same: an option overrides the DAXDEV_* variable, which overrides what the
 * platform says.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

#define KNOWN_FLAGS (DAXDEV_OPEN_CREATE | DAXDEV_OPEN_EXCL | DAXDEV_OPEN_REUSE | \
		     DAXDEV_OPEN_READONLY | DAXDEV_OPEN_SPARSE | DAXDEV_OPEN_NO_SIGBUS_GUARD)

DAXDEV_HIDDEN int daxdev_struct_in(const char *fn, const char *type, const void *in,
				  void *out, size_t out_sz)
{
	const unsigned char *tail;
	size_t sz;

	memset(out, 0, out_sz);
	memcpy(out, &out_sz, sizeof(size_t));
	if (!in)
		return 0;
	memcpy(&sz, in, sizeof(size_t));
	if (sz < sizeof(size_t))
		return daxdev_err(-EINVAL, "%s: struct %s with sz %zu: set sz to the struct's size",
				  fn, type, sz);
	/* A newer caller may know fields this library does not: fine while
	 * they are zero (their defaults), refused otherwise. */
	tail = (const unsigned char *)in + out_sz;
	for (size_t i = out_sz; i < sz; i++, tail++)
		if (*tail)
			return daxdev_err(-EINVAL, "%s: byte %zu of struct %s is set, but this library "
					  "(%s) knows only its first %zu bytes",
					  fn, i, type, DAXDEV_VERSION_STRING, out_sz);
	memcpy(out, in, sz < out_sz ? sz : out_sz);
	memcpy(out, &out_sz, sizeof(size_t));
	return 0;
}

DAXDEV_HIDDEN int daxdev_opts_normalize(const char *fn, const struct daxdev_open_opts *in,
					struct daxdev_open_opts *out)
{
	int rc = daxdev_struct_in(fn, "daxdev_open_opts", in, out, sizeof(*out));

	if (rc)
		return rc;
	if (out->flags & ~KNOWN_FLAGS)
		return daxdev_err(-EINVAL, "%s: unknown flags 0x%x", fn, out->flags & ~KNOWN_FLAGS);
	if ((out->flags & DAXDEV_OPEN_EXCL) && !(out->flags & DAXDEV_OPEN_CREATE))
		return daxdev_err(-EINVAL, "%s: DAXDEV_OPEN_EXCL needs DAXDEV_OPEN_CREATE", fn);
	if ((out->flags & DAXDEV_OPEN_CREATE) && (out->flags & DAXDEV_OPEN_READONLY))
		return daxdev_err(-EINVAL, "%s: DAXDEV_OPEN_CREATE and DAXDEV_OPEN_READONLY together", fn);
	if (out->mode & ~07777u)
		return daxdev_err(-EINVAL, "%s: mode 0%o has bits beyond 07777", fn, out->mode);
	return 0;
}

static int policy_word(char *dst, const char *opt, const char *env, const char *opt_name,
		       const char *env_name, const char **origin)
{
	const char *word = opt ? opt : env[0] ? env : NULL;

	dst[0] = '\0';
	*origin = opt ? opt_name : env_name;
	if (!word)
		return 0;
	if (!word[0] || strlen(word) >= DAXDEV_WORD_MAX)
		return daxdev_err(-EINVAL, "%s='%s': not an implementation name", *origin, word);
	strcpy(dst, word);
	return 0;
}

static int policy_write_cache(const struct daxdev_open_opts *opts, const struct daxdev_env *env,
			      struct daxdev_policy *p)
{
	switch (opts->write_cache) {
	case DAXDEV_WRITE_CACHE_AUTO:
		p->write_cache = env->write_cache;
		p->write_cache_origin = "DAXDEV_WRITE_CACHE";
		return 0;
	case DAXDEV_WRITE_CACHE_OFF:
	case DAXDEV_WRITE_CACHE_ON:
		p->write_cache = opts->write_cache == DAXDEV_WRITE_CACHE_ON;
		p->write_cache_origin = "open option write_cache";
		return 0;
	}
	return daxdev_err(-EINVAL, "daxdev_open: write_cache option %d is not a daxdev_write_cache_policy",
			  opts->write_cache);
}

DAXDEV_HIDDEN int daxdev_policy_from(const struct daxdev_open_opts *opts,
				     struct daxdev_policy *p)
{
	const struct daxdev_env *env = daxdev_env();
	int rc;

	memset(p, 0, sizeof(*p));
	if (env->error)
		return daxdev_err(env->error, "%s", env->message);
	rc = policy_write_cache(opts, env, p);
	if (!rc)
		rc = policy_word(p->flush, opts->flush, env->flush, "open option flush",
				 "DAXDEV_FLUSH", &p->flush_origin);
	if (!rc)
		rc = policy_word(p->isa, opts->isa, env->isa, "open option isa",
				 "DAXDEV_ISA", &p->isa_origin);
	if (rc)
		return rc;
	p->nt_threshold = opts->nt_threshold ? opts->nt_threshold : env->nt_threshold;
	if (opts->sharing != DAXDEV_SHARING_LOCAL && opts->sharing != DAXDEV_SHARING_NONCOHERENT)
		return daxdev_err(-EINVAL, "daxdev_open: sharing option %d is not a daxdev_sharing",
				  opts->sharing);
	p->sharing = opts->sharing;
	p->sigbus_guard = env->sigbus_guard && !(opts->flags & DAXDEV_OPEN_NO_SIGBUS_GUARD);
	return 0;
}

DAXDEV_HIDDEN bool daxdev_policy_equal(const struct daxdev_policy *a,
				       const struct daxdev_policy *b)
{
	return a->write_cache == b->write_cache && !strcmp(a->flush, b->flush) &&
	       !strcmp(a->isa, b->isa) && a->nt_threshold == b->nt_threshold &&
	       a->sharing == b->sharing && a->sigbus_guard == b->sigbus_guard;
}
