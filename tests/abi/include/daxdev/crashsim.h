/* SPDX-License-Identifier: MIT */
/*
 * Power-failure simulator for testing persistent-memory code.
 *
 * A crashsim device wraps another dax device (or anonymous memory, with
 * daxdev_open("crashsim:anon:1M")).  Programs use it like any dax device:
 * pointers from daxdev_direct_access(), daxdev_memcpy(), daxdev_flush(),
 * daxdev_write().  Besides the memory they see (the live image) it keeps a
 * second image, the media: what would survive a power cut.  As on x86, a
 * flush (clwb) only starts writing 64-byte lines back: it captures their
 * content at that moment into a pending set.  A fence (daxdev_drain(), or
 * the one at the end of every call without DAXDEV_F_NODRAIN) makes every
 * pending line durable.  Only that path moves data from live to media.
 *
 * daxdev_crashsim_crash() then cuts the power: every pending word may or may
 * not have reached the media, and then every 8-byte word that differs
 * between live and media comes back either old (media) or new (live), as the
 * seed chooses; both images become that post-crash image.  The program
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
DAXDEV_API int daxdev_crashsim_new(struct daxdev *inner, struct daxdev **devp);

/* Cut the power and "reboot": live and media both become a post-crash
 * image.  The same seed over the same state gives the same image.  Also ends
 * a power cut set by daxdev_crashsim_crash_after(). */
DAXDEV_API int daxdev_crashsim_crash(struct daxdev *dev, uint64_t seed);

/* Let the next n fences complete, then cut the power silently at the fence
 * after them: that fence and every later flush and fence return as usual but
 * make nothing durable, while the program keeps running on the live image
 * until daxdev_crashsim_crash().  The lines flushed before the cut stay
 * pending, so the crash covers every state the hardware could leave behind
 * between fence n and fence n + 1.  n = 0 cuts at the next fence.  Called
 * while the power is already cut, it first turns the power back on (no
 * crash) and starts counting again. */
DAXDEV_API int daxdev_crashsim_crash_after(struct daxdev *dev, uint64_t n);

/* Set sz (DAXDEV_CRASHSIM_STATS_INIT); fields a library older than the
 * caller does not know read 0. */
struct daxdev_crashsim_stats {
	size_t sz;               /* sizeof(struct daxdev_crashsim_stats) */
	uint64_t flushes;        /* flush calls made before the power was cut */
	uint64_t lines;          /* 64-byte lines written back by them */
	uint64_t lost_flushes;   /* flush calls made after the power was cut */
	uint64_t crashes;        /* daxdev_crashsim_crash() calls */
	uint64_t crash_words;    /* last crash: words never made durable
				  * (live != media once pending words settled) */
	uint64_t crash_words_new;/* last crash: of those, how many kept the new value */
	uint64_t drains;         /* fences that completed */
	uint64_t lost_drains;    /* fences at or after the power cut */
	uint64_t pending_lines;  /* now: lines flushed since the last fence whose
				  * flushed content is not yet on the media */
	uint64_t crash_pending_words;     /* last crash: flushed, unfenced words
					   * that differed from the media */
	uint64_t crash_pending_words_new; /* last crash: of those, how many landed */
	uint64_t intermediate_lines;      /* now: values lines held at a fence and
					   * were stored over since (an eviction may
					   * still have made them durable) */
	uint64_t crash_intermediate_words;     /* last crash: such words that
						* differed from the media */
	uint64_t crash_intermediate_words_new; /* last crash: of those, how many landed */
};
#define DAXDEV_CRASHSIM_STATS_INIT { .sz = sizeof(struct daxdev_crashsim_stats) }
DAXDEV_API int daxdev_crashsim_stats(struct daxdev *dev, struct daxdev_crashsim_stats *stats);

/* Snapshot of both images and the pending set, to run many crashes from one
 * point: save once, then restore + crash(seed) + recover for each seed. */
struct daxdev_crashsim_snapshot;
DAXDEV_API int daxdev_crashsim_save(struct daxdev *dev, struct daxdev_crashsim_snapshot **snapp);
/* Also ends a power cut.  The snapshot must come from this device. */
DAXDEV_API int daxdev_crashsim_restore(struct daxdev *dev,
			    const struct daxdev_crashsim_snapshot *snap);
DAXDEV_API void daxdev_crashsim_snapshot_free(struct daxdev_crashsim_snapshot *snap);

#ifdef __cplusplus
}
#endif
#endif /* DAXDEV_CRASHSIM_H */
