/* Info is safe from any number of threads: get_info, format_info, get_details, write and set_write_cache at once on every provider kind (run under TSan in CI). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
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
#include <daxdev.h>

#define ROUNDS 400

struct shared {
	struct daxdev *dev;
	atomic_int failures;
	char first_failure[256];
	pthread_mutex_t lock;
};

static void failed(struct shared *s, const char *what)
{
	pthread_mutex_lock(&s->lock);
	if (atomic_fetch_add(&s->failures, 1) == 0)
		snprintf(s->first_failure, sizeof(s->first_failure), "%s: %s", what,
			 daxdev_errormsg());
	pthread_mutex_unlock(&s->lock);
}

/* Every string info hands out must stay readable and whole while others
 * call in: read each one to its end. */
static size_t read_strings(const struct daxdev_info *i)
{
	const char *strs[] = {
		i->provider, i->host, i->persistence_reason, i->write_cache_reason,
		i->copy_impl, i->fill_impl, i->flush_impl, i->drain_impl, i->region, i->bus,
	};
	size_t n = 0;

	for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
		n += strlen(strs[k]);
	return n;
}

static void *info_reader(void *arg)
{
	struct shared *s = arg;

	for (int r = 0; r < ROUNDS; r++) {
		struct daxdev_info info = DAXDEV_INFO_INIT;

		if (daxdev_get_info(s->dev, &info) || read_strings(&info) == 0)
			failed(s, "get_info");
	}
	return NULL;
}

static void *formatter(void *arg)
{
	struct shared *s = arg;
	char buf[8192];

	for (int r = 0; r < ROUNDS; r++) {
		int n = daxdev_format_info(s->dev, buf, sizeof(buf));
		if (n <= 0 || !strstr(buf, "write cache: "))
			failed(s, "format_info");
		if (daxdev_get_details(s->dev, buf, sizeof(buf)) < 0)
			failed(s, "get_details");
	}
	return NULL;
}

static void *writer(void *arg)
{
	struct shared *s = arg;
	char data[256], back[256];

	for (int r = 0; r < ROUNDS; r++) {
		memset(data, r, sizeof(data));
		if (daxdev_write(s->dev, (uint64_t)r * 256 % (64 << 10), data, sizeof(data)) ||
		    daxdev_read(s->dev, (uint64_t)r * 256 % (64 << 10), back, sizeof(back)) ||
		    memcmp(data, back, sizeof(data)))
			failed(s, "write");
	}
	return NULL;
}

/* The portable build refuses to switch the write cache on where only a CPU
 * write-back would honour it (anonymous members); the refusal races the
 * readers as a switch does. */
static int switch_write_cache(struct daxdev *dev, bool on)
{
	int rc = daxdev_set_write_cache(dev, on);

#ifdef DAXDEV_TEST_NO_CPU_FLUSH
	if (on && rc == -EOPNOTSUPP && strstr(daxdev_errormsg(), "no way to write it back"))
		return 0;
#endif
	return rc;
}

static void *switcher(void *arg)
{
	struct shared *s = arg;

	for (int r = 0; r < ROUNDS; r++)
		if (switch_write_cache(s->dev, r & 1))
			failed(s, "set_write_cache");
	return NULL;
}

static void hammer(const char *target)
{
	void *(*fns[4])(void *) = { info_reader, formatter, writer, switcher };
	struct shared s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t t[4];

	if (daxdev_open(target, NULL, &s.dev))
		fail_msg("open %s: %s", target, daxdev_errormsg());
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fns[i], &s), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	if (atomic_load(&s.failures))
		fail_msg("%s: %d failures, first %s", target, atomic_load(&s.failures),
			 s.first_failure);
	daxdev_put(s.dev);
}

static char file_a[PATH_MAX], file_b[PATH_MAX];

static int make_files(void **state)
{
	DAXDEV_OPEN_OPTS(create, .size = 1 << 20, .flags = DAXDEV_OPEN_CREATE);
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	struct daxdev *dev;

	(void)state;
	snprintf(file_a, sizeof(file_a), "%s/daxdev-threads-a-%d", tmp, (int)getpid());
	snprintf(file_b, sizeof(file_b), "%s/daxdev-threads-b-%d", tmp, (int)getpid());
	if (daxdev_open(file_a, &create, &dev))
		return -1;
	daxdev_put(dev);
	if (daxdev_open(file_b, &create, &dev))
		return -1;
	daxdev_put(dev);
	return 0;
}

static int remove_files(void **state)
{
	(void)state;
	unlink(file_a);
	unlink(file_b);
	return 0;
}

static void test_anon(void **state)
{
	(void)state;
	hammer("anon:1M");
}

static void test_file(void **state)
{
	(void)state;
	hammer(file_a);
}

static void test_linear(void **state)
{
	char target[2 * PATH_MAX + 16];

	(void)state;
	snprintf(target, sizeof(target), "linear:%s,anon:1M", file_b);
	hammer(target);
}

static void test_stripe(void **state)
{
	(void)state;
	hammer("stripe:16K:anon:1M,anon:1M");
}

static void test_crashsim(void **state)
{
	(void)state;
	hammer("crashsim:anon:1M");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anon),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_stripe),
		cmocka_unit_test(test_crashsim),
	};

	return cmocka_run_group_tests_name("threads", tests, make_files, remove_files);
}
