/* SPDX-License-Identifier: MIT */
/*
 * daxdev-bench: libdaxdev against libpmem (and libpmemlog) on the same memory.
 *
 * Every figure is the median of R samples; a sample is the mean time of K
 * back-to-back operations.  Rounds are interleaved: each round runs every
 * workload, every size and every implementation once (the implementation
 * order rotates from round to round), so slow drifts of a shared machine hit
 * all contenders alike.  Ratios are the median over rounds of the per-round
 * ratio t_reference / t_candidate: above 1 means the candidate is faster.
 *
 * The benchmark only reports.  It exits non-zero only when a call fails.
 *
 *   daxdev-bench [--quick] [--rounds N] [--cpu N] [--out DIR] [--only LIST]
 *                [--backing anon|shm|both] [--region SIZE] [--sizes 64,256,4K]
 *                [--variant ENV=VALUE]... [--no-variant]
 *   --variant adds rows for another libdaxdev device over the same anonymous
 *   memory, created with that environment override (default:
 *   DAXDEV_NT_THRESHOLD=64), measured in the same interleaved rounds.
 *   DAXDEV_BENCH_QUICK=1 is the same as --quick.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libpmem.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <daxdev.h>
#include <daxdev/provider.h>
#ifdef BENCH_HAVE_PMEMLOG
#include <libpmemlog.h>
#endif
#ifdef BENCH_HAVE_PLOG
#include "plog.h"
#endif

#define KiB (1024ull)
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define MAX_ROUNDS 64
#define MAX_IMPLS 8
#define MAX_SIZES 8
#define KMAX (1u << 16)            /* operations per sample, offset-array patterns */
#define KMAX_HOT (1u << 24)        /* operations per sample, constant offset */

#define SRC_SKEW (37 * 64)       /* see main() */
#define barrier() __asm__ __volatile__("" ::: "memory")

/* ---- configuration ------------------------------------------------------ */

static struct {
	bool quick;
	int rounds;
	int cpu;
	const char *out;
	const char *only;
	bool anon, shm;
	uint64_t region;
	uint64_t ceiling;
	double sample_ns;           /* target duration of one sample */
	int nvariant;               /* --variant ENV=VALUE: extra libdaxdev rows */
	const char *variant[3];
} cfg = { .rounds = 15, .cpu = -1, .anon = true, .shm = true, .region = GiB,
	  .ceiling = 256 * MiB, .sample_ns = 4e6 };

static int failures;

static void fail(const char *what, int rc)
{
	if (failures++ < 10)
		fprintf(stderr, "daxdev-bench: %s failed: %d (%s) %s\n", what, rc,
			strerror(rc < 0 ? -rc : rc), daxdev_errormsg());
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* ---- memory under test -------------------------------------------------- */

struct backing {
	const char *name;           /* "anon", "shm", "volatile" */
	struct daxdev *dev;
	char *dax;                  /* libdaxdev's mapping (direct_access of page 0) */
	char *pm;                   /* libpmem's mapping of the same kind of memory */
	uint64_t size;
	struct daxdev *dev2;        /* shm: libdaxdev's own file provider */
	char *dax2;
	uint64_t size2;
	struct daxdev *view[3];     /* same memory as dev, created under cfg.variant[i] */
	char note[512];
	bool ok;
};

static struct backing bk_anon = { .name = "anon" }, bk_shm = { .name = "shm" },
		      bk_vol = { .name = "volatile" };
static struct backing *cur;     /* backing of the running workload */
static char *src;               /* source buffer (cfg.ceiling bytes) */
static char shm_dax_path[128], shm_pmem_path[128];

static void prefault(char *p, uint64_t len)
{
	for (uint64_t o = 0; o < len; o += 4096)
		p[o] = 1;
	memset(p, 0, len);
}

static char *map_whole(struct daxdev *dev, uint64_t size)
{
	uint64_t align = daxdev_align(dev);
	void *addr = NULL;
	long n = daxdev_direct_access(dev, 0, (long)(size / align), &addr);

	if (n < 0 || (uint64_t)n * align < size)
		return NULL;
	return addr;
}

static void describe(struct backing *b, const char *extra)
{
	struct daxdev_info in = DAXDEV_INFO_INIT;

	if (daxdev_get_info(b->dev, &in)) {
		snprintf(b->note, sizeof(b->note), "%s", extra);
		return;
	}
	snprintf(b->note, sizeof(b->note),
		 "provider %s, write cache %s (%s), copy %s, fill %s, flush %s, drain %s, nt_threshold %zu%s%s",
		 in.provider, in.write_cache ? "on" : "off", in.write_cache_reason,
		 in.copy_impl, in.fill_impl, in.flush_impl, in.drain_impl, in.nt_threshold,
		 *extra ? "; " : "", extra);
}

static int view_open(void *addr, uint64_t size, const char *host, const char *env,
		     struct daxdev **devp);
static const struct daxdev_operations shmmap_ops;

static int setup_anon(struct backing *b, bool write_cache, char *target)
{
	int rc = daxdev_open(target, NULL, &b->dev);

	if (rc) {
		snprintf(b->note, sizeof(b->note), "daxdev_open(%s): %s", target,
			 daxdev_errormsg());
		return rc;
	}
	rc = daxdev_set_write_cache(b->dev, write_cache);
	if (rc)
		return rc;
	b->size = daxdev_size(b->dev);
	b->dax = b->pm = map_whole(b->dev, b->size);
	if (!b->dax) {
		snprintf(b->note, sizeof(b->note), "direct_access: %s", daxdev_errormsg());
		return -EIO;
	}
	prefault(b->dax, b->size);
	if (write_cache) {
		char extra[400];
		int n = snprintf(extra, sizeof(extra), "libpmem runs on the same anonymous region");
		for (int i = 0; i < cfg.nvariant; i++) {
			char host[64];
			snprintf(host, sizeof(host), "bench-anon-view%d", i);
			rc = view_open(b->dax, b->size, host, cfg.variant[i], &b->view[i]);
			n += snprintf(extra + n, sizeof(extra) - n,
				      "; \"[%s]\" rows: another libdaxdev device over the same memory, created with %s%s",
				      cfg.variant[i], cfg.variant[i], rc ? " (FAILED)" : "");
			if ((size_t)n >= sizeof(extra))
				break;
		}
		describe(b, extra);
	} else {
		describe(b, "");
	}
	b->ok = true;
	return 0;
}

/*
 * A bench-local provider for the /dev/shm file: one MAP_SHARED mapping,
 * declared persistent with the write cache on, and no flush op, so that the
 * core does what libpmem does on it (CPU cache write-back + fence).  The
 * library's own file provider treats tmpfs as volatile memory (nothing to
 * flush) or, with the write cache forced on, flushes with msync; that is
 * measured separately as "fsdax/msync".
 */
struct shmmap { void *addr; size_t len; bool own; };

static void shmmap_release(struct daxdev *dev)
{
	struct shmmap *m = daxdev_private(dev, &shmmap_ops);

	if (m->own)
		munmap(m->addr, m->len);
	free(m);
}

/* One flat mapping: the core computes page addresses itself. */
static const struct daxdev_operations shmmap_ops = {
	.sz = sizeof(struct daxdev_operations),
	.release = shmmap_release,
};

/* A --variant "DAXDEV_X=VALUE" as the open option it stands for. */
static int variant_opts(const char *variant, struct daxdev_open_opts *o)
{
	const char *eq = strchr(variant, '=');
	uint64_t v;

	if (!eq)
		return -EINVAL;
	if (!strncmp(variant, "DAXDEV_NT_THRESHOLD=", 20) && !daxdev_parse_size(eq + 1, &v))
		o->nt_threshold = v ? (size_t)v : 1;
	else if (!strcmp(variant, "DAXDEV_NT=0"))
		o->nt_threshold = DAXDEV_NT_NEVER;
	else if (!strncmp(variant, "DAXDEV_ISA=", 11))
		o->isa = eq + 1;
	else if (!strncmp(variant, "DAXDEV_FLUSH=", 13))
		o->flush = eq + 1;
	else
		return -EINVAL;
	return 0;
}

/* Another device over memory someone else owns (the anon region), created
 * with one policy override (e.g. DAXDEV_NT_THRESHOLD=64, given as an open
 * option): the same memory through another policy, measured in the same
 * rounds. */
static int view_open(void *addr, uint64_t size, const char *host, const char *variant,
		     struct daxdev **devp)
{
	DAXDEV_OPEN_OPTS(opts, .write_cache = DAXDEV_WRITE_CACHE_ON);
	struct shmmap *m = calloc(1, sizeof(*m));
	int rc;

	if (!m || variant_opts(variant, &opts)) {
		free(m);
		return -EINVAL;
	}
	m->addr = addr;
	m->len = size;
	struct daxdev_params p = {
		.sz = sizeof(p), .provider = "bench-view", .host = host, .size = size,
		.align = 4096, .base = addr, .persistence = DAXDEV_PERSISTENCE_PERSISTENT,
		.persistence_reason = "bench: treated as pmem", .write_cache = true,
		.flat_mapping = true, .unshared = true, .opts = &opts,
	};
	rc = daxdev_alloc(&shmmap_ops, &p, m, devp);
	if (rc)
		free(m);
	else
		daxdev_set_write_cache(*devp, true);
	return rc;
}

static int shmmap_open(const char *path, uint64_t size, struct daxdev **devp)
{
	struct shmmap *m = calloc(1, sizeof(*m));
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), rc;

	if (!m || fd < 0 || ftruncate(fd, (off_t)size)) {
		if (fd >= 0)
			close(fd);
		free(m);
		return -errno;
	}
	m->len = size;
	m->own = true;
	m->addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m->addr == MAP_FAILED) {
		free(m);
		return -errno;
	}
	struct daxdev_params p = {
		.sz = sizeof(p), .provider = "bench-shmmap", .host = path, .size = size, .align = 4096,
		.base = m->addr, .persistence = DAXDEV_PERSISTENCE_PERSISTENT,
		.persistence_reason = "bench: treated as pmem, like PMEM_IS_PMEM_FORCE",
		/* a file mapped whole, like fsdax with MAP_SYNC: a flat device */
		.write_cache = true, .flat_mapping = true, .unshared = true,
	};
	rc = daxdev_alloc(&shmmap_ops, &p, m, devp);
	if (rc) {
		munmap(m->addr, m->len);
		free(m);
	}
	return rc;
}

