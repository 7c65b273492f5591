// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Device model, crossbar cells: programming error, read noise, stuck
 * cells, pulse response, variation, drift, determinism.  Statistical
 * checks run over 2 tiles of 256 x 256 = 131072 cells.
 */
#include "test_model_util.h"

#define NT	2
#define NR	256
#define NC	256
#define NCELLS	(NT * NR * NC)

/* Only the effect under test: everything else stochastic is off. */
static void quiet_config(struct aimc_model_config *cfg)
{
	small_config(cfg, NT, NR, NC);
	cfg->prog_sigma_c0_ns = 0;
	cfg->prog_sigma_c1_ns = 0;
	cfg->prog_sigma_c2_ns = 0;
	cfg->read_sigma_rel_ppm = 0;
	cfg->read_sigma_abs_ns = 0;
	cfg->drift_scale_pct = 0;
	cfg->stuck_gmin_ppm = 0;
	cfg->stuck_gmax_ppm = 0;
	cfg->pulse_c2c_sigma_ppm = 0;
	cfg->d2d_sigma_ppm = 0;
}

static void program_all(struct model_fixture *f, u32 target)
{
	u32 t;

	for (t = 0; t < NT; t++)
		ck_assert_uint_eq(program_uniform(f, t, NR, NC, target),
				  AIMC_ST_OK);
}

/* Statistics of READ - target over every cell */
static struct stat_acc read_all(struct model_fixture *f, double target)
{
	struct stat_acc s = { 0 };
	u32 t, i;

	for (t = 0; t < NT; t++) {
		ck_assert_uint_eq(do_read(f, t, 0, 0, NR, NC), AIMC_ST_OK);
		for (i = 0; i < NR * NC; i++)
			stat_add(&s, get16(host_ptr(&f->host, H_DST) + 2 * i) -
				 target);
	}
	return s;
}

static double prog_sigma(const struct aimc_model_config *c, double g)
{
	double x = g / c->g_max_ns;

	return c->prog_sigma_c0_ns + c->prog_sigma_c1_ns * x +
	       c->prog_sigma_c2_ns * x * x;
}

/* Open-loop error sigma follows the aihwkit polynomial at two levels. */
START_TEST(program_error_matches_sigma)
{
	static const u32 targets[] = { 12500, 5000 };
	struct aimc_model_config cfg;
	struct model_fixture f;
	u32 k;

	quiet_config(&cfg);
	aimc_model_config_defaults(&cfg);
	small_config(&cfg, NT, NR, NC);
	cfg.read_sigma_rel_ppm = 0;
	cfg.drift_scale_pct = 0;
	cfg.stuck_gmin_ppm = 0;
	cfg.stuck_gmax_ppm = 0;
	fixture_open(&f, &cfg);
	for (k = 0; k < 2; k++) {
		double want = prog_sigma(&cfg, targets[k]);
		struct stat_acc s;

		program_all(&f, targets[k]);
		s = read_all(&f, targets[k]);
		report("program sigma at %u nS: %.1f nS measured, %.1f configured",
		       targets[k], stat_sd(&s), want);
		ck_assert_double_lt(fabs(stat_sd(&s) / want - 1), 0.10);
		/* unbiased: mean within 4 standard errors */
		ck_assert_double_lt(fabs(stat_mean(&s)),
				    4 * want / sqrt(s.n));
	}
	fixture_close(&f);
}
END_TEST

START_TEST(read_noise_matches_sigma)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	struct stat_acc s;

	quiet_config(&cfg);
	cfg.read_sigma_rel_ppm = 10000;
	fixture_open(&f, &cfg);
	program_all(&f, 20000);
	s = read_all(&f, 20000);
	report("read sigma at 20 uS: %.1f nS measured, 200 configured",
	       stat_sd(&s));
	/* 1 % of 20 uS */
	ck_assert_double_lt(fabs(stat_sd(&s) / 200.0 - 1), 0.10);
	ck_assert_double_lt(fabs(stat_mean(&s)), 4 * 200.0 / sqrt(s.n));
	fixture_close(&f);

	quiet_config(&cfg);
	cfg.read_sigma_abs_ns = 150;
	fixture_open(&f, &cfg);
	program_all(&f, 10000);
	s = read_all(&f, 10000);
	report("read sigma abs: %.1f nS measured, 150 configured", stat_sd(&s));
	ck_assert_double_lt(fabs(stat_sd(&s) / 150.0 - 1), 0.10);
	fixture_close(&f);
}
END_TEST

