/* Operations table tests: required ops checked at creation, optional ops called when published, core fallbacks when not. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include <daxdev/provider.h>

#define PAGE 4096
#define PAGES 16

struct counted {
	char *mem;
	int direct_access, copy_from_iter, flush, zero, describe, kill, release, drain;
	size_t flushed_bytes;
};

static const struct daxdev_operations full_ops, flush_drain_ops, minimal_ops, blocking_ops;

/* Our data, from whichever of our tables made the device. */
static struct counted *counted_of(struct daxdev *dev)
{
	static const struct daxdev_operations *const ours[] = {
		&full_ops, &flush_drain_ops, &minimal_ops, &blocking_ops,
	};
	void *c = NULL;

	for (size_t i = 0; !c && i < sizeof(ours) / sizeof(ours[0]); i++)
		c = daxdev_private(dev, ours[i]);
	assert_non_null(c);
	return c;
}

static long t_direct_access(struct daxdev *dev, uint64_t pgoff, long nr, void **addr)
{
	struct counted *c = counted_of(dev);

	c->direct_access++;
	*addr = c->mem + pgoff * PAGE;
	/* hand out at most 2 pages at a time so the core must walk */
	return nr > 2 ? 2 : nr;
}

static int t_copy_from_iter(struct daxdev *dev, uint64_t off, const struct iovec *iov, int n,
			    unsigned flags)
{
	struct counted *c = counted_of(dev);

	(void)flags;
	c->copy_from_iter++;
	for (int i = 0; i < n; i++) {
		memcpy(c->mem + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	return 0;
}

static int t_flush(struct daxdev *dev, const void *addr, size_t len)
{
	struct counted *c = counted_of(dev);

	if ((const char *)addr < c->mem || (const char *)addr + len > c->mem + PAGE * PAGES)
		return -ERANGE;
	c->flush++;
	c->flushed_bytes += len;
	return 0;
}

static int t_zero(struct daxdev *dev, uint64_t off, uint64_t len)
{
	struct counted *c = counted_of(dev);

	c->zero++;
	memset(c->mem + off, 0, len);
	return 0;
}

static int t_describe(struct daxdev *dev, char *buf, size_t len)
{
	struct counted *c = counted_of(dev);

	c->describe++;
	return snprintf(buf, len, "test: counted provider\n");
}

static void t_drain(struct daxdev *dev)
{
	((struct counted *)counted_of(dev))->drain++;
}

static void t_kill(struct daxdev *dev)
{
	((struct counted *)counted_of(dev))->kill++;
}

static void t_release(struct daxdev *dev)
{
	((struct counted *)counted_of(dev))->release++;
}

static const struct daxdev_operations full_ops = {
	.sz = sizeof(struct daxdev_operations),
	.direct_access = t_direct_access, .copy_from_iter = t_copy_from_iter,
	.flush = t_flush, .zero = t_zero, .describe = t_describe,
	.kill = t_kill, .release = t_release,
};
static const struct daxdev_operations flush_drain_ops = {
	.sz = sizeof(struct daxdev_operations),
	.direct_access = t_direct_access, .flush = t_flush, .drain = t_drain,
};
static const struct daxdev_operations minimal_ops = {
	.sz = sizeof(struct daxdev_operations),
	.direct_access = t_direct_access, .release = t_release,
};

/* Write cache on with no provider flush needs the CPU write-back, which the
 * portable build lacks (test_core_fallbacks checks its refusal): tests about
 * something else ask for it only where the build has one. */
#ifdef DAXDEV_TEST_NO_CPU_FLUSH
#define WRITE_CACHE_IF_CPU_FLUSH false
#else
#define WRITE_CACHE_IF_CPU_FLUSH true
#endif

static struct daxdev_params params(struct counted *c, bool write_cache)
{
	return (struct daxdev_params){
		.sz = sizeof(struct daxdev_params), .provider = "test", .host = "test0", .size = PAGE * PAGES, .align = PAGE,
		.base = c->mem, .persistence = DAXDEV_PERSISTENCE_PERSISTENT,
		.persistence_reason = "test says so", .write_cache = write_cache,
		.flush_name = "test-flush",
	};
}

static struct counted *new_counted(void)
{
	struct counted *c = calloc(1, sizeof(*c));

	c->mem = mmap(NULL, PAGE * PAGES, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(c->mem != MAP_FAILED);
	return c;
}

static void free_counted(struct counted *c)
{
	munmap(c->mem, PAGE * PAGES);
	free(c);
}

static void test_required_ops(void **state)
{
	struct counted *c = new_counted();
	struct daxdev_operations none = { .sz = sizeof(none) };
	struct daxdev_params p = params(c, true);
	struct daxdev *dev = NULL;

	(void)state;
	assert_int_equal(daxdev_alloc(&none, &p, c, &dev), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "direct_access"));
	assert_int_equal(daxdev_alloc(NULL, &p, c, &dev), -EINVAL);
	assert_int_equal(daxdev_alloc(&minimal_ops, NULL, c, &dev), -EINVAL);
	p.align = 3000;
	assert_int_equal(daxdev_alloc(&minimal_ops, &p, c, &dev), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "power of two"));
	p = params(c, true);
	p.size = PAGE + 1;
	assert_int_equal(daxdev_alloc(&minimal_ops, &p, c, &dev), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "multiple"));
	p = params(c, true);
	p.host = "";
	assert_int_equal(daxdev_alloc(&minimal_ops, &p, c, &dev), -EINVAL);
	assert_null(dev);
	assert_int_equal(c->release, 0);
	free_counted(c);
}

