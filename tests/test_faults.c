/* Faults under offset I/O and pointer calls: truncated files, memory errors, threads, SIGBUS chaining. */
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <daxdev.h>
#include <daxdev/composite.h>

#define FILE_SIZE (1u << 20)
#define KEEP 12345u            /* bytes left after the truncation */
#define LOST_OFF (64u << 10)   /* an offset past KEEP */
#define NTHREADS 4

static char dir[] = "/tmp/daxdev-faults-XXXXXX";
static char exe[4096];

/* --- helpers ------------------------------------------------------------ */

/* CMocka puts its own SIGBUS handler in front of everything while a test
 * runs, and it does not chain: each test puts the library's (taken in main,
 * after the first open installed it) back first. */
static struct sigaction library_handler;

static void library_handler_back(void)
{
	assert_int_equal(sigaction(SIGBUS, &library_handler, NULL), 0);
}

static void pattern(unsigned char *buf, size_t len, uint64_t off)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)((off + i) * 7 + 3);
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* A file device filled with the pattern, then truncated to KEEP bytes by
 * "another process" (another descriptor): everything past KEEP's page is
 * gone from under the mapping. */
static struct daxdev *open_truncated(const char *name, unsigned flags, bool truncate)
{
	DAXDEV_OPEN_OPTS(opts, .size = FILE_SIZE, .flags = DAXDEV_OPEN_CREATE | flags);
	static unsigned char buf[FILE_SIZE];
	struct daxdev *dev;
	char path[4200];
	int fd;

	path_of(path, sizeof(path), name);
	unlink(path);
	assert_int_equal(daxdev_open(path, &opts, &dev), 0);
	pattern(buf, FILE_SIZE, 0);
	assert_int_equal(daxdev_write(dev, 0, buf, FILE_SIZE), 0);
	if (truncate) {
		fd = open(path, O_RDWR);
		assert_true(fd >= 0);
		assert_int_equal(ftruncate(fd, KEEP), 0);
		close(fd);
	}
	return dev;
}

static void expect_intact(struct daxdev *dev, uint64_t off, size_t len)
{
	unsigned char got[4096], want[4096];

	assert_true(len <= sizeof(got));
	assert_int_equal(daxdev_read(dev, off, got, len), 0);
	pattern(want, len, off);
	assert_memory_equal(got, want, len);
}

static void expect_msg(const char *what)
{
	if (!strstr(daxdev_errormsg(), what))
		fail_msg("message '%s' lacks '%s'", daxdev_errormsg(), what);
}

/* The message names the offset of the fault: somewhere in [lo, hi), since
 * a copy need not store its first byte first (glibc's arm64 memcpy stores
 * the tail of a short copy early). */
static void expect_offset_in(uint64_t lo, uint64_t hi)
{
	const char *at = strstr(daxdev_errormsg(), " at offset ");
	unsigned long long off = at ? strtoull(at + strlen(" at offset "), NULL, 10) : 0;

	if (!at || off < lo || off >= hi)
		fail_msg("message '%s' names no offset in [%llu, %llu)", daxdev_errormsg(),
			 (unsigned long long)lo, (unsigned long long)hi);
}

/* --- offset I/O on a truncated file -------------------------------------- */

static void test_read_truncated(void **state)
{
	struct daxdev *dev = open_truncated("read", 0, true);
	unsigned char buf[4096];
	sigset_t mask;

	(void)state;
	library_handler_back();
	assert_int_equal(daxdev_read(dev, LOST_OFF, buf, sizeof(buf)), -ESTALE);
	/* Back with the mask the call ran with: SIGBUS not left blocked. */
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &mask), 0);
	assert_false(sigismember(&mask, SIGBUS));
	expect_msg("daxdev_read");
	expect_offset_in(LOST_OFF, LOST_OFF + sizeof(buf));
	expect_msg("BUS_ADRERR");
	expect_msg("truncated");
	expect_intact(dev, 0, 4096);
	expect_intact(dev, 8192, 4096);
	daxdev_put(dev);
}

