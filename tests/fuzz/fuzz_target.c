/* Fuzz harness: target strings and sizes — daxdev_open and daxdev_parse_size never crash, leak or misreport, whatever the string. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <daxdev.h>

#define MAX_TARGET 512

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* No path may name anything real: '/' is refused, and the open runs in an
 * empty directory (only around the call: libFuzzer reads and writes its
 * corpus relative to its own). */
static int home = -1;

static void enter_empty_dir(void)
{
	static char dir[] = "/tmp/daxdev-fuzz-target-XXXXXX";

	if (home < 0) {
		home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (home < 0 || !mkdtemp(dir))
			abort();
		setenv("DAXDEV_SYSFS_ROOT", "/nonexistent-sysfs", 1);
	}
	if (chdir(dir))
		abort();
}

static void leave_empty_dir(void)
{
	if (fchdir(home))
		abort();
}

static void use(struct daxdev *dev, const struct daxdev_open_opts *o)
{
	struct daxdev_info info = DAXDEV_INFO_INIT;
	struct daxdev_badblock bb = DAXDEV_BADBLOCK_INIT;
	char buf[64] = "fuzz", back[64];
	char details[512];

	if (daxdev_get_info(dev, &info) || !info.host || daxdev_size(dev) == 0)
		abort();
	daxdev_get_details(dev, details, sizeof(details));
	daxdev_badblock_next(dev, 0, &bb);
	if (daxdev_size(dev) < sizeof(buf) || (o->flags & DAXDEV_OPEN_READONLY))
		return;
	if (daxdev_write(dev, 0, buf, sizeof(buf)) || daxdev_read(dev, 0, back, sizeof(back)) ||
	    memcmp(buf, back, sizeof(buf)))
		abort();
}

/* sharesim copies its whole memory into each host's cache image when it is
 * created (docs/sharesim.md, "Cost"): a large one is legal up to half the
 * machine's RAM, but not within this harness's 2 GB memory limit.  Such
 * targets are left out: any size token over 64 MiB in a string that names
 * sharesim.  (crashsim and anon: cost what is written.) */
static bool large_sharesim(const char *target)
{
	char copy[MAX_TARGET + 1], *save = NULL;
	uint64_t n;

	if (!strstr(target, "sharesim:"))
		return false;
	snprintf(copy, sizeof(copy), "%s", target);
	for (char *tok = strtok_r(copy, ":,", &save); tok; tok = strtok_r(NULL, ":,", &save))
		if (!daxdev_parse_size(tok, &n) && n > (64u << 20))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const unsigned flag_bits[4] = { DAXDEV_OPEN_READONLY, DAXDEV_OPEN_SPARSE,
					       DAXDEV_OPEN_REUSE, DAXDEV_OPEN_NO_SIGBUS_GUARD };
	char target[MAX_TARGET + 1];
	struct daxdev *dev;
	uint64_t parsed;
	unsigned flags = 0;

	if (size < 2 || size - 2 > MAX_TARGET)
		return 0;
	for (int i = 0; i < 4; i++)
		flags |= data[0] & (1u << i) ? flag_bits[i] : 0;
	memcpy(target, data + 2, size - 2);
	target[size - 2] = '\0';
	if (strchr(target, '/') || large_sharesim(target))
		return 0;
	daxdev_parse_size(target, &parsed);
	DAXDEV_OPEN_OPTS(opts, .flags = flags, .size = (uint64_t)data[1] << 12);
	enter_empty_dir();
	if (daxdev_open(target, &opts, &dev)) {
		if (!daxdev_errormsg()[0])
			abort(); /* every failure says why */
	} else {
		use(dev, &opts);
		daxdev_put(dev);
	}
	leave_empty_dir();
	return 0;
}