/* A provider that publishes copy/flush/zero gets them called, with the range
 * checked first; the core's own copy and zero are not used. */
static void test_optional_ops_called(void **state)
{
	struct counted *c = new_counted();
	struct daxdev_params p = params(c, true);
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev;
	char buf[100] = "published", back[100];
	void *addr;

	(void)state;
	assert_int_equal(daxdev_alloc(&full_ops, &p, c, &dev), 0);
	assert_int_equal(daxdev_write(dev, 5000, buf, sizeof(buf)), 0);
	assert_int_equal(c->copy_from_iter, 1);
	assert_int_equal(daxdev_read(dev, 5000, back, sizeof(back)), 0);
	assert_memory_equal(buf, back, sizeof(buf));
	assert_int_equal(daxdev_zero(dev, 5000, 10), 0);
	assert_int_equal(c->zero, 1);
	assert_int_equal(daxdev_write(dev, PAGE * PAGES - 1, buf, 2), -ERANGE);
	assert_int_equal(c->copy_from_iter, 1);
	assert_int_equal(daxdev_flush_range(dev, 0, 3 * PAGE), 0);
	assert_int_equal(c->flush, 2); /* walked in two 2-page chunks */
	assert_int_equal(daxdev_direct_access(dev, 1, 1, &addr), 1);
	assert_int_equal(daxdev_memcpy(dev, addr, buf, 64, 0), 0);
	assert_int_equal(c->flush, 3);
	assert_int_equal(daxdev_flush(dev, addr, 64), 0);
	assert_int_equal(c->flush, 4);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_string_equal(info.flush_impl, "test-flush");
	assert_string_equal(info.copy_impl, "memcpy");
	char details[64];
	assert_int_equal(daxdev_get_details(dev, details, sizeof(details)), 23);
	assert_string_equal(details, "test: counted provider\n");
	assert_int_equal(c->describe, 1);
	/* write cache off: the provider's flush is no longer called */
	assert_int_equal(daxdev_set_write_cache(dev, false), 0);
	assert_int_equal(daxdev_flush(dev, addr, 64), 0);
	assert_int_equal(daxdev_memcpy(dev, addr, buf, 64, 0), 0);
	assert_int_equal(c->flush, 4);
	daxdev_kill(dev);
	assert_int_equal(c->kill, 1);
	assert_int_equal(c->release, 0);
	daxdev_put(dev);
	assert_int_equal(c->kill, 1);
	assert_int_equal(c->release, 1);
	free_counted(c);
}

/* A provider that publishes only direct_access gets the core's copy, zero and
 * CPU flush: data lands exactly, through the direct_access chunks. */
static void test_core_fallbacks(void **state)
{
	struct counted *c = new_counted();
	struct daxdev_params p = params(c, true);
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev;
	char buf[3 * PAGE], back[3 * PAGE];

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 1);
#ifdef DAXDEV_TEST_NO_CPU_FLUSH
	assert_int_equal(daxdev_alloc(&minimal_ops, &p, c, &dev), -EOPNOTSUPP);
	assert_non_null(strstr(daxdev_errormsg(), "test0: the write cache is on"));
	assert_non_null(strstr(daxdev_errormsg(), "this build has no way to write it back"));
	free_counted(c);
	return;
