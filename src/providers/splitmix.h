/* SPDX-License-Identifier: MIT */
/*
 * The simulators' choices (crashsim, sharesim): splitmix64, a small generator
 * whose whole state is one word, so that a seed is the state and a run
 * replays from it.
 */
#ifndef DAXDEV_PROVIDERS_SPLITMIX_H
#define DAXDEV_PROVIDERS_SPLITMIX_H

#include <stdint.h>

static inline uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

#endif
