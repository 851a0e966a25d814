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
#define DAXDEV_WORD_MAX 32     /* longest implementation name + 1 */
#define DAXDEV_SIZE_SUFFIXES "K, M, G, T or P"

struct daxdev;

/* The DAXDEV_* variables as read once (env.c). */
struct daxdev_env {
	int write_cache;              /* -1 unset, 0, 1 */
	char flush[DAXDEV_WORD_MAX];  /* "" unset */
	char isa[DAXDEV_WORD_MAX];
	size_t nt_threshold;          /* 0 unset; SIZE_MAX: DAXDEV_NT=0 */
	int log_level;                /* 0: nothing */
	bool sigbus_guard;            /* DAXDEV_SIGBUS_GUARD, default 1 */
	int error;                    /* first unparsable value: -EINVAL ... */
	char message[256];            /* ... and why */
};

DAXDEV_HIDDEN const struct daxdev_env *daxdev_env(void);

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
	bool sigbus_guard;            /* catch faults in this device's calls */
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
	/* memcpy that also folds the source into *crc (CRC-32C), in one pass
	 * over it where the arch can (streaming copy + CRC) */
	int (*memcpy_crc)(struct daxdev *dev, void *dst, const void *src, size_t len,
			  unsigned flags, uint32_t *crc);
	int (*flush)(struct daxdev *dev, const void *addr, size_t len);
	/* Offset writes: copy_part (fill_part) stores one piece of a chunk
	 * (written back already where the write-back is per line), flush_chunk
	 * writes back the whole chunk where it is per range (msync); no drain.
	 * Neither enters the provider while storing, so a guarded store can be
	 * abandoned at a fault. */
	int (*copy_part)(struct daxdev *dev, void *dst, const void *src, size_t len,
			 unsigned flags);
	int (*fill_part)(struct daxdev *dev, void *dst, int c, size_t len, unsigned flags);
	int (*flush_chunk)(struct daxdev *dev, const void *addr, size_t len);
	void (*drain)(struct daxdev *dev); /* NULL: nothing to wait for */
	/* Sharing (sharing.c), the same in every state: load copies device
	 * memory out after invalidating it (NONCOHERENT devices; NULL: a plain
	 * copy is right); invalidate writes back and discards a range, fenced,
	 * or refuses. */
	int (*load)(struct daxdev *dev, void *dst, const void *src, size_t len);
	int (*invalidate)(struct daxdev *dev, const void *addr, size_t len);
	const char *invalidate_name;
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

	/* Ranges a guarded access found bad (fault.c), sorted by offset.
	 * nbad is read without the lock: 0 means nothing to check. */
	atomic_size_t nbad;
	pthread_mutex_t bad_lock;
	struct daxdev_bad *bad;
	size_t bad_cap;
	/* daxdev_lock (lock.c), under lock_mutex: */
	pthread_mutex_t lock_mutex;
	pthread_cond_t lock_cond;     /* holders changed */
	int lock_holders;             /* -1 exclusive, n > 0 shared, 0 none */
	bool lock_taking;             /* the provider's lock op is running */
	pthread_t lock_owner;         /* thread that took it exclusively */
};

/* A range remembered as bad: what access there reports. */
struct daxdev_bad {
	uint64_t offset, length;
	int error;                    /* -EIO or -ESTALE */
	int si_code;                  /* of the fault that found it */
};

/*
 * The SIGBUS guard (fault.c).  A guarded call pushes a frame on this
 * thread's stack of frames and marks its recovery point with
 * __builtin_setjmp (three stores, ~1 ns; sigsetjmp costs ~15 ns here), then
 * arms the frame with the device memory it is about to copy.  The handler
 * recovers only a fault inside the armed range of the thread's top frame;
 * anything else goes to the handler that was there before.  Provider ops are
 * called with the guard paused, so a fault never unwinds through a
 * provider's lock or the core's enter/leave count.
 */
struct daxdev_guard {
	void *jmp[5];                 /* __builtin_setjmp buffer */
	struct daxdev_guard *prev;
	uintptr_t lo, hi;             /* armed range; hi == 0: not armed;
				       * with armable false never recovered */
	uint64_t off;                 /* device offset of lo */
	bool off_known;               /* false: a pointer call without a base */
	bool armable;                 /* the device's guard is on */
	uintptr_t addr;               /* the fault: address, si_code, lsb */
	int code;
	int lsb;
};

extern _Thread_local struct daxdev_guard *daxdev_guard_top
	__attribute__((tls_model("initial-exec"))) DAXDEV_HIDDEN;

/* The compiler must not move the frame's stores across the copy: the
 * signal handler reads them (a signal fence emits no instruction). */
static inline void daxdev_guard_push(struct daxdev_guard *g, const struct daxdev *dev);

