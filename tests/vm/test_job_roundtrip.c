// SPDX-License-Identifier: MIT
/*
 * Guest tests: data makes the round trip through aimc.ko, the card's DMA
 * and the device model inside aimc_emu.ko, through the runtime's job layer
 * (runtime/job.h).  Results are compared with a userspace aimc_model
 * configured like the card (vm_util.h: vm_ref_*).
 *
 * Default phase (noisy card): PROGRAM/READ within the model's documented
 * noise; digital-only EXEC and STATE_SAVE bit-exact (no noise source in
 * the digital unit); EXEC with an MVM within a bound computed from the
 * read noise.  Noise-free phase: everything bit-exact.
 */
#include <math.h>

#include "vm_util.h"

#define BO_SIZE		(128 * 1024)
#define TGT_OFF		0		/* u16 targets */
#define RD_OFF		4096		/* READ results */
#define CAL_OFF		8192		/* calibration records */
#define PROG_OFF	12288		/* micro-op program */
#define IN_OFF		20480		/* EXEC input */
#define OUT_OFF		24576		/* EXEC output */
#define STATE_OFF	65536		/* STATE_SAVE image */

static struct vm_dev V;
static uint32_t tile, slot, bo;
static uint8_t *map;
static uint64_t map_size;

static void setup(void)
{
	vm_check_phase();
	vm_open(&V);
	ck_assert_int_eq(aimc_reserve(V.dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY,
				      &tile), 0);
	ck_assert_int_eq(aimc_reserve(V.dev, AIMC_RESOURCE_SLOT, AIMC_JOB_ANY,
				      &slot), 0);
	vm_bo_new_mapped(&V, BO_SIZE, &bo, &map, &map_size);
	memset(map, 0, BO_SIZE);
}

static void teardown(void)
{
	aimc_bo_munmap(map, map_size);
	vm_close(&V);
}

/* Submit through the job layer and wait: the job's result. */
static struct aimc_job_result run(const struct drm_aimc_cmd *c, uint32_t n)
{
	struct aimc_job_result res = { .status = 0 };
	uint64_t job;
	int ret;

	ret = aimc_job_submit(V.dev, c, n, NULL, 0, 0, &job);
	ck_assert_msg(ret == 0, "submit: %s", aimc_last_error());
	ret = aimc_job_wait(V.dev, job, aimc_deadline_ns(10000), &res);
	ck_assert_msg(ret == 0, "wait: %s", aimc_last_error());
	return res;
}

static void run_done(const struct drm_aimc_cmd *c, uint32_t n)
{
	struct aimc_job_result r = run(c, n);

	ck_assert_msg(r.status == AIMC_JOB_DONE,
		      "job %s, device status %u at command %u",
		      aimc_job_status_name(r.status), r.device_status,
		      r.failed_cmd);
}

/* ---- buffers ---- */

START_TEST(test_bo_mmap_roundtrip)
{
	uint64_t size, off1, off2;
	uint32_t h;
	uint8_t *p;
	int i;

	ck_assert_int_eq(aimc_bo_create(V.dev, 5000, &h), 0);
	ck_assert_int_eq(aimc_bo_info(V.dev, h, &size, &off1), 0);
	ck_assert_uint_eq(size, 8192);		/* whole pages */
	ck_assert_int_eq(aimc_bo_mmap(V.dev, h, (void **)&p, &size), 0);
	for (i = 0; i < 8192; i++)
		p[i] = (uint8_t)(i * 7);
	ck_assert_int_eq(aimc_bo_munmap(p, size), 0);
	ck_assert_int_eq(aimc_bo_info(V.dev, h, NULL, &off2), 0);
	ck_assert_uint_eq(off1, off2);
	ck_assert_int_eq(aimc_bo_mmap(V.dev, h, (void **)&p, &size), 0);
	for (i = 0; i < 8192; i++)
		ck_assert_uint_eq(p[i], (uint8_t)(i * 7));
	ck_assert_int_eq(aimc_bo_munmap(p, size), 0);
	ck_assert_int_eq(aimc_bo_close(V.dev, h), 0);
	ck_assert_int_eq(aimc_bo_info(V.dev, h, NULL, NULL), -ENOENT);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "BO_INFO"));
}
END_TEST

