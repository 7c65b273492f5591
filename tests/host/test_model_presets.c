// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Device model, presets and energy: aimc_presets.def's presets reach the
 * configuration, the RRAM preset's open-loop programming error and its
 * relaxation follow the aihwkit ReRamWan2022NoiseModel fits at 1 s, 1 day
 * and 2 days, and the energy counters add up what each command did.
 */
#include "test_model_util.h"

#define NR	256
#define NC	256

START_TEST(preset_names_and_defaults)
{
	struct aimc_model_config def, cfg;

	ck_assert_str_eq(aimc_model_preset_name(0), "pcm");
	ck_assert_str_eq(aimc_model_preset_name(1), "rram");
	ck_assert_ptr_null(aimc_model_preset_name(2));

	aimc_model_config_defaults(&def);
	/* the defaults are preset 0, field for field */
	aimc_model_config_defaults(&cfg);
	ck_assert_int_eq(aimc_model_config_preset(&cfg, "pcm"), 0);
	ck_assert_int_eq(memcmp(&cfg, &def, sizeof(cfg)), 0);
	ck_assert_uint_eq(def.g_max_ns, 25000);
	ck_assert_int_eq(def.prog_sigma_c1_ns, 1965);
	ck_assert_uint_eq(def.relax_t_s[0], 0);

	ck_assert_int_eq(aimc_model_config_preset(&cfg, "rram"), 0);
	ck_assert_uint_eq(cfg.preset, 1);
	ck_assert_uint_eq(cfg.g_max_ns, 40000);
	ck_assert_int_eq(cfg.prog_sigma_c4_ns, -16815);
	ck_assert_uint_eq(cfg.read_sigma_rel_ppm, 0);
	ck_assert_uint_eq(cfg.read_sigma_abs_ns, 400);
	ck_assert_uint_eq(cfg.drift_scale_pct, 0);
	ck_assert_uint_eq(cfg.relax_t_s[1], 86400);
	/* what rram does not set comes from pcm, geometry stays */
	ck_assert_uint_eq(cfg.t_mvm_ns, def.t_mvm_ns);
	ck_assert_uint_eq(cfg.set_step_ns, def.set_step_ns);
	ck_assert_uint_eq(cfg.tiles, def.tiles);
	ck_assert_int_eq(aimc_model_config_check(&cfg, NULL), 0);

	/* back to pcm: every rram field is undone */
	ck_assert_int_eq(aimc_model_config_preset(&cfg, "pcm"), 0);
	ck_assert_int_eq(memcmp(&cfg, &def, sizeof(cfg)), 0);

	/* unknown: refused, nothing changed */
	ck_assert_int_eq(aimc_model_config_preset(&cfg, "taox"), -22);
	ck_assert_int_eq(memcmp(&cfg, &def, sizeof(cfg)), 0);
}
END_TEST

static double poly(const s32 *c, double x)
{
	return c[0] + c[1] * x + c[2] * x * x + c[3] * x * x * x +
	       c[4] * x * x * x * x;
}

/* rram with only the effect under test */
static void rram_quiet(struct aimc_model_config *cfg, bool relax)
{
	small_config(cfg, 1, NR, NC);
	ck_assert_int_eq(aimc_model_config_preset(cfg, "rram"), 0);
	cfg->read_sigma_abs_ns = 0;
	cfg->stuck_gmin_ppm = 0;
	cfg->stuck_gmax_ppm = 0;
	if (!relax)
		cfg->relax_t_s[0] = 0;
}

static struct stat_acc read_dev(struct model_fixture *f, double target)
{
	struct stat_acc s = { 0 };
	u32 i;

	ck_assert_uint_eq(do_read(f, 0, 0, 0, NR, NC), AIMC_ST_OK);
	for (i = 0; i < NR * NC; i++)
		stat_add(&s, get16(host_ptr(&f->host, H_DST) + 2 * i) - target);
	return s;
}

/* Open-loop programming error of rram: the quartic at t = 1 s. */
START_TEST(rram_programming_sigma_is_the_quartic)
{
	static const u32 levels[] = { 8000, 20000, 32000 };
	struct aimc_model_config cfg;
	struct model_fixture f;
	u32 k;

	rram_quiet(&cfg, false);
	fixture_open(&f, &cfg);
	for (k = 0; k < 3; k++) {
		const s32 c[5] = { cfg.prog_sigma_c0_ns, cfg.prog_sigma_c1_ns,
				   cfg.prog_sigma_c2_ns, cfg.prog_sigma_c3_ns,
				   cfg.prog_sigma_c4_ns };
		double want = poly(c, levels[k] / 40000.0);
		struct stat_acc s;

		ck_assert_uint_eq(program_uniform(&f, 0, NR, NC, levels[k]),
				  AIMC_ST_OK);
		s = read_dev(&f, levels[k]);
		report("rram program %u nS: mean %.1f sd %.1f (fit %.1f)",
		       levels[k], stat_mean(&s), stat_sd(&s), want);
		ck_assert_double_lt(fabs(stat_mean(&s)), 0.02 * want);
		ck_assert_double_lt(fabs(stat_sd(&s) / want - 1), 0.02);
	}
	fixture_close(&f);
}
END_TEST

