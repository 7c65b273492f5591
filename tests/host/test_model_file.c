// SPDX-License-Identifier: MIT
/*
 * The model file loader (runtime/model_file.c) against
 * runtime/docs/model-format.md: a round trip of files written by
 * ssm_writer.h, and one test per malformed-file case of the format's
 * section 5, each asserting the errno and that the message names the
 * file, the tensor or key at fault and the reason.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimc.h"
#include "../../runtime/ssm.h"
#include "ssm_writer.h"

#define FILE_NAME	"bad.safetensors"

static const struct sw_spec base_spec = {
	.d_input = 2, .d_model = 8, .d_state = 4, .n_layers = 2,
	.n_classes = 3, .keep_every = 2, .modes_kept = { 3, 2 },
	.quantized = true, .xbar_bits = 4, .zero_permille = 100, .seed = 5,
};

/* ---- round trips ---- */

static void check_tensor_codes(struct sw_model *w, const char *name,
			       const struct aimc_ssm_tensor *t, uint32_t rows,
			       uint32_t cols)
{
	const uint8_t *p = sw_data(w, name);
	uint32_t i;

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(t->rows, rows);
	ck_assert_uint_eq(t->cols, cols);
	ck_assert_ptr_nonnull(t->codes);
	ck_assert_ptr_null(t->values);
	for (i = 0; i < rows * cols; i++) {
		int16_t want = t->bits <= 8 ? (int8_t)p[i] :
			       (int16_t)(p[2 * i] | p[2 * i + 1] << 8);

		ck_assert_int_eq(t->codes[i], want);
	}
}

static void check_floats(struct sw_model *w, const char *name, const float *v,
			 uint32_t n)
{
	const uint8_t *p = sw_data(w, name);

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(v);
	ck_assert_mem_eq(v, p, 4 * n);
}

START_TEST(test_roundtrip_quantized)
{
	struct sw_model w;
	struct aimc_ssm *m;
	uint8_t *buf;
	size_t size;
	char name[64];
	uint32_t l;

	sw_build(&w, &base_spec);
	buf = sw_serialize(&w, &size);
	ck_assert_msg(aimc_ssm_load_buffer(buf, size, "ok", &m) == 0, "%s",
		      aimc_last_error());
	ck_assert_uint_eq(m->format_version, 1);
	ck_assert_uint_eq(m->d_input, 2);
	ck_assert_uint_eq(m->d_model, 8);
	ck_assert_uint_eq(m->d_state, 4);
	ck_assert_uint_eq(m->n_layers, 2);
	ck_assert_uint_eq(m->n_classes, 3);
	ck_assert_uint_eq(m->hk, 4);
	ck_assert_uint_eq(m->kept_channels[3], 6);
	ck_assert(m->quantized);
	ck_assert_uint_eq(m->dac_bits, 8);
	ck_assert_uint_eq(m->adc_bits, 8);
	ck_assert_str_eq(m->path, "ok");
	ck_assert_ptr_nonnull(strstr(m->provenance, "ssm_writer"));
	ck_assert_str_eq(m->encoder.name, "encoder");
	ck_assert_str_eq(m->layers[1].mix.name, "layers.1.mix");
	check_tensor_codes(&w, "encoder.weight", &m->encoder.weight, 4, 2);
	ck_assert_uint_eq(m->encoder.weight.bits, 4);
	ck_assert(!m->encoder.weight.per_tensor);
	check_floats(&w, "encoder.weight_scale", m->encoder.weight.scale, 4);
	check_floats(&w, "encoder.adc_scale", m->encoder.adc_scale, 4);
	check_floats(&w, "encoder.bias", m->encoder.bias, 4);
	ck_assert_float_eq(m->encoder.dac_scale,
			   *(float *)(void *)sw_data(&w, "encoder.dac_scale"));
	check_tensor_codes(&w, "decoder.weight", &m->decoder.weight, 3, 4);
	for (l = 0; l < 2; l++) {
		const struct aimc_ssm_layer *L = &m->layers[l];

		ck_assert_uint_eq(L->ssm.n_modes, base_spec.modes_kept[l]);
		snprintf(name, sizeof(name), "layers.%u.ssm.A_re", l);
		check_tensor_codes(&w, name, &L->ssm.a_re, 4, L->ssm.n_modes);
		ck_assert(L->ssm.a_re.per_tensor);
		snprintf(name, sizeof(name), "layers.%u.ssm.C_im", l);
		check_tensor_codes(&w, name, &L->ssm.c_im, 4, L->ssm.n_modes);
		ck_assert(!L->ssm.c_im.per_tensor);
		snprintf(name, sizeof(name), "layers.%u.ssm.D", l);
		check_tensor_codes(&w, name, &L->ssm.d, 4, 1);
		ck_assert_uint_eq(L->ssm.d.bits, 12);
		snprintf(name, sizeof(name), "layers.%u.mix.weight", l);
		check_tensor_codes(&w, name, &L->mix.weight, 8, 4);
		snprintf(name, sizeof(name), "layers.%u.norm.shift", l);
		check_floats(&w, name, L->norm_shift, 4);
		snprintf(name, sizeof(name), "layers.%u.ssm.log_step", l);
		check_floats(&w, name, L->ssm.log_step, 4);
	}
	ck_assert_uint_eq(m->layers[1].ssm.kept_modes[1], 2);
	aimc_ssm_free(m);
	free(buf);
	sw_free(&w);
}
END_TEST

