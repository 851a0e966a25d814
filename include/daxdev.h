/* SPDX-License-Identifier: MIT */
/*
 * libdaxdev — one object for byte-addressable memory mapped directly:
 * device-dax, files (fsdax with MAP_SYNC, or msync), volatile memory.
 *
 * Every call that can fail returns 0 (or a count) on success and a negative
 * errno on failure; daxdev_errormsg() then says what failed and why, for the
 * calling thread.  Every call clears that message first.  The library never
 * aborts, exits or prints on its own.
 *
 * ABI: every exported symbol is marked DAXDEV_API and listed in a version
 * node of the library's version script.  Structs that cross the interface
 * start with their size (sz), so later 1.x releases can append fields; see
 * docs/design.md ("ABI rules").
 */
#ifndef DAXDEV_H
#define DAXDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <daxdev/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the public API: the one way a symbol becomes visible. */
#ifndef DAXDEV_API
#define DAXDEV_API __attribute__((visibility("default")))
#endif

/* Version of the library actually loaded ("1.0.0") and as a number
 * (DAXDEV_VERSION_NUMBER(major, minor, patch)). */
DAXDEV_API const char *daxdev_version(void);
DAXDEV_API unsigned daxdev_version_number(void);

/* The dax device: opaque, reference counted. */
struct daxdev;

enum daxdev_persistence {
	DAXDEV_PERSISTENCE_UNKNOWN = 0,
	DAXDEV_PERSISTENCE_VOLATILE = 1,   /* nothing survives power loss */
	DAXDEV_PERSISTENCE_PERSISTENT = 2,
};

/* --- opening ------------------------------------------------------------- */

/* daxdev_open_opts.flags */
#define DAXDEV_OPEN_CREATE    (1u << 0) /* file: create it if absent (size required) */
#define DAXDEV_OPEN_EXCL      (1u << 1) /* with CREATE: -EEXIST if it exists */
#define DAXDEV_OPEN_REUSE     (1u << 2) /* share one object per host: return the
					 * one open for this host if it is alive,
					 * large enough and of the same policy;
					 * else open one and register it */
#define DAXDEV_OPEN_READONLY  (1u << 3) /* map read-only; writes fail with -EROFS */
#define DAXDEV_OPEN_SPARSE    (1u << 4) /* file: leave holes unallocated (a store
					 * to a hole may then find the filesystem
					 * full); default: allocate them at open */
#define DAXDEV_OPEN_NO_SIGBUS_GUARD (1u << 5) /* this device's calls do not
					 * catch SIGBUS: a memory error or a lost
					 * mapping reaches the application's own
					 * handler (docs/faults.md) */

/* daxdev_open_opts.write_cache */
enum daxdev_write_cache_policy {
	DAXDEV_WRITE_CACHE_AUTO = 0,       /* what the platform says (sysfs) */
	DAXDEV_WRITE_CACHE_OFF = 1,        /* stores need no write-back (eADR) */
	DAXDEV_WRITE_CACHE_ON = 2,         /* write back every store */
};

/* daxdev_open_opts.sharing.  Nothing in sysfs says whether other hosts map
 * the memory (a CXL pool, famfs): the caller declares it. */
enum daxdev_sharing {
	DAXDEV_SHARING_LOCAL = 0,          /* only this host maps the memory */
	DAXDEV_SHARING_NONCOHERENT = 1,    /* other hosts map it too, and their CPU
					    * caches are not coherent with this
					    * one: daxdev_read() invalidates before
					    * it loads, and every write is written
					    * back, whatever the write cache */
};

/* daxdev_open_opts.nt_threshold: never use non-temporal stores. */
#define DAXDEV_NT_NEVER SIZE_MAX

