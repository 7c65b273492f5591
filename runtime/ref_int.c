// SPDX-License-Identifier: MIT
/*
 * The integer reference: exactly what the card computes for a compiled
 * model (docs/integer-inference.md, section 4), on the CPU.  It uses the
 * device model's own rounding helpers and activation tables, so there is
 * one definition of each; a noise-free card must match it bit for bit.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_dpu.h"
#include "aimc_fixmath.h"
#include "compile.h"
#include "internal.h"

struct aimc_ref_int {
	const struct aimc_int_model *im;
	int32_t *state;			/* every layer's (re, im) words */
	int64_t pool[AIMC_INT_MAX_HK];
	uint32_t count;
	struct aimc_trace *trace;	/* NULL: not tracing */
};

void aimc_ref_int_set_trace(struct aimc_ref_int *r, struct aimc_trace *t)
{
	r->trace = t;
}

/* Q-format integer to its real value */
static double real_q(int64_t v, int frac)
{
	return ldexp((double)v, -frac);
}

int aimc_ref_int_create(const struct aimc_int_model *im,
			struct aimc_ref_int **out)
{
	struct aimc_ref_int *r = calloc(1, sizeof(*r));

	if (r)
		r->state = calloc(im->state_words ? im->state_words : 1,
				  sizeof(int32_t));
	if (!r || !r->state) {
		free(r);
		return aimc_set_error(-ENOMEM, "out of memory");
	}
	r->im = im;
	*out = r;
	return 0;
}

void aimc_ref_int_free(struct aimc_ref_int *r)
{
	if (!r)
		return;
	free(r->state);
	free(r);
}

void aimc_ref_int_reset(struct aimc_ref_int *r)
{
	memset(r->state, 0, r->im->state_words * sizeof(int32_t));
	memset(r->pool, 0, sizeof(r->pool));
	r->count = 0;
}

/* REQUANT; *clipped says whether it saturated */
static int32_t requant_sat(int64_t v, int32_t m, uint32_t shift, uint32_t bits,
			   bool *clipped)
{
	int64_t raw = aimc_rshift_round(v * m, shift);
	int32_t out = aimc_sat_bits(raw, bits);

	*clipped = raw != out;
	return out;
}

/* AFFINE; clipped[c] (if not NULL) says whether output c saturated */
static void affine_sat(const struct aimc_int_affine *a, const int32_t *in,
		       int32_t *out, bool *clipped)
{
	uint32_t c;

	for (c = 0; c < a->len; c++) {
		int64_t raw = aimc_rshift_round((int64_t)in[c] * a->gamma[c],
						a->shift) + a->beta[c];

		out[c] = aimc_sat_s32(raw);
		if (clipped)
			clipped[c] = raw != out[c];
	}
}

static void affine(const struct aimc_int_affine *a, const int32_t *in,
		   int32_t *out)
{
	affine_sat(a, in, out, NULL);
}

/* The noise-free MVM through the ADC (contract 3) */
static void mvm(const struct aimc_int_model *im,
		const struct aimc_ssm_linear *lin,
		const struct aimc_xbar_calib *cal, const int32_t *x, int32_t *y,
		bool *clipped)
{
	const struct aimc_ssm_tensor *w = &lin->weight;
	int64_t dac_max = (1 << (im->dac_bits - 1)) - 1;
	uint32_t i, j;

	for (j = 0; j < w->rows; j++) {
		int64_t acc = 0;

		for (i = 0; i < w->cols; i++)
			acc += aimc_clamp_s64(x[i], -dac_max, dac_max) *
			       w->codes[(size_t)j * w->cols + i];
		acc *= cal->unit_nsiemens;
		acc = aimc_rshift_round(acc * cal->gain[j], 14 + cal->shift);
		y[j] = aimc_sat_bits(acc, im->adc_bits);
		clipped[j] = acc != y[j];
	}
}

