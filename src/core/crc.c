/* SPDX-License-Identifier: MIT */
/* daxdev_crc32c: the implementation is chosen on the first call, then called
 * through a pointer. */
#include "internal.h"

static _Atomic(daxdev_crc32c_fn) crc32c_impl;

DAXDEV_API uint32_t daxdev_crc32c(uint32_t crc, const void *buf, size_t len)
{
	daxdev_crc32c_fn fn = atomic_load_explicit(&crc32c_impl, memory_order_relaxed);

	if (!fn) {
		fn = daxdev_arch_crc32c();
		atomic_store_explicit(&crc32c_impl, fn, memory_order_relaxed);
	}
	if (!buf || !len)
		return crc;
	return fn(crc, buf, len);
}
