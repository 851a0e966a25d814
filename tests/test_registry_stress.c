/* Lookup by host name: registration, sharing, and many threads opening, looking up, killing and putting the same hosts at once. */
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

#define NFILES 3
#define NTARGETS 5
#define NTHREADS 8
#define ITERATIONS 1500
#define FILE_SIZE (256u << 10)

struct fixture {
	char dir[PATH_MAX - 16];
	char files[NFILES][PATH_MAX];        /* real paths: also their hosts */
	char targets[NTARGETS][3 * PATH_MAX];
	char hosts[NTARGETS][3 * PATH_MAX];  /* what each target registers as */
};

static struct fixture fx;
static bool have_files;
/* Sharing by host is asked for; static storage has zero padding. */
static const struct daxdev_open_opts reuse = {
	.sz = sizeof(reuse), .flags = DAXDEV_OPEN_REUSE,
};

static int setup(void **state)
{
	char tmpl[] = "/tmp/daxdev-registry-XXXXXX", real[PATH_MAX];
	struct daxdev *dev;

	(void)state;
	if (!mkdtemp(tmpl) || !realpath(tmpl, real) || strlen(real) >= sizeof(fx.dir))
		return -1;
	memcpy(fx.dir, real, strlen(real) + 1);
	for (int i = 0; i < NFILES; i++) {
		snprintf(fx.files[i], sizeof(fx.files[i]), "%s/f%d", fx.dir, i);
		DAXDEV_OPEN_OPTS(create, .size = FILE_SIZE, .flags = DAXDEV_OPEN_CREATE);
		if (daxdev_open(fx.files[i], &create, &dev))
			return -1;
		daxdev_put(dev);
		snprintf(fx.targets[i], sizeof(fx.targets[i]), "%s", fx.files[i]);
		snprintf(fx.hosts[i], sizeof(fx.hosts[i]), "%s", fx.files[i]);
	}
	snprintf(fx.targets[3], sizeof(fx.targets[3]), "linear:%s,%s", fx.files[0], fx.files[1]);
	snprintf(fx.hosts[3], sizeof(fx.hosts[3]), "linear:%s,%s", fx.files[0], fx.files[1]);
	snprintf(fx.targets[4], sizeof(fx.targets[4]), "stripe:64K:%s,%s", fx.files[1],
		 fx.files[2]);
	snprintf(fx.hosts[4], sizeof(fx.hosts[4]), "stripe:65536:%s,%s", fx.files[1],
		 fx.files[2]);
	have_files = true;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NFILES; i++)
		if (fx.files[i][0])
			unlink(fx.files[i]);
	rmdir(fx.dir);
	return 0;
}

static void require_files(void)
{
	if (!have_files)
		skip();
}

/* After every reference is gone, no host is left in the registry. */
static void expect_registry_empty(void)
{
	for (int i = 0; i < NTARGETS; i++) {
		struct daxdev *left = daxdev_get_by_host(fx.hosts[i]);
		if (left)
			fail_msg("%s still registered after its last put", fx.hosts[i]);
		assert_non_null(strstr(daxdev_errormsg(), "no device opened with DAXDEV_OPEN_REUSE has host"));
	}
}

static void test_registered_and_shared(void **state)
{
	struct daxdev *a, *b, *p, *found;

	(void)state;
	require_files();
	for (int i = 0; i < NTARGETS; i++) {
		assert_int_equal(daxdev_open(fx.targets[i], &reuse, &a), 0);
		assert_string_equal(daxdev_host(a), fx.hosts[i]);
		found = daxdev_get_by_host(fx.hosts[i]);
		assert_ptr_equal(found, a);            /* a new reference on the same object */
		assert_int_equal(daxdev_open(fx.targets[i], &reuse, &b), 0);
		assert_ptr_equal(b, a);
		assert_int_equal(daxdev_open(fx.targets[i], NULL, &p), 0);
		assert_ptr_not_equal(p, a);
		daxdev_put(p);
		daxdev_put(b);
		daxdev_put(found);
		/* the object survives puts of extra references */
		assert_int_equal(daxdev_write(a, 0, "ok", 2), 0);
		daxdev_put(a);
	}
	expect_registry_empty();
	assert_null(daxdev_get_by_host(NULL));
	assert_non_null(strstr(daxdev_errormsg(), "NULL host"));
}

