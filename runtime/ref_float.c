// SPDX-License-Identifier: MIT
/*
 * The float reference: the forward pass of model-format.md section 4 in
 * double precision, step by step, what a user would run on a CPU instead
 * of the card.  A quantized model is dequantized (code * scale) and its
 * DAC/ADC quantization applied with round half to even, as the Python
 * reference (tools/qat/aimc_qat/modelfile.py, forward) does.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "internal.h"

struct aimc_ref_float {
	const struct aimc_ssm *m;
	double *sr, *si;	/* per layer: Hk x Nk, concatenated */
	double *pool;
	uint64_t count;
	double *buf;		/* scratch: 4 Hk + max(I, K) */
	struct aimc_trace *trace;	/* NULL: not tracing */
};

void aimc_ref_float_set_trace(struct aimc_ref_float *r, struct aimc_trace *t)
{
	r->trace = t;
}

static double tensor_value(const struct aimc_ssm_tensor *t, uint32_t r,
			   uint32_t c)
{
	size_t i = (size_t)r * t->cols + c;

	if (t->values)
		return t->values[i];
	return (double)t->codes[i] * (double)t->scale[t->per_tensor ? 0 : r];
}

static double quant(double x, double s, uint32_t bits)
{
	double hi = (double)((1 << (bits - 1)) - 1);

	return s * fmin(hi, fmax(-hi, rint(x / s)));
}

/* crossbar(P, x) of section 4 */
static void crossbar(const struct aimc_ssm *m, const struct aimc_ssm_linear *p,
		     const double *x, double *y)
{
	uint32_t rows = p->weight.rows, cols = p->weight.cols, i, j;

	for (j = 0; j < rows; j++) {
		double acc = 0;

		for (i = 0; i < cols; i++) {
			double xi = m->quantized ? quant(x[i], p->dac_scale,
							 m->dac_bits) : x[i];

			acc += tensor_value(&p->weight, j, i) * xi;
		}
		if (m->quantized)
			acc = quant(acc, p->adc_scale[j], m->adc_bits);
		y[j] = acc + p->bias[j];
	}
}

static size_t state_len(const struct aimc_ssm *m)
{
	size_t n = 0;
	uint32_t l;

	for (l = 0; l < m->n_layers; l++)
		n += (size_t)m->hk * m->layers[l].ssm.n_modes;
	return n;
}

int aimc_ref_float_create(const struct aimc_ssm *model,
			  struct aimc_ref_float **out)
{
	struct aimc_ref_float *r = calloc(1, sizeof(*r));
	size_t n = state_len(model);
	uint32_t io = model->d_input > model->n_classes ? model->d_input :
		      model->n_classes;

	if (r) {
		r->m = model;
		r->sr = calloc(n, sizeof(double));
		r->si = calloc(n, sizeof(double));
		r->pool = calloc(model->hk, sizeof(double));
		r->buf = calloc(4 * (size_t)model->hk + io, sizeof(double));
	}
	if (!r || !r->sr || !r->si || !r->pool || !r->buf) {
		aimc_ref_float_free(r);
		return aimc_set_error(-ENOMEM, "out of memory");
	}
	*out = r;
	return 0;
}

void aimc_ref_float_free(struct aimc_ref_float *r)
{
	if (!r)
		return;
	free(r->sr);
	free(r->si);
	free(r->pool);
	free(r->buf);
	free(r);
}

void aimc_ref_float_reset(struct aimc_ref_float *r)
{
	size_t n = state_len(r->m);

	memset(r->sr, 0, n * sizeof(double));
	memset(r->si, 0, n * sizeof(double));
	memset(r->pool, 0, r->m->hk * sizeof(double));
	r->count = 0;
}

static double gelu(double x)
{
	return x * 0.5 * (1.0 + erf(x / sqrt(2.0)));
}

