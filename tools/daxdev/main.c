/* SPDX-License-Identifier: MIT */
/* daxdev(1): subcommand dispatch, the overall usage, --version. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "tool.h"

static const char usage[] =
	"usage: daxdev COMMAND [OPTIONS] [TARGET]\n"
	"What libdaxdev will do on persistent and CXL memory, and why.\n"
	"  list     every device-dax and pmem block device, with the library's decision\n"
	"  info     everything libdaxdev reports for one target\n"
	"  check    alignment, MAP_SYNC, bad blocks, persistence, write cache (exit 1: problems)\n"
	"  bench    durable-copy latency and bandwidth on a target\n"
	"  dump     copy a target (or a range) to stdout or a file\n"
	"  restore  write stdin or a file to a target (or a range)\n"
	"  zero     zero a target (or a range)\n"
	"daxdev COMMAND --help for each; man daxdev for all.\n"
	"  -h, --help     this text\n"
	"  -V, --version  libdaxdev's version\n";

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "list", cmd_list }, { "info", cmd_info }, { "check", cmd_check },
	{ "bench", cmd_bench }, { "dump", cmd_dump }, { "restore", cmd_restore },
	{ "zero", cmd_zero },
};

int main(int argc, char **argv)
{
	if (argc < 2)
		return fputs(usage, stderr), TOOL_USAGE;
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return fputs(usage, stdout), TOOL_OK;
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
		return printf("daxdev %s%s\n", daxdev_version(),
			      tool_ndctl_built() ? " (with libndctl)" : ""), TOOL_OK;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			optind = 1; /* getopt from the subcommand's own arguments */
			opterr = 0; /* each subcommand says what was wrong, once */
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "daxdev: unknown command '%s' (see daxdev --help)\n", argv[1]);
	return TOOL_USAGE;
}