/* A killed object leaves the registry at once; the next open makes a new one. */
static void test_killed_not_returned(void **state)
{
	struct daxdev *a, *b;

	(void)state;
	require_files();
	for (int i = 0; i < NTARGETS; i++) {
		assert_int_equal(daxdev_open(fx.targets[i], &reuse, &a), 0);
		daxdev_kill(a);
		assert_null(daxdev_get_by_host(fx.hosts[i]));
		assert_int_equal(daxdev_open(fx.targets[i], &reuse, &b), 0);
		assert_ptr_not_equal(a, b);
		assert_true(daxdev_alive(b));
		assert_int_equal(daxdev_write(b, 0, "ok", 2), 0);
		daxdev_put(a);
		daxdev_put(b);
	}
	expect_registry_empty();
}

struct worker {
	pthread_t thread;
	int index;
	unsigned seed;
	long opened, found, killed, dead_seen;
	char error[512];
};

/* What an object handed out must satisfy: the right host, and calls that
 * either work or say the device was killed (a kill may come right after). */
static bool check_object(struct worker *w, struct daxdev *dev, int t)
{
	int rc;

	if (strcmp(daxdev_host(dev), fx.hosts[t])) {
		snprintf(w->error, sizeof(w->error), "got host %s for %s", daxdev_host(dev),
			 fx.hosts[t]);
		return false;
	}
	/* Each thread writes its own bytes: every target maps offset 8 * index
	 * to the same offset of one file, so threads never store to the same
	 * memory (that would be the application's race, not the library's). */
	rc = daxdev_write(dev, (uint64_t)w->index * 8, &w->seed, sizeof(w->seed));
	if (rc == -ENXIO)
		w->dead_seen++;
	else if (rc) {
		snprintf(w->error, sizeof(w->error), "write to %s: %d %s", fx.hosts[t], rc,
			 daxdev_errormsg());
		return false;
	}
	return true;
}

/* One step: open or look up one target, use it, sometimes kill it, put it. */
static bool step(struct worker *w)
{
	int t = (int)(rand_r(&w->seed) % NTARGETS), rc;
	struct daxdev *dev = NULL;

	if (rand_r(&w->seed) % 2) {
		rc = daxdev_open(fx.targets[t], &reuse, &dev);
		/* a composite's member may be killed between its open and the check */
		if (rc == -ENXIO && t >= NFILES)
			return true;
		if (rc) {
			snprintf(w->error, sizeof(w->error), "open %s: %d %s", fx.targets[t], rc,
				 daxdev_errormsg());
			return false;
		}
		w->opened++;
	} else if ((dev = daxdev_get_by_host(fx.hosts[t])) != NULL) {
		w->found++;
	}
	if (!dev)
		return true;
	bool ok = check_object(w, dev, t);
	if (rand_r(&w->seed) % 16 == 0) {
		daxdev_kill(dev);
		w->killed++;
	}
	daxdev_put(dev);
	return ok;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < ITERATIONS; i++)
		if (!step(w))
			break;
	return NULL;
}

static void test_stress(void **state)
{
	struct worker w[NTHREADS];
	struct daxdev *held;
	long opened = 0, found = 0, killed = 0;

	(void)state;
	require_files();
	/* one long-lived holder keeps a file object around for lookups */
	assert_int_equal(daxdev_open(fx.targets[0], &reuse, &held), 0);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < NTHREADS; i++) {
		w[i].index = i;
		w[i].seed = 0x5eed + (unsigned)i;
		assert_int_equal(pthread_create(&w[i].thread, NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
		if (w[i].error[0])
			fail_msg("thread %d: %s", i, w[i].error);
		opened += w[i].opened;
		found += w[i].found;
		killed += w[i].killed;
	}
	print_message("opened %ld, found by host %ld, killed %ld\n", opened, found, killed);
	assert_true(found > 0);
	assert_true(killed > 0);
	daxdev_put(held);
	expect_registry_empty();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered_and_shared),
		cmocka_unit_test(test_killed_not_returned),
		cmocka_unit_test(test_stress),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
