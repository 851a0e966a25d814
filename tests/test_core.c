/* Core object tests: lifetime (get/put/kill, kill while threads call in), errors, info, write-cache dispatch, logging. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <daxdev.h>

static struct daxdev *open_anon(const char *target)
{
	struct daxdev *dev = NULL;

	assert_int_equal(daxdev_open(target, NULL, &dev), 0);
	assert_non_null(dev);
	return dev;
}

static void test_version(void **state)
{
	(void)state;
	/* The header is generated from the one version in meson.build. */
	assert_string_equal(daxdev_version(), DAXDEV_VERSION_STRING);
	assert_int_equal(daxdev_version_number(), DAXDEV_VERSION);
	assert_int_equal(DAXDEV_VERSION, DAXDEV_VERSION_NUMBER(DAXDEV_VERSION_MAJOR,
				DAXDEV_VERSION_MINOR, DAXDEV_VERSION_PATCH));
	assert_int_equal(DAXDEV_VERSION_MAJOR, 1);
}

static void test_anon_info(void **state)
{
	struct daxdev *dev = open_anon("anon:64M");
	struct daxdev_info info = DAXDEV_INFO_INIT;
	char buf[4096];

	(void)state;
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_string_equal(info.provider, "anon");
	assert_string_equal(info.host, "anon");
	assert_int_equal(info.size, 64 << 20);
	assert_int_equal(info.persistence, DAXDEV_PERSISTENCE_VOLATILE);
	assert_string_equal(info.persistence_reason, "anonymous memory");
	assert_false(info.write_cache);
	assert_false(info.write_cache_overridden);
	assert_string_equal(info.copy_impl, "memcpy");
	assert_string_equal(info.flush_impl, "none");
	assert_string_equal(info.drain_impl, "none");
	assert_true(info.alive);
	assert_true(daxdev_format_info(dev, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "persistence: volatile (anonymous memory)"));
	assert_non_null(strstr(buf, "flush: none"));
	daxdev_put(dev);
}

static void test_parse_size(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(daxdev_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(daxdev_parse_size("64K", &v), 0);
	assert_int_equal(v, 64 << 10);
	assert_int_equal(daxdev_parse_size("2M", &v), 0);
	assert_int_equal(v, 2 << 20);
	assert_int_equal(daxdev_parse_size("1G", &v), 0);
	assert_int_equal(v, 1ull << 30);
	assert_int_equal(daxdev_parse_size("3T", &v), 0);
	assert_int_equal(v, 3ull << 40);
	assert_int_equal(daxdev_parse_size("2MiB", &v), 0);
	assert_int_equal(v, 2 << 20);
	assert_int_equal(daxdev_parse_size("", &v), -EINVAL);
	assert_int_equal(daxdev_parse_size("-1", &v), -EINVAL);
	assert_int_equal(daxdev_parse_size("12Q", &v), -EINVAL);
	assert_int_equal(daxdev_parse_size("1MX", &v), -EINVAL);
	assert_int_equal(daxdev_parse_size("M", &v), -EINVAL);
	assert_int_equal(daxdev_parse_size("99999999999999999999", &v), -ERANGE);
	assert_int_equal(daxdev_parse_size("16777216T", &v), -ERANGE);
	assert_int_equal(daxdev_parse_size(NULL, &v), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "NULL"));
}

static void test_open_errors(void **state)
{
	struct daxdev *dev = NULL;

	(void)state;
	assert_int_equal(daxdev_open(NULL, NULL, &dev), -EINVAL);
	assert_int_equal(daxdev_open("anon:1M", NULL, NULL), -EINVAL);
	assert_int_equal(daxdev_open("anon:", NULL, &dev), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "anon:"));
	assert_int_equal(daxdev_open("anon:zz", NULL, &dev), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "zz"));
	assert_int_equal(daxdev_open("anon:1P", NULL, &dev), -ENOMEM);
	DAXDEV_OPEN_OPTS(unknown, .flags = 0x100);
	assert_int_equal(daxdev_open("anon:1M", &unknown, &dev), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "unknown flags"));
	assert_int_equal(daxdev_open("", NULL, &dev), -EINVAL);
	DAXDEV_OPEN_OPTS(small, .size = 4096);
	assert_int_equal(daxdev_open("anon:1M", &small, &dev), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "disagrees"));
	assert_int_equal(daxdev_new_volatile(0, &dev), -EINVAL);
	assert_int_equal(daxdev_new_volatile(4096, NULL), -EINVAL);
	assert_null(dev);
}

static void test_new_volatile_rounds_up(void **state)
{
	struct daxdev *dev;

	(void)state;
	assert_int_equal(daxdev_new_volatile(5000, &dev), 0);
	assert_int_equal(daxdev_size(dev), 8192);
	assert_int_equal(daxdev_align(dev), 4096);
	assert_string_equal(daxdev_host(dev), "anon");
	daxdev_put(dev);
}

