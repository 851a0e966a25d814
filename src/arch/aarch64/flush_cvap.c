/* SPDX-License-Identifier: MIT */
/* Write-back to the point of persistence (built -march=armv8.2-a; called
 * only after HWCAP_DCPOP). */
#include "aarch64.h"

/* DC CVAP: clean to the point of persistence, which may lie beyond the
 * point of coherency (a memory controller's buffers, for instance). */
void daxdev_aarch64_flush_cvap(const void *addr, size_t len)
{
	AARCH64_FOR_EACH_LINE(p, addr, len)
		__asm__ volatile("dc cvap, %0" : : "r"(p) : "memory");
}
