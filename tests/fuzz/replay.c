/* Replays fuzz inputs (committed corpus and regression inputs) through a harness, as a unit test. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	struct stat st;
	size_t n;

	if (!f || fstat(fileno(f), &st))
		return -1;
	buf = malloc((size_t)st.st_size + 1);
	n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
	fclose(f);
	if (!buf || n != (size_t)st.st_size)
		return -1;
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0;

	/* Harnesses may change directory: resolve the arguments first. */
	for (int i = 1; i < argc; i++) {
		char *real = realpath(argv[i], NULL);
		argv[i] = real ? real : argv[i];
	}
	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		if (!d)
			continue; /* no regression inputs yet */
		while ((e = readdir(d))) {
			char path[4096];
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (replay_file(path)) {
				fprintf(stderr, "cannot read %s\n", path);
				return 1;
			}
			files++;
		}
		closedir(d);
	}
	printf("%d passed, 0 failed\n", files);
	return files ? 0 : 1;
}
