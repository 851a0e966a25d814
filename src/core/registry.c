/* SPDX-License-Identifier: MIT */
/*
 * Devices shared by host name within a process (DAXDEV_OPEN_REUSE).  A
 * lookup only hands out an object that is alive and whose count is not
 * already zero (a put racing to the last reference), so a dead or dying
 * object is never returned.
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

static struct registry_entry **find_locked(const char *host)
{
	struct registry_entry **pp;

	for (pp = &registry_head; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->dev->host, host))
			break;
	return pp;
}

DAXDEV_HIDDEN struct daxdev *daxdev_registry_lookup(const char *host)
{
	struct registry_entry *e;
	struct daxdev *dev = NULL;

	pthread_mutex_lock(&registry_lock);
	e = *find_locked(host);
	if (e && daxdev_alive(e->dev) && get_unless_zero(e->dev))
		dev = e->dev;
	pthread_mutex_unlock(&registry_lock);
	return dev;
}

/* The old holder of the name (if any) keeps working for those who hold it;
 * later lookups find the new one. */
DAXDEV_HIDDEN void daxdev_registry_add(struct daxdev *dev)
{
	struct registry_entry *e = malloc(sizeof(*e)), **pp;

	pthread_mutex_lock(&registry_lock);
	pp = find_locked(dev->host);
	if (*pp) {
		(*pp)->dev->registered = false;
		(*pp)->dev = dev;
		dev->registered = true;
	} else if (e) {
		*e = (struct registry_entry){ .dev = dev, .next = registry_head };
		registry_head = e;
		dev->registered = true;
		e = NULL;
	}
	pthread_mutex_unlock(&registry_lock);
	free(e);
	if (!dev->registered)
		daxdev_log(DAXDEV_LOG_WARNING, "%s: out of memory: not shared", dev->host);
}

DAXDEV_HIDDEN void daxdev_registry_remove(struct daxdev *dev)
{
	struct registry_entry **pp, *gone = NULL;

	pthread_mutex_lock(&registry_lock);
	if (dev->registered) {
		pp = find_locked(dev->host);
		if (*pp && (*pp)->dev == dev) {
			gone = *pp;
			*pp = gone->next;
		}
		dev->registered = false;
	}
	pthread_mutex_unlock(&registry_lock);
	free(gone);
}

DAXDEV_API struct daxdev *daxdev_get_by_host(const char *host)
{
	struct daxdev *dev;

	daxdev_clear_error();
	if (!host) {
		daxdev_err(-EINVAL, "daxdev_get_by_host: NULL host name");
		return NULL;
	}
	dev = daxdev_registry_lookup(host);
	if (!dev)
		daxdev_err(-ENODEV, "daxdev_get_by_host: no device opened with DAXDEV_OPEN_REUSE has host '%s'",
			   host);
	return dev;
}
