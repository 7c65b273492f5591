// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "aimc_rng.h"

static u64 splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void aimc_rng_seed(struct aimc_rng *rng, u64 seed)
{
	u64 x = seed;
	u32 i;

	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&x);
}

u32 aimc_rng_below(struct aimc_rng *rng, u32 bound)
{
	return (u32)(((aimc_rng_next(rng) >> 32) * (u64)bound) >> 32);
}
