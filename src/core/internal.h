/* SPDX-License-Identifier: MIT */
/* Core-private definitions: the dax device object and the helpers around it. */
#ifndef DAXDEV_INTERNAL_H
#define DAXDEV_INTERNAL_H

#include <errno.h>
#include <stdatomic.h>
#include <pthread.h>
#include <daxdev/provider.h>
#include <arch/arch.h>

#define DAXDEV_HIDDEN __attribute__((visibility("hidden")))

#define DAXDEV_REASON_MAX 160
#define DAXDEV_WORD_MAX 32
#define DAXDEV_SIZE_SUFFIXES "K, M, G, T or P"

struct daxdev;

/* The DAXDEV_* variables as read once (env.c). */
struct daxdev_env {
	int write_cache;              /* -1 unset, 0, 1 */
	char flush[DAXDEV_WORD_MAX];  /* "" unset */
	char isa[DAXDEV_WORD_MAX];
	size_t nt_threshold;          /* 0 unset; SIZE_MAX: DAXDEV_NT=0 */
	int log_level;                /* 0: nothing */
	char sysfs_root[4096];        /* "" for "/" */
	int error;                    /* first unparsable value: -EINVAL ... */
	char message[256];            /* ... and why */
};

DAXDEV_HIDDEN const struct daxdev_env *daxdev_env(void);
/* Read the environment again (unit tests that change it between cases). */
DAXDEV_HIDDEN void daxdev_env_reload(void);

/*
 * What a device was asked to be: open options over the environment.  Kept
 * in the device so that DAXDEV_OPEN_REUSE can tell whether an existing
 * object was opened the same way.
 */
struct daxdev_policy {
	int write_cache;              /* -1 auto, 0 off, 1 on */
	char flush[DAXDEV_WORD_MAX];  /* "" best */
	char isa[DAXDEV_WORD_MAX];    /* "" highest */
	size_t nt_threshold;          /* 0 default; SIZE_MAX never */
	int sharing;                  /* enum daxdev_sharing */
	const char *write_cache_origin, *flush_origin, *isa_origin;
};

/*
 * A caller's struct that starts with its size (sz) copied into this
 * library's out_sz-byte version of it: a shorter one leaves the rest zero, a
 * longer one is accepted only if the bytes beyond out_sz are zero.  NULL in
 * gives all zeros.  out->sz is set to out_sz.
 */
DAXDEV_HIDDEN int daxdev_struct_in(const char *fn, const char *type, const void *in,
				  void *out, size_t out_sz);
/*
 * Options normalised to this library's struct: a shorter (older) caller's
 * struct is copied and the rest left zero; a longer one is accepted only if
 * the bytes this library does not know are zero.
 */
DAXDEV_HIDDEN int daxdev_opts_normalize(const char *fn, const struct daxdev_open_opts *in,
					struct daxdev_open_opts *out);
/* The policy the options and the environment ask for (-EINVAL on a bad
 * environment value or option, with a message). */
DAXDEV_HIDDEN int daxdev_policy_from(const struct daxdev_open_opts *opts,
				     struct daxdev_policy *policy);
DAXDEV_HIDDEN bool daxdev_policy_equal(const struct daxdev_policy *a,
				       const struct daxdev_policy *b);

/* Copy n bytes of the caller's iovec from the cursor. */
struct daxdev_iov_cursor {
	const struct iovec *iov;
	size_t pos;                   /* bytes used of iov[0] */
};

/*
 * How one device copies, fills and flushes in one write-cache state.  Three
 * are filled at creation: the initial state (platform, option or
 * environment), and the two a daxdev_set_write_cache() can select.  Switching
 * is one pointer store, so the hot path never re-decides anything, and a
 * reader sees a state and its reason together.
 */
struct daxdev_persist {
	const char *copy_name, *fill_name, *flush_name, *drain_name;
	bool write_cache;
	bool overridden;
	const char *write_cache_reason;
	/* copy/fill and write back (unless NOFLUSH); never drain */
	int (*memcpy)(struct daxdev *dev, void *dst, const void *src, size_t len,
		      unsigned flags);
	int (*memset)(struct daxdev *dev, void *dst, int c, size_t len, unsigned flags);
	int (*flush)(struct daxdev *dev, const void *addr, size_t len);
	/* Offset writes: copy_part stores one piece of a chunk (written back
	 * already where the write-back is per line), flush_chunk writes back
	 * the whole chunk where it is per range (msync); no drain. */
	int (*copy_part)(struct daxdev *dev, void *dst, const void *src, size_t len,
			 unsigned flags);
	int (*flush_chunk)(struct daxdev *dev, const void *addr, size_t len);
	void (*drain)(struct daxdev *dev); /* NULL: nothing to wait for */
};

