/* SPDX-License-Identifier: MIT */
/*
 * daxdev_open(): from one target string to a provider.  Prefixed targets
 * ("anon:", "linear:", ...) go to their provider; a bare path is looked at
 * with stat() and goes to the device-dax or the file provider.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "internal.h"
#include "providers/providers.h"

struct prefix_entry {
	const char *prefix;
	daxdev_provider_open_fn open;
};

static const struct prefix_entry prefixed_providers[] = {
	{ "anon:", daxdev_volatile_open },
	{ "file:", daxdev_fsdax_open },
	{ "linear:", daxdev_linear_open },
	{ "stripe:", daxdev_stripe_open },
	{ "crashsim:", daxdev_crashsim_open },
};

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISBLK(mode))
		return "a block device (open a file on a DAX filesystem mounted from it, or reconfigure the namespace as device-dax)";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file or character device";
}

static int pick_by_path(const char *path, unsigned flags, daxdev_provider_open_fn *open)
{
	struct stat st;

	if (!path[0])
		return daxdev_err(-EINVAL, "daxdev_open: empty target");
	if (stat(path, &st) < 0) {
		int err = errno;
		if (err == ENOENT && (flags & DAXDEV_OPEN_CREATE)) {
			*open = daxdev_fsdax_open;
			return 0;
		}
		return daxdev_err(-err, "daxdev_open: %s: %s", path, strerror(err));
	}
	if (S_ISCHR(st.st_mode))
		*open = daxdev_devdax_open;
	else if (S_ISREG(st.st_mode))
		*open = daxdev_fsdax_open;
	else
		return daxdev_err(-EINVAL, "daxdev_open: %s is %s", path, file_kind(st.st_mode));
	return 0;
}

static int pick_provider(const char *target, unsigned flags,
			 daxdev_provider_open_fn *open, const char **rest)
{
	for (size_t i = 0; i < sizeof(prefixed_providers) / sizeof(prefixed_providers[0]); i++) {
		size_t n = strlen(prefixed_providers[i].prefix);
		if (!strncmp(target, prefixed_providers[i].prefix, n)) {
			*open = prefixed_providers[i].open;
			*rest = target + n;
			return 0;
		}
	}
	*rest = target;
	return pick_by_path(target, flags, open);
}

/* Share one object per host unless the caller asked for a private one. */
static struct daxdev *share_by_host(struct daxdev *dev, unsigned flags)
{
	struct daxdev *shared;

	if (dev->unshared || (flags & DAXDEV_OPEN_PRIVATE))
		return dev;
	shared = daxdev_registry_add(dev);
	if (shared != dev) {
		daxdev_log(DAXDEV_LOG_INFO, "%s: already open, sharing the existing object",
			   dev->host);
		daxdev_kill(dev);
		daxdev_put(dev);
	}
	return shared;
}

DAXDEV_EXPORT int daxdev_open_size(const char *target, uint64_t size, unsigned flags,
				   struct daxdev **devp)
{
	daxdev_provider_open_fn open = NULL;
	struct daxdev_open_args args;
	struct daxdev *dev;
	int rc;

	if (!target || !devp)
		return daxdev_err(-EINVAL, "daxdev_open: NULL target or result pointer");
	if (flags & ~(DAXDEV_OPEN_CREATE | DAXDEV_OPEN_PRIVATE))
		return daxdev_err(-EINVAL, "daxdev_open: %s: unknown flags 0x%x", target, flags);
	rc = pick_provider(target, flags, &open, &args.target);
	if (rc)
		return rc;
	args.size = size;
	args.flags = flags;
	rc = open(&args, &dev);
	if (rc)
		return rc;
	*devp = share_by_host(dev, flags);
	return 0;
}

DAXDEV_EXPORT int daxdev_open(const char *target, unsigned flags, struct daxdev **devp)
{
	return daxdev_open_size(target, 0, flags, devp);
}

DAXDEV_EXPORT int daxdev_new_volatile(size_t size, struct daxdev **devp)
{
	struct daxdev_open_args args = { .target = "", .size = size, .flags = 0 };

	if (!devp)
		return daxdev_err(-EINVAL, "daxdev_new_volatile: NULL result pointer");
	if (!size)
		return daxdev_err(-EINVAL, "daxdev_new_volatile: size must be > 0");
	return daxdev_volatile_open(&args, devp);
}
