/* Per-ISA layer: copy/fill exactness for every implementation, and selection under every policy. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <arch/arch.h>
#include <daxdev/provider.h>

#include "test_arch.h"

/* The arch libraries are linked without the core: keep its message here. */
char last_error[256];

int daxdev_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return err;
}

#if defined(DAXDEV_ARCH_X86_64) || defined(DAXDEV_ARCH_AARCH64)
#define HAVE_FLUSH 1
/* Built into the test copy of cpu.c only (-DDAXDEV_ARCH_TESTING). */
void daxdev_arch_test_mask_features(const char *const *names, size_t count);
#define unmask_features() daxdev_arch_test_mask_features(NULL, 0)
#else
#define unmask_features() ((void)0)
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define LINE 64
#define GUARD 64          /* untouchable bytes either side of a destination */
#define GUARD_BYTE 0xa5
#define SMALL_MAX 4096    /* every size up to here */
#define ALL_PAIRS_MAX 256 /* every (dst, src) misalignment pair up to here */
#define DST_ALL_MAX 1024  /* every dst misalignment up to here, 8 above */
#define LARGE_MAX ((size_t)64 << 20)

/* What each test asks daxdev_arch_select() for; reset before every test. */
struct daxdev_arch_policy policy;
/* The policy words of this build, as its message lists them. */
#ifdef DAXDEV_ARCH_AARCH64
static const char *const isa_words[] = { "generic" };
#define ISA_WORD_LIST "generic"
static const char *const flush_words[] = { "dc-cvap", "dc-cvac" };
#else
static const char *const isa_words[] = {
	"movdir64b", "avx512", "avx2", "sse2", "generic",
};
#define ISA_WORD_LIST "movdir64b, avx512, avx2, sse2, generic"
#ifdef DAXDEV_ARCH_X86_64
static const char *const flush_words[] = { "clwb", "clflushopt", "clflush" };
#else  /* generic: every other build's words, each refused */
static const char *const flush_words[] = { "clwb", "clflushopt", "clflush",
					   "dc-cvap", "dc-cvac" };
#endif
#endif

int clean_policy(void **state)
{
	(void)state;
	policy = (struct daxdev_arch_policy){
		.flush_origin = "flush", .isa_origin = "isa",
	};
	unmask_features();
	last_error[0] = '\0';
	return 0;
}

struct daxdev_arch select_ok(void)
{
	struct daxdev_arch arch;

	memset(&arch, 0, sizeof(arch));
	assert_int_equal(daxdev_arch_select(&policy, &arch), 0);
	assert_non_null(arch.copy_nt);
	assert_non_null(arch.fill_nt);
	assert_non_null(arch.drain);
	assert_non_null(arch.flush_name);
	assert_non_null(arch.invalidate_name);
	return arch;
}

int select_rc(void)
{
	struct daxdev_arch arch;

	return daxdev_arch_select(&policy, &arch);
}

/* ---- exactness ---------------------------------------------------------- */

struct buffers {
	unsigned char *src;      /* pattern, never GUARD_BYTE */
	unsigned char *dst_area; /* GUARD_BYTE everywhere except during a call */
	size_t max;
};

static struct buffers buffers_new(size_t max)
{
	struct buffers b = { .max = max };

	b.src = aligned_alloc(LINE, max + 2 * LINE);
	b.dst_area = aligned_alloc(LINE, max + 2 * LINE + 2 * GUARD);
	assert_non_null(b.src);
	assert_non_null(b.dst_area);
	/* Period 251 (prime): a copy from a shifted source shows. */
	for (size_t i = 0; i < max + 2 * LINE; i++)
		b.src[i] = (unsigned char)(i % 251 == GUARD_BYTE ? 1 : i % 251);
	memset(b.dst_area, GUARD_BYTE, max + 2 * LINE + 2 * GUARD);
	return b;
}

static void buffers_free(struct buffers *b)
{
	free(b->src);
	free(b->dst_area);
}

static bool all_bytes(const unsigned char *p, size_t len, unsigned char value)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != value)
			return false;
	return true;
}