START_TEST(test_roundtrip_float_and_ternary_from_file)
{
	struct sw_spec s = base_spec;
	char path[] = "/tmp/aimc-model-XXXXXX";
	struct sw_model w;
	struct aimc_ssm *m;
	uint8_t *buf;
	size_t size;
	int fd;

	s.quantized = false;
	sw_build(&w, &s);
	buf = sw_serialize(&w, &size);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, size), (ssize_t)size);
	close(fd);
	ck_assert_msg(aimc_ssm_load(path, &m) == 0, "%s", aimc_last_error());
	ck_assert(!m->quantized);
	ck_assert_ptr_nonnull(m->encoder.weight.values);
	ck_assert_ptr_null(m->encoder.weight.codes);
	ck_assert_ptr_null(m->encoder.adc_scale);
	check_floats(&w, "layers.0.mix.weight", m->layers[0].mix.weight.values, 32);
	ck_assert_str_eq(m->path, path);
	aimc_ssm_free(m);
	free(buf);
	sw_free(&w);

	s = base_spec;
	s.xbar_bits = 0;	/* ternary */
	sw_build(&w, &s);
	buf = sw_serialize(&w, &size);
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(write(fd, buf, size), (ssize_t)size);
	close(fd);
	ck_assert_msg(aimc_ssm_load(path, &m) == 0, "%s", aimc_last_error());
	ck_assert(m->decoder.weight.ternary);
	ck_assert_uint_eq(m->decoder.weight.bits, 2);
	aimc_ssm_free(m);
	unlink(path);
	free(buf);
	sw_free(&w);

	ck_assert_int_eq(aimc_ssm_load("/nonexistent/m.safetensors", &m), -ENOENT);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "/nonexistent/m.safetensors"));
	ck_assert_int_eq(aimc_ssm_load("/tmp", &m), -EINVAL);
}
END_TEST

/* ---- malformed files: one case each ---- */

struct bad_case {
	const char *name;
	void (*edit_model)(struct sw_model *w);
	void (*edit_bytes)(uint8_t **buf, size_t *size);
	int err;
	const char *what;	/* tensor or key named in the message */
	const char *reason;	/* part of the reason */
};

static void set_header_len(uint8_t *buf, uint64_t n)
{
	int i;

	for (i = 0; i < 8; i++)
		buf[i] = (uint8_t)(n >> (8 * i));
}

