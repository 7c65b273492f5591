/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Seeded pseudo-random numbers for the device model: xoshiro256** (Blackman
 * and Vigna, 2018) seeded through splitmix64, and a fixed-point standard
 * normal built from twelve 16-bit uniforms (Irwin-Hall): its variance is
 * exactly 1 (up to 2^-32), its excess kurtosis -0.1 and its tails stop at
 * +-6 sigma.  Every stream lives in a struct the caller owns.
 */
#ifndef AIMC_RNG_H
#define AIMC_RNG_H

#include "aimc_platform.h"

struct aimc_rng {
	u64 s[4];
};

void aimc_rng_seed(struct aimc_rng *rng, u64 seed);
u64 aimc_rng_next(struct aimc_rng *rng);

/* Uniform integer in [0, bound), bound > 0 (multiply-shift, bias < 2^-32). */
u32 aimc_rng_below(struct aimc_rng *rng, u32 bound);

/* Standard normal deviate in Q16 (65536 = 1 sigma), range +-6 sigma. */
s32 aimc_rng_normal_q16(struct aimc_rng *rng);

#endif /* AIMC_RNG_H */
