/* Sharing with non-coherent hosts on real memory: the NONCOHERENT option, write-back whatever the write cache, daxdev_invalidate/daxdev_load, info, REUSE by policy, and the portable build's refusal. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <daxdev.h>
#include <daxdev/composite.h>
#include <daxdev/crashsim.h>

/* Built with -DDAXDEV_TEST_NO_CPU_FLUSH for the portable build (-Darch=generic),
 * which has neither a CPU cache write-back nor an invalidate. */
#ifdef DAXDEV_TEST_NO_CPU_FLUSH
#define CPU_CACHE_OPS false
#else
#define CPU_CACHE_OPS true
#endif

static int open_shared(const char *target, unsigned flags, struct daxdev **devp)
{
	DAXDEV_OPEN_OPTS(opts, .flags = flags, .size = 64 << 10,
			 .sharing = DAXDEV_SHARING_NONCOHERENT);

	return daxdev_open(target, &opts, devp);
}

static void tmp_path(char *path, size_t len)
{
	snprintf(path, len, "%s/daxdev-shared-%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid());
}

static void *base_of(struct daxdev *dev)
{
	void *addr;

	assert_true(daxdev_direct_access(dev, 0, 1, &addr) >= 1);
	return addr;
}

static void test_option_values(void **state)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	DAXDEV_OPEN_OPTS(bad, .sharing = 2);
	struct daxdev *dev;

	(void)state;
	assert_int_equal(daxdev_open("anon:64K", &bad, &dev), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "sharing option 2"));
	assert_int_equal(daxdev_open("anon:64K", NULL, &dev), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_int_equal(info.sharing, DAXDEV_SHARING_LOCAL);
	daxdev_put(dev);
}

/* Anonymous memory is volatile with the write cache off: LOCAL stores are
 * never written back, NONCOHERENT ones always are, in every state. */
static void test_written_back_without_write_cache(void **state)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev;
	char text[2048];

	(void)state;
	if (!CPU_CACHE_OPS) {
		assert_int_equal(open_shared("anon:64K", 0, &dev), -EOPNOTSUPP);
		assert_non_null(strstr(daxdev_errormsg(), "DAXDEV_SHARING_NONCOHERENT"));
		return;
	}
	assert_int_equal(open_shared("anon:64K", 0, &dev), 0);
	for (int round = 0; round < 3; round++) {
		/* initial state, then set off, then set on */
		assert_int_equal(daxdev_get_info(dev, &info), 0);
		assert_int_equal(info.sharing, DAXDEV_SHARING_NONCOHERENT);
		assert_int_equal(info.write_cache, round == 2);
		assert_string_not_equal(info.flush_impl, "none");
		assert_string_not_equal(info.drain_impl, "none");
		assert_true(!strcmp(info.invalidate_impl, "clflushopt") ||
			    !strcmp(info.invalidate_impl, "clflush") ||
			    !strcmp(info.invalidate_impl, "dc-civac"));
		assert_true(info.nt_threshold > 0);
		assert_int_equal(daxdev_set_write_cache(dev, round == 1), 0);
	}
	assert_true(daxdev_format_info(dev, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "sharing: noncoherent\n"));
	daxdev_put(dev);

	assert_int_equal(daxdev_open("anon:64K", NULL, &dev), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_false(info.write_cache);
	assert_string_equal(info.flush_impl, "none");
	assert_true(daxdev_format_info(dev, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "sharing: local\n"));
	daxdev_put(dev);
}

/* Data survives an invalidate (dirty lines are written back first), and
 * load copies out like memcpy, on both kinds of device. */
