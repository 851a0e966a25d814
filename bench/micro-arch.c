/* SPDX-License-Identifier: MIT */
/*
 * micro-arch: the x86-64 arch layer's implementations measured against each
 * other and against libpmem, below the core (docs/arch.md quotes it).
 *
 * One repetition of a contender at a size is the median of SLICES slices of
 * K back-to-back operations (K calibrated on the first contender, the same
 * for all).  Rounds are interleaved: each round runs every size and every
 * contender once, the contender order rotating from round to round.  Every
 * figure is the median over the rounds [min-max]; a speedup is the median of
 * the per-round ratios t_reference / t_contender (above 1: faster than the
 * first column).
 *
 * Destinations:
 *  cold    every operation writes lines no earlier operation touched: slots
 *          of a region (256 MiB) taken in a scrambled order (slot number times an
 *          odd constant, modulo a power of two), so neither the caches nor
 *          the prefetchers have seen them; a slot comes back only after the
 *          whole region has been walked.
 *  reused  the same destination every time.
 * A durable copy is the copy and its drain (sfence), as pmem_memcpy_persist.
 *
 *   micro-arch [--rounds N] [--cpu N] [--region-mib N] [--only crc,lines,...]
 *   workloads: crc, lines-cold, lines-reused, small-cold, small-reused,
 *   tiny-cold, tiny-reused, fill-small-cold
 */
#include <errno.h>
#include <getopt.h>
#include <libpmem.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <daxdev.h>
#include <arch/arch.h>
#include "arch/x86_64/edge_candidates.h"
#include "arch/x86_64/x86.h"

#define MAX_CONT 10
#define MAX_SIZES 12
#define MAX_ROUNDS 64
#define SLICES 5
#define SLICE_NS 200000.0         /* target length of one slice */
#define SRC_SIZE ((size_t)256 << 10)
#define MIXED_SMALL 0             /* size "0": 65..255, a different one each call */
#define SCRAMBLE 0x9e3779b97f4a7c15ull

enum pattern { HOT, COLD, REUSED };

struct contender {
	const char *name;
	void (*copy)(void *dst, const void *src, size_t len);   /* and drain */
	daxdev_crc32c_fn crc;
};

struct workload {
	const char *name, *what;
	enum pattern pattern;
	bool any_align;               /* rotate dst/src misalignment per call */
	size_t sizes[MAX_SIZES], nsizes;
	struct contender cont[MAX_CONT];
	size_t ncont;
	size_t k[MAX_SIZES];
	double t[MAX_ROUNDS][MAX_SIZES][MAX_CONT];
};

static struct {
	int rounds, cpu;
	const char *only;
	size_t region;            /* power of two */
} cfg = { .rounds = 21, .cpu = -1, .region = (size_t)256 << 20 };

static char *region, *src;
static struct daxdev *dev;
static uint64_t cursor;           /* operations so far: picks slot and misalignment */
static volatile uint32_t sink;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- contenders ---------------------------------------------------------- */

static void copy_pmem(void *dst, const void *s, size_t len)
{
	pmem_memcpy_persist(dst, s, len);
}

/* What the core does below its threshold: ordinary stores + write-back. */
static void copy_temporal_clwb(void *dst, const void *s, size_t len)
{
	memcpy(dst, s, len);
	daxdev_x86_flush_clwb(dst, len);
	daxdev_x86_drain_sfence();
}

#define NT_CONTENDER(isa)                                                     \
	static void copy_##isa(void *dst, const void *s, size_t len)         \
	{                                                                     \
		daxdev_x86_copy_nt_##isa(dst, s, len, daxdev_x86_flush_clwb); \
		daxdev_x86_drain_sfence();                                    \
	}
NT_CONTENDER(avx512)
NT_CONTENDER(avx2)
NT_CONTENDER(movdir64b)

/* The partial head and tail lines written other ways (edge_candidates.h). */
#define EDGE_CONTENDER(how)                                                    \
	static void copy_edges_##how(void *dst, const void *s, size_t len)    \
	{                                                                      \
		daxdev_x86_cand_copy_##how(dst, s, len, daxdev_x86_flush_clwb);\
		daxdev_x86_drain_sfence();                                     \
	}
