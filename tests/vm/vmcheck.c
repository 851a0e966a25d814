/* vmcheck: guest-side checker of the vm suite: open a real target, assert its info, run I/O on the live mapping. */
/*
 * usage:
 *   vmcheck TARGET [--size SIZE] [--create] [expectations] [--no-io]
 *   vmcheck TARGET [--size SIZE] [--create] --write-pattern SEED [--pattern-len LEN]
 *   vmcheck TARGET --verify-pattern SEED [--pattern-len LEN]
 *   vmcheck --scan-raw FILE --seed SEED --pattern-len LEN     (host side)
 * expectations:
 *   --expect-provider NAME       info.provider
 *   --expect-persistence NAME    persistent | volatile | unknown
 *   --expect-write-cache 0|1
 *   --expect-flush NAME          a flush_impl name, or any-cpu-flush: one of
 *                                clwb/clflushopt/clflush and the strongest that
 *                                /proc/cpuinfo lists
 *   --expect-drain NAME
 *   --expect-align N
 *   --expect-info TEXT           TEXT occurs (any case) in daxdev_format_info()
 * Every failed check prints "FAIL: ..."; exit status 1 if any failed.
 *
 * The pattern is a function of (seed, offset) whose every 4 KiB block starts
 * with a header (magic, seed, block index, block count), so that the host can
 * find the blocks in a backing file wherever the guest's filesystem or
 * namespace layout put them.
 */
#include <daxdev.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define BLK 4096u
#define HDR 32u
static const char magic[8] = "DXPATv1";

static int failures;
static int checks;

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

#define CHECK(cond, ...) do { checks++; if (!(cond)) fail(__VA_ARGS__); } while (0)
#define CHECK_RC(call, want) do { \
		long rc_ = (call); \
		checks++; \
		if (rc_ != (want)) \
			fail("%s = %ld, want %ld (%s) [line %d]", #call, rc_, \
			     (long)(want), daxdev_errormsg(), __LINE__); \
	} while (0)

/* ---- pattern ---- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static void pattern_block(uint64_t seed, uint64_t idx, uint64_t nblocks, unsigned char *b)
{
	memcpy(b, magic, 8);
	memcpy(b + 8, &seed, 8);
	memcpy(b + 16, &idx, 8);
	memcpy(b + 24, &nblocks, 8);
	for (unsigned i = HDR; i < BLK; i += 8) {
		uint64_t v = mix64(seed * 0x9e3779b97f4a7c15ULL + idx * BLK + i);
		memcpy(b + i, &v, 8);
	}
}

/* Fill buf with the pattern bytes of [off, off+len). */
static void pattern_range(uint64_t seed, uint64_t nblocks, uint64_t off, unsigned char *buf,
			  size_t len)
{
	unsigned char blk[BLK];

	while (len) {
		uint64_t idx = off / BLK, in = off % BLK;
		size_t n = BLK - in < len ? BLK - in : len;

		pattern_block(seed, idx, nblocks, blk);
		memcpy(buf, blk + in, n);
		buf += n;
		off += n;
		len -= n;
	}
}

/* Write the pattern through three different paths: daxdev_write in odd-sized
 * pieces, daxdev_writev, and direct_access + daxdev_memcpy (non-temporal and
 * temporal).  Every call reports durability on return; nothing else syncs. */
