/* SPDX-License-Identifier: MIT */
/*
 * Test helper: writes aimc-ssm model files (runtime/docs/model-format.md)
 * in memory.  sw_build() makes a valid model from a small spec as a
 * json-c header tree plus a data section; a test then breaks exactly one
 * thing (edit a JSON node, a metadata object, a byte of a tensor) and
 * sw_serialize() turns it into the file bytes.  Header-only: host and
 * guest suites include it.
 */
#ifndef SSM_WRITER_H
#define SSM_WRITER_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#define SW_MAX_LAYERS	8

struct sw_spec {
	uint32_t d_input, d_model, d_state, n_layers, n_classes;
	/* kept channels: every keep_every-th of d_model (1: unpruned) */
	uint32_t keep_every;
	uint32_t modes_kept[SW_MAX_LAYERS];	/* 0: all d_state */
	bool quantized;
	uint32_t xbar_bits;	/* 2..8 int codes; 0 ternary */
	uint32_t zero_permille;	/* share of zero weight codes */
	uint32_t seed;
	/* |A| < 1 as in a trained model (the compiler refuses |A| >= 2) */
	bool stable_a;
};

struct sw_model {
	struct json_object *header;	/* tensor entries only */
	struct json_object *meta;	/* format, format_version, provenance */
	struct json_object *config, *quant, *pruning; /* NULL: key left out */
	uint8_t *data;
	size_t len, cap;
	uint32_t hk;
	uint32_t nk[SW_MAX_LAYERS];
};

static inline uint32_t sw_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static inline void sw_append(struct sw_model *m, const void *p, size_t n)
{
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2 + 256;
		m->data = realloc(m->data, m->cap);
	}
	memcpy(m->data + m->len, p, n);
	m->len += n;
}

static inline struct json_object *sw_int_array(const int64_t *v, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_int64(v[i]));
	return a;
}

/* Add a tensor entry [rows] (cols == 0) or [rows, cols] and its bytes. */
static inline void sw_tensor(struct sw_model *m, const char *name,
			     const char *dtype, uint32_t rows, uint32_t cols,
			     const void *bytes, size_t n)
{
	struct json_object *e = json_object_new_object();
	int64_t shape[2] = { rows, cols };
	int64_t offs[2] = { (int64_t)m->len, (int64_t)(m->len + n) };

	json_object_object_add(e, "dtype", json_object_new_string(dtype));
	json_object_object_add(e, "shape", sw_int_array(shape, cols ? 2 : 1));
	json_object_object_add(e, "data_offsets", sw_int_array(offs, 2));
	json_object_object_add(m->header, name, e);
	sw_append(m, bytes, n);
}

static inline void sw_floats(struct sw_model *m, const char *name,
			     uint32_t rows, uint32_t cols, float lo, float hi,
			     uint32_t *seed)
{
	uint32_t n = rows * (cols ? cols : 1), i;
	float *v = malloc(n * sizeof(*v));

	for (i = 0; i < n; i++)
		v[i] = lo + (hi - lo) * (float)(sw_rand(seed) % 10000) / 10000.0f;
	sw_tensor(m, name, "F32", rows, cols, v, n * sizeof(*v));
	free(v);
}

/* A quantized tensor: codes, its quantization entry and its scale. */
static inline void sw_quant(struct sw_model *m, const char *name,
			    uint32_t rows, uint32_t cols, uint32_t bits,
			    bool ternary, bool per_tensor,
			    uint32_t zero_permille, float scale_lo,
			    float scale_hi, uint32_t *seed)
{
	struct json_object *e = json_object_new_object();
	uint32_t n = rows * (cols ? cols : 1), i;
	int32_t lo = ternary ? -1 : -(1 << (bits - 1));
	int32_t hi = ternary ? 1 : (1 << (bits - 1)) - 1;
	char scale[128];

	if (bits <= 8) {
		int8_t *c = malloc(n);

		for (i = 0; i < n; i++)
			c[i] = sw_rand(seed) % 1000 < zero_permille ? 0 :
			       (int8_t)(lo + (int32_t)(sw_rand(seed) % (uint32_t)(hi - lo + 1)));
		sw_tensor(m, name, "I8", rows, cols, c, n);
		free(c);
	} else {
		int16_t *c = malloc(2 * n);

		for (i = 0; i < n; i++)
			c[i] = (int16_t)(lo + (int32_t)(sw_rand(seed) % (uint32_t)(hi - lo + 1)));
		sw_tensor(m, name, "I16", rows, cols, c, 2 * n);
		free(c);
	}
	snprintf(scale, sizeof(scale), "%s_scale", name);
	json_object_object_add(e, "scheme", json_object_new_string(ternary ? "ternary" : "int"));
	json_object_object_add(e, "bits", json_object_new_int(ternary ? 2 : (int)bits));
	json_object_object_add(e, "qmin", json_object_new_int(lo));
	json_object_object_add(e, "qmax", json_object_new_int(hi));
	json_object_object_add(e, "granularity",
			       json_object_new_string(per_tensor ? "per_tensor" :
						      "per_output_channel"));
	json_object_object_add(e, "zero_point", json_object_new_int(0));
	json_object_object_add(e, "scale", json_object_new_string(scale));
	json_object_object_add(json_object_object_get(m->quant, "tensors"), name, e);
	sw_floats(m, scale, per_tensor ? 1 : rows, 0, scale_lo, scale_hi, seed);
}