static void test_invalidate_and_load(void **state)
{
	static const char msg[] = "written, then invalidated";
	struct daxdev *devs[2];
	char back[sizeof(msg)];

	(void)state;
	assert_int_equal(daxdev_open("anon:64K", NULL, &devs[0]), 0);
	if (!CPU_CACHE_OPS) {
		char *p = base_of(devs[0]);
		memcpy(p, msg, sizeof(msg));
		assert_int_equal(daxdev_invalidate(devs[0], p, sizeof(msg)), -EOPNOTSUPP);
		assert_non_null(strstr(daxdev_errormsg(), "no cache invalidate"));
		/* A LOCAL load needs no invalidate: a plain copy. */
		assert_int_equal(daxdev_load(devs[0], back, p, sizeof(msg)), 0);
		assert_string_equal(back, msg);
		daxdev_put(devs[0]);
		return;
	}
	assert_int_equal(open_shared("anon:64K", 0, &devs[1]), 0);
	for (int i = 0; i < 2; i++) {
		char *p = (char *)base_of(devs[i]) + 4000;   /* across a line boundary */
		memcpy(p, msg, sizeof(msg));
		assert_int_equal(daxdev_invalidate(devs[i], p, sizeof(msg)), 0);
		assert_memory_equal(p, msg, sizeof(msg));
		memset(back, 0, sizeof(back));
		assert_int_equal(daxdev_load(devs[i], back, p, sizeof(msg)), 0);
		assert_string_equal(back, msg);
		memset(back, 0, sizeof(back));
		assert_int_equal(daxdev_read(devs[i], 4000, back, sizeof(msg)), 0);
		assert_string_equal(back, msg);
		assert_int_equal(daxdev_invalidate(devs[i], p, 0), 0);
		assert_int_equal(daxdev_load(devs[i], back, p, 0), 0);
		daxdev_put(devs[i]);
	}
}

static void test_errors(void **state)
{
	struct daxdev *dev;
	char buf[8] = { 0 }, *p;

	(void)state;
	assert_int_equal(daxdev_invalidate(NULL, buf, 1), -EINVAL);
	assert_int_equal(daxdev_load(NULL, buf, buf, 1), -EINVAL);
	assert_int_equal(daxdev_open("anon:64K", NULL, &dev), 0);
	p = base_of(dev);
	assert_int_equal(daxdev_invalidate(dev, NULL, 1), -EINVAL);
	assert_int_equal(daxdev_invalidate(dev, buf, 1), -ERANGE);
	assert_int_equal(daxdev_invalidate(dev, p + (64 << 10) - 4, 8), -ERANGE);
	assert_int_equal(daxdev_load(dev, NULL, p, 1), -EINVAL);
	assert_int_equal(daxdev_load(dev, buf, buf, 1), -ERANGE);
	assert_int_equal(daxdev_load(dev, buf, p + (64 << 10) - 4, 8), -ERANGE);
	assert_non_null(strstr(daxdev_errormsg(), "daxdev_load"));
	daxdev_kill(dev);
	assert_int_equal(daxdev_invalidate(dev, p, 1), -ENXIO);
	assert_int_equal(daxdev_load(dev, buf, p, 1), -ENXIO);
	daxdev_put(dev);
}

/* REUSE hands out an object only to an open of the same policy: a LOCAL
 * object never answers a NONCOHERENT open (its reads would not invalidate). */
static void test_reuse_by_sharing(void **state)
{
	DAXDEV_OPEN_OPTS(opts, .size = 64 << 10, .flags = DAXDEV_OPEN_CREATE | DAXDEV_OPEN_REUSE);
	struct daxdev *local, *shared;
	char path[PATH_MAX];

	(void)state;
	tmp_path(path, sizeof(path));
	assert_int_equal(daxdev_open(path, &opts, &local), 0);
	opts.sharing = DAXDEV_SHARING_NONCOHERENT;
	assert_int_equal(daxdev_open(path, &opts, &shared), -EBUSY);
	daxdev_put(local);
	unlink(path);
}

/* A read-only reader invalidates and reads what a writer wrote; it cannot
 * store. */