/*
 * How a device is opened.  Zero (or NULL opts) means "the default" in every
 * field; the DAXDEV_* environment variables, read once per process, supply
 * the defaults of the policy fields.  Declare with DAXDEV_OPEN_OPTS(), which
 * sets sz and zeroes the rest:
 *
 *   DAXDEV_OPEN_OPTS(opts, .size = 1 << 20, .flags = DAXDEV_OPEN_CREATE);
 *   daxdev_open("/mnt/pmem/log", &opts, &dev);
 *
 * A struct from a newer caller whose unknown fields are non-zero is refused
 * with -EINVAL; an older caller's shorter struct works.
 */
struct daxdev_open_opts {
	size_t sz;                 /* sizeof(struct daxdev_open_opts) */
	uint32_t flags;            /* DAXDEV_OPEN_* */
	uint32_t mode;             /* permissions of a created file; 0: 0600 */
	uint64_t size;             /* bytes: a created file's size; otherwise
				    * the least the target must have; 0: the
				    * target's own size */
	/* Policy (overrides the environment, which overrides the platform): */
	const char *flush;         /* cache write-back instruction; NULL: the
				    * best ("clwb", "clflushopt", "clflush") */
	const char *isa;           /* highest ISA for streaming copies; NULL:
				    * the CPU's ("movdir64b" only when named,
				    * "avx512", "avx2", "sse2", "generic") */
	size_t nt_threshold;       /* copies from this size stream; 0: the
				    * default; DAXDEV_NT_NEVER: never */
	int32_t write_cache;       /* enum daxdev_write_cache_policy */
	int32_t sharing;           /* enum daxdev_sharing */
};

#define DAXDEV_OPEN_OPTS(name, ...)                                           \
	struct daxdev_open_opts name = __extension__ ({                       \
		memset(&name, 0, sizeof(struct daxdev_open_opts));            \
		(struct daxdev_open_opts){                                     \
			.sz = sizeof(struct daxdev_open_opts), __VA_ARGS__     \
		};                                                             \
	})

/*
 * Open a target named by one string (opts may be NULL):
 *   anon:SIZE            volatile anonymous memory
 *   /dev/daxX.Y          device-dax character device
 *   PATH                 any regular file (fsdax with MAP_SYNC, else msync)
 *   file:PATH            the same, explicitly
 *   linear:T1,T2,...     members concatenated
 *   stripe:CHUNK:T1,...  members striped in CHUNK-sized pieces
 *   crashsim:TARGET      power-failure simulator over TARGET (daxdev/crashsim.h)
 *   sharesim:TARGET      host 0 of non-coherent hosts over TARGET (daxdev/sharesim.h)
 * SIZE and CHUNK: bytes with an optional K, M, G, T or P suffix (binary
 * units, either case, optionally followed by "iB" or "B").  Each open gives
 * a new object unless opts->flags has DAXDEV_OPEN_REUSE.
 */
DAXDEV_API int daxdev_open(const char *target, const struct daxdev_open_opts *opts,
			   struct daxdev **devp);
/* The same for a file or device-dax the caller has open (read-write, or
 * read-only with DAXDEV_OPEN_READONLY); fd stays the caller's. */
DAXDEV_API int daxdev_open_fd(int fd, const struct daxdev_open_opts *opts,
			      struct daxdev **devp);
/*
 * What daxdev_open(target, opts) would decide, without mapping anything or
 * needing write access: a device object made by the same lookup and
 * decision code, on which daxdev_get_info(), daxdev_get_details() and
 * daxdev_format_info() answer as they would after the open, while direct
 * access and I/O fail with -EOPNOTSUPP.  Put it like any device.  Device-dax
 * needs no access to the node at all (sysfs says everything); a file needs
 * read access (MAP_SYNC is tested on one read-only page).  A pmem block
 * device (/dev/pmemN, which daxdev_open() refuses) is described as a file on
 * a DAX filesystem mounted from it would be.  Targets with nothing to look
 * up (anon:, composites, crashsim:) give -EOPNOTSUPP; DAXDEV_OPEN_CREATE
 * -EINVAL.
 */