static int setup_shm(struct backing *b)
{
	size_t mapped = 0;
	int is_pmem = 0, rc;
	char target[160], fs_path[128];

	snprintf(shm_pmem_path, sizeof(shm_pmem_path), "/dev/shm/daxdev-bench-%d.pmem",
		 (int)getpid());
	snprintf(shm_dax_path, sizeof(shm_dax_path), "/dev/shm/daxdev-bench-%d.dax",
		 (int)getpid());
	b->pm = pmem_map_file(shm_pmem_path, cfg.region, PMEM_FILE_CREATE, 0600, &mapped,
			      &is_pmem);
	if (!b->pm) {
		snprintf(b->note, sizeof(b->note), "pmem_map_file: %s", pmem_errormsg());
		return -EIO;
	}
	unlink(shm_pmem_path);
	rc = shmmap_open(shm_dax_path, cfg.region, &b->dev);
	unlink(shm_dax_path);
	if (rc) {
		snprintf(b->note, sizeof(b->note), "shm mapping for libdaxdev: %s",
			 strerror(-rc));
		pmem_unmap(b->pm, mapped);
		b->pm = NULL;
		return rc;
	}
	rc = daxdev_set_write_cache(b->dev, true);
	if (rc)
		return rc;
	b->size = cfg.region;
	b->dax = map_whole(b->dev, b->size);
	if (!b->dax) {
		snprintf(b->note, sizeof(b->note), "direct_access: %s", daxdev_errormsg());
		return -EIO;
	}
	prefault(b->dax, b->size);
	prefault(b->pm, b->size);

	/* The library's own file provider on a small tmpfs file, write cache
	 * forced on: what daxdev_open("/dev/shm/...") really does. */
	char extra[400];
	uint64_t fs_size = 256 * MiB < cfg.region ? 256 * MiB : cfg.region;
	snprintf(fs_path, sizeof(fs_path), "/dev/shm/daxdev-bench-%d.fsdax", (int)getpid());
	snprintf(target, sizeof(target), "file:%s", fs_path);
	DAXDEV_OPEN_OPTS(create, .size = fs_size, .flags = DAXDEV_OPEN_CREATE);
	rc = daxdev_open(target, &create, &b->dev2);
	unlink(fs_path);
	if (!rc) {
		struct daxdev_info in = DAXDEV_INFO_INIT;
		bool wc_default = daxdev_write_cache(b->dev2) == 1;
		daxdev_set_write_cache(b->dev2, true);
		b->dax2 = map_whole(b->dev2, fs_size);
		b->size2 = fs_size;
		if (b->dax2)
			prefault(b->dax2, fs_size);
		daxdev_get_info(b->dev2, &in);
		snprintf(extra, sizeof(extra),
			 "libpmem: pmem_map_file, is_pmem=%d; \"fsdax/msync\" rows: libdaxdev's own file provider on tmpfs (default write cache %s, forced on: copy %s, flush %s)",
			 is_pmem, wc_default ? "on" : "off", in.copy_impl, in.flush_impl);
		if (!b->dax2) {
			daxdev_put(b->dev2);
			b->dev2 = NULL;
		}
	} else {
		snprintf(extra, sizeof(extra),
			 "libpmem: pmem_map_file, is_pmem=%d; libdaxdev file provider: %s",
			 is_pmem, daxdev_errormsg());
		b->dev2 = NULL;
	}
	describe(b, extra);
	b->ok = true;
	return 0;
}