static int write_pattern(struct daxdev *dev, uint64_t seed, uint64_t len)
{
	uint64_t nblocks = len / BLK, third = len / 3 / BLK * BLK;
	unsigned char *buf = malloc(len);
	int rc;

	if (!buf)
		return -ENOMEM;
	pattern_range(seed, nblocks, 0, buf, len);
	/* 1: daxdev_write, pieces of 1, 3001, 65537... bytes. */
	static const size_t pieces[] = { 1, 3001, 65537, 7, 131072 + 5 };
	uint64_t off = 0;
	for (unsigned i = 0; off < third; i = (i + 1) % 5) {
		size_t n = pieces[i] < third - off ? pieces[i] : third - off;
		rc = daxdev_write(dev, off, buf + off, n);
		if (rc) {
			fail("daxdev_write(%" PRIu64 ", %zu) = %d (%s)", off, n, rc, daxdev_errormsg());
			goto out;
		}
		off += n;
	}
	/* 2: daxdev_writev, 3 iovecs per call. */
	while (off < 2 * third) {
		size_t n = 2 * third - off < 300000 ? 2 * third - off : 300000;
		struct iovec iov[3] = {
			{ buf + off, n / 3 }, { buf + off + n / 3, 1 },
			{ buf + off + n / 3 + 1, n - n / 3 - 1 },
		};
		rc = daxdev_writev(dev, off, iov, 3, 0);
		if (rc) {
			fail("daxdev_writev(%" PRIu64 ") = %d (%s)", off, rc, daxdev_errormsg());
			goto out;
		}
		off += n;
	}
	/* 3: direct_access + daxdev_memcpy, alternating flags. */
	uint64_t align = daxdev_align(dev);
	unsigned k = 0;
	while (off < len) {
		void *addr;
		long nr = daxdev_direct_access(dev, off / align, 1, &addr);
		if (nr < 1) {
			rc = nr < 0 ? (int)nr : -EIO;
			fail("daxdev_direct_access(%" PRIu64 ") = %ld (%s)", off / align, nr,
			     daxdev_errormsg());
			goto out;
		}
		uint64_t in = off % align, n = align - in < len - off ? align - in : len - off;
		unsigned flags = (k++ % 2) ? DAXDEV_F_TEMPORAL : DAXDEV_F_NONTEMPORAL;
		rc = daxdev_memcpy(dev, (char *)addr + in, buf + off, n, flags);
		if (rc) {
			fail("daxdev_memcpy(off %" PRIu64 ") = %d (%s)", off, rc, daxdev_errormsg());
			goto out;
		}
		off += n;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

static int verify_pattern(struct daxdev *dev, uint64_t seed, uint64_t len)
{
	uint64_t nblocks = len / BLK, bad = 0, first = 0;
	unsigned char want[BLK], got[BLK];

	for (uint64_t idx = 0; idx < nblocks; idx++) {
		int rc = daxdev_read(dev, idx * BLK, got, BLK);
		if (rc) {
			fail("daxdev_read(%" PRIu64 ") = %d (%s)", idx * BLK, rc, daxdev_errormsg());
			return rc;
		}
		pattern_block(seed, idx, nblocks, want);
		for (unsigned i = 0; i < BLK; i++) {
			if (got[i] != want[i]) {
				if (!bad)
					first = idx * BLK + i;
				bad++;
			}
		}
	}
	checks++;
	if (bad) {
		fail("pattern seed %" PRIu64 ": %" PRIu64 " of %" PRIu64
		     " bytes differ, first at offset %" PRIu64, seed, bad, len, first);
		return -EIO;
	}
	printf("pattern seed %" PRIu64 ": all %" PRIu64 " bytes verified\n", seed, len);
	return 0;
}

/* Host side: find the pattern's blocks in a backing file. */
static int scan_raw(const char *path, uint64_t seed, uint64_t len)
{
	uint64_t nblocks = len / BLK, found = 0, dup = 0, corrupt = 0, first_off = UINT64_MAX;
	unsigned char *seen = calloc(nblocks ? nblocks : 1, 1);
	unsigned char got[BLK], want[BLK];
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !seen) {
		fail("open %s: %s", path, strerror(errno));
		return 1;
	}
	for (uint64_t off = 0;; off += BLK) {
		ssize_t n = pread(fd, got, BLK, (off_t)off);
		if (n < (ssize_t)BLK)
			break;
		uint64_t s, idx, nb;
		if (memcmp(got, magic, 8))
			continue;
		memcpy(&s, got + 8, 8);
		memcpy(&idx, got + 16, 8);
		memcpy(&nb, got + 24, 8);
		if (s != seed || nb != nblocks || idx >= nblocks)
			continue;
		pattern_block(seed, idx, nblocks, want);
		if (memcmp(got, want, BLK)) {
			corrupt++;
			continue;
		}
		if (idx == 0)
			first_off = off;
		if (seen[idx]++)
			dup++;
		else
			found++;
	}
	close(fd);
	free(seen);
	printf("%s: %" PRIu64 " of %" PRIu64 " pattern blocks found intact (block 0 at file offset %"
	       PRIu64 "), %" PRIu64 " corrupt, %" PRIu64 " duplicates\n",
	       path, found, nblocks, first_off, corrupt, dup);
	CHECK(found == nblocks && corrupt == 0, "backing file %s lacks %" PRIu64 " pattern blocks",
	      path, nblocks - found);
	return failures ? 1 : 0;
}

/* ---- info expectations ---- */

struct expect {
	const char *provider, *persistence, *flush, *drain;
	int write_cache;
	long long align;
	const char *info[8];
	int ninfo;
};

static const char *best_cpu_flush(void)
{
	static char line[8192];
	const char *best = NULL;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		/* pad with spaces to match whole words */
		char *p = line;
		if (strstr(p, " clwb"))
			best = "clwb";
		else if (strstr(p, " clflushopt"))
			best = "clflushopt";
		else if (strstr(p, " clflush"))
			best = "clflush";
		break;
	}
	fclose(f);
	return best;
}

