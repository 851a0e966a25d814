/* SPDX-License-Identifier: MIT */
/*
 * The built-in providers as daxdev_open() sees them: one table entry each
 * (providers.c), walked in order.  A provider is reached by its prefix
 * ("anon:64M"), or, for a bare path, by the kind of file stat() finds.
 * Adding a provider means writing its file and adding its entry.
 */
#ifndef DAXDEV_PROVIDERS_H
#define DAXDEV_PROVIDERS_H

#include <sys/stat.h>
#include <daxdev/provider.h>

#define DAXDEV_PROVIDER_ENTRY __attribute__((visibility("hidden")))

/* One open (or probe) request, as a provider receives it. */
struct daxdev_open_args {
	const char *target;                   /* the part after the prefix, or the path */
	int fd;                               /* the caller's descriptor, or -1 */
	const struct daxdev_open_opts *opts;  /* never NULL, normalised: full size */
	const struct stat *node;              /* daxdev_probe_dev(): the device's kind
					       * (st_mode) and number (st_rdev), target
					       * NULL; otherwise NULL */
};

struct daxdev_provider {
	const char *name;
	const char *prefix;                   /* "anon:", or NULL */
	/* For bare paths and descriptors: does this provider take a file of
	 * this kind?  NULL: reached by prefix only. */
	bool (*takes)(const struct stat *st);
	/* The host name the device would have, without opening it (so that
	 * DAXDEV_OPEN_REUSE looks up before it opens): 0, -ENOENT when the
	 * target does not exist yet, or -errno.  NULL: never shared. */
	int (*host)(const struct daxdev_open_args *args, char *buf, size_t len);
	int (*open)(const struct daxdev_open_args *args, struct daxdev **devp);
	/* daxdev_probe(): a device describing what open would decide, made by
	 * the same lookup and decision code, with nothing mapped and no write
	 * access needed.  NULL: this provider cannot be probed. */
	int (*probe)(const struct daxdev_open_args *args, struct daxdev **devp);
	/* For probes of bare paths and device numbers: the kinds of file the
	 * probe describes.  NULL: the same as takes. */
	bool (*probe_takes)(const struct stat *st);
};

/* Internal flag for daxdev_provider_for(): choose by probe_takes. */
#define DAXDEV_PROVIDER_PROBE (1u << 31)

/* Every provider's entry, in the order daxdev_open() tries them; NULL
 * terminated (providers.c). */
DAXDEV_PROVIDER_ENTRY extern const struct daxdev_provider *const daxdev_providers[];

/* Resolve a target string (prefix, or a path looked at with stat()) or a
 * descriptor (target NULL: fstat()) to its provider; *rest is the part the
 * provider parses.  flags: the open flags, plus DAXDEV_PROVIDER_PROBE for a
 * probe.  -errno with a message if nothing takes it. */
DAXDEV_PROVIDER_ENTRY int daxdev_provider_for(const char *target, int fd, unsigned flags,
					      const struct daxdev_provider **prov,
					      const char **rest);
/* The provider whose probe describes a device of this kind (st->st_mode). */
DAXDEV_PROVIDER_ENTRY int daxdev_provider_for_node(const struct stat *st,
						   const struct daxdev_provider **prov);

/* The simulators (crashsim, sharesim) keep two images of their memory: a
 * target whose two images would not fit in this machine's memory is
 * refused with -EFBIG and a message naming sim and host, instead of ending
 * in the OOM killer (or an allocation that can never succeed). */
DAXDEV_PROVIDER_ENTRY int daxdev_sim_check_fits(const char *sim, const char *host,
						uint64_t size);

#endif