/* Guards intact, [dst, dst+len) as expected; then put the guard bytes back. */
static void check_and_reset(unsigned char *dst, size_t len,
			    const unsigned char *expect, int fill)
{
	assert_true(all_bytes(dst - GUARD, GUARD, GUARD_BYTE));
	assert_true(all_bytes(dst + len, GUARD, GUARD_BYTE));
	if (expect)
		assert_true(memcmp(dst, expect, len) == 0);
	else
		assert_true(all_bytes(dst, len, (unsigned char)fill));
	memset(dst, GUARD_BYTE, len);
}

static void copy_one(struct buffers *b, const struct daxdev_arch *arch,
		     size_t len, size_t dst_off, size_t src_off)
{
	unsigned char *dst = b->dst_area + GUARD + dst_off;

	arch->copy_nt(dst, b->src + src_off, len, arch->flush);
	check_and_reset(dst, len, b->src + src_off, 0);
}

static void fill_one(struct buffers *b, const struct daxdev_arch *arch,
		     size_t len, size_t dst_off, int c)
{
	unsigned char *dst = b->dst_area + GUARD + dst_off;

	arch->fill_nt(dst, c, len, arch->flush);
	check_and_reset(dst, len, NULL, c);
}

/* Each (size, destination misalignment) pair to check, with a source
 * misalignment for it: all pairs while sizes are small, then fewer. */
static void exact_size(struct buffers *b, const struct daxdev_arch *arch,
		       size_t len)
{
	size_t dst_step = len <= DST_ALL_MAX ? 1 : LINE / 8;

	for (size_t d = len % dst_step; d < LINE; d += dst_step) {
		if (len <= ALL_PAIRS_MAX)
			for (size_t s = 0; s < LINE; s++)
				copy_one(b, arch, len, d, s);
		else
			copy_one(b, arch, len, d, (len * 7 + d * 13) % LINE);
		/* Fill bytes with and without the high bit, and an int beyond
		 * a byte (only its low byte counts). */
		fill_one(b, arch, len, d, len % 3 == 0 ? 0x1c3 : (int)(len % 128));
	}
}

static void exact_small(const struct daxdev_arch *arch, struct buffers *b)
{
	for (size_t len = 0; len <= SMALL_MAX; len++)
		exact_size(b, arch, len);
}

static void exact_large(const struct daxdev_arch *arch, struct buffers *b)
{
	static const size_t sizes[] = { 64 << 10, (1 << 20) + 3, LARGE_MAX };

	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		copy_one(b, arch, sizes[i], 0, 0);
		copy_one(b, arch, sizes[i], 17, 41);
		copy_one(b, arch, sizes[i] - 5, 63, 1);
		fill_one(b, arch, sizes[i] - 1, 9, 0x7e);
	}
}

/* Run fn once per distinct copy implementation that DAXDEV_ISA can reach
 * on this CPU (the caps fall through to the same one on a smaller CPU). */
static void for_each_copy_impl(void (*fn)(const struct daxdev_arch *,
					  struct buffers *),
			       size_t max)
{
	const char *done[ARRAY_LEN(isa_words)] = { NULL };
	struct buffers b = buffers_new(max);
	size_t ndone = 0;

	for (size_t i = 0; i < ARRAY_LEN(isa_words); i++) {
		struct daxdev_arch arch;
		bool seen = false;

		policy.isa = isa_words[i];
		arch = select_ok();
		for (size_t j = 0; j < ndone; j++)
			seen = seen || strcmp(done[j], arch.copy_name) == 0;
		if (seen)
			continue;
		done[ndone++] = arch.copy_name;
		fn(&arch, &b);
	}
	buffers_free(&b);
	assert_true(ndone >= 1);
}

static void test_copy_fill_exact_small(void **state)
{
	(void)state;
	for_each_copy_impl(exact_small, SMALL_MAX);
}

static void test_copy_fill_exact_large(void **state)
{
	(void)state;
	for_each_copy_impl(exact_large, LARGE_MAX);
}

/* ---- the copy_nt contract: what is not streamed is written back --------- */

/* The portable build has no write-back, so its copy_nt never calls one; on
 * x86-64 the partial lines stream too (movnti), which test_arch_nt.c checks
 * store by store. */
#if defined(HAVE_FLUSH) && !defined(DAXDEV_ARCH_X86_64)

#define COVERAGE_MAX (5 * LINE)
static const unsigned char *flushed_base;
static unsigned char flushed[COVERAGE_MAX + 2 * LINE];

