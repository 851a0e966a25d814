/* SPDX-License-Identifier: MIT */
/*
 * Environment parsing shared by every ISA directory.  Each helper reads the
 * variable afresh, treats an unset or empty variable as "no override", and
 * sets a message with daxdev_err() when it rejects a value.
 */
#ifndef DAXDEV_ARCH_ENV_H
#define DAXDEV_ARCH_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include <arch/arch.h>

/* Look the variable's value up in words[0..nwords).  *index = the match, or
 * -1 when the variable is unset.  -EINVAL (message lists the words) else. */
DAXDEV_HIDDEN int daxdev_arch_env_word(const char *var,
				       const char *const *words, size_t nwords,
				       int *index);

/* DAXDEV_NT: "0" forbids non-temporal stores, "1" allows them (default). */
DAXDEV_HIDDEN int daxdev_arch_env_nt_allowed(bool *allowed);

/* DAXDEV_NT_THRESHOLD: decimal bytes with an optional K or M suffix;
 * *threshold keeps its value when the variable is unset. */
DAXDEV_HIDDEN int daxdev_arch_env_nt_threshold(size_t *threshold);

#endif
