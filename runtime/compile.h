/* SPDX-License-Identifier: MIT */
/*
 * libaimc internal: the integer inference contract (docs/integer-inference.md)
 * in data form, the compiler from it to card programs, and the two C
 * references.  Not installed.
 *
 * Flow: a loaded quantized model (ssm.h) plus where each crossbar sits on
 * the card and how it is calibrated (struct aimc_placement, taken from the
 * net's deployment, net.c) -> aimc_int_model_build() computes every
 * integer constant once (section 4 of the contract) -> aimc_compile() packs
 * them into EXEC programs, and ref_int.c runs the same constants on the CPU.
 */
#ifndef AIMC_COMPILE_H
#define AIMC_COMPILE_H

#include <stdbool.h>
#include <stdint.h>

#include "ssm.h"

#define AIMC_INT_MAX_HK		128	/* 2 Hk mix outputs in one register */
#define AIMC_INT_MAX_IO		256	/* d_input, n_classes */
#define AIMC_INT_MAX_MODES	64	/* one SSM micro-op per layer */

/* Q formats of the contract, section 1 */
#define AIMC_INT_H_FRAC		16
#define AIMC_INT_U_FRAC		8
#define AIMC_INT_Y_FRAC		20
#define AIMC_INT_GATE_FRAC	4
/*
 * The SSM state format assumes a mode forgets within 2^8 steps at the
 * latest (1 - |A| is floored at 2^-8): modes with |A| closer to 1 (or
 * above, after quantization) can saturate their state on a long
 * constant input instead of losing every bit of B (contract 4.2).
 */
#define AIMC_INT_HORIZON_LOG2	8

/* Where one crossbar sits and how its ADC is calibrated (contract 3). */
struct aimc_xbar_calib {
	uint32_t tile;
	uint32_t row0;		/* input i is tile row row0 + i */
	uint32_t col0;		/* output j is physical columns col0 + 2j, +1 */
	uint32_t unit_nsiemens;	/* conductance of one weight code */
	uint32_t shift;		/* MVM micro-op ADC shift */
	uint16_t gain[AIMC_INT_MAX_IO];	/* Q14 per output: the card's register */
	/*
	 * The gain this crossbar wants (canonical calibration); differs from
	 * gain[] only where the mapper had to stack crossbars in the same
	 * columns, which share one register: the digital affine after the
	 * MVM makes up the ratio (contract section 3).
	 */
	uint16_t canon[AIMC_INT_MAX_IO];
};

struct aimc_placement {
	struct aimc_xbar_calib encoder;
	struct aimc_xbar_calib decoder;
	struct aimc_xbar_calib *mix;	/* n_layers */
};

/* REQUANT multiplier, or AFFINE into Q16 (contract 4). */
struct aimc_int_mult {
	int32_t m;
	uint32_t shift;
};

struct aimc_int_affine {
	uint32_t len;
	uint32_t shift;
	int32_t *gamma;
	int32_t *beta;
};

struct aimc_int_layer {
	uint32_t modes;
	int32_t *ssm_consts;	/* SSM micro-op layout: Hk x modes x 6, then Hk D */
	int32_t *state_exp;	/* e[c], Hk: informational */
	struct aimc_int_mult mix_in;
	struct aimc_int_affine glu;	/* 2 Hk */
	struct aimc_int_affine norm;	/* Hk */
	const struct aimc_ssm_linear *mix;
	struct aimc_xbar_calib mix_cal;
};

struct aimc_int_model {
	const struct aimc_ssm *model;
	uint32_t hk, d_input, n_classes, n_layers, dac_bits, adc_bits;
	double enc_dac_scale;
	struct aimc_xbar_calib enc_cal, dec_cal;
	struct aimc_int_affine enc_aff, dec_aff;
	struct aimc_int_mult dec_in;
	struct aimc_int_layer *layers;
	uint32_t state_words;	/* all layers: 2 Hk Nk summed */
};

/*
 * Every integer constant of @model on the placement @pl.  0, -EINVAL
 * (float model), -ENOSPC (past a card or compiler limit), -ERANGE (a constant does not
 * fit), -ENOMEM; aimc_last_error() says which tensor.
 */
int aimc_int_model_build(const struct aimc_ssm *model,
			 const struct aimc_placement *pl,
			 struct aimc_int_model **out);
void aimc_int_model_free(struct aimc_int_model *im);

/* Input quantization (contract 2): 0, or -EINVAL for NaN/inf. */
int aimc_int_quantize_input(const struct aimc_int_model *im, const float *v,
			    int8_t *xq);

/* ---- card programs (compile.c) ---- */

struct aimc_segment {
	uint8_t *image;		/* program image */
	uint32_t len;
	uint32_t slot_index;	/* which of the stream's slots */
	uint16_t in_stride;	/* bytes per step */
	uint16_t out_stride;
	uint32_t first_layer, n_layers;
	uint32_t n_uops;
};