enum daxdev_state {
	DAXDEV_STATE_INITIAL = 0,
	DAXDEV_STATE_SET_OFF = 1,
	DAXDEV_STATE_SET_ON = 2,
	DAXDEV_NSTATES
};

struct daxdev {
	atomic_long refs;
	atomic_bool alive;
	atomic_int active;            /* calls running inside the provider */
	atomic_bool kill_waiting;     /* kill sleeps until active is 0 */
	atomic_bool killed_once;
	struct daxdev_operations ops; /* the provider's, as this library's struct */
	const struct daxdev_operations *ops_id; /* the provider's table: who may
					   * see private (daxdev_private) */
	void *private;

	uint64_t size;
	uint64_t align;
	unsigned align_shift;
	char *base;                   /* contiguous mapping or NULL */
	bool flat;                    /* offset I/O computes base + offset: a flat
				       * mapping and no provider op but direct_access */
	bool readonly;
	const char *provider;
	char *host;
	char *region, *bus;
	int numa_node, target_node;
	bool unshared;
	bool registered;              /* in the host registry; under its lock */
	struct daxdev_policy policy;

	enum daxdev_persistence persistence;
	char reason[DAXDEV_REASON_MAX];
	bool platform_write_cache;    /* what the provider found */
	char override_reason[DAXDEV_REASON_MAX]; /* option or environment */

	struct daxdev_arch arch;
	struct daxdev_persist persist[DAXDEV_NSTATES];
	_Atomic(const struct daxdev_persist *) cur;
	pthread_mutex_t state_lock;   /* serialises set_write_cache */

	/* daxdev_lock (lock.c), under lock_mutex: */
	pthread_mutex_t lock_mutex;
	pthread_cond_t lock_cond;     /* holders changed */
	int lock_holders;             /* -1 exclusive, n > 0 shared, 0 none */
	bool lock_taking;             /* the provider's lock op is running */
	pthread_t lock_owner;         /* thread that took it exclusively */
};

/* Lifetime: enter before calling into the provider, leave after. */
DAXDEV_HIDDEN int daxdev_enter(struct daxdev *dev);
DAXDEV_HIDDEN void daxdev_leave(struct daxdev *dev);

DAXDEV_HIDDEN int daxdev_persist_init(struct daxdev *dev, const char *provider_flush_name);

/* The advisory lock's state (lock.c): set up at creation; at release, the
 * provider's lock dropped if the object still holds it. */
DAXDEV_HIDDEN void daxdev_lock_init(struct daxdev *dev);
DAXDEV_HIDDEN void daxdev_lock_release(struct daxdev *dev);

/* Registry of shared devices by host name. */
DAXDEV_HIDDEN struct daxdev *daxdev_registry_lookup(const char *host);
/* Register dev under its host, replacing (not killing) an object already
 * registered there. */
DAXDEV_HIDDEN void daxdev_registry_add(struct daxdev *dev);
DAXDEV_HIDDEN void daxdev_registry_remove(struct daxdev *dev);

/* Error message of this thread: cleared by every public call on entry (one
 * byte in the initial-exec TLS block, so clearing costs one store). */
extern _Thread_local bool daxdev_errmsg_set __attribute__((tls_model("initial-exec")))
	DAXDEV_HIDDEN;

static inline void daxdev_clear_error(void)
{
	daxdev_errmsg_set = false;
}

/* Sizes as daxdev_parse_size() reads them, without setting a message:
 * 0, -EINVAL (not a size) or -ERANGE (too large). */
DAXDEV_HIDDEN int daxdev_size_parse(const char *s, uint64_t *size);

static inline const struct daxdev_persist *daxdev_cur(const struct daxdev *dev)
{
	return atomic_load_explicit(&dev->cur, memory_order_acquire);
}

#define DAXDEV_F_ALL (DAXDEV_F_NODRAIN | DAXDEV_F_NONTEMPORAL | DAXDEV_F_TEMPORAL | \
		      DAXDEV_F_NOFLUSH)

/* Copy flags: known bits, and not both store kinds at once. */
static inline int daxdev_check_flags(const struct daxdev *dev, const char *fn, unsigned flags)
{
	if ((flags & ~DAXDEV_F_ALL) ||
	    (flags & (DAXDEV_F_TEMPORAL | DAXDEV_F_NONTEMPORAL)) ==
	    (DAXDEV_F_TEMPORAL | DAXDEV_F_NONTEMPORAL))
		return daxdev_err(-EINVAL, "%s: %s: invalid flags 0x%x", fn, dev->host, flags);
	return 0;
}

/* The one fence at the end of a durable call, where this state needs one. */
static inline void daxdev_persist_drain(struct daxdev *dev, const struct daxdev_persist *how)
{
	if (how->drain)
		how->drain(dev);
}

#endif