static uint64_t header_len(const uint8_t *buf)
{
	uint64_t n = 0;
	int i;

	for (i = 7; i >= 0; i--)
		n = n << 8 | buf[i];
	return n;
}

/* Replace the header text (keeping the data section). */
static void put_header(uint8_t **buf, size_t *size, const char *text)
{
	uint64_t old = header_len(*buf), n = strlen(text);
	size_t data = *size - 8 - old;
	uint8_t *nb = malloc(8 + n + data);

	set_header_len(nb, n);
	memcpy(nb + 8, text, n);
	memcpy(nb + 8 + n, *buf + 8 + old, data);
	free(*buf);
	*buf = nb;
	*size = 8 + n + data;
}

static void b_short(uint8_t **buf, size_t *size) { (void)buf; *size = 7; }
static void b_len_zero(uint8_t **buf, size_t *size) { (void)size; set_header_len(*buf, 0); }
static void b_len_huge(uint8_t **buf, size_t *size) { (void)size; set_header_len(*buf, 17u << 20); }
static void b_len_past_end(uint8_t **buf, size_t *size) { set_header_len(*buf, *size - 7); }
static void b_truncated(uint8_t **buf, size_t *size) { (void)buf; *size -= 1; }
static void b_not_json(uint8_t **buf, size_t *size) { put_header(buf, size, "{\"a\": nope}"); }
static void b_not_object(uint8_t **buf, size_t *size) { put_header(buf, size, "[1, 2]   "); }
static void b_garbage(uint8_t **buf, size_t *size) { put_header(buf, size, "{} x"); }
static void b_extra_byte(uint8_t **buf, size_t *size)
{
	*buf = realloc(*buf, *size + 1);
	(*buf)[(*size)++] = 0;
}

static void meta_set(struct sw_model *w, const char *k, const char *v)
{
	json_object_object_add(w->meta, k, v ? json_object_new_string(v) : NULL);
}

static void b_no_meta(uint8_t **buf, size_t *size) { put_header(buf, size, "{}"); }
static void m_meta_not_string(struct sw_model *w) { json_object_object_add(w->meta, "format", json_object_new_int(1)); }
static void m_format(struct sw_model *w) { meta_set(w, "format", "gguf"); }
static void m_version_missing(struct sw_model *w) { json_object_object_del(w->meta, "format_version"); }
static void m_version_text(struct sw_model *w) { meta_set(w, "format_version", "1.0"); }
static void m_version_3(struct sw_model *w) { meta_set(w, "format_version", "3"); }
static void m_config_missing(struct sw_model *w) { json_object_put(w->config); w->config = NULL; }
static void m_config_not_json(struct sw_model *w)
{
	json_object_put(w->config);
	w->config = NULL;
	meta_set(w, "config", "{\"d_input\": ");
}
static void m_quant_not_object(struct sw_model *w)
{
	json_object_put(w->quant);
	w->quant = NULL;
	meta_set(w, "quantization", "[true]");
}
static void m_pruning_missing(struct sw_model *w) { json_object_put(w->pruning); w->pruning = NULL; }
static void m_d_model_type(struct sw_model *w) { json_object_object_add(w->config, "d_model", json_object_new_string("8")); }
static void m_n_layers_range(struct sw_model *w) { json_object_object_add(w->config, "n_layers", json_object_new_int(65)); }
static void m_d_state_zero(struct sw_model *w) { json_object_object_add(w->config, "d_state", json_object_new_int(0)); }
static void m_activation(struct sw_model *w) { json_object_object_add(w->config, "activation", json_object_new_string("relu")); }
static void m_arch(struct sw_model *w) { json_object_object_del(w->config, "arch"); }