static void check_info(struct daxdev *dev, const struct expect *e)
{
	struct daxdev_info i = DAXDEV_INFO_INIT;
	static char text[16384];
	int rc = daxdev_get_info(dev, &i);

	CHECK(rc == 0, "daxdev_get_info = %d (%s)", rc, daxdev_errormsg());
	if (rc)
		return;
	rc = daxdev_format_info(dev, text, sizeof(text));
	CHECK(rc > 0, "daxdev_format_info = %d", rc);
	printf("--- info ---\n%s%s------------\n", text,
	       rc > 0 && text[strlen(text) - 1] == '\n' ? "" : "\n");
	CHECK(i.size == daxdev_size(dev) && i.size > 0, "info.size %" PRIu64 " vs daxdev_size %" PRIu64,
	      i.size, daxdev_size(dev));
	CHECK(i.align && !(i.align & (i.align - 1)) && i.size % i.align == 0,
	      "align %" PRIu64 " not a power of two dividing size", i.align);
	CHECK(daxdev_write_cache(dev) == (int)i.write_cache, "daxdev_write_cache() disagrees with info");
	if (e->provider)
		CHECK(!strcmp(i.provider, e->provider), "provider '%s', want '%s'", i.provider,
		      e->provider);
	if (e->persistence)
		CHECK(!strcmp(daxdev_persistence_name(i.persistence), e->persistence),
		      "persistence '%s', want '%s' (reason: %s)",
		      daxdev_persistence_name(i.persistence), e->persistence, i.persistence_reason);
	if (e->write_cache >= 0)
		CHECK((int)i.write_cache == e->write_cache, "write cache %d, want %d (reason: %s)",
		      i.write_cache, e->write_cache, i.write_cache_reason);
	if (e->align >= 0)
		CHECK(i.align == (uint64_t)e->align, "align %" PRIu64 ", want %lld", i.align, e->align);
	if (e->drain)
		CHECK(!strcmp(i.drain_impl, e->drain), "drain '%s', want '%s'", i.drain_impl, e->drain);
	if (e->flush && !strcmp(e->flush, "any-cpu-flush")) {
		const char *best = best_cpu_flush();
		printf("guest CPU's strongest cache flush: %s; library chose: %s\n",
		       best ? best : "(none listed)", i.flush_impl);
		CHECK(!strcmp(i.flush_impl, "clwb") || !strcmp(i.flush_impl, "clflushopt") ||
		      !strcmp(i.flush_impl, "clflush"), "flush '%s', want a CPU cache flush",
		      i.flush_impl);
		if (best)
			CHECK(!strcmp(i.flush_impl, best), "flush '%s' but the CPU has %s",
			      i.flush_impl, best);
	} else if (e->flush) {
		CHECK(!strcmp(i.flush_impl, e->flush), "flush '%s', want '%s'", i.flush_impl, e->flush);
	}
	for (int k = 0; k < e->ninfo; k++)
		CHECK(strcasestr(text, e->info[k]) != NULL, "info does not mention '%s'", e->info[k]);
}

/* ---- the I/O set on the live mapping ---- */

static void fill_rand(unsigned char *b, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(mix64(seed + i) >> 11);
}

