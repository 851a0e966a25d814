/* SPDX-License-Identifier: MIT */
/*
 * Whole lines with MOVDIR64B (built -mmovdir64b, called only after CPUID
 * leaf 7 ECX bit 28): one 64-byte direct store per line, weakly ordered like
 * non-temporal stores (sfence drains it), the line evicted from the caches
 * if it was there.  Head and tail as every other ISA (nt_loops.h).
 */
#include <immintrin.h>

#include "x86.h"

struct line {
	unsigned char bytes[X86_CACHE_LINE];
} __attribute__((aligned(X86_CACHE_LINE)));

static inline void copy_line(char *dst, const char *src)
{
	_movdir64b(dst, src);
}

static inline void fill_line(char *dst, const struct line *v)
{
	_movdir64b(dst, v);
}

/* The fill's source line lives in the caller's frame (a compound literal
 * lasts as long as the block it is written in). */
static inline const struct line *splat_line(struct line *l, int c)
{
	memset(l->bytes, c, sizeof(l->bytes));
	return l;
}

#define NT_ISA movdir64b
#define NT_VEC const struct line *
#define NT_SPLAT(c) splat_line(&(struct line){ { 0 } }, (c))
#include "nt_loops.h"
