/* Composite devices (linear, stripe): offset mapping at every boundary, split writes, flush routing, member kill, grammar, sharing by host. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <daxdev.h>
#include <daxdev/composite.h>
#include <daxdev/provider.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t page;

/* --- a counting provider: persistent memory with its own flush op -------- */

struct counting {
	char *mem;
	size_t len;
	atomic_long flush_calls;
	atomic_ulong flushed_bytes;
	atomic_long foreign_flushes;  /* addresses that were not its own */
};

static const struct daxdev_operations counting_ops;

static long counting_direct_access(struct daxdev *dev, uint64_t pgoff, long nr_pages,
				   void **addr)
{
	struct counting *c = daxdev_private(dev, &counting_ops);
	uint64_t align = daxdev_align(dev), pages = c->len / align;

	*addr = c->mem + pgoff * align;
	return (uint64_t)nr_pages > pages - pgoff ? (long)(pages - pgoff) : nr_pages;
}

static int counting_flush(struct daxdev *dev, const void *addr, size_t len)
{
	struct counting *c = daxdev_private(dev, &counting_ops);
	const char *a = addr;

	if (a < c->mem || a + len > c->mem + c->len)
		atomic_fetch_add(&c->foreign_flushes, 1);
	atomic_fetch_add(&c->flush_calls, 1);
	atomic_fetch_add(&c->flushed_bytes, len);
	return 0;
}

static void counting_release(struct daxdev *dev)
{
	struct counting *c = daxdev_private(dev, &counting_ops);

	munmap(c->mem, c->len);
	free(c);
}

static const struct daxdev_operations counting_ops = {
	.sz = sizeof(struct daxdev_operations),
	.direct_access = counting_direct_access,
	.flush = counting_flush,
	.release = counting_release,
};

/* The device owns c; the returned pointer stays valid while dev lives. */
static struct counting *counting_new(const char *host, size_t len, uint64_t align,
				     enum daxdev_persistence persistence,
				     struct daxdev **devp)
{
	struct counting *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->len = len;
	c->mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(c->mem != MAP_FAILED);
	struct daxdev_params params = {
		.sz = sizeof(params), .provider = "counting", .host = host, .size = len, .align = align,
		.base = c->mem, .persistence = persistence,
		.persistence_reason = "test provider", .write_cache = true,
		.flush_name = "count",
	};
	assert_int_equal(daxdev_alloc(&counting_ops, &params, c, devp), 0);
	return c;
}

/* --- helpers -------------------------------------------------------------- */

/* The provider's detail lines, in a buffer that lives until the next call. */
static const char *details_of(struct daxdev *dev)
{
	static char buf[8192];

	assert_true(daxdev_get_details(dev, buf, sizeof(buf)) >= 0);
	return buf;
}

static struct daxdev *new_anon(uint64_t len)
{
	struct daxdev *dev;

	assert_int_equal(daxdev_new_volatile(len, &dev), 0);
	return dev;
}

static void put_all(struct daxdev **devs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		daxdev_put(devs[i]);
}

static void expect_error(int rc, int err, const char *text)
{
	assert_int_equal(rc, err);
	if (!strstr(daxdev_errormsg(), text))
		fail_msg("message '%s' lacks '%s'", daxdev_errormsg(), text);
}

/* A byte written through the composite at off lands at member_off of member,
 * and direct_access of that page gives the member's address. */
static void expect_mapping(struct daxdev *comp, uint64_t off, struct daxdev *member,
			   uint64_t member_off)
{
	unsigned char b = (unsigned char)(off * 7 + 1), got = 0;
	void *caddr, *maddr;

	assert_int_equal(daxdev_write(comp, off, &b, 1), 0);
	assert_int_equal(daxdev_read(member, member_off, &got, 1), 0);
	if (got != b)
		fail_msg("offset %llu: byte not found at member offset %llu",
			 (unsigned long long)off, (unsigned long long)member_off);
	assert_int_equal(daxdev_read(comp, off, &got, 1), 0);
	assert_int_equal(got, b);
	assert_int_equal(daxdev_write(comp, off, "", 1), 0);
	uint64_t ca = daxdev_align(comp), ma = daxdev_align(member);
	assert_true(daxdev_direct_access(comp, off / ca, 1, &caddr) == 1);
	assert_true(daxdev_direct_access(member, member_off / ca * ca / ma, 1, &maddr) >= 1);
	assert_ptr_equal(caddr, maddr);
}

