/* SPDX-License-Identifier: MIT */
/*
 * plog: command-line front end of the persistent log (plog.c, append.c).
 * TARGET is anything daxdev_open() takes: /dev/daxX.Y, a file, anon:SIZE,
 * crashsim:TARGET, linear:..., stripe:...
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <daxdev.h>
#include "crashcheck.h"
#include "plog.h"

#define DEFAULT_SIZE (UINT64_C(64) << 20)

static const char usage[] =
	"usage: plog COMMAND ...\n"
	"  create TARGET [--size N] [--force]  format TARGET as an empty log\n"
	"                                      (an absent file is created with --size, default 64M)\n"
	"  append TARGET [--shared] [--] [TEXT...|-]\n"
	"                                       one record per TEXT, or per line of stdin with -;\n"
	"                                       --shared: followers on other hosts read the log\n"
	"  cat TARGET                           print every record, one per line\n"
	"  follow TARGET [--interval MS]        print every record, then each new one as it is\n"
	"                                       appended (here or on another host); looks every\n"
	"                                       MS milliseconds (default 10) until SIGINT/SIGTERM\n"
	"  stat TARGET                          records, bytes used and free, device info\n"
	"  demo TARGET                          create, append, cat and stat in one process\n"
	"  rewind TARGET                        empty the log\n"
	"  bench TARGET [--count N] [--force]   time appends of 64 B, 1 KiB, 4 KiB (formats TARGET)\n"
	"  crashcheck [--images N] [--seed S] [--planted-bug|--missing-fence]\n"
	"                                       crash appends under crashsim, check every recovery\n";

static int fail(const char *cmd, const char *what)
{
	fprintf(stderr, "plog %s: %s\n", cmd, what);
	return 1;
}

/* Read-only (cat, stat) or to append; either waits for a writer that has
 * the log open (another plog append, say) to finish. */
static int open_log(const char *cmd, const char *target, bool readonly, bool shared,
		    struct daxdev **devp, struct plog **logp)
{
	DAXDEV_OPEN_OPTS(opts, .flags = readonly ? DAXDEV_OPEN_READONLY : 0,
			 .sharing = shared ? DAXDEV_SHARING_NONCOHERENT : DAXDEV_SHARING_LOCAL);

	if (daxdev_open(target, &opts, devp))
		return fail(cmd, daxdev_errormsg());
	if (plog_open(*devp, PLOG_OPEN_WAIT | (readonly ? PLOG_OPEN_READONLY : 0), logp)) {
		fprintf(stderr, "plog %s: %s: %s\n", cmd, target, plog_errormsg());
		daxdev_put(*devp);
		return 1;
	}
	return 0;
}

static void close_log(struct daxdev *dev, struct plog *log)
{
	plog_close(log);
	daxdev_put(dev);
}

/* --- create -------------------------------------------------------------- */

static int parse_size_arg(const char *cmd, const char *s, uint64_t *size)
{
	if (daxdev_parse_size(s, size) || *size == 0)
		return fail(cmd, "--size needs a size such as 4096, 64K, 16M");
	return 0;
}

/* An existing target keeps its size unless --size asks for more; an absent
 * file is created with --size or the default. */
static int open_or_create(const char *target, uint64_t size, struct daxdev **devp)
{
	DAXDEV_OPEN_OPTS(opts, .size = size);
	int rc = daxdev_open(target, &opts, devp);

	if (rc == -ENOENT) {
		opts.size = size ? size : DEFAULT_SIZE;
		opts.flags = DAXDEV_OPEN_CREATE;
		rc = daxdev_open(target, &opts, devp);
	}
	return rc;
}

static int cmd_create(int argc, char **argv)
{
	uint64_t size = 0;
	bool force = false;
	struct daxdev *dev;
	struct plog *log;
	int rc = 0;

	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			force = true;
		else if (!strcmp(argv[i], "--size") && i + 1 < argc)
			rc = parse_size_arg("create", argv[++i], &size);
		else
			return fail("create", "unexpected argument (see plog --help)");
		if (rc)
			return rc;
	}
	if (open_or_create(argv[2], size, &dev))
		return fail("create", daxdev_errormsg());
	rc = force ? 0 : plog_is_formatted(dev);
	if (rc == 0 && plog_create(dev, &log) == 0) {
		plog_close(log);
	} else {
		fprintf(stderr, "plog create: %s: %s\n", argv[2], rc > 0 ?
			"already holds a plog log (use --force to format it again)" : plog_errormsg());
		rc = 1;
	}
	daxdev_put(dev);
	return rc ? 1 : 0;
}

