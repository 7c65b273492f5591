// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "aimc_rng.h"

static u64 splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline u64 rotl64(u64 x, u32 k)
{
	return (x << k) | (x >> (64 - k));
}

void aimc_rng_seed(struct aimc_rng *rng, u64 seed)
{
	u64 x = seed;
	u32 i;

	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&x);
}

u64 aimc_rng_next(struct aimc_rng *rng)
{
	u64 *s = rng->s;
	u64 result = rotl64(s[1] * 5, 7) * 9;
	u64 t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

u32 aimc_rng_below(struct aimc_rng *rng, u32 bound)
{
	return (u32)(((aimc_rng_next(rng) >> 32) * (u64)bound) >> 32);
}

s32 aimc_rng_normal_q16(struct aimc_rng *rng)
{
	s64 sum = 0;
	u32 i, k;

	for (i = 0; i < 3; i++) {
		u64 r = aimc_rng_next(rng);

		for (k = 0; k < 4; k++) {
			sum += (s64)(r & 0xffff);
			r >>= 16;
		}
	}
	/* twelve uniforms (k + 1/2) / 2^16 have mean 6 and variance 1 */
	return (s32)(sum + 6 - 6 * 65536);
}