/* ---- operations ----------------------------------------------------------- */

static unsigned char dirty_val;

typedef int (*op_fn)(uint64_t off, size_t len);
typedef void (*prep_fn)(uint64_t off, size_t len);
typedef void (*presample_fn)(size_t len, size_t k);

struct impl {
	const char *name;
	op_fn op;
	prep_fn prep;               /* untimed, per operation, before the batch */
	presample_fn presample;     /* untimed, once per sample */
};

static int op_dax_write(uint64_t off, size_t len)
{
	return daxdev_write(cur->dev, off, src, len);
}

static int op_dax_memcpy(uint64_t off, size_t len)
{
	return daxdev_memcpy(cur->dev, cur->dax + off, src, len, 0);
}

#define VIEW_OPS(i)                                                              \
	static int op_view##i##_memcpy(uint64_t off, size_t len)                 \
	{                                                                        \
		return daxdev_memcpy(cur->view[i], cur->dax + off, src, len, 0);  \
	}                                                                        \
	static int op_view##i##_memset(uint64_t off, size_t len)                 \
	{                                                                        \
		return daxdev_memset(cur->view[i], cur->dax + off, 0, len, 0);    \
	}
VIEW_OPS(0)
VIEW_OPS(1)
VIEW_OPS(2)
static op_fn const view_memcpy[3] = { op_view0_memcpy, op_view1_memcpy, op_view2_memcpy };
static op_fn const view_memset[3] = { op_view0_memset, op_view1_memset, op_view2_memset };

/* fsdax/msync device: smaller; the offsets wrap inside it. */
static int op_fs_write(uint64_t off, size_t len)
{
	return daxdev_write(cur->dev2, off % (cur->size2 - len + 1) & ~(uint64_t)63, src, len);
}

static int op_fs_flush(uint64_t off, size_t len)
{
	off = off % (cur->size2 - len + 1) & ~(uint64_t)63;
	return daxdev_flush(cur->dev2, cur->dax2 + off, len);
}

static void prep_dirty_fs(uint64_t off, size_t len)
{
	off = off % (cur->size2 - len + 1) & ~(uint64_t)63;
	memset(cur->dax2 + off, ++dirty_val, len);
}

static int op_pmem_memcpy(uint64_t off, size_t len)
{
	pmem_memcpy_persist(cur->pm + off, src, len);
	return 0;
}

static int op_memcpy(uint64_t off, size_t len)
{
	memcpy(cur->pm + off, src, len);
	barrier();
	return 0;
}

static int op_dax_flush(uint64_t off, size_t len)
{
	return daxdev_flush(cur->dev, cur->dax + off, len);
}

static int op_pmem_persist(uint64_t off, size_t len)
{
	pmem_persist(cur->pm + off, len);
	return 0;
}

static void prep_dirty_dax(uint64_t off, size_t len)
{
	memset(cur->dax + off, ++dirty_val, len);
}

static void prep_dirty_pm(uint64_t off, size_t len)
{
	memset(cur->pm + off, ++dirty_val, len);
}

static int op_dax_zero(uint64_t off, size_t len)
{
	return daxdev_zero(cur->dev, off, len);
}

static int op_dax_memset(uint64_t off, size_t len)
{
	return daxdev_memset(cur->dev, cur->dax + off, 0, len, 0);
}

static int op_pmem_memset(uint64_t off, size_t len)
{
	pmem_memset_persist(cur->pm + off, 0, len);
	return 0;
}

static int op_memset(uint64_t off, size_t len)
{
	memset(cur->pm + off, 0, len);
	barrier();
	return 0;
}

/* Machine ceiling: the library's non-temporal loops, forced. */
static int op_dax_nt_copy(uint64_t off, size_t len)
{
	return daxdev_memcpy(cur->dev, cur->dax + off, src, len, DAXDEV_F_NONTEMPORAL);
}

static int op_dax_nt_fill(uint64_t off, size_t len)
{
	return daxdev_memset(cur->dev, cur->dax + off, 0, len, DAXDEV_F_NONTEMPORAL);
}

/* Per-call overhead on the volatile device (write cache off). */
static void *(*volatile memcpy_ptr)(void *, const void *, size_t) = memcpy;

static int op_memcpy_ptr(uint64_t off, size_t len)
{
	memcpy_ptr(cur->dax + off, src, len);
	return 0;
}

static int op_dax_drain(uint64_t off, size_t len)
{
	(void)off;
	(void)len;
	return daxdev_drain(cur->dev);
}

/* ---- the log ------------------------------------------------------------- */

#ifdef BENCH_HAVE_PMEMLOG
static PMEMlogpool *plp;
static char log_pmem_path[128];
static uint64_t log_pool_size;

static int op_pmemlog_append(uint64_t off, size_t len)
{
	(void)off;
	return pmemlog_append(plp, src, len) ? -errno : 0;
}

static void presample_pmemlog(size_t len, size_t k)
{
	if ((uint64_t)pmemlog_tell(plp) + (uint64_t)len * k + 64 * KiB >
	    (uint64_t)pmemlog_nbyte(plp))
		pmemlog_rewind(plp);
}
#endif

#ifdef BENCH_HAVE_PLOG
/* plog (examples/plog) over a libdaxdev device: see bench-plog.inc. */
#include "bench-plog.inc"
#endif

static struct backing bk_log = { .name = "log" };

/* The log pools live in /dev/shm; both take their durable path there
 * (PMEM_IS_PMEM_FORCE=1 for libpmemlog, write cache forced on for plog). */
