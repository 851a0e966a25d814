/* arm64 guest checker: /init of a full-system QEMU guest; checks and runs the write-back, invalidate, drain and CRC chosen for that CPU. */
/*
 * Linked statically against the per-ISA libraries (the DAXDEV_ARCH_TESTING
 * build, for the feature mask), without the core.  The kernel passes
 * "daxdev_expect_flush=WORD" from its command line as an environment
 * variable.  Prints one line the host parses:
 *   ARM64-VM-RESULT: ok flush=dc-cvap checks=N cpu='aarch64: ...'
 *   ARM64-VM-RESULT: FAIL <what>
 * and powers the guest off.  Also runs on a host (or under QEMU user mode):
 * then it exits 0/1 instead.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arch/arch.h>

void daxdev_arch_test_mask_features(const char *const *names, size_t count);

#define HWCAP_BIT_CRC32 (1ul << 7)
#define HWCAP_BIT_DCPOP (1ul << 16)
#define GUARD 64

static char last_error[256];
static const char *step = "start";
static unsigned checks;

int daxdev_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return err;
}

static void finish(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("ARM64-VM-RESULT: %s ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (getpid() == 1) {
		sync();
		reboot(RB_POWER_OFF);
	}
	exit(ok ? 0 : 1);
}

#define CHECK(cond)                                                           \
	do {                                                                  \
		checks++;                                                     \
		if (!(cond))                                                  \
			finish(false, "%s: %s (line %d; last message '%s')",  \
			       step, #cond, __LINE__, last_error);            \
	} while (0)

/* A SIGILL (instruction missing) or SIGSEGV (a loop left its range) is the
 * result, not a crash the host has to guess at. */
static void on_signal(int sig)
{
	char line[160];
	int n = snprintf(line, sizeof(line), "ARM64-VM-RESULT: FAIL signal %d during %s\n",
			 sig, step);

	if (write(1, line, (size_t)n) < 0)
		_exit(2);
	if (getpid() == 1)
		reboot(RB_POWER_OFF);
	_exit(1);
}

static bool cpuinfo_has(const char *flag)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "r");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Features", 8) != 0 || !strchr(line, ':'))
			continue;
		for (char *tok = strtok(strchr(line, ':') + 1, " \n"); tok; tok = strtok(NULL, " \n"))
			found = found || strcmp(tok, flag) == 0;
	}
	fclose(f);
	return found;
}

static struct daxdev_arch select_with(const char *flush)
{
	struct daxdev_arch_policy policy = { .flush = flush, .flush_origin = "flush" };
	struct daxdev_arch arch;

	CHECK(daxdev_arch_select(&policy, &arch) == 0);
	return arch;
}

/* fn over every offset and length class, then between PROT_NONE pages:
 * DC CVAP checks access like a load, so a loop that touched one line too
 * many would fault. */
static void run_line_op(daxdev_flush_fn fn, daxdev_drain_fn drain)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *area = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *first, *end;

	CHECK(area != MAP_FAILED);
	first = area + page;
	end = area + 2 * page;
	for (size_t off = 0; off < 256; off++)
		for (size_t len = 0; len <= 640; len += 13) {
			memset(first + off, (int)len, len);
			fn(first + off, len);
		}
	drain();
	CHECK(mprotect(area, page, PROT_NONE) == 0);
	CHECK(mprotect(end, page, PROT_NONE) == 0);
	memset(first, 0x5a, page);
	for (size_t len = 0; len <= 640; len++) {
		fn(first, len);
		fn(end - len, len);
		fn(first + len % 256, (size_t)(end - first) - len % 256);
	}
	drain();
	for (size_t i = 0; i < page; i++)
		CHECK(first[i] == 0x5a);
	munmap(area, 3 * page);
}

