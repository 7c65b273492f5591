// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Device model, digital unit: the S4D recurrence against a double
 * reference, state across jobs, state save/load, the element-wise
 * micro-ops, mean-pool, and the recurrence as 2x2 blocks on a tile.
 */
#include "test_model_util.h"

#define CH	4	/* channels */
#define MODES	4	/* complex modes per channel */
#define STEPS	10000
#define CHUNK	5000

struct ssm_params {
	s32 w[CH][MODES][6];	/* Are Aim (Q30) Bre Bim Cre Cim (Q16) */
	s32 d[CH];		/* Q16 */
};

static void make_params(struct ssm_params *p)
{
	static const double radius[MODES] = { 0.9, 0.99, 0.995, 0.999 };
	u32 h, n;

	for (h = 0; h < CH; h++) {
		for (n = 0; n < MODES; n++) {
			double th = 0.05 + 0.7 * n + 0.3 * h;
			double r = radius[n];

			p->w[h][n][0] = (s32)lround(r * cos(th) * (1 << 30));
			p->w[h][n][1] = (s32)lround(r * sin(th) * (1 << 30));
			p->w[h][n][2] = (s32)lround(0.05 * cos(th * 3) * 65536);
			p->w[h][n][3] = (s32)lround(0.05 * sin(th * 3) * 65536);
			p->w[h][n][4] = (s32)lround((0.5 + 0.2 * n) * 65536);
			p->w[h][n][5] = (s32)lround((0.3 - 0.1 * h) * 65536);
		}
		p->d[h] = (s32)lround((0.25 * h - 0.4) * 65536);
	}
}

/* LOAD u (int8), SSM, STORE y (s32) */
static u32 ssm_program(struct host_mem *host, const struct ssm_params *p)
{
	struct prog_builder *pb = malloc(sizeof(*pb));
	u32 off, len;

	pb_init(pb);
	off = pb_const32(pb, &p->w[0][0][0], CH * MODES * 6);
	pb_const32(pb, p->d, CH);
	pb_uop(pb, AIMC_UOP_LOAD, 0, 0, 0, CH, 0, 0, 1);
	pb_uop(pb, AIMC_UOP_SSM, 1, 0, MODES, CH, 0, off, 0);
	pb_uop(pb, AIMC_UOP_STORE, 0, 1, 0, CH, 0, 0, 4);
	len = pb_emit(pb, host, H_PROG);
	free(pb);
	return len;
}

START_TEST(ssm_tracks_double_reference)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	struct ssm_params p;
	static s8 u[STEPS][CH];
	double xr[CH][MODES] = { { 0 } }, xi[CH][MODES] = { { 0 } };
	double bound[CH], maxerr = 0, maxy = 0;
	u32 plen, t, h, n, chunk;

	small_config(&cfg, 1, 8, 8);
	fixture_open(&f, &cfg);
	make_params(&p);
	plen = ssm_program(&f.host, &p);
	srand(5);
	for (t = 0; t < STEPS; t++)
		for (h = 0; h < CH; h++)
			u[t][h] = (s8)(rand() % 201 - 100);
	/*
	 * Stated bound: each step rounds the A product to 2^-17 per
	 * component, which decays geometrically: |dx| <= sqrt(2) 2^-17 /
	 * (1 - |A|); y adds sum |C| |dx| and its own 2^-17 rounding.
	 */
	for (h = 0; h < CH; h++) {
		bound[h] = 1.0 / (1 << 17);
		for (n = 0; n < MODES; n++) {
			double ar = p.w[h][n][0] / 1073741824.0;
			double ai = p.w[h][n][1] / 1073741824.0;
			double cabs = hypot(p.w[h][n][4], p.w[h][n][5]) / 65536;

			bound[h] += cabs * sqrt(2.0) / (1 << 17) /
				    (1 - hypot(ar, ai));
		}
	}
	for (chunk = 0; chunk < STEPS / CHUNK; chunk++) {
		struct aimc_desc d = exec_desc(0, CHUNK, CH, 4 * CH, plen);

		memcpy(host_ptr(&f.host, H_SRC), u[chunk * CHUNK], CHUNK * CH);
		ck_assert_uint_eq(submit(&f, &d), AIMC_ST_OK);
		for (t = 0; t < CHUNK; t++) {
			const s8 *uk = u[chunk * CHUNK + t];

			for (h = 0; h < CH; h++) {
				double y = p.d[h] / 65536.0 * uk[h], got, e;

				for (n = 0; n < MODES; n++) {
					const s32 *q = p.w[h][n];
					double ar = q[0] / 1073741824.0;
					double ai = q[1] / 1073741824.0;
					double nr = ar * xr[h][n] -
						    ai * xi[h][n] +
						    q[2] / 65536.0 * uk[h];
					double ni = ar * xi[h][n] +
						    ai * xr[h][n] +
						    q[3] / 65536.0 * uk[h];

					xr[h][n] = nr;
					xi[h][n] = ni;
					y += q[4] / 65536.0 * nr -
					     q[5] / 65536.0 * ni;
				}
				got = (s32)get32(host_ptr(&f.host, H_DST) +
						 4 * (t * CH + h)) / 65536.0;
				e = fabs(got - y);
				if (e > maxerr)
					maxerr = e;
				if (fabs(y) > maxy)
					maxy = fabs(y);
				ck_assert_double_le(e, bound[h]);
			}
		}
	}
	report("SSM 1e4 steps: max |y - y_ref| %.3g (bound %.3g..%.3g), max |y| %.1f",
	       maxerr, bound[0], bound[CH - 1], maxy);
	/* the signal is not trivially small */
	ck_assert_double_gt(maxy, 5.0);
	fixture_close(&f);
}
END_TEST

