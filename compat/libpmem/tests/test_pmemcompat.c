/* Inside the drop-in libpmem: owner lookup and cuts, lookups racing with writers, per-device decisions, copies across mapping edges. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "compat.h"
#include "libpmem.h"

#define NFAKE 400

/* Mappings that exist only in the table (no device, no memory). */
static struct pmemc_mapping fake[NFAKE];

static void add_fake(int i, uintptr_t base, uintptr_t len)
{
	fake[i] = (struct pmemc_mapping){ .base = base, .end = base + len };
	pmemc_table_lock();
	assert_int_equal(pmemc_table_add(&fake[i]), 0);
	pmemc_table_unlock();
}

static void cut(uintptr_t start, uintptr_t end)
{
	pmemc_table_lock();
	assert_int_equal(pmemc_table_cut(start, end), 0);
	pmemc_table_unlock();
}

static void expect_part(uintptr_t addr, uintptr_t end, uintptr_t part_end,
			const struct pmemc_mapping *m)
{
	struct pmemc_part p;

	pmemc_part_at(addr, end, &p);
	assert_int_equal(p.start, addr);
	assert_int_equal(p.end, part_end);
	assert_ptr_equal(p.m, m);
}

/* Mappings added out of order are found by address; gaps belong to none. */
static void test_lookup(void **state)
{
	(void)state;
	expect_part(0x1000, 0x2000, 0x2000, NULL); /* empty table */
	for (int i = 0; i < 16; i++)
		add_fake(i, 0x100000 + (uintptr_t)((i * 7) % 16) * 0x10000, 0x8000);
	for (int i = 0; i < 16; i++) {
		uintptr_t base = fake[i].base;

		expect_part(base, base + 0x100, base + 0x100, &fake[i]);
		expect_part(base + 0x7fff, base + 0x9000, base + 0x8000, &fake[i]);
		bool last = base == 0x100000 + 15 * 0x10000;

		expect_part(base + 0x8000, base + 0x20000, base + (last ? 0x20000 : 0x10000), NULL);
	}
	expect_part(0x1000, UINTPTR_MAX, 0x100000, NULL);      /* below all */
	expect_part(0x300000, UINTPTR_MAX, UINTPTR_MAX, NULL); /* above all */
	assert_int_equal(fake[0].pieces, 1);
}

/* Cuts: the middle splits a piece, edges shrink it, a range across pieces
 * takes what it covers; pieces count what is left. */
static void test_cut(void **state)
{
	struct pmemc_mapping *m = &fake[20], *above;

	(void)state;
	add_fake(20, 0x10000000, 0x10000);
	add_fake(21, 0x10010000, 0x10000);  /* adjacent */
	cut(0x10004000, 0x10006000);
	assert_int_equal(m->pieces, 2);
	expect_part(0x10003fff, 0x10010000, 0x10004000, m);
	expect_part(0x10004000, 0x10010000, 0x10006000, NULL);
	expect_part(0x10006000, 0x10020000, 0x10010000, m);
	expect_part(0x10010000, 0x10020000, 0x10020000, &fake[21]);
	cut(0x10000000, 0x10001000);            /* front edge */
	expect_part(0x10000000, 0x10004000, 0x10001000, NULL);
	cut(0x10008000, 0x10018000);            /* across both mappings */
	assert_int_equal(m->pieces, 2);
	assert_int_equal(fake[21].pieces, 1);
	expect_part(0x10006000, 0x10020000, 0x10008000, m);
	expect_part(0x10008000, 0x10020000, 0x10018000, NULL);
	expect_part(0x10018000, 0x10020000, 0x10020000, &fake[21]);
	cut(0x10000000, 0x10020000);            /* everything */
	assert_int_equal(m->pieces, 0);
	assert_int_equal(fake[21].pieces, 0);
	assert_ptr_equal(pmemc_mapping_near(0x10004000, &above), m); /* until forgotten */
	pmemc_table_lock();
	pmemc_mapping_forget(m);
	pmemc_mapping_forget(&fake[21]);
	pmemc_table_unlock();
	assert_null(pmemc_mapping_near(0x10004000, &above));
}

/* Readers never see a half-written table: one mapping stays put while a
 * writer adds and cuts others around it (and grows the array). */
static atomic_bool stop;
static atomic_long wrong, lookups;