static void test_write_truncated(void **state)
{
	struct daxdev *dev = open_truncated("write", 0, true);
	unsigned char buf[256] = { 1 };
	struct iovec iov[2] = { { buf, 100 }, { buf, 156 } };

	(void)state;
	library_handler_back();
	assert_int_equal(daxdev_write(dev, LOST_OFF + 8, buf, sizeof(buf)), -ESTALE);
	expect_msg("daxdev_write");
	daxdev_put(dev);
	dev = open_truncated("writev", 0, true);
	assert_int_equal(daxdev_writev(dev, LOST_OFF, iov, 2, 0), -ESTALE);
	expect_msg("daxdev_writev");
	expect_offset_in(LOST_OFF, LOST_OFF + 100);
	expect_intact(dev, 0, 4096);
	daxdev_put(dev);
}

static void test_zero_truncated(void **state)
{
	struct daxdev *dev = open_truncated("zero", 0, true);

	(void)state;
	library_handler_back();
	assert_int_equal(daxdev_zero(dev, 4096, FILE_SIZE - 4096), -ESTALE);
	expect_msg("daxdev_zero");
	/* The lost range starts at the first page past the new end. */
	expect_msg("[16384, +1032192)");
	daxdev_put(dev);
}

/* Remembered: once found, the range is refused without touching it, even
 * after the file grew back (touching would now "succeed" with zeros). */
static void test_remembered(void **state)
{
	struct daxdev *dev = open_truncated("remember", 0, true);
	unsigned char buf[64];
	char path[4200];
	void *addr;
	int fd;

	(void)state;
	library_handler_back();
	assert_int_equal(daxdev_read(dev, LOST_OFF, buf, sizeof(buf)), -ESTALE);
	path_of(path, sizeof(path), "remember");
	fd = open(path, O_RDWR);
	assert_int_equal(ftruncate(fd, FILE_SIZE), 0);
	close(fd);
	assert_int_equal(daxdev_read(dev, LOST_OFF + 4096, buf, sizeof(buf)), -ESTALE);
	expect_msg("remembered as bad");
	expect_msg("not touched");
	assert_int_equal(daxdev_write(dev, 20000, buf, sizeof(buf)), -ESTALE);
	assert_int_equal(daxdev_flush_range(dev, 16384, 1), -ESTALE);
	assert_int_equal(daxdev_direct_access(dev, 4, 1, &addr), -ESTALE);
	/* The good pages before it are still handed out, and only them. */
	assert_int_equal(daxdev_direct_access(dev, 0, 100, &addr), 4);
	/* A read that ends before the bad range is untouched by it (what the
	 * truncation kept of the page: 12288 + 57 = KEEP). */
	expect_intact(dev, 0, 4096);
	expect_intact(dev, 12288, KEEP - 12288);
	daxdev_put(dev);
}

/* The remembered range is listed as a bad block found by a guarded access,
 * and clearing it (once the file is long enough again) forgets it. */
static void test_badblock_seen(void **state)
{
	struct daxdev *dev = open_truncated("seen", 0, true);
	struct daxdev_badblock bb = DAXDEV_BADBLOCK_INIT;
	unsigned char buf[64];
	char path[4200];
	int fd;

	(void)state;
	library_handler_back();
	assert_int_equal(daxdev_badblock_next(dev, 0, &bb), -ENODATA);
	assert_int_equal(daxdev_read(dev, LOST_OFF, buf, sizeof(buf)), -ESTALE);
	assert_int_equal(daxdev_badblock_next(dev, 0, &bb), 0);
	assert_int_equal(bb.offset, 16384);
	assert_int_equal(bb.length, FILE_SIZE - 16384);
	assert_int_equal(bb.error, -ESTALE);
	assert_int_equal(bb.flags, DAXDEV_BADBLOCK_SEEN);
	assert_int_equal(daxdev_badblock_next(dev, FILE_SIZE, &bb), -ENODATA);
	/* Not ours to extend the file again. */
	assert_int_equal(daxdev_badblock_clear(dev, 16384, 8192), -ESTALE);
	expect_msg("past its end");
	path_of(path, sizeof(path), "seen");
	fd = open(path, O_RDWR);
	assert_int_equal(ftruncate(fd, FILE_SIZE), 0);
	close(fd);
	/* Clearing part of the range splits what is remembered. */
	assert_int_equal(daxdev_badblock_clear(dev, 16384, 8192), 0);
	assert_int_equal(daxdev_badblock_next(dev, 0, &bb), 0);
	assert_int_equal(bb.offset, 16384 + 8192);
	assert_int_equal(daxdev_read(dev, 16384, buf, sizeof(buf)), 0);
	assert_int_equal(buf[0], 0);
	assert_int_equal(daxdev_read(dev, 16384 + 8192, buf, sizeof(buf)), -ESTALE);
	assert_int_equal(daxdev_badblock_clear(dev, 0, FILE_SIZE), 0);
	assert_int_equal(daxdev_badblock_next(dev, 0, &bb), -ENODATA);
	assert_int_equal(daxdev_read(dev, LOST_OFF, buf, sizeof(buf)), 0);
	daxdev_put(dev);
}

