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
 *
 * Layout: one job per file, each with a header that is its interface (the
 * shared types are in bench.h).
 *   daxdev-bench.c  this file: options, the order of setup, teardown
 *   backing.c       memory backings (anon, shm, volatile) and the bench-local
 *                   provider (bench-shmmap, bench-view)
 *   workloads.c     the workload table, and the copy/flush/fill/ceiling/
 *                   volatile operations
 *   log-append.c    plog against pmemlog_append (the "log" backing)
 *   open-cost.c     daxdev_open + put against pmem_map_file + unmap, in /tmp
 *                   and /dev/shm (open-files.c makes the files; open-probe.c,
 *                   a separate program, breaks one open down)
 *   guarded.c       guarded against unguarded pointer copies, built only when
 *                   daxdev.h defines DAXDEV_F_GUARDED
 *   runner.c        calibration, interleaved rounds, samples, statistics
 *   report.c        text and Markdown tables, results.csv, the gnuplot plot
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <daxdev.h>

#include "backing.h"
#include "log-append.h"
#include "open-cost.h"
#include "report.h"
#include "runner.h"
#include "workloads.h"

#define SRC_SKEW (37 * 64)       /* see setup_source() */

struct bench_cfg cfg = { .rounds = 15, .cpu = -1, .anon = true, .shm = true, .region = GiB,
			 .ceiling = 256 * MiB, .sample_ns = 4e6 };
int failures;
struct backing *cur;
char *src;
uint64_t *offs;

const char *const pattern_name[] = { "seq", "rand", "hot", "append", "open" };

void fail(const char *what, int rc)
{
	if (failures++ < 10)
		fprintf(stderr, "daxdev-bench: %s failed: %d (%s) %s\n", what, rc,
			strerror(rc < 0 ? -rc : rc), daxdev_errormsg());
}

double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---- options ---------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: daxdev-bench [--quick] [--rounds N] [--cpu N] [--out DIR]\n"
		   "                    [--only copy,flush,fill,ceiling,volatile,overhead,log,open,guarded]\n"
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

/* --variant: the first one replaces the default. */
static void add_variant(const char *arg, bool *variants_set)
{
	if (!*variants_set) {
		cfg.nvariant = 0;
		*variants_set = true;
	}
	if (cfg.nvariant < MAX_VARIANTS && strchr(arg, '='))
		cfg.variant[cfg.nvariant++] = arg;
}

/* One option: -1 to go on, else the exit status (usage printed). */
static int take_option(int c, bool *variants_set)
{
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
		if (daxdev_parse_size(optarg, &cfg.region))
			goto err_usage;
		break;
	case 's':
		if (parse_sizes(optarg))
			goto err_usage;
		break;
	case 'V': add_variant(optarg, variants_set); break;
	case 'N':
		cfg.nvariant = 0;
		*variants_set = true;
		break;
	case 'h': usage(stdout); return 0;
	default: goto err_usage;
	}
	return -1;

err_usage:
	usage(stderr);
	return 2;
}

/* Quick mode and the limits. */
static void settle_config(void)
{
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
}

/* -1 to run, else the exit status. */
static int parse_args(int argc, char **argv)
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
	int c, rc;

	cfg.variant[cfg.nvariant++] = "DAXDEV_NT_THRESHOLD=64";
	if (q && *q && strcmp(q, "0"))
		cfg.quick = true;
	cfg.out = exe_dir();
	while ((c = getopt_long(argc, argv, "qr:c:o:w:b:R:s:V:Nh", lo, NULL)) != -1)
		if ((rc = take_option(c, &variants_set)) >= 0)
			return rc;
	settle_config();
	return -1;
}

/* ---- setup ------------------------------------------------------------------ */

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

/* The offsets array and the source buffer: 0, or -1. */
static int setup_source(void)
{
	offs = calloc(KMAX, sizeof(*offs));
	src = mmap(NULL, cfg.ceiling + SRC_SKEW, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!offs || src == MAP_FAILED) {
		perror("daxdev-bench: allocation");
		return -1;
	}
	/* Line-aligned but not at the destinations' offset within a page: a
	 * source at the same page offset as the destination just stored to
	 * stalls loads on 4K aliasing, which would tax small copies of every
	 * implementation alike. */
	src += SRC_SKEW;
	for (uint64_t i = 0; i < cfg.ceiling; i++)
		src[i] = (char)(i * 131 + 7);
	return 0;
}

static void setup_backings(void)
{
	char target[64];

	fprintf(stderr, "daxdev-bench: preparing %s regions...\n", size_str(cfg.region));
	snprintf(target, sizeof(target), "anon:%llu", (unsigned long long)cfg.region);
	if (!cfg.anon)
		snprintf(bk_anon.note, sizeof(bk_anon.note), "not selected");
	else if (setup_anon(&bk_anon, true, target))
		fprintf(stderr, "daxdev-bench: anon: %s\n", bk_anon.note);
	if (!cfg.shm)
		snprintf(bk_shm.note, sizeof(bk_shm.note), "not selected");
	else if (setup_shm(&bk_shm))
		fprintf(stderr, "daxdev-bench: shm skipped: %s\n", bk_shm.note);
	if (setup_anon(&bk_vol, false, target))
		fprintf(stderr, "daxdev-bench: volatile: %s\n", bk_vol.note);
	else
		describe(&bk_vol, "plain anon:, write cache off; memcpy on the same region");
	setup_log();
	setup_open_cost();
}

static void run_and_report(void)
{
	struct backing *bks[8] = { &bk_anon, &bk_shm, &bk_vol, &bk_log };
	int nbk = 4;

	nbk += open_cost_backings(bks + nbk, 8 - nbk);
	run_all();
	report(bks, nbk);
}

int main(int argc, char **argv)
{
	double t_start;
	int rc;

	/* libpmem: take the pmem path on memory it cannot identify (read lazily). */
	setenv("PMEM_IS_PMEM_FORCE", "1", 0);
	rc = parse_args(argc, argv);
	if (rc >= 0)
		return rc;
	pin();
	if (mkdir(cfg.out, 0755) && errno != EEXIST)
		fprintf(stderr, "daxdev-bench: %s: %s\n", cfg.out, strerror(errno));
	t_start = now_ns();
	if (setup_source())
		return 1;
	setup_backings();
	define_workloads();
	if (nwl)
		run_and_report();
	else
		fprintf(stderr, "daxdev-bench: nothing to run\n");
	teardown_log();
	teardown_open_cost();
	if (nwl)
		fprintf(stderr, "daxdev-bench: done in %.1f s%s\n", (now_ns() - t_start) / 1e9,
			failures ? ", with FAILED calls (see above)" : "");
	teardown_backings();
	return failures ? 1 : 0;
}
