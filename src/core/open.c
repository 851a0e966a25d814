/* SPDX-License-Identifier: MIT */
/*
 * daxdev_open(): from a target string (or a descriptor) and options to a
 * device.  The provider table decides who opens it (src/providers); this
 * file normalises the options and, with DAXDEV_OPEN_REUSE, looks the host
 * up before opening anything — as the kernel's dax_get_by_host() is a
 * lookup, not a side effect of opening.  daxdev_probe() takes the same
 * road to the provider's probe, which shares the open's decision code.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "internal.h"
#include "providers/providers.h"

/* An object registered for this host that the request can use: alive, at
 * least as large as asked, opened with the same policy and access. */
static int reuse_lookup(const struct daxdev_provider *prov, const struct daxdev_open_args *args,
			struct daxdev **devp)
{
	struct daxdev_policy want;
	char host[PATH_MAX + 64];
	struct daxdev *dev;
	int rc;

	*devp = NULL;
	/* EXCL asks for a new file: nothing open can be the answer. */
	if (!prov->host || (args->opts->flags & DAXDEV_OPEN_EXCL))
		return 0;
	rc = prov->host(args, host, sizeof(host));
	if (rc == -ENOENT)
		return 0;  /* not there yet: nothing can be open for it */
	/* Every failure says why, whatever the provider's host op said. */
	if (rc && !daxdev_errormsg()[0])
		rc = daxdev_err(rc, "daxdev_open: %s: cannot name the object to look up: %s",
				args->target ? args->target : "descriptor", strerror(-rc));
	if (rc)
		return rc;
	dev = daxdev_registry_lookup(host);
	if (!dev)
		return 0;
	rc = daxdev_policy_from(args->opts, &want);
	if (!rc && (!daxdev_policy_equal(&dev->policy, &want) ||
		    dev->readonly != !!(args->opts->flags & DAXDEV_OPEN_READONLY)))
		rc = daxdev_err(-EBUSY, "daxdev_open: %s is already open with another policy or "
				"access; open it without DAXDEV_OPEN_REUSE for a separate object", host);
	if (rc || dev->size < args->opts->size) {
		/* Too small (the file grew since): open anew and register
		 * the new object in its place. */
		daxdev_put(dev);
		return rc;
	}
	daxdev_log(DAXDEV_LOG_INFO, "%s: already open, sharing the existing object", host);
	*devp = dev;
	return 0;
}

/*
 * Opens that share by host run one at a time from lookup to registration,
 * so two threads cannot both miss and open the same host twice.  Recursive:
 * a composite opened this way opens its members this way too.
 */
static pthread_mutex_t reuse_lock;
static pthread_once_t reuse_lock_once = PTHREAD_ONCE_INIT;

static void reuse_lock_init(void)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&reuse_lock, &attr);
	pthread_mutexattr_destroy(&attr);
}

static int open_shared(const struct daxdev_provider *prov, const struct daxdev_open_args *args,
		       struct daxdev **devp)
{
	int rc;

	pthread_once(&reuse_lock_once, reuse_lock_init);
	pthread_mutex_lock(&reuse_lock);
	rc = reuse_lookup(prov, args, devp);
	if (!rc && !*devp) {
		rc = prov->open(args, devp);
		if (!rc && !(*devp)->unshared)
			daxdev_registry_add(*devp);
	}
	pthread_mutex_unlock(&reuse_lock);
	return rc;
}

static int open_with(const char *target, int fd, const struct daxdev_open_opts *opts_in,
		     struct daxdev **devp, const char *fn)
{
	const struct daxdev_provider *prov;
	struct daxdev_open_opts opts;
	struct daxdev_open_args args = { .fd = -1 };
	int rc;

	if (!devp)
		return daxdev_err(-EINVAL, "%s: NULL result pointer", fn);
	rc = daxdev_opts_normalize(fn, opts_in, &opts);
	if (rc)
		return rc;
	rc = daxdev_provider_for(target, fd, opts.flags, &prov, &args.target);
	if (rc)
		return rc;
	args.fd = fd;
	args.opts = &opts;
	if (opts.flags & DAXDEV_OPEN_REUSE)
		return open_shared(prov, &args, devp);
	return prov->open(&args, devp);
}

