// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Device model, analog MVM: exact integer product in noise-free mode, the
 * ADC transfer function (scale, round, saturate, calibration), DAC
 * clipping, and the error statistics in noisy mode.
 */
#include "test_model_util.h"
#include "aimc_model_priv.h"
#include "../check_skip.h"

#define R	256
#define C	256
#define H	(C / 2)
#define UNIT_NS	2048	/* conductance of one weight step */

static s8 w[R][H];
static s32 x[R];
static s64 exact[H];

static void random_weights(u32 seed, int wmax)
{
	u32 i, j;

	srand(seed);
	for (i = 0; i < R; i++)
		for (j = 0; j < H; j++)
			w[i][j] = (s8)(rand() % (2 * wmax + 1) - wmax);
}

static void random_inputs(int xmax)
{
	u32 i, j;

	for (i = 0; i < R; i++)
		x[i] = rand() % (2 * xmax + 1) - xmax;
	for (j = 0; j < H; j++) {
		exact[j] = 0;
		for (i = 0; i < R; i++)
			exact[j] += (s64)x[i] * w[i][j];
	}
}

/* Differential pairs: G+ in column 2j, G- in column 2j + 1 */
static void program_weights(struct model_fixture *f)
{
	u8 *p = host_ptr(&f->host, H_SRC);
	u32 i, j;

	for (i = 0; i < R; i++)
		for (j = 0; j < H; j++) {
			int v = w[i][j];

			put16(p + 2 * (i * C + 2 * j), v > 0 ? v * UNIT_NS : 0);
			put16(p + 2 * (i * C + 2 * j + 1),
			      v < 0 ? -v * UNIT_NS : 0);
		}
	ck_assert_uint_eq(do_program(f, AIMC_PROG_TARGET, 0, 0, 0, R, C),
			  AIMC_ST_OK);
}

/* EXEC: LOAD x as s16, MVM, STORE s32; y gets H codes */
static void run_mvm(struct model_fixture *f, u32 shift, s32 *y)
{
	struct prog_builder *pb = malloc(sizeof(*pb));
	struct aimc_desc d;
	u32 i, len;

	pb_init(pb);
	pb_uop(pb, AIMC_UOP_LOAD, 1, 0, 0, R, 0, 0, 2);
	pb_uop(pb, AIMC_UOP_MVM, 2, 1, 0, R, 0, AIMC_MVM_IMM0(0, 0),
	       AIMC_MVM_IMM1(C, shift));
	pb_uop(pb, AIMC_UOP_STORE, 0, 2, 0, H, 0, 0, 4);
	len = pb_emit(pb, &f->host, H_PROG);
	free(pb);
	for (i = 0; i < R; i++)
		put16(host_ptr(&f->host, H_SRC) + 2 * i, (u16)x[i]);
	d = exec_desc(0, 1, 2 * R, 4 * H, len);
	ck_assert_uint_eq(submit(f, &d), AIMC_ST_OK);
	for (i = 0; i < H; i++)
		y[i] = (s32)get32(host_ptr(&f->host, H_DST) + 4 * i);
}

/* Reference ADC: round half up of I * gain / 2^(14 + shift), + offset */
static s32 ref_adc(s64 current, u32 gain, s32 offset, u32 shift, u32 bits)
{
	s64 v = current * gain;
	s64 hi = (1LL << (bits - 1)) - 1;
	u32 s = 14 + shift;

	v = (v >> s) + ((v >> (s - 1)) & 1) + offset;
	return (s32)(v > hi ? hi : v < -hi - 1 ? -hi - 1 : v);
}

START_TEST(mvm_noise_free_equals_integer_product)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	s32 y[H];
	u32 k, j;

	small_config(&cfg, 1, R, C);
	cfg.noise_free = true;
	cfg.adc_bits = 16;
	fixture_open(&f, &cfg);
	random_weights(1, 7);
	program_weights(&f);
	for (k = 0; k < 50; k++) {
		random_inputs(8);
		/* I = UNIT_NS * sum x w, and 2^11 = UNIT_NS */
		run_mvm(&f, 11, y);
		for (j = 0; j < H; j++)
			ck_assert_int_eq(y[j], exact[j]);
	}
	ck_assert_uint_eq(aimc_model_stats(f.m)->adc_clips, 0);
	fixture_close(&f);
}
END_TEST