EDGE_CONTENDER(stores)
EDGE_CONTENDER(masked)
EDGE_CONTENDER(maskmov)
EDGE_CONTENDER(merge)

/* Fills (the source is ignored): the same edges as the copies. */
static void fill_pmem(void *dst, const void *s, size_t len)
{
	(void)s;
	pmem_memset_persist(dst, 0x5a, len);
}

static void fill_temporal_clwb(void *dst, const void *s, size_t len)
{
	(void)s;
	memset(dst, 0x5a, len);
	daxdev_x86_flush_clwb(dst, len);
	daxdev_x86_drain_sfence();
}

static void fill_avx512(void *dst, const void *s, size_t len)
{
	(void)s;
	daxdev_x86_fill_nt_avx512(dst, 0x5a, len, daxdev_x86_flush_clwb);
	daxdev_x86_drain_sfence();
}

/* The public API on the same memory: what the core chooses by default, and
 * with streaming forced (the rule proposed for 65..255 B in docs/arch.md). */
static void copy_daxdev(void *dst, const void *s, size_t len)
{
	daxdev_memcpy(dev, dst, s, len, 0);
}

static void copy_daxdev_nt(void *dst, const void *s, size_t len)
{
	daxdev_memcpy(dev, dst, s, len, DAXDEV_F_NONTEMPORAL);
}

/* ---- one slice ----------------------------------------------------------- */

static size_t op_size(size_t size)
{
	return size == MIXED_SMALL ? 65 + (size_t)(cursor * 7919 % 191) : size;
}

/* A power of two that holds the size with room for any misalignment. */
static size_t slot_size(size_t size)
{
	size_t slot = 512;

	while (slot < size + 2 * X86_CACHE_LINE)
		slot *= 2;
	return slot;
}

static char *op_dst(const struct workload *w, size_t slot)
{
	size_t mis = w->any_align ? (size_t)(cursor * 37 % X86_CACHE_LINE) : 0;

	if (w->pattern == REUSED)
		return region + mis;
	return region + ((cursor * SCRAMBLE) & (cfg.region / slot - 1)) * slot + mis;
}

static double slice(const struct workload *w, const struct contender *c,
		    size_t size, size_t k)
{
	size_t slot = slot_size(size == MIXED_SMALL ? 255 : size);
	uint32_t crc = 0;
	double t0 = now_ns();

	for (size_t i = 0; i < k; i++, cursor++) {
		size_t len = op_size(size);
		size_t smis = w->any_align ? (size_t)(cursor * 13 % X86_CACHE_LINE) : 0;

		if (c->crc)
			crc = c->crc(crc, src + smis, len);
		else
			c->copy(op_dst(w, slot), src + smis, len);
	}
	sink = crc;
	return (now_ns() - t0) / (double)k;
}

static double repetition(const struct workload *w, const struct contender *c,
			 size_t size, size_t k)
{
	double v[SLICES];

	for (int s = 0; s < SLICES; s++)
		v[s] = slice(w, c, size, k);
	return median(v, SLICES);
}

static size_t calibrate(const struct workload *w, size_t size)
{
	double t = repetition(w, &w->cont[0], size, 64);
	size_t k = t > 0 ? (size_t)(SLICE_NS / t) : 1;

	return k < 16 ? 16 : k;
}

static bool is_fill(const struct contender *c)
{
	return c->copy == fill_pmem || c->copy == fill_temporal_clwb || c->copy == fill_avx512;
}

/* A contender that writes wrong bytes, or any outside the range, would make
 * its figures meaningless: check each once on a guarded scratch range. */
static bool copies_exactly(const struct contender *c)
{
	static const size_t lens[] = { 1, 7, 8, 63, 65, 100, 128, 255, 300, 4100 };
	char *scratch = region;   /* inside the device, for daxdev_memcpy */

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (size_t mis = 0; mis < X86_CACHE_LINE; mis++) {
			char *d = scratch + X86_CACHE_LINE + mis;
			const char *from = src + mis * 3;
			bool ok = true;

			memset(scratch, 0x33, 4100 + 4 * X86_CACHE_LINE);
			c->copy(d, from, lens[i]);
			for (size_t b = 0; b < lens[i]; b++)
				ok = ok && d[b] == (is_fill(c) ? 0x5a : from[b]);
			if (!ok || d[-1] != 0x33 || d[lens[i]] != 0x33)
				return false;
		}
	}
	return true;
}

