/* SPDX-License-Identifier: MIT */
/*
 * daxdev bench: durable-copy latency and bandwidth (daxdev_write, which
 * returns once the data is durable) on the target itself, at a few sizes.
 * The bytes it overwrites are saved first and written back at the end.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tool.h"

#define BENCH_MAX_SIZES 16
#define BENCH_SECONDS_PER_SIZE 0.25
#define BENCH_MAX_OPS 1000000

static const char bench_usage[] =
	"usage: daxdev bench [--sizes LIST] [--offset N] [-u] [--json] TARGET\n"
	"Durable-copy latency and bandwidth on TARGET (daxdev_write at each size).\n"
	"The bytes used (the largest size, from --offset) are saved and written back.\n"
	"  -s, --sizes LIST  comma-separated sizes (default 64,256,4K,64K,1M)\n"
	"  -o, --offset N    where to write (default 0)\n"
	"  -u, --human       sizes and bandwidth in human units\n"
	"  -j, --json        JSON\n"
	"  -h, --help        this text\n"
	"A progress bar is shown when stderr is a terminal.\n";

struct bench {
	uint64_t sizes[BENCH_MAX_SIZES];
	size_t nsizes;
	uint64_t offset, area;
	bool human, json;
	const char *target;
};

struct bench_result {
	uint64_t size, ops;
	double seconds, min_ns;
};

static int parse_sizes(struct bench *b, const char *list)
{
	char copy[512], *word, *save = NULL;

	snprintf(copy, sizeof(copy), "%s", list);
	b->nsizes = 0;
	for (word = strtok_r(copy, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
		if (b->nsizes == BENCH_MAX_SIZES)
			return tool_usage_error("bench", "at most %d sizes", BENCH_MAX_SIZES);
		if (tool_parse_size("bench", "--sizes", word, &b->sizes[b->nsizes]))
			return TOOL_USAGE;
		if (!b->sizes[b->nsizes] || b->sizes[b->nsizes] > (UINT64_C(1) << 30))
			return tool_usage_error("bench", "--sizes: %s is not in 1..1G", word);
		b->nsizes++;
	}
	return b->nsizes ? 0 : tool_usage_error("bench", "--sizes: empty list");
}

static int parse_args(struct bench *b, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sizes", required_argument, NULL, 's' }, { "offset", required_argument, NULL, 'o' },
		{ "human", no_argument, NULL, 'u' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c, rc = parse_sizes(b, "64,256,4K,64K,1M");

	while (!rc && (c = getopt_long(argc, argv, "s:o:ujh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': rc = parse_sizes(b, optarg); break;
		case 'o': rc = tool_parse_size("bench", "--offset", optarg, &b->offset); break;
		case 'u': b->human = true; break;
		case 'j': b->json = true; break;
		case 'h': fputs(bench_usage, stdout); return -1;
		default: return tool_bad_option("bench", argv);
		}
	}
	if (rc)
		return rc;
	if (optind != argc - 1)
		return tool_usage_error("bench", optind == argc ? "a TARGET is needed" : "one TARGET only");
	b->target = argv[optind];
	for (size_t i = 0; i < b->nsizes; i++)
		b->area = b->sizes[i] > b->area ? b->sizes[i] : b->area;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Writes of one size, moving through the area, for a fixed time. */
static int run_size(struct daxdev *dev, const struct bench *b, const char *src,
		    struct bench_result *r)
{
	uint64_t slots = b->area / r->size, pos = 0;
	double start = now(), t0, t1 = start, ns;
	int rc;

	r->min_ns = 1e30;
	for (r->ops = 0; r->ops < BENCH_MAX_OPS && t1 - start < BENCH_SECONDS_PER_SIZE; r->ops++) {
		t0 = now();
		rc = daxdev_write(dev, b->offset + pos * r->size, src, r->size);
		t1 = now();
		if (rc)
			return rc;
		ns = (t1 - t0) * 1e9;
		r->min_ns = ns < r->min_ns ? ns : r->min_ns;
		pos = pos + 1 == slots ? 0 : pos + 1;
	}
	r->seconds = t1 - start;
	return 0;
}

