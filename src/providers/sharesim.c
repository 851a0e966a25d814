/* SPDX-License-Identifier: MIT */
/*
 * Coherence-simulator provider: several hosts over one memory, each with a
 * cache of its own (the model: sharesim_model.c; docs/sharesim.md).  Every
 * device is a view of one host: its direct-access memory is that host's
 * cache image.  Declaring a flush, a drain and an invalidate op makes the
 * core send every write-back, fence and invalidate of the view here, and
 * those are the simulator's events.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <daxdev/sharesim.h>
#include "providers.h"
#include "sharesim_model.h"

#define HOST_NAME_MAX_LEN 4096

struct sharesim {
	pthread_mutex_t lock;         /* the whole model */
	atomic_int views;             /* devices of any host: the last frees */
	struct daxdev *inner;         /* the memory */
	struct daxdev_info inner_info;
	struct sim_model m;
	char host[HOST_NAME_MAX_LEN]; /* "sharesim:" + the inner host */
};

struct sharesim_view {
	struct sharesim *sim;
	unsigned host;
	char name[HOST_NAME_MAX_LEN + 16];
};

static const struct daxdev_operations sharesim_ops;

static struct sharesim_view *view_of(const struct daxdev *dev)
{
	return daxdev_private(dev, &sharesim_ops);
}

static struct sim_cache *cache_of(const struct sharesim_view *v)
{
	return &v->sim->m.hosts[v->host];
}

/* [addr, addr+len) of this view's image as line offsets; -ERANGE outside. */
static int line_range(const struct sharesim_view *v, const void *addr, size_t len,
		      size_t *lo, size_t *hi)
{
	uintptr_t a = (uintptr_t)addr, base = (uintptr_t)cache_of(v)->img;
	size_t size = v->sim->m.size;

	if (a < base || a - base > size || len > size - (a - base))
		return -ERANGE;
	*lo = (a - base) & ~(size_t)(SIM_LINE - 1);
	*hi = (a - base + len + SIM_LINE - 1) & ~(size_t)(SIM_LINE - 1);
	return 0;
}

/* --- operations: the events ------------------------------------------------ */

/* An event over [addr, addr+len): time passes there, then this host's
 * changed lines are sent (clwb); an invalidate (clflushopt between fences)
 * also lands them and fetches the range again. */
static int range_event(struct daxdev *dev, const void *addr, size_t len, bool invalidate)
{
	struct sharesim_view *v = view_of(dev);
	struct sharesim *s = v->sim;
	size_t lo, hi;
	int rc = line_range(v, addr, len, &lo, &hi);

	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	s->m.stats.events++;
	sim_pass_time(&s->m, lo, hi);
	rc = sim_write_back(&s->m, cache_of(v), lo, hi);
	if (invalidate) {
		sim_land_all(&s->m, cache_of(v));
		if (!rc)
			sim_refetch_range(&s->m, cache_of(v), lo, hi);
	}
	pthread_mutex_unlock(&s->lock);
	if (rc)
		return daxdev_err(rc, "sharesim: %s: out of memory for write-backs in flight",
				  v->name);
	return 0;
}

static int sharesim_flush(struct daxdev *dev, const void *addr, size_t len)
{
	return range_event(dev, addr, len, false);
}

static int sharesim_invalidate(struct daxdev *dev, const void *addr, size_t len)
{
	return range_event(dev, addr, len, true);
}

/* The fence: this host's write-backs are in memory. */
static void sharesim_drain(struct daxdev *dev)
{
	struct sharesim_view *v = view_of(dev);
	struct sharesim *s = v->sim;

	pthread_mutex_lock(&s->lock);
	s->m.stats.events++;
	sim_pass_time(&s->m, 0, 0);
	sim_land_all(&s->m, cache_of(v));
	pthread_mutex_unlock(&s->lock);
}

static int sharesim_describe(struct daxdev *dev, char *buf, size_t len)
{
	struct sharesim_view *v = view_of(dev);
	struct sharesim *s = v->sim;
	struct daxdev_sharesim_stats st;

	pthread_mutex_lock(&s->lock);
	st = s->m.stats;
	pthread_mutex_unlock(&s->lock);
	return snprintf(buf, len,
			"sharesim-host: %u of %u\nsharesim-memory: %s\n"
			"sharesim-events: %llu (%llu write-backs, %llu landed, %llu evicted, "
			"%llu invalidated, %llu stale, %llu lost words)\n",
			v->host, s->m.nhosts, daxdev_host(s->inner),
			(unsigned long long)st.events, (unsigned long long)st.writebacks,
			(unsigned long long)st.landed, (unsigned long long)st.evictions,
			(unsigned long long)st.invalidated, (unsigned long long)st.stale_lines,
			(unsigned long long)st.lost_words);
}

