/* plog on a file: a writer appending numbered records is SIGKILLed at random moments; every reopen finds a numbered prefix. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "plog.h"

#define KILLS 200
#define LOG_SIZE (UINT64_C(64) << 20)

static char path[4096];

/* Record i: "i:" then a filler whose length and bytes depend on i. */
static size_t make_record(char *buf, uint64_t i)
{
	int n = snprintf(buf, 32, "%llu:", (unsigned long long)i);
	size_t len = (size_t)n + (size_t)(i * 37 % 500);

	for (size_t j = (size_t)n; j < len; j++)
		buf[j] = (char)('a' + (i + j) % 26);
	return len;
}

static int open_log(struct daxdev **dev, struct plog **log)
{
	if (daxdev_open(path, NULL, dev)) {
		fprintf(stderr, "open %s: %s\n", path, daxdev_errormsg());
		return -1;
	}
	if (plog_open(*dev, 0, log)) {
		fprintf(stderr, "plog_open: %s\n", plog_errormsg());
		daxdev_put(*dev);
		return -1;
	}
	return 0;
}

/* Append numbered records until killed; after the first append has been
 * acknowledged, tell the parent, which may kill from then on. */
static void writer(int ready_fd)
{
	struct plog_stat st;
	struct daxdev *dev;
	struct plog *log;
	char buf[600];

	if (open_log(&dev, &log))
		_exit(2);
	plog_get_stat(log, &st);
	for (uint64_t i = st.records;; i++) {
		if (plog_append(log, buf, make_record(buf, i))) {
			fprintf(stderr, "writer: append %llu: %s\n", (unsigned long long)i,
				plog_errormsg());
			_exit(3);
		}
		if (i == st.records && write(ready_fd, "", 1) != 1)
			_exit(4);
	}
}

static int check_record(void *arg, uint64_t seq, const void *data, size_t len)
{
	char want[600];
	size_t n = make_record(want, seq);

	(void)arg;
	if (len != n || memcmp(data, want, n)) {
		fprintf(stderr, "record %llu is wrong (%zu bytes)\n", (unsigned long long)seq, len);
		return 1;
	}
	return 0;
}

/* Reopen and check every record; *count must not go down. */
static int check_log(uint64_t *count)
{
	struct plog_stat st;
	struct daxdev *dev;
	struct plog *log;
	int rc;

	if (open_log(&dev, &log))
		return -1;
	plog_get_stat(log, &st);
	rc = plog_foreach(log, check_record, NULL);
	if (!rc && st.records < *count) {
		fprintf(stderr, "records went from %llu to %llu\n", (unsigned long long)*count,
			(unsigned long long)st.records);
		rc = -1;
	}
	*count = st.records;
	plog_close(log);
	daxdev_put(dev);
	return rc;
}

static int create_log(void)
{
	DAXDEV_OPEN_OPTS(create, .size = LOG_SIZE, .flags = DAXDEV_OPEN_CREATE);
	struct daxdev *dev;
	struct plog *log;

	unlink(path);
	if (daxdev_open(path, &create, &dev)) {
		fprintf(stderr, "create %s: %s\n", path, daxdev_errormsg());
		return -1;
	}
	if (plog_create(dev, &log)) {
		fprintf(stderr, "plog_create: %s\n", plog_errormsg());
		daxdev_put(dev);
		return -1;
	}
	plog_close(log);
	daxdev_put(dev);
	return 0;
}

/* Kill the writer at a random moment after its first acknowledged append:
 * the reopened log must hold at least one more record than before. */
static int kill_once(uint64_t *count)
{
	uint64_t before = *count;
	int status, ready[2];
	pid_t pid;
	char c;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(ready[0]);
		writer(ready[1]);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		fprintf(stderr, "writer did not acknowledge an append\n");
	close(ready[0]);
	usleep((useconds_t)(rand() % 3000));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status)) {
		fprintf(stderr, "writer ended by itself (status %d)\n", status);
		return -1;
	}
	if (check_log(count))
		return -1;
	if (*count <= before) {
		fprintf(stderr, "an acknowledged append was lost: %llu records, had %llu\n",
			(unsigned long long)*count, (unsigned long long)before);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t count = 0;

	snprintf(path, sizeof(path), "%s/plog-kill.log", argc > 1 ? argv[1] : ".");
	srand((unsigned)time(NULL));
	if (create_log())
		return 1;
	for (int k = 0; k < KILLS; k++) {
		if (kill_once(&count)) {
			fprintf(stderr, "after kill %d\n", k + 1);
			return 1;
		}
	}
	printf("%d kills, %llu records recovered in order, every acknowledged append kept\n",
	       KILLS, (unsigned long long)count);
	unlink(path);
	return 0;
}