/* --- linear ----------------------------------------------------------------- */

static void test_linear_boundaries(void **state)
{
	uint64_t pages[] = { 3, 1, 5, 2 };
	struct daxdev *m[4], *comp;
	uint64_t start = 0;

	(void)state;
	for (size_t i = 0; i < 4; i++)
		m[i] = new_anon(pages[i] * page);
	assert_int_equal(daxdev_linear_new(m, 4, &comp), 0);
	assert_int_equal(daxdev_size(comp), 11 * page);
	assert_int_equal(daxdev_align(comp), page);
	assert_string_equal(daxdev_host(comp), "linear:anon,anon,anon,anon");
	for (size_t i = 0; i < 4; i++) {
		uint64_t len = pages[i] * page;
		for (uint64_t p = 0; p < pages[i]; p++) {
			expect_mapping(comp, start + p * page, m[i], p * page);
			expect_mapping(comp, start + p * page + page - 1, m[i], p * page + page - 1);
			/* direct_access runs to the member's end, not beyond. */
			void *addr;
			assert_int_equal(daxdev_direct_access(comp, (start + p * page) / page,
							      LONG_MAX, &addr), pages[i] - p);
		}
		start += len;
	}
	daxdev_put(comp);
	put_all(m, 4);
}

/* A member with a larger page sets the composite page; the others contribute
 * their size rounded down to it. */
static void test_linear_mixed_align(void **state)
{
	uint64_t big = 4 * page;
	struct daxdev *m[3], *comp;
	void *addr;

	(void)state;
	m[0] = new_anon(5 * page);                   /* contributes 4 pages */
	counting_new("count-big", 8 * page, big, DAXDEV_PERSISTENCE_PERSISTENT, &m[1]);
	m[2] = new_anon(9 * page);                   /* contributes 8 pages */
	assert_int_equal(daxdev_linear_new(m, 3, &comp), 0);
	assert_int_equal(daxdev_align(comp), big);
	assert_int_equal(daxdev_size(comp), 20 * page);
	expect_mapping(comp, 4 * page - 1, m[0], 4 * page - 1);
	expect_mapping(comp, 4 * page, m[1], 0);
	expect_mapping(comp, 12 * page - 1, m[1], 8 * page - 1);
	expect_mapping(comp, 12 * page, m[2], 0);
	expect_mapping(comp, 20 * page - 1, m[2], 8 * page - 1);
	assert_int_equal(daxdev_direct_access(comp, 0, 100, &addr), 1);
	assert_int_equal(daxdev_direct_access(comp, 1, 100, &addr), 2);
	assert_int_equal(daxdev_direct_access(comp, 3, 100, &addr), 2);
	daxdev_put(comp);

	/* Smaller than the composite page: contributes nothing, refused. */
	daxdev_put(m[0]);
	m[0] = new_anon(page);
	expect_error(daxdev_linear_new(m, 3, &comp), -EINVAL, "less than the composite page");
	put_all(m, 3);
}

/* --- stripe ------------------------------------------------------------------ */

static void test_stripe_boundaries(void **state)
{
	uint64_t chunk = 2 * page, sizes[] = { 10 * page, 16 * page, 6 * page + 100 };
	struct daxdev *m[3], *comp;
	void *addr;

	(void)state;
	for (size_t i = 0; i < 3; i++)
		m[i] = new_anon(sizes[i]);
	assert_int_equal(daxdev_stripe_new(chunk, m, 3, &comp), 0);
	/* smallest member 7 pages (rounded up by anon) -> 3 chunks each */
	assert_int_equal(daxdev_size(comp), 3 * 3 * chunk);
	assert_int_equal(daxdev_align(comp), page);
	char host[64];
	snprintf(host, sizeof(host), "stripe:%llu:anon,anon,anon", (unsigned long long)chunk);
	assert_string_equal(daxdev_host(comp), host);
	for (uint64_t k = 0; k < 9; k++) {
		struct daxdev *member = m[k % 3];
		uint64_t moff = k / 3 * chunk;
		expect_mapping(comp, k * chunk, member, moff);
		expect_mapping(comp, k * chunk + page - 1, member, moff + page - 1);
		expect_mapping(comp, k * chunk + page, member, moff + page);
		expect_mapping(comp, k * chunk + chunk - 1, member, moff + chunk - 1);
		/* contiguous only to the end of the chunk */
		assert_int_equal(daxdev_direct_access(comp, k * 2, LONG_MAX, &addr), 2);
		assert_int_equal(daxdev_direct_access(comp, k * 2 + 1, LONG_MAX, &addr), 1);
	}
	daxdev_put(comp);
	put_all(m, 3);
}