/* Read [off, off+len) back and compare with want; also compare the mapping. */
static void expect_bytes(struct daxdev *dev, uint64_t off, const unsigned char *want, size_t len,
			 const char *what)
{
	unsigned char *got = malloc(len);
	int rc;

	if (!got) {
		fail("out of memory");
		return;
	}
	rc = daxdev_read(dev, off, got, len);
	CHECK(rc == 0, "%s: daxdev_read(%" PRIu64 ", %zu) = %d (%s)", what, off, len, rc,
	      daxdev_errormsg());
	if (rc == 0) {
		size_t i = 0;
		while (i < len && got[i] == want[i])
			i++;
		CHECK(i == len, "%s: byte at offset %" PRIu64 " reads 0x%02x, want 0x%02x", what,
		      off + i, i < len ? got[i] : 0, i < len ? want[i] : 0);
	}
	free(got);
}

static void io_set(struct daxdev *dev)
{
	uint64_t size = daxdev_size(dev), align = daxdev_align(dev);
	size_t big = 1u << 20;
	unsigned char *a = malloc(big + 4096), *z = calloc(1, big + 4096);
	int before = failures;

	if (!a || !z) {
		fail("out of memory");
		return;
	}
	if (big > size / 4)
		big = size / 4;

	/* daxdev_write + read back at awkward places, last byte included. */
	struct { uint64_t off; size_t len; } w[] = {
		{ 0, 1 }, { 63, 130 }, { 4095, 2 }, { align - 1, 2 }, { align, 4096 },
		{ size / 2 + 17, 4096 + 17 }, { size - 4096, 4096 }, { size - 1, 1 },
		{ size - 65 - 3, 65 + 3 }, { 1u << 20, big },
	};
	for (unsigned k = 0; k < sizeof(w) / sizeof(w[0]); k++) {
		if (w[k].off + w[k].len > size)
			continue;
		fill_rand(a, w[k].len, 1000 + k);
		CHECK_RC(daxdev_write(dev, w[k].off, a, w[k].len), 0);
		expect_bytes(dev, w[k].off, a, w[k].len, "write");
		CHECK_RC(daxdev_flush_range(dev, w[k].off, w[k].len), 0);
	}

	/* writev: uneven iovecs across a page boundary. */
	{
		unsigned char p1[5], p2[4000], p3[300], all[sizeof(p1) + sizeof(p2) + sizeof(p3)];
		struct iovec iov[4] = { { p1, sizeof(p1) }, { NULL, 0 }, { p2, sizeof(p2) },
					{ p3, sizeof(p3) } };
		fill_rand(p1, sizeof(p1), 7);
		fill_rand(p2, sizeof(p2), 8);
		fill_rand(p3, sizeof(p3), 9);
		memcpy(all, p1, sizeof(p1));
		memcpy(all + sizeof(p1), p2, sizeof(p2));
		memcpy(all + sizeof(p1) + sizeof(p2), p3, sizeof(p3));
		CHECK_RC(daxdev_writev(dev, 3 * 4096 - 100, iov, 4, 0), 0);
		expect_bytes(dev, 3 * 4096 - 100, all, sizeof(all), "writev");
		CHECK_RC(daxdev_writev(dev, size - sizeof(all), iov, 4, 0), 0);
		expect_bytes(dev, size - sizeof(all), all, sizeof(all), "writev at end");
	}

	/* zero: only the range, neighbours intact, last byte included. */
	{
		uint64_t off = 8 * 4096 + 3;
		size_t len = 3 * 4096 + 5;
		memset(a, 0xa5, len + 2);
		CHECK_RC(daxdev_write(dev, off - 1, a, len + 2), 0);
		CHECK_RC(daxdev_zero(dev, off, len), 0);
		expect_bytes(dev, off, z, len, "zero");
		expect_bytes(dev, off - 1, a, 1, "byte before zeroed range");
		expect_bytes(dev, off + len, a, 1, "byte after zeroed range");
		memset(a, 0x5a, 4096);
		CHECK_RC(daxdev_write(dev, size - 4096, a, 4096), 0);
		CHECK_RC(daxdev_zero(dev, size - 10, 10), 0);
		expect_bytes(dev, size - 10, z, 10, "zero at end");
		expect_bytes(dev, size - 4096, a, 4096 - 10, "before zero at end");
	}

	/* direct_access, then pointer calls at several sizes and offsets. */
	{
		void *addr = NULL, *last = NULL;
		uint64_t npages = size / align;
		long nr = daxdev_direct_access(dev, 0, (long)npages, &addr);
		CHECK(nr >= 1 && nr <= (long)npages && addr, "direct_access(0) = %ld (%s)", nr,
		      daxdev_errormsg());
		nr = daxdev_direct_access(dev, npages - 1, 4, &last);
		CHECK(nr == 1 && last, "direct_access(last page, 4) = %ld, want 1 (%s)", nr,
		      daxdev_errormsg());
		CHECK_RC(daxdev_direct_access(dev, npages, 1, &last), -ERANGE);
		CHECK_RC(daxdev_direct_access(dev, npages + 1000, 1, &last), -ERANGE);
		if (addr) {
			static const size_t sizes[] = { 1, 7, 64, 100, 255, 4096, 4096 + 65, 65536 + 3 };
			static const unsigned flags[] = { 0, DAXDEV_F_NONTEMPORAL, DAXDEV_F_TEMPORAL,
							  DAXDEV_F_NODRAIN, DAXDEV_F_NOFLUSH };
			uint64_t off = 5 * align + 1;
			void *base = NULL;
			long got = daxdev_direct_access(dev, off / align, 32, &base);
			for (unsigned s = 0; got > 0 && s < sizeof(sizes) / sizeof(sizes[0]); s++) {
				for (unsigned f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
					uint64_t o = off + s * 3;
					if ((o % align) + sizes[s] > (uint64_t)got * align)
						continue;
					char *dst = (char *)base + (o % align);
					fill_rand(a, sizes[s], s * 10 + f);
					CHECK_RC(daxdev_memcpy(dev, dst, a, sizes[s], flags[f]), 0);
					if (flags[f] == DAXDEV_F_NODRAIN)
						CHECK_RC(daxdev_drain(dev), 0);
					if (flags[f] == DAXDEV_F_NOFLUSH)
						CHECK_RC(daxdev_flush(dev, dst, sizes[s]), 0);
					expect_bytes(dev, o, a, sizes[s], "memcpy");
					CHECK(!memcmp(dst, a, sizes[s]), "memcpy: mapping differs");
					memset(a, 0x3c ^ (int)f, sizes[s]);
					CHECK_RC(daxdev_memset(dev, dst, 0x3c ^ (int)f, sizes[s],
							       flags[f]), 0);
					if (flags[f] == DAXDEV_F_NOFLUSH)
						CHECK_RC(daxdev_flush(dev, dst, sizes[s]), 0);
					if (flags[f] == DAXDEV_F_NODRAIN)
						CHECK_RC(daxdev_drain(dev), 0);
					expect_bytes(dev, o, a, sizes[s], "memset");
				}
			}
			/* The last byte through the pointer interface. */
			if (last || daxdev_direct_access(dev, npages - 1, 1, &last) == 1) {
				char *lb = (char *)last + align - 1;
				unsigned char v = 0xe7;
				CHECK_RC(daxdev_memcpy(dev, lb, &v, 1, 0), 0);
				CHECK_RC(daxdev_flush(dev, lb, 1), 0);
				expect_bytes(dev, size - 1, &v, 1, "memcpy last byte");
			}
		}
	}

	/* Out of range. */
	{
		unsigned char b[16] = { 0 };
		struct iovec iov = { b, 2 };
		CHECK_RC(daxdev_write(dev, size, b, 1), -ERANGE);
		CHECK_RC(daxdev_write(dev, size - 1, b, 2), -ERANGE);
		CHECK_RC(daxdev_write(dev, UINT64_MAX - 2, b, 8), -ERANGE);
		CHECK_RC(daxdev_read(dev, size, b, 1), -ERANGE);
		CHECK_RC(daxdev_read(dev, size - 1, b, 2), -ERANGE);
		CHECK_RC(daxdev_writev(dev, size - 1, &iov, 1, 0), -ERANGE);
		CHECK_RC(daxdev_zero(dev, size - 1, 2), -ERANGE);
		CHECK_RC(daxdev_zero(dev, UINT64_MAX - 1, 4), -ERANGE);
		CHECK_RC(daxdev_flush_range(dev, size, 1), -ERANGE);
		CHECK_RC(daxdev_flush_range(dev, size - 1, 2), -ERANGE);
		/* The last byte itself is in range. */
		CHECK_RC(daxdev_read(dev, size - 1, b, 1), 0);
	}
	printf("I/O set: %s (size %" PRIu64 ", align %" PRIu64 ")\n",
	       failures == before ? "ok" : "FAILED", size, align);
	free(a);
	free(z);
}

