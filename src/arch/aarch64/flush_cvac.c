/* SPDX-License-Identifier: MIT */
/* Write-back to the point of coherency, invalidation and the barrier: all
 * ARMv8.0, built for the baseline. */
#include "aarch64.h"

/* DC CVAC: clean to the point of coherency.  Without DCPoP the architecture
 * names no separate point of persistence; the kernel writes pmem back with
 * this instruction on such CPUs too. */
void daxdev_aarch64_flush_cvac(const void *addr, size_t len)
{
	AARCH64_FOR_EACH_LINE(p, addr, len)
		__asm__ volatile("dc cvac, %0" : : "r"(p) : "memory");
}

/* DC CIVAC: clean and invalidate, so the next load misses and reads memory
 * (DC IVAC alone could drop data that was never written back). */
void daxdev_aarch64_invalidate_civac(const void *addr, size_t len)
{
	AARCH64_FOR_EACH_LINE(p, addr, len)
		__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
}

/* DSB SY: the architecture completes data cache maintenance only at a DSB
 * that covers loads and stores (so not DSB ST), and the point of persistence
 * lies outside the inner shareable domain of the CPUs (so not DSB ISH). */
void daxdev_aarch64_drain_dsb_sy(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}
