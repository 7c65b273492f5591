/* SPDX-License-Identifier: MIT */
/*
 * libaimc diagnostics: a synthetic quantized S4D model built in memory
 * (struct aimc_ssm) of any shape: random but realistic codes and scales
 * (stable A with |A| up to 0.995, 4-bit and ternary crossbars,
 * per-channel B/C scales), deterministic for a seed.  aimc-bench sweeps
 * shapes with it; the streaming test suites use it too.  Header-only;
 * free with testmodel_free().
 */
#ifndef AIMC_DIAG_SYNTH_MODEL_H
#define AIMC_DIAG_SYNTH_MODEL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../ssm.h"

struct testmodel {
	struct aimc_ssm m;
	void *blocks[512];
	unsigned n_blocks;
	unsigned rng;
};

static inline void *tm_alloc(struct testmodel *t, size_t bytes)
{
	void *p = calloc(1, bytes ? bytes : 1);

	t->blocks[t->n_blocks++] = p;
	return p;
}

static inline double tm_uniform(struct testmodel *t)
{
	t->rng = t->rng * 1103515245u + 12345u;
	return ((t->rng >> 8) & 0xffffff) / 16777216.0;
}

/* codes in [qmin, qmax] from reals with per-row (or one) max-abs scale */
static inline void tm_quantize(struct testmodel *t, struct aimc_ssm_tensor *q,
			       const double *v, uint32_t rows, uint32_t cols,
			       uint32_t bits, bool ternary, bool per_tensor)
{
	uint32_t r, c, nscale = per_tensor ? 1 : rows;
	int qmax = ternary ? 1 : (1 << (bits - 1)) - 1;

	q->rows = rows;
	q->cols = cols;
	q->bits = ternary ? 2 : bits;
	q->ternary = ternary;
	q->per_tensor = per_tensor;
	q->codes = tm_alloc(t, sizeof(int16_t) * rows * cols);
	q->scale = tm_alloc(t, sizeof(float) * nscale);
	for (r = 0; r < nscale; r++) {
		double mx = 1e-6;
		uint32_t r0 = per_tensor ? 0 : r, r1 = per_tensor ? rows : r + 1;
		uint32_t rr;

		for (rr = r0; rr < r1; rr++)
			for (c = 0; c < cols; c++)
				mx = fmax(mx, fabs(v[rr * cols + c]));
		q->scale[r] = (float)(mx / qmax);
	}
	for (r = 0; r < rows; r++)
		for (c = 0; c < cols; c++) {
			double s = q->scale[per_tensor ? 0 : r];
			long k = lround(v[r * cols + c] / s);

			q->codes[r * cols + c] = (int16_t)(k > qmax ? qmax :
							   k < -qmax ? -qmax : k);
		}
}

/* A crossbar: weights ~ U(-1,1) * 0.5, output range from its fan-in */
static inline void tm_linear(struct testmodel *t, struct aimc_ssm_linear *l,
			     const char *name, uint32_t rows, uint32_t cols,
			     double in_range, bool ternary)
{
	double *w = tm_alloc(t, sizeof(double) * rows * cols);
	uint32_t i;

	l->name = name;
	for (i = 0; i < rows * cols; i++)
		w[i] = (tm_uniform(t) * 2 - 1) * 0.5;
	tm_quantize(t, &l->weight, w, rows, cols, 4, ternary, false);
	l->bias = tm_alloc(t, sizeof(float) * rows);
	l->adc_scale = tm_alloc(t, sizeof(float) * rows);
	l->dac_scale = (float)(in_range / 127);
	for (i = 0; i < rows; i++) {
		l->bias[i] = (float)((tm_uniform(t) * 2 - 1) * 0.2);
		l->adc_scale[i] = (float)(0.5 * in_range * sqrt(cols) / 127 *
					  (0.8 + 0.4 * tm_uniform(t)));
	}
}