static void record_flush(const void *addr, size_t len)
{
	const unsigned char *p = addr;

	assert_true(p >= flushed_base);
	assert_true(p + len <= flushed_base + sizeof(flushed));
	memset(flushed + (p - flushed_base), 1, len);
}

/* Each byte of [off, off+len) was written back or lies in a whole cache
 * line inside the range (which non-temporal stores cover); nothing outside
 * the range was written back. */
static bool covered(uintptr_t base, size_t off, size_t len)
{
	for (size_t i = 0; i < sizeof(flushed); i++) {
		uintptr_t line = (base + i) & ~(uintptr_t)(LINE - 1);
		bool inside = i >= off && i < off + len;
		bool whole_line = line >= base + off &&
				  line + LINE <= base + off + len;

		if (inside ? !whole_line && !flushed[i] : flushed[i])
			return false;
	}
	return true;
}

static void flush_coverage(const struct daxdev_arch *arch, struct buffers *b)
{
	flushed_base = b->dst_area;
	for (size_t len = 0; len <= COVERAGE_MAX; len++) {
		for (size_t d = 0; d < LINE; d++) {
			memset(flushed, 0, sizeof(flushed));
			arch->copy_nt(b->dst_area + d, b->src, len, record_flush);
			assert_true(covered((uintptr_t)b->dst_area, d, len));
			memset(flushed, 0, sizeof(flushed));
			arch->fill_nt(b->dst_area + d, 0, len, record_flush);
			assert_true(covered((uintptr_t)b->dst_area, d, len));
		}
	}
}

static void test_unstreamed_bytes_are_flushed(void **state)
{
	(void)state;
	for_each_copy_impl(flush_coverage, sizeof(flushed));
}
#endif

/* ---- flush implementations --------------------------------------------- */

/* Write-back touches no line outside the range: the instructions fault on
 * an inaccessible page like a read does, so a loop that ran one line too far
 * (or started one too early) would crash against the guard pages. */
static void flush_within_page(daxdev_flush_fn flush, daxdev_drain_fn drain)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *area = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *first, *end;

	assert_true(area != MAP_FAILED);
	assert_int_equal(mprotect(area, page, PROT_NONE), 0);
	assert_int_equal(mprotect(area + 2 * page, page, PROT_NONE), 0);
	first = area + page;
	end = area + 2 * page;
	memset(first, 1, page);
	for (size_t len = 0; len <= 3 * LINE; len++) {
		flush(first, len);
		flush(end - len, len);
		flush(first + len % LINE, (size_t)(end - first) - len % LINE);
	}
	drain();
	assert_true(all_bytes(first, page, 1));
	munmap(area, 3 * page);
}

/* Write-back and invalidation: the same loops over different instructions. */
static void exercise_flush(const struct daxdev_arch *arch)
{
	static unsigned char area[8 * LINE] __attribute__((aligned(LINE)));
	struct buffers b = buffers_new(1024);

	for (size_t off = 0; off < LINE; off++)
		for (size_t len = 0; len <= 3 * LINE; len += 7)
			arch->flush(area + off, len);
	arch->drain();
	for (size_t d = 0; d < LINE; d++)
		copy_one(&b, arch, 1000, d, 3);
	buffers_free(&b);
	flush_within_page(arch->flush, arch->drain);
}

/* Every write-back this CPU has, on every alignment and length class. */
static void test_each_flush_runs(void **state)
{
	struct daxdev_arch arch;
	size_t tried = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(flush_words); i++) {
		policy.flush = flush_words[i];
		if (daxdev_arch_select(&policy, &arch) != 0)
			continue;
		assert_string_equal(arch.flush_name, flush_words[i]);
		exercise_flush(&arch);
		tried++;
	}
	policy.flush = NULL;
	arch = select_ok();
	if (arch.flush)
		exercise_flush(&arch);
#ifdef HAVE_FLUSH
	assert_true(tried >= 1);
#else
	assert_int_equal(tried, 0);
#endif
}

/* Invalidation writes back before it discards: the data read afterwards
 * is what was stored, at every alignment and length class, and no line
 * outside the range is touched. */