/*
 * Relaxation: exact right after programming (what write-verify sees), then
 * the deviation's sigma is the fit at 1 s, 1 day and 2 days, and it stays
 * at the 2-day value.  The same deviate grows: correlation near 1.
 */
START_TEST(rram_relaxation_follows_the_fits)
{
	static const struct { u64 wait_s; u32 point; } at[] = {
		{ 1, 0 }, { 86399, 1 }, { 86400, 2 }, { 864000, 2 },
	};
	const u32 g = 20000;
	struct aimc_model_config cfg;
	struct model_fixture f;
	struct stat_acc s;
	u32 k;

	rram_quiet(&cfg, true);
	cfg.prog_sigma_c0_ns = 0;
	cfg.prog_sigma_c1_ns = 0;
	cfg.prog_sigma_c2_ns = 0;
	cfg.prog_sigma_c3_ns = 0;
	cfg.prog_sigma_c4_ns = 0;
	fixture_open(&f, &cfg);
	ck_assert_uint_eq(program_uniform(&f, 0, NR, NC, g), AIMC_ST_OK);
	s = read_dev(&f, g);
	ck_assert_double_eq(stat_sd(&s), 0);
	for (k = 0; k < 4; k++) {
		struct aimc_desc wait = {
			.opcode = AIMC_CMD_WAIT, .mode = AIMC_WAIT_S,
			.steps = (u32)at[k].wait_s,
		};
		double want = poly(cfg.relax_sigma_ns[at[k].point], g / 40000.0);

		ck_assert_uint_eq(submit(&f, &wait), AIMC_ST_OK);
		s = read_dev(&f, g);
		report("rram relaxation after %llu s: mean %.1f sd %.1f (fit %.1f)",
		       (unsigned long long)aimc_model_clock_s(f.m),
		       stat_mean(&s), stat_sd(&s), want);
		ck_assert_double_lt(fabs(stat_mean(&s)), 0.03 * want);
		ck_assert_double_lt(fabs(stat_sd(&s) / want - 1), 0.03);
	}
	fixture_close(&f);
}
END_TEST

/* pcm has no relaxation: the same command history draws no more noise. */
START_TEST(pcm_has_no_relaxation)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	struct aimc_desc wait = {
		.opcode = AIMC_CMD_WAIT, .mode = AIMC_WAIT_S, .steps = 86400,
	};
	struct stat_acc s;

	small_config(&cfg, 1, NR, NC);
	cfg.prog_sigma_c0_ns = 0;
	cfg.prog_sigma_c1_ns = 0;
	cfg.prog_sigma_c2_ns = 0;
	cfg.read_sigma_rel_ppm = 0;
	cfg.drift_scale_pct = 0;
	cfg.stuck_gmin_ppm = 0;
	cfg.stuck_gmax_ppm = 0;
	fixture_open(&f, &cfg);
	ck_assert_uint_eq(program_uniform(&f, 0, NR, NC, 12000), AIMC_ST_OK);
	ck_assert_uint_eq(submit(&f, &wait), AIMC_ST_OK);
	s = read_dev(&f, 12000);
	ck_assert_double_eq(stat_sd(&s), 0);
	fixture_close(&f);
}
END_TEST

/*
 * Energy: one PROGRAM of pulses, one READ and one EXEC with one MVM on a
 * noise-free card; each counter is what the command did, by the
 * documented formulas.
 */