/* --- append, cat, stat, rewind ------------------------------------------- */

static int append_stdin(struct plog *log)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	while (!rc && (n = getline(&line, &cap, stdin)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			n--;
		rc = plog_append(log, line, (size_t)n);
	}
	free(line);
	return rc;
}

/* Options come first after TARGET; "--" ends them (for a TEXT that
 * starts with "--"). */
static int cmd_append(int argc, char **argv)
{
	struct daxdev *dev;
	struct plog *log;
	bool shared = false;
	int first = 3, rc;

	for (; first < argc && !strncmp(argv[first], "--", 2); first++) {
		if (!strcmp(argv[first], "--")) {
			first++;
			break;
		}
		if (strcmp(argv[first], "--shared"))
			return fail("append", "unknown option (see plog --help; -- before a TEXT that starts with --)");
		shared = true;
	}
	rc = open_log("append", argv[2], false, shared, &dev, &log);
	if (rc)
		return rc;
	for (int i = first; i < argc && !rc; i++)
		rc = strcmp(argv[i], "-") ? plog_append(log, argv[i], strlen(argv[i])) :
					    append_stdin(log);
	if (rc)
		fprintf(stderr, "plog append: %s: %s\n", argv[2], plog_errormsg());
	close_log(dev, log);
	return rc ? 1 : 0;
}

#define STDOUT_FAILED 1   /* print_record's "stop": not an errno, not the log's */

static int print_record(void *arg, uint64_t seq, const void *data, size_t len)
{
	(void)arg;
	(void)seq;
	if (fwrite(data, 1, len, stdout) != len || putchar('\n') == EOF)
		return STDOUT_FAILED;
	return 0;
}

static int cmd_cat(int argc, char **argv)
{
	struct daxdev *dev;
	struct plog *log;
	int rc;

	(void)argc;
	rc = open_log("cat", argv[2], true, false, &dev, &log);
	if (rc)
		return rc;
	/* A damaged log: the records before the damage, then the error. */
	rc = plog_foreach(log, print_record, NULL);
	if (fflush(stdout) == EOF)
		rc = STDOUT_FAILED;
	if (rc)
		fprintf(stderr, "plog cat: %s: %s\n", argv[2],
			rc == STDOUT_FAILED ? "cannot write to stdout" : plog_errormsg());
	close_log(dev, log);
	return rc ? 1 : 0;
}

/* --- follow ------------------------------------------------------------- */

static volatile sig_atomic_t stop_following;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_following = 1;
}

/* SIGINT and SIGTERM end the follow loop at its next look; no SA_RESTART,
 * so they cut the sleep short. */
static int catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ? -errno : 0;
}

static int parse_interval(int argc, char **argv, long *ms)
{
	char *end;

	*ms = 10;
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--interval") || i + 1 == argc)
			return fail("follow", "unexpected argument (see plog --help)");
		*ms = strtol(argv[++i], &end, 10);
		if (*end || end == argv[i] || *ms < 1 || *ms > 60000)
			return fail("follow", "--interval takes milliseconds, 1 to 60000");
	}
	return 0;
}

/* Look, print what arrived, sleep, until a stop signal.  The device is
 * always opened NONCOHERENT: the writer may be on another host, and nothing
 * on this one can say it is not.  A rewind is told on stderr and followed. */
static int follow_loop(const char *target, struct plog *log, long ms)
{
	struct timespec pause = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };
	int rc = 0;

	while (!stop_following) {
		rc = plog_follow(log, print_record, NULL);
		if (fflush(stdout) == EOF)
			rc = STDOUT_FAILED;
		if (rc == -ESTALE) {
			fprintf(stderr, "plog follow: %s: %s\n", target, plog_errormsg());
			continue;
		}
		if (rc)
			break;
		nanosleep(&pause, NULL);
	}
	if (rc)
		fprintf(stderr, "plog follow: %s: %s\n", target,
			rc == STDOUT_FAILED ? "cannot write to stdout" : plog_errormsg());
	return rc ? 1 : 0;
}