static void test_stripe_chunk_rules(void **state)
{
	struct daxdev *m[2], *comp;

	(void)state;
	m[0] = new_anon(16 * page);
	counting_new("count-4p", 16 * page, 4 * page, DAXDEV_PERSISTENCE_PERSISTENT, &m[1]);
	expect_error(daxdev_stripe_new(2 * page, m, 2, &comp), -EINVAL,
		     "not a multiple of member 2 (count-4p)");
	expect_error(daxdev_stripe_new(0, m, 2, &comp), -EINVAL, "chunk 0");
	expect_error(daxdev_stripe_new(32 * page, m, 2, &comp), -EINVAL, "smaller than the chunk");
	/* 3 pages: not a power of two, but a multiple of the 1-page member */
	assert_int_equal(daxdev_stripe_new(3 * page, m, 1, &comp), 0);
	assert_int_equal(daxdev_size(comp), 15 * page);
	expect_mapping(comp, 3 * page, m[0], 3 * page);
	daxdev_put(comp);
	assert_int_equal(daxdev_stripe_new(4 * page, m, 2, &comp), 0);
	assert_int_equal(daxdev_align(comp), 4 * page);
	expect_mapping(comp, 4 * page, m[1], 0);
	expect_mapping(comp, 8 * page, m[0], 4 * page);
	daxdev_put(comp);
	put_all(m, 2);
}

/* --- writes across members ------------------------------------------------- */

static void fill_pattern(unsigned char *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 31 + seed);
}

static void check_spanning_write(struct daxdev *comp, uint64_t off, size_t len)
{
	unsigned char *src = malloc(len), *back = malloc(len);
	struct iovec iov[5];
	size_t cut[] = { 1, len / 3, 0, len / 2, 0 };

	assert_non_null(src);
	assert_non_null(back);
	fill_pattern(src, len, (unsigned)off);
	/* uneven pieces including empty ones */
	size_t used = 0;
	for (size_t i = 0; i < 4; i++) {
		iov[i].iov_base = src + used;
		iov[i].iov_len = cut[i];
		used += cut[i];
	}
	iov[4].iov_base = src + used;
	iov[4].iov_len = len - used;
	if (daxdev_writev(comp, off, iov, 5, 0))
		fail_msg("writev: %s", daxdev_errormsg());
	assert_int_equal(daxdev_read(comp, off, back, len), 0);
	assert_memory_equal(src, back, len);
	if (daxdev_zero(comp, off + 1, len - 2))
		fail_msg("zero: %s", daxdev_errormsg());
	assert_int_equal(daxdev_read(comp, off, back, len), 0);
	assert_int_equal(back[0], src[0]);
	assert_int_equal(back[len - 1], src[len - 1]);
	for (size_t i = 1; i < len - 1; i++)
		if (back[i])
			fail_msg("byte %zu not zeroed", i);
	free(src);
	free(back);
}

