/* SPDX-License-Identifier: MIT */
/* flock() on a descriptor of the device's own: see filelock.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <daxdev/provider.h>
#include "filelock.h"

FILELOCK_HIDDEN int filelock_keep(int fd, int caller_fd)
{
	char proc[64];
	int own;

	int mode = fcntl(caller_fd, F_GETFL);

	if (fd != caller_fd)
		return fd;
	/* Opening the descriptor's /proc link opens the file again: a
	 * description of our own, with the caller's access (the provider may
	 * also use it to repair the file: fsdax's bad-block clearing). */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", caller_fd);
	own = mode < 0 ? -1 : open(proc, (mode & O_ACCMODE) | O_CLOEXEC);
	if (own < 0)
		daxdev_log(DAXDEV_LOG_WARNING, "fd %d: cannot reopen %s (%s): daxdev_lock will fail",
			   caller_fd, proc, strerror(errno));
	return own;
}

FILELOCK_HIDDEN int filelock_lock(int fd, const char *name, unsigned flags)
{
	int op = (flags & DAXDEV_LOCK_SHARED) ? LOCK_SH : LOCK_EX;

	if (fd < 0)
		return daxdev_err(-ENOLCK, "daxdev_lock: %s: no descriptor of its own to lock (see the log)",
				  name);
	if (flags & DAXDEV_LOCK_NOWAIT)
		op |= LOCK_NB;
	if (flock(fd, op) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		return daxdev_err(-EWOULDBLOCK, "daxdev_lock: %s: locked by another open (this process or another)",
				  name);
	return daxdev_err(-errno, "daxdev_lock: %s: flock: %s", name, strerror(errno));
}

FILELOCK_HIDDEN void filelock_unlock(int fd)
{
	if (fd >= 0)
		flock(fd, LOCK_UN);
}

FILELOCK_HIDDEN void filelock_close(int fd)
{
	if (fd >= 0)
		close(fd);
}