static int cmd_follow(int argc, char **argv)
{
	DAXDEV_OPEN_OPTS(opts, .flags = DAXDEV_OPEN_READONLY,
			 .sharing = DAXDEV_SHARING_NONCOHERENT);
	struct daxdev *dev;
	struct plog *log;
	long ms;
	int rc = parse_interval(argc, argv, &ms);

	if (rc)
		return rc;
	if (catch_stop_signals())
		return fail("follow", "cannot catch SIGINT and SIGTERM");
	if (daxdev_open(argv[2], &opts, &dev))
		return fail("follow", daxdev_errormsg());
	if (plog_open(dev, PLOG_OPEN_FOLLOW, &log)) {
		fprintf(stderr, "plog follow: %s: %s\n", argv[2], plog_errormsg());
		daxdev_put(dev);
		return 1;
	}
	rc = follow_loop(argv[2], log, ms);
	close_log(dev, log);
	return rc;
}

static int no_visit(void *arg, uint64_t seq, const void *data, size_t len)
{
	(void)arg;
	(void)seq;
	(void)data;
	(void)len;
	return 0;
}

/* Log figures, then what libdaxdev chose for the device and why.  A
 * damaged log's error (the figures are those before the damage). */
static int print_stat(struct daxdev *dev, struct plog *log)
{
	char info[8192];
	struct plog_stat st;

	plog_get_stat(log, &st);
	printf("records: %llu\nused: %llu\nfree: %llu\ncapacity: %llu\nlargest record now: %llu\n"
	       "generation: %llu\n",
	       (unsigned long long)st.records, (unsigned long long)st.used,
	       (unsigned long long)st.free, (unsigned long long)st.capacity,
	       (unsigned long long)st.max_record, (unsigned long long)st.generation);
	if (st.damage)
		printf("damaged at offset: %llu\n", (unsigned long long)st.damage);
	if (daxdev_format_info(dev, info, sizeof(info)) > 0)
		printf("-- device --\n%s", info);
	return st.damage ? plog_foreach(log, no_visit, NULL) : 0;
}

static int cmd_stat(int argc, char **argv)
{
	struct daxdev *dev;
	struct plog *log;
	int rc;

	(void)argc;
	rc = open_log("stat", argv[2], true, false, &dev, &log);
	if (rc)
		return rc;
	rc = print_stat(dev, log);
	if (rc)
		fprintf(stderr, "plog stat: %s: %s\n", argv[2], plog_errormsg());
	close_log(dev, log);
	return rc ? 1 : 0;
}

/* create + append + cat + stat in one process, so that anon: works too. */
static int cmd_demo(int argc, char **argv)
{
	static const char *const lines[] = { "first record", "second record",
					     "a third, longer record that spans more bytes" };
	struct daxdev *dev;
	struct plog *log;
	int rc;

	(void)argc;
	if (open_or_create(argv[2], 0, &dev))
		return fail("demo", daxdev_errormsg());
	rc = plog_create(dev, &log);
	for (size_t i = 0; !rc && i < sizeof(lines) / sizeof(lines[0]); i++)
		rc = plog_append(log, lines[i], strlen(lines[i]));
	if (rc) {
		fprintf(stderr, "plog demo: %s: %s\n", argv[2], plog_errormsg());
		daxdev_put(dev);
		return 1;
	}
	printf("== plog demo on %s: appended %zu records; cat:\n", argv[2],
	       sizeof(lines) / sizeof(lines[0]));
	rc = plog_foreach(log, print_record, NULL);
	printf("== stat:\n");
	if (!rc)
		rc = print_stat(dev, log);
	close_log(dev, log);
	return rc ? 1 : 0;
}

static int cmd_rewind(int argc, char **argv)
{
	struct daxdev *dev;
	struct plog *log;
	int rc;

	(void)argc;
	rc = open_log("rewind", argv[2], false, false, &dev, &log);
	if (rc)
		return rc;
	rc = plog_rewind(log);
	if (rc)
		fprintf(stderr, "plog rewind: %s: %s\n", argv[2], plog_errormsg());
	close_log(dev, log);
	return rc ? 1 : 0;
}