static void test_writes_span_members(void **state)
{
	struct daxdev *m[4], *lin, *str;

	(void)state;
	for (size_t i = 0; i < 4; i++)
		m[i] = new_anon((i + 2) * page);
	assert_int_equal(daxdev_linear_new(m, 4, &lin), 0);
	/* from inside member 1 to inside member 4 */
	check_spanning_write(lin, page / 2, 8 * page);
	check_spanning_write(lin, 0, 10 * page);
	assert_int_equal(daxdev_stripe_new(page, m, 4, &str), 0);
	/* crosses 7 chunks over all 4 members */
	check_spanning_write(str, page - 5, 6 * page + 10);
	/* the member images are what the stripe layout says */
	unsigned char a, b;
	assert_int_equal(daxdev_write(str, 5 * page + 3, "Q", 1), 0);
	assert_int_equal(daxdev_read(m[1], page + 3, &a, 1), 0);
	assert_int_equal(a, 'Q');
	assert_int_equal(daxdev_read(lin, 3 * page + 3, &b, 1), 0);   /* same memory */
	assert_int_equal(b, 'Q');
	expect_error(daxdev_write(str, daxdev_size(str) - 1, "ab", 2), -ERANGE, "past the end");
	daxdev_put(lin);
	daxdev_put(str);
	put_all(m, 4);
}

/* --- persistence, write cache, flush routing ------------------------------- */

static void test_persistence_and_write_cache(void **state)
{
	struct daxdev *m[3], *comp;
	struct daxdev_info info = DAXDEV_INFO_INIT;

	(void)state;
	counting_new("count-p", 4 * page, page, DAXDEV_PERSISTENCE_PERSISTENT, &m[0]);
	counting_new("count-u", 4 * page, page, DAXDEV_PERSISTENCE_UNKNOWN, &m[1]);
	m[2] = new_anon(4 * page);
	assert_int_equal(daxdev_linear_new(m, 2, &comp), 0);
	assert_int_equal(daxdev_get_info(comp, &info), 0);
	assert_int_equal(info.persistence, DAXDEV_PERSISTENCE_UNKNOWN);
	assert_non_null(strstr(info.persistence_reason, "member 2 (count-u)"));
	assert_true(info.write_cache);
	assert_string_equal(info.flush_impl, "members");
	assert_string_equal(info.provider, "linear");
	daxdev_put(comp);

	assert_int_equal(daxdev_stripe_new(page, m, 3, &comp), 0);
	assert_int_equal(daxdev_get_info(comp, &info), 0);
	assert_int_equal(info.persistence, DAXDEV_PERSISTENCE_VOLATILE);
	assert_non_null(strstr(info.persistence_reason, "member 3 (anon)"));
	assert_non_null(strstr(details_of(comp), "member 1: host count-p, provider counting"));
	assert_non_null(strstr(details_of(comp), "member 3: host anon, provider anon"));
	assert_non_null(strstr(details_of(comp), "write cache off, alive yes"));
	assert_true(info.write_cache);          /* on: two of three members are */
	daxdev_put(comp);

	/* among equally weak members the first one is named */
	struct daxdev *anon2[2] = { m[2], new_anon(page) };
	assert_int_equal(daxdev_linear_new(anon2, 2, &comp), 0);
	assert_int_equal(daxdev_get_info(comp, &info), 0);
	assert_non_null(strstr(info.persistence_reason, "weakest is member 1 (anon): anonymous memory"));
	daxdev_put(comp);
	daxdev_put(anon2[1]);

	/* only volatile members: no write cache, nothing to flush */
	assert_int_equal(daxdev_linear_new(&m[2], 1, &comp), 0);
	assert_int_equal(daxdev_get_info(comp, &info), 0);
	assert_false(info.write_cache);
	assert_string_equal(info.flush_impl, "none");
	daxdev_put(comp);
	put_all(m, 3);
}

