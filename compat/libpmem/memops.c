/* SPDX-License-Identifier: MIT */
/*
 * pmem_memmove/memcpy/memset and their _persist and _nodrain forms.  A
 * destination inside one pmem_map_file() mapping is written by libdaxdev
 * (its copy for that device: streaming stores, plain stores without flush,
 * or stores + msync); one in no mapping as libpmem would; one that crosses
 * the edge of a mapping is copied first and then written back part by part.
 * Like libpmem's, every copy is a memmove: overlapping ranges are safe.
 */
#include <string.h>

#include "compat.h"
#include "libpmem.h"

/* Unasked, libpmem streams from its threshold up, and so does libdaxdev
 * where the write cache is on.  Where it is off (volatile memory, or a
 * platform that flushes caches on power loss) libdaxdev uses ordinary
 * stores, which into cold memory lose to streaming from about 4 KiB
 * (bench/libpmem-compare.sh, copy-mapped on /dev/shm: 0.88x PMDK at 4 KiB,
 * 0.68x at 64 KiB) and win below it (1.9x at 256 B).  From there the drop-in
 * asks for streaming, as libpmem would have streamed. */
#define STREAM_UNASKED_FROM 4096

static bool stream_unasked(size_t len)
{
	size_t from = pmemc_policy()->nt_threshold;

	if (from == DAXDEV_NT_NEVER)
		return false;
	return len >= (from > STREAM_UNASKED_FROM ? from : STREAM_UNASKED_FROM);
}

/* PMEM_F_MEM_* as DAXDEV_F_*: the store kind only when the hints agree
 * (libpmem leaves contradicting hints undefined; here they mean "choose"). */
static unsigned dax_flags(unsigned flags, size_t len)
{
	bool nt = flags & (PMEM_F_MEM_NONTEMPORAL | PMEM_F_MEM_WC);
	bool t = flags & (PMEM_F_MEM_TEMPORAL | PMEM_F_MEM_WB);
	unsigned out = 0;

	if (flags & PMEM_F_MEM_NOFLUSH)
		return DAXDEV_F_NOFLUSH | DAXDEV_F_NODRAIN;
	if (flags & PMEM_F_MEM_NODRAIN)
		out |= DAXDEV_F_NODRAIN;
	if (nt && !t)
		out |= DAXDEV_F_NONTEMPORAL;
	else if (t && !nt)
		out |= DAXDEV_F_TEMPORAL;
	else if (!nt && stream_unasked(len))
		out |= DAXDEV_F_NONTEMPORAL;
	return out;
}

/* The whole destination in one part?  Then *part says whose. */
static bool one_part(const void *dst, size_t len, struct pmemc_part *part)
{
	uintptr_t d = (uintptr_t)dst;

	if (len > UINTPTR_MAX - d)
		return false;
	pmemc_part_at(d, d + len, part);
	return part->end == d + len;
}

/* After a plain store across mapping edges: each part written back its
 * owner's way, then one fence. */
static void flush_stored(void *dst, size_t len, unsigned flags)
{
	if (flags & PMEM_F_MEM_NOFLUSH)
		return;
	pmemc_flush_range(dst, len, false);
	if (!(flags & PMEM_F_MEM_NODRAIN))
		pmemc_fallback_drain();
}

PMEM_API void *pmem_memmove(void *pmemdest, const void *src, size_t len, unsigned flags)
{
	struct pmemc_part p;

	if (!pmemdest || !src || !len)
		return pmemdest;
	if (!one_part(pmemdest, len, &p)) {
		memmove(pmemdest, src, len);
		flush_stored(pmemdest, len, flags);
	} else if (p.m) {
		daxdev_memmove(p.m->dev, pmemdest, src, len, dax_flags(flags, len));
	} else {
		pmemc_fallback_memmove(pmemdest, src, len, flags);
	}
	return pmemdest;
}

PMEM_API void *pmem_memcpy(void *pmemdest, const void *src, size_t len, unsigned flags)
{
	return pmem_memmove(pmemdest, src, len, flags);
}

PMEM_API void *pmem_memset(void *pmemdest, int c, size_t len, unsigned flags)
{
	struct pmemc_part p;

	if (!pmemdest || !len)
		return pmemdest;
	if (!one_part(pmemdest, len, &p)) {
		memset(pmemdest, c, len);
		flush_stored(pmemdest, len, flags);
	} else if (p.m) {
		daxdev_memset(p.m->dev, pmemdest, c, len, dax_flags(flags, len));
	} else {
		pmemc_fallback_memset(pmemdest, c, len, flags);
	}
	return pmemdest;
}

PMEM_API void *pmem_memmove_persist(void *pmemdest, const void *src, size_t len)
{
	return pmem_memmove(pmemdest, src, len, 0);
}

PMEM_API void *pmem_memcpy_persist(void *pmemdest, const void *src, size_t len)
{
	return pmem_memmove(pmemdest, src, len, 0);
}

PMEM_API void *pmem_memset_persist(void *pmemdest, int c, size_t len)
{
	return pmem_memset(pmemdest, c, len, 0);
}

PMEM_API void *pmem_memmove_nodrain(void *pmemdest, const void *src, size_t len)
{
	return pmem_memmove(pmemdest, src, len, PMEM_F_MEM_NODRAIN);
}

PMEM_API void *pmem_memcpy_nodrain(void *pmemdest, const void *src, size_t len)
{
	return pmem_memmove(pmemdest, src, len, PMEM_F_MEM_NODRAIN);
}

PMEM_API void *pmem_memset_nodrain(void *pmemdest, int c, size_t len)
{
	return pmem_memset(pmemdest, c, len, PMEM_F_MEM_NODRAIN);
}