static void test_readonly_reader(void **state)
{
	DAXDEV_OPEN_OPTS(ro, .flags = DAXDEV_OPEN_READONLY,
			 .sharing = DAXDEV_SHARING_NONCOHERENT);
	struct daxdev *writer, *reader;
	char path[PATH_MAX], back[4];

	(void)state;
	tmp_path(path, sizeof(path));
	if (!CPU_CACHE_OPS) {
		DAXDEV_OPEN_OPTS(create, .flags = DAXDEV_OPEN_CREATE, .size = 64 << 10);
		assert_int_equal(daxdev_open(path, &create, &writer), 0);
		assert_int_equal(daxdev_open(path, &ro, &reader), -EOPNOTSUPP);
		daxdev_put(writer);
		unlink(path);
		return;
	}
	assert_int_equal(open_shared(path, DAXDEV_OPEN_CREATE, &writer), 0);
	assert_int_equal(daxdev_write(writer, 64, "abc", 4), 0);
	assert_int_equal(daxdev_open(path, &ro, &reader), 0);
	assert_int_equal(daxdev_read(reader, 64, back, 4), 0);
	assert_string_equal(back, "abc");
	assert_int_equal(daxdev_invalidate(reader, (char *)base_of(reader) + 64, 4), 0);
	assert_int_equal(daxdev_write(reader, 64, "xyz", 4), -EROFS);
	daxdev_put(reader);
	daxdev_put(writer);
	unlink(path);
}

/* A provider without its own invalidate gets the CPU's (crashsim models
 * power failure, not sharing). */
static void test_provider_without_invalidate(void **state)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev;

	(void)state;
	if (!CPU_CACHE_OPS) {
		assert_int_equal(open_shared("crashsim:anon:64K", 0, &dev), -EOPNOTSUPP);
		return;
	}
	assert_int_equal(open_shared("crashsim:anon:64K", 0, &dev), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_int_equal(info.sharing, DAXDEV_SHARING_NONCOHERENT);
	assert_string_equal(info.flush_impl, "crashsim");
	assert_string_not_equal(info.invalidate_impl, "crashsim");
	assert_int_equal(daxdev_write(dev, 0, "x", 1), 0);
	assert_int_equal(daxdev_invalidate(dev, base_of(dev), 1), 0);
	daxdev_put(dev);
}

/* A composite invalidates in its members and shares as they do. */
static void test_composites(void **state)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *members[2], *dev;
	char back[8];

	(void)state;
	if (!CPU_CACHE_OPS) {
		assert_int_equal(open_shared("linear:anon:64K,anon:64K", 0, &dev), -EOPNOTSUPP);
		return;
	}
	assert_int_equal(open_shared("linear:anon:64K,anon:64K", 0, &dev), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_int_equal(info.sharing, DAXDEV_SHARING_NONCOHERENT);
	assert_string_equal(info.invalidate_impl, "members");
	assert_string_equal(info.flush_impl, "members");
	assert_int_equal(daxdev_write(dev, (64 << 10) - 4, "spanning", 8), 0);
	assert_int_equal(daxdev_read(dev, (64 << 10) - 4, back, 8), 0);
	assert_memory_equal(back, "spanning", 8);
	assert_int_equal(daxdev_invalidate(dev, (char *)base_of(dev) + 8, 8), 0);
	daxdev_put(dev);

	/* Held members: the composite adopts their sharing, or refuses a mix. */
	assert_int_equal(open_shared("anon:64K", 0, &members[0]), 0);
	assert_int_equal(daxdev_open("anon:64K", NULL, &members[1]), 0);
	assert_int_equal(daxdev_linear_new(members, 2, &dev), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "share alike"));
	daxdev_put(members[1]);
	assert_int_equal(open_shared("anon:64K", 0, &members[1]), 0);
	assert_int_equal(daxdev_linear_new(members, 2, &dev), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_int_equal(info.sharing, DAXDEV_SHARING_NONCOHERENT);
	daxdev_put(dev);
	daxdev_put(members[0]);
	daxdev_put(members[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_option_values),
		cmocka_unit_test(test_written_back_without_write_cache),
		cmocka_unit_test(test_invalidate_and_load),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_reuse_by_sharing),
		cmocka_unit_test(test_readonly_reader),
		cmocka_unit_test(test_provider_without_invalidate),
		cmocka_unit_test(test_composites),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