static void test_flush_routing(void **state)
{
	struct daxdev *m[3], *comp;
	struct counting *cnt[2];
	size_t len = 6 * page;
	unsigned char *buf = calloc(1, len);

	(void)state;
	cnt[0] = counting_new("count-a", 4 * page, page, DAXDEV_PERSISTENCE_PERSISTENT, &m[0]);
	cnt[1] = counting_new("count-b", 4 * page, page, DAXDEV_PERSISTENCE_PERSISTENT, &m[1]);
	m[2] = new_anon(4 * page);
	assert_int_equal(daxdev_stripe_new(page, m, 3, &comp), 0);
	/* chunks 0..5 go to a, b, anon, a, b, anon: each counting member gets 2 pages */
	assert_int_equal(daxdev_write(comp, 0, buf, len), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(atomic_load(&cnt[i]->flushed_bytes), 2 * page);
		assert_int_equal(atomic_load(&cnt[i]->foreign_flushes), 0);
	}
	/* write cache off on a: a gets no flush, b still does */
	assert_int_equal(daxdev_set_write_cache(m[0], false), 0);
	assert_int_equal(daxdev_write(comp, 0, buf, len), 0);
	assert_int_equal(atomic_load(&cnt[0]->flushed_bytes), 2 * page);
	assert_int_equal(atomic_load(&cnt[1]->flushed_bytes), 4 * page);
	/* flush_range, zero and pointer calls route the same way */
	assert_int_equal(daxdev_flush_range(comp, page, 3 * page), 0);
	assert_int_equal(daxdev_zero(comp, 0, len), 0);
	assert_int_equal(atomic_load(&cnt[0]->flushed_bytes), 2 * page);
	assert_int_equal(atomic_load(&cnt[1]->flushed_bytes), 4 * page + page + 2 * page);
	void *addr;
	assert_int_equal(daxdev_direct_access(comp, 4, 1, &addr), 1);   /* chunk 4: b */
	assert_int_equal(daxdev_memcpy(comp, (char *)addr + 10, "xyz", 3, 0), 0);
	assert_int_equal(daxdev_flush(comp, addr, page), 0);
	assert_int_equal(atomic_load(&cnt[1]->flushed_bytes), 7 * page + 3 + page);
	assert_int_equal(atomic_load(&cnt[0]->flush_calls) >= 1, 1);
	assert_int_equal(atomic_load(&cnt[0]->foreign_flushes), 0);
	assert_int_equal(atomic_load(&cnt[1]->foreign_flushes), 0);
	daxdev_put(comp);
	put_all(m, 3);
	free(buf);
}

static void test_pointer_ranges(void **state)
{
	struct daxdev *m[2], *comp;
	char outside[64];
	void *addr;

	(void)state;
	m[0] = new_anon(2 * page);
	m[1] = new_anon(2 * page);
	assert_int_equal(daxdev_linear_new(m, 2, &comp), 0);
	assert_int_equal(daxdev_direct_access(comp, 2, 2, &addr), 2);
	assert_int_equal(daxdev_memcpy(comp, addr, "hello", 5, 0), 0);
	char back[5];
	assert_int_equal(daxdev_read(m[1], 0, back, 5), 0);
	assert_memory_equal(back, "hello", 5);
	assert_int_equal(daxdev_memset(comp, (char *)addr + 2 * page - 1, 'z', 1, 0), 0);
	expect_error(daxdev_memset(comp, (char *)addr + 2 * page - 1, 'z', 2, 0), -ERANGE,
		     "not inside");
	expect_error(daxdev_flush(comp, outside, sizeof(outside)), -ERANGE, "not inside");
	daxdev_put(comp);
	put_all(m, 2);
}

/* --- nesting through the C API -------------------------------------------- */

static void test_nested(void **state)
{
	struct daxdev *m[3], *inner, *outer_members[2], *outer;
	struct counting *cnt;
	void *addr;

	(void)state;
	cnt = counting_new("count-n", 4 * page, page, DAXDEV_PERSISTENCE_PERSISTENT, &m[0]);
	m[1] = new_anon(4 * page);
	m[2] = new_anon(3 * page);
	assert_int_equal(daxdev_stripe_new(page, m, 2, &inner), 0);
	outer_members[0] = m[2];
	outer_members[1] = inner;
	assert_int_equal(daxdev_linear_new(outer_members, 2, &outer), 0);
	assert_int_equal(daxdev_size(outer), 11 * page);
	char host[96];
	snprintf(host, sizeof(host), "linear:anon,stripe:%llu:count-n,anon",
		 (unsigned long long)page);
	assert_string_equal(daxdev_host(outer), host);
	/* outer page 3 = inner chunk 0 = count-n page 0 */
	expect_mapping(outer, 3 * page, m[0], 0);
	expect_mapping(outer, 4 * page + 7, m[1], 7);
	expect_mapping(outer, 5 * page, m[0], page);
	check_spanning_write(outer, page, 9 * page);
	/* a pointer in the nested stripe is found and flushed by its owner */
	assert_int_equal(daxdev_direct_access(outer, 5, 1, &addr), 1);
	unsigned long before = atomic_load(&cnt->flushed_bytes);
	assert_int_equal(daxdev_flush(outer, addr, 100), 0);
	assert_int_equal(atomic_load(&cnt->flushed_bytes), before + 100);
	/* killing the innermost member reaches through both levels */
	daxdev_kill(m[0]);
	expect_error(daxdev_flush(outer, addr, 100), -ENXIO, "");
	expect_error(daxdev_write(outer, 5 * page, "x", 1), -ENXIO, "count-n");
	assert_int_equal(daxdev_write(outer, 4 * page, "x", 1), 0);
	daxdev_put(outer);
	daxdev_put(inner);
	put_all(m, 3);
}