/* --- bench --------------------------------------------------------------- */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Time count appends of size bytes; a full log is rewound and refilled. */
static int bench_size(struct plog *log, size_t size, long count, double *ns)
{
	char *buf = calloc(1, size);
	double start;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	rc = plog_rewind(log);
	start = now_ns();
	for (long i = 0; i < count && !rc; i++) {
		rc = plog_append(log, buf, size);
		if (rc == -ENOSPC)
			rc = plog_rewind(log) ? -EIO : plog_append(log, buf, size);
	}
	*ns = (now_ns() - start) / (double)count;
	free(buf);
	return rc;
}

static int bench_open(const char *target, bool force, struct daxdev **devp,
		      struct plog **logp)
{
	struct plog *old;

	if (open_or_create(target, 0, devp))
		return fail("bench", daxdev_errormsg());
	if (!force && plog_open(*devp, PLOG_OPEN_READONLY, &old) == 0) {
		struct plog_stat st;
		plog_get_stat(old, &st);
		plog_close(old);
		if (st.records) {
			daxdev_put(*devp);
			return fail("bench", "target holds a log with records (use --force to overwrite)");
		}
	}
	if (plog_create(*devp, logp)) {
		fail("bench", plog_errormsg());
		daxdev_put(*devp);
		return 1;
	}
	return 0;
}

static int cmd_bench(int argc, char **argv)
{
	static const size_t sizes[] = { 64, 1024, 4096 };
	long count = 200000;
	bool force = false;
	struct daxdev *dev;
	struct plog *log;
	int rc;

	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			force = true;
		else if (!strcmp(argv[i], "--count") && i + 1 < argc && atol(argv[i + 1]) > 0)
			count = atol(argv[++i]);
		else
			return fail("bench", "unexpected argument (see plog --help)");
	}
	rc = bench_open(argv[2], force, &dev, &log);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && !rc; i++) {
		double ns;
		rc = bench_size(log, sizes[i], count, &ns);
		if (!rc)
			printf("append %5zu B: %8.1f ns/append  %8.1f MB/s  (%ld appends)\n",
			       sizes[i], ns, (double)sizes[i] * 1e3 / ns, count);
	}
	if (rc)
		fail("bench", plog_errormsg());
	close_log(dev, log);
	return rc ? 1 : 0;
}

/* --- crashcheck ---------------------------------------------------------- */

static int cmd_crashcheck(int argc, char **argv)
{
	static const size_t sizes[] = { 1, 7, 8, 63, 64, 65, 4096, 70000 };
	struct plog_crashcheck_opts o = {
		.sizes = sizes, .nsizes = sizeof(sizes) / sizeof(sizes[0]),
		.appends = 3, .batch = 3, .seeds = 8, .seed = 1,
	};
	struct plog_crashcheck_result r;
	uint64_t images = 0, failures = 0, want = 10000;
	char first[sizeof(r.first_failure)] = "";

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--images") && i + 1 < argc)
			want = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			o.seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--planted-bug"))
			o.fault = PLOG_FAULT_UNFLUSHED_PAYLOAD;
		else if (!strcmp(argv[i], "--missing-fence"))
			o.fault = PLOG_FAULT_UNFENCED_APPEND;
		else
			return fail("crashcheck", "unexpected argument (see plog --help)");
	}
	while (images < want) {
		if (plog_crashcheck(&o, &r))
			return fail("crashcheck", r.first_failure);
		if (!first[0])
			memcpy(first, r.first_failure, sizeof(first));
		images += r.images;
		failures += r.failures;
		o.seed += r.images;
	}
	printf("crash images checked: %llu, failed: %llu\n", (unsigned long long)images,
	       (unsigned long long)failures);
	if (failures)
		printf("first failure: %s\n", first);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} cmds[] = {
		{ "create", cmd_create }, { "append", cmd_append }, { "cat", cmd_cat },
		{ "stat", cmd_stat }, { "rewind", cmd_rewind }, { "bench", cmd_bench },
		{ "demo", cmd_demo }, { "follow", cmd_follow },
	};

	if (argc >= 2 && !strcmp(argv[1], "crashcheck"))
		return cmd_crashcheck(argc, argv);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	for (size_t i = 0; argc >= 3 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].run(argc, argv);
	fputs(usage, stderr);
	return 2;
}
