/* SPDX-License-Identifier: MIT */
/* CRC-32C (Castagnoli), the checksum of every plog header and record. */
#ifndef PLOG_CRC32C_H
#define PLOG_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC-32C over len more bytes: start with crc = 0; chaining calls
 * over consecutive pieces gives the CRC of their concatenation.
 * Reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF. */
uint32_t plog_crc32c(uint32_t crc, const void *buf, size_t len);

#endif