static void *reader(void *arg)
{
	const struct pmemc_mapping *m = arg;
	struct pmemc_part p;

	while (!atomic_load(&stop)) {
		pmemc_part_at(m->base + 0x800, m->base + 0x900, &p);
		if (p.m != m || p.end != m->base + 0x900)
			atomic_fetch_add(&wrong, 1);
		pmemc_part_at(m->end, m->end + 1, &p);
		if (p.m == m)
			atomic_fetch_add(&wrong, 1);
		atomic_fetch_add_explicit(&lookups, 2, memory_order_relaxed);
	}
	return NULL;
}

static void test_readers_race_writer(void **state)
{
	pthread_t t[2];

	(void)state;
	add_fake(30, 0x20000000, 0x1000);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, reader, &fake[30]);
	/* A reader retries while a write is under way: give them room now
	 * and then, or a writer that never stops starves them. */
	int writes = 0;

	for (int round = 0; round < 60; round++) {
		for (int i = 31; i < NFAKE; i++, writes++)
			add_fake(i, 0x20000000 + (uintptr_t)(i - 30) * 0x2000 *
				 (round % 2 ? 1 : (uintptr_t)-1), 0x1000);
		for (int i = 31; i < NFAKE; i++, writes++) {
			cut(fake[i].base, fake[i].end);
			pmemc_table_lock();
			pmemc_mapping_forget(&fake[i]);
			pmemc_table_unlock();
			if (i % 16 == 0)
				sched_yield();
		}
		sched_yield();
	}
	atomic_store(&stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("%ld lookups during %d writes, %ld wrong\n", atomic_load(&lookups),
	       writes, atomic_load(&wrong));
	assert_int_equal(atomic_load(&wrong), 0);
	cut(fake[30].base, fake[30].end);
}

static struct pmemc_mapping *owner(const void *addr)
{
	struct pmemc_part p;

	pmemc_part_at((uintptr_t)addr, (uintptr_t)addr + 1, &p);
	return p.m;
}

/* What libdaxdev decided comes with the mapping: a tmpfs file is volatile
 * (nothing to flush, not pmem); a file on a disk filesystem needs msync. */
static void test_decisions(void **state)
{
	const char *dirs[] = { "/dev/shm", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp" };
	const enum pmemc_mode want[] = { PMEMC_NONE, PMEMC_SYNC };
	char path[512];
	size_t len;
	int is_pmem;

	(void)state;
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/pmemcompat-%d", dirs[i], (int)getpid());
		char *a = pmem_map_file(path, 1 << 20, PMEM_FILE_CREATE, 0600, &len, &is_pmem);

		unlink(path);
		assert_non_null(a);
		struct pmemc_mapping *m = owner(a + 100);
		assert_non_null(m);
		printf("%s: mode %d, is_pmem %d\n", dirs[i], m->mode, is_pmem);
		assert_int_equal(m->mode, want[i]);
		assert_int_equal(is_pmem, 0);
		assert_ptr_equal(owner(a + len - 1), m);
		assert_null(owner(a + len));
		assert_int_equal(pmem_unmap(a, len), 0);
		assert_null(owner(a + 100));
	}
}

/* A copy whose destination runs out of a mapping into plain memory: both
 * parts are written, each made durable its own way. */
static void test_across_edge(void **state)
{
	struct daxdev *dev;
	char *base, src[3000];
	struct pmemc_mapping m = { 0 };

	(void)state;
	assert_int_equal(daxdev_open("anon:64K", NULL, &dev), 0);
	assert_true(daxdev_direct_access(dev, 0, 1, (void **)&base) > 0);
	m = (struct pmemc_mapping){ .dev = dev, .base = (uintptr_t)base,
				    .end = (uintptr_t)base + 32768, .mode = PMEMC_NONE };
	pmemc_table_lock();
	assert_int_equal(pmemc_table_add(&m), 0);
	pmemc_table_unlock();
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (char)i;
	for (unsigned flags = 0; flags <= PMEM_F_MEM_VALID_FLAGS; flags++) {
		pmem_memcpy(base + 32768 - 1000, src, sizeof(src), flags);
		assert_memory_equal(base + 32768 - 1000, src, sizeof(src));
		pmem_memset(base + 32768 - 7, (int)flags, 100, flags);
		assert_int_equal(base[32768 + 92], (char)flags);
	}
	assert_int_equal(pmem_is_pmem(base, 32768), 0); /* anon is volatile */
	cut(m.base, m.end);
	daxdev_put(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_readers_race_writer),
		cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_across_edge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
