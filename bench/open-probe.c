/* SPDX-License-Identifier: MIT */
/*
 * open-probe: one open of a file taken apart, for the open-cost workload
 * (daxdev-bench --only open) and bench/open-trace.sh.
 *
 *   open-probe make FILE full|sparse   16 MiB written whole (sparse: then a
 *                                      4 KiB hole at the end of every MiB)
 *   open-probe once MODE FILE          one warm-up open, then one traced open
 *                                      between two marker writes to stderr
 *   open-probe loop MODE FILE N        N opens (for strace -c)
 *   open-probe time FILE [ROUNDS]      in-process breakdown, interleaved
 *
 * MODE: daxdev (daxdev_open + daxdev_put), nocheck (the same with
 * DAXDEV_OPEN_SPARSE, which skips the hole check) or pmem (pmem_map_file +
 * pmem_unmap).  "time" runs, in rotating order each round, the three modes
 * and the system calls an open is suspected to spend its time in, run
 * alone on the same file: lseek SEEK_HOLE, realpath of the file, realpath
 * of its /sys/dev/block entry; it prints the medians and the per-round
 * ratios to pmem.  The warm-up open of "once" is a nocheck one, so a
 * sparse FILE keeps its holes for the traced open.
 */
#include <errno.h>
#include <fcntl.h>
#include <libpmem.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <daxdev.h>

#include "open-files.h"

#define MAX_ROUNDS 1001

static const char *file;
static char sysfs_entry[64], sysfs_missing[PATH_MAX + 32];
static int file_fd = -1;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int step_daxdev(unsigned flags)
{
	DAXDEV_OPEN_OPTS(opts, .flags = flags);
	struct daxdev *dev;
	int rc = daxdev_open(file, flags ? &opts : NULL, &dev);

	if (rc) {
		fprintf(stderr, "open-probe: daxdev_open(%s): %s\n", file, daxdev_errormsg());
		return rc;
	}
	daxdev_put(dev);
	return 0;
}

static int step_dax(void) { return step_daxdev(0); }
static int step_nocheck(void) { return step_daxdev(DAXDEV_OPEN_SPARSE); }

static int step_pmem(void)
{
	size_t mapped = 0;
	int is_pmem = 0;
	void *addr = pmem_map_file(file, 0, 0, 0, &mapped, &is_pmem);

	if (!addr) {
		fprintf(stderr, "open-probe: pmem_map_file(%s): %s\n", file, pmem_errormsg());
		return -EIO;
	}
	return pmem_unmap(addr, mapped) ? -errno : 0;
}

static int step_seek_hole(void)
{
	return lseek(file_fd, 0, SEEK_HOLE) < 0 ? -errno : 0;
}

static int step_realpath_file(void)
{
	char real[PATH_MAX];

	return realpath(file, real) ? 0 : -errno;
}

static int step_realpath_sysfs(void)
{
	char real[PATH_MAX];

	/* ENOENT is an answer too (no block device behind tmpfs). */
	return realpath(sysfs_entry, real) || errno == ENOENT ? 0 : -errno;
}

