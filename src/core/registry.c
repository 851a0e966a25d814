/* SPDX-License-Identifier: MIT */
/*
 * Devices shared by host name within a process.  A lookup only hands out an
 * object that is alive and whose count is not already zero (a put racing to
 * the last reference), so a dead or dying object is never returned.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

struct registry_entry {
	struct daxdev *dev;
	struct registry_entry *next;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct registry_entry *registry_head;

/* Take a reference unless the count already reached zero. */
static bool get_unless_zero(struct daxdev *dev)
{
	long n = atomic_load(&dev->refs);

	while (n > 0)
		if (atomic_compare_exchange_weak(&dev->refs, &n, n + 1))
			return true;
	return false;
}

static struct daxdev *lookup_locked(const char *host)
{
	for (struct registry_entry *e = registry_head; e; e = e->next)
		if (!strcmp(e->dev->host, host) && daxdev_alive(e->dev) &&
		    get_unless_zero(e->dev))
			return e->dev;
	return NULL;
}

DAXDEV_HIDDEN struct daxdev *daxdev_registry_add(struct daxdev *dev)
{
	struct registry_entry *e;
	struct daxdev *found;

	pthread_mutex_lock(&registry_lock);
	found = lookup_locked(dev->host);
	if (found) {
		pthread_mutex_unlock(&registry_lock);
		return found;
	}
	e = malloc(sizeof(*e));
	if (e) {
		e->dev = dev;
		e->next = registry_head;
		registry_head = e;
		dev->registered = true;
	}
	pthread_mutex_unlock(&registry_lock);
	return dev;
}

DAXDEV_HIDDEN void daxdev_registry_remove(struct daxdev *dev)
{
	struct registry_entry **pp, *gone = NULL;

	pthread_mutex_lock(&registry_lock);
	if (dev->registered) {
		for (pp = &registry_head; *pp; pp = &(*pp)->next) {
			if ((*pp)->dev == dev) {
				gone = *pp;
				*pp = gone->next;
				break;
			}
		}
		dev->registered = false;
	}
	pthread_mutex_unlock(&registry_lock);
	free(gone);
}

DAXDEV_EXPORT struct daxdev *daxdev_get_by_host(const char *host)
{
	struct daxdev *dev;

	if (!host) {
		daxdev_err(-EINVAL, "daxdev_get_by_host: NULL host name");
		return NULL;
	}
	pthread_mutex_lock(&registry_lock);
	dev = lookup_locked(host);
	pthread_mutex_unlock(&registry_lock);
	if (!dev)
		daxdev_err(-ENODEV, "daxdev_get_by_host: no open device has host '%s'", host);
	return dev;
}