/* Save slot 0, load it into slot 1: both continue identically. */
START_TEST(state_save_load_and_reset)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	struct ssm_params p;
	struct aimc_desc d, save = {
		.opcode = AIMC_CMD_STATE_SAVE, .slot = 0,
		.dst_addr = H_AUX, .dst_len = AIMC_STATE_IMAGE_BYTES,
	}, load = {
		.opcode = AIMC_CMD_STATE_LOAD, .slot = 1,
		.src_addr = H_AUX, .src_len = AIMC_STATE_IMAGE_BYTES,
	};
	static u8 out0[100 * 4 * CH];
	u32 plen, i;

	small_config(&cfg, 1, 8, 8);
	fixture_open(&f, &cfg);
	make_params(&p);
	plen = ssm_program(&f.host, &p);
	for (i = 0; i < 100 * CH; i++)
		host_ptr(&f.host, H_SRC)[i] = (u8)(i * 37);
	d = exec_desc(0, 100, CH, 4 * CH, plen);
	ck_assert_uint_eq(submit(&f, &d), AIMC_ST_OK);
	ck_assert_uint_eq(submit(&f, &save), AIMC_ST_OK);
	ck_assert_uint_eq(get32(host_ptr(&f.host, H_AUX)), AIMC_STATE_MAGIC);
	ck_assert_uint_eq(submit(&f, &load), AIMC_ST_OK);
	ck_assert_uint_eq(submit(&f, &d), AIMC_ST_OK);
	memcpy(out0, host_ptr(&f.host, H_DST), sizeof(out0));
	d.slot = 1;
	ck_assert_uint_eq(submit(&f, &d), AIMC_ST_OK);
	ck_assert_mem_eq(out0, host_ptr(&f.host, H_DST), sizeof(out0));
	/* a fresh stream differs; RESET_STATE makes slot 1 fresh again */
	d.slot = 2;
	ck_assert_uint_eq(submit(&f, &d), AIMC_ST_OK);
	memcpy(out0, host_ptr(&f.host, H_DST), sizeof(out0));
	d.slot = 1;
	ck_assert_uint_eq(submit(&f, &d), AIMC_ST_OK);
	ck_assert(memcmp(out0, host_ptr(&f.host, H_DST), sizeof(out0)));
	d.flags = AIMC_EXEC_F_RESET_STATE;
	ck_assert_uint_eq(submit(&f, &d), AIMC_ST_OK);
	ck_assert_mem_eq(out0, host_ptr(&f.host, H_DST), sizeof(out0));
	/* a corrupt image is refused and changes nothing */
	host_ptr(&f.host, H_AUX)[0] ^= 1;
	{
		u64 before = aimc_model_digest(f.m);

		ck_assert_uint_eq(submit(&f, &load), AIMC_ST_BAD_STATE);
		ck_assert_uint_eq(aimc_model_digest(f.m), before);
	}
	fixture_close(&f);
}
END_TEST