static struct json_object *kept_modes(struct sw_model *w)
{
	return json_object_object_get(w->pruning, "kept_modes");
}
static void m_modes_count(struct sw_model *w) { json_object_array_del_idx(kept_modes(w), 1, 1); }
static void m_modes_empty(struct sw_model *w)
{
	struct json_object *l1 = json_object_array_get_idx(kept_modes(w), 1);

	json_object_array_del_idx(l1, 0, json_object_array_length(l1));
}
static void m_channels_order(struct sw_model *w)
{
	json_object_array_put_idx(json_object_object_get(w->pruning, "kept_channels"), 1,
				  json_object_new_int(0));
}
static void m_modes_range(struct sw_model *w)
{
	json_object_array_put_idx(json_object_array_get_idx(kept_modes(w), 0), 2,
				  json_object_new_int(4));
}

static struct json_object *entry(struct sw_model *w, const char *name)
{
	return json_object_object_get(w->header, name);
}
static void m_dtype(struct sw_model *w) { json_object_object_add(entry(w, "encoder.bias"), "dtype", json_object_new_string("F16")); }
static void m_shape_array(struct sw_model *w) { json_object_object_add(entry(w, "encoder.bias"), "shape", json_object_new_int(4)); }
static void m_shape_negative(struct sw_model *w)
{
	json_object_array_put_idx(json_object_object_get(entry(w, "encoder.bias"), "shape"), 0,
				  json_object_new_int(-4));
}
static void m_shape_overflow(struct sw_model *w)
{
	int64_t shape[3] = { 1 << 20, 1 << 20, 4 };

	json_object_object_add(entry(w, "encoder.bias"), "shape", sw_int_array(shape, 3));
}
static void m_offsets_type(struct sw_model *w)
{
	json_object_array_put_idx(json_object_object_get(entry(w, "encoder.bias"), "data_offsets"),
				  0, json_object_new_double(8.0));
}
static struct json_object *offs(struct sw_model *w, const char *name)
{
	return json_object_object_get(entry(w, name), "data_offsets");
}
static void set_offs(struct sw_model *w, const char *name, int64_t b, int64_t e)
{
	int64_t v[2] = { b, e };

	json_object_object_add(entry(w, name), "data_offsets", sw_int_array(v, 2));
}
static int64_t off_at(struct sw_model *w, const char *name, int i)
{
	return json_object_get_int64(json_object_array_get_idx(offs(w, name), (size_t)i));
}
static void m_begin_gt_end(struct sw_model *w)
{
	set_offs(w, "encoder.bias", off_at(w, "encoder.bias", 1), off_at(w, "encoder.bias", 0));
}
static void m_size_mismatch(struct sw_model *w)
{
	set_offs(w, "encoder.bias", off_at(w, "encoder.bias", 0), off_at(w, "encoder.bias", 1) - 4);
}
static void m_past_end(struct sw_model *w)
{
	int64_t len = (int64_t)w->len;

	set_offs(w, "decoder.adc_scale", len, len + 12);
}
static void m_overlap(struct sw_model *w)
{
	/* encoder.bias [4] F32 moved onto encoder.weight_scale's bytes */
	int64_t b = off_at(w, "encoder.weight_scale", 0);

	set_offs(w, "encoder.bias", b, b + 16);
}
static void m_hole(struct sw_model *w)
{
	/* the last tensor (decoder.adc_scale) moves 4 bytes up */
	int64_t b = off_at(w, "decoder.adc_scale", 0);

	set_offs(w, "decoder.adc_scale", b + 4, b + 16);
	sw_append(w, "\0\0\0\0", 4);
}
static void m_unknown_tensor(struct sw_model *w)
{
	float f = 1;

	sw_tensor(w, "layers.0.extra", "F32", 1, 0, &f, 4);
}
static void m_wrong_shape(struct sw_model *w)
{
	int64_t shape[2] = { 2, 4 };

	/* [4, 2] -> [2, 4]: the same byte count, so only the shape is wrong */
	json_object_object_add(entry(w, "encoder.weight"), "shape", sw_int_array(shape, 2));
}
static void m_wrong_dtype(struct sw_model *w)
{
	/* encoder.weight: 4-bit codes stored as I16 (16 bytes for 8 codes) */
	json_object_object_add(entry(w, "encoder.weight"), "dtype", json_object_new_string("I16"));
	set_offs(w, "encoder.weight", off_at(w, "encoder.weight", 0),
		 off_at(w, "encoder.weight", 1) + 8);
	/* keep the data covered: shift everything after by 8 bytes */
	json_object_object_foreach(w->header, key, val) {
		int64_t b = off_at(w, key, 0), e = off_at(w, key, 1);

		(void)val;
		if (strcmp(key, "encoder.weight") && b >= 8)
			set_offs(w, key, b + 8, e + 8);
	}
	sw_append(w, "\0\0\0\0\0\0\0\0", 8);
}
static void m_scale_i8(struct sw_model *w)
{
	/* the last tensor, decoder.adc_scale [3], stored as I8 */
	int64_t b = off_at(w, "decoder.adc_scale", 0);

	json_object_object_add(entry(w, "decoder.adc_scale"), "dtype", json_object_new_string("I8"));
	set_offs(w, "decoder.adc_scale", b, b + 3);
	w->len -= 9;
}
static void m_q_missing(struct sw_model *w) { json_object_object_del(json_object_object_get(w->quant, "tensors"), "layers.0.ssm.B_im"); }
static void m_q_scheme(struct sw_model *w) { json_object_object_add(sw_qentry(w, "decoder.weight"), "scheme", json_object_new_string("float8")); }
static void m_q_bits_xbar(struct sw_model *w)
{
	struct json_object *e = sw_qentry(w, "decoder.weight");

	json_object_object_add(e, "bits", json_object_new_int(9));
	json_object_object_add(e, "qmin", json_object_new_int(-256));
	json_object_object_add(e, "qmax", json_object_new_int(255));
}
static void m_q_bits_ssm(struct sw_model *w) { json_object_object_add(sw_qentry(w, "layers.0.ssm.C_re"), "bits", json_object_new_int(17)); }
static void m_q_ternary_bits(struct sw_model *w)
{
	struct json_object *e = sw_qentry(w, "encoder.weight");

	json_object_object_add(e, "scheme", json_object_new_string("ternary"));
	json_object_object_add(e, "bits", json_object_new_int(3));
}
static void m_q_qmax(struct sw_model *w) { json_object_object_add(sw_qentry(w, "encoder.weight"), "qmax", json_object_new_int(8)); }
static void m_q_zero_point(struct sw_model *w) { json_object_object_add(sw_qentry(w, "encoder.weight"), "zero_point", json_object_new_int(1)); }
static void m_q_scale_name(struct sw_model *w) { json_object_object_add(sw_qentry(w, "encoder.weight"), "scale", json_object_new_string("encoder.bias")); }
static void m_q_granularity(struct sw_model *w) { json_object_object_add(sw_qentry(w, "layers.1.ssm.D"), "granularity", json_object_new_string("per_output_channel")); }
static void put_f32(struct sw_model *w, const char *name, uint32_t i, float f)
{
	memcpy(sw_data(w, name) + 4 * i, &f, 4);
}
static void m_scale_nan(struct sw_model *w) { put_f32(w, "layers.1.ssm.B_re_scale", 2, NAN); }
static void m_scale_inf(struct sw_model *w) { put_f32(w, "decoder.weight_scale", 0, INFINITY); }
static void m_scale_zero(struct sw_model *w) { put_f32(w, "layers.0.mix.adc_scale", 5, 0.0f); }
static void m_scale_negative(struct sw_model *w) { put_f32(w, "encoder.dac_scale", 0, -0.5f); }
static void m_dac_bits(struct sw_model *w) { json_object_object_add(w->quant, "dac_bits", json_object_new_int(17)); }
static void m_adc_bits(struct sw_model *w) { json_object_object_del(w->quant, "adc_bits"); }
static void m_quantized_type(struct sw_model *w) { json_object_object_add(w->quant, "quantized", json_object_new_int(1)); }
static void m_code_range(struct sw_model *w) { sw_data(w, "layers.1.mix.weight")[3] = 8; }
static void m_float_nan(struct sw_model *w) { put_f32(w, "layers.0.norm.scale", 1, NAN); }
static void m_float_inf(struct sw_model *w) { put_f32(w, "decoder.bias", 2, -INFINITY); }