static void print_results(const struct bench *b, const struct bench_result *r,
			  const struct daxdev_info *info)
{
	json_object *arr = json_object_new_array();
	char size[64], bw[64];

	for (size_t i = 0; i < b->nsizes; i++) {
		double avg = r[i].seconds * 1e9 / (double)r[i].ops;
		uint64_t bps = (uint64_t)((double)(r[i].size * r[i].ops) / r[i].seconds);
		json_object *o = json_object_new_object();

		json_object_object_add(o, "size", tool_json_size(r[i].size, b->human));
		json_object_object_add(o, "ops", json_object_new_uint64(r[i].ops));
		json_object_object_add(o, "latency_ns", json_object_new_double(avg));
		json_object_object_add(o, "min_latency_ns", json_object_new_double(r[i].min_ns));
		json_object_object_add(o, "bandwidth", tool_json_size(bps, b->human));
		json_object_array_add(arr, o);
		if (b->json)
			continue;
		tool_size_str(r[i].size, b->human, size, sizeof(size));
		tool_size_str(bps, b->human, bw, sizeof(bw));
		printf("%-24s %10.0f ns avg %10.0f ns min %12s%s\n", size, avg, r[i].min_ns, bw,
		       b->human ? "/s" : " B/s");
	}
	if (!b->json) {
		json_object_put(arr);
		return;
	}
	json_object *doc = json_object_new_object();
	json_object_object_add(doc, "host", json_object_new_string(info->host));
	json_object_object_add(doc, "flush", json_object_new_string(info->flush_impl));
	json_object_object_add(doc, "results", arr);
	tool_json_print(doc);
}

static int bench_run(struct tool_target *t, const struct bench *b, char *saved, char *src)
{
	struct bench_result r[BENCH_MAX_SIZES];
	struct tool_progress progress;
	int rc, rc2;

	rc = daxdev_read(t->dev, b->offset, saved, b->area);
	if (rc)
		return tool_lib_fail("bench", rc);
	if (!b->json)
		printf("%s: durable writes (daxdev_write), flush %s, write cache %s\n", t->info.host,
		       t->info.flush_impl, t->info.write_cache ? "on" : "off");
	tool_progress_start(&progress, "bench", b->nsizes);
	for (size_t i = 0; i < b->nsizes && !rc; i++) {
		r[i].size = b->sizes[i];
		rc = run_size(t->dev, b, src, &r[i]);
		tool_progress_add(&progress, 1);
	}
	tool_progress_end(&progress);
	rc2 = daxdev_write(t->dev, b->offset, saved, b->area);
	if (rc || rc2)
		return tool_lib_fail("bench", rc ? rc : rc2);
	print_results(b, r, &t->info);
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	struct bench b = { 0 };
	struct tool_target t;
	char *saved, *src;
	int rc = parse_args(&b, argc, argv);

	if (rc)
		return rc < 0 ? TOOL_OK : rc;
	if (tool_target_open("bench", b.target, true, &t))
		return TOOL_FAIL;
	if (b.offset > t.info.size || b.area > t.info.size - b.offset) {
		/* The message names the target: told before the close frees it. */
		tool_fail("bench", "%s has %llu bytes: no room for %llu at offset %llu",
			  t.info.host, (unsigned long long)t.info.size,
			  (unsigned long long)b.area, (unsigned long long)b.offset);
		tool_target_close(&t);
		return TOOL_FAIL;
	}
	saved = malloc(b.area);
	src = malloc(b.area);
	if (saved && src) {
		memset(src, 0xa5, b.area);
		rc = bench_run(&t, &b, saved, src);
	} else {
		rc = tool_fail("bench", "out of memory");
	}
	free(saved);
	free(src);
	tool_target_close(&t);
	return rc ? TOOL_FAIL : TOOL_OK;
}