static inline void daxdev_guard_arm(struct daxdev_guard *g, const void *addr, size_t len,
				    uint64_t off)
{
	g->lo = (uintptr_t)addr;
	g->off = off;
	atomic_signal_fence(memory_order_seq_cst);
	g->hi = (uintptr_t)addr + len;
	atomic_signal_fence(memory_order_seq_cst);
}

static inline void daxdev_guard_disarm(struct daxdev_guard *g)
{
	atomic_signal_fence(memory_order_seq_cst);
	g->hi = 0;
	atomic_signal_fence(memory_order_seq_cst);
}

static inline void daxdev_guard_pop(struct daxdev_guard *g)
{
	atomic_signal_fence(memory_order_seq_cst);
	daxdev_guard_top = g->prev;
}

/* Around provider ops: no frame of this thread recovers meanwhile. */
static inline struct daxdev_guard *daxdev_guard_pause(void)
{
	struct daxdev_guard *g = daxdev_guard_top;

	daxdev_guard_top = NULL;
	atomic_signal_fence(memory_order_seq_cst);
	return g;
}

static inline void daxdev_guard_resume(struct daxdev_guard *g)
{
	atomic_signal_fence(memory_order_seq_cst);
	daxdev_guard_top = g;
}

/* Install the handler (once per process) if this device wants the guard. */
DAXDEV_HIDDEN void daxdev_guard_install(struct daxdev *dev);
/* After a recovered fault: pop g, remember the range, set the message
 * ("fn: host: ... at offset N") and return -EIO or -ESTALE. */
DAXDEV_HIDDEN int daxdev_guard_failed(struct daxdev *dev, struct daxdev_guard *g,
				      const char *fn);
/* Armed for a pointer call: the device offset of addr where the mapping
 * has a base.  Without one (a composite) the offset is not known: the
 * message names the address, and nothing is remembered.  Inline: it is on
 * every guarded call's path. */
static inline void daxdev_guard_arm_ptr(const struct daxdev *dev, struct daxdev_guard *g,
					const void *addr, size_t len)
{
	uintptr_t base = (uintptr_t)dev->base;

	daxdev_guard_arm(g, addr, len, base ? (uint64_t)((uintptr_t)addr - base) : 0);
	g->off_known = base != 0;
}

/* Whether this thread's top frame is armed over [addr, addr+len) and
 * recovers faults there: a store made now needs no frame of its own. */
static inline bool daxdev_guard_covers(const void *addr, size_t len)
{
	const struct daxdev_guard *g = daxdev_guard_top;
	uintptr_t a = (uintptr_t)addr;

	return g && g->armable && g->hi && a >= g->lo && a <= g->hi && len <= g->hi - a;
}

static inline bool daxdev_has_bad(const struct daxdev *dev)
{
	return atomic_load_explicit(&dev->nbad, memory_order_acquire) != 0;
}

/* The first remembered bad range overlapping [offset, offset+len): 0 and
 * *found filled, or -ENODATA. */
DAXDEV_HIDDEN int daxdev_bad_find(struct daxdev *dev, uint64_t offset, uint64_t len,
				  struct daxdev_bad *found);
/* Error for an access at offset inside remembered range b, with a message. */
DAXDEV_HIDDEN int daxdev_bad_refuse(struct daxdev *dev, const char *fn, uint64_t offset,
				    const struct daxdev_bad *b);
DAXDEV_HIDDEN int daxdev_bad_add(struct daxdev *dev, const struct daxdev_bad *b);
DAXDEV_HIDDEN void daxdev_bad_free(struct daxdev *dev);
/* Drop what is remembered inside [offset, offset+len) (cut ranges that
 * stick out). */
DAXDEV_HIDDEN void daxdev_bad_forget(struct daxdev *dev, uint64_t offset, uint64_t len);

static inline void daxdev_guard_push(struct daxdev_guard *g, const struct daxdev *dev)
{
	g->prev = daxdev_guard_top;
	g->hi = 0;
	g->armable = dev->policy.sigbus_guard;
	g->off_known = true;
	daxdev_guard_top = g;
	atomic_signal_fence(memory_order_seq_cst);
}

/* Lifetime: enter before calling into the provider, leave after. */
DAXDEV_HIDDEN int daxdev_enter(struct daxdev *dev);
DAXDEV_HIDDEN void daxdev_leave(struct daxdev *dev);

DAXDEV_HIDDEN int daxdev_persist_init(struct daxdev *dev, const char *provider_flush_name);
/* Fill every state's load and invalidate (sharing.c); then refuse, with
 * -EOPNOTSUPP and a message, a NONCOHERENT device this build and provider
 * cannot write back and invalidate. */
DAXDEV_HIDDEN void daxdev_sharing_fill(struct daxdev *dev, const char *provider_flush_name);
DAXDEV_HIDDEN int daxdev_sharing_check(const struct daxdev *dev);

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
		      DAXDEV_F_NOFLUSH | DAXDEV_F_GUARDED)

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
