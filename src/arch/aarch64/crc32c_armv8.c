/* SPDX-License-Identifier: MIT */
/* CRC-32C with the ARMv8 CRC32C instructions (built -march=armv8-a+crc,
 * called only after HWCAP_CRC32). */
#include <arm_acle.h>
#include <string.h>

#include "aarch64.h"

DAXDEV_HIDDEN uint32_t daxdev_crc32c_armv8(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c = ~crc;

	/* Bytes up to an 8-byte boundary, then whole words, then the rest. */
	for (; len && ((uintptr_t)p & 7); len--)
		c = __crc32cb(c, *p++);
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		c = __crc32cd(c, w);
	}
	while (len--)
		c = __crc32cb(c, *p++);
	return ~c;
}