DAXDEV_API int daxdev_probe(const char *target, const struct daxdev_open_opts *opts,
			    struct daxdev **devp);
/* The same for the device-dax (type S_IFCHR) or pmem block device (S_IFBLK)
 * with this number, as sysfs shows it: no device node is needed. */
DAXDEV_API int daxdev_probe_dev(mode_t type, dev_t dev, const struct daxdev_open_opts *opts,
				struct daxdev **devp);
/* Anonymous volatile memory of size bytes (rounded up to the page size). */
DAXDEV_API int daxdev_new_volatile(size_t size, struct daxdev **devp);

/* Lifetime: get adds a reference; put drops one and frees at the last;
 * kill makes every later call fail with -ENXIO and waits (sleeping) for the
 * calls running inside the provider.  Calls that only touch memory — pointer
 * calls on the CPU path, and offset I/O on a flat mapping (anon, devdax
 * without bad pages, fsdax with MAP_SYNC) — are not waited for: the mapping
 * lives until the last put, so they complete harmlessly.  Never call kill
 * from inside the device's own op. */
DAXDEV_API struct daxdev *daxdev_get(struct daxdev *dev);
DAXDEV_API void daxdev_put(struct daxdev *dev);
DAXDEV_API void daxdev_kill(struct daxdev *dev);
DAXDEV_API bool daxdev_alive(const struct daxdev *dev);

/* The object registered under a host name (dax0.0, a file's real path, a
 * composite's canonical string) by an open with DAXDEV_OPEN_REUSE: a new
 * reference the caller must put, or NULL with a message if none is open and
 * alive.  A lookup only: it never opens anything. */
DAXDEV_API struct daxdev *daxdev_get_by_host(const char *host);

/* Properties. */
DAXDEV_API uint64_t daxdev_size(const struct daxdev *dev);
DAXDEV_API uint64_t daxdev_align(const struct daxdev *dev);
DAXDEV_API const char *daxdev_host(const struct daxdev *dev);

/* Direct access: number of contiguous pages (page = daxdev_align()) at pgoff,
 * at most nr_pages, and their address; -ERANGE past the end, -EIO bad pages. */
DAXDEV_API long daxdev_direct_access(struct daxdev *dev, uint64_t pgoff, long nr_pages,
				     void **addr);

/* --- offset I/O ---------------------------------------------------------- */

/* Flags of the copy calls (offset and pointer). */
#define DAXDEV_F_NODRAIN      (1u << 0) /* skip the final drain; call daxdev_drain() */
/* NONTEMPORAL/TEMPORAL choose the store kind on the CPU write-back path (write
 * cache on, no provider flush); elsewhere ordinary stores are always right. */
#define DAXDEV_F_NONTEMPORAL  (1u << 1) /* non-temporal stores at any size */
#define DAXDEV_F_TEMPORAL     (1u << 2) /* ordinary stores + write-back at any size */
#define DAXDEV_F_NOFLUSH      (1u << 3) /* plain copy, not made durable */
/* Pointer calls (memcpy, memmove, memset, flush): catch a fault on the
 * device's memory and return -EIO (memory error) or -ESTALE (the mapping
 * lost its backing) instead of dying, as offset I/O always does.  Costs a
 * few nanoseconds per call; without it pointer calls are unguarded. */
#define DAXDEV_F_GUARDED      (1u << 4)

/* write/writev/zero are durable when they return 0 (writev: unless
 * DAXDEV_F_NODRAIN, then after the next daxdev_drain()).
 *
 * Offset I/O survives faults (docs/faults.md): a memory error (poisoned
 * page) in the range gives -EIO, memory whose backing is gone (a file
 * truncated by someone else) gives -ESTALE; the message names the offset.
 * The faulting range is remembered: later calls and direct_access report
 * the same error for it without touching it (daxdev_badblock_next lists it).
 * Unless the device was opened with DAXDEV_OPEN_NO_SIGBUS_GUARD or
 * DAXDEV_SIGBUS_GUARD=0 is set. */