/* One of the attribute files the lookup tries that this machine lacks. */
static int step_sysfs_missing(void)
{
	int fd = open(sysfs_missing, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return 0;
}

static int step_fstatfs(void)
{
	struct statfs sfs;

	return fstatfs(file_fd, &sfs) ? -errno : 0;
}

/* Both libraries try MAP_SYNC first, then map shared. */
static int step_map(void)
{
	void *addr = mmap(NULL, OPEN_FILE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_SHARED_VALIDATE | MAP_SYNC, file_fd, 0);

	if (addr == MAP_FAILED)
		addr = mmap(NULL, OPEN_FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, file_fd, 0);
	if (addr == MAP_FAILED)
		return -errno;
	return munmap(addr, OPEN_FILE_SIZE) ? -errno : 0;
}

static const struct step {
	const char *name;
	int (*run)(void);
} steps[] = {
	{ "pmem_map_file + pmem_unmap", step_pmem },
	{ "daxdev_open + daxdev_put", step_dax },
	{ "daxdev_open(DAXDEV_OPEN_SPARSE) + put", step_nocheck },
	{ "lseek(fd, 0, SEEK_HOLE) alone", step_seek_hole },
	{ "realpath(file) alone", step_realpath_file },
	{ "realpath(/sys/dev/block/M:m) alone", step_realpath_sysfs },
	{ "openat of a missing sysfs attribute alone", step_sysfs_missing },
	{ "fstatfs alone", step_fstatfs },
	{ "mmap (MAP_SYNC, then shared) + munmap alone", step_map },
};
#define NSTEPS (int)(sizeof(steps) / sizeof(steps[0]))

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quartiles of n values (sorted in place). */
static void quartiles(double *v, int n, double q[3])
{
	qsort(v, n, sizeof(double), cmp_double);
	q[0] = v[n / 4];
	q[1] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	q[2] = v[(3 * n) / 4 < n ? (3 * n) / 4 : n - 1];
}

/* Per step: the median time, and the median [first–third quartile] of the
 * per-round ratios to step 0 (pmem): single calls on a shared machine have
 * a long tail, the quartiles say more than min and max.  t is kept. */
static void print_breakdown(double t[NSTEPS][MAX_ROUNDS], int rounds)
{
	static double ratio[MAX_ROUNDS], tmp[MAX_ROUNDS];

	printf("| step | median | per-round ratio to pmem: median [quartiles] |\n"
	       "|---|---:|---:|\n");
	for (int s = 0; s < NSTEPS; s++) {
		double qt[3], qr[3];

		for (int r = 0; r < rounds; r++)
			ratio[r] = t[s][r] / t[0][r];
		memcpy(tmp, t[s], rounds * sizeof(double));
		quartiles(tmp, rounds, qt);
		quartiles(ratio, rounds, qr);
		printf("| %s | %.1f us | %.2f [%.2f–%.2f] |\n", steps[s].name, qt[1] / 1e3,
		       qr[1], qr[0], qr[2]);
	}
}

/* The file's /sys/dev/block entry, and a file the lookup would try in the
 * directory it resolves to (or under the entry, if it does not). */
static void sysfs_paths(const struct stat *st)
{
	char real[PATH_MAX];

	snprintf(sysfs_entry, sizeof(sysfs_entry), "/sys/dev/block/%u:%u", major(st->st_dev),
		 minor(st->st_dev));
	snprintf(sysfs_missing, sizeof(sysfs_missing), "%s/dax/write_cache",
		 realpath(sysfs_entry, real) ? real : sysfs_entry);
}

static int run_time(int rounds)
{
	static double t[NSTEPS][MAX_ROUNDS];
	struct stat st;

	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = rounds < 1 ? 1 : MAX_ROUNDS;
	file_fd = open(file, O_RDWR | O_CLOEXEC);
	if (file_fd < 0 || fstat(file_fd, &st))
		return -errno;
	sysfs_paths(&st);
	for (int s = 0; s < NSTEPS; s++) /* warm-up */
		if (steps[s].run())
			return -EIO;
	for (int r = 0; r < rounds; r++)
		for (int j = 0; j < NSTEPS; j++) {
			int s = (j + r) % NSTEPS;
			double t0 = now_ns();
			if (steps[s].run())
				return -EIO;
			t[s][r] = now_ns() - t0;
		}
	printf("%s: %d interleaved rounds, one call of each step per round\n\n", file, rounds);
	print_breakdown(t, rounds);
	close(file_fd);
	return 0;
}

static int (*mode_step(const char *mode))(void)
{
	if (!strcmp(mode, "daxdev"))
		return step_dax;
	if (!strcmp(mode, "nocheck"))
		return step_nocheck;
	if (!strcmp(mode, "pmem"))
		return step_pmem;
	return NULL;
}

/* The markers are what bench/open-trace.sh cuts the strace output at. */
static int run_once(int (*step)(void))
{
	static const char begin[] = "open-probe: begin\n", end[] = "open-probe: end\n";
	int rc;

	if (step_nocheck() || step_pmem())
		return -EIO;
	if (write(2, begin, sizeof(begin) - 1) < 0)
		return -errno;
	rc = step() ? -EIO : 0;
	if (write(2, end, sizeof(end) - 1) < 0)
		return -errno;
	return rc;
}

static int run_loop(int (*step)(void), long n)
{
	for (long i = 0; i < n; i++)
		if (step())
			return -EIO;
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: open-probe make FILE full|sparse\n"
			"       open-probe once daxdev|nocheck|pmem FILE\n"
			"       open-probe loop daxdev|nocheck|pmem FILE N\n"
			"       open-probe time FILE [ROUNDS]\n");
	return 2;
}

static int run(int argc, char **argv)
{
	int (*step)(void) = argc > 2 ? mode_step(argv[2]) : NULL;

	if (argc == 4 && !strcmp(argv[1], "make") && (!strcmp(argv[3], "full") ||
						      !strcmp(argv[3], "sparse")))
		return open_file_make(argv[2], OPEN_FILE_SIZE, !strcmp(argv[3], "sparse"));
	if (argc == 4 && !strcmp(argv[1], "once") && step) {
		file = argv[3];
		return run_once(step);
	}
	if (argc == 5 && !strcmp(argv[1], "loop") && step) {
		file = argv[3];
		return run_loop(step, atol(argv[4]));
	}
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "time")) {
		file = argv[2];
		return run_time(argc == 4 ? atoi(argv[3]) : 201);
	}
	return -EINVAL;
}

int main(int argc, char **argv)
{
	int rc;

	setenv("PMEM_IS_PMEM_FORCE", "1", 0); /* as daxdev-bench */
	rc = run(argc, argv);
	if (rc == -EINVAL)
		return usage();
	if (rc)
		fprintf(stderr, "open-probe: %s\n", strerror(-rc));
	return rc ? 1 : 0;
}