/* 8-bit ADC: the transfer function holds bit for bit, clipping counted */
START_TEST(mvm_adc_rounding_and_clipping)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	s32 y[H];
	u32 k, j, clips = 0, rails = 0;

	small_config(&cfg, 1, R, C);
	cfg.noise_free = true;
	fixture_open(&f, &cfg);
	random_weights(2, 7);
	program_weights(&f);
	for (k = 0; k < 20; k++) {
		random_inputs(127);
		run_mvm(&f, 14, y);
		for (j = 0; j < H; j++) {
			s64 cur = exact[j] * UNIT_NS;
			s32 want = ref_adc(cur, 16384, 0, 14, 8);
			s32 wide = ref_adc(cur, 16384, 0, 14, 32);

			ck_assert_int_eq(y[j], want);
			clips += wide != want;
			rails += y[j] == 127 || y[j] == -128;
		}
	}
	/* the data must exercise both the linear range and the rails */
	ck_assert_uint_gt(rails, 50);
	ck_assert_uint_lt(rails, 20 * H - 50);
	ck_assert_uint_eq(aimc_model_stats(f.m)->adc_clips, clips);
	fixture_close(&f);
}
END_TEST

START_TEST(mvm_calibration_and_dac_clip)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	struct aimc_desc cal = {
		.opcode = AIMC_CMD_CALIBRATE, .tile = 0, .col0 = 4, .cols = 4,
		.src_addr = H_AUX, .src_len = 8,
	};
	u8 *p;
	s32 y[H];
	u32 j;

	small_config(&cfg, 1, R, C);
	cfg.noise_free = true;
	cfg.adc_bits = 16;
	cfg.dac_bits = 4;	/* inputs clip to +-7 */
	fixture_open(&f, &cfg);
	random_weights(3, 7);
	program_weights(&f);
	/* logical columns 2 and 3: gain 2.0 + 5, gain 0.5 - 3 */
	p = host_ptr(&f.host, H_AUX);
	put16(p, 32768);
	put16(p + 2, 5);
	put16(p + 4, 8192);
	put16(p + 6, (u16)-3);
	ck_assert_uint_eq(submit(&f, &cal), AIMC_ST_OK);
	random_inputs(100);
	run_mvm(&f, 11, y);
	for (j = 0; j < H; j++) {
		s64 clipped = 0;
		u32 i;

		for (i = 0; i < R; i++)
			clipped += (s64)(x[i] > 7 ? 7 : x[i] < -7 ? -7 : x[i]) *
				   w[i][j];
		if (j == 2)
			ck_assert_int_eq(y[j], ref_adc(clipped * UNIT_NS,
						       32768, 5, 11, 16));
		else if (j == 3)
			ck_assert_int_eq(y[j], ref_adc(clipped * UNIT_NS,
						       8192, -3, 11, 16));
		else
			ck_assert_int_eq(y[j], clipped);
	}
	fixture_close(&f);
}
END_TEST

/*
 * Noisy mode: against the conductances actually programmed, the output
 * error has the sigma that per-cell read noise predicts; against the
 * ideal weights, the error is the programming noise.
 */
START_TEST(mvm_noisy_error_statistics)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	struct stat_acc zs = { 0 }, rel = { 0 };
	static u32 gp[R][C];
	s32 y[H];
	double relsig = 0.01;
	u32 i, j, k;

	small_config(&cfg, 1, R, C);
	cfg.adc_bits = 16;
	cfg.stuck_gmin_ppm = 0;
	cfg.stuck_gmax_ppm = 0;
	cfg.drift_scale_pct = 0;
	cfg.read_sigma_rel_ppm = 10000;
	fixture_open(&f, &cfg);
	random_weights(4, 7);
	program_weights(&f);
	for (i = 0; i < R; i++)
		for (j = 0; j < C; j++)
			aimc_model_peek_cell(f.m, 0, i, j, &gp[i][j], NULL);
	for (k = 0; k < 100; k++) {
		random_inputs(8);
		run_mvm(&f, 11, y);
		for (j = 0; j < H; j++) {
			double cur = 0, var = 0, sd;

			for (i = 0; i < R; i++) {
				double a = gp[i][2 * j], b = gp[i][2 * j + 1];

				cur += x[i] * (a - b);
				var += (double)x[i] * x[i] * relsig * relsig *
				       (a * a + b * b);
			}
			/* read noise plus the ADC's uniform rounding */
			sd = sqrt(var / (2048.0 * 2048.0) + 1.0 / 12);
			stat_add(&zs, (y[j] - cur / 2048.0) / sd);
			stat_add(&rel, y[j] - (double)exact[j]);
		}
	}
	report("noisy MVM: z-score sd %.3f (1), mean %.3f", stat_sd(&zs),
	       stat_mean(&zs));
	ck_assert_double_lt(fabs(stat_sd(&zs) - 1), 0.10);
	ck_assert_double_lt(fabs(stat_mean(&zs)), 0.05);
	/* vs ideal weights the programming noise dominates: ~0.3 to 0.5
	 * weight steps per cell, far above the read-noise-only sigma
	 */
	report("noisy MVM vs exact product: error sd %.2f codes",
	       stat_sd(&rel));
	ck_assert_double_gt(stat_sd(&rel), 2 * stat_sd(&zs));
	ck_assert_double_lt(fabs(stat_mean(&rel)), 1.0);
	fixture_close(&f);
}
END_TEST