/* The sim backend has jobs too (tests/host/test_sim_job.c), but no fd. */
START_TEST(test_sim_backend_has_no_fd)
{
	struct aimc_device *sim;
	uint32_t h;
	uint64_t job;
	struct drm_aimc_cmd c = cmd_nop();

	ck_assert_int_eq(aimc_device_open(AIMC_BACKEND_SIM, 0, &sim), 0);
	ck_assert_int_eq(aimc_job_fd(sim), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "drm backend"));
	ck_assert_int_eq(aimc_syncobj_create(sim, &h), -EOPNOTSUPP);
	ck_assert_int_eq(aimc_job_submit(sim, &c, 1, NULL, 0, 1, &job),
			 -EOPNOTSUPP);
	ck_assert_int_eq(aimc_bo_create(sim, 4096, &h), 0);
	ck_assert_int_eq(aimc_job_submit(sim, &c, 1, NULL, 0, 0, &job), 0);
	aimc_device_close(sim);
	ck_assert_int_eq(aimc_bo_create(NULL, 4096, &h), -EINVAL);
}
END_TEST

/* ---- PROGRAM then READ ---- */

#define W_ROW0	8
#define W_COL0	6
#define W_ROWS	16
#define W_COLS	16
#define W_N	(W_ROWS * W_COLS)

static uint16_t window_target(uint32_t i)
{
	return (uint16_t)(500 + (i * 977u) % 24001u);	/* 500..24500 nS */
}

static void program_and_read(void)
{
	struct drm_aimc_cmd c[2];
	uint32_t i;

	for (i = 0; i < W_N; i++)
		vm_put16(map + TGT_OFF + 2 * i, window_target(i));
	memset(map + RD_OFF, 0xaa, 2 * W_N);
	c[0] = cmd_program(tile, W_ROW0, W_COL0, W_ROWS, W_COLS, bo, TGT_OFF);
	c[1] = cmd_read(tile, W_ROW0, W_COL0, W_ROWS, W_COLS, bo, RD_OFF);
	run_done(c, 2);
}

/* The card's physics: the device model's defaults (noisy mode). */
static const struct aimc_model_config *model_spec(void)
{
	static struct aimc_model_config cfg;

	if (!cfg.g_max_ns)
		aimc_model_config_defaults(&cfg);
	return &cfg;
}

static double prog_sigma_ns(double g)
{
	const struct aimc_model_config *m = model_spec();
	double x = g / m->g_max_ns;

	return m->prog_sigma_c0_ns + m->prog_sigma_c1_ns * x + m->prog_sigma_c2_ns * x * x;
}

static double read_sigma_ns(double g)
{
	return model_spec()->read_sigma_rel_ppm * 1e-6 * g;
}

/*
 * Noisy card: open-loop programming misses by N(0, sigma_p(g)), sigma_p
 * = 263 + 1965 x - 1173 x^2 nS (x = g / 25 uS), and a read adds N(0, 1 %
 * g); drift is nil within one job.  So every cell must read within 5
 * combined sigmas (+2 nS rounding) of its target, except cells stuck at
 * manufacture (0.5 % at G_min, 0.5 % at G_max), which read near 0 or
 * near 25 uS: at most 5 % of the window may be such outliers.  The mean
 * error of the others must be within 4 standard errors of zero, and the
 * card must actually be noisy (not every cell exact).
 */