static void test_invalidate_keeps_data(void **state)
{
	static unsigned char area[8 * LINE] __attribute__((aligned(LINE)));
	struct daxdev_arch arch = select_ok();

	(void)state;
#ifdef HAVE_FLUSH
	assert_non_null(arch.invalidate);
#else
	assert_null(arch.invalidate);
	assert_string_equal(arch.invalidate_name, "none");
	return;
#endif
	for (size_t off = 0; off < LINE; off++) {
		for (size_t len = 0; len <= 3 * LINE; len += 7) {
			memset(area, (int)(off + len) | 1, sizeof(area));
			arch.invalidate(area + off, len);
			arch.drain();
			assert_true(all_bytes(area, sizeof(area),
					      (unsigned char)((off + len) | 1)));
		}
	}
	flush_within_page(arch.invalidate, arch.drain);
}

/* ---- selection ---------------------------------------------------------- */

/* Does the CPU summary ("x86_64: sse2 avx2 ...") list this feature? */
bool cpu_has(const char *feature)
{
	const char *summary = daxdev_arch_cpu_summary();
	size_t len = strlen(feature);

	for (const char *p = strchr(summary, ' '); p; p = strchr(p + 1, ' '))
		if (strncmp(p + 1, feature, len) == 0 &&
		    (p[1 + len] == ' ' || p[1 + len] == '\0'))
			return true;
	return false;
}

/* The kernel's view of the CPU is an independent witness of what the
 * detection should have found: flag in the first /proc/cpuinfo line that
 * starts with key ("flags" on x86-64, "Features" on arm64). */
bool proc_cpuinfo_has(const char *key, const char *flag)
{
	char line[8192];
	FILE *f = fopen("/proc/cpuinfo", "r");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, strlen(key)) != 0 || !strchr(line, ':'))
			continue;
		for (char *tok = strtok(strchr(line, ':') + 1, " \n"); tok;
		     tok = strtok(NULL, " \n"))
			found = found || strcmp(tok, flag) == 0;
		break;
	}
	fclose(f);
	return found;
}

#ifdef DAXDEV_ARCH_X86_64

static const char *const flush_needs[] = { "clwb", "clflushopt", "clflush" };
static const char *const copy_names[] = {
	"movdir64b", "avx512-nt", "avx2-nt", "sse2-nt", "memcpy",
};
static const char *const copy_needs[] = { "movdir64b", "avx512f", "avx2", "sse2", NULL };
#define COPY_OPT_IN 0     /* movdir64b: only when the policy names it */

/* The test's own statement of the tables: first supported from start on,
 * the opt-in entry only when it is where the walk starts. */
static const char *expected_copy(size_t start)
{
	for (size_t i = start; i < ARRAY_LEN(copy_names); i++)
		if ((i != COPY_OPT_IN || i == start) &&
		    (!copy_needs[i] || cpu_has(copy_needs[i])))
			return copy_names[i];
	return NULL;
}

static void test_default_is_best(void **state)
{
	struct daxdev_arch arch;
	const char *best_flush = NULL;

	(void)state;
	arch = select_ok();
	for (size_t i = ARRAY_LEN(flush_needs); i-- > 0;)
		if (cpu_has(flush_needs[i]))
			best_flush = flush_words[i];
	assert_string_equal(arch.flush_name, best_flush);
	assert_non_null(arch.flush);
	/* clwb keeps lines cached: never the invalidate. */
	assert_string_equal(arch.invalidate_name,
			    cpu_has("clflushopt") ? "clflushopt" : "clflush");
	assert_non_null(arch.invalidate);
	assert_string_equal(arch.copy_name, expected_copy(COPY_OPT_IN + 1));
	assert_string_equal(arch.drain_name, "sfence");
	assert_true(arch.nt_threshold > 0 && arch.nt_threshold <= 16384);
	assert_true(strncmp(daxdev_arch_cpu_summary(), "x86_64:", 7) == 0);
}

/* The kernel honours XCR0 too: a feature the OS does not save is absent
 * from both. */
static void test_detection_matches_kernel(void **state)
{
	static const char *const features[] = {
		"sse2", "avx2", "avx512f", "clflush", "clflushopt", "clwb",
		"sse4_2", "pclmulqdq", "vpclmulqdq", "movdir64b",
	};

	(void)state;
	if (!proc_cpuinfo_has("flags", "sse2"))
		skip();   /* no /proc: nothing to compare with */
	for (size_t i = 0; i < ARRAY_LEN(features); i++) {
		print_message("%s: kernel %d, detected %d\n", features[i],
			      proc_cpuinfo_has("flags", features[i]), cpu_has(features[i]));
		assert_int_equal(proc_cpuinfo_has("flags", features[i]), cpu_has(features[i]));
	}
}

