/* SPDX-License-Identifier: MIT */
/*
 * Entry points of the built-in providers, called only by daxdev_open()
 * (src/core/open.c).  Each takes the target with its prefix removed
 * ("64M" for "anon:64M", the path for a file) and returns a new device.
 */
#ifndef DAXDEV_PROVIDERS_H
#define DAXDEV_PROVIDERS_H

#include <daxdev/provider.h>

#define DAXDEV_PROVIDER_ENTRY __attribute__((visibility("hidden")))

typedef int (*daxdev_provider_open_fn)(const struct daxdev_open_args *args,
				       struct daxdev **devp);

DAXDEV_PROVIDER_ENTRY int daxdev_volatile_open(const struct daxdev_open_args *args,
					       struct daxdev **devp);
DAXDEV_PROVIDER_ENTRY int daxdev_devdax_open(const struct daxdev_open_args *args,
					     struct daxdev **devp);
DAXDEV_PROVIDER_ENTRY int daxdev_fsdax_open(const struct daxdev_open_args *args,
					    struct daxdev **devp);
DAXDEV_PROVIDER_ENTRY int daxdev_linear_open(const struct daxdev_open_args *args,
					     struct daxdev **devp);
DAXDEV_PROVIDER_ENTRY int daxdev_stripe_open(const struct daxdev_open_args *args,
					     struct daxdev **devp);
DAXDEV_PROVIDER_ENTRY int daxdev_crashsim_open(const struct daxdev_open_args *args,
					       struct daxdev **devp);

#endif
