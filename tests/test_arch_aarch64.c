/* Per-ISA layer on arm64: which write-back and CRC the CPU gets, each policy word, and pretend-missing DCPoP/CRC32. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_arch.h"

void daxdev_arch_test_mask_features(const char *const *names, size_t count);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* The kernel's AT_HWCAP bits (ABI). */
#define HWCAP_BIT_CRC32 (1ul << 7)
#define HWCAP_BIT_DCPOP (1ul << 16)

/* AT_HWCAP read from /proc/self/auxv rather than getauxval(): a second
 * path to the same kernel (or QEMU) answer. */
static unsigned long auxv_hwcap(void)
{
	FILE *f = fopen("/proc/self/auxv", "rb");
	Elf64_auxv_t entry;
	unsigned long hwcap = 0;
	bool found = false;

	if (!f)
		fail_msg("/proc/self/auxv: %s", strerror(errno));
	while (!found && fread(&entry, sizeof(entry), 1, f) == 1) {
		if (entry.a_type == AT_HWCAP) {
			hwcap = entry.a_un.a_val;
			found = true;
		}
	}
	fclose(f);
	assert_true(found);
	return hwcap;
}

/* The "dline=N" word of the CPU summary. */
static size_t summary_dline(void)
{
	const char *p = strstr(daxdev_arch_cpu_summary(), " dline=");

	assert_non_null(p);
	return (size_t)strtoul(p + 7, NULL, 10);
}

static void test_detection_matches_kernel(void **state)
{
	unsigned long hwcap = auxv_hwcap();

	(void)state;
	print_message("summary '%s', AT_HWCAP %#lx\n", daxdev_arch_cpu_summary(), hwcap);
	assert_int_equal(cpu_has("dcpop"), !!(hwcap & HWCAP_BIT_DCPOP));
	assert_int_equal(cpu_has("crc32"), !!(hwcap & HWCAP_BIT_CRC32));
	/* A real arm64 kernel also lists them in /proc/cpuinfo (under QEMU
	 * user mode that file is the host's and has no Features line). */
	if (proc_cpuinfo_has("Features", "fp") || proc_cpuinfo_has("Features", "asimd")) {
		assert_int_equal(cpu_has("dcpop"), proc_cpuinfo_has("Features", "dcpop"));
		assert_int_equal(cpu_has("crc32"), proc_cpuinfo_has("Features", "crc32"));
	}
}

static void test_default_is_best(void **state)
{
	const char *expect = getenv("DAXDEV_TEST_EXPECT_FLUSH");
	struct daxdev_arch arch;
	size_t dline = summary_dline();

	(void)state;
	arch = select_ok();
	assert_string_equal(arch.flush_name, cpu_has("dcpop") ? "dc-cvap" : "dc-cvac");
	/* The runner may know which CPU it emulates: then the choice must be
	 * the one that CPU calls for, not merely consistent with HWCAP. */
	if (expect && *expect)
		assert_string_equal(arch.flush_name, expect);
	assert_non_null(arch.flush);
	assert_string_equal(arch.invalidate_name, "dc-civac");
	assert_non_null(arch.invalidate);
	assert_string_equal(arch.drain_name, "dsb-sy");
	/* No streaming stores on arm64: ordinary stores, never switched. */
	assert_string_equal(arch.copy_name, "memcpy");
	assert_string_equal(arch.fill_name, "memset");
	assert_int_equal(arch.nt_threshold, SIZE_MAX);
	/* CTR_EL0.DminLine is 4 bits of log2(words): 4 B .. 128 KiB, but real
	 * CPUs have 16 .. 2048 B lines, and always a power of two. */
	assert_true(dline >= 16 && dline <= 2048);
	assert_int_equal(dline & (dline - 1), 0);
}

static void test_flush_override(void **state)
{
	static const char *const words[] = { "dc-cvap", "dc-cvac" };
	daxdev_flush_fn seen[ARRAY_LEN(words)] = { NULL };

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(words); i++) {
		policy.flush = words[i];
		if (i == 0 && !cpu_has("dcpop")) {
			assert_int_equal(select_rc(), -ENOTSUP);
			assert_non_null(strstr(last_error, "flush=dc-cvap"));
			assert_non_null(strstr(last_error, "DCPoP"));
			continue;
		}
		struct daxdev_arch arch = select_ok();
		assert_string_equal(arch.flush_name, words[i]);
		seen[i] = arch.flush;
	}
	/* dc-cvac runs everywhere; dc-cvap, when there, is another function. */
	assert_non_null(seen[1]);
	assert_true(seen[0] != seen[1]);
}

/* Pretend DCPoP is missing: forcing it fails, the default falls back. */
static void test_flush_missing_dcpop(void **state)
{
	static const char *const no_dcpop[] = { "dcpop" };

	(void)state;
	daxdev_arch_test_mask_features(no_dcpop, 1);
	policy.flush = "dc-cvap";
	assert_int_equal(select_rc(), -ENOTSUP);
	assert_non_null(strstr(last_error, "DCPoP"));
	policy.flush = NULL;
	assert_string_equal(select_ok().flush_name, "dc-cvac");
	policy.flush = "dc-cvac";
	assert_string_equal(select_ok().flush_name, "dc-cvac");
}

/* x86 words mean nothing here: -EINVAL, and the message lists arm64's. */
static void test_foreign_words(void **state)
{
	(void)state;
	policy.flush = "clwb";
	assert_int_equal(select_rc(), -EINVAL);
	assert_non_null(strstr(last_error, "flush=clwb"));
	assert_non_null(strstr(last_error, "dc-cvap, dc-cvac"));
	policy.flush = NULL;
	policy.isa = "avx2";
	assert_int_equal(select_rc(), -EINVAL);
	assert_non_null(strstr(last_error, "isa=avx2"));
	policy.isa = "generic";
	assert_string_equal(select_ok().copy_name, "memcpy");
}

static void check_crc_against_portable(daxdev_crc32c_fn fn)
{
	unsigned char buf[300 + 16];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 2654435761u >> 13);
	assert_int_equal(fn(0, "123456789", 9), 0xE3069283u);
	for (size_t len = 0; len <= 300; len++)
		for (size_t off = 0; off < 16; off++)
			assert_int_equal(fn(0x9e3779b9u, buf + off, len),
					 daxdev_crc32c_sw(0x9e3779b9u, buf + off, len));
}

/* CRC32 present: the instructions, agreeing with the table; masked: the
 * table itself. */
static void test_crc_choice(void **state)
{
	static const char *const no_crc[] = { "crc32" };
	daxdev_crc32c_fn fast = daxdev_arch_crc32c();

	(void)state;
	if (cpu_has("crc32"))
		assert_true(fast != daxdev_crc32c_sw);
	else
		assert_true(fast == daxdev_crc32c_sw);
	check_crc_against_portable(fast);
	daxdev_arch_test_mask_features(no_crc, 1);
	assert_true(daxdev_arch_crc32c() == daxdev_crc32c_sw);
}

int run_aarch64_select_tests(void)
{
	const struct CMUnitTest tests[] = {
		T(test_detection_matches_kernel),
		T(test_default_is_best),
		T(test_flush_override),
		T(test_flush_missing_dcpop),
		T(test_foreign_words),
		T(test_crc_choice),
	};

	return cmocka_run_group_tests_name("arch-aarch64", tests, NULL, NULL);
}
