/* Fuzz harness: sysfs attribute contents — a fixture tree whose badblocks, size, align, mapping and write_cache files hold fuzzed text; parsing and the devdax/fsdax lookups never crash or leak. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <daxdev.h>
#include "providers/nvdimm_sysfs.h"

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR: tests/fixtures"
#endif

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define REGION "sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0"
#define DAX REGION "/dax0.0/dax0.0"
#define PMEM "sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region1/pfn1.0/block/pmem1"

/* The attributes the fuzzed fields go to, in order (fields are separated
 * by NUL bytes in the input). */
static const char *const attrs[] = {
	REGION "/badblocks", DAX "/size", DAX "/align", REGION "/resource",
	DAX "/mapping0/start", DAX "/mapping0/end", DAX "/mapping0/page_offset",
	REGION "/persistence_domain", PMEM "/badblocks", PMEM "/dax/write_cache",
	REGION "/numa_node", REGION "/devtype",
};
#define NATTRS (sizeof(attrs) / sizeof(attrs[0]))

static char root[PATH_MAX];
/* What the fixture has in each attribute: what a field not given gets, so
 * that every input runs against the same tree. */
static char original[NATTRS][256];
static size_t original_len[NATTRS];

static void keep_originals(void)
{
	for (size_t i = 0; i < NATTRS; i++) {
		char path[2 * PATH_MAX];
		int fd;
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", root, attrs[i]);
		fd = open(path, O_RDONLY);
		n = fd < 0 ? 0 : read(fd, original[i], sizeof(original[i]));
		original_len[i] = n > 0 ? (size_t)n : 0;
		if (fd >= 0)
			close(fd);
	}
}

static void make_tree(void)
{
	char cmd[2 * PATH_MAX];

	if (root[0])
		return;
	snprintf(root, sizeof(root), "/tmp/daxdev-fuzz-sysfs-XXXXXX");
	if (!mkdtemp(root))
		abort();
	snprintf(cmd, sizeof(cmd), "cp -a '%s/sysfs-made/badblocks/.' '%s/'", FIXTURES_DIR, root);
	if (system(cmd))
		abort();
	setenv("DAXDEV_SYSFS_ROOT", root, 1);
	keep_originals();
}

static void write_attr(const char *attr, const unsigned char *text, size_t len)
{
	char path[2 * PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, attr);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return; /* a directory the tree lacks */
	if (write(fd, text, len) < 0)
		abort();
	close(fd);
}

static void lookups(const unsigned char *first, size_t first_len)
{
	struct nvdimm_bad_range *r = NULL;
	struct nvdimm_devdax *dax = calloc(1, sizeof(*dax));
	struct nvdimm_blockdev *blk = calloc(1, sizeof(*blk));
	char text[4097];
	size_t n = first_len < 4096 ? first_len : 4096;

	memcpy(text, first, n);
	text[n] = '\0';
	if (nvdimm_parse_badblocks(text, &r) >= 0)
		free(r);
	if (!dax || !blk)
		abort();
	if (!nvdimm_devdax_lookup("/dev/zero", makedev(1, 5), dax))
		nvdimm_badblocks_first(&dax->bad, 0, UINT64_MAX / 2);
	nvdimm_devdax_clear(dax);
	nvdimm_blockdev_lookup(makedev(259, 0), blk);
	if (nvdimm_blockdev_badblocks(blk, &r) >= 0)
		free(r);
	free(dax);
	free(blk);
}

/* The whole open path over /dev/zero posing as dax0.0. */
static void open_zero(void)
{
	struct daxdev_badblock bb = DAXDEV_BADBLOCK_INIT;
	struct daxdev *dev;
	uint64_t from = 0;

	if (daxdev_open("/dev/zero", NULL, &dev))
		return;
	for (int i = 0; i < 64 && !daxdev_badblock_next(dev, from, &bb); i++) {
		if (bb.offset + bb.length <= from)
			abort(); /* iteration must move forward */
		from = bb.offset + bb.length;
	}
	daxdev_put(dev);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const unsigned char *field = data, *end = data + size;
	size_t i = 0;

	make_tree();
	if (size > 16384)
		return 0;
	while (i < NATTRS && field <= end) {
		const unsigned char *nul = memchr(field, 0, (size_t)(end - field));
		size_t len = nul ? (size_t)(nul - field) : (size_t)(end - field);
		write_attr(attrs[i++], field, len);
		if (!nul)
			break;
		field = nul + 1;
	}
	for (; i < NATTRS; i++)
		write_attr(attrs[i], (const unsigned char *)original[i], original_len[i]);
	lookups(data, memchr(data, 0, size) ? (size_t)((unsigned char *)memchr(data, 0, size) - data) : size);
	open_zero();
	return 0;
}
