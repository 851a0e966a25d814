/* daxdev_lock: one object's holders, other objects and processes over the same file, descriptors, composites, crashsim, a killed holder, release while locked. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <daxdev.h>
#include <daxdev/composite.h>

static char dir[] = "/tmp/daxdev-lock.XXXXXX";
static char file_a[64], file_b[64];

static struct daxdev *open_target(const char *target, uint32_t flags)
{
	DAXDEV_OPEN_OPTS(opts, .flags = flags);
	struct daxdev *dev;

	assert_int_equal(daxdev_open(target, &opts, &dev), 0);
	return dev;
}

static void test_one_object(void **state)
{
	struct daxdev *dev = open_target("anon:64K", 0);

	(void)state;
	assert_int_equal(daxdev_lock(NULL, 0), -EINVAL);
	assert_int_equal(daxdev_lock(dev, 1u << 7), -EINVAL);
	assert_int_equal(daxdev_unlock(dev), -EINVAL);
	assert_int_equal(daxdev_lock(dev, 0), 0);
	assert_int_equal(daxdev_lock(dev, DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	assert_int_equal(daxdev_lock(dev, DAXDEV_LOCK_SHARED | DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	assert_int_equal(daxdev_lock(dev, 0), -EDEADLK);   /* would wait for itself */
	assert_int_equal(daxdev_unlock(dev), 0);
	assert_int_equal(daxdev_unlock(dev), -EINVAL);
	/* Shared holders count; exclusive waits for the last. */
	assert_int_equal(daxdev_lock(dev, DAXDEV_LOCK_SHARED), 0);
	assert_int_equal(daxdev_lock(dev, DAXDEV_LOCK_SHARED), 0);
	assert_int_equal(daxdev_lock(dev, DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	assert_int_equal(daxdev_unlock(dev), 0);
	assert_int_equal(daxdev_lock(dev, DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	assert_int_equal(daxdev_unlock(dev), 0);
	assert_int_equal(daxdev_lock(dev, DAXDEV_LOCK_NOWAIT), 0);
	/* A killed device takes no new lock, but lets go of the one it has. */
	daxdev_kill(dev);
	assert_int_equal(daxdev_unlock(dev), 0);
	assert_int_equal(daxdev_lock(dev, 0), -ENXIO);
	daxdev_put(dev);
}

struct waiter {
	struct daxdev *dev;
	volatile int got;
};

static void *lock_and_mark(void *arg)
{
	struct waiter *w = arg;

	if (daxdev_lock(w->dev, 0) == 0)
		w->got = 1;
	return NULL;
}

/* Another thread waits on the object until the holder unlocks. */
static void test_thread_waits(void **state)
{
	struct waiter w = { .dev = open_target("anon:64K", 0) };
	pthread_t t;

	(void)state;
	assert_int_equal(daxdev_lock(w.dev, 0), 0);
	assert_int_equal(pthread_create(&t, NULL, lock_and_mark, &w), 0);
	usleep(20000);
	assert_int_equal(w.got, 0);   /* whenever it runs, it cannot have the lock yet */
	assert_int_equal(daxdev_unlock(w.dev), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.got, 1);
	assert_int_equal(daxdev_unlock(w.dev), 0);
	daxdev_put(w.dev);
}

/* Two objects over one file conflict; two shared holders do not; a
 * read-only open locks too. */
static void test_two_objects_one_file(void **state)
{
	struct daxdev *a = open_target(file_a, 0), *b = open_target(file_a, 0);
	struct daxdev *ro = open_target(file_a, DAXDEV_OPEN_READONLY);

	(void)state;
	assert_int_equal(daxdev_lock(a, 0), 0);
	assert_int_equal(daxdev_lock(b, DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	assert_non_null(strstr(daxdev_errormsg(), "locked by another open"));
	assert_int_equal(daxdev_lock(ro, DAXDEV_LOCK_SHARED | DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	assert_int_equal(daxdev_unlock(a), 0);
	assert_int_equal(daxdev_lock(ro, DAXDEV_LOCK_SHARED), 0);
	assert_int_equal(daxdev_lock(a, DAXDEV_LOCK_SHARED | DAXDEV_LOCK_NOWAIT), 0);
	assert_int_equal(daxdev_lock(b, DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	assert_int_equal(daxdev_unlock(a), 0);
	assert_int_equal(daxdev_unlock(ro), 0);
	assert_int_equal(daxdev_lock(b, DAXDEV_LOCK_NOWAIT), 0);
	/* Put while locked: the lock goes with the object. */
	daxdev_put(b);
	assert_int_equal(daxdev_lock(a, DAXDEV_LOCK_NOWAIT), 0);
	daxdev_put(a);
	daxdev_put(ro);
}

/* A shared object (REUSE) is one object: its second locker conflicts. */
static void test_reuse_is_one_object(void **state)
{
	struct daxdev *a = open_target(file_a, DAXDEV_OPEN_REUSE);
	struct daxdev *b = open_target(file_a, DAXDEV_OPEN_REUSE);

	(void)state;
	assert_ptr_equal(a, b);
	assert_int_equal(daxdev_lock(a, 0), 0);
	assert_int_equal(daxdev_lock(b, DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	assert_int_equal(daxdev_unlock(a), 0);
	daxdev_put(a);
	daxdev_put(b);
}

/* Devices opened from the caller's descriptor lock a description of their
 * own: against each other and against a path open. */
static void test_open_fd(void **state)
{
	int fd = open(file_a, O_RDWR);
	struct daxdev *x, *y, *path = open_target(file_a, 0);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(daxdev_open_fd(fd, NULL, &x), 0);
	assert_int_equal(daxdev_open_fd(fd, NULL, &y), 0);
	assert_int_equal(daxdev_lock(x, 0), 0);
	assert_int_equal(daxdev_lock(y, DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	assert_int_equal(daxdev_lock(path, DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	daxdev_put(x);
	assert_int_equal(daxdev_lock(path, DAXDEV_LOCK_NOWAIT), 0);
	assert_int_equal(daxdev_lock(y, DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	close(fd);
	daxdev_put(y);
	daxdev_put(path);
}

/* A process that holds the lock and dies (SIGKILL) leaves nothing behind. */
static void test_dead_holder(void **state)
{
	struct daxdev *dev = open_target(file_a, 0);
	int ready[2], status, rc;
	char c;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct daxdev *mine;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (daxdev_open(file_a, NULL, &mine) || daxdev_lock(mine, 0) ||
		    write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	rc = daxdev_lock(dev, DAXDEV_LOCK_NOWAIT);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(rc, -EWOULDBLOCK);
	assert_int_equal(daxdev_lock(dev, DAXDEV_LOCK_NOWAIT), 0);
	close(ready[0]);
	close(ready[1]);
	daxdev_put(dev);
}

/* A composite locks its members; a crash simulator its inner device. */
static void test_composite_and_crashsim(void **state)
{
	char target[160];
	struct daxdev *lin, *b = open_target(file_b, 0), *sim;

	(void)state;
	snprintf(target, sizeof(target), "linear:%s,anon:64K,%s", file_a, file_b);
	lin = open_target(target, 0);
	assert_int_equal(daxdev_lock(lin, 0), 0);
	assert_int_equal(daxdev_lock(b, DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	assert_int_equal(daxdev_unlock(lin), 0);
	assert_int_equal(daxdev_lock(b, DAXDEV_LOCK_NOWAIT), 0);
	/* One member held elsewhere: the composite takes none of them. */
	assert_int_equal(daxdev_lock(lin, DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	sim = open_target("crashsim:anon:64K", 0);
	assert_int_equal(daxdev_lock(sim, 0), 0);
	assert_int_equal(daxdev_lock(sim, DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	assert_int_equal(daxdev_unlock(sim), 0);
	daxdev_put(sim);
	snprintf(target, sizeof(target), "crashsim:%s", file_a);
	sim = open_target(target, 0);
	assert_int_equal(daxdev_lock(sim, DAXDEV_LOCK_NOWAIT), 0);
	assert_int_equal(daxdev_unlock(b), 0);
	assert_int_equal(daxdev_lock(lin, DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK); /* file_a */
	daxdev_put(sim);  /* released with its lock */
	assert_int_equal(daxdev_lock(lin, DAXDEV_LOCK_NOWAIT), 0);
	daxdev_put(lin);  /* likewise, members included */
	assert_int_equal(daxdev_lock(b, DAXDEV_LOCK_NOWAIT), 0);
	daxdev_put(b);
}

/* A composite of objects the caller holds: its lock is theirs, and its
 * last put lets go of them though they live on. */
static void test_composite_of_held_members(void **state)
{
	struct daxdev *m[2] = { open_target(file_a, 0), open_target("anon:64K", 0) };
	struct daxdev *lin;

	(void)state;
	assert_int_equal(daxdev_linear_new(m, 2, &lin), 0);
	assert_int_equal(daxdev_lock(lin, DAXDEV_LOCK_NOWAIT), 0);
	assert_int_equal(daxdev_lock(m[0], DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	assert_int_equal(daxdev_lock(m[1], DAXDEV_LOCK_SHARED | DAXDEV_LOCK_NOWAIT), -EWOULDBLOCK);
	daxdev_put(lin);
	assert_int_equal(daxdev_lock(m[0], DAXDEV_LOCK_NOWAIT), 0);
	assert_int_equal(daxdev_lock(m[1], DAXDEV_LOCK_NOWAIT), 0);
	daxdev_put(m[0]);
	daxdev_put(m[1]);
}

static int setup(void **state)
{
	DAXDEV_OPEN_OPTS(create, .size = 64 * 1024, .flags = DAXDEV_OPEN_CREATE);
	struct daxdev *dev;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(file_a, sizeof(file_a), "%s/a", dir);
	snprintf(file_b, sizeof(file_b), "%s/b", dir);
	if (daxdev_open(file_a, &create, &dev))
		return -1;
	daxdev_put(dev);
	if (daxdev_open(file_b, &create, &dev))
		return -1;
	daxdev_put(dev);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(file_a);
	unlink(file_b);
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_object),
		cmocka_unit_test(test_thread_waits),
		cmocka_unit_test(test_two_objects_one_file),
		cmocka_unit_test(test_reuse_is_one_object),
		cmocka_unit_test(test_open_fd),
		cmocka_unit_test(test_dead_holder),
		cmocka_unit_test(test_composite_and_crashsim),
		cmocka_unit_test(test_composite_of_held_members),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