struct aimc_program_set {
	uint32_t n_segments;
	struct aimc_segment *seg;
	struct aimc_segment decoder;	/* one step, on the last slot */
	uint32_t n_slots;
	uint32_t mvms_per_step;
};

int aimc_compile(const struct aimc_int_model *im,
		 struct aimc_program_set **out);

/*
 * The digital baseline's energy (baseline.c): one step of the compiled
 * segments, and the decoder once per sequence, in femtojoules.
 */
void aimc_baseline_energy(const struct aimc_program_set *ps, uint64_t *per_step_fj,
			  uint64_t *per_sequence_fj);
void aimc_program_set_free(struct aimc_program_set *ps);

/* ---- integer reference (ref_int.c) ---- */

struct aimc_ref_int;

int aimc_ref_int_create(const struct aimc_int_model *im,
			struct aimc_ref_int **out);
void aimc_ref_int_free(struct aimc_ref_int *r);
void aimc_ref_int_reset(struct aimc_ref_int *r);
/* One step: DAC codes in (d_input), h out (Hk, Q16). */
void aimc_ref_int_step(struct aimc_ref_int *r, const int8_t *xq, int32_t *h);
/* End of sequence: logits (K, Q16); clears the pool, keeps the state. */
void aimc_ref_int_finish(struct aimc_ref_int *r, int32_t *logits);

/*
 * ---- per-stage trace of the two references (trace.c), for diagnostics ----
 *
 * With a trace attached, every step of a reference writes the real value
 * of each stage of the contract (section 4) into the trace, and the
 * integer reference counts the values that hit a saturation rail (ADC,
 * REQUANT, sat32) at that stage.  runtime/diag/aimc-trace compares the two
 * stage by stage; the tests bound the per-stage error.
 */
enum aimc_trace_global {
	AIMC_TRACE_ENC,		/* h after the encoder */
	AIMC_TRACE_POOL,	/* pooled mean (finish) */
	AIMC_TRACE_DEC_IN,	/* decoder DAC input (finish) */
	AIMC_TRACE_LOGITS,	/* finish */
	AIMC_TRACE_GLOBALS
};

enum aimc_trace_layer {
	AIMC_TRACE_SSM_IN,	/* u */
	AIMC_TRACE_SSM_Y,	/* y, before GELU */
	AIMC_TRACE_GELU,	/* GELU out (sat: GELU table input) */
	AIMC_TRACE_MIX_IN,	/* mix DAC input (sat: DAC code) */
	AIMC_TRACE_GLU_A,	/* value half, bias added (sat: ADC) */
	AIMC_TRACE_GLU_B,	/* gate half, bias added (sat: ADC) */
	AIMC_TRACE_GATE,	/* sigmoid(gate) (sat: gate table input) */
	AIMC_TRACE_GLU,		/* a sigmoid(b) */
	AIMC_TRACE_RESID,	/* h + g, before the norm */
	AIMC_TRACE_NORM,	/* h after the norm: the layer's output */
	AIMC_TRACE_PER_LAYER
};

struct aimc_trace {
	uint32_t n_layers, hk, n_classes, width, n_stages;
	double *val;		/* n_stages x width: last value of each stage */
	uint64_t *sat;		/* n_stages: saturated values, cumulative */
	uint64_t *count;	/* n_stages: values written, cumulative */
};

static inline uint32_t aimc_trace_stage(uint32_t layer, enum aimc_trace_layer s)
{
	return AIMC_TRACE_GLOBALS + layer * AIMC_TRACE_PER_LAYER + s;
}

int aimc_trace_create(const struct aimc_ssm *model, struct aimc_trace **out);
void aimc_trace_free(struct aimc_trace *t);
/* "enc", "L1.ssm_y", ... into @buf */
void aimc_trace_stage_name(const struct aimc_trace *t, uint32_t stage,
			   char *buf, size_t size);
/* Record value @v of element @i of @stage; @saturated counts a rail hit */
static inline void aimc_trace_put(struct aimc_trace *t, uint32_t stage,
				  uint32_t i, double v, bool saturated)
{
	if (!t)
		return;
	t->val[(size_t)stage * t->width + i] = v;
	t->count[stage]++;
	t->sat[stage] += saturated;
}

/* Attach a trace (NULL detaches); the trace must outlive the reference. */
void aimc_ref_int_set_trace(struct aimc_ref_int *r, struct aimc_trace *t);

/* ---- float reference (ref_float.c), model-format.md section 4 ---- */

struct aimc_ref_float;

int aimc_ref_float_create(const struct aimc_ssm *model,
			  struct aimc_ref_float **out);
void aimc_ref_float_free(struct aimc_ref_float *r);
void aimc_ref_float_reset(struct aimc_ref_float *r);
void aimc_ref_float_step(struct aimc_ref_float *r, const float *u, double *h);
void aimc_ref_float_finish(struct aimc_ref_float *r, double *logits);
void aimc_ref_float_set_trace(struct aimc_ref_float *r, struct aimc_trace *t);

#endif /* AIMC_COMPILE_H */
