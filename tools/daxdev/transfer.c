/* SPDX-License-Identifier: MIT */
/*
 * daxdev dump, restore, zero (what PMDK's daxio does): stream a range of a
 * device to stdout or a file, from stdin or a file, or zero it, durably and
 * never past the range.  Known bad blocks are refused before anything is
 * written, or skipped with --skip-bad (zeros in a dump) and reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tool.h"

#define CHUNK (1u << 20)

enum transfer_kind { DUMP, RESTORE, ZERO };

struct transfer {
	enum transfer_kind kind;
	const char *cmd, *target, *file;
	uint64_t offset, length;
	bool has_length, skip_bad;
	int fd;                      /* stdin/stdout or the file */
	struct tool_target t;
	struct tool_progress progress;
	char *buf;
	size_t skipped;
};

static const char *const usages[] = {
	[DUMP] = "usage: daxdev dump [--offset N] [--length N] [--output FILE] [--skip-bad] TARGET\n"
		 "Copy TARGET's bytes (all, or the range) to stdout or FILE.\n",
	[RESTORE] = "usage: daxdev restore [--offset N] [--length N] [--input FILE] [--skip-bad] TARGET\n"
		    "Write stdin or FILE to TARGET from --offset, durably; never past the range\n"
		    "(--length, or the end of TARGET); a shorter input is an error.\n",
	[ZERO] = "usage: daxdev zero [--offset N] [--length N] [--skip-bad] TARGET\n"
		 "Zero TARGET (all, or the range), durably.\n",
};

static const char common_help[] =
	"  -o, --offset N   start at byte N (K, M, G suffixes)\n"
	"  -l, --length N   this many bytes (default: to the end)\n"
	"  -s, --skip-bad   skip known bad blocks (a dump writes zeros there) and report them;\n"
	"                   without it a bad block in the range fails before any I/O\n"
	"  -h, --help       this text\n"
	"A progress bar is shown when stderr is a terminal.  Exit status 0, or 1 on any error.\n";

static int parse_args(struct transfer *x, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "offset", required_argument, NULL, 'o' }, { "length", required_argument, NULL, 'l' },
		{ "input", required_argument, NULL, 'i' }, { "output", required_argument, NULL, 'O' },
		{ "skip-bad", no_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "o:l:i:O:sh", longopts, NULL)) != -1) {
		if ((c == 'i' && x->kind != RESTORE) || (c == 'O' && x->kind != DUMP))
			return tool_usage_error(x->cmd, "--%s does not apply to %s",
						c == 'i' ? "input" : "output", x->cmd);
		if (c == 'o' && tool_parse_size(x->cmd, "--offset", optarg, &x->offset))
			return TOOL_USAGE;
		if (c == 'l' && tool_parse_size(x->cmd, "--length", optarg, &x->length))
			return TOOL_USAGE;
		if (c == 'l')
			x->has_length = true;
		else if (c == 'i' && x->kind == RESTORE)
			x->file = optarg;
		else if (c == 'O' && x->kind == DUMP)
			x->file = optarg;
		else if (c == 's')
			x->skip_bad = true;
		else if (c == 'h')
			return printf("%s%s%s", usages[x->kind], x->kind == DUMP ?
				      "  -O, --output FILE  write to FILE instead of stdout\n" :
				      x->kind == RESTORE ? "  -i, --input FILE   read FILE instead of stdin\n" : "",
				      common_help), -1;
		else if (c != 'o' && c != 'l')
			return tool_bad_option(x->cmd, argv);
	}
	if (optind != argc - 1)
		return tool_usage_error(x->cmd, optind == argc ? "a TARGET is needed" : "one TARGET only");
	x->target = argv[optind];
	return 0;
}

static int check_range(struct transfer *x)
{
	uint64_t size = x->t.info.size;

	if (x->offset > size)
		return tool_fail(x->cmd, "--offset %llu is past the end of %s (%llu bytes)",
				 (unsigned long long)x->offset, x->t.info.host, (unsigned long long)size);
	if (!x->has_length)
		x->length = size - x->offset;
	if (x->length > size - x->offset)
		return tool_fail(x->cmd, "range %llu+%llu is past the end of %s (%llu bytes)",
				 (unsigned long long)x->offset, (unsigned long long)x->length,
				 x->t.info.host, (unsigned long long)size);
	return 0;
}

/* Refuse before any I/O when a known bad block lies in the range. */
static int check_bad(struct transfer *x)
{
	uint64_t off, len;
	int rc;

	if (x->skip_bad)
		return 0;
	rc = tool_badblocks_next(x->t.dev, x->offset, x->offset + x->length, &off, &len);
	if (rc < 0)
		return tool_lib_fail(x->cmd, rc);
	if (rc > 0)
		return tool_fail(x->cmd, "%s: bad block at offset %llu (%llu bytes) in the range: "
				 "refusing (--skip-bad skips it)", x->t.info.host,
				 (unsigned long long)off, (unsigned long long)len);
	return 0;
}

static int full_io(int fd, char *buf, size_t len, bool out, size_t *done)
{
	ssize_t n;

	for (*done = 0; *done < len; *done += (size_t)n) {
		n = out ? write(fd, buf + *done, len - *done) : read(fd, buf + *done, len - *done);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0)
			return -errno;
		if (n == 0)
			break; /* end of input */
	}
	return 0;
}