/* ---- running and reporting ----------------------------------------------- */

static void run(struct workload *w)
{
	for (size_t c = 0; c < w->ncont; c++) {
		if (w->cont[c].copy && !copies_exactly(&w->cont[c])) {
			fprintf(stderr, "micro-arch: %s copies wrong bytes\n", w->cont[c].name);
			exit(1);
		}
	}
	for (size_t s = 0; s < w->nsizes; s++)
		w->k[s] = calibrate(w, w->sizes[s]);
	for (int r = 0; r < cfg.rounds; r++)
		for (size_t s = 0; s < w->nsizes; s++)
			for (size_t j = 0; j < w->ncont; j++) {
				size_t c = (j + (size_t)r) % w->ncont;

				w->t[r][s][c] = repetition(w, &w->cont[c], w->sizes[s], w->k[s]);
			}
}

struct stat3 {
	double med, min, max;
};

static struct stat3 stat3(double *v, size_t n)
{
	double m = median(v, n);

	return (struct stat3){ m, v[0], v[n - 1] };
}

static void print_size(size_t size)
{
	if (size == MIXED_SMALL)
		printf("| 65..255 B");
	else if (size >= 1024 && size % 1024 == 0)
		printf("| %zu KiB", size / 1024);
	else
		printf("| %zu B", size);
}

static void report(const struct workload *w)
{
	double v[MAX_ROUNDS];
	size_t n = (size_t)cfg.rounds;

	printf("\n### %s: %s\n\n| size |", w->name, w->what);
	for (size_t c = 0; c < w->ncont; c++)
		printf(" %s |", w->cont[c].name);
	for (size_t c = 1; c < w->ncont; c++)
		printf(" speedup %s |", w->cont[c].name);
	printf("\n|---:|");
	for (size_t c = 1; c < 2 * w->ncont; c++)
		printf("---:|");
	printf("\n");
	for (size_t s = 0; s < w->nsizes; s++) {
		print_size(w->sizes[s]);
		for (size_t c = 0; c < w->ncont; c++) {
			for (size_t r = 0; r < n; r++)
				v[r] = w->t[r][s][c];
			struct stat3 st = stat3(v, n);
			printf(" | %.1f [%.1f–%.1f]", st.med, st.min, st.max);
		}
		for (size_t c = 1; c < w->ncont; c++) {
			for (size_t r = 0; r < n; r++)
				v[r] = w->t[r][s][0] / w->t[r][s][c];
			struct stat3 st = stat3(v, n);
			printf(" | %.2f [%.2f–%.2f]", st.med, st.min, st.max);
		}
		printf(" |\n");
	}
	fflush(stdout);
}

/* ---- workloads ----------------------------------------------------------- */

static void add(struct workload *w, const char *name,
		void (*copy)(void *, const void *, size_t), daxdev_crc32c_fn crc)
{
	if (w->ncont < MAX_CONT)
		w->cont[w->ncont++] = (struct contender){ name, copy, crc };
}

static void set_sizes(struct workload *w, const size_t *sizes, size_t n)
{
	memcpy(w->sizes, sizes, n * sizeof(*sizes));
	w->nsizes = n;
}

/* Every CRC-32C implementation this CPU runs, SSE4.2 (the one before the
 * folding paths) as the reference. */
static void setup_crc(struct workload *w)
{
	static const size_t sizes[] = { 32, 64, 128, 192, 256, 512, 1024, 4096, 65536 };
	const char *name;
	daxdev_crc32c_fn fn;

	*w = (struct workload){ .name = "crc", .what = "CRC-32C, hot source, ns per call",
				.pattern = HOT };
	set_sizes(w, sizes, sizeof(sizes) / sizeof(sizes[0]));
	for (size_t i = 0; (fn = daxdev_arch_crc32c_impl(i, &name)); i++)
		if (!strcmp(name, "sse4.2"))
			add(w, name, NULL, fn);
	for (size_t i = 0; (fn = daxdev_arch_crc32c_impl(i, &name)); i++)
		if (strcmp(name, "sse4.2"))
			add(w, name, NULL, fn);
}