#endif
	assert_int_equal(daxdev_alloc(&minimal_ops, &p, c, &dev), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_true(info.write_cache);
	assert_string_not_equal(info.flush_impl, "test-flush");
	assert_string_not_equal(info.flush_impl, "none");
	assert_int_equal(daxdev_write(dev, 100, buf, sizeof(buf)), 0);
	assert_memory_equal(c->mem + 100, buf, sizeof(buf));
	assert_true(c->direct_access >= 2); /* 2-page chunks: walked */
	assert_int_equal(daxdev_read(dev, 100, back, sizeof(back)), 0);
	assert_memory_equal(back, buf, sizeof(buf));
	assert_int_equal(daxdev_zero(dev, 200, PAGE * 2), 0);
	for (size_t i = 200; i < 200 + PAGE * 2; i++)
		assert_int_equal(c->mem[i], 0);
	assert_int_equal(c->mem[199], buf[99]);
	assert_int_equal(c->mem[200 + PAGE * 2], buf[100 + PAGE * 2]);
	assert_int_equal(daxdev_flush_range(dev, 0, PAGE * PAGES), 0);
	assert_int_equal(c->copy_from_iter + c->zero + c->flush, 0);
	daxdev_put(dev);
	assert_int_equal(c->release, 1);
	assert_int_equal(c->kill, 0);
	free_counted(c);
}

