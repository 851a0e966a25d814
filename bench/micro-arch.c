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
 *   tiny-cold, tiny-reused, copy-crc-cold, fill-small-cold
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
#define MIXED_SMALL SIZE_MAX      /* 65..255 B, a different size each call */
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

/* plog's payload path, modelled: the record's CRC over the caller's buffer,
 * then the streaming copy of it; or both in one pass. */
static uint32_t last_crc;

static void copy_then_crc(void *dst, const void *s, size_t len)
{
	last_crc = daxdev_crc32c_vpclmul(0, s, len);
	daxdev_x86_copy_nt_avx512(dst, s, len, daxdev_x86_flush_clwb);
	daxdev_x86_drain_sfence();
}

static void copy_fused_crc(void *dst, const void *s, size_t len)
{
	last_crc = daxdev_x86_copy_nt_crc_vpclmul(dst, s, len, daxdev_x86_flush_clwb, 0);
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
			if ((c->copy == copy_then_crc || c->copy == copy_fused_crc) &&
			    last_crc != daxdev_crc32c_sw(0, from, lens[i]))
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

/* One contender of a table entry, and what the CPU must have for it: a word
 * of daxdev_arch_cpu_summary(), "edge-candidates" (edge_candidates.h) or
 * "copy_nt_crc" (the arch offers the one-pass copy + CRC); NULL: nothing. */
struct entry {
	const char *name;
	void (*copy)(void *dst, const void *src, size_t len);
	const char *needs;
};

struct spec {
	const char *name, *what;
	enum pattern pattern;
	bool any_align;
	size_t sizes[MAX_SIZES];          /* up to the first 0 */
	struct entry cont[MAX_CONT];      /* up to the first without a name */
};

#define LINE_SIZES { 64, 128, 256, 1024, 4096, 16384, 65536 }
#define LINE_CONTENDERS {                                                      \
	{ "avx512-nt", copy_avx512, "avx512f" },                              \
	{ "avx2-nt", copy_avx2, "avx2" },                                     \
	{ "movdir64b", copy_movdir64b, "movdir64b" },                         \
	{ "pmem_memcpy_persist", copy_pmem, NULL } }
#define SMALL_SIZES { 65, 96, 127, 128, 160, 192, 224, 255, MIXED_SMALL }
#define SMALL_CONTENDERS {                                                     \
	{ "pmem_memcpy_persist", copy_pmem, NULL },                           \
	{ "memcpy+clwb", copy_temporal_clwb, NULL },                          \
	{ "NT, edges stores+clwb", copy_edges_stores, "edge-candidates" },    \
	{ "NT, edges masked+clwb", copy_edges_masked, "edge-candidates" },    \
	{ "NT, edges maskmovdqu", copy_edges_maskmov, "edge-candidates" },    \
	{ "NT, edges merged lines (racy)", copy_edges_merge, "edge-candidates" }, \
	{ "NT, edges movnti (avx512-nt)", copy_avx512, "avx512f" },           \
	{ "daxdev_memcpy", copy_daxdev, NULL },                               \
	{ "daxdev_memcpy NONTEMPORAL", copy_daxdev_nt, NULL } }
/* Below 64 B: where the default threshold should start streaming. */
#define TINY_SIZES { 8, 16, 24, 32, 48, 63, 64 }
#define TINY_CONTENDERS {                                                      \
	{ "pmem_memcpy_persist", copy_pmem, NULL },                           \
	{ "memcpy+clwb", copy_temporal_clwb, NULL },                          \
	{ "NT, edges movnti (avx512-nt)", copy_avx512, "avx512f" } }
#define ANY_ALIGN " at every dst/src misalignment"
#define COLD_DST ", cold destination"
#define SAME_DST ", the same destination every call"