static void setup_lines(struct workload *w, enum pattern pattern)
{
	static const size_t sizes[] = { 64, 128, 256, 1024, 4096, 16384, 65536 };

	*w = (struct workload){
		.name = pattern == COLD ? "lines-cold" : "lines-reused",
		.what = pattern == COLD ?
			"durable copy of whole aligned lines, cold destination, ns per copy + drain" :
			"durable copy of whole aligned lines, the same destination every call",
		.pattern = pattern,
	};
	set_sizes(w, sizes, sizeof(sizes) / sizeof(sizes[0]));
	add(w, "avx512-nt", copy_avx512, NULL);
	add(w, "avx2-nt", copy_avx2, NULL);
	add(w, "movdir64b", copy_movdir64b, NULL);
	add(w, "pmem_memcpy_persist", copy_pmem, NULL);
}

static void setup_small(struct workload *w, enum pattern pattern)
{
	static const size_t sizes[] = { 65, 96, 127, 128, 160, 192, 224, 255, MIXED_SMALL };

	*w = (struct workload){
		.name = pattern == COLD ? "small-cold" : "small-reused",
		.what = pattern == COLD ?
			"durable copy of 65..255 B at every dst/src misalignment, cold destination" :
			"durable copy of 65..255 B at every dst/src misalignment, the same destination every call",
		.pattern = pattern, .any_align = true,
	};
	set_sizes(w, sizes, sizeof(sizes) / sizeof(sizes[0]));
	add(w, "pmem_memcpy_persist", copy_pmem, NULL);
	add(w, "memcpy+clwb", copy_temporal_clwb, NULL);
	add(w, "NT, edges stores+clwb", copy_edges_stores, NULL);
	if (daxdev_x86_cand_usable()) {
		add(w, "NT, edges masked+clwb", copy_edges_masked, NULL);
		add(w, "NT, edges maskmovdqu", copy_edges_maskmov, NULL);
		add(w, "NT, edges merged lines (racy)", copy_edges_merge, NULL);
	}
	add(w, "NT, edges movnti (avx512-nt)", copy_avx512, NULL);
	add(w, "daxdev_memcpy", copy_daxdev, NULL);
	add(w, "daxdev_memcpy NONTEMPORAL", copy_daxdev_nt, NULL);
}

static void setup_fill(struct workload *w)
{
	static const size_t sizes[] = { 8, 32, 64, 65, 128, 192, 255, MIXED_SMALL };

	*w = (struct workload){
		.name = "fill-small-cold",
		.what = "durable fill of 8..255 B at every dst misalignment, cold destination",
		.pattern = COLD, .any_align = true,
	};
	set_sizes(w, sizes, sizeof(sizes) / sizeof(sizes[0]));
	add(w, "pmem_memset_persist", fill_pmem, NULL);
	add(w, "memset+clwb", fill_temporal_clwb, NULL);
	add(w, "NT, edges movnti (avx512-nt)", fill_avx512, NULL);
}

/* Below 65 B: where the default threshold should start streaming. */
static void setup_tiny(struct workload *w, enum pattern pattern)
{
	static const size_t sizes[] = { 8, 16, 24, 32, 48, 63, 64 };

	*w = (struct workload){
		.name = pattern == COLD ? "tiny-cold" : "tiny-reused",
		.what = pattern == COLD ?
			"durable copy of 8..64 B at every dst/src misalignment, cold destination" :
			"durable copy of 8..64 B at every dst/src misalignment, the same destination every call",
		.pattern = pattern, .any_align = true,
	};
	set_sizes(w, sizes, sizeof(sizes) / sizeof(sizes[0]));
	add(w, "pmem_memcpy_persist", copy_pmem, NULL);
	add(w, "memcpy+clwb", copy_temporal_clwb, NULL);
	add(w, "NT, edges movnti (avx512-nt)", copy_avx512, NULL);
}

/* ---- setup --------------------------------------------------------------- */

