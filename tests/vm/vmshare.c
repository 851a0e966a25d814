/* vmshare: two guests on one NVDIMM: guest a writes numbered 64-byte records through libdaxdev, guest b reads them in order as they land. */
/*
 * usage (both on the same device-dax, e.g. /dev/dax0.0):
 *   vmshare DEV --clear N     guest a, before the peer boots: zero the area
 *   vmshare DEV --writer N    guest a: wait for the reader's hello line, then
 *                             write records 1..N (daxdev_write: durable on
 *                             return), paced so that the reader sees them come
 *   vmshare DEV --reader N    guest b: write the hello line, then poll and
 *                             check records 1..N in order
 * Layout: line 0 (64 bytes) = the reader's hello; records from offset 4096,
 * record i at 4096 + (i - 1) * 64.  A record is {magic, seq, payload(seq),
 * crc32c}; a torn or unwritten record fails the crc or the seq and is polled
 * again, so the reader never accepts half a record.
 * Prints "FAIL: ..." and exits 1 on any failure.
 */
#include <daxdev.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE 64u
#define RECORDS_AT 4096u
#define REC_MAGIC 0x31434552u /* "REC1" */
#define DEADLINE_S 150        /* whole run; the runner's timeout is longer */
static const char hello[] = "vmshare reader b is up";

struct record {
	uint32_t magic;
	uint32_t seq;
	unsigned char payload[52];
	uint32_t crc;
};
_Static_assert(sizeof(struct record) == LINE, "one record per cache line");

static void make_record(uint32_t seq, struct record *r)
{
	memset(r, 0, sizeof(*r));
	r->magic = REC_MAGIC;
	r->seq = seq;
	for (unsigned i = 0; i < sizeof(r->payload); i++)
		r->payload[i] = (unsigned char)(seq * 31u + i * 7u);
	r->crc = daxdev_crc32c(0, r, offsetof(struct record, crc));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(const char *what, int rc)
{
	printf("FAIL: %s: %d (%s)\n", what, rc, daxdev_errormsg());
	return 1;
}

/* Wait for the reader's hello in line 0. */
static int wait_hello(struct daxdev *dev, double deadline)
{
	char line[LINE];
	int rc;

	for (;;) {
		rc = daxdev_read(dev, 0, line, LINE);
		if (rc)
			return fail("daxdev_read(hello)", rc);
		if (!memcmp(line, hello, sizeof(hello)))
			return 0;
		if (now() > deadline) {
			printf("FAIL: no hello from the reader within %d s\n", DEADLINE_S);
			return 1;
		}
		usleep(10000);
	}
}

static int writer(struct daxdev *dev, uint32_t n)
{
	double t0 = now();
	struct record r;
	int rc;

	if (wait_hello(dev, t0 + DEADLINE_S))
		return 1;
	printf("reader is up after %.1f s; writing %" PRIu32 " records\n", now() - t0, n);
	for (uint32_t seq = 1; seq <= n; seq++) {
		make_record(seq, &r);
		rc = daxdev_write(dev, RECORDS_AT + (uint64_t)(seq - 1) * LINE, &r, LINE);
		if (rc)
			return fail("daxdev_write(record)", rc);
		usleep(500); /* pace: the reader should see records arrive */
	}
	printf("wrote %" PRIu32 " records in %.1f s\n", n, now() - t0);
	return 0;
}

/* Poll record seq until it is whole; count the polls that found it missing. */
static int read_record(struct daxdev *dev, uint32_t seq, double deadline, unsigned long *misses)
{
	struct record want, got;
	int rc;

	make_record(seq, &want);
	for (;;) {
		rc = daxdev_read(dev, RECORDS_AT + (uint64_t)(seq - 1) * LINE, &got, LINE);
		if (rc)
			return fail("daxdev_read(record)", rc);
		if (got.magic == REC_MAGIC && got.seq == seq &&
		    got.crc == daxdev_crc32c(0, &got, offsetof(struct record, crc)))
			break;
		if (now() > deadline) {
			printf("FAIL: record %" PRIu32 " not there within %d s (seq read %" PRIu32
			       ")\n", seq, DEADLINE_S, got.seq);
			return 1;
		}
		++*misses;
		usleep(1000);
	}
	if (memcmp(&got, &want, LINE)) {
		printf("FAIL: record %" PRIu32 " has a valid crc but the wrong payload\n", seq);
		return 1;
	}
	return 0;
}

static int reader(struct daxdev *dev, uint32_t n)
{
	double t0 = now();
	unsigned long misses = 0;
	char line[LINE] = { 0 };
	int rc;

	memcpy(line, hello, sizeof(hello));
	rc = daxdev_write(dev, 0, line, LINE);
	if (rc)
		return fail("daxdev_write(hello)", rc);
	for (uint32_t seq = 1; seq <= n; seq++)
		if (read_record(dev, seq, t0 + DEADLINE_S, &misses))
			return 1;
	printf("read all %" PRIu32 " records in order in %.1f s (%lu polls found the next "
	       "one not yet written)\n", n, now() - t0, misses);
	return 0;
}

int main(int argc, char **argv)
{
	struct daxdev *dev = NULL;
	uint32_t n;
	int rc;

	if (argc != 4 || (n = (uint32_t)strtoul(argv[3], NULL, 0)) == 0) {
		fprintf(stderr, "usage: vmshare DEV --clear|--writer|--reader N\n");
		return 2;
	}
	rc = daxdev_open(argv[1], NULL, &dev);
	if (rc)
		return fail(argv[1], rc);
	if (RECORDS_AT + (uint64_t)n * LINE > daxdev_size(dev)) {
		printf("FAIL: %" PRIu32 " records do not fit in %s\n", n, argv[1]);
		rc = 1;
	} else if (!strcmp(argv[2], "--clear")) {
		rc = daxdev_zero(dev, 0, RECORDS_AT + (uint64_t)n * LINE);
		rc = rc ? fail("daxdev_zero", rc) : 0;
	} else if (!strcmp(argv[2], "--writer")) {
		rc = writer(dev, n);
	} else if (!strcmp(argv[2], "--reader")) {
		rc = reader(dev, n);
	} else {
		fprintf(stderr, "vmshare: unknown mode %s\n", argv[2]);
		rc = 2;
	}
	daxdev_put(dev);
	return rc;
}
