/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by every ISA directory for turning a policy word into an
 * index into that ISA's table, with the message the core passes on.
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

#endif
