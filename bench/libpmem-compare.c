/* SPDX-License-Identifier: MIT */
/*
 * One libpmem.so.1 (dlopen'ed by path) timed on pmem_memcpy_persist and on
 * the owner lookup; bench/libpmem-compare.sh runs it for libdaxdev's drop-in
 * and PMDK's in turn, in separate processes, and prints the ratios.
 *
 *   libpmem-compare LIB copy-mapped|copy-unmapped|lookup DIR
 *
 * copy-mapped:   pmem_memcpy_persist into a pmem_map_file() mapping of a
 *                file in DIR (the drop-in: that device's decision)
 * copy-unmapped: the same into memory the program mapped itself (as
 *                libpmemobj and libpmemlog do: the CPU write-back path)
 * lookup:        pmem_is_pmem() of 64 bytes with 1, 16 and 256 mappings
 * Prints "workload size ns_per_op" lines (the median of 7 samples).
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define REGION (64u << 20)
#define SAMPLES 7
#define MAXMAPS 256

static void *(*map_file)(const char *, size_t, int, mode_t, size_t *, int *);
static int (*unmap)(void *, size_t);
static void *(*memcpy_persist)(void *, const void *, size_t);
static int (*is_pmem)(const void *, size_t);

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, SAMPLES, sizeof(*v), cmp_double);
	return v[SAMPLES / 2];
}

/* Copies to pseudo-random 64-byte-aligned offsets, ~64 MiB per sample. */
static void time_copies(const char *name, char *dst, const char *src, size_t len)
{
	size_t n = (REGION / len) < 1000 ? 1000 : REGION / len;
	uint64_t x = 88172645463325252ull;
	double t[SAMPLES];

	for (int s = 0; s < SAMPLES; s++) {
		double t0 = now_ns();

		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			memcpy_persist(dst + (x % (REGION - len) & ~(uint64_t)63), src, len);
		}
		t[s] = (now_ns() - t0) / (double)n;
	}
	printf("%s %zu %.2f\n", name, len, median(t));
}

static char *map_self(const char *dir)
{
	char path[512];
	char *a;
	int fd;

	snprintf(path, sizeof(path), "%s/libpmem-compare-%d.self", dir, (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	unlink(path);
	if (fd < 0 || ftruncate(fd, REGION))
		return NULL;
	a = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return a == MAP_FAILED ? NULL : a;
}

static int copies(const char *mode, const char *dir)
{
	static const size_t lens[] = { 64, 256, 4096, 65536 };
	char path[512], *dst, *src = malloc(65536);
	size_t mapped = REGION;

	memset(src, 0x5a, 65536);
	if (!strcmp(mode, "copy-mapped")) {
		snprintf(path, sizeof(path), "%s/libpmem-compare-%d", dir, (int)getpid());
		dst = map_file(path, REGION, 1 /* PMEM_FILE_CREATE */, 0600, &mapped, NULL);
		unlink(path);
	} else {
		dst = map_self(dir);
	}
	if (!dst)
		return perror(mode), 1;
	memset(dst, 0, REGION);  /* fault every page in first */
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		time_copies(mode, dst, src, lens[i]);
	if (!strcmp(mode, "copy-mapped"))
		unmap(dst, mapped);
	free(src);
	return 0;
}

/* pmem_is_pmem on one mapping among k (k small files in dir). */
static int lookups(const char *dir)
{
	static char *maps[MAXMAPS];
	static size_t lens[MAXMAPS];
	const int ks[] = { 1, 16, 256 };
	int have = 0, sink = 0;
	char path[512];

	for (size_t j = 0; j < sizeof(ks) / sizeof(ks[0]); j++) {
		double t[SAMPLES];

		for (; have < ks[j]; have++) {
			snprintf(path, sizeof(path), "%s/libpmem-compare-%d.%d", dir, (int)getpid(), have);
			maps[have] = map_file(path, 8192, 1, 0600, &lens[have], NULL);
			unlink(path);
			if (!maps[have])
				return perror("pmem_map_file"), 1;
		}
		for (int s = 0; s < SAMPLES; s++) {
			double t0 = now_ns();

			for (int i = 0; i < 1000000; i++)
				sink += is_pmem(maps[(i * 7) % have] + 64, 64);
			t[s] = (now_ns() - t0) / 1e6;
		}
		printf("lookup %d %.2f\n", ks[j], median(t));
	}
	for (int i = 0; i < have; i++)
		unmap(maps[i], lens[i]);
	return sink < 0;
}

int main(int argc, char **argv)
{
	void *lib;

	if (argc != 4) {
		fprintf(stderr, "usage: %s LIBPMEM_SO copy-mapped|copy-unmapped|lookup DIR\n", argv[0]);
		return 2;
	}
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return fprintf(stderr, "%s\n", dlerror()), 1;
	*(void **)&map_file = dlsym(lib, "pmem_map_file");
	*(void **)&unmap = dlsym(lib, "pmem_unmap");
	*(void **)&memcpy_persist = dlsym(lib, "pmem_memcpy_persist");
	*(void **)&is_pmem = dlsym(lib, "pmem_is_pmem");
	if (!map_file || !unmap || !memcpy_persist || !is_pmem)
		return fprintf(stderr, "%s: not a libpmem\n", argv[1]), 1;
	if (!strcmp(argv[2], "lookup"))
		return lookups(argv[3]);
	return copies(argv[2], argv[3]);
}
