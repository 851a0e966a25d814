/* sharesim provider: stale reads without invalidate, lost writes without write-back or fence, torn evictions, two hosts on one line, every write call written back on NONCOHERENT devices, a message-passing protocol and its bugs over seeds, reproducible by seed, composites, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <daxdev.h>
#include <daxdev/composite.h>
#include <daxdev/sharesim.h>

#define SIZE (64u << 10)
#define DATA_OFF 4096u
#define DATA_WORDS 32u            /* 256 bytes: four lines */
#define FLAG_OFF 8192u
#define NEVER DAXDEV_SHARESIM_NEVER

/* One memory (inner), host 0 writes, host 1 reads; each host has a
 * NONCOHERENT view and a LOCAL one over the same cache. */
struct world {
	struct daxdev *inner, *sim;
	struct daxdev *w, *r, *wl, *rl;
	char *mem, *wp, *rp;
};

static char *image(struct daxdev *dev)
{
	void *addr;

	assert_true(daxdev_direct_access(dev, 0, 1, &addr) >= 1);
	return addr;
}

static struct daxdev *view(struct daxdev *sim, unsigned host, int sharing)
{
	DAXDEV_OPEN_OPTS(opts, .sharing = sharing);
	struct daxdev *dev;

	assert_int_equal(daxdev_sharesim_host(sim, host, &opts, &dev), 0);
	return dev;
}

static void world_open(struct world *x, const struct daxdev_sharesim_opts *so)
{
	assert_int_equal(daxdev_open("anon:64K", NULL, &x->inner), 0);
	x->mem = image(x->inner);
	assert_int_equal(daxdev_sharesim_new(x->inner, 3, so, &x->sim), 0);
	x->w = view(x->sim, 0, DAXDEV_SHARING_NONCOHERENT);
	x->r = view(x->sim, 1, DAXDEV_SHARING_NONCOHERENT);
	x->wl = view(x->sim, 0, DAXDEV_SHARING_LOCAL);
	x->rl = view(x->sim, 1, DAXDEV_SHARING_LOCAL);
	x->wp = image(x->w);
	x->rp = image(x->r);
}

static void world_close(struct world *x)
{
	struct daxdev *devs[] = { x->w, x->r, x->wl, x->rl, x->sim, x->inner };

	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		daxdev_put(devs[i]);
}

static struct daxdev_sharesim_stats stats_of(struct world *x)
{
	struct daxdev_sharesim_stats st = DAXDEV_SHARESIM_STATS_INIT;

	assert_int_equal(daxdev_sharesim_stats(x->sim, &st), 0);
	return st;
}