static void setup_log(void)
{
#ifdef BENCH_HAVE_PMEMLOG
	log_pool_size = cfg.quick ? 64 * MiB : 256 * MiB;
	snprintf(log_pmem_path, sizeof(log_pmem_path), "/dev/shm/daxdev-bench-%d.pmemlog",
		 (int)getpid());
	unlink(log_pmem_path);
	plp = pmemlog_create(log_pmem_path, log_pool_size, 0600);
	if (!plp) {
		snprintf(bk_log.note, sizeof(bk_log.note), "pmemlog_create: %s",
			 pmemlog_errormsg());
		return;
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
#ifdef BENCH_HAVE_PLOG
	if (plog_bench_setup(bk_log.note + strlen(bk_log.note),
			     sizeof(bk_log.note) - strlen(bk_log.note)))
		fprintf(stderr, "daxdev-bench: plog: %s\n", bk_log.note);
#else
	snprintf(bk_log.note + strlen(bk_log.note), sizeof(bk_log.note) - strlen(bk_log.note),
		 "; plog not built (examples/plog missing)");
#endif
#else
	snprintf(bk_log.note, sizeof(bk_log.note), "libpmemlog not found: no log workload");
#endif
}

static void teardown_log(void)
{
#ifdef BENCH_HAVE_PLOG
	plog_bench_teardown();
#endif
#ifdef BENCH_HAVE_PMEMLOG
	if (plp)
		pmemlog_close(plp);
#endif
}

/* ---- workloads ----------------------------------------------------------- */

enum pattern { SEQ, RAND, HOT, APPEND };
static const char *pattern_name[] = { "seq", "rand", "hot", "append" };

struct workload {
	const char *name;
	const char *title;
	struct backing *bk;
	enum pattern pat;
	int nsizes;
	uint64_t sizes[MAX_SIZES];
	int nimpl;
	struct impl impl[MAX_IMPLS];
	int ref;                    /* reference implementation for ratios, -1 none */
	int ncand;
	int cand[MAX_IMPLS];        /* candidates compared with ref */
	uint64_t batch_cap;         /* bytes per sample at most (0: no cap) */
	bool bandwidth;             /* report GB/s too */
	/* results */
	size_t k[MAX_SIZES];
	double t[MAX_SIZES][MAX_IMPLS][MAX_ROUNDS];
	int nt;
};

#define MAXW 40
static struct workload wl[MAXW];
static int nwl;
static uint64_t *offs;

static uint64_t all_sizes[MAX_SIZES] = { 64, 256, KiB, 4 * KiB, 64 * KiB, 2 * MiB, 64 * MiB };
static uint64_t small_sizes[MAX_SIZES] = { 64, 256, KiB, 4 * KiB, 64 * KiB };
static int n_all = 7, n_small = 5;

/* --sizes LIST: replaces the size list of every size-swept workload. */
static int parse_sizes(const char *arg)
{
	char buf[256], *save, *tok;

	snprintf(buf, sizeof(buf), "%s", arg);
	n_all = n_small = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;
		if (daxdev_parse_size(tok, &v) || !v || n_all == MAX_SIZES)
			return -1;
		all_sizes[n_all++] = v;
		if (v <= 64 * KiB)
			small_sizes[n_small++] = v;
	}
	return n_all ? 0 : -1;
}

static struct workload *add(const char *name, const char *title, struct backing *bk,
			    enum pattern pat, const uint64_t *sizes, int nsizes)
{
	struct workload *w = &wl[nwl++];

	memset(w, 0, sizeof(*w));
	w->name = name;
	w->title = title;
	w->bk = bk;
	w->pat = pat;
	w->ref = -1;
	w->bandwidth = true;
	for (int i = 0; i < nsizes; i++)
		if (sizes[i] <= bk->size / 2 && sizes[i] <= cfg.ceiling)
			w->sizes[w->nsizes++] = sizes[i];
	return w;
}

static int impl(struct workload *w, const char *name, op_fn op, prep_fn prep)
{
	w->impl[w->nimpl] = (struct impl){ .name = name, .op = op, .prep = prep };
	return w->nimpl++;
}

static bool selected(const char *name)
{
	if (!cfg.only)
		return true;
	char buf[256];
	snprintf(buf, sizeof(buf), ",%s,", cfg.only);
	char key[64];
	snprintf(key, sizeof(key), ",%s,", name);
	if (strstr(buf, key))
		return true;
	/* prefix match: "copy" selects copy-seq and copy-rand */
	for (char *p = buf; (p = strchr(p, ',')) && p[1]; p++) {
		size_t n = strcspn(p + 1, ",");
		if (n && !strncmp(name, p + 1, n) && name[n] == '-')
			return true;
	}
	return false;
}

