/* SPDX-License-Identifier: MIT */
/* Cache-line write-back loops and the store fence (built -mclflushopt -mclwb). */
#include <immintrin.h>

#include "x86.h"

/* Every line overlapping [addr, addr+len): none when len is 0, even if
 * addr is in the middle of a line. */
#define FOR_EACH_LINE(p, addr, len)                                          \
	for (uintptr_t p = (uintptr_t)(addr) & ~(uintptr_t)(X86_CACHE_LINE - 1), \
	     end_ = (len) ? (uintptr_t)(addr) + (len) : p;                    \
	     p < end_; p += X86_CACHE_LINE)

/* clwb keeps the line cached: a later read of the same data stays fast. */
void daxdev_x86_flush_clwb(const void *addr, size_t len)
{
	FOR_EACH_LINE(p, addr, len)
		_mm_clwb((void *)p);
}

/* clflushopt evicts, but unlike clflush the write-backs overlap. */
void daxdev_x86_flush_clflushopt(const void *addr, size_t len)
{
	FOR_EACH_LINE(p, addr, len)
		_mm_clflushopt((void *)p);
}

/* clflush: every x86-64 has it; each one is serialised with the next. */
void daxdev_x86_flush_clflush(const void *addr, size_t len)
{
	FOR_EACH_LINE(p, addr, len)
		_mm_clflush((const void *)p);
}

/* sfence orders both clwb/clflushopt and non-temporal stores before later
 * stores, which is all a drain has to promise. */
void daxdev_x86_drain_sfence(void)
{
	_mm_sfence();
}