static s64 rshr(s64 v, u32 s)
{
	return s ? (v >> s) + ((v >> (s - 1)) & 1) : v;
}

static s32 sat(s64 v, u32 bits)
{
	s64 hi = (1LL << (bits - 1)) - 1;

	return (s32)(v > hi ? hi : v < -hi - 1 ? -hi - 1 : v);
}

/* The documented table functions: Q4 in, GELU Q4 out, sigmoid Q15 out */
static s32 gelu_ref(s32 code)
{
	double x = code / 16.0;

	return (s32)lround(16 * 0.5 * x * (1 + erf(x / sqrt(2.0))));
}

static s32 sigmoid_ref(s32 code)
{
	double v = 32768.0 / (1 + exp(-code / 16.0));

	return v > 32767 ? 32767 : (s32)lround(v);
}

/*
 * One step through every element-wise micro-op on 16 known inputs, each
 * result stored to the output at its own offset and checked against the
 * documented formula.
 */
START_TEST(elementwise_ops)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	struct prog_builder *pb = malloc(sizeof(*pb));
	static const s32 a[16] = { 0, 1, -1, 5, -5, 127, -128, 300, -300,
				   40, -40, 2147483647, -2147483647 - 1,
				   1000, 17, -17 };
	static const s32 b[16] = { 3, -3, 100, -100, 7, 7, 9, -9, 50, -50,
				   0, 1, -1, 2147483647, 64, -64 };
	s32 gamma_beta[32], table[128], lut_vals[256];
	struct aimc_desc d;
	u32 i, off_ab, off_gb, off_lut, plen, n = 16;
	u8 *out;

	small_config(&cfg, 1, 8, 8);
	fixture_open(&f, &cfg);
	for (i = 0; i < 16; i++) {
		gamma_beta[2 * i] = (s32)(i * 1000 - 7000);
		gamma_beta[2 * i + 1] = (s32)(i * 3) - 20;
	}
	for (i = 0; i < 256; i++)
		lut_vals[i] = (s32)i * 3 - 400;
	for (i = 0; i < 128; i++)
		table[i] = (s32)((u16)lut_vals[2 * i] |
				 (u32)(u16)lut_vals[2 * i + 1] << 16);
	pb_init(pb);
	off_ab = pb_const32(pb, a, 16);
	pb_const32(pb, b, 16);
	off_gb = pb_const32(pb, gamma_beta, 32);
	off_lut = pb_const32(pb, table, 128);
	pb_uop(pb, AIMC_UOP_CONST_LD, 0, 0, 0, n, 0, off_ab, 0);
	pb_uop(pb, AIMC_UOP_CONST_LD, 1, 0, 0, n, 0, off_ab + 64, 0);
	pb_uop(pb, AIMC_UOP_ADD, 2, 0, 1, n, 0, 0, 0);
	pb_uop(pb, AIMC_UOP_MUL, 3, 0, 1, n, 0, 3, 0);
	pb_uop(pb, AIMC_UOP_REQUANT, 4, 0, 0, n, 0, 3000,
	       AIMC_REQUANT_IMM1(10, 8));
	pb_uop(pb, AIMC_UOP_AFFINE, 5, 0, 0, n, 0, off_gb, 12);
	pb_uop(pb, AIMC_UOP_LUT, 6, 0, 0, n, AIMC_LUT_GELU, 0, 0);
	pb_uop(pb, AIMC_UOP_LUT, 7, 0, 0, n, AIMC_LUT_SIGMOID, 0, 0);
	pb_uop(pb, AIMC_UOP_LUT, 8, 0, 0, n, AIMC_LUT_PROGRAM, off_lut, 0);
	pb_uop(pb, AIMC_UOP_GLU, 9, 0, 1, n, 0, 0, 0);
	pb_uop(pb, AIMC_UOP_MOV, 10, 0, 0, 8, 0, 4, 0);	/* r10[4..12) */
	for (i = 2; i <= 10; i++)
		pb_uop(pb, AIMC_UOP_STORE, 0, (u8)i, 0, n, 0, (i - 2) * 64,
		       4);
	plen = pb_emit(pb, &f.host, H_PROG);
	free(pb);
	d = exec_desc(0, 1, 0, 9 * 64, plen);
	ck_assert_uint_eq(submit(&f, &d), AIMC_ST_OK);
	out = host_ptr(&f.host, H_DST);
	for (i = 0; i < 16; i++) {
		s32 sa = sat(a[i], 8), sb = sat(b[i], 8);
		ck_assert_int_eq((s32)get32(out + 4 * i),
				 sat((s64)a[i] + b[i], 32));
		ck_assert_int_eq((s32)get32(out + 64 + 4 * i),
				 sat(rshr((s64)a[i] * b[i], 3), 32));
		ck_assert_int_eq((s32)get32(out + 128 + 4 * i),
				 sat(rshr((s64)a[i] * 3000, 10), 8));
		ck_assert_int_eq((s32)get32(out + 192 + 4 * i),
				 sat(rshr((s64)a[i] * gamma_beta[2 * i], 12) +
				     gamma_beta[2 * i + 1], 32));
		ck_assert_int_eq((s32)get32(out + 256 + 4 * i),
				 gelu_ref(sa));
		ck_assert_int_eq((s32)get32(out + 320 + 4 * i),
				 sigmoid_ref(sa));
		ck_assert_int_eq((s32)get32(out + 384 + 4 * i),
				 (s16)lut_vals[sa + 128]);
		ck_assert_int_eq((s32)get32(out + 448 + 4 * i),
				 rshr((s64)a[i] * sigmoid_ref(sb), 15));
		ck_assert_int_eq((s32)get32(out + 512 + 4 * i),
				 i >= 4 && i < 12 ? a[i - 4] : 0);
	}
	fixture_close(&f);
}
END_TEST