/* Composites and the crash simulator: the same errors through them. */
static void shorten(const char *name)
{
	char path[4200];
	int fd;

	path_of(path, sizeof(path), name);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, KEEP), 0);
	close(fd);
}

static void test_composite_and_crashsim(void **state)
{
	unsigned char buf[64] = { 1 };
	char target[9000], pa[4200], pb[4200];
	struct daxdev *lin, *sim;

	(void)state;
	library_handler_back();
	daxdev_put(open_truncated("member-a", 0, false));
	daxdev_put(open_truncated("member-b", 0, false));
	path_of(pa, sizeof(pa), "member-a");
	path_of(pb, sizeof(pb), "member-b");
	snprintf(target, sizeof(target), "linear:%s,%s", pa, pb);
	assert_int_equal(daxdev_open(target, NULL, &lin), 0);
	snprintf(target, sizeof(target), "crashsim:%s", pb);
	assert_int_equal(daxdev_open(target, NULL, &sim), 0);
	shorten("member-b");
	/* Member b's first pages survive; past them the backing is gone. */
	assert_int_equal(daxdev_read(lin, FILE_SIZE + LOST_OFF, buf, sizeof(buf)), -ESTALE);
	expect_msg("offset 1114112");
	assert_int_equal(daxdev_write(lin, FILE_SIZE + LOST_OFF + 8192, buf, sizeof(buf)), -ESTALE);
	expect_msg("linear member 2");
	assert_int_equal(daxdev_zero(lin, 2 * FILE_SIZE - 4096, 4096), -ESTALE);
	expect_intact(lin, 4096, 4096);
	assert_int_equal(daxdev_read(lin, FILE_SIZE, buf, sizeof(buf)), 0);
	daxdev_put(lin);
	/* The simulator's offset I/O is guarded too (its own crash is not). */
	assert_int_equal(daxdev_write(sim, LOST_OFF, buf, sizeof(buf)), -ESTALE);
	assert_int_equal(daxdev_read(sim, LOST_OFF + 4096, buf, sizeof(buf)), -ESTALE);
	daxdev_put(sim);
}

/* --- pointer calls --------------------------------------------------------- */