/* --- member kill ------------------------------------------------------------ */

static void test_member_kill(void **state)
{
	struct daxdev *m[3], *comp;
	struct daxdev_info info = DAXDEV_INFO_INIT;
	char buf[2 * 4096];
	void *addr;

	(void)state;
	for (size_t i = 0; i < 3; i++)
		m[i] = new_anon(page);
	assert_int_equal(daxdev_linear_new(m, 3, &comp), 0);
	assert_int_equal(daxdev_direct_access(comp, 1, 1, &addr), 1);
	daxdev_kill(m[1]);
	assert_true(daxdev_alive(comp));
	/* everything touching member 2 fails, the rest works */
	expect_error(daxdev_write(comp, page, "x", 1), -ENXIO, "linear member 2 (anon)");
	expect_error(daxdev_read(comp, page + 5, buf, 1), -ENXIO, "killed");
	expect_error(daxdev_zero(comp, page, 1), -ENXIO, "member 2");
	expect_error((int)daxdev_direct_access(comp, 1, 1, &addr), -ENXIO, "member 2");
	expect_error(daxdev_write(comp, page - 1, "xy", 2), -ENXIO, "member 2");
	expect_error(daxdev_memcpy(comp, addr, "x", 1, 0), -ENXIO, "");
	expect_error(daxdev_flush(comp, addr, 1), -ENXIO, "");
	assert_int_equal(daxdev_write(comp, 0, "a", 1), 0);
	assert_int_equal(daxdev_write(comp, 2 * page, "c", 1), 0);
	assert_int_equal(daxdev_read(comp, 2 * page, buf, 1), 0);
	assert_int_equal(buf[0], 'c');
	assert_int_equal(daxdev_get_info(comp, &info), 0);
	assert_true(info.alive);
	const char *details = details_of(comp);
	assert_non_null(strstr(details, "member 2: host anon, provider anon, size"));
	const char *m2 = strstr(details, "member 2:");
	const char *m3 = strstr(details, "member 3:");
	assert_non_null(m2);
	assert_non_null(m3);
	assert_non_null(strstr(m2, "alive no"));
	assert_true(strstr(m2, "alive no") < m3);
	assert_non_null(strstr(m3, "alive yes"));
	daxdev_put(comp);
	put_all(m, 3);
}

/* The composite itself killed: its calls fail, members stay usable. */
static void test_composite_kill(void **state)
{
	struct daxdev *m[2], *comp;

	(void)state;
	m[0] = new_anon(page);
	m[1] = new_anon(page);
	assert_int_equal(daxdev_stripe_new(page, m, 2, &comp), 0);
	daxdev_kill(comp);
	expect_error(daxdev_write(comp, 0, "x", 1), -ENXIO, "killed");
	assert_int_equal(daxdev_write(m[0], 0, "x", 1), 0);
	daxdev_put(comp);
	assert_int_equal(daxdev_write(m[1], 0, "x", 1), 0);
	put_all(m, 2);
}

/* --- grammar -------------------------------------------------------------- */

struct bad_target {
	const char *target;
	unsigned flags;
	int err;
	const char *text;
};