/* EXEC: LOAD x as s16, MVM over a window, STORE s32: cols / 2 codes */
static void run_mvm_window(struct model_fixture *f, u32 row0, u32 rows,
			   u32 col0, u32 cols, s32 *y)
{
	struct prog_builder *pb = malloc(sizeof(*pb));
	struct aimc_desc d;
	u32 i, len;

	pb_init(pb);
	pb_uop(pb, AIMC_UOP_LOAD, 1, 0, 0, rows, 0, 0, 2);
	pb_uop(pb, AIMC_UOP_MVM, 2, 1, 0, rows, 0, AIMC_MVM_IMM0(row0, col0),
	       AIMC_MVM_IMM1(cols, 11));
	pb_uop(pb, AIMC_UOP_STORE, 0, 2, 0, cols / 2, 0, 0, 4);
	len = pb_emit(pb, &f->host, H_PROG);
	free(pb);
	for (i = 0; i < rows; i++)
		put16(host_ptr(&f->host, H_SRC) + 2 * i, (u16)x[i]);
	d = exec_desc(0, 1, 2 * rows, 4 * (cols / 2), len);
	ck_assert_uint_eq(submit(f, &d), AIMC_ST_OK);
	for (i = 0; i < cols / 2; i++)
		y[i] = (s32)get32(host_ptr(&f->host, H_DST) + 4 * i);
}

/*
 * The MAC loop's AVX2 form gives the scalar form's bits: two cards from
 * one seed, one held to the scalar loop, the same MVMs over windows whose
 * width is and is not a multiple of the vector block, noise-free, with
 * relative read noise only, and with relative and absolute read noise.
 */
START_TEST(mvm_avx2_equals_scalar)
{
	static const u32 win[][4] = {	/* row0, rows, col0, cols */
		{ 0, R, 0, C }, { 3, 61, 10, 26 }, { 100, 156, 2, 254 },
		{ 0, 1, 0, 2 }, { 17, 200, 64, 30 },
	};
	static const u32 noise[][2] = { { 0, 0 }, { 10000, 0 }, { 10000, 40 } };
	struct aimc_model_config cfg;
	struct model_fixture vec, sc;
	s32 yv[H], ys[H];
	u32 n, w, k, j;

	for (n = 0; n < AIMC_ARRAY_SIZE(noise); n++) {
		small_config(&cfg, 1, R, C);
		cfg.noise_free = n == 0;
		cfg.adc_bits = 16;
		cfg.read_sigma_rel_ppm = noise[n][0];
		cfg.read_sigma_abs_ns = noise[n][1];
		fixture_open(&vec, &cfg);
		fixture_open(&sc, &cfg);
		ck_assert(vec.m->k.avx2);
		sc.m->k.avx2 = false;
		random_weights(5 + n, 7);
		program_weights(&vec);
		program_weights(&sc);
		for (w = 0; w < AIMC_ARRAY_SIZE(win); w++)
			for (k = 0; k < 10; k++) {
				random_inputs(127);
				run_mvm_window(&vec, win[w][0], win[w][1],
					       win[w][2], win[w][3], yv);
				run_mvm_window(&sc, win[w][0], win[w][1],
					       win[w][2], win[w][3], ys);
				for (j = 0; j < win[w][3] / 2; j++)
					ck_assert_int_eq(yv[j], ys[j]);
			}
		ck_assert_mem_eq(&vec.m->rng, &sc.m->rng, sizeof(vec.m->rng));
		ck_assert_uint_eq(aimc_model_stats(vec.m)->adc_clips,
				  aimc_model_stats(sc.m)->adc_clips);
		fixture_close(&vec);
		fixture_close(&sc);
	}
}
END_TEST

Suite *model_mvm_suite(void)
{
	Suite *s = suite_create("model_mvm");
	TCase *tc = tcase_create("mvm");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, mvm_noise_free_equals_integer_product);
	tcase_add_test(tc, mvm_adc_rounding_and_clipping);
	tcase_add_test(tc, mvm_calibration_and_dac_clip);
	tcase_add_test(tc, mvm_noisy_error_statistics);
	aimc_add_test_if(tc, mvm_avx2_equals_scalar, aimc_cpu_has_avx2(),
			 "the MAC loop has no AVX2 form on this CPU or build");
	suite_add_tcase(s, tc);
	return s;
}