static const struct bad_case bad_cases[] = {
	{ "short", NULL, b_short, -EINVAL, "header", "too short" },
	{ "header length 0", NULL, b_len_zero, -EINVAL, "header", "not a model file: no safetensors header (its first 8 bytes give a header length of 0," },
	{ "header length huge", NULL, b_len_huge, -EINVAL, "header", "not a model file: no safetensors header" },
	{ "header length past end", NULL, b_len_past_end, -EINVAL, "header", "past the end of the file" },
	{ "truncated", NULL, b_truncated, -EINVAL, "decoder.adc_scale", "past the end of the data section" },
	{ "not json", NULL, b_not_json, -EINVAL, "header", "not JSON" },
	{ "not object", NULL, b_not_object, -EINVAL, "header", "not a JSON object" },
	{ "trailing garbage", NULL, b_garbage, -EINVAL, "header", "trailing garbage" },
	{ "trailing bytes", NULL, b_extra_byte, -EINVAL, "data section", "1 trailing bytes" },
	{ "metadata missing", NULL, b_no_meta, -EINVAL, "__metadata__", "missing or not an object" },
	{ "metadata value", m_meta_not_string, NULL, -EINVAL, "__metadata__", "\"format\" is not a string" },
	{ "format", m_format, NULL, -EINVAL, "format", "\"gguf\" is not \"aimc-ssm\"" },
	{ "version missing", m_version_missing, NULL, -EINVAL, "format_version", "missing" },
	{ "version text", m_version_text, NULL, -EINVAL, "format_version", "not a decimal integer" },
	{ "version 3", m_version_3, NULL, -EPROTONOSUPPORT, "format_version", "unsupported format version 3 (this loader reads 1 and 2)" },
	{ "config missing", m_config_missing, NULL, -EINVAL, "__metadata__", "\"config\" missing" },
	{ "config not json", m_config_not_json, NULL, -EINVAL, "config", "not JSON" },
	{ "quantization not object", m_quant_not_object, NULL, -EINVAL, "quantization", "not a JSON object" },
	{ "pruning missing", m_pruning_missing, NULL, -EINVAL, "__metadata__", "\"pruning\" missing" },
	{ "d_model type", m_d_model_type, NULL, -EINVAL, "config", "d_model missing or not an integer" },
	{ "n_layers range", m_n_layers_range, NULL, -EINVAL, "config", "n_layers missing or not an integer in 1..64" },
	{ "d_state zero", m_d_state_zero, NULL, -EINVAL, "config", "d_state" },
	{ "activation", m_activation, NULL, -EINVAL, "config", "activation = \"relu\"" },
	{ "arch missing", m_arch, NULL, -EINVAL, "config", "arch = \"(missing)\"" },
	{ "kept_modes count", m_modes_count, NULL, -EINVAL, "pruning", "kept_modes must hold n_layers = 2 lists" },
	{ "kept_modes empty", m_modes_empty, NULL, -EINVAL, "pruning", "kept_modes[1] must be a non-empty list" },
	{ "kept_channels order", m_channels_order, NULL, -EINVAL, "pruning", "kept_channels not strictly increasing at entry 1" },
	{ "kept_modes range", m_modes_range, NULL, -EINVAL, "pruning", "kept_modes[0]: entry 2 out of range 0..3" },
	{ "dtype", m_dtype, NULL, -EINVAL, "encoder.bias", "unknown or missing dtype" },
	{ "shape not array", m_shape_array, NULL, -EINVAL, "encoder.bias", "bad shape" },
	{ "shape negative", m_shape_negative, NULL, -EINVAL, "encoder.bias", "dimension 0 is not a non-negative integer" },
	{ "element overflow", m_shape_overflow, NULL, -EOVERFLOW, "encoder.bias", "element count overflows" },
	{ "offsets not integers", m_offsets_type, NULL, -EINVAL, "encoder.bias", "data_offsets is not" },
	{ "begin > end", m_begin_gt_end, NULL, -EINVAL, "encoder.bias", "begin" },
	{ "size mismatch", m_size_mismatch, NULL, -EINVAL, "encoder.bias", "size 12 bytes != 4 elements * 4 bytes" },
	{ "past end", m_past_end, NULL, -EINVAL, "decoder.adc_scale", "past the end of the data section" },
	{ "overlap", m_overlap, NULL, -EINVAL, "encoder.", "overlaps another tensor" },
	{ "hole", m_hole, NULL, -EINVAL, "decoder.adc_scale", "hole in the data section" },
	{ "unknown tensor", m_unknown_tensor, NULL, -EINVAL, "layers.0.extra", "unknown tensor" },
	{ "wrong shape", m_wrong_shape, NULL, -EINVAL, "encoder.weight", "shape [2, 4], expected [4, 2]" },
	{ "wrong dtype for bits", m_wrong_dtype, NULL, -EINVAL, "encoder.weight", "dtype I16, expected I8 for 4 bits" },
	{ "F32 tensor as I8", m_scale_i8, NULL, -EINVAL, "decoder.adc_scale", "dtype I8, expected F32" },
	{ "quant entry missing", m_q_missing, NULL, -EINVAL, "layers.0.ssm.B_im", "no quantization entry" },
	{ "scheme", m_q_scheme, NULL, -EINVAL, "decoder.weight", "unknown scheme \"float8\"" },
	{ "crossbar bits", m_q_bits_xbar, NULL, -EINVAL, "decoder.weight", "outside 2..8: the card cannot hold it" },
	{ "ssm bits", m_q_bits_ssm, NULL, -EINVAL, "layers.0.ssm.C_re", "outside 2..16" },
	{ "ternary bits", m_q_ternary_bits, NULL, -EINVAL, "encoder.weight", "ternary must have bits = 2" },
	{ "qmin/qmax", m_q_qmax, NULL, -EINVAL, "encoder.weight", "qmin/qmax inconsistent" },
	{ "zero point", m_q_zero_point, NULL, -EINVAL, "encoder.weight", "zero_point must be 0" },
	{ "scale name", m_q_scale_name, NULL, -EINVAL, "encoder.weight", "scale must name \"encoder.weight_scale\"" },
	{ "granularity", m_q_granularity, NULL, -EINVAL, "layers.1.ssm.D", "granularity \"per_output_channel\" not allowed" },
	{ "scale NaN", m_scale_nan, NULL, -EINVAL, "layers.1.ssm.B_re_scale", "NaN or infinite value at element 2" },
	{ "scale inf", m_scale_inf, NULL, -EINVAL, "decoder.weight_scale", "NaN or infinite" },
	{ "scale zero", m_scale_zero, NULL, -EINVAL, "layers.0.mix.adc_scale", "scale <= 0 at element 5" },
	{ "dac_scale negative", m_scale_negative, NULL, -EINVAL, "encoder.dac_scale", "scale <= 0" },
	{ "dac_bits", m_dac_bits, NULL, -EINVAL, "quantization", "dac_bits missing or not in 2..16" },
	{ "adc_bits", m_adc_bits, NULL, -EINVAL, "quantization", "adc_bits missing" },
	{ "quantized type", m_quantized_type, NULL, -EINVAL, "quantization", "quantized must be true or false" },
	{ "code out of range", m_code_range, NULL, -EINVAL, "layers.1.mix.weight", "code 8 at element 3 outside [-8, 7]" },
	{ "F32 NaN", m_float_nan, NULL, -EINVAL, "layers.0.norm.scale", "NaN or infinite value at element 1" },
	{ "F32 inf", m_float_inf, NULL, -EINVAL, "decoder.bias", "NaN or infinite value at element 2" },
};

