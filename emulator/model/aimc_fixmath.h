/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Integer helpers for the device model: rounding shifts, saturation,
 * base-2 logarithm and exponential in fixed point, integer square root.
 * Rounding is "half up" (toward +infinity) everywhere, as the hardware's
 * adders do it: add half an LSB, then shift arithmetically.
 */
#ifndef AIMC_FIXMATH_H
#define AIMC_FIXMATH_H

#include "aimc_platform.h"

#define AIMC_S32_MAX	((s32)0x7fffffff)
#define AIMC_S32_MIN	(-AIMC_S32_MAX - 1)
#define AIMC_S64_MAX	((s64)0x7fffffffffffffffLL)

static __always_inline s64 aimc_clamp_s64(s64 v, s64 lo, s64 hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

static __always_inline s32 aimc_sat_s32(s64 v)
{
	return (s32)aimc_clamp_s64(v, AIMC_S32_MIN, AIMC_S32_MAX);
}

/* Saturate to a signed two's complement range of @bits (2..32). */
static __always_inline s32 aimc_sat_bits(s64 v, u32 bits)
{
	s64 hi = ((s64)1 << (bits - 1)) - 1;

	return (s32)aimc_clamp_s64(v, -hi - 1, hi);
}

/*
 * v * 2^-shift rounded half up, for any v (no addend that could overflow);
 * shift is at most 63.  Relies on >> of a negative value being arithmetic,
 * as gcc and clang define it.
 */
static __always_inline s64 aimc_rshift_round(s64 v, u32 shift)
{
	if (!shift)
		return v;
	return (v >> shift) + ((v >> (shift - 1)) & 1);
}

/*
 * The same for |v| <= 2^62 (any product of two s32, and sums of two
 * halved ones), with one add: v + 2^(shift - 1) cannot overflow there.
 */
static __always_inline s64 aimc_rshift_round_prod(s64 v, u32 shift)
{
	if (!shift)
		return v;
	return (v + ((s64)1 << (shift - 1))) >> shift;
}

/* a + b saturated at the s64 range */
static __always_inline s64 aimc_sat_add_s64(s64 a, s64 b)
{
	if (b > 0 && a > AIMC_S64_MAX - b)
		return AIMC_S64_MAX;
	if (b < 0 && a < -AIMC_S64_MAX - 1 - b)
		return -AIMC_S64_MAX - 1;
	return a + b;
}

/* round(sqrt(t) * 2^10) for t = 256..1024 */
extern const u16 aimc_sqrt_q10[769];

/* round(2^26 / sqrt(t)) for t = 256..1024 */
extern const u32 aimc_rsqrt_q26[769];

/*
 * floor(sqrt(v)), exactly, for any v, with one division: the table,
 * interpolated on v's top 16 bits, guesses sqrt(v) within 2^-15; one
 * Newton step (from any guess it lands at or above floor(sqrt(v))) leaves
 * it within 2^-31 of it, so at most a unit or two too high, which the
 * loop takes off.
 */
static __always_inline u32 aimc_isqrt_u64_div(u64 v)
{
	u32 n, s, t, f;
	s32 k;
	u64 w, r;

	if (v < 2)
		return (u32)v;
	n = 63 - (u32)__builtin_clzll(v);	/* 2^n <= v < 2^(n + 1) */
	s = n / 2;
	k = 2 * (s32)s - 16;		/* w = v / 2^k in [2^16, 2^18) */
	w = k >= 0 ? v >> k : v << -k;
	t = (u32)(w >> 8);		/* 256..1023 */
	f = (u32)(w & 255);
	/* sqrt(t + f / 256) 2^18, then times 2^(s - 4) / 2^18 */
	r = ((u64)aimc_sqrt_q10[t - 256] << 8) +
	    (u64)(aimc_sqrt_q10[t - 255] - aimc_sqrt_q10[t - 256]) * f;
	r = s >= 22 ? r << (s - 22) : r >> (22 - s);
	if (!r)
		r = 1;
	r = (r + aimc_div64_u64(v, r)) >> 1;
	if (r > 0xffffffffu)
		r = 0xffffffffu;
	while (r * r > v)
		r--;
	return (u32)r;
}

/*
 * floor(sqrt(v)), exactly, without a division below 2^62 (a noisy MVM
 * takes one per column, and the divider does not pipeline): the guess as
 * above, and 1 / sqrt(v) from a second table the same way; two Newton
 * steps r += (v - r^2) / (2 sqrt(v)) in multiplies leave r within a unit
 * or two of sqrt(v), and the loops make it the floor.
 */
static __always_inline u32 aimc_isqrt_u64(u64 v)
{
	u32 n, s, t, f, p, i;
	s32 k;
	s64 rs, e;
	u64 w, r;

	if (v < 2)
		return (u32)v;
	if (v >> 62)
		return aimc_isqrt_u64_div(v);
	n = 63 - (u32)__builtin_clzll(v);	/* 2^n <= v < 2^(n + 1) */
	s = n / 2;				/* s <= 30 */
	k = 2 * (s32)s - 16;		/* w = v / 2^k in [2^16, 2^18) */
	w = k >= 0 ? v >> k : v << -k;
	t = (u32)(w >> 8);
	f = (u32)(w & 255);
	r = ((u64)aimc_sqrt_q10[t - 256] << 8) +
	    (u64)(aimc_sqrt_q10[t - 255] - aimc_sqrt_q10[t - 256]) * f;
	r = s >= 22 ? r << (s - 22) : r >> (22 - s);
	/* 2^26 / sqrt(w / 256) = 2^(22 + s) / sqrt(v) */
	rs = (s64)aimc_rsqrt_q26[t - 256] +
	     (((s64)aimc_rsqrt_q26[t - 255] - (s64)aimc_rsqrt_q26[t - 256]) *
	      (s64)f >> 8);
	/* e (|e| <= 2^(2s - 12) at first) times rs stays below 2^62 */
	p = 2 * s > 51 ? 2 * s - 51 : 0;
	for (i = 0; i < 2; i++) {
		e = (s64)v - (s64)(r * r);
		r = (u64)((s64)r + (((e >> p) * rs) >> (23 + s - p)));
	}
	while (r * r > v)
		r--;
	while ((r + 1) * (r + 1) <= v)
		r++;
	return (u32)r;
}

/* log2(v) in Q16 for v >= 1 (log2(0) is returned as 0); error < 2^-15. */
s32 aimc_log2_q16(u64 v);

/*
 * 2^(x / 2^16) in Q30 for x <= 0 (the only use: decay factors); results
 * below 2^-30 are returned as 0.  Relative error < 2^-26.
 */
u32 aimc_exp2_neg_q30(s32 x_q16);

/* 2^(x / 2^16) in Q16 for 0 <= x < 16 * 2^16 (growth factors). */
u32 aimc_exp2_pos_q16(s32 x_q16);

#endif /* AIMC_FIXMATH_H */