/* The SSM micro-op (emulator/model/aimc_dpu.c, op_ssm) on one layer */
static void ssm(const struct aimc_int_layer *L, uint32_t hk, int32_t *state,
		const int32_t *u, int32_t *y)
{
	const int32_t *dcol = L->ssm_consts + (size_t)hk * 6 * L->modes;
	uint32_t c, n;

	for (c = 0; c < hk; c++) {
		int64_t uin = u[c], acc = 0;

		for (n = 0; n < L->modes; n++) {
			const int32_t *q = L->ssm_consts +
					   ((size_t)c * L->modes + n) * 6;
			int32_t *x = &state[2 * (c * L->modes + n)];
			int64_t xr = x[0], xi = x[1], nr, ni;

			nr = aimc_rshift_round(aimc_rshift_round((int64_t)q[0] * xr, 1) -
					       aimc_rshift_round((int64_t)q[1] * xi, 1),
					       AIMC_SSM_A_FRAC - 1) + q[2] * uin;
			ni = aimc_rshift_round(aimc_rshift_round((int64_t)q[0] * xi, 1) +
					       aimc_rshift_round((int64_t)q[1] * xr, 1),
					       AIMC_SSM_A_FRAC - 1) + q[3] * uin;
			x[0] = aimc_sat_s32(nr);
			x[1] = aimc_sat_s32(ni);
			acc = aimc_sat_add_s64(acc,
					       aimc_rshift_round((int64_t)q[4] * x[0], 1) -
					       aimc_rshift_round((int64_t)q[5] * x[1], 1));
		}
		acc = aimc_rshift_round(acc, AIMC_SSM_FRAC - 1);
		y[c] = aimc_sat_s32(acc + (int64_t)dcol[c] * uin);
	}
}

static void layer(const struct aimc_ref_int *r, uint32_t l,
		  const struct aimc_int_layer *L, int32_t *state, int32_t *h)
{
	const struct aimc_int_model *im = r->im;
	struct aimc_trace *tr = r->trace;
	uint32_t hk = im->hk, c;
	int32_t u[AIMC_INT_MAX_HK], t[AIMC_INT_MAX_HK];
	int32_t z[2 * AIMC_INT_MAX_HK], ab[2 * AIMC_INT_MAX_HK];
	bool clip[2 * AIMC_INT_MAX_HK], clip2;

	for (c = 0; c < hk; c++) {
		u[c] = requant_sat(h[c], 1, AIMC_INT_H_FRAC - AIMC_INT_U_FRAC, 16,
				   &clip[c]);
		aimc_trace_put(tr, aimc_trace_stage(l, AIMC_TRACE_SSM_IN), c,
			       real_q(u[c], AIMC_INT_U_FRAC), clip[c]);
	}
	ssm(L, hk, state, u, t);
	for (c = 0; c < hk; c++) {
		int32_t q4;

		aimc_trace_put(tr, aimc_trace_stage(l, AIMC_TRACE_SSM_Y), c,
			       real_q(t[c], AIMC_INT_Y_FRAC),
			       t[c] == INT32_MAX || t[c] == INT32_MIN);
		q4 = requant_sat(t[c], 1, AIMC_INT_Y_FRAC - 4, 8, &clip2);
		aimc_trace_put(tr, aimc_trace_stage(l, AIMC_TRACE_GELU), c,
			       real_q(aimc_lut_gelu[q4 + 128], 4), clip2);
		t[c] = requant_sat(aimc_lut_gelu[q4 + 128], L->mix_in.m,
				   L->mix_in.shift, im->dac_bits, &clip2);
		aimc_trace_put(tr, aimc_trace_stage(l, AIMC_TRACE_MIX_IN), c,
			       t[c] * (double)L->mix->dac_scale, clip2);
	}
	mvm(im, L->mix, &L->mix_cal, t, z, clip);
	affine(&L->glu, z, ab);
	for (c = 0; c < hk; c++) {
		int32_t gate = requant_sat(ab[hk + c], 1,
					   AIMC_INT_H_FRAC - AIMC_INT_GATE_FRAC,
					   8, &clip2);
		int32_t g = aimc_sat_s32(aimc_rshift_round((int64_t)ab[c] *
							   aimc_lut_sigmoid[gate + 128],
							   15));

		aimc_trace_put(tr, aimc_trace_stage(l, AIMC_TRACE_GLU_A), c,
			       real_q(ab[c], AIMC_INT_H_FRAC), clip[c]);
		aimc_trace_put(tr, aimc_trace_stage(l, AIMC_TRACE_GLU_B), c,
			       real_q(ab[hk + c], AIMC_INT_H_FRAC), clip[hk + c]);
		aimc_trace_put(tr, aimc_trace_stage(l, AIMC_TRACE_GATE), c,
			       real_q(aimc_lut_sigmoid[gate + 128], 15), clip2);
		aimc_trace_put(tr, aimc_trace_stage(l, AIMC_TRACE_GLU), c,
			       real_q(g, AIMC_INT_H_FRAC), false);
		h[c] = aimc_sat_s32((int64_t)h[c] + g);
		aimc_trace_put(tr, aimc_trace_stage(l, AIMC_TRACE_RESID), c,
			       real_q(h[c], AIMC_INT_H_FRAC),
			       h[c] == INT32_MAX || h[c] == INT32_MIN);
	}
	affine_sat(&L->norm, h, h, clip);
	for (c = 0; c < hk; c++)
		aimc_trace_put(tr, aimc_trace_stage(l, AIMC_TRACE_NORM), c,
			       real_q(h[c], AIMC_INT_H_FRAC), clip[c]);
}

