// SPDX-License-Identifier: MIT
/*
 * The integer constants of docs/integer-inference.md, computed once per
 * model and placement.  Every real-valued step is a binary64 operation in
 * the order the contract writes it, so the Python golden-vector generator
 * gets the same bits.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "internal.h"

#define S32_MAX_D	2147483647.0

/* (double)code * (double)scale: exact in binary64 */
static double real_of(const struct aimc_ssm_tensor *t, uint32_t r, uint32_t c)
{
	double scale = t->scale[t->per_tensor ? 0 : r];

	return (double)t->codes[(size_t)r * t->cols + c] * scale;
}

/* sign(r) floor(|r| 2^s + 1/2), or -ERANGE past s32 */
static int fix(double r, int s, int32_t *out, const char *what)
{
	double v = floor(ldexp(fabs(r), s) + 0.5);

	if (!(v <= S32_MAX_D))
		return aimc_set_error(-ERANGE, "%s: %g * 2^%d does not fit in s32",
				      what, r, s);
	*out = (int32_t)(r < 0 ? -v : v);
	return 0;
}

/* The multiplier of a positive ratio (contract 4). */
static int mult_of(double r, struct aimc_int_mult *m, const char *what)
{
	int s;

	for (s = 62; s >= 0; s--) {
		if (floor(ldexp(r, s) + 0.5) <= S32_MAX_D) {
			m->shift = (uint32_t)s;
			return fix(r, s, &m->m, what);
		}
	}
	return aimc_set_error(-ERANGE, "%s: ratio %g too large", what, r);
}

/* An affine into Q16 from per-channel gains g and offsets o. */
static int affine_of(const double *g, const double *o, uint32_t len,
		     struct aimc_int_affine *a, const char *what)
{
	double gmax = 0;
	uint32_t c;
	int s, ret;

