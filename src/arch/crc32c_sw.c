/* SPDX-License-Identifier: MIT */
/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) in portable C,
 * eight bytes per step from eight derived tables ("slicing by 8").  Used
 * where the CPU has no CRC instruction, and as the reference in tests.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include "arch/arch.h"

#define CRC32C_POLY 0x82F63B78u

static uint32_t crc_tables[8][256];
static pthread_once_t crc_tables_once = PTHREAD_ONCE_INIT;

static void build_crc_tables(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC32C_POLY & (0u - (c & 1)));
		crc_tables[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_tables[t][i] = (crc_tables[t - 1][i] >> 8) ^
					   crc_tables[0][crc_tables[t - 1][i] & 0xff];
}

static uint32_t crc_bytes(uint32_t c, const uint8_t *p, size_t len)
{
	while (len--)
		c = (c >> 8) ^ crc_tables[0][(c ^ *p++) & 0xff];
	return c;
}

DAXDEV_HIDDEN uint32_t daxdev_crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c = ~crc;

	pthread_once(&crc_tables_once, build_crc_tables);
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t w;
		memcpy(&w, p, 8);        /* little-endian: x86-64, arm64, riscv */
		w ^= c;
		c = crc_tables[7][w & 0xff] ^ crc_tables[6][(w >> 8) & 0xff] ^
		    crc_tables[5][(w >> 16) & 0xff] ^ crc_tables[4][(w >> 24) & 0xff] ^
		    crc_tables[3][(w >> 32) & 0xff] ^ crc_tables[2][(w >> 40) & 0xff] ^
		    crc_tables[1][(w >> 48) & 0xff] ^ crc_tables[0][w >> 56];
	}
	return ~crc_bytes(c, p, len);
}
