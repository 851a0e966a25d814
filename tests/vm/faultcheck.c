/* faultcheck: guest-side checks of the vm suite for memory errors (MADV_HWPOISON) and files truncated under an open device. */
/*
 * usage:
 *   faultcheck hwpoison TARGET [--create]   poison pages of the device (anon:
 *                                           or a file on tmpfs): guarded calls
 *                                           give -EIO, the rest reads intact,
 *                                           clearing repairs
 *   faultcheck truncate PATH                a file truncated by another
 *                                           descriptor: -ESTALE, nothing dies
 *   faultcheck poison-page PATH OFFSET      poison one page of a file's page
 *                                           cache (for a later program)
 * Every failed check prints "FAIL: ..."; exit status 1 if any failed.
 */
#include <daxdev.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif
#define PAGE 4096u
#define SIZE (16u << 20)

static int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	failures++;
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Check rc == want and, when msg is given, that the message names it. */
static void expect(const char *what, int rc, int want, const char *msg)
{
	if (rc != want)
		fail("%s: %d, want %d (%s)", what, rc, want, daxdev_errormsg());
	else if (msg && !strstr(daxdev_errormsg(), msg))
		fail("%s: message '%s' lacks '%s'", what, daxdev_errormsg(), msg);
	else
		printf("ok: %s: %d %s\n", what, rc, rc ? daxdev_errormsg() : "");
	fflush(stdout);
}

static unsigned char pattern_byte(uint64_t off)
{
	return (unsigned char)(off * 13 + (off >> 12) + 1);
}

static void fill(struct daxdev *dev)
{
	static unsigned char buf[SIZE];

	for (uint64_t i = 0; i < SIZE; i++)
		buf[i] = pattern_byte(i);
	expect("write pattern", daxdev_write(dev, 0, buf, SIZE), 0, NULL);
}

/* Every page but the skipped ones reads back as written. */
static void verify_except(struct daxdev *dev, const uint64_t *skip, int nskip, uint64_t upto)
{
	static unsigned char buf[PAGE];
	uint64_t bad = 0;

	for (uint64_t off = 0; off < upto; off += PAGE) {
		bool skipped = false;
		for (int i = 0; i < nskip; i++)
			skipped |= skip[i] == off;
		if (skipped)
			continue;
		int rc = daxdev_read(dev, off, buf, PAGE);
		for (uint64_t i = 0; !rc && i < PAGE; i++)
			rc = buf[i] != pattern_byte(off + i);
		bad += rc != 0;
	}
	if (bad)
		fail("%" PRIu64 " good pages did not read back intact", bad);
	else
		printf("ok: every other page intact below %" PRIu64 "\n", upto);
}

static struct daxdev *open_target(const char *target, bool create)
{
	DAXDEV_OPEN_OPTS(opts, .size = SIZE, .flags = create ? DAXDEV_OPEN_CREATE : 0);
	struct daxdev *dev;

	if (daxdev_open(target, &opts, &dev)) {
		fail("open %s: %s", target, daxdev_errormsg());
		exit(1);
	}
	return dev;
}

static int poison(char *addr)
{
	if (madvise(addr, PAGE, MADV_HWPOISON)) {
		fail("madvise(MADV_HWPOISON) at %p: %s", (void *)addr, strerror(errno));
		return -1;
	}
	return 0;
}

static void check_listed(struct daxdev *dev, uint64_t off)
{
	struct daxdev_badblock bb = DAXDEV_BADBLOCK_INIT;
	int rc = daxdev_badblock_next(dev, off, &bb);

	if (rc || bb.offset != off || bb.error != -EIO || !(bb.flags & DAXDEV_BADBLOCK_SEEN))
		fail("badblock_next(%" PRIu64 "): rc %d, [%" PRIu64 ", +%" PRIu64 ") error %d flags %u",
		     off, rc, bb.offset, bb.length, bb.error, bb.flags);
	else
		printf("ok: listed [%" PRIu64 ", +%" PRIu64 ") -EIO seen\n", bb.offset, bb.length);
}

/* Poison four pages: offset read, offset write, pointer copy out, guarded
 * pointer store; each gives -EIO, the process lives, the rest is intact,
 * and clearing gives zeroed, usable pages. */