	for (c = 0; c < len; c++)
		gmax = fmax(gmax, fabs(g[c]));
	for (s = 62; s > 0; s--)
		if (floor(ldexp(gmax, s) + 0.5) <= S32_MAX_D)
			break;
	a->len = len;
	a->shift = (uint32_t)s;
	a->gamma = calloc(len, sizeof(int32_t));
	a->beta = calloc(len, sizeof(int32_t));
	if (!a->gamma || !a->beta)
		return aimc_set_error(-ENOMEM, "out of memory");
	for (c = 0; c < len; c++) {
		ret = fix(g[c], s, &a->gamma[c], what);
		if (!ret)
			ret = fix(o[c], AIMC_INT_H_FRAC, &a->beta[c], what);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * ADC codes in Q16 plus bias: g = adc_scale 2^16, o = bias; times
 * canon / gain where the column's gain register is shared (contract 3)
 */
static int adc_affine(const struct aimc_ssm_linear *lin,
		      const struct aimc_xbar_calib *cal,
		      struct aimc_int_affine *a)
{
	uint32_t rows = lin->weight.rows, j;
	double *g = calloc(rows, sizeof(double)), *o = calloc(rows, sizeof(double));
	int ret = -ENOMEM;

	if (g && o) {
		for (j = 0; j < rows; j++) {
			g[j] = (double)lin->adc_scale[j] * 65536.0;
			if (cal->gain[j] != cal->canon[j])
				g[j] = cal->gain[j] ? g[j] * ((double)cal->canon[j] /
							      (double)cal->gain[j]) : 0.0;
			o[j] = (double)lin->bias[j];
		}
		ret = affine_of(g, o, rows, a, lin->name);
	} else {
		aimc_set_error(ret, "out of memory");
	}
	free(g);
	free(o);
	return ret;
}

/*
 * The largest |value| crossbar output j can take: the ADC's largest code
 * times its step, plus the bias (contract 4.0, "range bounds").
 */
static double adc_bound(const struct aimc_ssm *model,
			const struct aimc_ssm_linear *lin, uint32_t j)
{
	return ldexp(1.0, (int)model->adc_bits - 1) * (double)lin->adc_scale[j] +
	       fabs((double)lin->bias[j]);
}

/* Contract 4.2 step 2: the state exponent of channel c, |u| <= ubound. */
static int state_exp(const struct aimc_ssm_diag *d, uint32_t c, double ubound)
{
	double ratio = 0, bound;
	uint32_t n;
	int e;

	for (n = 0; n < d->n_modes; n++) {
		double ar = real_of(&d->a_re, c, n), ai = real_of(&d->a_im, c, n);
		double br = real_of(&d->b_re, c, n), bi = real_of(&d->b_im, c, n);
		double abs_a = sqrt(ar * ar + ai * ai);
		double abs_b = sqrt(br * br + bi * bi);
		double gap = 1.0 - abs_a;

		if (gap < ldexp(1.0, -AIMC_INT_HORIZON_LOG2))
			gap = ldexp(1.0, -AIMC_INT_HORIZON_LOG2);
		ratio = fmax(ratio, abs_b / gap);
	}
	/* u saturates at the Q8 s16 rail: no bound exceeds 128 */
	bound = ratio * fmin(ubound, 128.0);
	for (e = -40; ldexp(1.0, 14 + e) < bound; e++)
		;
	return e;
}

static int build_ssm(const struct aimc_ssm *model, uint32_t l,
		     const double *ubound, struct aimc_int_layer *L)
{
	const struct aimc_ssm_diag *d = &model->layers[l].ssm;
	uint32_t hk = model->hk, M = d->n_modes, c, n;
	char what[64];
	int ret = 0;

	L->modes = M;
	L->ssm_consts = calloc((size_t)hk * (6 * M + 1), sizeof(int32_t));
	L->state_exp = calloc(hk, sizeof(int32_t));
	if (!L->ssm_consts || !L->state_exp)
		return aimc_set_error(-ENOMEM, "out of memory");
	snprintf(what, sizeof(what), "layers.%u.ssm", l);
	for (c = 0; c < hk && !ret; c++) {
		int e = state_exp(d, c, ubound[c]);
		int32_t *q = &L->ssm_consts[(size_t)c * 6 * M];

		L->state_exp[c] = e;
		for (n = 0; n < M && !ret; n++, q += 6) {
			double ar = real_of(&d->a_re, c, n);
			double ai = real_of(&d->a_im, c, n);

			if (sqrt(ar * ar + ai * ai) >= 2.0)
				return aimc_set_error(-ERANGE, "%s.A: |A| >= 2 at [%u][%u]",
						      what, c, n);
			ret = fix(ar, 30, &q[0], what) ?:
			      fix(ai, 30, &q[1], what) ?:
			      fix(real_of(&d->b_re, c, n), 8 - e, &q[2], what) ?:
			      fix(real_of(&d->b_im, c, n), 8 - e, &q[3], what) ?:
			      fix(real_of(&d->c_re, c, n), e + 21, &q[4], what) ?:
			      fix(real_of(&d->c_im, c, n), e + 21, &q[5], what);
		}
		if (!ret)
			ret = fix(real_of(&d->d, c, 0), 12,
				  &L->ssm_consts[(size_t)hk * 6 * M + c], what);
	}
	return ret;
}

static int build_layer(const struct aimc_ssm *model,
		       const struct aimc_placement *pl, uint32_t l,
		       double *hbound, struct aimc_int_layer *L)
{
	const struct aimc_ssm_layer *sl = &model->layers[l];
	double g[AIMC_INT_MAX_HK], o[AIMC_INT_MAX_HK];
	uint32_t c;
	int ret;

	if (sl->ssm.n_modes > AIMC_INT_MAX_MODES)
		return aimc_set_error(-ENOSPC, "layers.%u: %u modes, one SSM micro-op takes %u",
				      l, sl->ssm.n_modes, AIMC_INT_MAX_MODES);
	L->mix = &sl->mix;
	L->mix_cal = pl->mix[l];
	ret = build_ssm(model, l, hbound, L);
	if (!ret)
		ret = mult_of(1.0 / (16.0 * (double)sl->mix.dac_scale),
			      &L->mix_in, sl->mix.name);
	if (!ret)
		ret = adc_affine(&sl->mix, &pl->mix[l], &L->glu);
	if (ret)
		return ret;
	for (c = 0; c < model->hk; c++) {
		g[c] = (double)sl->norm_scale[c];
		o[c] = (double)sl->norm_shift[c];
		hbound[c] = (hbound[c] + adc_bound(model, &sl->mix, c)) *
			    fabs(g[c]) + fabs(o[c]);
	}
	return affine_of(g, o, model->hk, &L->norm, "norm");
}

static int check_limits(const struct aimc_ssm *m)
{
	if (!m->quantized)
		return aimc_set_error(-EINVAL, "%s: a float model does not run on the card (quantize it first)",
				      m->path ? m->path : "model");
	if (m->hk > AIMC_INT_MAX_HK)
		return aimc_set_error(-ENOSPC, "%u hidden channels, the compiler takes %u",
				      m->hk, AIMC_INT_MAX_HK);
	if (m->d_input > AIMC_INT_MAX_IO || m->n_classes > AIMC_INT_MAX_IO)
		return aimc_set_error(-ENOSPC, "d_input %u / n_classes %u above %u",
				      m->d_input, m->n_classes, AIMC_INT_MAX_IO);
	return 0;
}

int aimc_int_model_build(const struct aimc_ssm *model,
			 const struct aimc_placement *pl,
			 struct aimc_int_model **out)
{
	struct aimc_int_model *im;
	double *hbound = NULL;	/* bound of |h| per channel, layer by layer */
	uint32_t l;
	int ret = check_limits(model);

	if (ret)
		return ret;
	im = calloc(1, sizeof(*im));
	if (!im)
		return aimc_set_error(-ENOMEM, "out of memory");
	im->model = model;
	im->hk = model->hk;
	im->d_input = model->d_input;
	im->n_classes = model->n_classes;
	im->n_layers = model->n_layers;
	im->dac_bits = model->dac_bits;
	im->adc_bits = model->adc_bits;
	im->enc_dac_scale = model->encoder.dac_scale;
	im->enc_cal = pl->encoder;
	im->dec_cal = pl->decoder;
	im->layers = calloc(model->n_layers, sizeof(*im->layers));
	ret = im->layers ? 0 : aimc_set_error(-ENOMEM, "out of memory");
	if (!ret)
		ret = adc_affine(&model->encoder, &pl->encoder, &im->enc_aff);
	if (!ret)
		ret = adc_affine(&model->decoder, &pl->decoder, &im->dec_aff);
	if (!ret)
		ret = mult_of(1.0 / (65536.0 * (double)model->decoder.dac_scale),
			      &im->dec_in, "decoder");
	hbound = calloc(model->hk, sizeof(double));
	if (!hbound && !ret)
		ret = aimc_set_error(-ENOMEM, "out of memory");
	for (l = 0; l < model->hk && !ret; l++)
		hbound[l] = adc_bound(model, &model->encoder, l);
	for (l = 0; l < model->n_layers && !ret; l++) {
		ret = build_layer(model, pl, l, hbound, &im->layers[l]);
		im->state_words += 2 * model->hk * model->layers[l].ssm.n_modes;
	}
	free(hbound);
	if (ret) {
		aimc_int_model_free(im);
		return ret;
	}
	*out = im;
	return 0;
}

static void affine_free(struct aimc_int_affine *a)
{
	free(a->gamma);
	free(a->beta);
}

void aimc_int_model_free(struct aimc_int_model *im)
{
	uint32_t l;

	if (!im)
		return;
	for (l = 0; im->layers && l < im->n_layers; l++) {
		free(im->layers[l].ssm_consts);
		free(im->layers[l].state_exp);
		affine_free(&im->layers[l].glu);
		affine_free(&im->layers[l].norm);
	}
	free(im->layers);
	affine_free(&im->enc_aff);
	affine_free(&im->dec_aff);
	free(im);
}

int aimc_int_quantize_input(const struct aimc_int_model *im, const float *v,
			    int8_t *xq)
{
	double hi = (double)((1 << (im->dac_bits - 1)) - 1);
	uint32_t i;

	for (i = 0; i < im->d_input; i++)
		if (!isfinite(v[i]))
			return aimc_set_error(-EINVAL, "sample element %u is %s", i,
					      isnan(v[i]) ? "NaN" : "infinite");
	for (i = 0; i < im->d_input; i++)
		xq[i] = (int8_t)fmin(hi, fmax(-hi, rint((double)v[i] /
							 im->enc_dac_scale)));
	return 0;
}