static void usage(void)
{
	fprintf(stderr, "usage: vmcheck TARGET [--size S] [--create] [--expect-* ...] [--no-io]\n"
			"       vmcheck TARGET --write-pattern SEED|--verify-pattern SEED [--pattern-len L]\n"
			"       vmcheck --scan-raw FILE --seed SEED --pattern-len L\n");
	exit(2);
}

static uint64_t parse_num(const char *s)
{
	uint64_t v;

	if (daxdev_parse_size(s, &v)) {
		fprintf(stderr, "vmcheck: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct expect e = { .write_cache = -1, .align = -1 };
	const char *target = NULL, *scan = NULL;
	uint64_t size = 0, seed = 0, plen = 8u << 20;
	bool create = false, io = true;
	enum { M_CHECK, M_WRITE, M_VERIFY } mode = M_CHECK;
	struct daxdev *dev = NULL;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (!strcmp(a, name) && (v || (usage(), 0)) && ++i)
		if (ARG("--size"))
			size = parse_num(v);
		else if (!strcmp(a, "--create"))
			create = true;
		else if (!strcmp(a, "--no-io"))
			io = false;
		else if (ARG("--expect-provider"))
			e.provider = v;
		else if (ARG("--expect-persistence"))
			e.persistence = v;
		else if (ARG("--expect-write-cache"))
			e.write_cache = atoi(v);
		else if (ARG("--expect-flush"))
			e.flush = v;
		else if (ARG("--expect-drain"))
			e.drain = v;
		else if (ARG("--expect-align"))
			e.align = (long long)parse_num(v);
		else if (ARG("--expect-info")) {
			if (e.ninfo < 8)
				e.info[e.ninfo++] = v;
		} else if (ARG("--write-pattern")) {
			mode = M_WRITE;
			seed = strtoull(v, NULL, 0);
		} else if (ARG("--verify-pattern")) {
			mode = M_VERIFY;
			seed = strtoull(v, NULL, 0);
		} else if (ARG("--seed"))
			seed = strtoull(v, NULL, 0);
		else if (ARG("--pattern-len"))
			plen = parse_num(v) / BLK * BLK;
		else if (ARG("--scan-raw"))
			scan = v;
		else if (a[0] == '-')
			usage();
		else
			target = a;
	}
	if (scan)
		return scan_raw(scan, seed, plen);
	if (!target)
		usage();

	DAXDEV_OPEN_OPTS(opts, .size = size, .flags = create ? DAXDEV_OPEN_CREATE : 0);
	rc = daxdev_open(target, &opts, &dev);
	if (rc) {
		fail("open %s: %d (%s)", target, rc, daxdev_errormsg());
		return 1;
	}
	printf("opened %s: size %" PRIu64 ", align %" PRIu64 "\n", target, daxdev_size(dev),
	       daxdev_align(dev));
	switch (mode) {
	case M_CHECK:
		check_info(dev, &e);
		if (io)
			io_set(dev);
		break;
	case M_WRITE:
		CHECK(plen <= daxdev_size(dev), "pattern longer than the device");
		if (!failures && write_pattern(dev, seed, plen) == 0)
			printf("pattern seed %" PRIu64 ": %" PRIu64 " bytes written\n", seed, plen);
		break;
	case M_VERIFY:
		CHECK(plen <= daxdev_size(dev), "pattern longer than the device");
		if (!failures)
			verify_pattern(dev, seed, plen);
		break;
	}
	daxdev_put(dev);
	printf("vmcheck %s: %d checks, %d failed\n", target, checks, failures);
	return failures ? 1 : 0;
}