static void test_pointer_guarded(void **state)
{
	struct daxdev *dev = open_truncated("ptr", 0, true);
	char buf[128] = "x";
	char *base;

	(void)state;
	library_handler_back();
	assert_int_equal(daxdev_direct_access(dev, 0, 256, (void **)&base), 256);
	assert_int_equal(daxdev_memcpy_mcsafe(dev, buf, base + LOST_OFF, sizeof(buf)), -ESTALE);
	expect_msg("daxdev_memcpy_mcsafe");
	expect_msg("offset 65536");
	assert_int_equal(daxdev_memcpy(dev, base + LOST_OFF, buf, 8, DAXDEV_F_GUARDED), -ESTALE);
	expect_msg("remembered");
	assert_int_equal(daxdev_memset(dev, base + 200000, 0, 8, DAXDEV_F_GUARDED), -ESTALE);
	assert_int_equal(daxdev_memmove(dev, base + 300000, base, 8, DAXDEV_F_GUARDED), -ESTALE);
	/* The fused copy and CRC: the fault is an error, the CRC untouched. */
	static char page[4096];
	uint32_t crc = 5;
	memset(page, 0x5a, sizeof(page));
	assert_int_equal(daxdev_memcpy_crc32c(dev, base + 409600, page, sizeof(page),
					      DAXDEV_F_GUARDED, &crc), -ESTALE);
	expect_msg("daxdev_memcpy_crc32c");
	assert_int_equal(crc, 5);
	assert_int_equal(daxdev_memcpy_crc32c(dev, base + 4096, page, sizeof(page),
					      DAXDEV_F_GUARDED, &crc), 0);
	assert_int_equal(crc, daxdev_crc32c(5, page, sizeof(page)));
	assert_memory_equal(base + 4096, page, sizeof(page));
	/* Good memory: the guarded calls work as the plain ones. */
	assert_int_equal(daxdev_memcpy_mcsafe(dev, buf, base + 100, 64), 0);
	assert_int_equal(daxdev_memcpy(dev, base + 64, buf, 64, DAXDEV_F_GUARDED), 0);
	assert_int_equal(daxdev_memmove(dev, base + 96, base + 64, 64, DAXDEV_F_GUARDED), 0);
	assert_int_equal(daxdev_memset(dev, base, 7, 64, DAXDEV_F_GUARDED), 0);
	assert_int_equal(base[0], 7);
	assert_memory_equal(base + 96, buf, 64);
	daxdev_put(dev);
}

/* --- daxdev_guarded_call: one guard around a function ---------------------- */

struct guarded_job {
	struct daxdev *dev;
	char *base;
	uint64_t at;          /* where to fault, or 0 */
	int how;              /* 0 plain daxdev_memcpy, 1 own load, 2 nested call */
	int before, after;    /* steps reached */
};

static int guarded_job(void *arg)
{
	struct guarded_job *j = arg;
	static const char word[8] = "written";

	j->before++;
	assert_int_equal(daxdev_memcpy(j->dev, j->base + 64, word, sizeof(word), 0), 0);
	if (j->how == 0 && j->at)
		daxdev_memcpy(j->dev, j->base + j->at, word, sizeof(word), 0);
	if (j->how == 1 && j->at)
		(void)*(volatile char *)(j->base + j->at);
	if (j->how == 2) {
		struct guarded_job inner = { .dev = j->dev, .base = j->base, .at = j->at };
		assert_int_equal(daxdev_guarded_call(j->dev, guarded_job, &inner), -ESTALE);
		assert_int_equal(inner.before, 1);
		assert_int_equal(inner.after, 0);
	}
	j->after++;
	return 42;
}

static void test_guarded_call(void **state)
{
	struct daxdev *dev = open_truncated("gcall", 0, true), *vol[2], *comp;
	struct guarded_job j = { .dev = dev };

	(void)state;
	library_handler_back();
	assert_int_equal(daxdev_direct_access(dev, 0, 256, (void **)&j.base), 256);
	/* Good memory: fn's value, its stores made. */
	assert_int_equal(daxdev_guarded_call(dev, guarded_job, &j), 42);
	assert_int_equal(j.after, 1);
	assert_memory_equal(j.base + 64, "written", 8);
	/* A plain pointer call faults (a provider-flush device: the store runs
	 * under the call's frame, not the provider's paused guard). */
	j = (struct guarded_job){ .dev = dev, .base = j.base, .at = LOST_OFF };
	assert_int_equal(daxdev_guarded_call(dev, guarded_job, &j), -ESTALE);
	assert_int_equal(j.before, 1);
	assert_int_equal(j.after, 0);
	expect_msg("daxdev_guarded_call");
	expect_msg("offset 65536");
	/* fn's own load, elsewhere in the lost part. */
	j = (struct guarded_job){ .dev = dev, .base = j.base, .at = LOST_OFF + 8 * 4096, .how = 1 };
	assert_int_equal(daxdev_guarded_call(dev, guarded_job, &j), -ESTALE);
	assert_int_equal(j.after, 0);
	expect_msg("offset 98304");
	/* Nested: the inner call returns the error, the outer one goes on. */
	j = (struct guarded_job){ .dev = dev, .base = j.base, .at = LOST_OFF + 16 * 4096, .how = 2 };
	assert_int_equal(daxdev_guarded_call(dev, guarded_job, &j), 42);
	assert_int_equal(j.after, 1);
	/* Bad arguments. */
	assert_int_equal(daxdev_guarded_call(NULL, guarded_job, &j), -EINVAL);
	assert_int_equal(daxdev_guarded_call(dev, NULL, &j), -EINVAL);
	expect_msg("NULL function");
	/* A composite has no single mapping. */
	assert_int_equal(daxdev_new_volatile(1 << 20, &vol[0]), 0);
	assert_int_equal(daxdev_new_volatile(1 << 20, &vol[1]), 0);
	assert_int_equal(daxdev_linear_new(vol, 2, &comp), 0);
	assert_int_equal(daxdev_guarded_call(comp, guarded_job, &j), -EOPNOTSUPP);
	expect_msg("not one mapping");
	daxdev_put(comp);
	daxdev_put(vol[0]);
	daxdev_put(vol[1]);
	daxdev_kill(dev);
	assert_int_equal(daxdev_guarded_call(dev, guarded_job, &j), -ENXIO);
	daxdev_put(dev);
}