/* Stuck cells ignore programming; their count is binomial. */
START_TEST(stuck_fraction_binomial)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	u32 t, i, at_min = 0, at_max = 0, other = 0;
	double p_min, p_max;

	quiet_config(&cfg);
	cfg.stuck_gmin_ppm = 10000;
	cfg.stuck_gmax_ppm = 5000;
	p_min = cfg.stuck_gmin_ppm / 1e6;
	p_max = cfg.stuck_gmax_ppm / 1e6;
	fixture_open(&f, &cfg);
	program_all(&f, 12500);
	for (t = 0; t < NT; t++) {
		ck_assert_uint_eq(do_read(&f, t, 0, 0, NR, NC), AIMC_ST_OK);
		for (i = 0; i < NR * NC; i++) {
			u16 g = get16(host_ptr(&f.host, H_DST) + 2 * i);

			at_min += g == cfg.g_min_ns;
			at_max += g == cfg.g_max_ns;
			other += g != 12500 && g != cfg.g_min_ns &&
				 g != cfg.g_max_ns;
		}
	}
	ck_assert_uint_eq(other, 0);
	report("stuck: %u at g_min (%.0f expected), %u at g_max (%.0f)",
	       at_min, NCELLS * p_min, at_max, NCELLS * p_max);
	/* within 4.5 binomial standard deviations */
	ck_assert_double_lt(fabs(at_min - NCELLS * p_min),
			    4.5 * sqrt(NCELLS * p_min * (1 - p_min)));
	ck_assert_double_lt(fabs(at_max - NCELLS * p_max),
			    4.5 * sqrt(NCELLS * p_max * (1 - p_max)));
	fixture_close(&f);
}
END_TEST

static void pulse_all(struct model_fixture *f, u32 tile, s32 count, u32 amp)
{
	u32 i;

	for (i = 0; i < NR * NC; i++)
		put16(host_ptr(&f->host, H_SRC) + 2 * i,
		      AIMC_PULSE_REC(count, amp));
	ck_assert_uint_eq(do_program(f, AIMC_PROG_PULSE, tile, 0, 0, NR, NC),
			  AIMC_ST_OK);
}

static u32 cell_g(struct model_fixture *f, u32 tile, u32 row, u32 col)
{
	u32 g;

	ck_assert_int_eq(aimc_model_peek_cell(f->m, tile, row, col, &g, NULL),
			 0);
	return g;
}

/*
 * Noise-free pulse response: exact documented step from g_min, soft
 * bounds (steps shrink towards g_max), threshold, amplitude dependence,
 * SET/RESET asymmetry, saturation at the range ends.
 */
START_TEST(pulse_response_shape)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	u32 g0, g1, g2, prev, i;

	quiet_config(&cfg);
	fixture_open(&f, &cfg);
	/* 1 V = vref: step 2 * 250 nS * (g_max - g) / range = 500 nS */
	pulse_all(&f, 0, 1, 100);
	g1 = cell_g(&f, 0, 3, 4);
	ck_assert_uint_eq(g1, 500);
	pulse_all(&f, 0, 1, 100);
	g2 = cell_g(&f, 0, 3, 4);
	ck_assert_uint_eq(g2 - g1, 490);	/* 500 * 24500 / 25000 */
	/* below the 0.8 V threshold: nothing */
	pulse_all(&f, 0, 1, 79);
	ck_assert_uint_eq(cell_g(&f, 0, 3, 4), g2);
	/* 1.1 V: twice the step of 1.0 V at the same state */
	g0 = g2;
	pulse_all(&f, 0, 1, 110);
	ck_assert_uint_eq(cell_g(&f, 0, 3, 4) - g0,
			  (u32)(2 * 500.0 * (25000 - g0) / 25000 + 0.5));
	/* many SET pulses: monotonic, diminishing, never above g_max */
	prev = cell_g(&f, 0, 3, 4);
	for (i = 0; i < 40; i++) {
		u32 g;

		pulse_all(&f, 0, 8, 120);
		g = cell_g(&f, 0, 3, 4);
		ck_assert_uint_ge(g, prev);
		ck_assert_uint_le(g, cfg.g_max_ns);
		prev = g;
	}
	ck_assert_uint_ge(prev, cfg.g_max_ns - 10);
	/* RESET at its vref from g_max: 2 * 375 nS */
	ck_assert_uint_eq(program_uniform(&f, 0, NR, NC, cfg.g_max_ns),
			  AIMC_ST_OK);
	pulse_all(&f, 0, -1, 120);
	ck_assert_uint_eq(cfg.g_max_ns - cell_g(&f, 0, 3, 4), 750);
	/* SET at 1.2 V from g_min is 4 * 500: asymmetric with RESET */
	ck_assert_uint_eq(program_uniform(&f, 0, NR, NC, 0), AIMC_ST_OK);
	pulse_all(&f, 0, 1, 120);
	ck_assert_uint_eq(cell_g(&f, 0, 3, 4), 2000);
	fixture_close(&f);
}
END_TEST