static int hwpoison(const char *target, bool create)
{
	const uint64_t p[4] = { 3 * PAGE, 100 * PAGE, 200 * PAGE, 300 * PAGE };
	struct daxdev *dev = open_target(target, create);
	unsigned char buf[64], zero[64] = { 0 };
	char *base;

	fill(dev);
	daxdev_direct_access(dev, 0, 1, (void **)&base);
	for (int i = 0; i < 4; i++)
		if (poison(base + p[i]))
			return 1;
	expect("read poisoned", daxdev_read(dev, p[0] + 100, buf, 64), -EIO, "offset 12388");
	expect("read poisoned again (remembered)", daxdev_read(dev, p[0], buf, 8), -EIO,
	       "remembered as bad");
	expect("write poisoned", daxdev_write(dev, p[1], buf, 64), -EIO, "BUS_MCEERR");
	expect("memcpy_mcsafe poisoned", daxdev_memcpy_mcsafe(dev, buf, base + p[2], 64), -EIO,
	       "offset 819200");
	expect("guarded memcpy poisoned",
	       daxdev_memcpy(dev, base + p[3], buf, 64, DAXDEV_F_GUARDED), -EIO, "offset 1228800");
	void *addr;
	expect("direct_access poisoned", (int)daxdev_direct_access(dev, 3, 1, &addr), -EIO, NULL);
	verify_except(dev, p, 4, SIZE);
	check_listed(dev, p[0]);
	for (int i = 0; i < 4; i++) {
		expect("clear", daxdev_badblock_clear(dev, p[i], PAGE), 0, NULL);
		expect("read cleared", daxdev_read(dev, p[i], buf, 64), 0, NULL);
		if (memcmp(buf, zero, 64))
			fail("cleared page %" PRIu64 " is not zero", p[i]);
	}
	verify_except(dev, p, 4, SIZE);
	daxdev_put(dev);
	return failures ? 1 : 0;
}

/* Another descriptor truncates the file; the first fault of each kind of
 * call happens on a device that has not remembered anything yet. */
static int truncated(const char *path)
{
	struct daxdev *a = open_target(path, true), *b, *c;
	unsigned char buf[64] = { 1 };
	const uint64_t none[1] = { UINT64_MAX };
	int fd;

	fill(a);
	b = open_target(path, false);
	c = open_target(path, false);
	fd = open(path, O_RDWR);
	if (fd < 0 || ftruncate(fd, 12345)) {
		fail("truncate %s: %s", path, strerror(errno));
		return 1;
	}
	close(fd);
	/* A flush touches the memory only where the write cache is on (not on
	 * tmpfs), and QEMU's TCG does not fault on clwb: 0 or -ESTALE, alive. */
	int rc = daxdev_flush_range(a, 100 * PAGE, 64);
	if (rc && rc != -ESTALE)
		fail("flush_range truncated: %d (%s)", rc, daxdev_errormsg());
	printf("ok: flush_range truncated: %d %s\n", rc, rc ? daxdev_errormsg() : "");
	expect("read truncated", daxdev_read(b, 1 << 20, buf, 64), -ESTALE, "offset 1048576");
	expect("flush_range truncated (remembered)", daxdev_flush_range(b, 100 * PAGE, 64), -ESTALE,
	       "remembered as bad");
	expect("write truncated", daxdev_write(c, 2 << 20, buf, 64), -ESTALE, "BUS_ADRERR");
	expect("zero truncated (remembered)", daxdev_zero(a, 5 * PAGE, PAGE), -ESTALE, NULL);
	verify_except(b, none, 0, 12288);
	daxdev_put(a);
	daxdev_put(b);
	daxdev_put(c);
	return failures ? 1 : 0;
}

/* Poison one page of the file's page cache through a plain mapping. */
static int poison_page(const char *path, const char *offset)
{
	uint64_t off = strtoull(offset, NULL, 0) & ~(uint64_t)(PAGE - 1);
	int fd = open(path, O_RDWR);
	volatile char *p;

	if (fd < 0) {
		fail("open %s: %s", path, strerror(errno));
		return 1;
	}
	p = mmap(NULL, off + PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fail("mmap %s: %s", path, strerror(errno));
		return 1;
	}
	(void)p[off];
	if (poison((char *)p + off))
		return 1;
	printf("ok: poisoned %s at %" PRIu64 "\n", path, off);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "hwpoison"))
		return hwpoison(argv[2], argc > 3 && !strcmp(argv[3], "--create"));
	if (argc == 3 && !strcmp(argv[1], "truncate"))
		return truncated(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "poison-page"))
		return poison_page(argv[2], argv[3]);
	fprintf(stderr, "usage: faultcheck hwpoison TARGET [--create] | truncate PATH | "
		"poison-page PATH OFFSET\n");
	return 2;
}
