/* SPDX-License-Identifier: MIT */
/*
 * Implementations behind the arm64 selection tables.  Each instruction-set
 * feature lives in its own file compiled with its own -march flags, so that
 * an ARMv8.2 instruction can only run once cpu.c has seen its HWCAP bit.
 */
#ifndef DAXDEV_ARCH_AARCH64_H
#define DAXDEV_ARCH_AARCH64_H

#include <stdint.h>

#include <arch/arch.h>

/* Smallest data cache line of any CPU in the system, from CTR_EL0.DminLine
 * (cpu.c sets it before selection hands out any flush). */
DAXDEV_HIDDEN extern size_t daxdev_aarch64_dline;

/* Every line overlapping [addr, addr+len): none when len is 0, even if
 * addr is in the middle of a line. */
#define AARCH64_FOR_EACH_LINE(p, addr, len)                                   \
	for (uintptr_t line_ = daxdev_aarch64_dline,                          \
	     p = (uintptr_t)(addr) & ~(line_ - 1),                            \
	     end_ = (len) ? (uintptr_t)(addr) + (len) : p;                    \
	     p < end_; p += line_)

/* flush_cvac.c (ARMv8.0) */
DAXDEV_HIDDEN void daxdev_aarch64_flush_cvac(const void *addr, size_t len);
DAXDEV_HIDDEN void daxdev_aarch64_invalidate_civac(const void *addr, size_t len);
DAXDEV_HIDDEN void daxdev_aarch64_drain_dsb_sy(void);

/* flush_cvap.c (ARMv8.2 DCPoP) */
DAXDEV_HIDDEN void daxdev_aarch64_flush_cvap(const void *addr, size_t len);

/* crc32c_armv8.c (ARMv8 CRC32 extension) */
DAXDEV_HIDDEN uint32_t daxdev_crc32c_armv8(uint32_t crc, const void *buf, size_t len);

#endif