static void sim_free(struct sharesim *s)
{
	for (unsigned h = 0; s->m.hosts && h < s->m.nhosts; h++)
		sim_cache_free(&s->m.hosts[h]);
	free(s->m.hosts);
	free(s->m.hold);
	daxdev_put(s->inner);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void sharesim_release(struct daxdev *dev)
{
	struct sharesim_view *v = view_of(dev);

	if (atomic_fetch_sub(&v->sim->views, 1) == 1)
		sim_free(v->sim);
	free(v);
}

static const struct daxdev_operations sharesim_ops = {
	.sz = sizeof(struct daxdev_operations),
	.flush = sharesim_flush,
	.drain = sharesim_drain,
	.describe = sharesim_describe,
	.release = sharesim_release,
	.invalidate = sharesim_invalidate,
};

/* --- views ---------------------------------------------------------------- */

/* A field of the caller's options if its struct has it, else 0. */
#define OPT(opts, field)                                                              \
	((opts) && (opts)->sz >= offsetof(struct daxdev_open_opts, field) +         \
	 sizeof((opts)->field) ? (opts)->field : 0)

/* Of the open options only READONLY applies to a view; size must fit. */
static int check_view_opts(const struct sharesim *s, const struct daxdev_open_opts *opts)
{
	if (OPT(opts, flags) & ~DAXDEV_OPEN_READONLY)
		return daxdev_err(-EINVAL, "sharesim: %s: open flags 0x%x do not apply to a host's view "
				  "(only DAXDEV_OPEN_READONLY does)", s->host, opts->flags);
	if (OPT(opts, size) > s->m.size)
		return daxdev_err(-ENOSPC, "sharesim: %s: %llu bytes asked for, the memory has %zu",
				  s->host, (unsigned long long)opts->size, s->m.size);
	return 0;
}

static int host_cache(struct sharesim *s, unsigned host)
{
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	if (!s->m.hosts[host].img)
		rc = sim_cache_init(&s->m, &s->m.hosts[host]);
	pthread_mutex_unlock(&s->lock);
	if (rc)
		return daxdev_err(rc, "sharesim: %s: out of memory for host %u's cache of %zu bytes",
				  s->host, host, s->m.size);
	return 0;
}

static int alloc_view(struct sharesim *s, struct sharesim_view *v,
		      const struct daxdev_open_opts *opts, struct daxdev **devp)
{
	char reason[256];

	snprintf(v->name, sizeof(v->name), "%s#%u", s->host, v->host);
	snprintf(reason, sizeof(reason), "simulated: host %u's cache over %s (%s)", v->host,
		 s->inner_info.host, s->inner_info.persistence_reason);
	struct daxdev_params params = {
		.sz = sizeof(params), .provider = "sharesim", .host = v->name,
		.size = s->m.size, .align = s->inner_info.align, .base = cache_of(v)->img,
		.persistence = s->inner_info.persistence, .persistence_reason = reason,
		.write_cache = s->inner_info.write_cache, .flush_name = "sharesim",
		.unshared = true, .flat_mapping = true, .opts = opts,
		.readonly = OPT(opts, flags) & DAXDEV_OPEN_READONLY,
	};
	return daxdev_alloc(&sharesim_ops, &params, v, devp);
}

static int make_view(struct sharesim *s, unsigned host, const struct daxdev_open_opts *opts,
		     struct daxdev **devp)
{
	struct sharesim_view *v;
	int rc;

	if (host >= s->m.nhosts)
		return daxdev_err(-EINVAL, "sharesim: %s: host %u of %u", s->host, host,
				  s->m.nhosts);
	rc = check_view_opts(s, opts);
	if (!rc)
		rc = host_cache(s, host);
	if (rc)
		return rc;
	v = calloc(1, sizeof(*v));
	if (!v)
		return daxdev_err(-ENOMEM, "sharesim: out of memory");
	v->sim = s;
	v->host = host;
	atomic_fetch_add(&s->views, 1);
	rc = alloc_view(s, v, opts, devp);
	if (rc) {
		atomic_fetch_sub(&s->views, 1);
		free(v);
	}
	return rc;
}

/* --- the simulator -------------------------------------------------------- */

/* The caller's options as this library's struct, whatever its sz. */
static int take_opts(const struct daxdev_sharesim_opts *in, struct daxdev_sharesim_opts *out)
{
	const unsigned char *bytes = (const unsigned char *)in;

	memset(out, 0, sizeof(*out));
	if (!in)
		return 0;
	if (in->sz < sizeof(size_t))
		return daxdev_err(-EINVAL, "daxdev_sharesim_new: opts with sz %zu: set sz", in->sz);
	for (size_t i = sizeof(*out); i < in->sz; i++)
		if (bytes[i])
			return daxdev_err(-EINVAL, "daxdev_sharesim_new: byte %zu of the options is set, "
					  "but this library knows only %zu bytes", i, sizeof(*out));
	memcpy(out, in, in->sz < sizeof(*out) ? in->sz : sizeof(*out));
	return 0;
}

static void set_rates(struct sim_model *m, const struct daxdev_sharesim_opts *o)
{
	m->rng = o->seed;
	m->evict_one_in = o->evict_one_in ? o->evict_one_in : 4;
	m->refetch_one_in = o->refetch_one_in ? o->refetch_one_in : 8;
	m->land_one_in = o->land_one_in ? o->land_one_in : 4;
	m->torn_one_in = o->torn_one_in ? o->torn_one_in : 2;
}

/* The inner device's whole memory, as one mapping. */
static int map_memory(struct sharesim *s)
{
	uint64_t pages = s->inner_info.size / s->inner_info.align;
	void *addr;
	long got;

	if (s->inner_info.size > SIZE_MAX || pages > (uint64_t)LONG_MAX ||
	    s->inner_info.align % SIM_LINE)
		return daxdev_err(-EINVAL, "sharesim: %s: size %llu or page size %llu not supported",
				  s->inner_info.host, (unsigned long long)s->inner_info.size,
				  (unsigned long long)s->inner_info.align);
	got = daxdev_direct_access(s->inner, 0, (long)pages, &addr);
	if (got < 0)
		return (int)got;
	if ((uint64_t)got != pages)
		return daxdev_err(-EOPNOTSUPP, "sharesim: %s has no single contiguous mapping",
				  s->inner_info.host);
	s->m.mem = addr;
	s->m.size = (size_t)s->inner_info.size;
	return 0;
}

static int sim_init(struct sharesim *s, struct daxdev *inner, unsigned nhosts)
{
	int rc;

	s->inner_info.sz = sizeof(s->inner_info);
	rc = daxdev_get_info(inner, &s->inner_info);
	if (rc)
		return rc;
	if (s->inner_info.readonly)
		return daxdev_err(-EINVAL, "sharesim: %s is read-only: write-backs store to memory",
				  s->inner_info.host);
	/* each host keeps an image and a clean copy of the whole memory */
	rc = daxdev_sim_check_fits("sharesim", s->inner_info.host, s->inner_info.size);
	if (!rc)
		rc = map_memory(s);
	if (rc)
		return rc;
	snprintf(s->host, sizeof(s->host), "sharesim:%s", s->inner_info.host);
	s->m.nhosts = nhosts;
	s->m.hosts = calloc(nhosts, sizeof(*s->m.hosts));
	s->m.hold = calloc(s->m.size / SIM_LINE, 1);
	if (!s->m.hosts || !s->m.hold)
		return daxdev_err(-ENOMEM, "sharesim: %s: out of memory", s->host);
	return 0;
}

static int sim_create(struct daxdev *inner, unsigned nhosts, const struct daxdev_sharesim_opts *opts,
		      const struct daxdev_open_opts *view_opts, struct daxdev **devp)
{
	struct daxdev_sharesim_opts o;
	struct sharesim *s;
	int rc = take_opts(opts, &o);

	if (rc)
		return rc;
	if (!inner || !devp)
		return daxdev_err(-EINVAL, "daxdev_sharesim_new: NULL device or result pointer");
	if (nhosts == 0 || nhosts > DAXDEV_SHARESIM_HOSTS_MAX)
		return daxdev_err(-EINVAL, "daxdev_sharesim_new: %u hosts: 1 to %d", nhosts,
				  DAXDEV_SHARESIM_HOSTS_MAX);
	if (!daxdev_alive(inner))
		return daxdev_err(-ENXIO, "daxdev_sharesim_new: %s has been killed",
				  daxdev_host(inner));
	s = calloc(1, sizeof(*s));
	if (!s)
		return daxdev_err(-ENOMEM, "sharesim: out of memory");
	pthread_mutex_init(&s->lock, NULL);
	s->inner = daxdev_get(inner);
	set_rates(&s->m, &o);
	rc = sim_init(s, inner, nhosts);
	if (!rc)
		rc = make_view(s, 0, view_opts, devp);
	if (rc)
		sim_free(s);
	return rc;
}

DAXDEV_API int daxdev_sharesim_new(struct daxdev *inner, unsigned nhosts,
				   const struct daxdev_sharesim_opts *opts, struct daxdev **devp)
{
	daxdev_errormsg_clear();
	return sim_create(inner, nhosts, opts, NULL, devp);
}

/* The inner device is opened as asked (size, create, mode), private; the
 * view of host 0 gets the options' policy and READONLY. */
static int sharesim_open(const struct daxdev_open_args *args, struct daxdev **devp)
{
	DAXDEV_OPEN_OPTS(inner_opts, .size = args->opts->size, .mode = args->opts->mode,
			 .flags = args->opts->flags & ~(DAXDEV_OPEN_REUSE | DAXDEV_OPEN_READONLY));
	struct daxdev_open_opts view_opts = *args->opts;
	struct daxdev *inner;
	int rc;

	if (!args->target[0])
		return daxdev_err(-EINVAL, "sharesim: a target is required, e.g. sharesim:anon:1M");
	view_opts.flags &= DAXDEV_OPEN_READONLY;
	rc = daxdev_open(args->target, &inner_opts, &inner);
	if (rc)
		return rc;
	rc = sim_create(inner, DAXDEV_SHARESIM_HOSTS_MAX, NULL, &view_opts, devp);
	daxdev_put(inner);
	return rc;
}

DAXDEV_PROVIDER_ENTRY const struct daxdev_provider daxdev_provider_sharesim = {
	.name = "sharesim",
	.prefix = "sharesim:",
	.open = sharesim_open,
};

/* --- the calls of its own ---------------------------------------------------- */

static int sim_find(struct daxdev *dev, const char *fn, struct sharesim **sp)
{
	struct sharesim_view *v;

	daxdev_errormsg_clear();
	if (!dev)
		return daxdev_err(-EINVAL, "%s: NULL device", fn);
	v = view_of(dev);
	if (!v)
		return daxdev_err(-EINVAL, "%s: %s is not a sharesim device", fn, daxdev_host(dev));
	if (!daxdev_alive(dev))
		return daxdev_err(-ENXIO, "%s: %s: device has been killed", fn, v->name);
	*sp = v->sim;
	return 0;
}

DAXDEV_API int daxdev_sharesim_host(struct daxdev *sim, unsigned host,
				    const struct daxdev_open_opts *opts, struct daxdev **devp)
{
	struct sharesim *s;
	int rc = sim_find(sim, "daxdev_sharesim_host", &s);

	if (rc)
		return rc;
	if (!devp)
		return daxdev_err(-EINVAL, "daxdev_sharesim_host: NULL result pointer");
	return make_view(s, host, opts, devp);
}

DAXDEV_API int daxdev_sharesim_seed(struct daxdev *sim, uint64_t seed)
{
	struct sharesim *s;
	int rc = sim_find(sim, "daxdev_sharesim_seed", &s);

	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	s->m.rng = seed;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

DAXDEV_API int daxdev_sharesim_step(struct daxdev *sim)
{
	struct sharesim *s;
	int rc = sim_find(sim, "daxdev_sharesim_step", &s);

	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	s->m.stats.events++;
	sim_pass_time(&s->m, 0, s->m.size);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

DAXDEV_API int daxdev_sharesim_stats(struct daxdev *sim, struct daxdev_sharesim_stats *stats)
{
	struct daxdev_sharesim_stats now;
	struct sharesim *s;
	int rc = sim_find(sim, "daxdev_sharesim_stats", &s);

	if (rc)
		return rc;
	if (!stats)
		return daxdev_err(-EINVAL, "daxdev_sharesim_stats: NULL result pointer");
	pthread_mutex_lock(&s->lock);
	sim_counts(&s->m, &now);
	pthread_mutex_unlock(&s->lock);
	now.sz = sizeof(now);
	return daxdev_struct_out(stats, &now, sizeof(now));
}
