/* SPDX-License-Identifier: MIT */
/*
 * libdaxdev — one object for byte-addressable memory mapped directly:
 * device-dax, files (fsdax with MAP_SYNC, or msync), volatile memory.
 *
 * Every call that can fail returns 0 (or a count) on success and a negative
 * errno on failure; daxdev_errormsg() then says what failed and why, for the
 * calling thread.  The library never aborts, exits or prints on its own.
 */
#ifndef DAXDEV_H
#define DAXDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DAXDEV_VERSION_MAJOR 0
#define DAXDEV_VERSION_MINOR 1
#define DAXDEV_VERSION_PATCH 0
#define DAXDEV_VERSION_NUMBER(maj, min, pat) (((maj) << 16) | ((min) << 8) | (pat))
#define DAXDEV_VERSION DAXDEV_VERSION_NUMBER(DAXDEV_VERSION_MAJOR, \
		DAXDEV_VERSION_MINOR, DAXDEV_VERSION_PATCH)

/* Version of the library actually loaded ("0.1.0") and as a number. */
const char *daxdev_version(void);
unsigned daxdev_version_number(void);

/* The dax device: opaque, reference counted. */
struct daxdev;

enum daxdev_persistence {
	DAXDEV_PERSISTENCE_UNKNOWN = 0,
	DAXDEV_PERSISTENCE_VOLATILE = 1,   /* nothing survives power loss */
	DAXDEV_PERSISTENCE_PERSISTENT = 2,
};

/* daxdev_open() flags */
#define DAXDEV_OPEN_CREATE   (1u << 0) /* file target: create it if absent (size required) */
#define DAXDEV_OPEN_PRIVATE  (1u << 1) /* do not share an object already open for this host */

/*
 * Open a target named by one string:
 *   anon:SIZE            volatile anonymous memory (SIZE: bytes, or K/M/G/T suffix)
 *   /dev/daxX.Y          device-dax character device
 *   PATH                 any regular file (fsdax with MAP_SYNC, else msync)
 *   file:PATH            the same, explicitly
 *   linear:T1,T2,...     members concatenated
 *   stripe:CHUNK:T1,...  members striped in CHUNK-sized pieces
 *   crashsim:TARGET      power-failure simulator over TARGET (daxdev/crashsim.h)
 * daxdev_open_size() also takes a size: with DAXDEV_OPEN_CREATE an absent file
 * is created with it; otherwise a file must be at least that large.  For
 * "anon:" a size given both ways must agree.  size 0 means "the target's own
 * size".
 */
int daxdev_open(const char *target, unsigned flags, struct daxdev **devp);
int daxdev_open_size(const char *target, uint64_t size, unsigned flags,
		     struct daxdev **devp);
/* Anonymous volatile memory of size bytes (rounded up to the page size). */
int daxdev_new_volatile(size_t size, struct daxdev **devp);

/* Lifetime: get adds a reference; put drops one and frees at the last;
 * kill makes every later call fail with -ENXIO and waits for the calls running
 * inside the provider.  Calls that only touch memory — pointer calls on the
 * CPU path, and offset I/O on a flat mapping (anon, devdax without bad pages,
 * fsdax with MAP_SYNC) — are not waited for: the mapping lives until the last
 * put, so they complete harmlessly.  Never call kill from inside the device's
 * own op. */
struct daxdev *daxdev_get(struct daxdev *dev);
void daxdev_put(struct daxdev *dev);
void daxdev_kill(struct daxdev *dev);
bool daxdev_alive(const struct daxdev *dev);

/* Shared object registered under a host name (dax0.0, pmem1, a file's real
 * path, a composite's canonical string): a new reference the caller must put,
 * or NULL with a message (daxdev_errormsg) if none is open and alive. */
struct daxdev *daxdev_get_by_host(const char *host);

/* Properties. */
uint64_t daxdev_size(const struct daxdev *dev);
uint64_t daxdev_align(const struct daxdev *dev);
const char *daxdev_host(const struct daxdev *dev);

/* Direct access: number of contiguous pages (page = daxdev_align()) at pgoff,
 * at most nr_pages, and their address; -ERANGE past the end, -EIO bad pages. */
long daxdev_direct_access(struct daxdev *dev, uint64_t pgoff, long nr_pages,
			  void **addr);

/* Offset-based I/O.  write/writev/zero are durable when they return 0. */
int daxdev_write(struct daxdev *dev, uint64_t offset, const void *buf, size_t len);
int daxdev_writev(struct daxdev *dev, uint64_t offset, const struct iovec *iov,
		  int iovcnt);