/* --- a memory error, delivered by an application handler that chains ------ */

static struct sigaction chained_prev;
static volatile sig_atomic_t app_calls;

/* An application handler installed after the open, as a well-behaved one
 * would be: it chains to what was there.  This one also rewrites the code to
 * a machine-check error, which no host kernel here can raise (MADV_HWPOISON
 * needs CONFIG_MEMORY_FAILURE: the vm suite tests the real thing). */
static void as_memory_error(int sig, siginfo_t *si, void *uc)
{
	app_calls++;
	si->si_code = BUS_MCEERR_AR;
	si->si_addr_lsb = 12;
	chained_prev.sa_sigaction(sig, si, uc);
}

static void test_memory_error(void **state)
{
	struct daxdev *dev = open_truncated("mce", 0, true);
	struct sigaction sa = { .sa_sigaction = as_memory_error, .sa_flags = SA_SIGINFO };
	unsigned char buf[64];

	(void)state;
	library_handler_back();
	assert_int_equal(sigaction(SIGBUS, &sa, &chained_prev), 0);
	assert_true(chained_prev.sa_flags & SA_SIGINFO);
	app_calls = 0;
	assert_int_equal(daxdev_read(dev, LOST_OFF + 100, buf, sizeof(buf)), -EIO);
	assert_int_equal(app_calls, 1);
	expect_msg("memory error, BUS_MCEERR_AR");
	expect_msg("offset 65636");
	/* A media error remembers its page only. */
	expect_msg("[65536, +4096)");
	assert_int_equal(daxdev_read(dev, LOST_OFF, buf, sizeof(buf)), -EIO);
	assert_int_equal(app_calls, 1);     /* refused without touching */
	/* The next page faults anew. */
	assert_int_equal(daxdev_read(dev, LOST_OFF + 4096, buf, 8), -EIO);
	assert_int_equal(app_calls, 2);
	assert_int_equal(sigaction(SIGBUS, &chained_prev, NULL), 0);
	expect_intact(dev, 4096, 4096);
	daxdev_put(dev);
}

/* --- threads -------------------------------------------------------------- */

struct worker {
	struct daxdev *dev;
	int index;
	int errors;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	unsigned char got[512], want[512];

	for (int i = 0; i < 200; i++) {
		uint64_t bad = LOST_OFF + (uint64_t)((i * NTHREADS + w->index) % 200) * 4096;
		uint64_t good = (uint64_t)((i + w->index) % 20) * 512;
		if (daxdev_read(w->dev, bad, got, sizeof(got)) != -ESTALE)
			w->errors++;
		if (daxdev_read(w->dev, good, got, sizeof(got)))
			w->errors++;
		pattern(want, sizeof(want), good);
		w->errors += memcmp(got, want, sizeof(got)) != 0;
	}
	return NULL;
}

/* Many threads fault at once, each on its own recovery point; the device is
 * a fresh one per round so that faults, not remembered ranges, answer. */
