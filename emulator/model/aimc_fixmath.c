// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "aimc_fixmath.h"

/* round(2^(2^-k) * 2^30) for k = 1..16 */
static const u32 exp2_frac_q30[16] = {
	1518500250, 1276901417, 1170923762, 1121280436,
	1097253708, 1085434106, 1079572136, 1076653033,
	1075196443, 1074468888, 1074105294, 1073923544,
	1073832680, 1073787251, 1073764537, 1073753181,
};

u32 aimc_isqrt_u64(u64 v)
{
	u64 root = 0;
	u64 bit = (u64)1 << 62;

	while (bit > v)
		bit >>= 2;
	while (bit) {
		if (v >= root + bit) {
			v -= root + bit;
			root = (root >> 1) + bit;
		} else {
			root >>= 1;
		}
		bit >>= 2;
	}
	return (u32)root;
}

s32 aimc_log2_q16(u64 v)
{
	u32 int_part, i;
	u64 m;
	s32 result;

	if (!v)
		return 0;
	int_part = 63 - (u32)__builtin_clzll(v);
	/* mantissa in [1, 2) as Q31 */
	m = int_part >= 31 ? v >> (int_part - 31) : v << (31 - int_part);
	result = (s32)(int_part << 16);
	/* one fractional bit per squaring: m^2 >= 2 means the bit is set */
	for (i = 0; i < 16; i++) {
		m = (m * m) >> 31;
		if (m >= ((u64)2 << 31)) {
			m >>= 1;
			result |= 1 << (15 - i);
		}
	}
	return result;
}

static u64 exp2_frac_q30_of(u32 frac_q16)
{
	u64 r = (u64)1 << 30;
	u32 k;

	for (k = 0; k < 16; k++) {
		if (frac_q16 & (0x8000u >> k))
			r = (r * exp2_frac_q30[k] + (1u << 29)) >> 30;
	}
	return r;	/* in [2^30, 2^31) */
}

u32 aimc_exp2_neg_q30(s32 x_q16)
{
	u32 neg, int_part, frac;
	u64 r;

	if (x_q16 >= 0)
		return 1u << 30;
	neg = (u32)(-(s64)x_q16);
	int_part = neg >> 16;
	frac = neg & 0xffff;
	/* 2^-(i + f) = 2^-(i + 1) * 2^(1 - f) */
	if (frac) {
		r = exp2_frac_q30_of(0x10000 - frac);
		int_part += 1;
	} else {
		r = (u64)1 << 30;
	}
	if (int_part >= 62)
		return 0;
	return (u32)((r + (((u64)1 << int_part) >> 1)) >> int_part);
}

u32 aimc_exp2_pos_q16(s32 x_q16)
{
	u32 int_part, frac;
	u64 r;

	if (x_q16 <= 0)
		return aimc_exp2_neg_q30(x_q16) >> 14;
	int_part = (u32)x_q16 >> 16;
	frac = (u32)x_q16 & 0xffff;
	if (int_part > 15)
		int_part = 15;
	r = exp2_frac_q30_of(frac) << int_part;
	return (u32)((r + (1u << 13)) >> 14);
}
