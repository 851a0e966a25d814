/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench part: plog against libpmemlog (interface in log-append.h).
 *
 * The log pools live in /dev/shm; both take their durable path there
 * (PMEM_IS_PMEM_FORCE=1 for libpmemlog; for plog a device of the bench-local
 * provider with the write cache on: clwb + sfence), the same memory and the
 * same work.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <daxdev.h>
/* plog is measured against libpmemlog only. */
#ifndef BENCH_HAVE_PMEMLOG
#undef BENCH_HAVE_PLOG
#endif
#ifdef BENCH_HAVE_PMEMLOG
#include <libpmemlog.h>
#endif
#ifdef BENCH_HAVE_PLOG
#include "plog.h"
#endif

#include "backing.h"
#include "log-append.h"
#include "workloads.h"

struct backing bk_log = { .name = "log" };

#ifdef BENCH_HAVE_PMEMLOG
static PMEMlogpool *plp;
static uint64_t log_pool_size;

static int op_pmemlog_append(uint64_t off, size_t len)
{
	(void)off;
	return pmemlog_append(plp, src, len) ? -errno : 0;
}

/* Rewind (untimed) before a sample that might not fit. */
static void presample_pmemlog(size_t len, size_t k)
{
	if ((uint64_t)pmemlog_tell(plp) + (uint64_t)len * k + 64 * KiB >
	    (uint64_t)pmemlog_nbyte(plp))
		pmemlog_rewind(plp);
}
#endif

#ifdef BENCH_HAVE_PLOG
static struct plog *plg;
static struct daxdev *plog_dev;
static bool plog_ready;

static int op_plog_append(uint64_t off, size_t len)
{
	(void)off;
	return plog_append(plg, src, len);
}

static void presample_plog(size_t len, size_t k)
{
	struct plog_stat st;

	plog_get_stat(plg, &st);
	if (st.free < (uint64_t)(len + PLOG_RECORD_HEADER + 64) * k + 4096)
		plog_rewind(plg);
}

/* plog on a bench-provider device over a /dev/shm file of the pool's size. */
static int plog_setup(char *note, size_t n)
{
	char path[128];
	int rc;

	snprintf(path, sizeof(path), "/dev/shm/daxdev-bench-%d.plog", (int)getpid());
	rc = shmmap_open(path, log_pool_size, &plog_dev);
	unlink(path);
	if (!rc)
		rc = daxdev_set_write_cache(plog_dev, true);
	if (!rc) {
		char *p = map_whole(plog_dev, log_pool_size);
		if (p)
			prefault(p, log_pool_size);
		rc = plog_create(plog_dev, &plg);
	}
	if (rc) {
		snprintf(note, n, "; plog: %s", plog_errormsg());
		return rc;
	}
	plog_ready = true;
	snprintf(note, n, "; plog on a libdaxdev device over a /dev/shm file of the same size "
		 "(bench-shmmap provider, write cache on: clwb + sfence)");
	return 0;
}
#endif

#ifdef BENCH_HAVE_PMEMLOG
static int pmemlog_setup(void)
{
	char log_pmem_path[128];

	log_pool_size = cfg.quick ? 64 * MiB : 256 * MiB;
	snprintf(log_pmem_path, sizeof(log_pmem_path), "/dev/shm/daxdev-bench-%d.pmemlog",
		 (int)getpid());
	unlink(log_pmem_path);
	plp = pmemlog_create(log_pmem_path, log_pool_size, 0600);
	if (!plp) {
		snprintf(bk_log.note, sizeof(bk_log.note), "pmemlog_create: %s",
			 pmemlog_errormsg());
		return -EIO;
	}
	unlink(log_pmem_path);
	/* Touch every page of the pool once (append until full), so that no
	 * timed append takes a tmpfs page fault; the plog side is prefaulted
	 * through its mapping. */
	while (!pmemlog_append(plp, src, 64 * KiB))
		;
	pmemlog_rewind(plp);
	bk_log.size = log_pool_size;
	bk_log.ok = true;
	snprintf(bk_log.note, sizeof(bk_log.note),
		 "libpmemlog pool of %llu MiB in /dev/shm (PMEM_IS_PMEM_FORCE=1)",
		 (unsigned long long)(log_pool_size / MiB));
	return 0;
}
#endif

void setup_log(void)
{
#ifdef BENCH_HAVE_PMEMLOG
	size_t used;

	if (pmemlog_setup())
		return;
	used = strlen(bk_log.note);
#ifdef BENCH_HAVE_PLOG
	if (plog_setup(bk_log.note + used, sizeof(bk_log.note) - used))
		fprintf(stderr, "daxdev-bench: plog: %s\n", bk_log.note);
#else
	snprintf(bk_log.note + used, sizeof(bk_log.note) - used,
		 "; plog not built (examples/plog missing)");
#endif
#else
	snprintf(bk_log.note, sizeof(bk_log.note), "libpmemlog not found: no log workload");
#endif
}

void add_log_workloads(void)
{
#ifdef BENCH_HAVE_PMEMLOG
	static const uint64_t log_sizes[] = { 64, KiB, 4 * KiB };
	struct workload *w;

	if (!bk_log.ok)
		return;
	w = add("log-append", "log append (durable)", &bk_log, APPEND, log_sizes, 3);
	w->ref = impl(w, "pmemlog_append", op_pmemlog_append, NULL);
	w->impl[w->ref].presample = presample_pmemlog;
#ifdef BENCH_HAVE_PLOG
	if (plog_ready) {
		int m = cand(w, "plog append", op_plog_append, NULL);
		w->impl[m].presample = presample_plog;
	}
#endif
#endif
}

void teardown_log(void)
{
#ifdef BENCH_HAVE_PLOG
	if (plg)
		plog_close(plg);
	if (plog_dev)
		daxdev_put(plog_dev);
#endif
#ifdef BENCH_HAVE_PMEMLOG
	if (plp)
		pmemlog_close(plp);
#endif
}