START_TEST(test_bad_file)
{
	const struct bad_case *c = &bad_cases[_i];
	struct aimc_ssm *m = (struct aimc_ssm *)&m;
	struct sw_model w;
	const char *msg;
	char expect[160];
	uint8_t *buf;
	size_t size;
	int ret;

	sw_build(&w, &base_spec);
	if (c->edit_model)
		c->edit_model(&w);
	buf = sw_serialize(&w, &size);
	if (c->edit_bytes)
		c->edit_bytes(&buf, &size);
	ret = aimc_ssm_load_buffer(buf, size, FILE_NAME, &m);
	msg = aimc_last_error();
	ck_assert_msg(ret == c->err, "case \"%s\": got %d (%s), want %d", c->name,
		      ret, msg, c->err);
	ck_assert_ptr_null(m);
	snprintf(expect, sizeof(expect), FILE_NAME ": %s", c->what);
	ck_assert_msg(strstr(msg, expect) && strstr(msg, c->reason),
		      "case \"%s\": message \"%s\" lacks \"%s\" / \"%s\"", c->name,
		      msg, expect, c->reason);
	free(buf);
	sw_free(&w);
}
END_TEST

/* The missing tensor is named, whichever one it is. */
START_TEST(test_missing_tensor_named)
{
	struct sw_model w;
	struct aimc_ssm *m;
	uint8_t *buf;
	size_t size;

	sw_build(&w, &base_spec);
	json_object_object_del(w.header, "layers.1.norm.shift");
	/* keep the data section covered: the last tensor takes its place */
	buf = sw_serialize(&w, &size);
	ck_assert_int_eq(aimc_ssm_load_buffer(buf, size, FILE_NAME, &m), -EINVAL);
	/* its bytes are now a hole: the coverage rule reports it first */
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "hole in the data section"));
	free(buf);
	sw_free(&w);

	/* a truly missing one: drop the last tensor and its bytes */
	sw_build(&w, &base_spec);
	json_object_object_del(w.header, "decoder.adc_scale");
	w.len -= 12;
	buf = sw_serialize(&w, &size);
	ck_assert_int_eq(aimc_ssm_load_buffer(buf, size, FILE_NAME, &m), -EINVAL);
	ck_assert_str_eq(aimc_last_error(), FILE_NAME ": decoder.adc_scale: missing tensor");
	free(buf);
	sw_free(&w);
}
END_TEST

START_TEST(test_null_arguments)
{
	struct aimc_ssm *m;

	ck_assert_int_eq(aimc_ssm_load_buffer(NULL, 10, "x", &m), -EINVAL);
	ck_assert_int_eq(aimc_ssm_load_buffer("", 0, "x", NULL), -EINVAL);
	ck_assert_int_eq(aimc_ssm_load_buffer(NULL, 0, "x", &m), -EINVAL);
	ck_assert_int_eq(aimc_ssm_load(NULL, &m), -EINVAL);
	aimc_ssm_free(NULL);
}
END_TEST

Suite *runtime_model_file_suite(void)
{
	Suite *s = suite_create("runtime_model_file");
	TCase *tc = tcase_create("model_file");

	tcase_add_test(tc, test_roundtrip_quantized);
	tcase_add_test(tc, test_roundtrip_float_and_ternary_from_file);
	tcase_add_loop_test(tc, test_bad_file, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_missing_tensor_named);
	tcase_add_test(tc, test_null_arguments);
	suite_add_tcase(s, tc);
	return s;
}
