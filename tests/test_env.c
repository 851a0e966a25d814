/* The DAXDEV_* variables: process-wide defaults read once, overridden by open options, refused when unparsable, ignored in setuid programs. */
#include <errno.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>
#include <cmocka.h>
#include <daxdev/provider.h>

/*
 * One program, run by meson under several environments; DAXDEV_TEST_ENV
 * names the case so that each run checks what its environment should do:
 *   defaults      no DAXDEV_* set
 *   wc-on         DAXDEV_WRITE_CACHE=1 DAXDEV_NT=0
 *   bad           DAXDEV_WRITE_CACHE=yes (every open refused)
 *   long          DAXDEV_FLUSH longer than any implementation name
 *   log           DAXDEV_LOG_LEVEL=7
 *   setuid        DAXDEV_WRITE_CACHE=1, run set-user-ID (AT_SECURE): ignored
 */
/* LeakSanitizer (sanitizer builds) cannot stop the threads of a set-user-ID
 * process, which is not dumpable, and such a process cannot read its own
 * /proc/self/environ to see ASAN_OPTIONS: the leak check is turned off from
 * inside, there only.  LSan asks at exit; other builds never call it. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return getauxval(AT_SECURE) != 0;
}

static const char *env_case(void)
{
	const char *c = getenv("DAXDEV_TEST_ENV");

	return c ? c : "defaults";
}

static void info_of(struct daxdev *dev, struct daxdev_info *info)
{
	info->sz = sizeof(*info);
	assert_int_equal(daxdev_get_info(dev, info), 0);
}

static void test_defaults(void **state)
{
	struct daxdev_info info;
	struct daxdev *dev;

	(void)state;
	assert_int_equal(daxdev_open("anon:1M", NULL, &dev), 0);
	info_of(dev, &info);
	assert_false(info.write_cache);
	assert_false(info.write_cache_overridden);
	daxdev_put(dev);
}

/* An open under DAXDEV_WRITE_CACHE=on: the write cache is on because of the
 * variable.  The portable build cannot write it back, so there the open is
 * refused, naming the variable as the reason (NULL). */
static struct daxdev *open_wc_on_by_env(void)
{
	struct daxdev_info info;
	struct daxdev *dev = NULL;
	int rc = daxdev_open("anon:1M", NULL, &dev);

#ifdef DAXDEV_TEST_NO_CPU_FLUSH
	assert_int_equal(rc, -EOPNOTSUPP);
	assert_non_null(strstr(daxdev_errormsg(), "override DAXDEV_WRITE_CACHE=on"));
	assert_non_null(strstr(daxdev_errormsg(), "this build has no way to write it back"));
	return NULL;
#endif
	assert_int_equal(rc, 0);
	info_of(dev, &info);
	assert_true(info.write_cache);
	assert_string_equal(info.write_cache_reason, "override DAXDEV_WRITE_CACHE=on");
	return dev;
}

/* The environment is the default; an open option wins over it. */
static void test_env_is_default(void **state)
{
	DAXDEV_OPEN_OPTS(off, .write_cache = DAXDEV_WRITE_CACHE_OFF);
	struct daxdev_info info;
	struct daxdev *dev;

	(void)state;
	dev = open_wc_on_by_env();
	if (dev) {
		info_of(dev, &info);
		assert_string_equal(info.copy_impl, "memcpy");     /* DAXDEV_NT=0 */
		daxdev_put(dev);
	}
	assert_int_equal(daxdev_open("anon:1M", &off, &dev), 0);
	info_of(dev, &info);
	assert_false(info.write_cache);
	assert_string_equal(info.write_cache_reason, "override open option write_cache=off");
	daxdev_put(dev);
}

/* Read once: changing the variable afterwards changes nothing. */
static void test_read_once(void **state)
{
	struct daxdev *dev;

	(void)state;
	unsetenv("DAXDEV_WRITE_CACHE");
	setenv("DAXDEV_ISA", "no-such-isa", 1);
	dev = open_wc_on_by_env();
	if (dev)
		daxdev_put(dev);
}