/* How much of the region the kernel gave 2 MiB pages: with 4 KiB pages a
 * cold destination also costs a page walk (device-dax maps 2 MiB or 1 GiB
 * pages), which dilutes every difference measured here. */
static size_t huge_kib(void)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	unsigned long lo, hi;
	size_t kib, total = 0;
	bool in_region = false;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in_region = lo < (uintptr_t)region + cfg.region && hi > (uintptr_t)region;
		else if (in_region && sscanf(line, "AnonHugePages: %zu kB", &kib) == 1)
			total += kib;
	}
	fclose(f);
	return total;
}

static int setup_memory(void)
{
	char target[64];
	void *addr = NULL;
	long n;

	snprintf(target, sizeof(target), "anon:%zu", cfg.region);
	if (daxdev_open_size(target, 0, DAXDEV_OPEN_PRIVATE, &dev) ||
	    daxdev_set_write_cache(dev, true)) {
		fprintf(stderr, "micro-arch: %s: %s\n", target, daxdev_errormsg());
		return -1;
	}
	n = daxdev_direct_access(dev, 0, (long)(cfg.region / daxdev_align(dev)), &addr);
	if (n < 0 || (size_t)n * daxdev_align(dev) < cfg.region) {
		fprintf(stderr, "micro-arch: direct_access: %s\n", daxdev_errormsg());
		return -1;
	}
	region = addr;
	madvise(region, cfg.region, MADV_HUGEPAGE);
	memset(region, 0, cfg.region);
	printf("region %zu MiB at %p, %zu MiB of it in 2 MiB pages\n", cfg.region >> 20,
	       (void *)region, huge_kib() >> 10);
	src = aligned_alloc(X86_CACHE_LINE, SRC_SIZE);
	if (!src)
		return -1;
	for (size_t i = 0; i < SRC_SIZE; i++)
		src[i] = (char)(i * 2654435761u >> 11);
	return 0;
}

static void pin(void)
{
	cpu_set_t set;
	int cpu = cfg.cpu;

	if (cpu < 0) {
		sched_getaffinity(0, sizeof(set), &set);
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpu = c;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("micro-arch: sched_setaffinity");
	printf("pinned to CPU %d; %s; rounds %d\n", cpu, daxdev_arch_cpu_summary(),
	       cfg.rounds);
}

static bool wanted(const char *name)
{
	const char *p = cfg.only;
	size_t len;

	if (!p)
		return true;
	while (*p) {
		len = strcspn(p, ",");
		if (len && !strncmp(name, p, len))
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "only", required_argument, NULL, 'o' },
		{ "region-mib", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'r')
			cfg.rounds = atoi(optarg);
		else if (opt == 'c')
			cfg.cpu = atoi(optarg);
		else if (opt == 'o')
			cfg.only = optarg;
		else if (opt == 'm')
			cfg.region = (size_t)strtoul(optarg, NULL, 0) << 20;
		else
			exit(2);
	}
	if (cfg.rounds < 1 || cfg.rounds > MAX_ROUNDS) {
		fprintf(stderr, "micro-arch: --rounds 1..%d\n", MAX_ROUNDS);
		exit(2);
	}
	if (cfg.region < ((size_t)64 << 20) || (cfg.region & (cfg.region - 1))) {
		fprintf(stderr, "micro-arch: --region-mib: a power of two, at least 64\n");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	static struct workload w;

	parse_args(argc, argv);
	pin();
	if (setup_memory())
		return 1;
	if (wanted("crc")) {
		setup_crc(&w);
		run(&w);
		report(&w);
	}
	for (enum pattern p = COLD; p <= REUSED; p++) {
		if (wanted(p == COLD ? "lines-cold" : "lines-reused")) {
			setup_lines(&w, p);
			run(&w);
			report(&w);
		}
		if (wanted(p == COLD ? "small-cold" : "small-reused")) {
			setup_small(&w, p);
			run(&w);
			report(&w);
		}
		if (wanted(p == COLD ? "tiny-cold" : "tiny-reused")) {
			setup_tiny(&w, p);
			run(&w);
			report(&w);
		}
	}
	if (wanted("fill-small-cold")) {
		setup_fill(&w);
		run(&w);
		report(&w);
	}
	daxdev_put(dev);
	free(src);
	return 0;
}