/* crc32-beside-clmul is AMD family 1Ah and later, as /proc/cpuinfo says. */
static void test_microarch_matches_kernel(void **state)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int family = -1;
	bool amd = proc_cpuinfo_has("vendor_id", "AuthenticAMD");

	(void)state;
	if (!f)
		skip();   /* no /proc: nothing to compare with */
	while (family < 0 && fgets(line, sizeof(line), f))
		if (strncmp(line, "cpu family", 10) == 0 && strchr(line, ':'))
			family = atoi(strchr(line, ':') + 1);
	fclose(f);
	print_message("vendor AMD %d, family %d, crc32-beside-clmul %d\n", amd, family,
		      cpu_has("crc32-beside-clmul"));
	assert_true(family > 0);
	assert_int_equal(cpu_has("crc32-beside-clmul"), amd && family >= 0x1a);
}

static void test_flush_override(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(flush_words); i++) {
		policy.flush = flush_words[i];
		if (cpu_has(flush_needs[i])) {
			struct daxdev_arch arch = select_ok();

			assert_string_equal(arch.flush_name, flush_words[i]);
		} else {
			assert_int_equal(select_rc(), -ENOTSUP);
		}
	}
}

/* Pretend features are missing: forced ones fail, defaults fall back. */
static void test_flush_missing_features(void **state)
{
	static const char *const no_clwb[] = { "clwb" };
	static const char *const no_opt[] = { "clwb", "clflushopt" };

	(void)state;
	daxdev_arch_test_mask_features(no_clwb, 1);
	policy.flush = "clwb";
	assert_int_equal(select_rc(), -ENOTSUP);
	assert_non_null(strstr(last_error, "clwb"));
	policy.flush = NULL;
	if (cpu_has("clflushopt"))
		assert_string_equal(select_ok().flush_name, "clflushopt");

	daxdev_arch_test_mask_features(no_opt, 2);
	policy.flush = "clflushopt";
	assert_int_equal(select_rc(), -ENOTSUP);
	policy.flush = NULL;
	assert_string_equal(select_ok().flush_name, "clflush");
	assert_string_equal(select_ok().invalidate_name, "clflush");
}

static void test_isa_cap(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(isa_words); i++) {
		struct daxdev_arch arch;

		policy.isa = isa_words[i];
		arch = select_ok();
		assert_string_equal(arch.copy_name, expected_copy(i));
	}
	/* generic: ordinary stores only, never switched to */
	struct daxdev_arch arch = select_ok();
	assert_string_equal(arch.fill_name, "memset");
	assert_int_equal(arch.nt_threshold, SIZE_MAX);
}

/* The one-pass copy + CRC comes with avx512-nt where VPCLMULQDQ is, only. */
static void test_copy_nt_crc_choice(void **state)
{
	static const char *const no_vpclmul[] = { "vpclmulqdq" };
	struct daxdev_arch arch = select_ok();

	(void)state;
	if (strcmp(arch.copy_name, "avx512-nt") == 0 && cpu_has("vpclmulqdq"))
		assert_non_null(arch.copy_nt_crc);
	else
		assert_null(arch.copy_nt_crc);
	for (size_t i = 0; i < ARRAY_LEN(isa_words); i++) {
		policy.isa = isa_words[i];
		arch = select_ok();
		if (strcmp(arch.copy_name, "avx512-nt") != 0)
			assert_null(arch.copy_nt_crc);
	}
	policy.isa = NULL;
	daxdev_arch_test_mask_features(no_vpclmul, 1);
	assert_null(select_ok().copy_nt_crc);
}

