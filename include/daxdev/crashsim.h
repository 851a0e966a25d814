/* SPDX-License-Identifier: MIT */
/*
 * Power-failure simulator for testing persistent-memory code.
 *
 * A crashsim device wraps another dax device (or anonymous memory, with
 * daxdev_open("crashsim:anon:1M")).  Programs use it like any dax device:
 * pointers from daxdev_direct_access(), daxdev_memcpy(), daxdev_flush(),
 * daxdev_write().  Besides the memory they see (the live image) it keeps a
 * second image, the media: what would survive a power cut.  Only the flush
 * path moves data from live to media, a 64-byte cache line at a time.
 *
 * daxdev_crashsim_crash() then cuts the power: every 8-byte word that was
 * stored but not flushed comes back either old (media) or new (live), as the
 * seed chooses, and both images become that post-crash image.  The program
 * "reboots" by running its recovery on the same device.
 *
 * Model and limits: docs/crashsim.md.  Functions return 0 or a negative errno
 * with daxdev_errormsg() set; -EINVAL when dev is not a crashsim device.
 */
#ifndef DAXDEV_CRASHSIM_H
#define DAXDEV_CRASHSIM_H

#include <daxdev.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Simulate power failure on inner, which must have one contiguous mapping.
 * The new device holds its own reference to inner; its current contents are
 * taken as already durable. */
int daxdev_crashsim_new(struct daxdev *inner, struct daxdev **devp);

/* Cut the power and "reboot": live and media both become a post-crash
 * image.  The same seed over the same state gives the same image.  Also ends
 * a power cut set by daxdev_crashsim_crash_after(). */
int daxdev_crashsim_crash(struct daxdev *dev, uint64_t seed);

/* Let the next n flushes reach the media, then cut the power silently: later
 * flushes return success but no longer reach the media, while the program
 * keeps running on the live image until daxdev_crashsim_crash().  Crashing
 * at the program's next fence then covers every state the hardware could
 * leave behind from that point.  n = 0 cuts it now. */
int daxdev_crashsim_crash_after(struct daxdev *dev, uint64_t n);

struct daxdev_crashsim_stats {
	uint64_t flushes;        /* flush calls that reached the media */
	uint64_t lines;          /* 64-byte lines copied to the media by them */
	uint64_t lost_flushes;   /* flush calls made after the power was cut */
	uint64_t crashes;        /* daxdev_crashsim_crash() calls */
	uint64_t crash_words;    /* last crash: unflushed words (live != media) */
	uint64_t crash_words_new;/* last crash: of those, how many kept the new value */
};
int daxdev_crashsim_stats(struct daxdev *dev, struct daxdev_crashsim_stats *stats);

/* Snapshot of both images, to run many crashes from one point:
 * save once, then restore + crash(seed) + recover for each seed. */
struct daxdev_crashsim_snapshot;
int daxdev_crashsim_save(struct daxdev *dev, struct daxdev_crashsim_snapshot **snapp);
/* Also ends a power cut.  The snapshot must come from this device. */
int daxdev_crashsim_restore(struct daxdev *dev,
			    const struct daxdev_crashsim_snapshot *snap);
void daxdev_crashsim_snapshot_free(struct daxdev_crashsim_snapshot *snap);

#ifdef __cplusplus
}
#endif
#endif /* DAXDEV_CRASHSIM_H */