/*
 * With variation: the relative spread of a single step is the
 * combination of device-to-device gain and cycle-to-cycle noise, and the
 * device part repeats for the same cell.
 */
START_TEST(pulse_variation_d2d_and_c2c)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	struct stat_acc s = { 0 };
	static u16 first[NR * NC];
	u32 i, same = 0;
	double want;

	quiet_config(&cfg);
	cfg.d2d_sigma_ppm = 300000;
	cfg.pulse_c2c_sigma_ppm = 300000;
	fixture_open(&f, &cfg);
	pulse_all(&f, 0, 1, 100);
	pulse_all(&f, 1, 1, 100);
	for (i = 0; i < NR * NC; i++) {
		stat_add(&s, cell_g(&f, 0, i / NC, i % NC));
		stat_add(&s, cell_g(&f, 1, i / NC, i % NC));
	}
	ck_assert_double_lt(fabs(stat_mean(&s) / 500 - 1), 0.01);
	/* (1 + 0.3 a)(1 + 0.3 b): relative sd sqrt(0.09 + 0.09 + 0.0081) */
	want = sqrt(0.09 + 0.09 + 0.0081);
	report("pulse step: mean %.1f nS (500), rel sd %.4f (%.4f)",
	       stat_mean(&s), stat_sd(&s) / 500, want);
	ck_assert_double_lt(fabs(stat_sd(&s) / 500 / want - 1), 0.10);
	fixture_close(&f);

	/* device part only: the same cell steps the same way again */
	cfg.pulse_c2c_sigma_ppm = 0;
	fixture_open(&f, &cfg);
	pulse_all(&f, 0, 1, 100);
	for (i = 0; i < NR * NC; i++)
		first[i] = (u16)cell_g(&f, 0, i / NC, i % NC);
	ck_assert_uint_eq(program_uniform(&f, 0, NR, NC, 0), AIMC_ST_OK);
	pulse_all(&f, 0, 1, 100);
	for (i = 0; i < NR * NC; i++)
		same += first[i] == cell_g(&f, 0, i / NC, i % NC);
	ck_assert_uint_eq(same, NR * NC);
	ck_assert_uint_ne(first[0], first[1]);
	fixture_close(&f);
}
END_TEST

/* E[((t + t0) / t0)^-nu], nu ~ |N(mu, sd)|, by numerical integration */
static double expected_drift(double t, double t0, double mu, double sd)
{
	double l = log((t + t0) / t0), acc = 0, w = 0, z;

	for (z = -8; z <= 8; z += 0.001) {
		double p = exp(-z * z / 2);

		acc += p * exp(-fabs(mu + sd * z) * l);
		w += p;
	}
	return acc / w;
}

START_TEST(drift_follows_power_law)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	struct aimc_desc wait = {
		.opcode = AIMC_CMD_WAIT, .mode = AIMC_WAIT_S, .steps = 86400,
	};
	struct stat_acc ratio = { 0 }, nu = { 0 };
	double l = log((86400.0 + 20) / 20), want;
	u32 t, i;

	quiet_config(&cfg);
	cfg.drift_scale_pct = 100;
	fixture_open(&f, &cfg);
	program_all(&f, 12500);
	/* right after programming nothing has drifted */
	ck_assert_uint_eq(do_read(&f, 0, 0, 0, NR, NC), AIMC_ST_OK);
	ck_assert_uint_eq(get16(host_ptr(&f.host, H_DST)), 12500);
	ck_assert_uint_eq(submit(&f, &wait), AIMC_ST_OK);
	for (t = 0; t < NT; t++) {
		ck_assert_uint_eq(do_read(&f, t, 0, 0, NR, NC), AIMC_ST_OK);
		for (i = 0; i < NR * NC; i++) {
			double g = get16(host_ptr(&f.host, H_DST) + 2 * i);

			stat_add(&ratio, g / 12500);
			stat_add(&nu, -log(g / 12500) / l);
		}
	}
	/* aihwkit at g/g_max = 0.5: mu clamps to 0.049, sd to 0.008 */
	want = expected_drift(86400, 20, 0.049, 0.008);
	report("drift 1 day: g ratio %.4f (%.4f), nu mean %.5f sd %.5f",
	       stat_mean(&ratio), want, stat_mean(&nu), stat_sd(&nu));
	ck_assert_double_lt(fabs(stat_mean(&ratio) / want - 1), 0.01);
	ck_assert_double_lt(fabs(stat_mean(&nu) / 0.049 - 1), 0.02);
	ck_assert_double_lt(fabs(stat_sd(&nu) / 0.008 - 1), 0.10);
	fixture_close(&f);
}
END_TEST