static const struct spec specs[] = {
	{ "lines-cold", "durable copy of whole aligned lines" COLD_DST, COLD, false,
	  LINE_SIZES, LINE_CONTENDERS },
	{ "small-cold", "durable copy of 65..255 B" ANY_ALIGN COLD_DST, COLD, true,
	  SMALL_SIZES, SMALL_CONTENDERS },
	{ "tiny-cold", "durable copy of 8..64 B" ANY_ALIGN COLD_DST, COLD, true,
	  TINY_SIZES, TINY_CONTENDERS },
	{ "lines-reused", "durable copy of whole aligned lines" SAME_DST, REUSED, false,
	  LINE_SIZES, LINE_CONTENDERS },
	{ "small-reused", "durable copy of 65..255 B" ANY_ALIGN SAME_DST, REUSED, true,
	  SMALL_SIZES, SMALL_CONTENDERS },
	{ "tiny-reused", "durable copy of 8..64 B" ANY_ALIGN SAME_DST, REUSED, true,
	  TINY_SIZES, TINY_CONTENDERS },
	{ "copy-crc-cold", "CRC-32C of a hot source and its durable streaming copy" COLD_DST,
	  COLD, false, { 256, 1024, 4096, 16384, 65536 }, {
		{ "crc then copy_nt", copy_then_crc, "copy_nt_crc" },
		{ "copy_nt_crc (one pass)", copy_fused_crc, "copy_nt_crc" },
		{ "copy_nt alone", copy_avx512, "avx512f" } } },
	{ "fill-small-cold", "durable fill of 8..255 B at every dst misalignment" COLD_DST,
	  COLD, true, { 8, 32, 64, 65, 128, 192, 255, MIXED_SMALL }, {
		{ "pmem_memset_persist", fill_pmem, NULL },
		{ "memset+clwb", fill_temporal_clwb, NULL },
		{ "NT, edges movnti (avx512-nt)", fill_avx512, "avx512f" } } },
};

static bool cpu_offers(const char *needs)
{
	const char *summary = daxdev_arch_cpu_summary();
	size_t len = needs ? strlen(needs) : 0;
	struct daxdev_arch arch;

	if (!needs)
		return true;
	if (!strcmp(needs, "edge-candidates"))
		return daxdev_x86_cand_usable();
	if (!strcmp(needs, "copy_nt_crc"))
		return !daxdev_arch_select(NULL, &arch) && arch.copy_nt_crc;
	for (const char *p = strchr(summary, ' '); p; p = strchr(p + 1, ' '))
		if (!strncmp(p + 1, needs, len) && (p[1 + len] == ' ' || !p[1 + len]))
			return true;
	return false;
}

static void from_spec(struct workload *w, const struct spec *sp)
{
	*w = (struct workload){ .name = sp->name, .what = sp->what,
				.pattern = sp->pattern, .any_align = sp->any_align };
	for (size_t i = 0; i < MAX_SIZES && sp->sizes[i]; i++)
		w->sizes[w->nsizes++] = sp->sizes[i];
	for (size_t c = 0; c < MAX_CONT && sp->cont[c].name; c++)
		if (cpu_offers(sp->cont[c].needs))
			w->cont[w->ncont++] = (struct contender){ sp->cont[c].name,
								  sp->cont[c].copy, NULL };
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
	memcpy(w->sizes, sizes, sizeof(sizes));
	w->nsizes = sizeof(sizes) / sizeof(sizes[0]);
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; (fn = daxdev_arch_crc32c_impl(i, &name)); i++)
			if ((strcmp(name, "sse4.2") == 0) == (pass == 0) && w->ncont < MAX_CONT)
				w->cont[w->ncont++] = (struct contender){ name, NULL, fn };
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
	DAXDEV_OPEN_OPTS(on, .write_cache = DAXDEV_WRITE_CACHE_ON);

	if (daxdev_open(target, &on, &dev)) {
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

static void measure(struct workload *w)
{
	run(w);
	report(w);
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
		measure(&w);
	}
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		if (wanted(specs[i].name)) {
			from_spec(&w, &specs[i]);
			measure(&w);
		}
	}
	daxdev_put(dev);
	free(src);
	return 0;
}
