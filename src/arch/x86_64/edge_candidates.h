/* SPDX-License-Identifier: MIT */
/*
 * Ways of writing the partial head and tail lines of a streaming copy that
 * were measured against the kept one (movnti, x86.h) and not kept; for
 * bench/micro-arch only, never linked into libdaxdev (docs/arch.md).  The
 * whole lines between the edges are streamed with AVX-512 in all of them.
 */
#ifndef DAXDEV_ARCH_EDGE_CANDIDATES_H
#define DAXDEV_ARCH_EDGE_CANDIDATES_H

#include <stdbool.h>
#include <stddef.h>

typedef void (*daxdev_x86_flush_fn)(const void *, size_t);

/* The CPU has AVX-512F/BW with the OS saving the state: the rest may run. */
bool daxdev_x86_cand_usable(void);
/* Ordinary stores + write-back: copy_nt before issue 13. */
void daxdev_x86_cand_copy_stores(void *dst, const void *src, size_t len,
				 daxdev_x86_flush_fn flush);
/* One AVX-512 byte-masked store per edge + write-back: an ordinary store. */
void daxdev_x86_cand_copy_masked(void *dst, const void *src, size_t len,
				 daxdev_x86_flush_fn flush);
/* maskmovdqu: byte-masked non-temporal 16-byte stores. */
void daxdev_x86_cand_copy_maskmov(void *dst, const void *src, size_t len,
				  daxdev_x86_flush_fn flush);
/* Read the edge's whole line, merge the new bytes in, stream the line.
 * WRONG in general: it rewrites bytes outside the range, losing whatever
 * another thread or device wrote there in between; measured to show that
 * it is not even faster. */
void daxdev_x86_cand_copy_merge(void *dst, const void *src, size_t len,
				daxdev_x86_flush_fn flush);

#endif