static void define_workloads(void)
{
	struct backing *bks[2] = { &bk_anon, &bk_shm };

	for (int b = 0; b < 2; b++) {
		struct backing *bk = bks[b];
		struct workload *w;
		char *n;

		if (!bk->ok)
			continue;
		for (int p = SEQ; p <= RAND; p++) {
			bool r = p == RAND;

			if (asprintf(&n, "copy-%s", pattern_name[p]) < 0)
				abort();
			w = add(n, "durable copy", bk, p, r ? small_sizes : all_sizes,
				r ? n_small : n_all);
			w->ref = impl(w, "pmem_memcpy_persist", op_pmem_memcpy, NULL);
			w->cand[w->ncand++] = impl(w, "daxdev_write", op_dax_write, NULL);
			w->cand[w->ncand++] = impl(w, "daxdev_memcpy", op_dax_memcpy, NULL);
			for (int v = 0; v < cfg.nvariant; v++)
				if (bk->view[v]) {
					if (asprintf(&n, "daxdev_memcpy [%s]", cfg.variant[v]) < 0)
						abort();
					w->cand[w->ncand++] = impl(w, n, view_memcpy[v], NULL);
				}
			impl(w, "memcpy(not durable)", op_memcpy, NULL);
			if (!r)
				impl(w, "daxdev NT loop", op_dax_nt_copy, NULL);
			if (bk->dev2 && !r)
				impl(w, "daxdev_write fsdax/msync", op_fs_write, NULL);

			if (asprintf(&n, "flush-%s", pattern_name[p]) < 0)
				abort();
			w = add(n, "flush of dirty ranges", bk, p, r ? small_sizes : all_sizes,
				r ? n_small : n_all);
			w->ref = impl(w, "pmem_persist", op_pmem_persist, prep_dirty_pm);
			w->cand[w->ncand++] = impl(w, "daxdev_flush", op_dax_flush, prep_dirty_dax);
			if (bk->dev2 && !r)
				impl(w, "daxdev_flush fsdax/msync", op_fs_flush, prep_dirty_fs);
			w->batch_cap = 8 * MiB;

			if (asprintf(&n, "fill-%s", pattern_name[p]) < 0)
				abort();
			w = add(n, "durable fill", bk, p, r ? small_sizes : all_sizes,
				r ? n_small : n_all);
			w->ref = impl(w, "pmem_memset_persist", op_pmem_memset, NULL);
			w->cand[w->ncand++] = impl(w, "daxdev_zero", op_dax_zero, NULL);
			w->cand[w->ncand++] = impl(w, "daxdev_memset", op_dax_memset, NULL);
			for (int v = 0; v < cfg.nvariant; v++)
				if (bk->view[v]) {
					if (asprintf(&n, "daxdev_memset [%s]", cfg.variant[v]) < 0)
						abort();
					w->cand[w->ncand++] = impl(w, n, view_memset[v], NULL);
				}
			impl(w, "memset(not durable)", op_memset, NULL);
		}
		uint64_t csz[1] = { cfg.ceiling };
		w = add("ceiling-seq", "machine ceiling (non-temporal loops)", bk, SEQ, csz, 1);
		impl(w, "daxdev NT copy", op_dax_nt_copy, NULL);
		impl(w, "daxdev NT fill", op_dax_nt_fill, NULL);
		impl(w, "pmem_memcpy_persist", op_pmem_memcpy, NULL);
		impl(w, "pmem_memset_persist", op_pmem_memset, NULL);
		impl(w, "memcpy", op_memcpy, NULL);
		impl(w, "memset", op_memset, NULL);
	}
	if (bk_vol.ok) {
		struct workload *w;

		w = add("volatile-seq", "volatile device (write cache off)", &bk_vol, SEQ,
			all_sizes, n_all);
		w->ref = impl(w, "memcpy", op_memcpy, NULL);
		w->cand[w->ncand++] = impl(w, "daxdev_write", op_dax_write, NULL);
		w->cand[w->ncand++] = impl(w, "daxdev_memcpy", op_dax_memcpy, NULL);

		uint64_t one[1] = { 8 };
		w = add("overhead-hot", "pointer API per call (volatile device, hot line)",
			&bk_vol, HOT, one, 1);
		w->bandwidth = false;
		w->ref = impl(w, "memcpy via pointer", op_memcpy_ptr, NULL);
		w->cand[w->ncand++] = impl(w, "daxdev_memcpy", op_dax_memcpy, NULL);
		w->cand[w->ncand++] = impl(w, "daxdev_flush (no-op)", op_dax_flush, NULL);
		w->cand[w->ncand++] = impl(w, "daxdev_drain (no-op)", op_dax_drain, NULL);
	}
#ifdef BENCH_HAVE_PMEMLOG
	if (bk_log.ok) {
		static const uint64_t log_sizes[] = { 64, KiB, 4 * KiB };
		struct workload *w = add("log-append", "log append (durable)", &bk_log, APPEND,
					 log_sizes, 3);
		w->ref = impl(w, "pmemlog_append", op_pmemlog_append, NULL);
		w->impl[w->ref].presample = presample_pmemlog;
#ifdef BENCH_HAVE_PLOG
		if (plog_ready) {
			int m = impl(w, "plog append", op_plog_append, NULL);
			w->impl[m].presample = presample_plog;
			w->cand[w->ncand++] = m;
		}
#endif
	}
#endif
	if (cfg.only) {
		int j = 0;
		for (int i = 0; i < nwl; i++)
			if (selected(wl[i].name))
				wl[j++] = wl[i];
		nwl = j;
	}
}

/* ---- running ------------------------------------------------------------- */

static uint64_t seq_cursor;

static void make_offsets(struct workload *w, uint64_t len, size_t k)
{
	uint64_t size = w->bk->size;

	if (w->pat == HOT || w->pat == APPEND)
		return;
	for (size_t i = 0; i < k; i++) {
		if (w->pat == SEQ) {
			if (seq_cursor + len > size)
				seq_cursor = 0;
			offs[i] = seq_cursor;
			seq_cursor += len;
		} else {
			offs[i] = (rng() % (size / len)) * len;
		}
	}
}

static int cmp_double(const void *a, const void *b);

#define SUBS 8

/*
 * One repetition: k operations, timed in up to SUBS consecutive slices; the
 * value is the median slice's time per operation.  On a shared machine a
 * preemption lands in one slice and no longer decides the repetition.
 */
static double sample(struct workload *w, struct impl *im, uint64_t len, size_t k)
{
	int rc = 0;
	size_t nsub = k < SUBS ? k : SUBS, done = 0;
	double t[SUBS];

	make_offsets(w, len, k);
	if (im->presample)
		im->presample(len, k);
	if (im->prep)
		for (size_t i = 0; i < k; i++)
			im->prep(offs[i], len);
	barrier();
	for (size_t j = 0; j < nsub; j++) {
		size_t end = k * (j + 1) / nsub, n = end - done;
		double t0, t1;

		if (w->pat == HOT || w->pat == APPEND) {
			t0 = now_ns();
			for (size_t i = done; i < end; i++)
				rc |= im->op(0, len);
			t1 = now_ns();
		} else {
			t0 = now_ns();
			for (size_t i = done; i < end; i++)
				rc |= im->op(offs[i], len);
			t1 = now_ns();
		}
		t[j] = (t1 - t0) / (double)n;
		done = end;
	}
	if (rc) {
		char what[160];
		snprintf(what, sizeof(what), "%s %s %s len %llu", w->bk->name, w->name,
			 im->name, (unsigned long long)len);
		fail(what, rc);
	}
	qsort(t, nsub, sizeof(double), cmp_double);
	return nsub % 2 ? t[nsub / 2] : (t[nsub / 2 - 1] + t[nsub / 2]) / 2;
}

static size_t initial_k(struct workload *w, uint64_t len)
{
	double est = 100.0 + len / 8.0;           /* ~8 GB/s + call cost */
	double k = cfg.sample_ns / 4 / est;         /* calibration is shorter */

	(void)w;
	return k < 1 ? 1 : k > KMAX ? KMAX : (size_t)k;
}

static size_t clamp_k(struct workload *w, uint64_t len, double t)
{
	double k = cfg.sample_ns / (t > 0.5 ? t : 0.5);
	size_t kmax = w->pat == HOT ? KMAX_HOT : KMAX;

	if (w->batch_cap && k * len > w->batch_cap)
		k = (double)w->batch_cap / len;
	if (k > kmax)
		k = kmax;
	return k < 1 ? 1 : (size_t)k;
}

static bool progress_tty;

static void progress(int round, int rounds, struct workload *w, uint64_t len)
{
	static double last;
	double t = now_ns();

	if (!progress_tty && t - last < 2e9)
		return;
	last = t;
	fprintf(stderr, "%s[round %d/%d] %-8s %-14s %10llu B%s", progress_tty ? "\r" : "",
		round, rounds, w->bk->name, w->name, (unsigned long long)len,
		progress_tty ? "   " : "\n");
	fflush(stderr);
}