START_TEST(test_program_read_noisy)
{
	uint32_t i, outliers = 0, exact = 0, n = 0;
	double sum = 0, var = 0;

	program_and_read();
	for (i = 0; i < W_N; i++) {
		double t = window_target(i);
		double g = vm_get16(map + RD_OFF + 2 * i);
		double s = sqrt(pow(prog_sigma_ns(t), 2) + pow(read_sigma_ns(t), 2));

		exact += g == t;
		if (fabs(g - t) <= 5 * s + 2) {
			sum += g - t;
			var += s * s;
			n++;
			continue;
		}
		outliers++;
		ck_assert_msg(g <= 2 || fabs(g - model_spec()->g_max_ns) <=
			      5 * read_sigma_ns(model_spec()->g_max_ns) + 2,
			      "cell %u: target %.0f read %.0f (sigma %.0f), not a stuck cell",
			      i, t, g, s);
	}
	ck_assert_msg(outliers <= W_N / 20, "%u of %u cells far off", outliers,
		      W_N);
	ck_assert_msg(fabs(sum / n) <= 4 * sqrt(var) / n,
		      "mean error %.1f nS over %u cells", sum / n, n);
	ck_assert_msg(exact < W_N / 2, "%u of %u cells exact: card not noisy?",
		      exact, W_N);
}
END_TEST

START_TEST(test_program_read_exact)
{
	uint32_t i;

	program_and_read();
	for (i = 0; i < W_N; i++)
		ck_assert_msg(vm_get16(map + RD_OFF + 2 * i) == window_target(i),
			      "cell %u: target %u read %u", i, window_target(i),
			      vm_get16(map + RD_OFF + 2 * i));
}
END_TEST

/* ---- EXEC: digital unit only (no noise source: bit-exact always) ---- */

#define D_LEN		8
#define D_MODES		2
#define D_STEPS		6
#define D_IN		(2 * D_LEN)		/* s16 inputs */
#define D_OUT		(4 * D_LEN + 2 * D_LEN + D_LEN)

static uint32_t digital_program(uint8_t *dst)
{
	struct vm_prog p = { .n_uops = 0 };
	int32_t par[D_LEN * (6 * D_MODES + 1)];
	uint32_t h, n, k = 0, seed = 0x5eed;
	uint32_t poff;

	/* per channel and mode: A (Q1.30, |A| < 1), B, C (Q15.16); then D */
	for (h = 0; h < D_LEN; h++) {
		for (n = 0; n < D_MODES; n++) {
			double r = 0.80 + 0.02 * h, th = 0.3 + 0.4 * n + 0.05 * h;

			par[k++] = (int32_t)lround(r * cos(th) * (1 << 30));
			par[k++] = (int32_t)lround(r * sin(th) * (1 << 30));
			par[k++] = (int32_t)(vm_rand(&seed) % 65536) - 32768;
			par[k++] = (int32_t)(vm_rand(&seed) % 65536) - 32768;
			par[k++] = (int32_t)(vm_rand(&seed) % 32768) - 16384;
			par[k++] = (int32_t)(vm_rand(&seed) % 32768) - 16384;
		}
	}
	for (h = 0; h < D_LEN; h++)
		par[k++] = (int32_t)(h % 3) - 1;
	poff = vm_const32(&p, par, k);

	vm_uop(&p, AIMC_UOP_LOAD, 0, 0, 0, D_LEN, 0, 0, 2);
	vm_uop(&p, AIMC_UOP_SSM, 1, 0, D_MODES, D_LEN, 0, poff, 0);
	vm_uop(&p, AIMC_UOP_REQUANT, 3, 1, 0, D_LEN, 0, 1,
	       AIMC_REQUANT_IMM1(18, 8));
	vm_uop(&p, AIMC_UOP_LUT, 2, 3, 0, D_LEN, AIMC_LUT_GELU, 0, 0);
	vm_uop(&p, AIMC_UOP_ADD, 4, 3, 2, D_LEN, 0, 0, 0);
	vm_uop(&p, AIMC_UOP_POOL_ACC, 0, 4, 0, D_LEN, 0, 0, 0);
	vm_uop(&p, AIMC_UOP_POOL_READ, 5, 0, 0, D_LEN, 0, 0, 0);
	vm_uop(&p, AIMC_UOP_STORE, 0, 1, 0, D_LEN, 0, 0, 4);
	vm_uop(&p, AIMC_UOP_STORE, 0, 4, 0, D_LEN, 0, 4 * D_LEN, 2);
	vm_uop(&p, AIMC_UOP_STORE, 0, 5, 0, D_LEN, 0, 6 * D_LEN, 1);
	return vm_prog_emit(&p, dst);
}