DAXDEV_API int daxdev_open(const char *target, const struct daxdev_open_opts *opts,
			   struct daxdev **devp)
{
	daxdev_clear_error();
	if (!target)
		return daxdev_err(-EINVAL, "daxdev_open: NULL target");
	return open_with(target, -1, opts, devp, "daxdev_open");
}

DAXDEV_API int daxdev_open_fd(int fd, const struct daxdev_open_opts *opts,
			      struct daxdev **devp)
{
	daxdev_clear_error();
	if (fd < 0)
		return daxdev_err(-EBADF, "daxdev_open_fd: descriptor %d", fd);
	if (opts && opts->sz >= offsetof(struct daxdev_open_opts, mode) &&
	    (opts->flags & DAXDEV_OPEN_CREATE))
		return daxdev_err(-EINVAL, "daxdev_open_fd: DAXDEV_OPEN_CREATE does not apply to a descriptor");
	return open_with(NULL, fd, opts, devp, "daxdev_open_fd");
}

DAXDEV_API int daxdev_new_volatile(size_t size, struct daxdev **devp)
{
	char target[32];

	daxdev_clear_error();
	if (!devp)
		return daxdev_err(-EINVAL, "daxdev_new_volatile: NULL result pointer");
	if (!size)
		return daxdev_err(-EINVAL, "daxdev_new_volatile: size must be > 0");
	snprintf(target, sizeof(target), "anon:%zu", size);
	return daxdev_open(target, NULL, devp);
}

/* A probe looks and never writes: it creates nothing. */
static int probe_opts(const char *fn, const struct daxdev_open_opts *in,
		      struct daxdev_open_opts *out)
{
	int rc = daxdev_opts_normalize(fn, in, out);

	if (rc)
		return rc;
	if (out->flags & DAXDEV_OPEN_CREATE)
		return daxdev_err(-EINVAL, "%s: DAXDEV_OPEN_CREATE: a probe creates nothing", fn);
	return 0;
}

static int probe_with(const struct daxdev_provider *prov, struct daxdev_open_args *args,
		      const char *what, struct daxdev **devp)
{
	if (!prov->probe)
		return daxdev_err(-EOPNOTSUPP, "daxdev_probe: %s: the %s provider has nothing to "
				  "look up without opening it; open it instead", what, prov->name);
	return prov->probe(args, devp);
}

DAXDEV_API int daxdev_probe(const char *target, const struct daxdev_open_opts *opts,
			    struct daxdev **devp)
{
	const struct daxdev_provider *prov;
	struct daxdev_open_opts o;
	struct daxdev_open_args args = { .fd = -1, .opts = &o };
	int rc;

	daxdev_clear_error();
	if (!target || !devp)
		return daxdev_err(-EINVAL, "daxdev_probe: NULL target or result pointer");
	rc = probe_opts("daxdev_probe", opts, &o);
	if (!rc)
		rc = daxdev_provider_for(target, -1, o.flags | DAXDEV_PROVIDER_PROBE, &prov,
					 &args.target);
	return rc ? rc : probe_with(prov, &args, target, devp);
}

DAXDEV_API int daxdev_probe_dev(mode_t type, dev_t dev, const struct daxdev_open_opts *opts,
				struct daxdev **devp)
{
	const struct daxdev_provider *prov;
	struct daxdev_open_opts o;
	struct stat node = { .st_mode = type & S_IFMT, .st_rdev = dev };
	struct daxdev_open_args args = { .fd = -1, .opts = &o, .node = &node };
	int rc;

	daxdev_clear_error();
	if (!devp)
		return daxdev_err(-EINVAL, "daxdev_probe_dev: NULL result pointer");
	if (!S_ISCHR(node.st_mode) && !S_ISBLK(node.st_mode))
		return daxdev_err(-EINVAL, "daxdev_probe_dev: type 0%o is neither S_IFCHR nor S_IFBLK",
				  (unsigned)type);
	rc = probe_opts("daxdev_probe_dev", opts, &o);
	if (!rc)
		rc = daxdev_provider_for_node(&node, &prov);
	return rc ? rc : probe_with(prov, &args, "the device number", devp);
}