/* One piece [off, off+len) that holds no known bad block. */
static int piece(struct transfer *x, uint64_t off, size_t len)
{
	size_t done;
	int rc;

	switch (x->kind) {
	case DUMP:
		rc = daxdev_read(x->t.dev, off, x->buf, len);
		if (rc)
			return tool_lib_fail(x->cmd, rc);
		rc = full_io(x->fd, x->buf, len, true, &done);
		return rc ? tool_fail(x->cmd, "writing the output: %s", strerror(-rc)) : 0;
	case RESTORE:
		rc = full_io(x->fd, x->buf, len, false, &done);
		if (rc)
			return tool_fail(x->cmd, "reading the input: %s", strerror(-rc));
		if (done && (rc = daxdev_write(x->t.dev, off, x->buf, done)))
			return tool_lib_fail(x->cmd, rc);
		if (done < len)
			return tool_fail(x->cmd, "the input ended after %llu of the %llu bytes of the range",
					 (unsigned long long)(off + done - x->offset),
					 (unsigned long long)x->length);
		return 0;
	case ZERO:
		rc = daxdev_zero(x->t.dev, off, len);
		return rc ? tool_lib_fail(x->cmd, rc) : 0;
	}
	return 0;
}

/* A skipped bad range: zeros in a dump, input consumed in a restore. */
static int skip(struct transfer *x, uint64_t off, uint64_t len)
{
	size_t n, done;
	int rc = 0;

	fprintf(stderr, "daxdev %s: skipped bad range at offset %llu (%llu bytes)\n", x->cmd,
		(unsigned long long)off, (unsigned long long)len);
	x->skipped++;
	memset(x->buf, 0, CHUNK);
	for (; len && !rc; len -= n) {
		n = len > CHUNK ? CHUNK : (size_t)len;
		if (x->kind != ZERO)
			rc = full_io(x->fd, x->buf, n, x->kind == DUMP, &done);
		if (!rc && x->kind == RESTORE && done < n)
			return tool_fail(x->cmd, "the input ended inside a skipped bad range");
		tool_progress_add(&x->progress, n);
	}
	return rc ? tool_fail(x->cmd, "%s", strerror(-rc)) : 0;
}

/* The good pieces of [off, to), chunk by chunk. */
static int good_run(struct transfer *x, uint64_t off, uint64_t to)
{
	int rc = 0;

	while (off < to && !rc) {
		size_t n = to - off > CHUNK ? CHUNK : (size_t)(to - off);

		rc = piece(x, off, n);
		tool_progress_add(&x->progress, n);
		off += n;
	}
	return rc;
}

static int run(struct transfer *x)
{
	uint64_t off = x->offset, end = x->offset + x->length, bad, len;
	int rc = 0, found;

	while (off < end && !rc) {
		found = x->skip_bad ? tool_badblocks_next(x->t.dev, off, end, &bad, &len) : 0;
		if (found < 0)
			return tool_lib_fail(x->cmd, found);
		if (!found) {
			bad = end;
			len = 0;
		} else if (bad < off) { /* the range starts inside a bad page */
			len -= off - bad;
			bad = off;
		}
		if (len > end - bad)
			len = end - bad;
		rc = good_run(x, off, bad);
		if (!rc && len)
			rc = skip(x, bad, len);
		off = bad + len;
	}
	return rc;
}

static int open_stream(struct transfer *x)
{
	if (x->kind == ZERO)
		return 0;
	if (!x->file) {
		x->fd = x->kind == DUMP ? STDOUT_FILENO : STDIN_FILENO;
		if (x->kind == DUMP && isatty(x->fd))
			return tool_usage_error(x->cmd, "stdout is a terminal: redirect it or use --output");
		return 0;
	}
	x->fd = x->kind == DUMP ? open(x->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) :
		open(x->file, O_RDONLY | O_CLOEXEC);
	return x->fd < 0 ? tool_fail(x->cmd, "%s: %s", x->file, strerror(errno)) : 0;
}

static int transfer_main(enum transfer_kind kind, const char *cmd, int argc, char **argv)
{
	struct transfer x = { .kind = kind, .cmd = cmd, .fd = -1 };
	int rc = parse_args(&x, argc, argv);

	if (rc)
		return rc < 0 ? TOOL_OK : rc;
	rc = open_stream(&x);
	if (rc)
		return rc;
	if (tool_target_open(cmd, x.target, kind != DUMP, &x.t)) {
		rc = TOOL_FAIL;
		goto out_close;
	}
	x.buf = malloc(CHUNK);
	rc = !x.buf ? tool_fail(cmd, "out of memory") : check_range(&x);
	if (!rc)
		rc = check_bad(&x);
	if (!rc) {
		tool_progress_start(&x.progress, cmd, x.length);
		rc = run(&x);
		tool_progress_end(&x.progress);
	}
	if (!rc && x.skipped)
		fprintf(stderr, "daxdev %s: %zu bad range%s skipped\n", cmd, x.skipped,
			x.skipped > 1 ? "s" : "");
	free(x.buf);
	tool_target_close(&x.t);
out_close:
	if (x.file && x.fd >= 0 && close(x.fd) && !rc)
		rc = tool_fail(cmd, "%s: %s", x.file, strerror(errno));
	return rc ? TOOL_FAIL : TOOL_OK;
}

int cmd_dump(int argc, char **argv)
{
	return transfer_main(DUMP, "dump", argc, argv);
}

int cmd_restore(int argc, char **argv)
{
	return transfer_main(RESTORE, "restore", argc, argv);
}

int cmd_zero(int argc, char **argv)
{
	return transfer_main(ZERO, "zero", argc, argv);
}