static void test_threads(void **state)
{
	pthread_t t[NTHREADS];
	struct worker w[NTHREADS];

	(void)state;
	library_handler_back();
	for (int round = 0; round < 3; round++) {
		struct daxdev *dev = open_truncated("threads", 0, true);
		for (int i = 0; i < NTHREADS; i++) {
			w[i] = (struct worker){ .dev = dev, .index = i };
			assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
		}
		for (int i = 0; i < NTHREADS; i++) {
			assert_int_equal(pthread_join(t[i], NULL), 0);
			assert_int_equal(w[i].errors, 0);
		}
		daxdev_put(dev);
	}
}

/* --- SIGBUS chaining: each case is a fresh process (tests/test_faults.c
 * run with a mode), so that the order of handler installation is real ---- */

static int run_child(const char *mode, const char *env)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (env)
			putenv((char *)env);
		/* Under ASan: no sanitizer SIGBUS handler in front (a death by
		 * SIGBUS is the point), and no leak report from children that
		 * exit with devices open on purpose. */
		putenv((char *)"ASAN_OPTIONS=handle_sigbus=0:detect_leaks=0");
		execl(exe, exe, "--child", mode, dir, (char *)NULL);
		/* Under QEMU user mode (the arm64 stage) the kernel cannot run
		 * the program itself: run it through meson's exe wrapper. */
		if (getenv("MESON_EXE_WRAPPER"))
			execl("/bin/sh", "sh", "-c", "exec $MESON_EXE_WRAPPER \"$0\" --child \"$1\" \"$2\"",
			      exe, mode, dir, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return -WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void test_chain_default(void **state)
{
	(void)state;
	library_handler_back();
	/* No handler: an unguarded fault kills with SIGBUS, as without us. */
	assert_int_equal(run_child("unguarded-touch", NULL), -SIGBUS);
	/* The guard off: even offset I/O dies as it did before. */
	assert_int_equal(run_child("read-no-guard-option", NULL), -SIGBUS);
	assert_int_equal(run_child("read", "DAXDEV_SIGBUS_GUARD=0"), -SIGBUS);
	assert_int_equal(run_child("read", NULL), 0);
	/* SIG_IGN cannot ignore a fault: the kernel kills, and so do we. */
	assert_int_equal(run_child("ignored-touch", NULL), -SIGBUS);
	/* A fault on the caller's own buffer is not the device's. */
	assert_int_equal(run_child("bad-user-buffer", NULL), -SIGBUS);
}

static void test_chain_app_handler(void **state)
{
	(void)state;
	library_handler_back();
	/* Installed before the first open: gets the unguarded fault with the
	 * original siginfo (it checks si_addr and si_code, exits 42). */
	assert_int_equal(run_child("handler-before", NULL), 42);
	/* Installed after, chaining: guarded reads still recover (it exits 0
	 * after checking), an unguarded fault reaches it and then, through the
	 * chain, the default action. */
	assert_int_equal(run_child("handler-after", NULL), 0);
	assert_int_equal(run_child("handler-after-touch", NULL), -SIGBUS);
	/* A plain (non-SA_SIGINFO) handler with SA_RESETHAND: called once,
	 * then the repeated fault kills. */
	assert_int_equal(run_child("plain-handler", NULL), -SIGBUS);
	/* The guard off by option, handler before: the app sees the fault of
	 * offset I/O itself. */
	assert_int_equal(run_child("handler-no-guard", NULL), 42);
}

/* --- the child side ------------------------------------------------------ */

static void *child_lost_addr;

static void app_sigaction(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	/* exit 42 if the signal is the original one, 41 otherwise */
	_exit(si->si_code == BUS_ADRERR && si->si_addr == child_lost_addr ? 42 : 41);
}

/* Returns: the fault repeats, and with SA_RESETHAND honoured the second one
 * meets the default action. */
static void app_plain(int sig)
{
	if (sig != SIGBUS || ++app_calls > 1)
		_exit(44);
}

static int child_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", daxdev_errormsg());
	return 1;
}

static struct daxdev *child_open(unsigned flags)
{
	struct daxdev *dev = open_truncated("child", flags, true);
	char *base;

	daxdev_direct_access(dev, 0, 1, (void **)&base);
	child_lost_addr = base + LOST_OFF;
	return dev;
}