static void test_null_device(void **state)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	char c = 0;
	void *addr;

	(void)state;
	assert_int_equal(daxdev_write(NULL, 0, &c, 1), -EINVAL);
	assert_int_equal(daxdev_read(NULL, 0, &c, 1), -EINVAL);
	assert_int_equal(daxdev_zero(NULL, 0, 1), -EINVAL);
	assert_int_equal(daxdev_flush_range(NULL, 0, 1), -EINVAL);
	assert_int_equal(daxdev_writev(NULL, 0, NULL, 0, 0), -EINVAL);
	assert_int_equal(daxdev_direct_access(NULL, 0, 1, &addr), -EINVAL);
	assert_int_equal(daxdev_memcpy(NULL, &c, &c, 1, 0), -EINVAL);
	assert_int_equal(daxdev_memset(NULL, &c, 0, 1, 0), -EINVAL);
	assert_int_equal(daxdev_flush(NULL, &c, 1), -EINVAL);
	assert_int_equal(daxdev_drain(NULL), -EINVAL);
	assert_int_equal(daxdev_get_info(NULL, &info), -EINVAL);
	assert_int_equal(daxdev_write_cache(NULL), -EINVAL);
	assert_int_equal(daxdev_set_write_cache(NULL, true), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "NULL device"));
	assert_null(daxdev_get(NULL));
	daxdev_put(NULL);
	daxdev_kill(NULL);
	assert_false(daxdev_alive(NULL));
	assert_int_equal(daxdev_size(NULL), 0);
	assert_null(daxdev_host(NULL));
}

static void test_use_after_kill(void **state)
{
	struct daxdev *dev = open_anon("anon:1M");
	struct daxdev_info info = DAXDEV_INFO_INIT;
	void *addr;
	char c = 1;

	(void)state;
	assert_int_equal(daxdev_direct_access(dev, 0, 1, &addr), 1);
	daxdev_kill(dev);
	daxdev_kill(dev); /* twice is harmless */
	assert_false(daxdev_alive(dev));
	assert_int_equal(daxdev_write(dev, 0, &c, 1), -ENXIO);
	assert_non_null(strstr(daxdev_errormsg(), "killed"));
	assert_int_equal(daxdev_read(dev, 0, &c, 1), -ENXIO);
	assert_int_equal(daxdev_zero(dev, 0, 1), -ENXIO);
	assert_int_equal(daxdev_flush_range(dev, 0, 1), -ENXIO);
	assert_int_equal(daxdev_direct_access(dev, 0, 1, &addr), -ENXIO);
	assert_int_equal(daxdev_memcpy(dev, addr, &c, 1, 0), -ENXIO);
	assert_int_equal(daxdev_memset(dev, addr, 0, 1, 0), -ENXIO);
	assert_int_equal(daxdev_flush(dev, addr, 1), -ENXIO);
	assert_int_equal(daxdev_drain(dev), -ENXIO);
	assert_int_equal(daxdev_write_cache(dev), -ENXIO);
	assert_int_equal(daxdev_set_write_cache(dev, true), -ENXIO);
	/* Info stays available and says the device is dead. */
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_false(info.alive);
	daxdev_put(dev);
}

static void test_refcount(void **state)
{
	struct daxdev *dev = open_anon("anon:1M");
	char c = 7, back = 0;

	(void)state;
	assert_ptr_equal(daxdev_get(dev), dev);
	daxdev_put(dev);
	/* still usable: one reference left */
	assert_int_equal(daxdev_write(dev, 10, &c, 1), 0);
	assert_int_equal(daxdev_read(dev, 10, &back, 1), 0);
	assert_int_equal(back, 7);
	daxdev_put(dev);
}

struct hammer {
	struct daxdev *dev;
	atomic_int started, next_id;
	atomic_long ok, killed, other;
};

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	char buf[256];

	/* each thread its own 256 KiB, so that only the device is shared */
	uint64_t base = (uint64_t)atomic_fetch_add(&h->next_id, 1) << 18;

	memset(buf, 0x5a, sizeof(buf));
	atomic_fetch_add(&h->started, 1);
	for (long i = 0; i < 1000000000L; i++) { /* until the kill */
		int rc = daxdev_write(h->dev, base + (uint64_t)(i % 1000) * 256, buf, sizeof(buf));
		if (rc == 0)
			atomic_fetch_add(&h->ok, 1);
		else if (rc == -ENXIO)
			atomic_fetch_add(&h->killed, 1);
		else
			atomic_fetch_add(&h->other, 1);
		if (rc == -ENXIO)
			break;
	}
	return NULL;
}