/* A name too long for any implementation is refused whole, not cut. */
static void test_long_word(void **state)
{
	struct daxdev *dev = NULL;

	(void)state;
	assert_int_equal(daxdev_open("anon:1M", NULL, &dev), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "DAXDEV_FLUSH="));
	assert_non_null(strstr(daxdev_errormsg(), "not an implementation name"));
}

static void test_bad_value(void **state)
{
	DAXDEV_OPEN_OPTS(on, .write_cache = DAXDEV_WRITE_CACHE_ON);
	struct daxdev *dev = NULL;

	(void)state;
	assert_int_equal(daxdev_open("anon:1M", NULL, &dev), -EINVAL);
	assert_non_null(strstr(daxdev_errormsg(), "DAXDEV_WRITE_CACHE='yes'"));
	/* the user asked for something that cannot be honoured: every open says so */
	assert_int_equal(daxdev_open("anon:1M", &on, &dev), -EINVAL);
	assert_int_equal(daxdev_new_volatile(4096, &dev), -EINVAL);
	assert_null(dev);
}

/* DAXDEV_LOG_LEVEL prints on stderr without a callback; a callback with a
 * negative level takes over and nothing is printed at all. */
static atomic_int log_calls;

static void log_cb(void *arg, int level, const char *msg)
{
	(void)arg, (void)level, (void)msg;
	atomic_fetch_add(&log_calls, 1);
}

static long stderr_bytes_while_opening(void)
{
	FILE *err = tmpfile();
	int saved = dup(2);
	struct daxdev *dev;
	long n;

	assert_non_null(err);
	dup2(fileno(err), 2);
	assert_int_equal(daxdev_open("anon:1M", NULL, &dev), 0);
	dup2(saved, 2);
	close(saved);
	n = lseek(fileno(err), 0, SEEK_END);
	fclose(err);
	daxdev_put(dev);
	return n;
}

static void test_log_level(void **state)
{
	(void)state;
	assert_true(stderr_bytes_while_opening() > 0);
	daxdev_set_log(log_cb, NULL, -5);
	assert_int_equal(stderr_bytes_while_opening(), 0);
	assert_int_equal(atomic_load(&log_calls), 0);
	daxdev_set_log(NULL, NULL, 0);
	assert_true(stderr_bytes_while_opening() > 0);
}

/* In a set-user-ID program the environment is not trusted: a caller could
 * otherwise turn the program's flushes off or swap its sysfs tree. */
static void test_setuid_ignores_env(void **state)
{
	struct daxdev_info info;
	struct daxdev *dev;

	(void)state;
	assert_int_equal(getauxval(AT_SECURE), 1);
	assert_string_equal(getenv("DAXDEV_WRITE_CACHE"), "1");
	assert_int_equal(daxdev_open("anon:1M", NULL, &dev), 0);
	info_of(dev, &info);
	assert_false(info.write_cache);
	assert_false(info.write_cache_overridden);
	assert_string_equal(daxdev_sysfs_root(), "");
	daxdev_put(dev);
}

int main(void)
{
	const char *c = env_case();
	const struct CMUnitTest defaults[] = { cmocka_unit_test(test_defaults) };
	const struct CMUnitTest wc_on[] = {
		cmocka_unit_test(test_env_is_default), cmocka_unit_test(test_read_once),
	};
	const struct CMUnitTest bad[] = { cmocka_unit_test(test_bad_value) };
	const struct CMUnitTest long_word[] = { cmocka_unit_test(test_long_word) };
	const struct CMUnitTest log[] = { cmocka_unit_test(test_log_level) };
	const struct CMUnitTest setuid[] = { cmocka_unit_test(test_setuid_ignores_env) };

	if (!strcmp(c, "wc-on"))
		return cmocka_run_group_tests_name("env wc-on", wc_on, NULL, NULL);
	if (!strcmp(c, "bad"))
		return cmocka_run_group_tests_name("env bad", bad, NULL, NULL);
	if (!strcmp(c, "long"))
		return cmocka_run_group_tests_name("env long", long_word, NULL, NULL);
	if (!strcmp(c, "log"))
		return cmocka_run_group_tests_name("env log", log, NULL, NULL);
	if (!strcmp(c, "setuid"))
		return cmocka_run_group_tests_name("env setuid", setuid, NULL, NULL);
	return cmocka_run_group_tests_name("env defaults", defaults, NULL, NULL);
}