void aimc_ref_int_step(struct aimc_ref_int *r, const int8_t *xq, int32_t *h)
{
	const struct aimc_int_model *im = r->im;
	int32_t x[AIMC_INT_MAX_IO], e[AIMC_INT_MAX_HK];
	bool clip[AIMC_INT_MAX_HK];
	int32_t *state = r->state;
	uint32_t i, l;

	for (i = 0; i < im->d_input; i++)
		x[i] = xq[i];
	mvm(im, &im->model->encoder, &im->enc_cal, x, e, clip);
	affine(&im->enc_aff, e, h);
	for (i = 0; i < im->hk; i++)
		aimc_trace_put(r->trace, AIMC_TRACE_ENC, i,
			       real_q(h[i], AIMC_INT_H_FRAC), clip[i]);
	for (l = 0; l < im->n_layers; l++) {
		layer(r, l, &im->layers[l], state, h);
		state += 2 * im->hk * im->layers[l].modes;
	}
	for (i = 0; i < im->hk; i++)
		r->pool[i] = aimc_sat_add_s64(r->pool[i], h[i]);
	if (r->count != UINT32_MAX)
		r->count++;
}

/* floor(sum / count + 1/2), as POOL_READ */
static int32_t pool_mean(int64_t sum, uint32_t count)
{
	int64_t q, rem;

	if (!count)
		return 0;
	q = sum / (int64_t)count;
	rem = sum - q * (int64_t)count;
	if (rem < 0) {
		q -= 1;
		rem += count;
	}
	return aimc_sat_s32(q + (2 * rem >= (int64_t)count ? 1 : 0));
}

void aimc_ref_int_finish(struct aimc_ref_int *r, int32_t *logits)
{
	const struct aimc_int_model *im = r->im;
	int32_t x[AIMC_INT_MAX_HK], o[AIMC_INT_MAX_IO];
	bool clip[AIMC_INT_MAX_IO], clip2;
	uint32_t c;

	for (c = 0; c < im->hk; c++) {
		int32_t p = pool_mean(r->pool[c], r->count);

		aimc_trace_put(r->trace, AIMC_TRACE_POOL, c,
			       real_q(p, AIMC_INT_H_FRAC), false);
		x[c] = requant_sat(p, im->dec_in.m, im->dec_in.shift,
				   im->dac_bits, &clip2);
		aimc_trace_put(r->trace, AIMC_TRACE_DEC_IN, c,
			       x[c] * (double)im->model->decoder.dac_scale, clip2);
	}
	mvm(im, &im->model->decoder, &im->dec_cal, x, o, clip);
	affine(&im->dec_aff, o, logits);
	for (c = 0; c < im->n_classes; c++)
		aimc_trace_put(r->trace, AIMC_TRACE_LOGITS, c,
			       real_q(logits[c], AIMC_INT_H_FRAC), clip[c]);
	memset(r->pool, 0, sizeof(r->pool));
	r->count = 0;
}
