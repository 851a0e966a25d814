/* SPDX-License-Identifier: MIT */
/*
 * Library-internal interface between the core and the per-ISA code.
 * The core never contains intrinsics or assembly; it calls these pointers,
 * chosen once per device by daxdev_arch_select().
 */
#ifndef DAXDEV_ARCH_H
#define DAXDEV_ARCH_H

#include <stddef.h>
#include <stdint.h>

#define DAXDEV_HIDDEN __attribute__((visibility("hidden")))

/* Copy len bytes with non-temporal stores.  Every byte of [dst, dst+len) must
 * be on its way to memory when this returns (heads/tails that cannot be
 * streamed are stored and written back with the chosen flush), but nothing is
 * drained: the caller issues one drain() after any number of these. */
typedef void (*daxdev_copy_nt_fn)(void *dst, const void *src, size_t len,
				  void (*flush)(const void *, size_t));
typedef void (*daxdev_fill_nt_fn)(void *dst, int c, size_t len,
				  void (*flush)(const void *, size_t));
/* copy_nt that also returns daxdev_crc32c(crc, src, len), reading the
 * source once (each line loaded, streamed out and folded into the CRC). */
typedef uint32_t (*daxdev_copy_nt_crc_fn)(void *dst, const void *src, size_t len,
					  void (*flush)(const void *, size_t),
					  uint32_t crc);
/* Write back every cache line that overlaps [addr, addr+len); no fence. */
typedef void (*daxdev_flush_fn)(const void *addr, size_t len);
/* Order: wait for earlier write-backs and non-temporal stores. */
typedef void (*daxdev_drain_fn)(void);

struct daxdev_arch {
	const char *copy_name;        /* "avx512-nt", "avx2-nt", "sse2-nt", "memcpy" */
	const char *fill_name;
	const char *flush_name;       /* "clwb", "clflushopt", "clflush"; "none"
				       * when flush is NULL */
	const char *drain_name;       /* "sfence", "fence" */
	const char *invalidate_name;  /* "clflushopt", "clflush"; "none" when
				       * invalidate is NULL */
	size_t nt_threshold;          /* below: temporal copy + flush (the core
				       * still streams whole aligned lines);
				       * SIZE_MAX: nothing streams */
	daxdev_copy_nt_fn copy_nt;
	daxdev_fill_nt_fn fill_nt;
	/* NULL when this build has no way to write back the CPU cache (the
	 * portable build): the core then refuses devices that need it. */
	daxdev_flush_fn flush;
	daxdev_drain_fn drain;
	/* Write back and discard every line overlapping [addr, addr+len) from
	 * this CPU's caches, so that the next load reads memory (clwb may keep
	 * the line, so it is never an invalidate); no fence.  NULL when this
	 * build has none. */
	daxdev_flush_fn invalidate;
	/* NULL unless the chosen copy has a one-pass copy + CRC-32C on this
	 * CPU (daxdev_memcpy_crc32c on the CPU write-back path). */
	daxdev_copy_nt_crc_fn copy_nt_crc;
};

/*
 * What the caller asked for.  Words are the arch's own vocabulary (the names
 * daxdev_arch reports); NULL means "the best this CPU has".  Each origin
 * names where the value came from ("DAXDEV_FLUSH", "open option flush") so
 * that a message can say which setting was wrong.
 */
struct daxdev_arch_policy {
	const char *flush;            /* write-back instruction, e.g. "clwb" */
	const char *flush_origin;
	const char *isa;              /* highest ISA for streaming copies, e.g. "avx2" */
	const char *isa_origin;
	size_t nt_threshold;          /* 0: the arch's default; SIZE_MAX: never
				       * stream (and the temporal copy is chosen) */
};

/*
 * Fill *out with the best implementations this CPU has within the policy
 * (NULL policy: no limits).  Returns 0, or -EINVAL (a word the arch does not
 * know; the message lists the valid ones) / -ENOTSUP (an instruction this
 * CPU or build lacks) with a message set by daxdev_err().  Pure: reads no
 * environment, so every device can have its own policy.
 */
DAXDEV_HIDDEN int daxdev_arch_select(const struct daxdev_arch_policy *policy,
				     struct daxdev_arch *out);

/* CRC-32C (Castagnoli): the fastest implementation this CPU has, and the
 * portable one (the reference in tests).  Same convention as daxdev_crc32c(). */
typedef uint32_t (*daxdev_crc32c_fn)(uint32_t crc, const void *buf, size_t len);
DAXDEV_HIDDEN daxdev_crc32c_fn daxdev_arch_crc32c(void);
/* The i-th implementation this CPU can run, best first (i = 0 is what
 * daxdev_arch_crc32c() returns, the portable "table" is always last), its
 * name in *name if name is not NULL; NULL past the last.  For tests and
 * benchmarks, which compare every path with the others. */
DAXDEV_HIDDEN daxdev_crc32c_fn daxdev_arch_crc32c_impl(size_t i, const char **name);
DAXDEV_HIDDEN uint32_t daxdev_crc32c_sw(uint32_t crc, const void *buf, size_t len);

/* One line describing the CPU features seen, for the log. */
DAXDEV_HIDDEN const char *daxdev_arch_cpu_summary(void);

#endif