static void fill_inputs(uint8_t *p, uint32_t bytes, uint32_t seed)
{
	uint32_t i;

	for (i = 0; i < bytes; i += 2)
		vm_put16(p + i, (uint16_t)(int16_t)((int32_t)(vm_rand(&seed) % 4001) - 2000));
}

static void assert_same_bytes(const uint8_t *card, const uint8_t *ref,
			      uint32_t len, const char *what)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		ck_assert_msg(card[i] == ref[i],
			      "%s: byte %u differs: card 0x%02x, model 0x%02x",
			      what, i, card[i], ref[i]);
}

/*
 * Two jobs on one stream slot: the second continues the SSM state and
 * the pool the first left on the card; then the slot's state image.
 */
START_TEST(test_exec_digital_matches_model)
{
	struct vm_ref ref;
	struct drm_aimc_cmd c[2];
	uint32_t len = digital_program(map + PROG_OFF);
	uint8_t *rmem;

	vm_ref_init(&ref);
	fill_inputs(map + IN_OFF, D_STEPS * D_IN, 1);
	memset(map + OUT_OFF, 0, D_STEPS * D_OUT);
	rmem = vm_ref_add_bo(&ref, bo, map, BO_SIZE);

	c[0] = cmd_exec(slot, AIMC_CMD_F_RESET_STATE, D_STEPS, D_IN, D_OUT, bo,
			IN_OFF, OUT_OFF, PROG_OFF, len);
	run_done(c, 1);
	ck_assert_uint_eq(vm_ref_cmd(&ref, &c[0]), AIMC_ST_OK);
	assert_same_bytes(map + OUT_OFF, rmem + OUT_OFF, D_STEPS * D_OUT,
			  "first EXEC");

	fill_inputs(map + IN_OFF, D_STEPS * D_IN, 2);
	fill_inputs(rmem + IN_OFF, D_STEPS * D_IN, 2);
	c[0] = cmd_exec(slot, 0, D_STEPS, D_IN, D_OUT, bo, IN_OFF,
			OUT_OFF + 4096, PROG_OFF, len);
	c[1] = cmd_state_save(slot, bo, STATE_OFF);
	run_done(c, 2);
	ck_assert_uint_eq(vm_ref_cmd(&ref, &c[0]), AIMC_ST_OK);
	ck_assert_uint_eq(vm_ref_cmd(&ref, &c[1]), AIMC_ST_OK);
	assert_same_bytes(map + OUT_OFF + 4096, rmem + OUT_OFF + 4096,
			  D_STEPS * D_OUT, "second EXEC (state carried over)");
	assert_same_bytes(map + STATE_OFF, rmem + STATE_OFF,
			  AIMC_STATE_IMAGE_BYTES, "STATE_SAVE image");
	/* the output is not trivially constant */
	ck_assert_int_ne(memcmp(map + OUT_OFF, map + OUT_OFF + D_OUT, D_OUT), 0);
	vm_ref_free(&ref);
}
END_TEST

/*
 * The driver copies an EXEC program at submit: overwriting the buffer
 * right after SUBMIT must not change what runs.
 */