static void install(void (*h)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = { .sa_sigaction = h, .sa_flags = SA_SIGINFO | flags };

	sigaction(SIGBUS, &sa, &chained_prev);
}

static void app_chaining(int sig, siginfo_t *si, void *uc)
{
	app_calls++;
	chained_prev.sa_sigaction(sig, si, uc);
}

static int child_touch(void)
{
	return *(volatile char *)child_lost_addr;
}

static int child_bad_user_buffer(void)
{
	struct daxdev *dev = open_truncated("child", 0, false);
	char path[4200];
	char *p;
	int fd;

	path_of(path, sizeof(path), "user-buffer");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 8192))
		return 2;
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || ftruncate(fd, 0))
		return 3;
	daxdev_write(dev, 0, p, 4096); /* the source faults: not ours */
	return 4;
}

static int child_main(const char *mode)
{
	unsigned char buf[64];
	struct daxdev *dev;
	int rc;

	if (!strcmp(mode, "unguarded-touch")) {
		child_open(0);
		return child_touch();
	}
	if (!strcmp(mode, "read-no-guard-option")) {
		dev = child_open(DAXDEV_OPEN_NO_SIGBUS_GUARD);
		return daxdev_read(dev, LOST_OFF, buf, 8) ? 5 : 6;
	}
	if (!strcmp(mode, "read")) {
		dev = child_open(0);
		rc = daxdev_read(dev, LOST_OFF, buf, 8);
		return rc == -ESTALE ? 0 : child_fail("read gave %d", rc);
	}
	if (!strcmp(mode, "ignored-touch")) {
		signal(SIGBUS, SIG_IGN);
		child_open(0);
		return child_touch();
	}
	if (!strcmp(mode, "bad-user-buffer"))
		return child_bad_user_buffer();
	if (!strcmp(mode, "handler-before") || !strcmp(mode, "handler-no-guard")) {
		install(app_sigaction, 0);
		if (!strcmp(mode, "handler-before")) {
			child_open(0);
			return child_touch();
		}
		dev = child_open(DAXDEV_OPEN_NO_SIGBUS_GUARD);
		return daxdev_read(dev, LOST_OFF, buf, 8) ? 5 : 6;
	}
	if (!strcmp(mode, "handler-after") || !strcmp(mode, "handler-after-touch")) {
		dev = child_open(0);
		install(app_chaining, 0);
		rc = daxdev_read(dev, LOST_OFF, buf, 8);
		if (rc != -ESTALE || app_calls != 1)
			return child_fail("read gave %d, handler called %d times", rc, (int)app_calls);
		return strcmp(mode, "handler-after") ? child_touch() : 0;
	}
	if (!strcmp(mode, "plain-handler")) {
		struct sigaction sa = { .sa_handler = app_plain, .sa_flags = SA_RESETHAND };
		sigaction(SIGBUS, &sa, NULL);
		child_open(0);
		return child_touch();
	}
	return 126;
}

/* --- main ---------------------------------------------------------------- */

static int take_library_handler(void)
{
	struct daxdev *dev;

	if (daxdev_open("anon:4K", NULL, &dev))
		return -1;
	daxdev_put(dev);
	return sigaction(SIGBUS, NULL, &library_handler);
}

static int cleanup(void **state)
{
	char cmd[200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_truncated),
		cmocka_unit_test(test_write_truncated),
		cmocka_unit_test(test_zero_truncated),
		cmocka_unit_test(test_remembered),
		cmocka_unit_test(test_badblock_seen),
		cmocka_unit_test(test_composite_and_crashsim),
		cmocka_unit_test(test_pointer_guarded),
		cmocka_unit_test(test_guarded_call),
		cmocka_unit_test(test_memory_error),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_chain_default),
		cmocka_unit_test(test_chain_app_handler),
	};

	if (argc == 4 && !strcmp(argv[1], "--child")) {
		snprintf(dir, sizeof(dir), "%s", argv[3]);
		return child_main(argv[2]);
	}
	if (!mkdtemp(dir) || readlink("/proc/self/exe", exe, sizeof(exe) - 1) < 0 ||
	    take_library_handler())
		return 1;
	return cmocka_run_group_tests(tests, NULL, cleanup);
}