static bool all_zero(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static const struct daxdev_sharesim_opts *quiet(void)
{
	/* nothing by chance: every outcome below is the model's rule */
	static const struct daxdev_sharesim_opts q = {
		.sz = sizeof(q), .evict_one_in = NEVER, .refetch_one_in = NEVER,
		.land_one_in = NEVER,
	};
	return &q;
}

static void test_info(void **state)
{
	DAXDEV_OPEN_OPTS(nc, .sharing = DAXDEV_SHARING_NONCOHERENT);
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev, *other;
	char details[1024];
	struct world x;

	(void)state;
	world_open(&x, NULL);
	assert_int_equal(daxdev_get_info(x.r, &info), 0);
	assert_string_equal(info.provider, "sharesim");
	assert_string_equal(info.host, "sharesim:anon#1");
	assert_int_equal(info.sharing, DAXDEV_SHARING_NONCOHERENT);
	assert_string_equal(info.invalidate_impl, "sharesim");
	assert_string_equal(info.flush_impl, "sharesim");
	assert_false(info.write_cache);          /* anonymous memory */
	assert_int_equal(daxdev_get_info(x.rl, &info), 0);
	assert_int_equal(info.sharing, DAXDEV_SHARING_LOCAL);
	assert_string_equal(info.flush_impl, "none");
	assert_true(daxdev_get_details(x.r, details, sizeof(details)) > 0);
	assert_non_null(strstr(details, "sharesim-host: 1 of 3\nsharesim-memory: anon\n"));
	world_close(&x);

	assert_int_equal(daxdev_open("sharesim:anon:64K", &nc, &dev), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_string_equal(info.host, "sharesim:anon#0");
	assert_int_equal(info.sharing, DAXDEV_SHARING_NONCOHERENT);
	assert_int_equal(daxdev_sharesim_host(dev, DAXDEV_SHARESIM_HOSTS_MAX - 1, NULL, &other), 0);
	daxdev_put(other);
	assert_int_equal(daxdev_sharesim_host(dev, DAXDEV_SHARESIM_HOSTS_MAX, NULL, &other),
			 -EINVAL);
	daxdev_put(dev);
}

/* Host 1 keeps reading its cached copy until it invalidates. */
static void test_stale_without_invalidate(void **state)
{
	struct world x;
	char back[8];

	(void)state;
	world_open(&x, quiet());
	assert_int_equal(daxdev_write(x.w, 0, "new-data", 8), 0);
	assert_memory_equal(x.mem, "new-data", 8);              /* in memory */
	assert_true(all_zero(x.rp, 8));                          /* not in host 1 */
	assert_int_equal(daxdev_read(x.rl, 0, back, 8), 0);      /* LOCAL: stale */
	assert_true(all_zero(back, 8));
	assert_int_equal(daxdev_load(x.rl, back, x.rp, 8), 0);
	assert_true(all_zero(back, 8));
	assert_int_equal(stats_of(&x).stale_lines, 0);
	assert_int_equal(daxdev_read(x.r, 0, back, 8), 0);       /* NONCOHERENT */
	assert_memory_equal(back, "new-data", 8);
	assert_int_equal(stats_of(&x).stale_lines, 1);

	/* pointer readers */
	assert_int_equal(daxdev_write(x.w, 64, "second!", 8), 0);
	assert_int_equal(daxdev_write(x.w, 128, "third!!", 8), 0);
	assert_true(all_zero(x.rp + 64, 8));
	assert_int_equal(daxdev_invalidate(x.rl, x.rp + 64, 8), 0);
	assert_memory_equal(x.rp + 64, "second!", 8);
	assert_int_equal(daxdev_load(x.r, back, x.rp + 128, 8), 0);
	assert_memory_equal(back, "third!!", 8);
	assert_int_equal(stats_of(&x).stale_lines, 3);
	world_close(&x);
}

/* Stores that are never written back never reach host 1. */
static void test_writer_without_write_back(void **state)
{
	struct world x;
	char back[192];

	(void)state;
	world_open(&x, quiet());
	assert_int_equal(daxdev_write(x.wl, 0, "local", 6), 0);    /* volatile, cache off */
	memcpy(x.wp + 64, "pointer", 8);
	assert_int_equal(daxdev_memcpy(x.w, x.wp + 128, "noflush", 8, DAXDEV_F_NOFLUSH), 0);
	assert_true(all_zero(x.mem, 192));
	assert_int_equal(stats_of(&x).dirty_lines, 3);
	assert_int_equal(daxdev_read(x.r, 0, back, 192), 0);
	assert_true(all_zero(back, 192));
	assert_int_equal(daxdev_flush(x.w, x.wp, 192), 0);          /* the fix */
	assert_int_equal(daxdev_read(x.r, 0, back, 192), 0);
	assert_memory_equal(back, "local", 6);
	assert_memory_equal(back + 64, "pointer", 8);
	assert_memory_equal(back + 128, "noflush", 8);
	assert_int_equal(stats_of(&x).dirty_lines, 0);
	world_close(&x);
}

/* A write-back is in flight until the writer's fence. */
static void test_write_back_needs_fence(void **state)
{
	struct world x;
	char back[8];

	(void)state;
	world_open(&x, quiet());
	assert_int_equal(daxdev_memcpy(x.w, x.wp, "pending", 8, DAXDEV_F_NODRAIN), 0);
	assert_int_equal(stats_of(&x).pending_lines, 1);
	assert_int_equal(daxdev_read(x.r, 0, back, 8), 0);
	assert_true(all_zero(back, 8));
	assert_int_equal(daxdev_drain(x.w), 0);
	assert_int_equal(stats_of(&x).pending_lines, 0);
	assert_int_equal(daxdev_read(x.r, 0, back, 8), 0);
	assert_memory_equal(back, "pending", 8);
	world_close(&x);
}

/* Lines are written whole: two hosts writing different words of one line
 * lose one of the writes. */
static void test_two_hosts_one_line(void **state)
{
	struct world x;

	(void)state;
	world_open(&x, quiet());
	assert_int_equal(daxdev_write(x.w, 0, "AAAAAAAA", 8), 0);
	assert_int_equal(daxdev_write(x.r, 8, "BBBBBBBB", 8), 0);
	assert_true(all_zero(x.mem, 8));                  /* host 1's stale word 0 */
	assert_memory_equal(x.mem + 8, "BBBBBBBB", 8);
	assert_int_equal(stats_of(&x).lost_words, 1);
	assert_int_equal(daxdev_write(x.w, 128, "AAAAAAAA", 8), 0);   /* own lines */
	assert_int_equal(daxdev_write(x.r, 192, "BBBBBBBB", 8), 0);
	assert_memory_equal(x.mem + 128, "AAAAAAAA", 8);
	assert_memory_equal(x.mem + 192, "BBBBBBBB", 8);
	assert_int_equal(stats_of(&x).lost_words, 1);
	world_close(&x);
}

/* Every write call of a NONCOHERENT device reaches memory with the write
 * cache off; the same calls on a LOCAL device do not. */
static void test_noncoherent_writes_written_back(void **state)
{
	struct daxdev *devs[2];
	struct world x;

	(void)state;
	world_open(&x, quiet());
	devs[0] = x.wl;
	devs[1] = x.w;
	for (int nc = 0; nc < 2; nc++) {
		struct daxdev *d = devs[nc];
		size_t o = 1024u * (size_t)nc;
		struct iovec iov[2] = { { "ab", 2 }, { "cd", 2 } };
		char *p = x.wp + o;

		assert_int_equal(daxdev_write(d, o, "write", 5), 0);
		assert_int_equal(daxdev_writev(d, o + 64, iov, 2, 0), 0);
		assert_int_equal(daxdev_memcpy(d, p + 128, "memcpy", 6, 0), 0);
		assert_int_equal(daxdev_memset(d, p + 192, 'm', 6, 0), 0);
		assert_int_equal(daxdev_memmove(d, p + 258, p + 64, 4, 0), 0);
		memcpy(p + 320, "flush", 5);
		assert_int_equal(daxdev_flush(d, p + 320, 5), 0);
		memcpy(p + 384, "range", 5);
		assert_int_equal(daxdev_flush_range(d, o + 384, 5), 0);
		if (!nc) {
			assert_true(all_zero(x.mem, 1024));
			continue;
		}
		assert_memory_equal(x.mem + o, "write", 5);
		assert_memory_equal(x.mem + o + 64, "abcd", 4);
		assert_memory_equal(x.mem + o + 128, "memcpy", 6);
		assert_memory_equal(x.mem + o + 192, "mmmmmm", 6);
		assert_memory_equal(x.mem + o + 258, "abcd", 4);
		assert_memory_equal(x.mem + o + 320, "flush", 5);
		assert_memory_equal(x.mem + o + 384, "range", 5);
		assert_int_equal(daxdev_zero(d, o, 5), 0);
		assert_true(all_zero(x.mem + o, 5));
	}
	world_close(&x);
}

/* Evictions carry a line's stores as far as they had got: with torn
 * evictions any subset of the new words, otherwise all of them. */
static void test_torn_evictions(void **state)
{
	bool partial = false;

	(void)state;
	for (int torn = 0; torn < 2; torn++) {
		for (uint64_t seed = 0; seed < 64; seed++) {
			DAXDEV_SHARESIM_OPTS(so, .seed = seed, .evict_one_in = 1,
					     .torn_one_in = torn ? 1 : NEVER,
					     .refetch_one_in = NEVER, .land_one_in = NEVER);
			uint64_t words[8];
			int fresh = 0;
			struct world x;

			world_open(&x, &so);
			for (uint64_t i = 0; i < 8; i++)
				memcpy(x.wp + 8 * i, &(uint64_t){ i + 1 }, 8);
			assert_int_equal(daxdev_sharesim_step(x.sim), 0);
			memcpy(words, x.mem, sizeof(words));
			for (uint64_t i = 0; i < 8; i++) {
				assert_true(words[i] == 0 || words[i] == i + 1);
				fresh += words[i] != 0;
			}
			if (!torn)
				assert_int_equal(fresh, 8);
			partial |= fresh > 0 && fresh < 8;
			if (torn && fresh > 0 && fresh < 8)
				assert_int_equal(stats_of(&x).torn_evictions, 1);
			world_close(&x);
		}
	}
	assert_true(partial);
}

/* --- a protocol over seeds: data, then a flag ------------------------------ */

enum variant { CORRECT, NO_DATA_WRITE_BACK, NO_FENCE, DATA_NOT_INVALIDATED, NVARIANTS };

struct outcome {
	int flag_seen;   /* polls that found the flag set */
	int stale;       /* of those, data not all new */
	int torn;        /* of those, some words new and some old */
	uint64_t trace;  /* what every poll saw */
};

static uint64_t datum(unsigned i)
{
	return UINT64_C(0x0101010101010101) * (i % 250 + 1);
}

static void writer_step(struct world *x, enum variant v, int step)
{
	static uint64_t data[DATA_WORDS];
	uint64_t one = 1;

	for (unsigned i = 0; i < DATA_WORDS; i++)
		data[i] = datum(i);
	if (step == 0)               /* the stores: in the writer's cache */
		memcpy(x->wp + DATA_OFF, data, sizeof(data));
	else if (step == 1 && v == NO_FENCE)
		assert_int_equal(daxdev_memcpy(x->w, x->wp + DATA_OFF, data, sizeof(data),
					       DAXDEV_F_NODRAIN), 0);
	else if (step == 1 && v != NO_DATA_WRITE_BACK)
		assert_int_equal(daxdev_flush(x->w, x->wp + DATA_OFF, sizeof(data)), 0);
	else if (step == 2)
		assert_int_equal(daxdev_memcpy(x->w, x->wp + FLAG_OFF, &one, 8,
					       v == NO_FENCE ? DAXDEV_F_NODRAIN : 0), 0);
	else if (step == 3 && v == NO_FENCE)
		assert_int_equal(daxdev_drain(x->w), 0);
}

/* The reader: the flag (invalidated), then, if set, the data. */
static void reader_poll(struct world *x, enum variant v, struct outcome *o)
{
	uint64_t flag, data[DATA_WORDS];
	unsigned fresh = 0;

	assert_int_equal(daxdev_read(x->r, FLAG_OFF, &flag, 8), 0);
	o->trace = o->trace * 31 + flag;
	if (flag != 1)
		return;
	if (v == DATA_NOT_INVALIDATED)
		memcpy(data, x->rp + DATA_OFF, sizeof(data));
	else
		assert_int_equal(daxdev_read(x->r, DATA_OFF, data, sizeof(data)), 0);
	for (unsigned i = 0; i < DATA_WORDS; i++) {
		assert_true(data[i] == 0 || data[i] == datum(i));
		fresh += data[i] != 0;
		o->trace = o->trace * 31 + (data[i] != 0);
	}
	o->flag_seen++;
	o->stale += fresh != DATA_WORDS;
	o->torn += fresh && fresh != DATA_WORDS;
}

static struct outcome run_protocol(enum variant v, uint64_t seed)
{
	DAXDEV_SHARESIM_OPTS(so, .seed = seed);
	struct outcome o = { 0 };
	struct world x;

	world_open(&x, &so);
	reader_poll(&x, v, &o);
	for (int step = 0; step < 4; step++) {
		writer_step(&x, v, step);
		reader_poll(&x, v, &o);
	}
	o.trace = o.trace * 31 + stats_of(&x).evictions;
	world_close(&x);
	return o;
}

static void test_protocol_over_seeds(void **state)
{
	int seen[NVARIANTS] = { 0 }, stale[NVARIANTS] = { 0 }, torn[NVARIANTS] = { 0 };

	(void)state;
	for (int v = 0; v < NVARIANTS; v++) {
		for (uint64_t seed = 0; seed < 200; seed++) {
			struct outcome o = run_protocol((enum variant)v, seed);
			seen[v] += o.flag_seen > 0;
			stale[v] += o.stale > 0;
			torn[v] += o.torn > 0;
		}
	}
	for (int v = 0; v < NVARIANTS; v++)
		print_message("variant %d: flag seen in %d of 200 seeds, stale data in %d, torn in %d\n",
			      v, seen[v], stale[v], torn[v]);
	/* The correct protocol sees the flag every time and never stale data. */
	assert_int_equal(seen[CORRECT], 200);
	assert_int_equal(stale[CORRECT], 0);
	/* Each bug is caught, and the writer's missing write-back also shows
	 * half-written data. */
	for (int v = CORRECT + 1; v < NVARIANTS; v++) {
		assert_true(seen[v] > 100);
		assert_true(stale[v] > 0);
	}
	assert_true(torn[NO_DATA_WRITE_BACK] > 0);
}

static void test_reproducible_by_seed(void **state)
{
	uint64_t traces[64];
	int distinct = 0;

	(void)state;
	for (uint64_t seed = 0; seed < 64; seed++) {
		traces[seed] = run_protocol(NO_DATA_WRITE_BACK, seed).trace;
		assert_true(traces[seed] == run_protocol(NO_DATA_WRITE_BACK, seed).trace);
		for (uint64_t j = 0; j < seed && traces[j] != traces[seed]; j++)
			distinct += j + 1 == seed;
	}
	assert_true(distinct >= 8);
}

/* daxdev_sharesim_seed restarts the choices. */
static void test_seed_setter(void **state)
{
	DAXDEV_SHARESIM_OPTS(so, .evict_one_in = 2, .torn_one_in = 1, .refetch_one_in = NEVER,
			     .land_one_in = NEVER);
	char images[2][512];
	struct world x;

	(void)state;
	world_open(&x, &so);
	for (int round = 0; round < 2; round++) {
		/* host 0 clean with zeros: write back what round 0 left, clear
		 * memory, fetch again */
		assert_int_equal(daxdev_invalidate(x.wl, x.wp, 512), 0);
		memset(x.mem, 0, 512);
		assert_int_equal(daxdev_invalidate(x.wl, x.wp, 512), 0);
		memset(x.wp, 0x5a + round, 512);
		assert_int_equal(daxdev_sharesim_seed(x.sim, 42), 0);
		assert_int_equal(daxdev_sharesim_step(x.sim), 0);
		for (int i = 0; i < 512; i++)   /* which bytes got there, not their value */
			images[round][i] = x.mem[i] != 0;
	}
	assert_memory_equal(images[0], images[1], 512);
	world_close(&x);
}

/* A NONCOHERENT composite invalidates in its members: two memories, one
 * writer and one reader host each. */
static void test_composite_over_hosts(void **state)
{
	struct world a, b;
	struct daxdev *readers[2], *local[2], *lin, *lin_local;
	char back[16];

	(void)state;
	world_open(&a, quiet());
	world_open(&b, quiet());
	readers[0] = a.r, readers[1] = b.r, local[0] = a.rl, local[1] = b.rl;
	assert_int_equal(daxdev_linear_new(readers, 2, &lin), 0);
	assert_int_equal(daxdev_linear_new(local, 2, &lin_local), 0);
	assert_int_equal(daxdev_write(a.w, SIZE - 8, "AAAAAAAA", 8), 0);
	assert_int_equal(daxdev_write(b.w, 0, "BBBBBBBB", 8), 0);
	assert_int_equal(daxdev_read(lin_local, SIZE - 8, back, 16), 0);
	assert_true(all_zero(back, 16));
	assert_int_equal(daxdev_read(lin, SIZE - 8, back, 16), 0);
	assert_memory_equal(back, "AAAAAAAABBBBBBBB", 16);
	daxdev_put(lin);
	daxdev_put(lin_local);
	world_close(&a);
	world_close(&b);
}

static void test_errors(void **state)
{
	struct daxdev_sharesim_stats st = DAXDEV_SHARESIM_STATS_INIT;
	struct daxdev *anon, *dev, *ro;
	_Alignas(8) unsigned char big[sizeof(struct daxdev_sharesim_opts) + 8] = { 0 };
	struct daxdev_sharesim_opts *bigopts = (void *)big;
	DAXDEV_OPEN_OPTS(create, .flags = DAXDEV_OPEN_CREATE);
	DAXDEV_OPEN_OPTS(huge, .size = SIZE + 4096);
	struct world x;

	(void)state;
	assert_int_equal(daxdev_open("anon:64K", NULL, &anon), 0);
	assert_int_equal(daxdev_sharesim_step(anon), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "not a sharesim device"));
	assert_int_equal(daxdev_sharesim_seed(NULL, 1), -EINVAL);
	assert_int_equal(daxdev_sharesim_stats(anon, &st), -EINVAL);
	assert_int_equal(daxdev_sharesim_host(anon, 0, NULL, &dev), -EINVAL);
	assert_int_equal(daxdev_sharesim_new(anon, 0, NULL, &dev), -EINVAL);
	assert_int_equal(daxdev_sharesim_new(anon, DAXDEV_SHARESIM_HOSTS_MAX + 1, NULL, &dev),
			 -EINVAL);
	assert_int_equal(daxdev_sharesim_new(NULL, 2, NULL, &dev), -EINVAL);
	/* A memory whose images could never fit fails at once (the fuzzer's
	 * stripe:8K:sharesim:anon:8T,... asked calloc for 128 GiB of counters).
	 * As large as the RAM, not 8T: QEMU user mode (the arm64 stage) keeps
	 * state per page of a guest mapping, and 8 TiB of it got it killed. */
	uint64_t ram = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
	char target[64];
	snprintf(target, sizeof(target), "sharesim:anon:%llu", (unsigned long long)(ram / 4096 * 4096));
	assert_int_equal(daxdev_open(target, NULL, &dev), -EFBIG);
	assert_non_null(strstr(daxdev_errormsg(), "too large to simulate"));
	bigopts->sz = sizeof(big);
	big[sizeof(big) - 1] = 1;
	assert_int_equal(daxdev_sharesim_new(anon, 2, bigopts, &dev), -EINVAL);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(daxdev_sharesim_new(anon, 2, bigopts, &dev), 0);  /* zero tail: fine */
	assert_int_equal(daxdev_sharesim_host(dev, 2, NULL, &ro), -EINVAL);
	assert_int_equal(daxdev_sharesim_host(dev, 1, &create, &ro), -EINVAL);
	assert_int_equal(daxdev_sharesim_host(dev, 1, &huge, &ro), -ENOSPC);
	assert_int_equal(daxdev_sharesim_host(dev, 1, NULL, NULL), -EINVAL);
	assert_int_equal(daxdev_sharesim_stats(dev, NULL), -EINVAL);
	daxdev_kill(dev);
	assert_int_equal(daxdev_sharesim_step(dev), -ENXIO);
	daxdev_put(dev);
	bigopts->sz = 4;
	assert_int_equal(daxdev_sharesim_new(anon, 2, bigopts, &dev), -EINVAL);
	daxdev_put(anon);
	assert_int_equal(daxdev_open("sharesim:", NULL, &dev), -EINVAL);

	/* read-only views refuse stores; the simulator runs on */
	world_open(&x, quiet());
	DAXDEV_OPEN_OPTS(rdonly, .flags = DAXDEV_OPEN_READONLY,
			 .sharing = DAXDEV_SHARING_NONCOHERENT);
	assert_int_equal(daxdev_sharesim_host(x.sim, 2, &rdonly, &ro), 0);
	assert_int_equal(daxdev_write(ro, 0, "x", 1), -EROFS);
	assert_int_equal(daxdev_write(x.w, 0, "x", 1), 0);
	assert_int_equal(daxdev_read(ro, 0, big, 1), 0);
	assert_int_equal(big[0], 'x');
	daxdev_put(ro);
	world_close(&x);
}

/* Stats follow the sz rules of every output struct. */
static void test_stats_sizes(void **state)
{
	struct daxdev_sharesim_stats st;
	_Alignas(8) unsigned char longer[sizeof(st) + 16];
	struct world x;

	(void)state;
	world_open(&x, quiet());
	assert_int_equal(daxdev_write(x.w, 0, "x", 1), 0);
	memset(&st, 0xff, sizeof(st));
	st.sz = offsetof(struct daxdev_sharesim_stats, landed);
	assert_int_equal(daxdev_sharesim_stats(x.sim, &st), 0);
	assert_int_equal(st.sz, offsetof(struct daxdev_sharesim_stats, landed));
	assert_int_equal(st.writebacks, 1);
	assert_true(st.landed == UINT64_MAX);                   /* not written */
	memset(longer, 0xff, sizeof(longer));
	memcpy(longer, &(size_t){ sizeof(longer) }, sizeof(size_t));
	assert_int_equal(daxdev_sharesim_stats(x.sim, (void *)longer), 0);
	assert_true(all_zero((char *)longer + sizeof(st), 16));
	world_close(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_stale_without_invalidate),
		cmocka_unit_test(test_writer_without_write_back),
		cmocka_unit_test(test_write_back_needs_fence),
		cmocka_unit_test(test_two_hosts_one_line),
		cmocka_unit_test(test_noncoherent_writes_written_back),
		cmocka_unit_test(test_torn_evictions),
		cmocka_unit_test(test_protocol_over_seeds),
		cmocka_unit_test(test_reproducible_by_seed),
		cmocka_unit_test(test_seed_setter),
		cmocka_unit_test(test_composite_over_hosts),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_stats_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