DAXDEV_API int daxdev_write(struct daxdev *dev, uint64_t offset, const void *buf,
			    size_t len);
DAXDEV_API int daxdev_writev(struct daxdev *dev, uint64_t offset, const struct iovec *iov,
			     int iovcnt, unsigned flags);
DAXDEV_API int daxdev_read(struct daxdev *dev, uint64_t offset, void *buf, size_t len);
DAXDEV_API int daxdev_zero(struct daxdev *dev, uint64_t offset, uint64_t len);
DAXDEV_API int daxdev_flush_range(struct daxdev *dev, uint64_t offset, uint64_t len);

/* --- pointer I/O: addresses from daxdev_direct_access() ------------------- */

/* The copy, fill and flush implementations are chosen once per device.
 * memcpy's ranges must not overlap; memmove's may. */
DAXDEV_API int daxdev_memcpy(struct daxdev *dev, void *dst, const void *src, size_t len,
			     unsigned flags);
DAXDEV_API int daxdev_memmove(struct daxdev *dev, void *dst, const void *src, size_t len,
			      unsigned flags);
/* daxdev_memcpy that also sets *crc = daxdev_crc32c(*crc, src, len), in one
 * pass over the source where the CPU can (a streamed copy); for records
 * that carry a checksum of their payload.  *crc is unchanged on error. */
DAXDEV_API int daxdev_memcpy_crc32c(struct daxdev *dev, void *dst, const void *src,
				    size_t len, unsigned flags, uint32_t *crc);
DAXDEV_API int daxdev_memset(struct daxdev *dev, void *dst, int c, size_t len,
			     unsigned flags);
/* Run fn(arg) with the device's memory guarded as DAXDEV_F_GUARDED guards
 * one call: a memory error or lost mapping anywhere in the device's single
 * mapping, met while fn runs, abandons fn (its frames are left as by
 * longjmp) and returns -EIO or -ESTALE with the offset in the message, the
 * range remembered.  Otherwise fn's return value.  Pointer calls inside fn
 * need no DAXDEV_F_GUARDED.  -EOPNOTSUPP for a device that is not one
 * mapping (a composite without a base). */
typedef int (*daxdev_guarded_fn)(void *arg);
DAXDEV_API int daxdev_guarded_call(struct daxdev *dev, daxdev_guarded_fn fn, void *arg);
/* 0 if [addr, addr+len) lies inside memory the device handed out by
 * daxdev_direct_access(), -ERANGE if it does not, -ENXIO if it does but the
 * device (or the member holding it) was killed; -EINVAL for NULL dev. */
DAXDEV_API int daxdev_check_addr(struct daxdev *dev, const void *addr, size_t len);
/* Copy len bytes out of device memory at src (an address from
 * daxdev_direct_access) into ordinary memory at dst, machine-check safe:
 * -EIO for a memory error, -ESTALE for memory that lost its backing, with
 * the offset in the message, instead of SIGBUS.  Bytes before the fault are
 * copied. */
DAXDEV_API int daxdev_memcpy_mcsafe(struct daxdev *dev, void *dst, const void *src,
				    size_t len);
/* Make [addr, addr+len) durable (write back + drain). */
DAXDEV_API int daxdev_flush(struct daxdev *dev, const void *addr, size_t len);
/* Wait for earlier non-temporal stores and write-backs (one fence). */
DAXDEV_API int daxdev_drain(struct daxdev *dev);

/* Memory shared with hosts whose caches are not coherent with this one.
 * invalidate: write back and discard [addr, addr+len) from this host's
 * cache, fenced, so that the next loads read memory (what other hosts
 * wrote back); on every device, -EOPNOTSUPP where neither the CPU (the
 * portable build) nor the provider can.  load: copy device memory at src
 * out to dst as daxdev_read() does: invalidating first on a device opened
 * DAXDEV_SHARING_NONCOHERENT, a plain copy otherwise. */