static void run_all(void)
{
	/* Calibration round: not recorded. */
	for (int i = 0; i < nwl; i++) {
		struct workload *w = &wl[i];
		cur = w->bk;
		for (int s = 0; s < w->nsizes; s++) {
			double sum = 0;
			size_t k0 = initial_k(w, w->sizes[s]);
			progress(0, cfg.rounds, w, w->sizes[s]);
			for (int m = 0; m < w->nimpl; m++)
				sum += sample(w, &w->impl[m], w->sizes[s], k0);
			w->k[s] = clamp_k(w, w->sizes[s], sum / w->nimpl);
		}
	}
	for (int r = 0; r < cfg.rounds; r++) {
		for (int i = 0; i < nwl; i++) {
			struct workload *w = &wl[i];
			cur = w->bk;
			for (int s = 0; s < w->nsizes; s++) {
				progress(r + 1, cfg.rounds, w, w->sizes[s]);
				for (int j = 0; j < w->nimpl; j++) {
					int m = (j + r) % w->nimpl;
					w->t[s][m][r] = sample(w, &w->impl[m], w->sizes[s], w->k[s]);
				}
			}
			w->nt = r + 1;
		}
	}
	if (progress_tty)
		fprintf(stderr, "\r%70s\r", "");
	fprintf(stderr, "daxdev-bench: %d rounds done\n", cfg.rounds);
}

/* ---- statistics and output ----------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 { double med, min, max; };

static struct stat3 stats(const double *v, int n)
{
	double tmp[MAX_ROUNDS];

	memcpy(tmp, v, n * sizeof(double));
	qsort(tmp, n, sizeof(double), cmp_double);
	return (struct stat3){
		.med = n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2,
		.min = tmp[0], .max = tmp[n - 1] };
}

static struct stat3 ratio_stats(struct workload *w, int s, int ref, int cand)
{
	double v[MAX_ROUNDS];

	for (int r = 0; r < w->nt; r++)
		v[r] = w->t[s][ref][r] / w->t[s][cand][r];
	return stats(v, w->nt);
}

static const char *size_str(uint64_t n)
{
	static char buf[8][32];
	static int i;
	char *b = buf[i++ & 7];

	if (n >= MiB && n % MiB == 0)
		snprintf(b, 32, "%llu MiB", (unsigned long long)(n / MiB));
	else if (n >= KiB && n % KiB == 0)
		snprintf(b, 32, "%llu KiB", (unsigned long long)(n / KiB));
	else
		snprintf(b, 32, "%llu B", (unsigned long long)n);
	return b;
}

static const char *time_str(double ns)
{
	static char buf[16][16];
	static int i;
	char *b = buf[i++ & 15];

	if (ns < 10)
		snprintf(b, 16, "%.2f ns", ns);
	else if (ns < 1e4)
		snprintf(b, 16, "%.0f ns", ns);
	else if (ns < 1e7)
		snprintf(b, 16, "%.1f us", ns / 1e3);
	else
		snprintf(b, 16, "%.1f ms", ns / 1e6);
	return b;
}

/* Plain-text and Markdown tables: one row per size. */
static void print_table(FILE *f, struct workload *w, bool md)
{
	fprintf(f, md ? "\n#### %s — %s, %s (%s)\n\n" : "\n== %s: %s, %s (%s) ==\n", w->name,
		w->title, w->bk->name, pattern_name[w->pat]);
	if (md) {
		fprintf(f, "| size |");
		for (int m = 0; m < w->nimpl; m++)
			fprintf(f, " %s |", w->impl[m].name);
		for (int c = 0; c < w->ncand; c++)
			fprintf(f, " speedup %s |", w->impl[w->cand[c]].name);
		fprintf(f, "\n|---:|");
		for (int m = 0; m < w->nimpl + w->ncand; m++)
			fprintf(f, "---:|");
		fprintf(f, "\n");
	} else {
		fprintf(f, "%-8s", "size");
		for (int m = 0; m < w->nimpl; m++)
			fprintf(f, " | %-30s", w->impl[m].name);
		for (int c = 0; c < w->ncand; c++)
			fprintf(f, " | x %-16.16s", w->impl[w->cand[c]].name);
		fprintf(f, "\n");
	}
	for (int s = 0; s < w->nsizes; s++) {
		uint64_t len = w->sizes[s];
		fprintf(f, md ? "| %s |" : "%-8s", size_str(len));
		for (int m = 0; m < w->nimpl; m++) {
			struct stat3 st = stats(w->t[s][m], w->nt);
			char cell[96];
			if (w->bandwidth)
				snprintf(cell, sizeof(cell), "%s [%s–%s] %.2f GB/s",
					 time_str(st.med), time_str(st.min), time_str(st.max),
					 len / st.med);
			else
				snprintf(cell, sizeof(cell), "%s [%s–%s]", time_str(st.med),
					 time_str(st.min), time_str(st.max));
			fprintf(f, md ? " %s |" : " | %-30s", cell);
		}
		for (int c = 0; c < w->ncand; c++) {
			struct stat3 rs = ratio_stats(w, s, w->ref, w->cand[c]);
			char cell[64];
			snprintf(cell, sizeof(cell), "%.2f [%.2f–%.2f]", rs.med, rs.min, rs.max);
			fprintf(f, md ? " %s |" : " | %-18s", cell);
		}
		fprintf(f, "\n");
	}
}

static void write_csv(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "daxdev-bench: %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "backing,workload,pattern,size,impl,rounds,ops_per_sample,median_ns,min_ns,max_ns,median_GBps,reference,speedup_vs_reference_median,speedup_min,speedup_max\n");
	for (int i = 0; i < nwl; i++) {
		struct workload *w = &wl[i];
		for (int s = 0; s < w->nsizes; s++)
			for (int m = 0; m < w->nimpl; m++) {
				struct stat3 st = stats(w->t[s][m], w->nt);
				bool cand = false;
				for (int c = 0; c < w->ncand; c++)
					cand |= w->cand[c] == m;
				fprintf(f, "%s,%s,%s,%llu,%s,%d,%zu,%.3f,%.3f,%.3f,%.4f,", w->bk->name,
					w->name, pattern_name[w->pat],
					(unsigned long long)w->sizes[s], w->impl[m].name, w->nt,
					w->k[s], st.med, st.min, st.max, w->sizes[s] / st.med);
				if (cand) {
					struct stat3 rs = ratio_stats(w, s, w->ref, m);
					fprintf(f, "%s,%.4f,%.4f,%.4f\n", w->impl[w->ref].name,
						rs.med, rs.min, rs.max);
				} else {
					fprintf(f, ",,,\n");
				}
			}
	}
	fclose(f);
}

static struct workload *find(const char *bk, const char *name)
{
	for (int i = 0; i < nwl; i++)
		if (!strcmp(wl[i].bk->name, bk) && !strcmp(wl[i].name, name))
			return &wl[i];
	return NULL;
}