static u64 scripted_run(u64 seed, u16 *out)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	u64 digest;

	small_config(&cfg, 1, 64, 64);
	cfg.seed = seed;
	fixture_open(&f, &cfg);
	ck_assert_uint_eq(program_uniform(&f, 0, 64, 64, 9000), AIMC_ST_OK);
	ck_assert_uint_eq(do_read(&f, 0, 0, 0, 64, 64), AIMC_ST_OK);
	memcpy(out, host_ptr(&f.host, H_DST), 64 * 64 * 2);
	digest = aimc_model_digest(f.m);
	fixture_close(&f);
	return digest;
}

START_TEST(same_seed_same_device)
{
	static u16 a[4096], b[4096], c[4096];
	u64 da = scripted_run(11, a), db = scripted_run(11, b);
	u64 dc = scripted_run(12, c);
	u32 i, differ = 0;

	ck_assert_uint_eq(da, db);
	ck_assert_mem_eq(a, b, sizeof(a));
	ck_assert_uint_ne(da, dc);
	for (i = 0; i < 4096; i++)
		differ += a[i] != c[i];
	ck_assert_uint_gt(differ, 3900);
}
END_TEST

START_TEST(noise_free_is_exact)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	struct aimc_desc wait = {
		.opcode = AIMC_CMD_WAIT, .mode = AIMC_WAIT_S, .steps = 1000000,
	};
	u32 i;

	small_config(&cfg, 1, 32, 32);
	cfg.noise_free = true;
	fixture_open(&f, &cfg);
	for (i = 0; i < 32 * 32; i++)
		put16(host_ptr(&f.host, H_SRC) + 2 * i, (u16)(i * 24));
	ck_assert_uint_eq(do_program(&f, AIMC_PROG_TARGET, 0, 0, 0, 32, 32),
			  AIMC_ST_OK);
	ck_assert_uint_eq(submit(&f, &wait), AIMC_ST_OK);
	ck_assert_uint_eq(do_read(&f, 0, 0, 0, 32, 32), AIMC_ST_OK);
	for (i = 0; i < 32 * 32; i++)
		ck_assert_uint_eq(get16(host_ptr(&f.host, H_DST) + 2 * i),
				  i * 24);
	fixture_close(&f);
}
END_TEST

START_TEST(stick_cell_knob)
{
	struct aimc_model_config cfg;
	struct model_fixture f;

	small_config(&cfg, 1, 8, 8);
	cfg.noise_free = true;
	fixture_open(&f, &cfg);
	ck_assert_int_eq(aimc_model_stick_cell(f.m, 0, 2, 3, true), 0);
	ck_assert_int_lt(aimc_model_stick_cell(f.m, 1, 0, 0, true), 0);
	ck_assert_int_lt(aimc_model_stick_cell(f.m, 0, 8, 0, true), 0);
	ck_assert_uint_eq(program_uniform(&f, 0, 8, 8, 100), AIMC_ST_OK);
	ck_assert_uint_eq(cell_g(&f, 0, 2, 3), cfg.g_max_ns);
	ck_assert_uint_eq(cell_g(&f, 0, 2, 4), 100);
	fixture_close(&f);
}
END_TEST

Suite *model_xbar_suite(void)
{
	Suite *s = suite_create("model_xbar");
	TCase *tc = tcase_create("cells");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, program_error_matches_sigma);
	tcase_add_test(tc, read_noise_matches_sigma);
	tcase_add_test(tc, stuck_fraction_binomial);
	tcase_add_test(tc, pulse_response_shape);
	tcase_add_test(tc, pulse_variation_d2d_and_c2c);
	tcase_add_test(tc, drift_follows_power_law);
	tcase_add_test(tc, same_seed_same_device);
	tcase_add_test(tc, noise_free_is_exact);
	tcase_add_test(tc, stick_cell_knob);
	suite_add_tcase(s, tc);
	return s;
}