static void test_isa_missing_features(void **state)
{
	static const char *const no_avx512[] = { "avx512f" };
	static const char *const no_avx[] = { "avx512f", "avx2" };
	static const char *const no_movdir64b[] = { "movdir64b" };

	(void)state;
	/* Asked for, but missing: the best of the rest (a cap, not a demand). */
	daxdev_arch_test_mask_features(no_movdir64b, 1);
	policy.isa = "movdir64b";
	assert_string_equal(select_ok().copy_name, expected_copy(COPY_OPT_IN + 1));
	policy.isa = NULL;
	daxdev_arch_test_mask_features(no_avx512, 1);
	if (cpu_has("avx2"))
		assert_string_equal(select_ok().copy_name, "avx2-nt");
	daxdev_arch_test_mask_features(no_avx, 2);
	assert_string_equal(select_ok().copy_name, "sse2-nt");
	policy.isa = "avx512";
	assert_string_equal(select_ok().copy_name, "sse2-nt");
}

/* The test's own statement of the CRC-32C table, best first; best_if: first
 * only where the CPU has it too, else after every other usable entry. */
static const struct {
	const char *name;
	const char *needs[4];
	const char *best_if;
} crc_table[] = {
	{ "vpclmul+crc32", { "vpclmulqdq", "avx512f", "pclmulqdq", "sse4_2" },
	  "crc32-beside-clmul" },
	{ "vpclmul-avx512", { "vpclmulqdq", "avx512f", "pclmulqdq", "sse4_2" }, NULL },
	{ "sse4.2", { "sse4_2" }, NULL },
	{ "pclmul", { "pclmulqdq", "sse4_2" }, NULL },
	{ "table", { NULL }, NULL },
};

static bool has_unmasked(const char *feature, const char *const *masked, size_t nmasked)
{
	for (size_t m = 0; m < nmasked; m++)
		if (!strcmp(feature, masked[m]))
			return false;
	return cpu_has(feature);
}

static bool crc_usable(size_t i, const char *const *masked, size_t nmasked)
{
	for (size_t f = 0; f < ARRAY_LEN(crc_table[i].needs) && crc_table[i].needs[f]; f++)
		if (!has_unmasked(crc_table[i].needs[f], masked, nmasked))
			return false;
	return true;
}

/* daxdev_arch_crc32c_impl() lists exactly the usable entries, in order:
 * those best on this CPU, then the others. */
static void expect_crc_list(const char *const *masked, size_t nmasked)
{
	const char *name;
	size_t listed = 0;

	for (int demoted = 0; demoted < 2; demoted++) {
		for (size_t i = 0; i < ARRAY_LEN(crc_table); i++) {
			const char *best_if = crc_table[i].best_if;
			bool best = !best_if || has_unmasked(best_if, masked, nmasked);

			if (best == (bool)demoted || !crc_usable(i, masked, nmasked))
				continue;
			assert_non_null(daxdev_arch_crc32c_impl(listed, &name));
			assert_string_equal(name, crc_table[i].name);
			if (listed++ == 0)
				assert_ptr_equal(daxdev_arch_crc32c_impl(0, NULL), daxdev_arch_crc32c());
		}
	}
	assert_null(daxdev_arch_crc32c_impl(listed, &name));
}

static void test_crc_choice(void **state)
{
	static const char *const masks[][2] = {
		{ "vpclmulqdq", NULL }, { "avx512f", NULL }, { "pclmulqdq", NULL },
		{ "sse4_2", NULL }, { "pclmulqdq", "sse4_2" }, { "crc32-beside-clmul", NULL },
	};

	(void)state;
	expect_crc_list(NULL, 0);
	for (size_t i = 0; i < ARRAY_LEN(masks); i++) {
		size_t n = masks[i][1] ? 2 : 1;

		daxdev_arch_test_mask_features(masks[i], n);
		expect_crc_list(masks[i], n);
	}
}

#elif !defined(DAXDEV_ARCH_AARCH64) /* generic build; arm64: test_arch_aarch64.c */

static void test_default_is_best(void **state)
{
	struct daxdev_arch arch;

	(void)state;
	arch = select_ok();
	assert_string_equal(arch.copy_name, "memcpy");
	assert_string_equal(arch.fill_name, "memset");
	/* No write-back instruction in plain C: the core must refuse devices
	 * that need one rather than call something that does not write back. */
	assert_null(arch.flush);
	assert_string_equal(arch.flush_name, "none");
	assert_null(arch.invalidate);
	assert_null(arch.copy_nt_crc);
	assert_string_equal(arch.drain_name, "fence");
}