START_TEST(mean_pool_over_steps)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	struct prog_builder *pb = malloc(sizeof(*pb));
	struct aimc_desc d;
	s64 sum[3] = { 0 };
	u32 plen, t, c;

	small_config(&cfg, 1, 8, 8);
	fixture_open(&f, &cfg);
	pb_init(pb);
	pb_uop(pb, AIMC_UOP_LOAD, 0, 0, 0, 3, 0, 0, 2);
	pb_uop(pb, AIMC_UOP_POOL_ACC, 0, 0, 0, 3, 0, 0, 0);
	plen = pb_emit(pb, &f.host, H_PROG);
	for (t = 0; t < 7; t++)
		for (c = 0; c < 3; c++) {
			s16 v = (s16)(t * 1000 * (c + 1) - 3000 * c - 1);

			put16(host_ptr(&f.host, H_SRC) + 6 * t + 2 * c, (u16)v);
			sum[c] += v;
		}
	d = exec_desc(0, 7, 6, 0, plen);
	ck_assert_uint_eq(submit(&f, &d), AIMC_ST_OK);
	/* read-out in a second job: the pool persists in the slot */
	pb_init(pb);
	pb_uop(pb, AIMC_UOP_POOL_READ, 1, 0, 0, 3, AIMC_POOL_F_CLEAR, 0, 0);
	pb_uop(pb, AIMC_UOP_STORE, 0, 1, 0, 3, 0, 0, 4);
	plen = pb_emit(pb, &f.host, H_PROG);
	d = exec_desc(0, 1, 0, 12, plen);
	ck_assert_uint_eq(submit(&f, &d), AIMC_ST_OK);
	for (c = 0; c < 3; c++)
		ck_assert_int_eq((s32)get32(host_ptr(&f.host, H_DST) + 4 * c),
				 (s32)floor(sum[c] / 7.0 + 0.5));
	/* cleared: the next read-out of an empty pool is 0 */
	ck_assert_uint_eq(submit(&f, &d), AIMC_ST_OK);
	for (c = 0; c < 3; c++)
		ck_assert_int_eq((s32)get32(host_ptr(&f.host, H_DST) + 4 * c),
				 0);
	free(pb);
	fixture_close(&f);
}
END_TEST

/*
 * The recurrence as 2x2 real blocks on a tile (IMSSA): the state lives as
 * int8 codes, each step is one MVM of [x_re x_im u] through
 * [[c -s][s c][b 0]] * 2^14 nS followed by the ADC.  Noise-free, the
 * result equals the integer reference bit for bit.
 */