int daxdev_read(struct daxdev *dev, uint64_t offset, void *buf, size_t len);
int daxdev_zero(struct daxdev *dev, uint64_t offset, uint64_t len);
int daxdev_flush_range(struct daxdev *dev, uint64_t offset, uint64_t len);

/* Pointer-based calls on addresses from daxdev_direct_access().  The copy,
 * fill and flush implementations are chosen once per device. */
#define DAXDEV_F_NODRAIN      (1u << 0) /* skip the final drain; call daxdev_drain() */
/* NONTEMPORAL/TEMPORAL choose the store kind on the CPU write-back path (write
 * cache on, no provider flush); elsewhere ordinary stores are always right. */
#define DAXDEV_F_NONTEMPORAL  (1u << 1) /* non-temporal stores at any size */
#define DAXDEV_F_TEMPORAL     (1u << 2) /* ordinary stores + write-back at any size */
#define DAXDEV_F_NOFLUSH      (1u << 3) /* plain copy, not made durable */
int daxdev_memcpy(struct daxdev *dev, void *dst, const void *src, size_t len,
		  unsigned flags);
int daxdev_memset(struct daxdev *dev, void *dst, int c, size_t len, unsigned flags);
/* Make [addr, addr+len) durable (write back + drain). */
int daxdev_flush(struct daxdev *dev, const void *addr, size_t len);
/* Wait for earlier non-temporal stores and write-backs (one fence). */
int daxdev_drain(struct daxdev *dev);

/* Write cache: whether stores must be written back from the CPU cache. */
int daxdev_write_cache(const struct daxdev *dev); /* 1, 0, or -errno */
int daxdev_set_write_cache(struct daxdev *dev, bool on);

struct daxdev_info {
	const char *provider;           /* "anon", "devdax", "fsdax", "linear", ... */
	const char *host;
	uint64_t size;
	uint64_t align;
	enum daxdev_persistence persistence;
	const char *persistence_reason; /* where the answer came from */
	bool write_cache;
	bool write_cache_overridden;    /* set by API or DAXDEV_WRITE_CACHE */
	const char *write_cache_reason; /* the override, or the persistence reason */
	const char *copy_impl;          /* e.g. "avx512-nt", "memcpy" */
	const char *fill_impl;          /* e.g. "avx512-nt", "memset" */
	const char *flush_impl;         /* e.g. "clwb", "msync", "none" */
	const char *drain_impl;         /* e.g. "sfence", "none" */
	size_t nt_threshold;            /* copies below this use stores + flush,
					 * except whole aligned cache lines */
	const char *details;            /* provider lines: mapping, bad blocks, members */
	bool alive;
};
/* The pointers stay valid while the caller holds its reference; details and
 * write_cache_reason are rewritten in place by a later get_info or
 * set_write_cache, so threads that read them concurrently must serialise. */
int daxdev_get_info(struct daxdev *dev, struct daxdev_info *info);
/* Human-readable info, "key: value" lines; returns length like snprintf. */
int daxdev_format_info(struct daxdev *dev, char *buf, size_t len);
const char *daxdev_persistence_name(enum daxdev_persistence p);

/* Errors and logging. */
const char *daxdev_errormsg(void);  /* last failure on this thread, "" if none */
#define DAXDEV_LOG_ERR     3
#define DAXDEV_LOG_WARNING 4
#define DAXDEV_LOG_INFO    6
#define DAXDEV_LOG_DEBUG   7
typedef void (*daxdev_log_fn)(void *arg, int level, const char *msg);
/* Install a log callback (NULL removes it) and the highest level passed to it.
 * Without a callback nothing is printed, unless DAXDEV_LOG_LEVEL is set in the
 * environment: then messages up to that level go to stderr, on the user's request. */
void daxdev_set_log(daxdev_log_fn fn, void *arg, int max_level);

/* CRC-32C (Castagnoli, reflected 0x82F63B78, init and final xor 0xFFFFFFFF),
 * the checksum persistent structures use to tell a torn write from a whole
 * one.  Start with crc = 0; chaining calls over consecutive pieces gives the
 * CRC of their concatenation.  Uses the CPU's crc32 instruction when present. */
uint32_t daxdev_crc32c(uint32_t crc, const void *buf, size_t len);

/* Parse a size "4096", "64K", "2M", "1G", "1T" (binary units). */
int daxdev_parse_size(const char *s, uint64_t *size);

#ifdef __cplusplus
}
#endif
#endif /* DAXDEV_H */