/* Write cache off on persistent memory: no flush, but still a fence. */
static void test_eadr_dispatch(void **state)
{
	struct counted *c = new_counted();
	struct daxdev_params p = params(c, false);
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev;

	(void)state;
	assert_int_equal(daxdev_alloc(&full_ops, &p, c, &dev), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_false(info.write_cache);
	assert_string_equal(info.flush_impl, "none");
	assert_string_not_equal(info.drain_impl, "none");
	assert_int_equal(daxdev_flush_range(dev, 0, PAGE), 0);
	assert_int_equal(c->flush, 0);
	daxdev_put(dev);
	free_counted(c);
}

/* A provider drain op runs wherever the core fences after the provider's
 * flushes, once per call, and not for NODRAIN or with the write cache off. */
static void test_provider_drain(void **state)
{
	struct counted *c = new_counted();
	struct daxdev_params p = params(c, true);
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev;
	char buf[3 * PAGE] = { 1 };
	void *addr;

	(void)state;
	assert_int_equal(daxdev_alloc(&flush_drain_ops, &p, c, &dev), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_string_equal(info.drain_impl, "test-flush");
	assert_int_equal(daxdev_write(dev, 10, buf, sizeof(buf)), 0);
	assert_int_equal(c->flush, 2);
	assert_int_equal(c->drain, 1);
	assert_int_equal(daxdev_direct_access(dev, 0, 1, &addr), 1);
	assert_int_equal(daxdev_memcpy(dev, addr, buf, 8, DAXDEV_F_NODRAIN), 0);
	assert_int_equal(c->drain, 1);
	assert_int_equal(daxdev_drain(dev), 0);
	assert_int_equal(c->drain, 2);
	assert_int_equal(daxdev_zero(dev, 0, 100), 0);
	assert_int_equal(daxdev_flush_range(dev, 0, 100), 0);
	assert_int_equal(c->drain, 4);
	assert_int_equal(daxdev_set_write_cache(dev, false), 0);
	assert_int_equal(daxdev_drain(dev), 0);
	assert_int_equal(c->drain, 4);
	daxdev_put(dev);
	free_counted(c);
}

/* kill must wait for a call running inside the provider. */
static atomic_int op_inside, op_release, kill_returned;

static int blocking_copy(struct daxdev *dev, uint64_t off, const struct iovec *iov, int n,
			 unsigned flags)
{
	(void)dev, (void)off, (void)iov, (void)n, (void)flags;
	atomic_store(&op_inside, 1);
	while (!atomic_load(&op_release))
		usleep(1000);
	return 0;
}

static const struct daxdev_operations blocking_ops = {
	.sz = sizeof(struct daxdev_operations),
	.direct_access = t_direct_access, .copy_from_iter = blocking_copy,
};

static void *writer_thread(void *arg)
{
	char c = 1;

	return (void *)(long)daxdev_write(arg, 0, &c, 1);
}

static void *killer_thread(void *arg)
{
	daxdev_kill(arg);
	atomic_store(&kill_returned, 1);
	return NULL;
}

static void test_kill_waits_for_running_call(void **state)
{
	struct counted *c = new_counted();
	struct daxdev_params p = params(c, WRITE_CACHE_IF_CPU_FLUSH);
	pthread_t writer, killer;
	struct daxdev *dev;
	void *writer_rc;
	char ch = 0;

	(void)state;
	assert_int_equal(daxdev_alloc(&blocking_ops, &p, c, &dev), 0);
	assert_int_equal(pthread_create(&writer, NULL, writer_thread, dev), 0);
	while (!atomic_load(&op_inside))
		usleep(1000);
	assert_int_equal(pthread_create(&killer, NULL, killer_thread, dev), 0);
	usleep(100 * 1000);
	assert_int_equal(atomic_load(&kill_returned), 0);   /* still waiting */
	assert_int_equal(daxdev_read(dev, 0, &ch, 1), -ENXIO); /* but new calls refused */
	atomic_store(&op_release, 1);
	pthread_join(killer, NULL);
	pthread_join(writer, &writer_rc);
	assert_int_equal(atomic_load(&kill_returned), 1);
	assert_int_equal((long)writer_rc, 0);
	daxdev_put(dev);
	free_counted(c);
}

static void test_describe_printf(void **state)
{
	char buf[8];
	int pos = 0;

	(void)state;
	assert_int_equal(daxdev_describe_printf(buf, sizeof(buf), &pos, "ab%d", 1), 3);
	assert_string_equal(buf, "ab1");
	/* past the end: truncated, but still counted like snprintf */
	assert_int_equal(daxdev_describe_printf(buf, sizeof(buf), &pos, "%s", "cdefghij"), 11);
	assert_string_equal(buf, "ab1cdef");
	assert_int_equal(daxdev_describe_printf(buf, sizeof(buf), &pos, "x"), 12);
	assert_string_equal(buf, "ab1cdef");
	pos = 0;
	assert_int_equal(daxdev_describe_printf(NULL, 0, &pos, "12345"), 5);
}

static void test_pointer_range_checks(void **state)
{
	struct counted *c = new_counted();
	struct daxdev_params p = params(c, WRITE_CACHE_IF_CPU_FLUSH);
	struct daxdev *dev;
	char buf[64] = { 0 };

	(void)state;
	assert_int_equal(daxdev_alloc(&minimal_ops, &p, c, &dev), 0);
	assert_int_equal(daxdev_memcpy(dev, c->mem - 1, buf, 1, 0), -ERANGE);
	assert_int_equal(daxdev_memcpy(dev, c->mem + PAGE * PAGES - 8, buf, 9, 0), -ERANGE);
	assert_int_equal(daxdev_memcpy(dev, c->mem + PAGE * PAGES - 8, buf, 8, 0), 0);
	assert_int_equal(daxdev_memcpy(dev, buf, buf, 8, 0), -ERANGE);
	assert_non_null(strstr(daxdev_errormsg(), "not inside"));
	assert_int_equal(daxdev_memcpy(dev, NULL, buf, 8, 0), -EINVAL);
	assert_int_equal(daxdev_memcpy(dev, c->mem, NULL, 8, 0), -EINVAL);
	assert_int_equal(daxdev_memcpy(dev, c->mem, buf, 8, 0x80), -EINVAL);
	assert_int_equal(daxdev_memcpy(dev, c->mem, buf, 8,
				       DAXDEV_F_TEMPORAL | DAXDEV_F_NONTEMPORAL), -EINVAL);
	assert_int_equal(daxdev_memset(dev, c->mem + PAGE * PAGES, 0, 1, 0), -ERANGE);
	assert_int_equal(daxdev_flush(dev, c->mem + PAGE * PAGES, 1), -ERANGE);
	assert_int_equal(daxdev_flush(dev, c->mem, 0), 0);
	daxdev_put(dev);
	free_counted(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_ops),
		cmocka_unit_test(test_optional_ops_called),
		cmocka_unit_test(test_core_fallbacks),
		cmocka_unit_test(test_eadr_dispatch),
		cmocka_unit_test(test_provider_drain),
		cmocka_unit_test(test_kill_waits_for_running_call),
		cmocka_unit_test(test_describe_printf),
		cmocka_unit_test(test_pointer_range_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
