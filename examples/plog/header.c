/* SPDX-License-Identifier: MIT */
/*
 * The plog header (docs/plog-format.md, "Header"): encoding, and the check
 * that tells "not a log", "another version" and "damaged" apart, naming the
 * offset of what is damaged.  Every field recovery uses is covered: bytes
 * 0..59 by the header CRC, the generation word by its own check.
 */
#include <errno.h>
#include "plog-internal.h"

uint64_t plog_gen_word(uint64_t generation)
{
	unsigned char le[8];

	put64(le, generation);
	return generation | (uint64_t)(daxdev_crc32c(0, le, GEN_BITS / 8) & 0xffff) << GEN_BITS;
}

void plog_encode_header(const struct plog *log, unsigned char *h)
{
	memset(h, 0, HEADER_READ);
	memcpy(h + OFF_MAGIC, MAGIC, sizeof(MAGIC));
	put32(h + OFF_VERSION, PLOG_VERSION);
	put64(h + OFF_DATA, PLOG_HEADER_SIZE);
	put64(h + OFF_CAPACITY, log->capacity);
	put32(h + OFF_HEADER_CRC, daxdev_crc32c(0, h, HEADER_CHECKED));
	put64(h + OFF_GENERATION, plog_gen_word(log->generation));
}

/* Whether h's checksum matches once the n bytes at off are replaced by
 * what this program writes there: then those bytes are what is damaged. */
static bool crc_matches_with(const unsigned char *h, size_t off, const void *ours, size_t n)
{
	unsigned char copy[HEADER_CHECKED];

	memcpy(copy, h, HEADER_CHECKED);
	memcpy(copy + off, ours, n);
	return get32(h + OFF_HEADER_CRC) == daxdev_crc32c(0, copy, HEADER_CHECKED);
}

/* Magic and version: not a log (-EINVAL), another format (-EPROTONOSUPPORT),
 * or a damaged one of ours (-EBADMSG). */
static int check_identity(const unsigned char *h)
{
	uint32_t version = get32(h + OFF_VERSION);
	unsigned char ours[4];
	bool crc_ok = get32(h + OFF_HEADER_CRC) == daxdev_crc32c(0, h, HEADER_CHECKED);

	if (memcmp(h + OFF_MAGIC, MAGIC, sizeof(MAGIC))) {
		if (crc_matches_with(h, OFF_MAGIC, MAGIC, sizeof(MAGIC)))
			return plog_fail(-EBADMSG, "plog header is corrupt at offset 0: the magic is damaged (the header checksum matches a plog header)");
		return plog_fail(-EINVAL, "not a plog log (no plog magic at offset 0)");
	}
	if (version == PLOG_VERSION)
		return 0;
	put32(ours, PLOG_VERSION);
	if (!crc_ok && crc_matches_with(h, OFF_VERSION, ours, sizeof(ours)))
		return plog_fail(-EBADMSG, "plog header is corrupt at offset %d: the version field is damaged (%u; the header checksum matches version %d)",
				 OFF_VERSION, version, PLOG_VERSION);
	return plog_fail(-EPROTONOSUPPORT, "plog format version %u is not supported (this program reads version %d)%s",
			 version, PLOG_VERSION,
			 crc_ok ? "" : ", or the header is damaged (its checksum does not match)");
}

static int check_fields(struct plog *log, const unsigned char *h)
{
	uint64_t word = get64(h + OFF_GENERATION);

	if (get32(h + OFF_HEADER_CRC) != daxdev_crc32c(0, h, HEADER_CHECKED))
		return plog_fail(-EBADMSG, "plog header is corrupt at offset 0: the checksum at offset %d does not match bytes 0-%d",
				 OFF_HEADER_CRC, HEADER_CHECKED - 1);
	if (get32(h + OFF_FLAGS) || get64(h + OFF_DATA) != PLOG_HEADER_SIZE)
		return plog_fail(-EBADMSG, "plog header at offset 0 has unknown flags or data offset");
	log->capacity = get64(h + OFF_CAPACITY);
	log->generation = word & GEN_MAX;
	if (log->generation == 0 || plog_gen_word(log->generation) != word)
		return plog_fail(-EBADMSG, "plog header is corrupt at offset %d: the generation word 0x%016llx fails its check",
				 OFF_GENERATION, (unsigned long long)word);
	if (log->capacity < REC_HDR || log->capacity % 8)
		return plog_fail(-EBADMSG, "plog header is corrupt at offset %d: capacity %llu",
				 OFF_CAPACITY, (unsigned long long)log->capacity);
	if (log->capacity > log->size - PLOG_HEADER_SIZE || log->size < PLOG_HEADER_SIZE)
		return plog_fail(-EBADMSG, "plog log is truncated: it needs %llu bytes, the device has %llu",
				 (unsigned long long)(PLOG_HEADER_SIZE + log->capacity),
				 (unsigned long long)log->size);
	return 0;
}

int plog_read_header(struct plog *log)
{
	unsigned char h[HEADER_READ];
	int rc;

	if (log->size < HEADER_READ)
		return plog_fail(-EINVAL, "not a plog log (device of %llu bytes is too small)",
				 (unsigned long long)log->size);
	rc = daxdev_read(log->dev, 0, h, sizeof(h));
	if (rc)
		return plog_fail(rc, "plog header at offset 0 is unreadable: %s", daxdev_errormsg());
	rc = check_identity(h);
	return rc ? rc : check_fields(log, h);
}

int plog_is_formatted(struct daxdev *dev)
{
	unsigned char h[HEADER_READ];
	int rc;

	if (!dev)
		return plog_fail(-EINVAL, "plog: NULL device");
	if (daxdev_size(dev) < sizeof(h))
		return 0;
	rc = daxdev_read(dev, 0, h, sizeof(h));
	if (rc)
		return plog_dax_fail(rc);
	/* A damaged magic still marks a log: formatting it over needs --force. */
	return !memcmp(h + OFF_MAGIC, MAGIC, sizeof(MAGIC)) ||
	       crc_matches_with(h, OFF_MAGIC, MAGIC, sizeof(MAGIC));
}