void aimc_ref_float_step(struct aimc_ref_float *r, const float *u, double *h)
{
	const struct aimc_ssm *m = r->m;
	uint32_t hk = m->hk, l, c, n;
	double *x = r->buf, *y = x + m->d_input, *z = y + hk;
	double *sr = r->sr, *si = r->si;

	for (c = 0; c < m->d_input; c++)
		x[c] = u[c];
	crossbar(m, &m->encoder, x, h);
	for (c = 0; c < hk; c++)
		aimc_trace_put(r->trace, AIMC_TRACE_ENC, c, h[c], false);
	for (l = 0; l < m->n_layers; l++) {
		const struct aimc_ssm_layer *L = &m->layers[l];
		const struct aimc_ssm_diag *d = &L->ssm;

		for (c = 0; c < hk; c++) {
			double acc = 0;

			for (n = 0; n < d->n_modes; n++) {
				size_t k = (size_t)c * d->n_modes + n;
				double ar = tensor_value(&d->a_re, c, n);
				double ai = tensor_value(&d->a_im, c, n);
				double xr = sr[k], xi = si[k];

				sr[k] = ar * xr - ai * xi +
					tensor_value(&d->b_re, c, n) * h[c];
				si[k] = ar * xi + ai * xr +
					tensor_value(&d->b_im, c, n) * h[c];
				acc += tensor_value(&d->c_re, c, n) * sr[k] -
				       tensor_value(&d->c_im, c, n) * si[k];
			}
			acc = 2.0 * acc + tensor_value(&d->d, c, 0) * h[c];
			y[c] = gelu(acc);
			aimc_trace_put(r->trace, aimc_trace_stage(l, AIMC_TRACE_SSM_IN),
				       c, h[c], false);
			aimc_trace_put(r->trace, aimc_trace_stage(l, AIMC_TRACE_SSM_Y),
				       c, acc, false);
			aimc_trace_put(r->trace, aimc_trace_stage(l, AIMC_TRACE_GELU),
				       c, y[c], false);
			aimc_trace_put(r->trace, aimc_trace_stage(l, AIMC_TRACE_MIX_IN),
				       c, m->quantized ? quant(y[c], L->mix.dac_scale,
							       m->dac_bits) : y[c],
				       false);
		}
		crossbar(m, &L->mix, y, z);
		for (c = 0; c < hk; c++) {
			double sg = 1.0 / (1.0 + exp(-z[hk + c]));
			double g = z[c] * sg;

			aimc_trace_put(r->trace, aimc_trace_stage(l, AIMC_TRACE_GLU_A),
				       c, z[c], false);
			aimc_trace_put(r->trace, aimc_trace_stage(l, AIMC_TRACE_GLU_B),
				       c, z[hk + c], false);
			aimc_trace_put(r->trace, aimc_trace_stage(l, AIMC_TRACE_GATE),
				       c, sg, false);
			aimc_trace_put(r->trace, aimc_trace_stage(l, AIMC_TRACE_GLU),
				       c, g, false);
			aimc_trace_put(r->trace, aimc_trace_stage(l, AIMC_TRACE_RESID),
				       c, h[c] + g, false);
			h[c] = (h[c] + g) * L->norm_scale[c] + L->norm_shift[c];
			aimc_trace_put(r->trace, aimc_trace_stage(l, AIMC_TRACE_NORM),
				       c, h[c], false);
		}
		sr += (size_t)hk * d->n_modes;
		si += (size_t)hk * d->n_modes;
	}
	for (c = 0; c < hk; c++)
		r->pool[c] += h[c];
	r->count++;
}

void aimc_ref_float_finish(struct aimc_ref_float *r, double *logits)
{
	const struct aimc_ssm *m = r->m;
	double *mean = r->buf;
	uint32_t c;

	for (c = 0; c < m->hk; c++) {
		mean[c] = r->count ? r->pool[c] / (double)r->count : 0;
		aimc_trace_put(r->trace, AIMC_TRACE_POOL, c, mean[c], false);
		aimc_trace_put(r->trace, AIMC_TRACE_DEC_IN, c,
			       m->quantized ? quant(mean[c], m->decoder.dac_scale,
						    m->dac_bits) : mean[c], false);
	}
	crossbar(m, &m->decoder, mean, logits);
	for (c = 0; c < m->n_classes; c++)
		aimc_trace_put(r->trace, AIMC_TRACE_LOGITS, c, logits[c], false);
	memset(r->pool, 0, m->hk * sizeof(double));
	r->count = 0;
}
