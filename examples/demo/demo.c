/* Smallest libdaxdev program: open a target, write, read back, print the info. */
#include <daxdev.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *target = argc > 1 ? argv[1] : "anon:64M";
	const char msg[] = "hello, dax device";
	char back[sizeof(msg)], info[4096];
	struct daxdev *dev;
	int rc;

	rc = daxdev_open(target, NULL, &dev);
	if (rc) {
		fprintf(stderr, "daxdev_open %s: %s\n", target, daxdev_errormsg());
		return 1;
	}
	rc = daxdev_write(dev, 4096, msg, sizeof(msg));
	if (!rc)
		rc = daxdev_read(dev, 4096, back, sizeof(back));
	if (rc || memcmp(msg, back, sizeof(msg))) {
		fprintf(stderr, "write/read back failed: %s\n", rc ? daxdev_errormsg() : "data differs");
		daxdev_put(dev);
		return 1;
	}
	daxdev_format_info(dev, info, sizeof(info));
	printf("wrote and read back \"%s\" at offset 4096 of %s\n%s", back, target, info);
	daxdev_put(dev);
	return 0;
}
