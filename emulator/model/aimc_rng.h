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

static __always_inline u64 aimc_rotl64(u64 x, u32 k)
{
	return (x << k) | (x >> (64 - k));
}

/* The next output (inline: three of them make a normal deviate). */
static __always_inline u64 aimc_rng_next(struct aimc_rng *rng)
{
	u64 *s = rng->s;
	u64 result = aimc_rotl64(s[1] * 5, 7) * 9;
	u64 t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = aimc_rotl64(s[3], 45);
	return result;
}

/* Uniform integer in [0, bound), bound > 0 (multiply-shift, bias < 2^-32). */
u32 aimc_rng_below(struct aimc_rng *rng, u32 bound);

/* Standard normal deviate in Q16 (65536 = 1 sigma), range +-6 sigma. */
static __always_inline s32 aimc_rng_normal_q16(struct aimc_rng *rng)
{
	const u64 lanes = 0x0000ffff0000ffffULL;
	u64 sum = 0;
	u32 i;

	/*
	 * The twelve 16-bit fields of three outputs, summed two 32-bit lanes
	 * at a time (each lane stays below 6 * 2^16): the same sum as adding
	 * them one by one, in a third of the operations.
	 */
	for (i = 0; i < 3; i++) {
		u64 r = aimc_rng_next(rng);

		sum += (r & lanes) + ((r >> 16) & lanes);
	}
	sum = (sum & 0xffffffffu) + (sum >> 32);
	/* twelve uniforms (k + 1/2) / 2^16 have mean 6 and variance 1 */
	return (s32)((s64)sum + 6 - 6 * 65536);
}

#endif /* AIMC_RNG_H */
