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
/* Write back every cache line that overlaps [addr, addr+len); no fence. */
typedef void (*daxdev_flush_fn)(const void *addr, size_t len);
/* Order: wait for earlier write-backs and non-temporal stores. */
typedef void (*daxdev_drain_fn)(void);

struct daxdev_arch {
	const char *copy_name;        /* "avx512-nt", "avx2-nt", "sse2-nt", "memcpy" */
	const char *fill_name;
	const char *flush_name;       /* "clwb", "clflushopt", "clflush", "msync" */
	const char *drain_name;       /* "sfence", "fence" */
	size_t nt_threshold;          /* below: temporal copy + flush (the core
				       * still streams whole aligned lines) */
	daxdev_copy_nt_fn copy_nt;
	daxdev_fill_nt_fn fill_nt;
	daxdev_flush_fn flush;
	daxdev_drain_fn drain;
};

/*
 * Fill *out with the best implementations this CPU has, within the
 * environment's limits (read at each call, so every device creation sees the
 * current environment):
 *   DAXDEV_FLUSH=clwb|clflushopt|clflush   force the write-back instruction
 *   DAXDEV_ISA=avx512|avx2|sse2|generic    highest ISA for non-temporal copies
 *   DAXDEV_NT=0                            never use non-temporal stores
 *   DAXDEV_NT_THRESHOLD=BYTES              temporal below, non-temporal from it
 * Returns 0, or -EINVAL (unparsable value) / -ENOTSUP (forced instruction the
 * CPU lacks) with a message set by daxdev_err().
 */
DAXDEV_HIDDEN int daxdev_arch_select(struct daxdev_arch *out);

/* CRC-32C (Castagnoli): the fastest implementation this CPU has, and the
 * portable one (the reference in tests).  Same convention as daxdev_crc32c(). */
typedef uint32_t (*daxdev_crc32c_fn)(uint32_t crc, const void *buf, size_t len);
DAXDEV_HIDDEN daxdev_crc32c_fn daxdev_arch_crc32c(void);
DAXDEV_HIDDEN uint32_t daxdev_crc32c_sw(uint32_t crc, const void *buf, size_t len);

/* One line describing the CPU features seen, for the log. */
DAXDEV_HIDDEN const char *daxdev_arch_cpu_summary(void);

#endif