/* A crossbar: weight, bias, and for a quantized model its DAC/ADC scales. */
static inline void sw_linear(struct sw_model *m, const struct sw_spec *s,
			     const char *prefix, uint32_t rows, uint32_t cols,
			     uint32_t *seed)
{
	char name[96];

	snprintf(name, sizeof(name), "%s.weight", prefix);
	if (s->quantized)
		sw_quant(m, name, rows, cols, s->xbar_bits ? s->xbar_bits : 2,
			 !s->xbar_bits, false, s->zero_permille, 0.01f, 0.1f,
			 seed);
	else
		sw_floats(m, name, rows, cols, -1, 1, seed);
	snprintf(name, sizeof(name), "%s.bias", prefix);
	sw_floats(m, name, rows, 0, -0.5f, 0.5f, seed);
	if (!s->quantized)
		return;
	snprintf(name, sizeof(name), "%s.dac_scale", prefix);
	sw_floats(m, name, 1, 0, 0.01f, 0.02f, seed);
	snprintf(name, sizeof(name), "%s.adc_scale", prefix);
	sw_floats(m, name, rows, 0, 0.05f, 0.1f, seed);
}

static inline void sw_build(struct sw_model *m, const struct sw_spec *s)
{
	static const char *const ssm_q[] = { "A_re", "A_im", "B_re", "B_im",
					     "C_re", "C_im" };
	uint32_t seed = s->seed ? s->seed : 1, keep = s->keep_every ? s->keep_every : 1;
	struct json_object *kept = json_object_new_array(), *modes = json_object_new_array();
	char name[96];
	uint32_t l, i;

	memset(m, 0, sizeof(*m));
	m->header = json_object_new_object();
	m->meta = json_object_new_object();
	m->config = json_object_new_object();
	m->quant = json_object_new_object();
	m->pruning = json_object_new_object();
	json_object_object_add(m->meta, "format", json_object_new_string("aimc-ssm"));
	json_object_object_add(m->meta, "format_version", json_object_new_string("1"));
	json_object_object_add(m->meta, "provenance",
			       json_object_new_string("{\"dataset\": \"ssm_writer\"}"));

	json_object_object_add(m->config, "arch", json_object_new_string("s4d"));
	json_object_object_add(m->config, "d_input", json_object_new_int((int)s->d_input));
	json_object_object_add(m->config, "d_model", json_object_new_int((int)s->d_model));
	json_object_object_add(m->config, "d_state", json_object_new_int((int)s->d_state));
	json_object_object_add(m->config, "n_layers", json_object_new_int((int)s->n_layers));
	json_object_object_add(m->config, "n_classes", json_object_new_int((int)s->n_classes));
	json_object_object_add(m->config, "activation", json_object_new_string("gelu"));
	json_object_object_add(m->config, "mix", json_object_new_string("glu"));
	json_object_object_add(m->config, "norm", json_object_new_string("affine"));
	json_object_object_add(m->config, "norm_position", json_object_new_string("post"));
	json_object_object_add(m->config, "pooling", json_object_new_string("mean"));
	json_object_object_add(m->config, "ssm_output", json_object_new_string("2re"));
	json_object_object_add(m->config, "discretization", json_object_new_string("zoh"));

	json_object_object_add(m->quant, "quantized", json_object_new_boolean(s->quantized));
	if (s->quantized) {
		json_object_object_add(m->quant, "dac_bits", json_object_new_int(8));
		json_object_object_add(m->quant, "adc_bits", json_object_new_int(8));
		json_object_object_add(m->quant, "noise_aware", NULL);
		json_object_object_add(m->quant, "tensors", json_object_new_object());
	}

	for (i = 0; i < s->d_model; i += keep) {
		json_object_array_add(kept, json_object_new_int((int)i));
		m->hk++;
	}
	for (l = 0; l < s->n_layers; l++) {
		struct json_object *lm = json_object_new_array();

		m->nk[l] = s->modes_kept[l] ? s->modes_kept[l] : s->d_state;
		for (i = 0; i < m->nk[l]; i++)
			json_object_array_add(lm, json_object_new_int((int)(i * s->d_state / m->nk[l])));
		json_object_array_add(modes, lm);
	}
	json_object_object_add(m->pruning, "kept_channels", kept);
	json_object_object_add(m->pruning, "kept_modes", modes);

	sw_linear(m, s, "encoder", m->hk, s->d_input, &seed);
	for (l = 0; l < s->n_layers; l++) {
		for (i = 0; i < 6; i++) {
			snprintf(name, sizeof(name), "layers.%u.ssm.%s", l, ssm_q[i]);
			if (s->quantized)
				sw_quant(m, name, m->hk, m->nk[l], 8, false, i < 2, 0,
					 s->stable_a && i < 2 ? 0.001f : 0.01f,
					 s->stable_a && i < 2 ? 0.005f : 0.1f, &seed);
			else
				sw_floats(m, name, m->hk, m->nk[l], -1, 1, &seed);
		}
		snprintf(name, sizeof(name), "layers.%u.ssm.D", l);
		if (s->quantized)
			sw_quant(m, name, m->hk, 0, 12, false, true, 0, 0.01f, 0.1f,
				 &seed);
		else
			sw_floats(m, name, m->hk, 0, -1, 1, &seed);
		snprintf(name, sizeof(name), "layers.%u.ssm.log_step", l);
		sw_floats(m, name, m->hk, 0, -6, -1, &seed);
		snprintf(name, sizeof(name), "layers.%u.mix", l);
		sw_linear(m, s, name, 2 * m->hk, m->hk, &seed);
		snprintf(name, sizeof(name), "layers.%u.norm.scale", l);
		sw_floats(m, name, m->hk, 0, 0.5f, 2, &seed);
		snprintf(name, sizeof(name), "layers.%u.norm.shift", l);
		sw_floats(m, name, m->hk, 0, -1, 1, &seed);
	}
	sw_linear(m, s, "decoder", s->n_classes, m->hk, &seed);
}