static void test_malformed_targets(void **state)
{
	static const struct bad_target bad[] = {
		{ "linear:", 0, -EINVAL, "linear:: no members" },
		{ "linear:anon:1M,,anon:1M", 0, -EINVAL,
		  "linear:anon:1M,,anon:1M: empty member at position 2 (offset 15)" },
		{ "linear:,anon:1M", 0, -EINVAL, "empty member at position 1 (offset 7)" },
		{ "linear:anon:1M,", 0, -EINVAL, "empty member at position 2 (offset 15)" },
		{ "linear:anon:1M,stripe:2M:anon:4M", 0, -EINVAL,
		  "member 2 (offset 15) is itself a composite" },
		{ "linear:linear:anon:1M", 0, -EINVAL, "member 1 (offset 7) is itself a composite" },
		{ "linear:anon:1M,anon:", 0, -EINVAL, "member 2 'anon:' (offset 15)" },
		{ "linear:anon:1M,anon:12Q", 0, -EINVAL, "member 2 'anon:12Q' (offset 15)" },
		{ "linear:anon:1M,no/such/file", 0, -ENOENT, "member 2 'no/such/file' (offset 15)" },
		{ "linear:anon:1M", DAXDEV_OPEN_CREATE, -EINVAL, "DAXDEV_OPEN_CREATE" },
		{ "stripe:", 0, -EINVAL, "expected stripe:CHUNK:T1,T2,..." },
		{ "stripe:2M", 0, -EINVAL, "expected stripe:CHUNK:T1,T2,..." },
		{ "stripe::anon:1M", 0, -EINVAL, "expected stripe:CHUNK:T1,T2,..." },
		{ "stripe:2M:", 0, -EINVAL, "stripe:2M:: no members" },
		{ "stripe:anon:4M", 0, -EINVAL, "bad chunk size 'anon'" },
		{ "stripe:0:anon:4M", 0, -EINVAL, "bad chunk size '0'" },
		{ "stripe:100:anon:4M", 0, -EINVAL, "chunk 100 is not a multiple of member 1 (anon)" },
		{ "stripe:8M:anon:4M,anon:8M", 0, -EINVAL, "smaller than the chunk" },
		{ "stripe:1M:anon:4M,,anon:4M", 0, -EINVAL, "empty member at position 2 (offset 18)" },
	};
	struct daxdev *dev;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		dev = NULL;
		DAXDEV_OPEN_OPTS(opts, .flags = bad[i].flags);
		int rc = daxdev_open(bad[i].target, &opts, &dev);
		if (rc != bad[i].err || !strstr(daxdev_errormsg(), bad[i].text))
			fail_msg("%s: rc %d (want %d), message '%s' (want '%s')", bad[i].target, rc,
				 bad[i].err, daxdev_errormsg(), bad[i].text);
		assert_null(dev);
	}
	DAXDEV_OPEN_OPTS(big, .size = 3 << 20);
	DAXDEV_OPEN_OPTS(small, .size = 1 << 20);
	expect_error(daxdev_open("linear:anon:1M,anon:1M", &big, &dev), -EINVAL,
		     "size 3145728 requested");
	assert_int_equal(daxdev_open("linear:anon:1M,anon:1M", &small, &dev), 0);
	assert_int_equal(daxdev_size(dev), 2 << 20);
	daxdev_put(dev);
}

static void test_c_api_arguments(void **state)
{
	struct daxdev *m[2], *comp, *dup[2];

	(void)state;
	m[0] = new_anon(page);
	m[1] = NULL;
	expect_error(daxdev_linear_new(NULL, 1, &comp), -EINVAL, "at least one member");
	expect_error(daxdev_linear_new(m, 0, &comp), -EINVAL, "at least one member");
	expect_error(daxdev_linear_new(m, 2, &comp), -EINVAL, "member 2 is NULL");
	expect_error(daxdev_stripe_new(page, m, 1, NULL), -EINVAL, "NULL result");
	dup[0] = m[0];
	dup[1] = m[0];
	expect_error(daxdev_stripe_new(page, dup, 2, &comp), -EINVAL, "same device as member 1");
	m[1] = new_anon(page);
	daxdev_kill(m[1]);
	expect_error(daxdev_linear_new(m, 2, &comp), -ENXIO, "member 2 (anon) has been killed");
	put_all(m, 2);
}

/* --- open strings and sharing by host ------------------------------------- */

