/* SPDX-License-Identifier: MIT */
/* The plog recovery rule as docs/plog-format.md states it (see plog_model.h). */
#include <string.h>
#include "plog_model.h"

#define DATA 4096u
#define RHDR 32u

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* CRC-32C, reflected 0x82F63B78, bit by bit; chained like the library's:
 * start with 0. */
uint32_t model_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? crc >> 1 ^ 0x82F63B78u : crc >> 1;
	}
	return ~crc;
}

struct hdr {
	uint64_t capacity, generation;
};

/* The generation word: g in bits 0..47, and in bits 48..63 the low 16 bits
 * of the CRC over g as 6 bytes little-endian.  0 when the word is damaged. */
uint64_t model_generation(uint64_t word)
{
	uint64_t g = word & ((UINT64_C(1) << 48) - 1);
	unsigned char b[6];

	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(g >> (8 * i));
	return g && (word >> 48) == (model_crc32c(0, b, 6) & 0xffff) ? g : 0;
}

static enum model_status header(const unsigned char *d, uint64_t size, struct hdr *h)
{
	static const unsigned char magic[8] = "DAXPLOG";

	if (size < 72 || memcmp(d, magic, 8))
		return MODEL_NOT_PLOG;
	if (le(d + 8, 4) != 2 || le(d + 60, 4) != model_crc32c(0, d, 60) || le(d + 12, 4) ||
	    le(d + 16, 8) != DATA)
		return MODEL_BAD_HEADER;
	h->capacity = le(d + 24, 8);
	h->generation = model_generation(le(d + 64, 8));
	if (h->capacity < RHDR || h->capacity % 8 || !h->generation)
		return MODEL_BAD_HEADER;
	if (size < DATA || h->capacity > size - DATA)
		return MODEL_TRUNCATED;
	return MODEL_OK;
}

static uint64_t slot(uint64_t len)
{
	return (RHDR + len + 63) / 64 * 64;
}

/* Step 2's checks for the record at off carrying number seq (the batch
 * position is the caller's business). */
static int valid_at(const unsigned char *d, const struct hdr *h, uint64_t off, uint64_t seq)
{
	uint64_t end = DATA + h->capacity, len = le(d + off + 4, 4);
	uint64_t count = le(d + off + 28, 4), index = le(d + off + 24, 4);
	unsigned char offb[8];
	uint32_t crc;

	if (le(d + off + 8, 8) != h->generation || le(d + off + 16, 8) != seq)
		return 0;
	if (count < 1 || count > 1024 || index >= count)
		return 0;
	if (slot(len) > end - off)
		return 0;
	for (int i = 0; i < 8; i++)
		offb[i] = (unsigned char)(off >> (8 * i));
	crc = model_crc32c(0, d + off + 4, RHDR - 4);
	crc = model_crc32c(crc, d + off + RHDR, len);
	crc = model_crc32c(crc, offb, 8);
	return crc == le(d + off, 4);
}

static int all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

/* Step 4: a record beyond the stop, valid for its own number, from a batch
 * that began after the recovered log. */
static int corrupt(const unsigned char *d, const struct hdr *h, uint64_t stop, uint64_t kept)
{
	uint64_t end = DATA + h->capacity;

	if (end - stop < RHDR || all_zero(d + stop, RHDR))
		return 0;
	for (uint64_t z = stop + 8; z + RHDR <= end; z += 8) {
		uint64_t seq = le(d + z + 16, 8), index = le(d + z + 24, 4);
		if (index <= seq && seq - index > kept && valid_at(d, h, z, seq))
			return 1;
	}
	return 0;
}

void model_recover(const unsigned char *d, uint64_t size, struct model_log *log)
{
	uint64_t off = DATA, seq = 0, want_index = 0, batch_count = 0;
	struct hdr h;

	log->nrecords = 0;
	log->status = header(d, size, &h);
	if (log->status != MODEL_OK)
		return;
	/* Step 2, with step 3's rule: only complete batches count. */
	uint64_t kept_off = DATA, kept = 0, pending = 0;
	while (DATA + h.capacity - off >= RHDR) {
		uint64_t index = le(d + off + 24, 4), count = le(d + off + 28, 4);
		if (index != want_index || (index && count != batch_count) ||
		    !valid_at(d, &h, off, seq))
			break;
		if (kept + pending < MODEL_MAX_RECORDS)
			log->records[kept + pending] = (struct model_record){
				.off = off, .len = le(d + off + 4, 4), .seq = seq };
		pending++;
		off += slot(le(d + off + 4, 4));
		seq++;
		batch_count = count;
		want_index = index + 1 == count ? 0 : index + 1;
		if (!want_index) {
			kept += pending;
			pending = 0;
			kept_off = off;
		}
	}
	(void)kept_off;
	log->nrecords = kept;
	if (corrupt(d, &h, off, kept))
		log->status = MODEL_CORRUPT;
}