static inline void tm_ssm(struct testmodel *t, struct aimc_ssm_diag *d,
			  uint32_t hk, uint32_t modes)
{
	size_t n = (size_t)hk * modes, i;
	double *ar = tm_alloc(t, sizeof(double) * n), *ai = tm_alloc(t, sizeof(double) * n);
	double *br = tm_alloc(t, sizeof(double) * n), *bi = tm_alloc(t, sizeof(double) * n);
	double *cr = tm_alloc(t, sizeof(double) * n), *ci = tm_alloc(t, sizeof(double) * n);
	double *dd = tm_alloc(t, sizeof(double) * hk);

	d->n_modes = modes;
	d->kept_modes = tm_alloc(t, sizeof(uint32_t) * modes);
	for (i = 0; i < modes; i++)
		d->kept_modes[i] = (uint32_t)i;
	for (i = 0; i < n; i++) {
		double rad = 0.6 + 0.395 * tm_uniform(t);
		double th = 3.0 * tm_uniform(t);
		double mag = (1 - rad) * (0.5 + tm_uniform(t));

		ar[i] = rad * cos(th);
		ai[i] = rad * sin(th);
		br[i] = mag * cos(th * 2);
		bi[i] = mag * sin(th * 2);
		cr[i] = (tm_uniform(t) * 2 - 1) * 0.5;
		ci[i] = (tm_uniform(t) * 2 - 1) * 0.5;
	}
	for (i = 0; i < hk; i++)
		dd[i] = (tm_uniform(t) * 2 - 1) * 0.5;
	tm_quantize(t, &d->a_re, ar, hk, modes, 12, false, true);
	tm_quantize(t, &d->a_im, ai, hk, modes, 12, false, true);
	tm_quantize(t, &d->b_re, br, hk, modes, 8, false, false);
	tm_quantize(t, &d->b_im, bi, hk, modes, 8, false, false);
	tm_quantize(t, &d->c_re, cr, hk, modes, 8, false, false);
	tm_quantize(t, &d->c_im, ci, hk, modes, 8, false, false);
	tm_quantize(t, &d->d, dd, hk, 1, 8, false, true);
	d->log_step = tm_alloc(t, sizeof(float) * hk);
}

static inline struct testmodel *testmodel_new(unsigned seed, uint32_t d_input,
					      uint32_t hk, uint32_t n_layers,
					      uint32_t modes, uint32_t n_classes)
{
	struct testmodel *t = calloc(1, sizeof(*t));
	struct aimc_ssm *m = &t->m;
	uint32_t l, c;
	char *names = tm_alloc(t, 32 * n_layers);

	t->rng = seed * 2654435761u + 1;
	m->path = "testmodel";
	m->format_version = 1;
	m->d_input = d_input;
	m->d_model = hk;
	m->d_state = modes;
	m->n_layers = n_layers;
	m->n_classes = n_classes;
	m->hk = hk;
	m->kept_channels = tm_alloc(t, sizeof(uint32_t) * hk);
	for (c = 0; c < hk; c++)
		m->kept_channels[c] = c;
	m->quantized = true;
	m->dac_bits = 8;
	m->adc_bits = 8;
	tm_linear(t, &m->encoder, "encoder", hk, d_input, 2.0, false);
	m->layers = tm_alloc(t, sizeof(*m->layers) * n_layers);
	for (l = 0; l < n_layers; l++) {
		struct aimc_ssm_layer *L = &m->layers[l];

		tm_ssm(t, &L->ssm, hk, modes - (l % 2) * modes / 4);
		snprintf(names + 32 * l, 32, "layers.%u.mix", l);
		tm_linear(t, &L->mix, names + 32 * l, 2 * hk, hk, 3.0, l % 2);
		L->norm_scale = tm_alloc(t, sizeof(float) * hk);
		L->norm_shift = tm_alloc(t, sizeof(float) * hk);
		for (c = 0; c < hk; c++) {
			L->norm_scale[c] = (float)(0.6 + 0.6 * tm_uniform(t));
			L->norm_shift[c] = (float)((tm_uniform(t) * 2 - 1) * 0.1);
		}
	}
	tm_linear(t, &m->decoder, "decoder", n_classes, hk, 2.0, false);
	return t;
}

static inline void testmodel_free(struct testmodel *t)
{
	unsigned i;

	for (i = 0; i < t->n_blocks; i++)
		free(t->blocks[i]);
	free(t);
}

#endif /* AIMC_DIAG_SYNTH_MODEL_H */