DAXDEV_API int daxdev_invalidate(struct daxdev *dev, const void *addr, size_t len);
DAXDEV_API int daxdev_load(struct daxdev *dev, void *dst, const void *src, size_t len);

/* --- bad blocks -------------------------------------------------------- */

/* daxdev_badblock.flags */
#define DAXDEV_BADBLOCK_PLATFORM (1u << 0) /* listed by the platform (nvdimm
					    * badblocks, a file's bad sectors) */
#define DAXDEV_BADBLOCK_SEEN     (1u << 1) /* found by a guarded access of this
					    * device (SIGBUS caught) */

struct daxdev_badblock {
	size_t sz;            /* sizeof(struct daxdev_badblock) */
	uint64_t offset;      /* device bytes [offset, offset + length) */
	uint64_t length;
	int32_t error;        /* what access reports there: -EIO (media), or
			       * -ESTALE (the mapping lost its backing) */
	uint32_t flags;       /* DAXDEV_BADBLOCK_* */
};
#define DAXDEV_BADBLOCK_INIT { .sz = sizeof(struct daxdev_badblock) }

/* The first known bad range that ends after offset from, in offset order:
 * iterate with from = bb.offset + bb.length.  0 when one was found,
 * -ENODATA when there is none; set bb->sz first (DAXDEV_BADBLOCK_INIT). */
DAXDEV_API int daxdev_badblock_next(struct daxdev *dev, uint64_t from,
				    struct daxdev_badblock *bb);
/* Make [offset, offset+len) usable again, zeroed, where userspace can: a
 * file's blocks are deallocated and allocated again, anonymous pages are
 * replaced.  The data there is gone either way.  -EOPNOTSUPP where only the
 * administrator can (device-dax: "ndctl clear-errors", as root). */
DAXDEV_API int daxdev_badblock_clear(struct daxdev *dev, uint64_t offset, uint64_t len);

/* Write cache: whether stores must be written back from the CPU cache.
 * set_write_cache on a composite sets it on every member. */
DAXDEV_API int daxdev_write_cache(const struct daxdev *dev); /* 1, 0, or -errno */
DAXDEV_API int daxdev_set_write_cache(struct daxdev *dev, bool on);

/* --- advisory lock ------------------------------------------------------- */

/* daxdev_lock() flags */
#define DAXDEV_LOCK_SHARED    (1u << 0) /* shared with other SHARED holders;
					 * default: exclusive */
#define DAXDEV_LOCK_NOWAIT    (1u << 1) /* -EWOULDBLOCK instead of waiting */

/*
 * An advisory lock on the memory behind dev, for programs that keep one
 * writer per structure (or many readers and no writer).  It is held by the
 * object, not by a thread, until daxdev_unlock() or the object's last put.
 * It conflicts with the lock of any other object over the same memory, in
 * this process or another: flock() on the file or device-dax node (each
 * object has its own descriptor), the members of a composite (in an order
 * that every process shares), a crash simulator's inner device; anonymous
 * memory has no other object.  The kernel drops a file lock when its
 * process ends, however it ends.  Only lock calls are stopped by it.
 */
DAXDEV_API int daxdev_lock(struct daxdev *dev, unsigned flags);
DAXDEV_API int daxdev_unlock(struct daxdev *dev);

/* --- what was decided, and why ----------------------------------------- */

/*
 * Filled by daxdev_get_info().  Set sz first (DAXDEV_INFO_INIT does); a
 * library older than the caller fills the fields it knows and zeroes the
 * rest.  Every string is owned by the device, never changes, and stays valid
 * while the caller holds its reference: any number of threads may read them.
 */