static void test_open_strings(void **state)
{
	struct daxdev *a, *b;
	struct daxdev_info info = DAXDEV_INFO_INIT;

	(void)state;
	assert_int_equal(daxdev_open("linear:anon:64K,anon:128K,anon:4K", 0, &a), 0);
	assert_int_equal(daxdev_size(a), 196 << 10);
	assert_string_equal(daxdev_host(a), "linear:anon,anon,anon");
	assert_int_equal(daxdev_get_info(a, &info), 0);
	assert_string_equal(info.provider, "linear");
	assert_non_null(strstr(details_of(a), "members: 3\n"));
	/* anonymous members are each distinct, so the composite is not shared */
	assert_int_equal(daxdev_open("linear:anon:64K,anon:128K,anon:4K", 0, &b), 0);
	assert_ptr_not_equal(a, b);
	assert_null(daxdev_get_by_host("linear:anon,anon,anon"));
	assert_non_null(strstr(daxdev_errormsg(), "has host 'linear:anon,anon,anon'"));
	daxdev_put(b);
	daxdev_put(a);

	assert_int_equal(daxdev_open("stripe:64K:anon:1M,anon:256K", 0, &a), 0);
	assert_int_equal(daxdev_size(a), 512 << 10);
	assert_string_equal(daxdev_host(a), "stripe:65536:anon,anon");
	assert_int_equal(daxdev_get_info(a, &info), 0);
	assert_non_null(strstr(details_of(a), "chunk: 65536\nmembers: 2\n"));
	check_spanning_write(a, 60 << 10, 200 << 10);
	daxdev_put(a);
}

/* With DAXDEV_OPEN_REUSE, files are shared by host, composites of them too;
 * without it every open is its own object. */
static void test_share_by_host_files(void **state)
{
	char dir[] = "/tmp/daxdev-composite-XXXXXX", pa[64], pb[64], target[160];
	DAXDEV_OPEN_OPTS(create, .size = 1 << 20,
			 .flags = DAXDEV_OPEN_CREATE | DAXDEV_OPEN_REUSE);
	DAXDEV_OPEN_OPTS(reuse, .flags = DAXDEV_OPEN_REUSE);
	struct daxdev *a, *b, *p, *found, *fa;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(pa, sizeof(pa), "%s/a", dir);
	snprintf(pb, sizeof(pb), "%s/b", dir);
	assert_int_equal(daxdev_open(pa, &create, &fa), 0);
	assert_int_equal(daxdev_open(pb, &create, &b), 0);
	daxdev_put(b);
	snprintf(target, sizeof(target), "linear:%s,anon:1M,%s", pa, pb);
	assert_int_equal(daxdev_open(target, NULL, &a), 0);    /* mixed providers */
	check_spanning_write(a, (1 << 20) - 100, (1 << 20) + 200);
	daxdev_put(a);

	snprintf(target, sizeof(target), "stripe:64K:%s,%s", pa, pb);
	assert_int_equal(daxdev_open(target, &reuse, &a), 0);
	assert_int_equal(daxdev_open(target, &reuse, &b), 0);
	assert_ptr_equal(a, b);
	found = daxdev_get_by_host(daxdev_host(a));
	assert_ptr_equal(found, a);
	/* the file member is shared with the device opened directly */
	expect_mapping(a, 0, fa, 0);
	assert_int_equal(daxdev_open(target, NULL, &p), 0);
	assert_ptr_not_equal(p, a);
	daxdev_put(p);
	daxdev_put(found);
	daxdev_put(b);
	daxdev_kill(a);
	assert_null(daxdev_get_by_host(daxdev_host(a)));
	daxdev_put(a);
	daxdev_put(fa);
	unlink(pa);
	unlink(pb);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_boundaries),
		cmocka_unit_test(test_linear_mixed_align),
		cmocka_unit_test(test_stripe_boundaries),
		cmocka_unit_test(test_stripe_chunk_rules),
		cmocka_unit_test(test_writes_span_members),
		cmocka_unit_test(test_persistence_and_write_cache),
		cmocka_unit_test(test_flush_routing),
		cmocka_unit_test(test_pointer_ranges),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_member_kill),
		cmocka_unit_test(test_composite_kill),
		cmocka_unit_test(test_malformed_targets),
		cmocka_unit_test(test_c_api_arguments),
		cmocka_unit_test(test_open_strings),
		cmocka_unit_test(test_share_by_host_files),
	};

	page = (uint64_t)sysconf(_SC_PAGESIZE);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