/* The bytes of tensor @name in the data section (NULL if absent). */
static inline uint8_t *sw_data(struct sw_model *m, const char *name)
{
	struct json_object *e = json_object_object_get(m->header, name);

	if (!e)
		return NULL;
	return m->data + json_object_get_int64(json_object_array_get_idx(
		json_object_object_get(e, "data_offsets"), 0));
}

/* The quantization entry of tensor @name. */
static inline struct json_object *sw_qentry(struct sw_model *m, const char *name)
{
	return json_object_object_get(json_object_object_get(m->quant, "tensors"), name);
}

/* The file: u64 header length, padded header JSON, data section. */
static inline uint8_t *sw_serialize(struct sw_model *m, size_t *size)
{
	struct json_object *hdr = json_object_get(m->header);
	struct json_object *meta = json_object_get(m->meta);
	struct json_object *parts[3] = { m->config, m->quant, m->pruning };
	static const char *const keys[3] = { "config", "quantization", "pruning" };
	const char *text;
	size_t n, pad, i;
	uint64_t len;
	uint8_t *buf;

	for (i = 0; i < 3; i++)
		if (parts[i])
			json_object_object_add(meta, keys[i], json_object_new_string(
				json_object_to_json_string_ext(parts[i], JSON_C_TO_STRING_PLAIN)));
	json_object_object_add(hdr, "__metadata__", meta);
	text = json_object_to_json_string_ext(hdr, JSON_C_TO_STRING_PLAIN);
	n = strlen(text);
	pad = (8 - (8 + n) % 8) % 8;
	len = n + pad;
	buf = malloc(8 + len + m->len);
	for (i = 0; i < 8; i++)
		buf[i] = (uint8_t)(len >> (8 * i));
	memcpy(buf + 8, text, n);
	memset(buf + 8 + n, ' ', pad);
	if (m->len)
		memcpy(buf + 8 + len, m->data, m->len);
	*size = 8 + len + m->len;
	json_object_object_del(hdr, "__metadata__");
	for (i = 0; i < 3; i++)
		json_object_object_del(m->meta, keys[i]);
	json_object_put(hdr);
	return buf;
}

static inline void sw_free(struct sw_model *m)
{
	json_object_put(m->header);
	json_object_put(m->meta);
	json_object_put(m->config);
	json_object_put(m->quant);
	json_object_put(m->pruning);
	free(m->data);
	memset(m, 0, sizeof(*m));
}

/*
 * The model file of @s in a new temporary file; @path (at least 32 bytes)
 * gets its name, unlink() it when done.  0 or -1 (errno set).
 */
static inline int sw_write_temp(const struct sw_spec *s, char *path)
{
	struct sw_model w;
	uint8_t *buf;
	size_t size;
	int fd, ret = -1;

	strcpy(path, "/tmp/aimc-net-XXXXXX");
	sw_build(&w, s);
	buf = sw_serialize(&w, &size);
	fd = mkstemp(path);
	if (fd >= 0) {
		ret = write(fd, buf, size) == (ssize_t)size ? 0 : -1;
		close(fd);
	}
	free(buf);
	sw_free(&w);
	return ret;
}

#endif /* SSM_WRITER_H */
