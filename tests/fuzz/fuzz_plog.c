/* Fuzz harness: plog images — every record plog accepts must be one the documented recovery rule (plog_model.c) accepts, and the other way round. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <daxdev.h>
#include "plog.h"
#include "plog_model.h"

#define MAX_IMAGE (256u << 10)
#define FIX_HEADER_CRC 1u
#define FIX_RECORD_CRCS 2u
#define FIX_GENERATION 4u

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The generation word's 16-bit check recomputed for its low 48 bits. */
static void fix_generation(unsigned char *img)
{
	uint64_t g = get(img + 64, 6) ? get(img + 64, 6) : 1;
	unsigned char b[6];
	uint32_t check;

	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(g >> (8 * i));
	check = model_crc32c(0, b, 6) & 0xffff;
	memcpy(img + 64, b, 6);
	img[70] = (unsigned char)check;
	img[71] = (unsigned char)(check >> 8);
}

/* Make the CRCs right where the mode byte asks, so that the fuzzer gets
 * past them to the structure: the header's, and each record's along the
 * chain of slots. */
static void fix_crcs(unsigned char *img, uint64_t size, unsigned mode)
{
	if ((mode & FIX_GENERATION) && size >= 72)
		fix_generation(img);
	if ((mode & FIX_HEADER_CRC) && size >= 72)
		put32(img + 60, model_crc32c(0, img, 60));
	if (!(mode & FIX_RECORD_CRCS) || size < 4096 + 32)
		return;
	for (uint64_t off = 4096, n = 0; off + 32 <= size && n < 256; n++) {
		uint64_t len = get(img + off + 4, 4), slot = (32 + len + 63) / 64 * 64;
		unsigned char offb[8];
		if (slot > size - off)
			break;
		for (int i = 0; i < 8; i++)
			offb[i] = (unsigned char)(off >> (8 * i));
		uint32_t crc = model_crc32c(0, img + off + 4, 28);
		crc = model_crc32c(crc, img + off + 32, len);
		put32(img + off, model_crc32c(crc, offb, 8));
		off += slot;
	}
}

struct walk {
	const struct model_log *model;
	const unsigned char *img;
	uint64_t n;
};

static int compare(void *arg, uint64_t seq, const void *payload, size_t len)
{
	struct walk *w = arg;
	const struct model_record *r = &w->model->records[w->n];

	if (w->n >= w->model->nrecords || w->n >= MODEL_MAX_RECORDS) {
		fprintf(stderr, "plog accepted record %llu, the rule stops at %llu\n",
			(unsigned long long)seq, (unsigned long long)w->model->nrecords);
		abort();
	}
	if (seq != r->seq || len != r->len || memcmp(payload, w->img + r->off + 32, len)) {
		fprintf(stderr, "record %llu: plog gives %zu bytes, the rule %llu at offset %llu\n",
			(unsigned long long)seq, len, (unsigned long long)r->len,
			(unsigned long long)r->off);
		abort();
	}
	w->n++;
	return 0;
}

static void check(struct daxdev *dev, const unsigned char *img, uint64_t size)
{
	static struct model_log model;
	struct walk w = { .model = &model, .img = img };
	struct plog *log;
	int rc;

	model_recover(img, size, &model);
	rc = plog_open(dev, 0, &log);
	if ((rc == 0) != (model.status == MODEL_OK)) {
		fprintf(stderr, "plog_open %d (%s), the rule says status %d with %llu records\n", rc,
			plog_errormsg(), model.status, (unsigned long long)model.nrecords);
		abort();
	}
	if (rc)
		return;
	plog_foreach(log, compare, &w);
	if (w.n != model.nrecords) {
		fprintf(stderr, "plog gave %llu records, the rule %llu\n", (unsigned long long)w.n,
			(unsigned long long)model.nrecords);
		abort();
	}
	plog_close(log);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	uint64_t dev_size;
	struct daxdev *dev;
	unsigned char *img;
	char target[32];

	if (size < 1 || size - 1 > MAX_IMAGE)
		return 0;
	dev_size = (size - 1 + 8191) / 4096 * 4096;
	snprintf(target, sizeof(target), "anon:%llu", (unsigned long long)dev_size);
	if (daxdev_open(target, NULL, &dev))
		abort();
	if (daxdev_direct_access(dev, 0, 1, (void **)&img) != 1)
		abort();
	memcpy(img, data + 1, size - 1);
	fix_crcs(img, dev_size, data[0]);
	check(dev, img, dev_size);
	daxdev_put(dev);
	return 0;
}