/* One .dat per panel: size, then median GB/s of every implementation. */
static bool write_dat(const char *dir, struct workload *w, char *path, size_t pathlen)
{
	FILE *f;

	snprintf(path, pathlen, "%s/plot-%s-%s.dat", dir, w->bk->name, w->name);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "size");
	for (int m = 0; m < w->nimpl; m++)
		fprintf(f, " \"%s\"", w->impl[m].name);
	fprintf(f, "\n");
	for (int s = 0; s < w->nsizes; s++) {
		fprintf(f, "%llu", (unsigned long long)w->sizes[s]);
		for (int m = 0; m < w->nimpl; m++)
			fprintf(f, " %.5f", w->sizes[s] / stats(w->t[s][m], w->nt).med);
		fprintf(f, "\n");
	}
	fclose(f);
	return true;
}

static void plot(const char *dir)
{
	static const char *panels[][2] = {
		{ "anon", "copy-seq" }, { "anon", "copy-rand" }, { "anon", "flush-seq" },
		{ "anon", "fill-seq" }, { "shm", "copy-seq" }, { "volatile", "volatile-seq" },
		{ "log", "log-append" },
	};
	struct workload *ws[8];
	char gp[PATH_MAX], png[PATH_MAX], dat[PATH_MAX], cmd[PATH_MAX * 2];
	FILE *f;
	int n = 0;

	for (size_t p = 0; p < sizeof(panels) / sizeof(panels[0]); p++) {
		struct workload *w = find(panels[p][0], panels[p][1]);
		if (w && w->nsizes)
			ws[n++] = w;
	}
	if (!n)
		return;
	snprintf(gp, sizeof(gp), "%s/plot.gp", dir);
	snprintf(png, sizeof(png), "%s/throughput.png", dir);
	f = fopen(gp, "w");
	if (!f)
		return;
	fprintf(f, "set terminal pngcairo noenhanced size %d,900 font ',9'\nset output '%s'\n",
		500 * ((n + 1) / 2), png);
	fprintf(f, "set multiplot layout 2,%d title 'libdaxdev vs libpmem: throughput vs size "
		   "(median of %d interleaved rounds, CPU pinned; higher is better)'\n",
		(n + 1) / 2, cfg.rounds);
	fprintf(f, "set logscale x 2\nset logscale y 10\nset grid\nset key bottom right\n"
		   "set xlabel 'bytes per call'\nset ylabel 'GB/s (1e9 B/s)'\n"
		   "set xtics ('64B' 64, '256B' 256, '1K' 1024, '4K' 4096, '64K' 65536, "
		   "'2M' 2097152, '64M' 67108864)\nset offsets graph 0.05, graph 0.05, 0, 0\n");
	for (int p = 0; p < n; p++) {
		struct workload *w = ws[p];
		if (!write_dat(dir, w, dat, sizeof(dat)))
			continue;
		fprintf(f, "set title '%s: %s (%s)'\n", w->title, w->bk->name,
			pattern_name[w->pat]);
		fprintf(f, "plot for [i=2:%d] '%s' using 1:i with linespoints title columnheader(i)\n",
			w->nimpl + 1, dat);
	}
	fprintf(f, "unset multiplot\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gnuplot '%s' 2>&1", gp);
	if (system(cmd) == 0)
		fprintf(stderr, "daxdev-bench: plot %s\n", png);
	else
		fprintf(stderr, "daxdev-bench: gnuplot failed or missing; script %s\n", gp);
}

static void machine(FILE *f, bool md)
{
	char line[512];
	FILE *p;
	struct utsname u;
	double la[3] = { 0 };

	uname(&u);
	getloadavg(la, 3);
	fprintf(f, md ? "- kernel: %s %s %s\n" : "kernel: %s %s %s\n", u.sysname, u.release,
		u.machine);
	fprintf(f, md ? "- load average at the end: %.2f %.2f %.2f\n" :
		"load average at the end: %.2f %.2f %.2f\n", la[0], la[1], la[2]);
	p = popen("lscpu 2>/dev/null | grep -E '^(Model name|CPU\\(s\\)|CPU family|Model:|"
		  "Hypervisor vendor|L1d|L2|L3|Thread)'", "r");
	if (p) {
		while (fgets(line, sizeof(line), p))
			fprintf(f, md ? "- %s" : "%s", line);
		pclose(p);
	}
}

static void report(void)
{
	char path[PATH_MAX];
	FILE *md;

	printf("daxdev-bench: libdaxdev %s vs libpmem; %d interleaved rounds, pinned to CPU %d%s\n",
	       daxdev_version(), cfg.rounds, cfg.cpu,
	       cfg.quick ? " — quick mode, figures are a smoke test only" : "");
	printf("one repetition = K back-to-back calls timed in %d slices, median slice; "
	       "each figure = median of the repetitions\n", SUBS);
	printf("times: median [min–max] per operation; speedup = t_reference / t_candidate "
	       "(median of per-round ratios; >1 = candidate faster)\n");
	printf("reference: pmem_* for durable workloads, memcpy for the volatile device, "
	       "an indirect 8-byte memcpy for the per-call overhead\n");
	struct backing *bks[4] = { &bk_anon, &bk_shm, &bk_vol, &bk_log };
	for (int b = 0; b < 4; b++)
		printf("%-8s %s\n", bks[b]->name, bks[b]->note);
	for (int i = 0; i < nwl; i++)
		print_table(stdout, &wl[i], false);
	machine(stdout, false);

	snprintf(path, sizeof(path), "%s/results.csv", cfg.out);
	write_csv(path);
	fprintf(stderr, "daxdev-bench: csv %s\n", path);
	snprintf(path, sizeof(path), "%s/results.md", cfg.out);
	md = fopen(path, "w");
	if (md) {
		fprintf(md, "Rounds: %d (interleaved), pinned to CPU %d%s.\n\n", cfg.rounds,
			cfg.cpu, cfg.quick ? ", quick mode" : "");
		for (int b = 0; b < 4; b++)
			fprintf(md, "- **%s**: %s\n", bks[b]->name, bks[b]->note);
		for (int i = 0; i < nwl; i++)
			print_table(md, &wl[i], true);
		fprintf(md, "\nMachine:\n\n");
		machine(md, true);
		fclose(md);
		fprintf(stderr, "daxdev-bench: markdown %s\n", path);
	}
	plot(cfg.out);
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: daxdev-bench [--quick] [--rounds N] [--cpu N] [--out DIR]\n"
		   "                    [--only copy,flush,fill,ceiling,volatile,overhead,log]\n"
		   "                    [--backing anon|shm|both] [--region SIZE] [--sizes 64,4K,...]\n"
		   "                    [--variant ENV=VALUE]... (up to 3; default DAXDEV_NT_THRESHOLD=64)\n"
		   "                    [--no-variant]\n");
}