START_TEST(recurrence_on_tile_blocks)
{
	struct aimc_model_config cfg;
	struct model_fixture f;
	struct prog_builder *pb = malloc(sizeof(*pb));
	struct aimc_desc d;
	const double r = 0.97, th = 0.3;
	s32 wq[3][2], xs[2] = { 0, 0 };
	u32 plen, t, i, j, peak = 0;
	u8 *src;

	small_config(&cfg, 1, 8, 8);
	cfg.noise_free = true;
	fixture_open(&f, &cfg);
	wq[0][0] = (s32)lround(r * cos(th) * 16384);
	wq[1][0] = (s32)lround(-r * sin(th) * 16384);
	wq[0][1] = (s32)lround(r * sin(th) * 16384);
	wq[1][1] = (s32)lround(r * cos(th) * 16384);
	wq[2][0] = 8192;	/* b = 0.5 */
	wq[2][1] = 0;
	src = host_ptr(&f.host, H_SRC);
	memset(src, 0, 8 * 8 * 2);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 2; j++) {
			put16(src + 2 * (i * 8 + 2 * j),
			      (u16)(wq[i][j] > 0 ? wq[i][j] : 0));
			put16(src + 2 * (i * 8 + 2 * j + 1),
			      (u16)(wq[i][j] < 0 ? -wq[i][j] : 0));
		}
	ck_assert_uint_eq(do_program(&f, AIMC_PROG_TARGET, 0, 0, 0, 8, 8),
			  AIMC_ST_OK);
	pb_init(pb);
	pb_uop(pb, AIMC_UOP_LOAD, 1, 0, 0, 1, 0, 0, 1);	/* u in r1[0] */
	pb_uop(pb, AIMC_UOP_MOV, 2, 1, 0, 1, 0, 2, 0);	/* r2[2] = u */
	pb_uop(pb, AIMC_UOP_STATE_LD, 2, 0, 0, 2, 0, 0, 0);
	pb_uop(pb, AIMC_UOP_MVM, 3, 2, 0, 3, 0, AIMC_MVM_IMM0(0, 0),
	       AIMC_MVM_IMM1(4, 14));
	pb_uop(pb, AIMC_UOP_STATE_ST, 0, 3, 0, 2, 0, 0, 0);
	pb_uop(pb, AIMC_UOP_STORE, 0, 3, 0, 2, 0, 0, 1);
	plen = pb_emit(pb, &f.host, H_PROG);
	free(pb);
	for (t = 0; t < 200; t++)
		src[t] = (u8)(t < 5 ? 100 : t == 100 ? (u8)-120 : 0);
	d = exec_desc(0, 200, 1, 2, plen);
	ck_assert_uint_eq(submit(&f, &d), AIMC_ST_OK);
	for (t = 0; t < 200; t++) {
		s64 in[3] = { xs[0], xs[1], (s8)src[t] };
		s32 nx[2];

		for (j = 0; j < 2; j++) {
			s64 acc = 0;

			for (i = 0; i < 3; i++)
				acc += in[i] * wq[i][j];
			nx[j] = sat(rshr(acc * 16384, 28), 8);
		}
		xs[0] = nx[0];
		xs[1] = nx[1];
		ck_assert_int_eq((s8)host_ptr(&f.host, H_DST)[2 * t], xs[0]);
		ck_assert_int_eq((s8)host_ptr(&f.host, H_DST)[2 * t + 1],
				 xs[1]);
		if ((u32)abs(xs[0]) > peak)
			peak = (u32)abs(xs[0]);
	}
	/* it rang: a live oscillator, not a constant */
	ck_assert_uint_gt(peak, 30);
	fixture_close(&f);
}
END_TEST

Suite *model_dpu_suite(void)
{
	Suite *s = suite_create("model_dpu");
	TCase *tc = tcase_create("dpu");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ssm_tracks_double_reference);
	tcase_add_test(tc, state_save_load_and_reset);
	tcase_add_test(tc, elementwise_ops);
	tcase_add_test(tc, mean_pool_over_steps);
	tcase_add_test(tc, recurrence_on_tile_blocks);
	suite_add_tcase(s, tc);
	return s;
}
