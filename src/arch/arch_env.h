/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by every ISA directory: turning a policy word into an
 * index into that ISA's table, with the message the core passes on, and
 * walking its table of CRC-32C implementations.
 */
#ifndef DAXDEV_ARCH_ENV_H
#define DAXDEV_ARCH_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include <arch/arch.h>

/* Look value up in words[0..nwords).  *index = the match, or -1 when value
 * is NULL (no preference).  -EINVAL, with a message naming origin and
 * listing the words, when it is none of them. */
DAXDEV_HIDDEN int daxdev_arch_find_word(const char *origin, const char *value,
					const char *const *words, size_t nwords,
					int *index);

/* Does a CPU with these feature bits have every bit in needs?  One test for
 * every table of every ISA directory. */
static inline bool daxdev_arch_has(unsigned features, unsigned needs)
{
	return (needs & features) == needs;
}

/* One entry of an ISA's CRC-32C table, best first: usable when the CPU has
 * every feature bit in needs (the ISA's own bits).  An entry with
 * best_if bits is the best only on CPUs that have them too (a property of
 * the microarchitecture, measured); elsewhere it is still usable, and
 * listed after every entry that is. */
struct daxdev_arch_crc_entry {
	const char *name;
	unsigned needs;
	daxdev_crc32c_fn fn;
	unsigned best_if;
};

/* The i-th usable entry of table[0..n) for these features, its name in
 * *name if name is not NULL; NULL past the last (daxdev_arch_crc32c_impl).
 * Order: the table's, except that entries whose best_if bits the CPU lacks
 * come last. */
DAXDEV_HIDDEN daxdev_crc32c_fn daxdev_arch_crc_pick(const struct daxdev_arch_crc_entry *table,
						   size_t n, unsigned features, size_t i,
						   const char **name);

#endif