struct daxdev_info {
	size_t sz;                      /* sizeof(struct daxdev_info) */
	const char *provider;           /* "anon", "devdax", "fsdax", "linear", ... */
	const char *host;
	uint64_t size;
	uint64_t align;
	enum daxdev_persistence persistence;
	bool write_cache;
	bool write_cache_overridden;    /* by an open option, DAXDEV_WRITE_CACHE
					 * or daxdev_set_write_cache() */
	bool alive;
	bool readonly;                  /* opened with DAXDEV_OPEN_READONLY */
	const char *persistence_reason; /* where the answer came from */
	const char *write_cache_reason; /* the override, or the persistence reason */
	const char *copy_impl;          /* e.g. "avx512-nt", "memcpy" */
	const char *fill_impl;          /* e.g. "avx512-nt", "memset" */
	const char *flush_impl;         /* e.g. "clwb", "msync", "none" */
	const char *drain_impl;         /* e.g. "sfence", "none" */
	size_t nt_threshold;            /* copies below this use stores + flush,
					 * except whole aligned cache lines */
	int32_t numa_node;              /* of the memory; -1 unknown */
	int32_t target_node;            /* node the memory would be onlined as
					 * (device-dax/nvdimm); -1 unknown */
	const char *region;             /* nvdimm region ("region0"), or "" */
	const char *bus;                /* nvdimm bus provider ("ACPI.NFIT",
					 * "CXL", "virtio-pmem", "e820"), or "" */
	enum daxdev_sharing sharing;    /* as opened (never guessed) */
	uint32_t reserved0;             /* 0; a later 1.x may give it a meaning
					 * whose 0 is "not known" */
	const char *invalidate_impl;    /* what daxdev_invalidate() uses:
					 * "clflushopt", "dc-civac", the
					 * provider's ("sharesim", "members"),
					 * or "none" */
};

#define DAXDEV_INFO_INIT { .sz = sizeof(struct daxdev_info) }

DAXDEV_API int daxdev_get_info(struct daxdev *dev, struct daxdev_info *info);
/* The provider's own "key: value" lines (mapping, bad blocks, members),
 * into caller storage; returns the length like snprintf. */
DAXDEV_API int daxdev_get_details(struct daxdev *dev, char *buf, size_t len);
/* Info and details as "key: value" lines; returns the length like snprintf. */
DAXDEV_API int daxdev_format_info(struct daxdev *dev, char *buf, size_t len);
DAXDEV_API const char *daxdev_persistence_name(enum daxdev_persistence p);

/* --- errors and logging ------------------------------------------------ */

DAXDEV_API const char *daxdev_errormsg(void);  /* last failure on this thread, "" if none */
/* Clear this thread's message.  Every library call does this on entry;
 * providers with calls of their own (daxdev/provider.h) do it too. */
DAXDEV_API void daxdev_errormsg_clear(void);
#define DAXDEV_LOG_ERR     3
#define DAXDEV_LOG_WARNING 4
#define DAXDEV_LOG_INFO    6
#define DAXDEV_LOG_DEBUG   7
typedef void (*daxdev_log_fn)(void *arg, int level, const char *msg);
/* Install a log callback (NULL removes it) and the highest level passed to it.
 * Without a callback nothing is printed, unless DAXDEV_LOG_LEVEL is set in the
 * environment: then messages up to that level go to stderr, on the user's request. */
DAXDEV_API void daxdev_set_log(daxdev_log_fn fn, void *arg, int max_level);

/* CRC-32C (Castagnoli, reflected 0x82F63B78, init and final xor 0xFFFFFFFF),
 * the checksum persistent structures use to tell a torn write from a whole
 * one.  Start with crc = 0; chaining calls over consecutive pieces gives the
 * CRC of their concatenation.  Uses the CPU's crc32 instruction when present. */
DAXDEV_API uint32_t daxdev_crc32c(uint32_t crc, const void *buf, size_t len);

/* Parse a size: decimal bytes with an optional K, M, G, T or P suffix
 * (binary units, either case, optionally followed by "iB" or "B"):
 * "4096", "64K", "2M", "1GiB". */
DAXDEV_API int daxdev_parse_size(const char *s, uint64_t *size);

#ifdef __cplusplus
}
#endif
#endif /* DAXDEV_H */
