/* SPDX-License-Identifier: MIT */
/*
 * daxdev_lock() for the providers whose memory is a file or a device node
 * (fsdax, devdax): flock() on a descriptor the device keeps, one open file
 * description per object, so that the locks of two objects conflict within
 * one process as between processes.  The kernel drops the lock when the
 * descriptor's last holder goes, so a process that dies leaves none behind.
 */
#ifndef DAXDEV_PROVIDERS_FILELOCK_H
#define DAXDEV_PROVIDERS_FILELOCK_H

#define FILELOCK_HIDDEN __attribute__((visibility("hidden")))

/* The descriptor to keep for locking, once the mapping is made: fd itself
 * when the provider opened it (fd != caller_fd), else a new open file
 * description of the caller's file, with the caller's access (the caller's
 * own would be shared with the caller); -1 if none could be had. */
FILELOCK_HIDDEN int filelock_keep(int fd, int caller_fd);
/* flock() for daxdev_lock() flags: 0, -EWOULDBLOCK, or -errno, with a
 * message naming name. */
FILELOCK_HIDDEN int filelock_lock(int fd, const char *name, unsigned flags);
FILELOCK_HIDDEN void filelock_unlock(int fd);
FILELOCK_HIDDEN void filelock_close(int fd);

#endif