/* copy_nt / fill_nt land exactly and touch nothing around them. */
static void check_copies(const struct daxdev_arch *arch)
{
	static unsigned char src[2048 + 64], area[2048 + 64 + 2 * GUARD];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i % 251 + 1);
	memset(area, 0xa5, sizeof(area));
	for (size_t len = 0; len <= 2048; len += len < 300 ? 1 : 37) {
		for (size_t d = 0; d < 64; d += len < 300 ? 1 : 7) {
			unsigned char *dst = area + GUARD + d;

			arch->copy_nt(dst, src + (d * 5) % 64, len, arch->flush);
			CHECK(memcmp(dst, src + (d * 5) % 64, len) == 0);
			arch->fill_nt(dst, 0x1c3, len, arch->flush);
			for (size_t i = 0; i < len; i++)
				CHECK(dst[i] == 0xc3);
			memset(dst, 0xa5, len);
			for (size_t i = 0; i < sizeof(area); i++)
				CHECK(area[i] == 0xa5);
		}
	}
	arch->drain();
}

static void check_crc(void)
{
	static unsigned char buf[1024 + 16];
	daxdev_crc32c_fn fast = daxdev_arch_crc32c();

	CHECK(fast != daxdev_crc32c_sw);
	CHECK(fast(0, "123456789", 9) == 0xE3069283u);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 2654435761u >> 13);
	for (size_t len = 0; len <= 1024; len++)
		for (size_t off = 0; off < 16; off += 5)
			CHECK(fast(7, buf + off, len) == daxdev_crc32c_sw(7, buf + off, len));
}

int main(void)
{
	static const char *const words[] = { "dc-cvap", "dc-cvac" };
	static const char *const no_dcpop[] = { "dcpop" };
	const char *expect = getenv("daxdev_expect_flush");
	unsigned long hwcap = getauxval(AT_HWCAP);
	struct daxdev_arch arch;

	signal(SIGILL, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	if (getpid() == 1) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	step = "detection";
	printf("arm64check: %s, AT_HWCAP %#lx, expect %s\n", daxdev_arch_cpu_summary(), hwcap,
	       expect ? expect : "(not given)");
	CHECK(!!strstr(daxdev_arch_cpu_summary(), " dcpop") == !!(hwcap & HWCAP_BIT_DCPOP));
	CHECK(!!strstr(daxdev_arch_cpu_summary(), " crc32") == !!(hwcap & HWCAP_BIT_CRC32));
	if (cpuinfo_has("fp"))   /* a real kernel's own list */
		CHECK(cpuinfo_has("dcpop") == !!(hwcap & HWCAP_BIT_DCPOP));

	step = "default choice";
	arch = select_with(NULL);
	CHECK(strcmp(arch.flush_name, hwcap & HWCAP_BIT_DCPOP ? "dc-cvap" : "dc-cvac") == 0);
	CHECK(!expect || strcmp(arch.flush_name, expect) == 0);
	CHECK(strcmp(arch.invalidate_name, "dc-civac") == 0);
	CHECK(strcmp(arch.drain_name, "dsb-sy") == 0);

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		struct daxdev_arch forced;
		struct daxdev_arch_policy p = { .flush = words[i], .flush_origin = "flush" };

		step = words[i];
		if (daxdev_arch_select(&p, &forced) != 0) {
			CHECK(i == 0 && !(hwcap & HWCAP_BIT_DCPOP));
			continue;
		}
		CHECK(strcmp(forced.flush_name, words[i]) == 0);
		run_line_op(forced.flush, forced.drain);
		check_copies(&forced);
	}
	step = "dc-civac";
	run_line_op(arch.invalidate, arch.drain);
	step = "masked dcpop";
	daxdev_arch_test_mask_features(no_dcpop, 1);
	CHECK(strcmp(select_with(NULL).flush_name, "dc-cvac") == 0);
	daxdev_arch_test_mask_features(NULL, 0);
	step = "crc32c";
	if (hwcap & HWCAP_BIT_CRC32)
		check_crc();
	finish(true, "flush=%s invalidate=%s drain=%s checks=%u cpu='%s'", arch.flush_name,
	       arch.invalidate_name, arch.drain_name, checks, daxdev_arch_cpu_summary());
	return 0;
}
