// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Device model: random numbers, fixed-point helpers, activation tables. */
#include "test_model_util.h"
#include "aimc_rng.h"
#include "aimc_fixmath.h"
#include "aimc_dpu.h"

START_TEST(rng_same_seed_same_stream)
{
	struct aimc_rng a, b, c;
	int i, differ = 0;

	aimc_rng_seed(&a, 42);
	aimc_rng_seed(&b, 42);
	aimc_rng_seed(&c, 43);
	for (i = 0; i < 1000; i++) {
		u64 x = aimc_rng_next(&a);

		ck_assert_uint_eq(x, aimc_rng_next(&b));
		differ += x != aimc_rng_next(&c);
	}
	ck_assert_int_ge(differ, 999);
}
END_TEST

/* The sampler must be N(0, 1): mean, sigma, tails, symmetric shape. */
START_TEST(rng_normal_moments)
{
	struct aimc_rng r;
	struct stat_acc s = { 0 };
	double m4 = 0, beyond2 = 0;
	const int n = 400000;
	int i;

	aimc_rng_seed(&r, 7);
	for (i = 0; i < n; i++) {
		double z = aimc_rng_normal_q16(&r) / 65536.0;

		stat_add(&s, z);
		m4 += z * z * z * z;
		beyond2 += fabs(z) > 2.0;
	}
	ck_assert_double_lt(fabs(stat_mean(&s)), 0.01);
	ck_assert_double_lt(fabs(stat_sd(&s) - 1.0), 0.01);
	/* Irwin-Hall(12): kurtosis 2.9 (Gaussian 3, uniform 1.8) */
	ck_assert_double_gt(m4 / n, 2.8);
	ck_assert_double_lt(m4 / n, 3.0);
	/* P(|z| > 2) = 4.55 % for a Gaussian */
	ck_assert_double_gt(beyond2 / n, 0.043);
	ck_assert_double_lt(beyond2 / n, 0.048);
}
END_TEST

START_TEST(rng_below_is_uniform)
{
	struct aimc_rng r;
	int counts[10] = { 0 }, i;

	aimc_rng_seed(&r, 9);
	for (i = 0; i < 100000; i++)
		counts[aimc_rng_below(&r, 10)]++;
	for (i = 0; i < 10; i++) {
		/* 5 sigma of a binomial(1e5, 0.1): 474 */
		ck_assert_int_gt(counts[i], 10000 - 474);
		ck_assert_int_lt(counts[i], 10000 + 474);
	}
}
END_TEST

START_TEST(fix_log2_exp2_accuracy)
{
	u64 v;
	s32 x;

	for (v = 1; v < ((u64)1 << 40); v = v * 3 + 1) {
		double want = log2((double)v);

		ck_assert_double_lt(fabs(aimc_log2_q16(v) / 65536.0 - want),
				    2.0 / 65536);
	}
	for (x = -20 * 65536; x <= 0; x += 977) {
		double want = exp2(x / 65536.0);

		ck_assert_double_lt(fabs(aimc_exp2_neg_q30(x) / 1073741824.0 -
					 want), 1e-8 + want * 1e-7);
	}
	for (x = 0; x < 15 * 65536; x += 1013) {
		double want = exp2(x / 65536.0);

		ck_assert_double_lt(fabs(aimc_exp2_pos_q16(x) / 65536.0 -
					 want), want * 1e-5 + 1.0 / 65536);
	}
}
END_TEST

/* The bit-by-bit root the model used before its table + Newton one. */
static u64 isqrt_bitwise(u64 v)
{
	u64 root = 0, bit = (u64)1 << 62;

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
	return root;
}

/* Every bit width, squares and their neighbours, 2 10^5 random values. */
static void isqrt_matches_bitwise_root(void)
{
	struct aimc_rng rng;
	u64 v, r;
	u32 i, b;

	for (b = 0; b < 64; b++)
		for (v = ((u64)1 << b) - 2; v <= ((u64)1 << b) + 2; v++)
			ck_assert_uint_eq(aimc_isqrt_u64(v), isqrt_bitwise(v));
	for (r = 1; r < ((u64)1 << 32); r = r * 3 + 1) {
		for (v = r * r - 1; v <= r * r + 1; v++)
			ck_assert_uint_eq(aimc_isqrt_u64(v), isqrt_bitwise(v));
	}
	aimc_rng_seed(&rng, 99);
	for (i = 0; i < 200000; i++) {
		v = aimc_rng_next(&rng) >> (i % 64);
		ck_assert_uint_eq(aimc_isqrt_u64(v), isqrt_bitwise(v));
		ck_assert_uint_eq(aimc_isqrt_u64_div(v), isqrt_bitwise(v));
	}
	/* both sides of the switch to the division at 2^62 */
	for (v = ((u64)1 << 62) - 1000; v < ((u64)1 << 62) + 1000; v++)
		ck_assert_uint_eq(aimc_isqrt_u64(v), isqrt_bitwise(v));
}

START_TEST(fix_isqrt_and_rounding)
{
	u64 v;

	for (v = 0; v < 100000; v++) {
		u64 r = aimc_isqrt_u64(v);

		ck_assert(r * r <= v && (r + 1) * (r + 1) > v);
	}
	ck_assert_uint_eq(aimc_isqrt_u64(~0ULL), 0xffffffffu);
	isqrt_matches_bitwise_root();
	/* half up: 2.5 -> 3, -2.5 -> -2, -2.75 -> -3 */
	ck_assert_int_eq(aimc_rshift_round(5, 1), 3);
	ck_assert_int_eq(aimc_rshift_round(-5, 1), -2);
	ck_assert_int_eq(aimc_rshift_round(-11, 2), -3);
	ck_assert_int_eq(aimc_rshift_round(AIMC_S64_MAX, 1), (s64)1 << 62);
	ck_assert_int_eq(aimc_sat_bits(200, 8), 127);
	ck_assert_int_eq(aimc_sat_bits(-200, 8), -128);
	ck_assert_int_eq(aimc_sat_add_s64(AIMC_S64_MAX, 5), AIMC_S64_MAX);
	ck_assert_int_eq(aimc_sat_add_s64(-AIMC_S64_MAX, -5),
			 -AIMC_S64_MAX - 1);
}
END_TEST

/* The built-in tables are the documented functions, rounded. */
START_TEST(dpu_tables_match_functions)
{
	int c;

	for (c = -128; c < 128; c++) {
		double x = c / 16.0;
		double gelu = 0.5 * x * (1 + erf(x / sqrt(2.0)));
		double sig = 32768.0 / (1 + exp(-x));

		ck_assert_int_eq(aimc_lut_gelu[c + 128], (int)lround(16 * gelu));
		ck_assert_int_eq(aimc_lut_sigmoid[c + 128],
				 sig > 32767 ? 32767 : (int)lround(sig));
	}
}
END_TEST

Suite *model_fixmath_suite(void)
{
	Suite *s = suite_create("model_fixmath");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rng_same_seed_same_stream);
	tcase_add_test(tc, rng_normal_moments);
	tcase_add_test(tc, rng_below_is_uniform);
	tcase_add_test(tc, fix_log2_exp2_accuracy);
	tcase_add_test(tc, fix_isqrt_and_rounding);
	tcase_add_test(tc, dpu_tables_match_functions);
	suite_add_tcase(s, tc);
	return s;
}