/* Kill while four threads write: running calls finish, later ones get -ENXIO,
 * nothing else fails, and the memory outlives the kill until the last put. */
static void test_kill_while_calling(void **state)
{
	struct hammer h = { .dev = open_anon("anon:1M") };
	pthread_t t[4];

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer_thread, &h), 0);
	while (atomic_load(&h.started) < 4 || atomic_load(&h.ok) < 1000)
		;
	daxdev_kill(h.dev);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_true(atomic_load(&h.ok) >= 1000);
	assert_int_equal(atomic_load(&h.killed), 4);
	assert_int_equal(atomic_load(&h.other), 0);
	daxdev_put(h.dev);
}

static void test_write_cache_option_and_api(void **state)
{
	DAXDEV_OPEN_OPTS(on, .write_cache = DAXDEV_WRITE_CACHE_ON);
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev *dev;

	(void)state;
#ifdef DAXDEV_TEST_NO_CPU_FLUSH
	/* The portable build cannot write a cache back: refused both ways. */
	assert_int_equal(daxdev_open("anon:1M", &on, &dev), -EOPNOTSUPP);
	assert_non_null(strstr(daxdev_errormsg(), "no way to write it back"));
	dev = open_anon("anon:1M");
	assert_int_equal(daxdev_set_write_cache(dev, true), -EOPNOTSUPP);
	assert_non_null(strstr(daxdev_errormsg(), "no way to write it back"));
	assert_int_equal(daxdev_write_cache(dev), 0);
#else
	assert_int_equal(daxdev_open("anon:1M", &on, &dev), 0);
	assert_int_equal(daxdev_write_cache(dev), 1);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_true(info.write_cache_overridden);
	assert_string_equal(info.write_cache_reason, "override open option write_cache=on");
	assert_string_not_equal(info.flush_impl, "none");
	assert_string_not_equal(info.drain_impl, "none");
	/* persistence is still what the provider said */
	assert_int_equal(info.persistence, DAXDEV_PERSISTENCE_VOLATILE);
#endif

	assert_int_equal(daxdev_set_write_cache(dev, false), 0);
	assert_int_equal(daxdev_write_cache(dev), 0);
	assert_int_equal(daxdev_get_info(dev, &info), 0);
	assert_string_equal(info.flush_impl, "none");
	assert_string_equal(info.copy_impl, "memcpy");
	assert_string_equal(info.write_cache_reason, "override daxdev_set_write_cache(off)");
	daxdev_put(dev);
}

static atomic_int log_calls;
static char last_log[512];

static void log_cb(void *arg, int level, const char *msg)
{
	(void)arg;
	assert_true(level <= DAXDEV_LOG_INFO);
	atomic_fetch_add(&log_calls, 1);
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

static void test_log_callback(void **state)
{
	struct daxdev *dev;

	(void)state;
	daxdev_set_log(log_cb, NULL, DAXDEV_LOG_INFO);
	dev = open_anon("anon:1M");
	assert_true(atomic_load(&log_calls) >= 1);
	assert_non_null(strstr(last_log, "write cache off"));
	daxdev_set_log(NULL, NULL, 0);
	atomic_store(&log_calls, 0);
	daxdev_set_write_cache(dev, true);
	assert_int_equal(atomic_load(&log_calls), 0);
	daxdev_put(dev);
}

/* A successful creation leaves no message, even where a provider probed the
 * registry on the way (composites look up each member's host). */
static void test_success_leaves_no_message(void **state)
{
	struct daxdev *dev;

	(void)state;
	assert_int_equal(daxdev_open(NULL, NULL, &dev), -EINVAL);
	assert_string_not_equal(daxdev_errormsg(), "");
	assert_int_equal(daxdev_open("linear:anon:1M,anon:1M", NULL, &dev), 0);
	assert_string_equal(daxdev_errormsg(), "");
	daxdev_put(dev);
}

static void test_private_not_shared(void **state)
{
	struct daxdev *a = open_anon("anon:1M"), *b = open_anon("anon:1M");

	(void)state;
	/* anonymous memory is never shared by host name */
	assert_ptr_not_equal(a, b);
	assert_null(daxdev_get_by_host("anon"));
	assert_null(daxdev_get_by_host(NULL));
	daxdev_put(a);
	daxdev_put(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_anon_info),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_new_volatile_rounds_up),
		cmocka_unit_test(test_null_device),
		cmocka_unit_test(test_use_after_kill),
		cmocka_unit_test(test_refcount),
		cmocka_unit_test(test_kill_while_calling),
		cmocka_unit_test(test_write_cache_option_and_api),
		cmocka_unit_test(test_log_callback),
		cmocka_unit_test(test_success_leaves_no_message),
		cmocka_unit_test(test_private_not_shared),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