START_TEST(energy_counts_each_command)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	const struct aimc_model_stats *st;
	struct prog_builder pb;
	double want, read_fj;
	u32 i, rows = 4, cols = 8, st_code;

	small_config(&cfg, 1, 16, 16);
	cfg.noise_free = true;
	fixture_open(&f, &cfg);
	st = aimc_model_stats(f.m);

	/* targets: 4 x 8 cells, G = 700 (i + 1) nS: V_set^2 G t_target each */
	for (i = 0; i < rows * cols; i++)
		put16(host_ptr(&f.host, H_SRC) + 2 * i, (u16)(700 * (i + 1)));
	ck_assert_uint_eq(do_program(&f, AIMC_PROG_TARGET, 0, 0, 0, rows, cols),
			  AIMC_ST_OK);
	for (i = 0, want = 0; i < rows * cols; i++)
		want += 1e-9 * cfg.set_vref_mv * cfg.set_vref_mv *
			700.0 * (i + 1) * cfg.t_cell_target_ns;
	ck_assert_double_lt(fabs(st->energy_fj[AIMC_ENERGY_PROGRAM] - want),
			    rows * cols);

	/* READ: V^2 G t_mvm per cell and a conversion each */
	ck_assert_uint_eq(do_read(&f, 0, 0, 0, rows, cols), AIMC_ST_OK);
	for (i = 0, want = 0; i < rows * cols; i++)
		want += 1e-9 * cfg.read_v_mv * cfg.read_v_mv * 700.0 * (i + 1) *
			cfg.t_mvm_ns;
	ck_assert_double_lt(fabs(st->energy_fj[AIMC_ENERGY_XBAR] - want),
			    rows * cols);
	ck_assert_uint_eq(st->adc_conversions, rows * cols);
	read_fj = (double)st->energy_fj[AIMC_ENERGY_XBAR];

	/* EXEC: LOAD 4 inputs, MVM 4 rows x 8 columns (4 outputs), STORE */
	pb_init(&pb);
	pb_uop(&pb, AIMC_UOP_LOAD, 1, 0, 0, (u16)rows, 0, 0, 1);
	pb_uop(&pb, AIMC_UOP_MVM, 2, 1, 0, (u16)rows, 0, AIMC_MVM_IMM0(0, 0),
	       AIMC_MVM_IMM1(cols, 0));
	pb_uop(&pb, AIMC_UOP_REQUANT, 3, 2, 0, 4, 0, 1, AIMC_REQUANT_IMM1(0, 8));
	pb_uop(&pb, AIMC_UOP_STORE, 0, 3, 0, 4, 0, 0, 1);
	for (i = 0; i < rows; i++)
		host_ptr(&f.host, H_SRC)[i] = (u8)(i % 2 ? -20 : 40);
	{
		u32 len = pb_emit(&pb, &f.host, H_PROG);
		struct aimc_desc d = exec_desc(0, 1, rows, 4, len);

		st_code = submit(&f, &d);
	}
	ck_assert_uint_eq(st_code, AIMC_ST_OK);
	/* cells at V_read for |x| / 127 of t_mvm: sum |x| (G+ + G-) */
	for (i = 0, want = read_fj; i < rows * cols; i++)
		want += 1e-9 * cfg.read_v_mv * cfg.read_v_mv * 700.0 * (i + 1) *
			cfg.t_mvm_ns * ((i / cols) % 2 ? 20 : 40) / 127.0;
	ck_assert_double_lt(fabs(st->energy_fj[AIMC_ENERGY_XBAR] - want),
			    rows * cols + 2);
	ck_assert_uint_eq(st->dac_conversions, rows);
	ck_assert_uint_eq(st->adc_conversions, rows * cols + cols / 2);
	ck_assert_uint_eq(st->energy_fj[AIMC_ENERGY_DAC],
			  rows * cfg.energy_dac_fj);
	ck_assert_uint_eq(st->energy_fj[AIMC_ENERGY_ADC],
			  (rows * cols + cols / 2) * (u64)cfg.energy_adc_fj);
	/* REQUANT of 4: 4 multiplies, 4 adds */
	ck_assert_uint_eq(st->dpu_muls, 4);
	ck_assert_uint_eq(st->dpu_adds, 4);
	ck_assert_uint_eq(st->energy_fj[AIMC_ENERGY_DPU],
			  4 * (u64)(cfg.energy_dpu_mul_fj + cfg.energy_dpu_add_fj));
	ck_assert_uint_eq(aimc_model_energy_fj(st),
			  st->energy_fj[0] + st->energy_fj[1] + st->energy_fj[2] +
			  st->energy_fj[3] + st->energy_fj[4]);
	fixture_close(&f);
}
END_TEST

Suite *model_presets_suite(void)
{
	Suite *s = suite_create("model_presets");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, preset_names_and_defaults);
	tcase_add_test(tc, rram_programming_sigma_is_the_quartic);
	tcase_add_test(tc, rram_relaxation_follows_the_fits);
	tcase_add_test(tc, pcm_has_no_relaxation);
	tcase_add_test(tc, energy_counts_each_command);
	suite_add_tcase(s, tc);
	return s;
}
