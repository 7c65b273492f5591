// SPDX-License-Identifier: MIT
/*
 * aimc-trace: where does a quantized model lose accuracy on the card?
 * Runs the float reference (runtime/ref_float.c, model-format.md section
 * 4) and the integer reference (runtime/ref_int.c, which the noise-free
 * card equals bit for bit) side by side over a labelled input file and
 * prints, per stage of docs/integer-inference.md section 4, the relative
 * RMS error of the integer path against the float one, the largest float
 * magnitude and how many integer values hit a saturation rail; then both
 * accuracies.  A diagnostic, built statically against libaimc's internals
 * and not installed.
 *
 *   aimc-trace MODEL --input FILE [--limit N] [--quiet]
 *
 * Input: aimc-run's format (`LABEL: v v v ...`, one sequence per line).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"
#include "../compile.h"
#include "../stream_internal.h"

struct stage_stats {
	double err2, ref2, max_ref, max_err;
	uint64_t n;
};

static void accumulate(struct stage_stats *st, const struct aimc_trace *ti,
		       const struct aimc_trace *tf, uint32_t stage, uint32_t len)
{
	const double *vi = ti->val + (size_t)stage * ti->width;
	const double *vf = tf->val + (size_t)stage * tf->width;
	uint32_t i;

	for (i = 0; i < len; i++) {
		double e = vi[i] - vf[i];

		st[stage].err2 += e * e;
		st[stage].ref2 += vf[i] * vf[i];
		st[stage].max_ref = fmax(st[stage].max_ref, fabs(vf[i]));
		st[stage].max_err = fmax(st[stage].max_err, fabs(e));
		st[stage].n++;
	}
}

static uint32_t stage_len(const struct aimc_trace *t, uint32_t stage)
{
	return stage == AIMC_TRACE_LOGITS ? t->n_classes : t->hk;
}

static uint32_t argmax_d(const double *v, uint32_t n)
{
	uint32_t i, best = 0;

	for (i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

static uint32_t argmax_i(const int32_t *v, uint32_t n)
{
	uint32_t i, best = 0;

	for (i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *input = NULL;
	unsigned long limit = ~0ul, seqs = 0, ok_f = 0, ok_i = 0, agree = 0;
	struct aimc_trace *ti = NULL, *tf = NULL;
	struct aimc_ref_float *rf = NULL;
	struct aimc_ref_int *ri = NULL;
	struct aimc_sim_options o;
	struct aimc_device *dev;
	struct aimc_ssm *model;
	struct aimc_net *net;
	struct stage_stats *st;
	char *line = NULL, name[40];
	size_t cap = 0, vcap = 0;
	float *vals = NULL;
	double *hf, *lf;
	int32_t *hi, *li;
	int8_t *xq;
	FILE *in;
	uint32_t s;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "i:l:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': input = optarg; break;
		case 'l': limit = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(opt == 'h' ? stdout : stderr,
				"usage: aimc-trace MODEL --input FILE [--limit N]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1 || !input) {
		fprintf(stderr, "usage: aimc-trace MODEL --input FILE [--limit N]\n");
		return 2;
	}
	memset(&o, 0, sizeof(o));
	o.seed = 1;
	o.flags = AIMC_SIM_NOISE_FREE;
	ret = aimc_ssm_load(argv[optind], &model);
	if (!ret)
		ret = aimc_device_open_sim(&o, &dev);
	/* the net gives the placement and calibration the card would use */
	if (!ret)
		ret = aimc_net_create(dev, model, aimc_ssm_free, AIMC_NET_NO_PROGRAM,
				      &net);
	if (!ret)
		ret = aimc_ref_int_create(net->im, &ri) ?:
		      aimc_ref_float_create(model, &rf) ?:
		      aimc_trace_create(model, &ti) ?: aimc_trace_create(model, &tf);
	if (ret) {
		fprintf(stderr, "aimc-trace: %s\n", aimc_last_error());
		return 1;
	}
	aimc_ref_int_set_trace(ri, ti);
	aimc_ref_float_set_trace(rf, tf);
	st = calloc(ti->n_stages, sizeof(*st));
	hf = calloc(model->hk, sizeof(double));
	hi = calloc(model->hk, sizeof(int32_t));
	lf = calloc(model->n_classes, sizeof(double));
	li = calloc(model->n_classes, sizeof(int32_t));
	xq = calloc(model->d_input, 1);
	in = fopen(input, "r");
	if (!in) {
		fprintf(stderr, "aimc-trace: %s: %s\n", input, strerror(errno));
		return 1;
	}
	while (seqs < limit && getline(&line, &cap, in) >= 0) {
		char *colon = strchr(line, ':'), *p, *end;
		size_t n = 0, t;
		long label;

		if (line[0] == '#' || !colon)
			continue;
		label = strtol(line, NULL, 10);
		for (p = colon + 1;; p = end) {
			float v = strtof(p, &end);

			if (end == p)
				break;
			if (n == vcap) {
				vcap = vcap ? 2 * vcap : 1024;
				vals = realloc(vals, vcap * sizeof(float));
			}
			vals[n++] = v;
		}
		aimc_ref_int_reset(ri);
		aimc_ref_float_reset(rf);
		for (t = 0; t + model->d_input <= n; t += model->d_input) {
			if (aimc_int_quantize_input(net->im, vals + t, xq)) {
				fprintf(stderr, "aimc-trace: %s\n", aimc_last_error());
				return 1;
			}
			aimc_ref_int_step(ri, xq, hi);
			aimc_ref_float_step(rf, vals + t, hf);
			accumulate(st, ti, tf, AIMC_TRACE_ENC, model->hk);
			for (s = AIMC_TRACE_GLOBALS; s < ti->n_stages; s++)
				accumulate(st, ti, tf, s, model->hk);
		}
		aimc_ref_int_finish(ri, li);
		aimc_ref_float_finish(rf, lf);
		for (s = AIMC_TRACE_POOL; s <= AIMC_TRACE_LOGITS; s++)
			accumulate(st, ti, tf, s, stage_len(ti, s));
		ok_f += argmax_d(lf, model->n_classes) == (uint32_t)label;
		ok_i += argmax_i(li, model->n_classes) == (uint32_t)label;
		agree += argmax_d(lf, model->n_classes) == argmax_i(li, model->n_classes);
		seqs++;
	}
	fclose(in);
	printf("%-22s %10s %10s %10s %12s %8s\n", "stage", "rel RMS", "max|float|",
	       "max err", "saturated", "%");
	{
		uint32_t order[512], n_order = 0;

		order[n_order++] = AIMC_TRACE_ENC;
		for (s = AIMC_TRACE_GLOBALS; s < ti->n_stages && n_order < 508; s++)
			order[n_order++] = s;
		order[n_order++] = AIMC_TRACE_POOL;
		order[n_order++] = AIMC_TRACE_DEC_IN;
		order[n_order++] = AIMC_TRACE_LOGITS;
		for (s = 0; s < n_order; s++) {
			const struct stage_stats *x = &st[order[s]];

			aimc_trace_stage_name(ti, order[s], name, sizeof(name));
			printf("%-22s %10.4f %10.3f %10.3f %12llu %8.3f\n", name,
			       x->ref2 > 0 ? sqrt(x->err2 / x->ref2) : 0.0, x->max_ref,
			       x->max_err, (unsigned long long)ti->sat[order[s]],
			       ti->count[order[s]] ?
			       100.0 * ti->sat[order[s]] / ti->count[order[s]] : 0.0);
		}
	}
	printf("sequences %lu: float reference accuracy %.1f %%, integer reference %.1f %%, same prediction %.1f %%\n",
	       seqs, seqs ? 100.0 * ok_f / seqs : 0.0, seqs ? 100.0 * ok_i / seqs : 0.0,
	       seqs ? 100.0 * agree / seqs : 0.0);
	aimc_ref_int_free(ri);
	aimc_ref_float_free(rf);
	aimc_trace_free(ti);
	aimc_trace_free(tf);
	aimc_net_close(net);
	aimc_device_close(dev);
	free(st);
	free(hf);
	free(hi);
	free(lf);
	free(li);
	free(xq);
	free(vals);
	free(line);
	return 0;
}