START_TEST(test_exec_program_copied_at_submit)
{
	struct vm_ref ref;
	struct drm_aimc_cmd c;
	struct aimc_job_result res;
	uint32_t len = digital_program(map + PROG_OFF);
	uint8_t *rmem;
	uint64_t job;

	vm_ref_init(&ref);
	fill_inputs(map + IN_OFF, D_STEPS * D_IN, 3);
	rmem = vm_ref_add_bo(&ref, bo, map, BO_SIZE);
	c = cmd_exec(slot, AIMC_CMD_F_RESET_STATE, D_STEPS, D_IN, D_OUT, bo,
		     IN_OFF, OUT_OFF, PROG_OFF, len);
	ck_assert_int_eq(aimc_job_submit(V.dev, &c, 1, NULL, 0, 0, &job), 0);
	memset(map + PROG_OFF, 0xff, len);		/* not a program */
	ck_assert_int_eq(aimc_job_wait(V.dev, job, aimc_deadline_ns(10000),
				       &res), 0);
	ck_assert_uint_eq(res.status, AIMC_JOB_DONE);
	ck_assert_uint_eq(vm_ref_cmd(&ref, &c), AIMC_ST_OK);
	assert_same_bytes(map + OUT_OFF, rmem + OUT_OFF, D_STEPS * D_OUT,
			  "EXEC");
	vm_ref_free(&ref);
}
END_TEST

/* ---- EXEC with a matrix product on a programmed tile ---- */

#define M_ROW0		4
#define M_COL0		8
#define M_ROWS		16
#define M_COLS		16		/* physical: 8 differential outputs */
#define M_OUTS		(M_COLS / 2)
#define M_SHIFT		17
#define M_STEPS		4
#define M_IN		M_ROWS		/* s8 inputs */
#define M_OUT		(M_OUTS + M_OUTS + 4 * M_OUTS)

static uint32_t mvm_program(uint8_t *dst)
{
	struct vm_prog p = { .n_uops = 0 };
	int32_t bias[M_OUTS];
	uint32_t i, boff;

	for (i = 0; i < M_OUTS; i++)
		bias[i] = (int32_t)(i * 5) - 20;
	boff = vm_const32(&p, bias, M_OUTS);
	vm_uop(&p, AIMC_UOP_LOAD, 0, 0, 0, M_ROWS, 0, 0, 1);
	vm_uop(&p, AIMC_UOP_MVM, 1, 0, 0, M_ROWS, (uint16_t)tile,
	       AIMC_MVM_IMM0(M_ROW0, M_COL0), AIMC_MVM_IMM1(M_COLS, M_SHIFT));
	vm_uop(&p, AIMC_UOP_STORE, 0, 1, 0, M_OUTS, 0, 0, 1);
	vm_uop(&p, AIMC_UOP_CONST_LD, 2, 0, 0, M_OUTS, 0, boff, 0);
	vm_uop(&p, AIMC_UOP_ADD, 3, 1, 2, M_OUTS, 0, 0, 0);
	vm_uop(&p, AIMC_UOP_REQUANT, 4, 3, 0, M_OUTS, 0, 5,
	       AIMC_REQUANT_IMM1(2, 8));
	vm_uop(&p, AIMC_UOP_STATE_LD, 5, 0, 0, M_OUTS, 0, 100, 0);
	vm_uop(&p, AIMC_UOP_ADD, 5, 5, 4, M_OUTS, 0, 0, 0);
	vm_uop(&p, AIMC_UOP_STATE_ST, 0, 5, 0, M_OUTS, 0, 100, 0);
	vm_uop(&p, AIMC_UOP_STORE, 0, 4, 0, M_OUTS, 0, M_OUTS, 1);
	vm_uop(&p, AIMC_UOP_STORE, 0, 5, 0, M_OUTS, 0, 2 * M_OUTS, 4);
	return vm_prog_emit(&p, dst);
}

