/* SPDX-License-Identifier: MIT */
/*
 * An independent reading of docs/plog-format.md's recovery rule, for the
 * plog-image fuzzer: written from the document alone, with its own CRC, so
 * that it disagrees with examples/plog wherever either is wrong.  Kept in
 * one file so that format changes land in one place.
 */
#ifndef PLOG_MODEL_H
#define PLOG_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define MODEL_MAX_RECORDS 4096

enum model_status {
	MODEL_OK = 0,
	MODEL_NOT_PLOG,        /* no magic, or a device too small for a header */
	MODEL_BAD_HEADER,      /* version, CRC, flags, data offset, capacity, generation */
	MODEL_TRUNCATED,       /* 4096 + capacity > device size */
	MODEL_CORRUPT,         /* a later batch is valid past the failed record */
};

struct model_record {
	uint64_t off, len, seq;
};

struct model_log {
	enum model_status status;
	uint64_t nrecords;
	struct model_record records[MODEL_MAX_RECORDS];
};

uint32_t model_crc32c(uint32_t crc, const void *buf, size_t len);
/* The generation in a header's generation word, or 0 if its check fails. */
uint64_t model_generation(uint64_t word);
void model_recover(const unsigned char *dev, uint64_t size, struct model_log *log);

#endif