static void test_flush_override(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(flush_words); i++) {
		policy.flush = flush_words[i];
		assert_int_equal(select_rc(), -ENOTSUP);
		assert_non_null(strstr(last_error, "portable build"));
	}
}

static void test_isa_cap(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(isa_words); i++) {
		policy.isa = isa_words[i];
		assert_string_equal(select_ok().copy_name, "memcpy");
	}
}

#endif

static void test_flush_garbage(void **state)
{
	(void)state;
	policy.flush = "clwbx";
	policy.flush_origin = "DAXDEV_FLUSH";
	assert_int_equal(select_rc(), -EINVAL);
	/* The message names the setting and lists what would have been accepted. */
	assert_non_null(strstr(last_error, "DAXDEV_FLUSH=clwbx"));
	assert_non_null(strstr(last_error, flush_words[ARRAY_LEN(flush_words) - 1]));
	policy.flush = "CLWB";
	assert_int_equal(select_rc(), -EINVAL);
	policy.flush = "";
	assert_int_equal(select_rc(), -EINVAL);
	policy.flush = NULL;
	select_ok();
}

static void test_isa_garbage(void **state)
{
	(void)state;
	policy.isa = "avx1024";
	assert_int_equal(select_rc(), -EINVAL);
	assert_non_null(strstr(last_error, ISA_WORD_LIST));
}

/* Never stream: the temporal implementation, whatever the ISA allows. */
static void test_nt_never(void **state)
{
	struct daxdev_arch arch;

	(void)state;
	policy.nt_threshold = SIZE_MAX;
	arch = select_ok();
	assert_string_equal(arch.copy_name, "memcpy");
	assert_string_equal(arch.fill_name, "memset");
	assert_int_equal(arch.nt_threshold, SIZE_MAX);
}

/* 0 is the arch's default; any other threshold is taken as given. */
static void test_threshold(void **state)
{
	static const size_t values[] = { 1, 64, 4096, (size_t)1 << 20, SIZE_MAX - 1 };
	struct daxdev_arch arch;
	size_t dflt;

	(void)state;
	dflt = select_ok().nt_threshold;
	assert_true(dflt > 0);
	for (size_t i = 0; i < ARRAY_LEN(values); i++) {
		policy.nt_threshold = values[i];
		arch = select_ok();
#ifdef DAXDEV_ARCH_X86_64
		assert_int_equal(arch.nt_threshold, values[i]);
#else
		assert_int_equal(arch.nt_threshold, SIZE_MAX);
#endif
	}
}

/* The choice depends on the policy passed, nothing else: two devices can
 * differ in one process. */
static void test_policy_per_call(void **state)
{
	struct daxdev_arch a, b;

	(void)state;
	policy.isa = "generic";
	a = select_ok();
	policy.isa = NULL;
	b = select_ok();
	assert_string_equal(a.copy_name, "memcpy");
#ifdef DAXDEV_ARCH_X86_64
	assert_string_not_equal(b.copy_name, "memcpy");
#endif
	assert_int_equal(daxdev_arch_select(NULL, &a), 0);
	assert_string_equal(a.copy_name, b.copy_name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#ifndef DAXDEV_ARCH_AARCH64
		T(test_default_is_best),
		T(test_flush_override),
		T(test_isa_cap),
#endif
		T(test_flush_garbage),
		T(test_isa_garbage),
		T(test_nt_never),
		T(test_threshold),
		T(test_policy_per_call),
#ifdef DAXDEV_ARCH_X86_64
		T(test_detection_matches_kernel),
		T(test_microarch_matches_kernel),
		T(test_flush_missing_features),
		T(test_isa_missing_features),
		T(test_crc_choice),
		T(test_copy_nt_crc_choice),
#endif
		T(test_each_flush_runs),
		T(test_invalidate_keeps_data),
#if defined(HAVE_FLUSH) && !defined(DAXDEV_ARCH_X86_64)
		T(test_unstreamed_bytes_are_flushed),
#endif
		T(test_copy_fill_exact_small),
		T(test_copy_fill_exact_large),
	};
	int failed = cmocka_run_group_tests_name("arch", tests, NULL, NULL);

#ifdef DAXDEV_ARCH_AARCH64
	failed += run_aarch64_select_tests();
#endif
	return failed;
}