/* CALIBRATE (identity), PROGRAM, READ back, EXEC: one job */
static void mvm_job(struct drm_aimc_cmd c[4], uint32_t *prog_len)
{
	uint32_t i, seed = 77;

	for (i = 0; i < M_OUTS; i++) {
		vm_put16(map + CAL_OFF + 4 * i, AIMC_CALIB_GAIN_ONE);
		vm_put16(map + CAL_OFF + 4 * i + 2, 0);
	}
	for (i = 0; i < M_ROWS * M_COLS; i++)
		vm_put16(map + TGT_OFF + 2 * i, (uint16_t)(vm_rand(&seed) % 25001));
	for (i = 0; i < M_STEPS * M_IN; i++)
		map[IN_OFF + i] = (uint8_t)(int8_t)((int32_t)(vm_rand(&seed) % 255) - 127);
	memset(map + OUT_OFF, 0, M_STEPS * M_OUT);
	*prog_len = mvm_program(map + PROG_OFF);
	c[0] = cmd_calibrate(tile, M_COL0, M_COLS, bo, CAL_OFF);
	c[1] = cmd_program(tile, M_ROW0, M_COL0, M_ROWS, M_COLS, bo, TGT_OFF);
	c[2] = cmd_read(tile, M_ROW0, M_COL0, M_ROWS, M_COLS, bo, RD_OFF);
	c[3] = cmd_exec(slot, AIMC_CMD_F_RESET_STATE, M_STEPS, M_IN, M_OUT, bo,
			IN_OFF, OUT_OFF, PROG_OFF, *prog_len);
}

/* The reference's MVM outputs are not all equal or all clipped. */
static void assert_mvm_informative(const uint8_t *out)
{
	uint32_t s, j, distinct = 0, clipped = 0;
	int seen[256] = { 0 };

	for (s = 0; s < M_STEPS; s++)
		for (j = 0; j < M_OUTS; j++) {
			int8_t v = (int8_t)out[s * M_OUT + j];

			if (!seen[v + 128]++)
				distinct++;
			clipped += v == 127 || v == -128;
		}
	ck_assert_uint_ge(distinct, 8);
	ck_assert_uint_le(clipped, M_STEPS * M_OUTS / 2);
}

START_TEST(test_exec_mvm_exact)
{
	struct vm_ref ref;
	struct drm_aimc_cmd c[4];
	uint32_t len, i;
	uint8_t *rmem;

	vm_ref_init(&ref);
	ck_assert(aimc_model_config(ref.m)->noise_free);
	mvm_job(c, &len);
	rmem = vm_ref_add_bo(&ref, bo, map, BO_SIZE);
	run_done(c, 4);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(vm_ref_cmd(&ref, &c[i]), AIMC_ST_OK);
	assert_same_bytes(map + RD_OFF, rmem + RD_OFF, 2 * M_ROWS * M_COLS,
			  "READ");
	assert_same_bytes(map + OUT_OFF, rmem + OUT_OFF, M_STEPS * M_OUT,
			  "EXEC");
	assert_mvm_informative(rmem + OUT_OFF);
	vm_ref_free(&ref);
}
END_TEST

/*
 * Noisy card: the reference is a noise-free model whose cells are
 * programmed to what the card's READ returned (so programming error and
 * stuck cells are the card's); what remains is the read noise of that
 * READ and of the MVM (1 % of g each, per cell).  For inputs uniform in
 * +-127, g uniform in 0..25 uS and 16 rows that is about 0.65 ADC codes
 * (sd) per output at shift 17, 1.2 at worst: MVM codes must agree within
 * 5, the requantized sum ((y + bias) * 5 / 4) within 7.
 */
