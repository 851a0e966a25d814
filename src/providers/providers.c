/* SPDX-License-Identifier: MIT */
/*
 * The provider table daxdev_open() walks, and the one rule for choosing from
 * it: a target with a provider's prefix goes to that provider; a bare path
 * (or a descriptor) goes to the first provider that takes its kind of file.
 * Each entry is defined in its provider's own file.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "providers.h"

extern const struct daxdev_provider daxdev_provider_anon, daxdev_provider_devdax,
	daxdev_provider_file, daxdev_provider_linear, daxdev_provider_stripe,
	daxdev_provider_crashsim, daxdev_provider_sharesim;

DAXDEV_PROVIDER_ENTRY const struct daxdev_provider *const daxdev_providers[] = {
	&daxdev_provider_anon,
	&daxdev_provider_devdax,
	&daxdev_provider_file,
	&daxdev_provider_linear,
	&daxdev_provider_stripe,
	&daxdev_provider_crashsim,
	&daxdev_provider_sharesim,
	NULL,
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
	if (S_ISCHR(mode))
		return "a character device that is not a device-dax";
	return "not a regular file or character device";
}

static const char *caller(unsigned flags)
{
	return (flags & DAXDEV_PROVIDER_PROBE) ? "daxdev_probe" : "daxdev_open";
}

static bool provider_takes(const struct daxdev_provider *p, const struct stat *st,
			   unsigned flags)
{
	if ((flags & DAXDEV_PROVIDER_PROBE) && p->probe_takes)
		return p->probe_takes(st);
	return p->takes && p->takes(st);
}

static int by_kind(const char *name, const struct stat *st, unsigned flags,
		   const struct daxdev_provider **prov)
{
	for (size_t i = 0; daxdev_providers[i]; i++) {
		if (provider_takes(daxdev_providers[i], st, flags)) {
			*prov = daxdev_providers[i];
			return 0;
		}
	}
	return daxdev_err(-EINVAL, "%s: %s is %s", caller(flags), name, file_kind(st->st_mode));
}

/* The provider that creates files, for a path that does not exist yet. */
static const struct daxdev_provider *creator(void)
{
	struct stat st = { .st_mode = S_IFREG };
	const struct daxdev_provider *prov = NULL;

	by_kind("", &st, 0, &prov);
	return prov;
}

static int by_path(const char *path, unsigned flags, const struct daxdev_provider **prov)
{
	struct stat st;
	int err;

	if (!path[0])
		return daxdev_err(-EINVAL, "%s: empty target", caller(flags));
	if (stat(path, &st) == 0)
		return by_kind(path, &st, flags, prov);
	err = errno;
	if (err == ENOENT && (flags & DAXDEV_OPEN_CREATE)) {
		*prov = creator();
		return 0;
	}
	return daxdev_err(-err, "%s: %s: %s", caller(flags), path, strerror(err));
}

DAXDEV_PROVIDER_ENTRY int daxdev_provider_for(const char *target, int fd, unsigned flags,
					      const struct daxdev_provider **prov,
					      const char **rest)
{
	struct stat st;

	if (!target) {
		*rest = "";
		if (fstat(fd, &st) < 0)
			return daxdev_err(-errno, "daxdev_open_fd: fd %d: %s", fd, strerror(errno));
		return by_kind("the descriptor", &st, flags, prov);
	}
	for (size_t i = 0; daxdev_providers[i]; i++) {
		const char *prefix = daxdev_providers[i]->prefix;
		size_t n = prefix ? strlen(prefix) : 0;

		if (n && !strncmp(target, prefix, n)) {
			*prov = daxdev_providers[i];
			*rest = target + n;
			return 0;
		}
	}
	*rest = target;
	return by_path(target, flags, prov);
}

DAXDEV_PROVIDER_ENTRY int daxdev_provider_for_node(const struct stat *st,
						   const struct daxdev_provider **prov)
{
	return by_kind("the device number", st, DAXDEV_PROVIDER_PROBE, prov);
}

int daxdev_sim_check_fits(const char *sim, const char *host, uint64_t size)
{
	uint64_t ram = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);

	if (size <= ram / 2)
		return 0;
	return daxdev_err(-EFBIG, "%s: %s: %llu bytes is too large to simulate here: written "
			  "in full it needs twice that (two images) and this machine has "
			  "%llu bytes of memory; use a smaller target", sim, host,
			  (unsigned long long)size, (unsigned long long)ram);
}
