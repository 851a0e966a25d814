/* A PMDK program (libpmemlog + libpmemobj, Debian's builds) that must run unchanged on the drop-in libpmem. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpmemlog.h>
#include <libpmemobj.h>

#define LAYOUT "daxdev-compat"
#define REC 32          /* log record size */
#define MAX_ITEMS 64

struct item {
	uint64_t n;
	char text[56];
};

struct root {
	uint64_t count;
	PMEMoid items[MAX_ITEMS];
};

static int fail(const char *what, const char *why)
{
	fprintf(stderr, "FAIL: %s: %s\n", what, why);
	return 1;
}

static void record(char *buf, uint64_t i)
{
	memset(buf, 0, REC);
	snprintf(buf, REC, "log record %06u %s", (unsigned)(i % 1000000), i % 2 ? "odd" : "even");
}

/* Which libpmem.so.1 is mapped into this process; with want, it must be
 * one whose path contains want. */
static int check_lib(const char *want)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024], *path, found[1024] = "";

	while (f && fgets(line, sizeof(line), f)) {
		path = strchr(line, '/');
		if (path && strstr(path, "/libpmem.so.1")) {
			path[strcspn(path, "\n")] = '\0';
			snprintf(found, sizeof(found), "%s", path);
		}
	}
	if (f)
		fclose(f);
	printf("libpmem loaded: %s\n", found[0] ? found : "(none)");
	if (want && !strstr(found, want))
		return fail("libpmem", "not the expected library");
	return 0;
}

static int log_create(const char *path, size_t size, uint64_t n)
{
	PMEMlogpool *plp = pmemlog_create(path, size, 0600);
	char buf[REC];

	if (!plp)
		return fail("pmemlog_create", pmemlog_errormsg());
	for (uint64_t i = 0; i < n; i++) {
		record(buf, i);
		if (pmemlog_append(plp, buf, REC))
			return fail("pmemlog_append", pmemlog_errormsg());
	}
	printf("log: %" PRIu64 " records appended, %zu bytes free\n", n, pmemlog_nbyte(plp));
	pmemlog_close(plp);
	return 0;
}

struct walk {
	uint64_t n, bad;
};

static int walk_chunk(const void *buf, size_t len, void *arg)
{
	struct walk *w = arg;
	char want[REC];

	for (size_t off = 0; off + REC <= len; off += REC, w->n++) {
		record(want, w->n);
		if (memcmp((const char *)buf + off, want, REC))
			w->bad++;
	}
	return 0;
}

static int log_check(const char *path, uint64_t n)
{
	PMEMlogpool *plp = pmemlog_open(path);
	struct walk w = { 0, 0 };

	if (!plp)
		return fail("pmemlog_open", pmemlog_errormsg());
	pmemlog_walk(plp, 0, walk_chunk, &w);
	pmemlog_close(plp);
	printf("log: walked %" PRIu64 " records, %" PRIu64 " wrong\n", w.n, w.bad);
	return w.n == n && !w.bad ? 0 : fail("pmemlog_walk", "records differ");
}

/* One transaction allocates and fills n objects and links them from the
 * root; a second one changes the count and aborts. */
static int obj_fill(PMEMobjpool *pop, uint64_t n)
{
	PMEMoid root = pmemobj_root(pop, sizeof(struct root));
	struct root *r = pmemobj_direct(root);
	int rc = 0;

	TX_BEGIN(pop) {
		pmemobj_tx_add_range(root, 0, sizeof(*r));
		for (uint64_t i = 0; i < n; i++) {
			PMEMoid oid = pmemobj_tx_zalloc(sizeof(struct item), 1);
			struct item *it = pmemobj_direct(oid);

			it->n = i;
			snprintf(it->text, sizeof(it->text), "object %" PRIu64, i * 31);
			r->items[i] = oid;
		}
		r->count = n;
	} TX_ONABORT {
		rc = fail("transaction", pmemobj_errormsg());
	} TX_END
	TX_BEGIN(pop) {
		pmemobj_tx_add_range(root, 0, sizeof(r->count));
		r->count = 12345;
		pmemobj_tx_abort(ECANCELED);
	} TX_END
	return rc ? rc : r->count == n ? 0 : fail("aborted transaction", "count not rolled back");
}

static int obj_create(const char *path, size_t size, uint64_t n)
{
	PMEMobjpool *pop = pmemobj_create(path, LAYOUT, size, 0600);
	int rc;

	if (!pop)
		return fail("pmemobj_create", pmemobj_errormsg());
	rc = obj_fill(pop, n);
	pmemobj_close(pop);
	if (!rc)
		printf("obj: %" PRIu64 " objects committed, abort rolled back\n", n);
	return rc;
}

static int obj_check(const char *path, uint64_t n)
{
	PMEMobjpool *pop = pmemobj_open(path, LAYOUT);
	struct root *r;
	char want[56];
	uint64_t bad = 0, count;

	if (!pop)
		return fail("pmemobj_open", pmemobj_errormsg());
	r = pmemobj_direct(pmemobj_root(pop, sizeof(struct root)));
	for (uint64_t i = 0; r->count == n && i < n; i++) {
		struct item *it = pmemobj_direct(r->items[i]);

		snprintf(want, sizeof(want), "object %" PRIu64, i * 31);
		bad += !it || it->n != i || strcmp(it->text, want);
	}
	count = r->count;
	pmemobj_close(pop);  /* r points into the pool: read before */
	printf("obj: count %" PRIu64 ", %" PRIu64 " objects wrong\n", count, bad);
	return count == n && !bad ? 0 : fail("obj-check", "objects differ");
}

int main(int argc, char **argv)
{
	const char *want = NULL;
	int rc;

	if (argc > 2 && !strcmp(argv[1], "--expect-lib")) {
		want = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (check_lib(want))
		return 1;
	if (argc == 5 && !strcmp(argv[1], "log-create"))
		rc = log_create(argv[2], strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
	else if (argc == 4 && !strcmp(argv[1], "log-check"))
		rc = log_check(argv[2], strtoull(argv[3], NULL, 0));
	else if (argc == 5 && !strcmp(argv[1], "obj-create") && strtoull(argv[4], NULL, 0) <= MAX_ITEMS)
		rc = obj_create(argv[2], strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
	else if (argc == 4 && !strcmp(argv[1], "obj-check"))
		rc = obj_check(argv[2], strtoull(argv[3], NULL, 0));
	else
		return fprintf(stderr, "usage: pmdk-client [--expect-lib S] log-create PATH SIZE N | "
			       "log-check PATH N | obj-create PATH SIZE N | obj-check PATH N\n"), 2;
	return rc;
}