START_TEST(test_exec_mvm_noisy)
{
	struct vm_ref ref;
	struct aimc_model_config cfg;
	struct aimc_model_dma dma = { vm_ref_read, vm_ref_write, &ref };
	struct drm_aimc_cmd c[4];
	uint32_t len, s, j;
	uint8_t *rmem;

	vm_ref_init(&ref);
	aimc_model_destroy(ref.m);
	vm_card_config(&cfg);
	cfg.noise_free = true;
	ref.m = aimc_model_create(&cfg, &dma);
	ck_assert_ptr_nonnull(ref.m);

	mvm_job(c, &len);
	run_done(c, 4);
	/* the card's conductances become the reference's targets */
	rmem = vm_ref_add_bo(&ref, bo, map, BO_SIZE);
	memcpy(rmem + TGT_OFF, map + RD_OFF, 2 * M_ROWS * M_COLS);
	memset(rmem + OUT_OFF, 0, M_STEPS * M_OUT);
	ck_assert_uint_eq(vm_ref_cmd(&ref, &c[0]), AIMC_ST_OK);
	ck_assert_uint_eq(vm_ref_cmd(&ref, &c[1]), AIMC_ST_OK);
	ck_assert_uint_eq(vm_ref_cmd(&ref, &c[3]), AIMC_ST_OK);
	assert_mvm_informative(rmem + OUT_OFF);
	for (s = 0; s < M_STEPS; s++) {
		const uint8_t *co = map + OUT_OFF + s * M_OUT;
		const uint8_t *ro = rmem + OUT_OFF + s * M_OUT;

		for (j = 0; j < M_OUTS; j++) {
			int dy = (int8_t)co[j] - (int8_t)ro[j];
			int dq = (int8_t)co[M_OUTS + j] - (int8_t)ro[M_OUTS + j];

			ck_assert_msg(abs(dy) <= 5,
				      "step %u output %u: card %d, model %d", s,
				      j, (int8_t)co[j], (int8_t)ro[j]);
			ck_assert_msg(abs(dq) <= 7,
				      "step %u requant %u: card %d, model %d", s,
				      j, (int8_t)co[M_OUTS + j],
				      (int8_t)ro[M_OUTS + j]);
		}
	}
	vm_ref_free(&ref);
}
END_TEST

/*
 * A job's status is its first failing command's; the commands after it
 * still run (the card does not skip).
 */
START_TEST(test_failing_command_status)
{
	struct drm_aimc_cmd c[3];
	struct aimc_job_result r;
	uint32_t i;

	for (i = 0; i < 16; i++)
		vm_put16(map + TGT_OFF + 2 * i, 12000);
	vm_put16(map + TGT_OFF + 2 * 5, 30000);	/* above G_max */
	memset(map + RD_OFF, 0xaa, 32);
	c[0] = cmd_nop();
	c[1] = cmd_program(tile, 0, 0, 4, 4, bo, TGT_OFF);
	c[2] = cmd_read(tile, 0, 0, 4, 4, bo, RD_OFF);
	r = run(c, 3);
	ck_assert_uint_eq(r.status, AIMC_JOB_DEVICE_ERROR);
	ck_assert_uint_eq(r.device_status, AIMC_ST_BAD_OPERAND);
	ck_assert_uint_eq(r.failed_cmd, 1);
	for (i = 0; i < 16; i++)
		ck_assert_uint_ne(vm_get16(map + RD_OFF + 2 * i), 0xaaaa);
	/* and the card serves the next job */
	vm_put16(map + TGT_OFF + 2 * 5, 12000);
	run_done(c, 3);
}
END_TEST

Suite *job_roundtrip_suite(void)
{
	Suite *s = suite_create("job_roundtrip");
	TCase *tc = tcase_create("roundtrip");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_bo_mmap_roundtrip);
	tcase_add_test(tc, test_sim_backend_has_no_fd);
	vm_add_noisy_test(tc, test_program_read_noisy);
	vm_add_noise_free_test(tc, test_program_read_exact);
	tcase_add_test(tc, test_exec_digital_matches_model);
	tcase_add_test(tc, test_exec_program_copied_at_submit);
	vm_add_noise_free_test(tc, test_exec_mvm_exact);
	vm_add_noisy_test(tc, test_exec_mvm_noisy);
	tcase_add_test(tc, test_failing_command_status);
	suite_add_tcase(s, tc);
	return s;
}