static const char *exe_dir(void)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return ".";
	buf[n] = 0;
	char *slash = strrchr(buf, '/');
	if (slash)
		*slash = 0;
	return buf;
}

static void pin(void)
{
	cpu_set_t set;

	if (cfg.cpu < 0) {
		/* The last CPU we may run on: usually the least busy on a small VM. */
		CPU_ZERO(&set);
		sched_getaffinity(0, sizeof(set), &set);
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cfg.cpu = c;
	}
	CPU_ZERO(&set);
	CPU_SET(cfg.cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "daxdev-bench: cannot pin to CPU %d: %s\n", cfg.cpu,
			strerror(errno));
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quick", no_argument, 0, 'q' }, { "rounds", required_argument, 0, 'r' },
		{ "cpu", required_argument, 0, 'c' }, { "out", required_argument, 0, 'o' },
		{ "only", required_argument, 0, 'w' }, { "backing", required_argument, 0, 'b' },
		{ "region", required_argument, 0, 'R' }, { "help", no_argument, 0, 'h' },
		{ "sizes", required_argument, 0, 's' }, { "variant", required_argument, 0, 'V' },
		{ "no-variant", no_argument, 0, 'N' },
		{ 0, 0, 0, 0 } };
	const char *q = getenv("DAXDEV_BENCH_QUICK");
	bool variants_set = false;
	int c;

	cfg.variant[cfg.nvariant++] = "DAXDEV_NT_THRESHOLD=64";

	if (q && *q && strcmp(q, "0"))
		cfg.quick = true;
	cfg.out = exe_dir();
	/* libpmem: take the pmem path on memory it cannot identify (read lazily). */
	setenv("PMEM_IS_PMEM_FORCE", "1", 0);
	while ((c = getopt_long(argc, argv, "qr:c:o:w:b:R:s:V:Nh", lo, NULL)) != -1) {
		switch (c) {
		case 'q': cfg.quick = true; break;
		case 'r': cfg.rounds = atoi(optarg); break;
		case 'c': cfg.cpu = atoi(optarg); break;
		case 'o': cfg.out = optarg; break;
		case 'w': cfg.only = optarg; break;
		case 'b':
			cfg.anon = !strcmp(optarg, "anon") || !strcmp(optarg, "both");
			cfg.shm = !strcmp(optarg, "shm") || !strcmp(optarg, "both");
			break;
		case 'R':
			if (daxdev_parse_size(optarg, &cfg.region)) {
				usage(stderr);
				return 2;
			}
			break;
		case 's':
			if (parse_sizes(optarg)) {
				usage(stderr);
				return 2;
			}
			break;
		case 'V':
			if (!variants_set) {
				cfg.nvariant = 0;
				variants_set = true;
			}
			if (cfg.nvariant < 3 && strchr(optarg, '='))
				cfg.variant[cfg.nvariant++] = optarg;
			break;
		case 'N':
			cfg.nvariant = 0;
			variants_set = true;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (cfg.quick) {
		if (cfg.rounds == 15)
			cfg.rounds = 3;
		cfg.region = cfg.region > 256 * MiB ? 256 * MiB : cfg.region;
		cfg.ceiling = 64 * MiB;
		cfg.sample_ns = 3e5;
	}
	if (cfg.rounds < 1 || cfg.rounds > MAX_ROUNDS)
		cfg.rounds = cfg.rounds < 1 ? 1 : MAX_ROUNDS;
	if (cfg.region < 128 * MiB)
		cfg.region = 128 * MiB;
	if (cfg.ceiling > cfg.region / 2)
		cfg.ceiling = cfg.region / 2;
	pin();
	progress_tty = isatty(2);
	if (mkdir(cfg.out, 0755) && errno != EEXIST)
		fprintf(stderr, "daxdev-bench: %s: %s\n", cfg.out, strerror(errno));

	double t_start = now_ns();
	offs = calloc(KMAX, sizeof(*offs));
	src = mmap(NULL, cfg.ceiling + SRC_SKEW, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!offs || src == MAP_FAILED) {
		perror("daxdev-bench: allocation");
		return 1;
	}
	/* Line-aligned but not at the destinations' offset within a page: a
	 * source at the same page offset as the destination just stored to
	 * stalls loads on 4K aliasing, which would tax small copies of every
	 * implementation alike. */
	src += SRC_SKEW;
	for (uint64_t i = 0; i < cfg.ceiling; i++)
		src[i] = (char)(i * 131 + 7);

	char target[64];
	fprintf(stderr, "daxdev-bench: preparing %s regions...\n", size_str(cfg.region));
	if (cfg.anon) {
		snprintf(target, sizeof(target), "anon:%llu", (unsigned long long)cfg.region);
		if (setup_anon(&bk_anon, true, target))
			fprintf(stderr, "daxdev-bench: anon: %s\n", bk_anon.note);
	} else {
		snprintf(bk_anon.note, sizeof(bk_anon.note), "not selected");
	}
	if (cfg.shm) {
		if (setup_shm(&bk_shm))
			fprintf(stderr, "daxdev-bench: shm skipped: %s\n", bk_shm.note);
	} else {
		snprintf(bk_shm.note, sizeof(bk_shm.note), "not selected");
	}
	snprintf(target, sizeof(target), "anon:%llu", (unsigned long long)cfg.region);
	if (setup_anon(&bk_vol, false, target))
		fprintf(stderr, "daxdev-bench: volatile: %s\n", bk_vol.note);
	else
		describe(&bk_vol, "plain anon:, write cache off; memcpy on the same region");
	setup_log();
	define_workloads();
	if (!nwl) {
		fprintf(stderr, "daxdev-bench: nothing to run\n");
		return failures ? 1 : 0;
	}
	run_all();
	report();
	teardown_log();
	fprintf(stderr, "daxdev-bench: done in %.1f s%s\n", (now_ns() - t_start) / 1e9,
		failures ? ", with FAILED calls (see above)" : "");
	for (int v = 0; v < 3; v++)
		if (bk_anon.view[v])
			daxdev_put(bk_anon.view[v]);
	if (bk_anon.dev)
		daxdev_put(bk_anon.dev);
	if (bk_shm.dev)
		daxdev_put(bk_shm.dev);
	if (bk_shm.dev2)
		daxdev_put(bk_shm.dev2);
	if (bk_vol.dev)
		daxdev_put(bk_vol.dev);
	return failures ? 1 : 0;
}
