/* SPDX-License-Identifier: MIT */
/* Messages, sizes, JSON output and the progress bar shared by the subcommands. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "tool.h"

static void vmessage(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "daxdev %s: ", cmd);
	vfprintf(stderr, fmt, ap);
}

int tool_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(cmd, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return TOOL_FAIL;
}

int tool_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see daxdev %s --help)\n", cmd);
	return TOOL_USAGE;
}

int tool_bad_option(const char *cmd, char **argv)
{
	if (optopt && strchr("oliOs", optopt) && argv[optind - 1][0] == '-')
		return tool_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
	return tool_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

int tool_lib_fail(const char *cmd, int rc)
{
	const char *msg = daxdev_errormsg();

	return tool_fail(cmd, "%s", msg[0] ? msg : strerror(-rc));
}

/* "250.00 MiB (262.14 MB)", as ndctl -u shows sizes. */
void tool_size_str(uint64_t bytes, bool human, char *buf, size_t len)
{
	static const char *const bin[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	static const char *const dec[] = { "KB", "MB", "GB", "TB", "PB" };
	double b = (double)bytes, d = (double)bytes;
	int i = -1, j = -1;

	if (!human || bytes < 1024) {
		snprintf(buf, len, human ? "%llu B" : "%llu", (unsigned long long)bytes);
		return;
	}
	while (b >= 1024 && i < 4) {
		b /= 1024;
		i++;
	}
	while (d >= 1000 && j < 4) {
		d /= 1000;
		j++;
	}
	snprintf(buf, len, "%.2f %s (%.2f %s)", b, bin[i], d, dec[j]);
}

json_object *tool_json_size(uint64_t bytes, bool human)
{
	char text[64];

	if (!human)
		return json_object_new_uint64(bytes);
	tool_size_str(bytes, true, text, sizeof(text));
	return json_object_new_string(text);
}

int tool_parse_size(const char *cmd, const char *opt, const char *arg, uint64_t *out)
{
	if (daxdev_parse_size(arg, out))
		return tool_usage_error(cmd, "%s '%s': not a size (bytes, or with K, M, G, T, P)",
					opt, arg);
	return 0;
}

void tool_json_print(json_object *doc)
{
	puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
						 JSON_C_TO_STRING_SPACED |
						 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
}

void tool_progress_start(struct tool_progress *p, const char *what, uint64_t total)
{
	*p = (struct tool_progress){ .on = isatty(STDERR_FILENO) && total > 0, .what = what,
				     .total = total, .last_permille = -1 };
	tool_progress_add(p, 0);
}

void tool_progress_add(struct tool_progress *p, uint64_t n)
{
	int permille, width = 40, filled;

	p->done += n;
	if (!p->on)
		return;
	permille = (int)(p->done * 1000 / p->total);
	if (permille == p->last_permille)
		return;
	p->last_permille = permille;
	filled = permille * width / 1000;
	fprintf(stderr, "\r%-8s [%.*s%*s] %3d.%d%%", p->what, filled,
		"########################################", width - filled, "",
		permille / 10, permille % 10);
	fflush(stderr);
}

void tool_progress_end(struct tool_progress *p)
{
	if (p->on)
		fputc('\n', stderr);
	p->on = false;
}
