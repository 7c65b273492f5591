/* SPDX-License-Identifier: MIT */
/*
 * libaimc internal: an S4D-style model as loaded from an aimc-ssm file
 * (runtime/docs/model-format.md).  The loader (model_file.c) fills it
 * after checking every rule of the format; the mapper, the programmer,
 * the compiler and the two C references read it.  Not installed.
 *
 * Everything is stored as the file holds it (codes and scales for a
 * quantized model, floats for a float model), with the pruned sizes:
 * row i of a tensor is original channel kept_channels[i].
 */
#ifndef AIMC_SSM_H
#define AIMC_SSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AIMC_SSM_MAX_LAYERS	64

/*
 * A tensor of the file, [rows, cols] (a vector has cols = 1).  Exactly
 * one of codes (quantized) or values (float) is set.
 */
struct aimc_ssm_tensor {
	uint32_t rows;
	uint32_t cols;
	bool ternary;		/* codes in {-1, 0, 1} */
	uint32_t bits;		/* code width, 0 for a float tensor */
	int16_t *codes;		/* rows * cols, row-major */
	float *scale;		/* rows entries, or 1 if per_tensor */
	bool per_tensor;	/* scale has one entry */
	float *values;		/* rows * cols, float model */
};

/* A crossbar matrix product W x + bias, W = weight [rows, cols]. */
struct aimc_ssm_linear {
	const char *name;	/* "encoder", "layers.2.mix", "decoder" */
	struct aimc_ssm_tensor weight;
	float *bias;		/* rows */
	float dac_scale;	/* quantized: input step; 0 for float */
	float *adc_scale;	/* quantized: rows output steps; NULL for float */
};

/* One diagonal SSM: Hk channels of n_modes complex modes each. */
struct aimc_ssm_diag {
	uint32_t n_modes;	/* Nk[l] */
	uint32_t *kept_modes;	/* n_modes original mode indices */
	struct aimc_ssm_tensor a_re, a_im;	/* [Hk, n_modes] */
	struct aimc_ssm_tensor b_re, b_im;
	struct aimc_ssm_tensor c_re, c_im;
	struct aimc_ssm_tensor d;		/* [Hk], per tensor */
	float *log_step;			/* [Hk], informational */
};

struct aimc_ssm_layer {
	struct aimc_ssm_diag ssm;
	struct aimc_ssm_linear mix;	/* [2Hk, Hk]: value rows, then gate rows */
	float *norm_scale;		/* [Hk] */
	float *norm_shift;		/* [Hk] */
};

struct aimc_ssm {
	char *path;			/* for messages */
	uint32_t format_version;
	uint32_t d_input;		/* I */
	uint32_t d_model;		/* unpruned H */
	uint32_t d_state;		/* unpruned N */
	uint32_t n_layers;
	uint32_t n_classes;		/* K */
	uint32_t hk;			/* kept channels */
	uint32_t *kept_channels;	/* hk original channel indices */
	bool quantized;
	uint32_t dac_bits;		/* quantized only */
	uint32_t adc_bits;
	struct aimc_ssm_linear encoder;	/* [Hk, I] */
	struct aimc_ssm_layer *layers;	/* n_layers */
	struct aimc_ssm_linear decoder;	/* [K, Hk] */
	char *provenance;		/* JSON text, may be NULL */
};

/*
 * Load and check @path.  Returns 0 and a model in *out, or a negative
 * errno with aimc_last_error() naming the file, the tensor and the
 * reason: -ENOENT/-EACCES (open), -EINVAL (malformed), -EPROTONOSUPPORT
 * (unknown format version), -EOVERFLOW (a size overflows), -ENOMEM.
 */
int aimc_ssm_load(const char *path, struct aimc_ssm **out);

/* The same from memory (@name is used in messages). */
int aimc_ssm_load_buffer(const void *data, size_t size, const char *name,
			 struct aimc_ssm **out);

/* Free a loaded model; NULL is ignored. */
void aimc_ssm_free(struct aimc_ssm *model);

/* Real value of element [r][c] of a tensor (code * scale, or the float). */
static inline float aimc_ssm_value(const struct aimc_ssm_tensor *t, uint32_t r,
				   uint32_t c)
{
	uint32_t i = r * t->cols + c;

	if (t->values)
		return t->values[i];
	return (float)t->codes[i] * t->scale[t->per_tensor ? 0 : r];
}

#endif /* AIMC_SSM_H */
