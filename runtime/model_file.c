// SPDX-License-Identifier: MIT
/*
 * The aimc-ssm model file loader (runtime/docs/model-format.md, version
 * 1): every check of the format's section 5, in the order of the Python
 * reference reader (tools/qat/aimc_qat/modelfile.py) so both name the
 * same fault first.  Messages are "FILE: WHAT: REASON", WHAT being the
 * tensor or the metadata key at fault.
 *
 * Robustness: the file is only read through bounds-checked offsets
 * (every range is checked against the data section before any byte is
 * copied), sizes are computed with overflow checks, and every
 * allocation is owned by the model under construction, which
 * aimc_ssm_free() releases on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "internal.h"
#include "ssm.h"

#define HEADER_MAX		(16u << 20)
#define FORMAT_NAME		"aimc-ssm"
#define FORMAT_VERSION		2	/* reads 1 and 2 */
#define MAX_ELEMENTS		(1ull << 31)
#define MAX_DIMS		4

enum dtype { DT_F32, DT_I8, DT_I16 };

static const char *const dtype_names[] = { "F32", "I8", "I16" };
static const unsigned int dtype_bytes[] = { 4, 1, 2 };

struct raw_tensor {
	const char *name;		/* key in the header (json-c owns it) */
	enum dtype dtype;
	uint32_t ndim;
	uint64_t shape[MAX_DIMS];
	uint64_t count;
	uint64_t begin, end;		/* relative to the data section */
	bool expected;
};

struct loader {
	const char *file;
	const uint8_t *data;		/* the data section */
	uint64_t data_len;
	struct json_object *header;
	struct json_object *config, *quant, *pruning;
	struct raw_tensor *tensors;
	size_t n_tensors;
	struct aimc_ssm *model;
};

static int fail(struct loader *ld, int err, const char *what,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct loader *ld, int err, const char *what,
		const char *fmt, ...)
{
	char reason[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return aimc_set_error(err, "%s: %s: %s", ld->file, what, reason);
}

/* ---- JSON helpers ---- */

/* One strict JSON value from @len bytes; *end: where parsing stopped. */
static enum json_tokener_error parse_value(const char *text, size_t len,
					   struct json_object **out,
					   size_t *end)
{
	struct json_tokener *tok = json_tokener_new();
	enum json_tokener_error jerr;

	*out = NULL;
	*end = 0;
	if (!tok)
		return json_tokener_error_size;	/* no memory for a tokener */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	*out = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	*end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr != json_tokener_success || !*out) {
		json_object_put(*out);
		*out = NULL;
		if (jerr == json_tokener_success)
			jerr = json_tokener_error_parse_unexpected;
	}
	return jerr;
}

static bool only_spaces(const char *text, size_t from, size_t len)
{
	size_t i;

	for (i = from; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
		    text[i] != '\r')
			return false;
	return true;
}

/*
 * Parse @len bytes as exactly one strict JSON value followed by nothing
 * but white space; *out is a new reference, or NULL and the reason.
 */
static const char *parse_json(const char *text, size_t len,
			      struct json_object **out)
{
	struct json_object *prefix;
	enum json_tokener_error jerr;
	size_t end, prefix_end;

	*out = NULL;
	if (len > INT32_MAX)
		return "too long";
	jerr = parse_value(text, len, out, &end);
	if (jerr == json_tokener_continue)
		return "not JSON (ends early)";
	if (jerr != json_tokener_success) {
		/* a complete value before the failure point: garbage follows */
		if (end && end < len &&
		    parse_value(text, end, &prefix, &prefix_end) == json_tokener_success) {
			json_object_put(prefix);
			return "trailing garbage after the JSON object";
		}
		return "not JSON";
	}
	if (!only_spaces(text, end, len)) {
		json_object_put(*out);
		*out = NULL;
		return "trailing garbage after the JSON object";
	}
	return NULL;
}

static bool json_int(struct json_object *o, int64_t lo, int64_t hi,
		     int64_t *out)
{
	int64_t v;

	if (!o || !json_object_is_type(o, json_type_int))
		return false;
	v = json_object_get_int64(o);
	/* json-c keeps integers above INT64_MAX as uint64: out of range. */
	if (v == INT64_MAX && json_object_get_uint64(o) != (uint64_t)INT64_MAX)
		return false;
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static struct json_object *json_get(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

static const char *json_str(struct json_object *obj, const char *key)
{
	struct json_object *v = json_get(obj, key);

	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* ---- container (format section 1) ---- */

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int parse_dtype(const char *s, enum dtype *dt)
{
	size_t i;

	for (i = 0; s && i < sizeof(dtype_names) / sizeof(dtype_names[0]); i++) {
		if (!strcmp(s, dtype_names[i])) {
			*dt = (enum dtype)i;
			return 0;
		}
	}
	return -1;
}

static int parse_tensor_entry(struct loader *ld, const char *name,
			      struct json_object *entry, struct raw_tensor *t)
{
	struct json_object *shape, *offs;
	int64_t dim, begin, end;
	uint64_t bytes;
	size_t i, n;

	memset(t, 0, sizeof(*t));
	t->name = name;
	if (!json_object_is_type(entry, json_type_object))
		return fail(ld, -EINVAL, name, "entry is not an object");
	if (parse_dtype(json_str(entry, "dtype"), &t->dtype))
		return fail(ld, -EINVAL, name, "unknown or missing dtype (F32, I8 or I16)");
	shape = json_get(entry, "shape");
	if (!shape || !json_object_is_type(shape, json_type_array) ||
	    json_object_array_length(shape) > MAX_DIMS)
		return fail(ld, -EINVAL, name, "bad shape: not an array of 0..4 integers");
	n = json_object_array_length(shape);
	t->ndim = (uint32_t)n;
	t->count = 1;
	for (i = 0; i < n; i++) {
		if (!json_int(json_object_array_get_idx(shape, i), 0, INT64_MAX, &dim))
			return fail(ld, -EINVAL, name, "bad shape: dimension %zu is not a non-negative integer",
				    i);
		t->shape[i] = (uint64_t)dim;
		if (dim && t->count > MAX_ELEMENTS / (uint64_t)dim)
			return fail(ld, -EOVERFLOW, name, "element count overflows 2^31");
		t->count *= (uint64_t)dim;
	}
	offs = json_get(entry, "data_offsets");
	if (!offs || !json_object_is_type(offs, json_type_array) ||
	    json_object_array_length(offs) != 2 ||
	    !json_int(json_object_array_get_idx(offs, 0), 0, INT64_MAX, &begin) ||
	    !json_int(json_object_array_get_idx(offs, 1), 0, INT64_MAX, &end))
		return fail(ld, -EINVAL, name, "data_offsets is not [begin, end] of non-negative integers");
	if (begin > end)
		return fail(ld, -EINVAL, name, "data_offsets begin %lld > end %lld",
			    (long long)begin, (long long)end);
	t->begin = (uint64_t)begin;
	t->end = (uint64_t)end;
	bytes = t->count * dtype_bytes[t->dtype];	/* < 2^33: no overflow */
	if (t->end - t->begin != bytes)
		return fail(ld, -EINVAL, name, "size %llu bytes != %llu elements * %u bytes",
			    (unsigned long long)(t->end - t->begin),
			    (unsigned long long)t->count, dtype_bytes[t->dtype]);
	if (t->end > ld->data_len)
		return fail(ld, -EINVAL, name, "data end %llu past the end of the data section (%llu bytes)",
			    (unsigned long long)t->end,
			    (unsigned long long)ld->data_len);
	if (!t->count)
		return fail(ld, -EINVAL, name, "zero-size tensor");
	return 0;
}

static int cmp_begin(const void *a, const void *b)
{
	const struct raw_tensor *x = a, *y = b;

	return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* Ranges sorted by begin must tile the data section exactly. */
static int check_coverage(struct loader *ld)
{
	struct raw_tensor *sorted;
	uint64_t pos = 0;
	size_t i;
	int ret = 0;

	if (!ld->n_tensors) {
		if (ld->data_len)
			return fail(ld, -EINVAL, "data section",
				    "%llu trailing bytes not covered by any tensor",
				    (unsigned long long)ld->data_len);
		return 0;
	}
	sorted = malloc(ld->n_tensors * sizeof(*sorted));
	if (!sorted)
		return fail(ld, -ENOMEM, "header", "out of memory");
	memcpy(sorted, ld->tensors, ld->n_tensors * sizeof(*sorted));
	qsort(sorted, ld->n_tensors, sizeof(*sorted), cmp_begin);
	for (i = 0; i < ld->n_tensors && !ret; i++) {
		if (sorted[i].begin < pos)
			ret = fail(ld, -EINVAL, sorted[i].name,
				   "data range [%llu, %llu) overlaps another tensor",
				   (unsigned long long)sorted[i].begin,
				   (unsigned long long)sorted[i].end);
		else if (sorted[i].begin > pos)
			ret = fail(ld, -EINVAL, sorted[i].name,
				   "hole in the data section before offset %llu",
				   (unsigned long long)sorted[i].begin);
		pos = sorted[i].end;
	}
	if (!ret && pos != ld->data_len)
		ret = fail(ld, -EINVAL, "data section",
			   "%llu trailing bytes not covered by any tensor",
			   (unsigned long long)(ld->data_len - pos));
	free(sorted);
	return ret;
}

static int read_container(struct loader *ld, const uint8_t *buf, size_t size)
{
	struct json_object *meta;
	uint64_t n;
	const char *why;
	size_t count;

	/*
	 * A model file starts with the little-endian length of its JSON
	 * header.  A length no writer makes means this is not a model file
	 * at all (a text file's first 8 bytes read as 1.6e19, say): say so
	 * in those words.
	 */
	if (size < 8)
		return fail(ld, -EINVAL, "header", "not a model file: %zu bytes, too short for a safetensors header",
			    size);
	n = get_le64(buf);
	if (n < 2 || n > HEADER_MAX)
		return fail(ld, -EINVAL, "header", "not a model file: no safetensors header (its first 8 bytes give a header length of %llu, not 2..%u)",
			    (unsigned long long)n, HEADER_MAX);
	if (n > size - 8)
		return fail(ld, -EINVAL, "header", "header length %llu past the end of the file (%zu bytes): truncated?",
			    (unsigned long long)n, size);
	why = parse_json((const char *)buf + 8, (size_t)n, &ld->header);
	if (why)
		return fail(ld, -EINVAL, "header", "%s", why);
	if (!json_object_is_type(ld->header, json_type_object))
		return fail(ld, -EINVAL, "header", "not a JSON object");
	ld->data = buf + 8 + n;
	ld->data_len = size - 8 - n;

	meta = json_get(ld->header, "__metadata__");
	if (!meta || !json_object_is_type(meta, json_type_object))
		return fail(ld, -EINVAL, "__metadata__", "missing or not an object");
	json_object_object_foreach(meta, key, val) {
		if (!json_object_is_type(val, json_type_string))
			return fail(ld, -EINVAL, "__metadata__", "value of \"%s\" is not a string",
				    key);
	}

	count = (size_t)json_object_object_length(ld->header);
	ld->tensors = calloc(count ? count : 1, sizeof(*ld->tensors));
	if (!ld->tensors)
		return fail(ld, -ENOMEM, "header", "out of memory");
	json_object_object_foreach(ld->header, name, entry) {
		int ret;

		if (!strcmp(name, "__metadata__"))
			continue;
		ret = parse_tensor_entry(ld, name, entry, &ld->tensors[ld->n_tensors]);
		if (ret)
			return ret;
		ld->n_tensors++;
	}
	return check_coverage(ld);
}

/* ---- metadata (format section 2) ---- */

static int meta_json(struct loader *ld, struct json_object *meta,
		     const char *key, struct json_object **out)
{
	const char *text = json_str(meta, key), *why;

	if (!text)
		return fail(ld, -EINVAL, "__metadata__", "key \"%s\" missing", key);
	why = parse_json(text, strlen(text), out);
	if (why)
		return fail(ld, -EINVAL, key, "%s", why);
	if (!json_object_is_type(*out, json_type_object))
		return fail(ld, -EINVAL, key, "not a JSON object");
	return 0;
}

static int check_version(struct loader *ld, struct json_object *meta)
{
	const char *fmt = json_str(meta, "format");
	const char *ver = json_str(meta, "format_version");
	uint64_t v = 0;
	size_t i;

	if (!fmt || strcmp(fmt, FORMAT_NAME))
		return fail(ld, -EINVAL, "format", "\"%.40s\" is not \"%s\"",
			    fmt ? fmt : "(missing)", FORMAT_NAME);
	if (!ver || !ver[0])
		return fail(ld, -EINVAL, "format_version", "missing");
	for (i = 0; ver[i]; i++) {
		if (ver[i] < '0' || ver[i] > '9')
			return fail(ld, -EINVAL, "format_version",
				    "\"%.40s\" is not a decimal integer", ver);
		if (v < 1000000000)
			v = v * 10 + (uint64_t)(ver[i] - '0');
	}
	if (v < 1 || v > FORMAT_VERSION)
		return fail(ld, -EPROTONOSUPPORT, "format_version",
			    "unsupported format version %.40s (this loader reads 1 and %d)",
			    ver, FORMAT_VERSION);
	ld->model->format_version = (uint32_t)v;
	return 0;
}

static int config_int(struct loader *ld, const char *key, int64_t lo,
		      int64_t hi, uint32_t *out)
{
	int64_t v;

	if (!json_int(json_get(ld->config, key), lo, hi, &v))
		return fail(ld, -EINVAL, "config", "%s missing or not an integer in %lld..%lld",
			    key, (long long)lo, (long long)hi);
	*out = (uint32_t)v;
	return 0;
}

static int check_config(struct loader *ld)
{
	static const char *const fixed[][2] = {
		{ "arch", "s4d" }, { "activation", "gelu" }, { "mix", "glu" },
		{ "norm", "affine" }, { "norm_position", "post" },
		{ "pooling", "mean" }, { "ssm_output", "2re" },
		{ "discretization", "zoh" },
	};
	struct aimc_ssm *m = ld->model;
	const char *v;
	size_t i;
	int ret;

	ret = config_int(ld, "d_input", 1, 65536, &m->d_input);
	if (!ret)
		ret = config_int(ld, "d_model", 1, 4096, &m->d_model);
	if (!ret)
		ret = config_int(ld, "d_state", 1, 4096, &m->d_state);
	if (!ret)
		ret = config_int(ld, "n_layers", 1, AIMC_SSM_MAX_LAYERS, &m->n_layers);
	if (!ret)
		ret = config_int(ld, "n_classes", 1, 65536, &m->n_classes);
	if (ret)
		return ret;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		v = json_str(ld->config, fixed[i][0]);
		if (!v || strcmp(v, fixed[i][1]))
			return fail(ld, -EINVAL, "config", "%s = \"%.40s\", this loader supports only \"%s\"",
				    fixed[i][0], v ? v : "(missing)", fixed[i][1]);
	}
	return 0;
}

/* A non-empty, strictly increasing list of indices below @limit. */
static int index_list(struct loader *ld, struct json_object *list,
		      const char *what, uint32_t limit, uint32_t **out,
		      uint32_t *count)
{
	size_t n, i;
	int64_t v, prev = -1;

	if (!list || !json_object_is_type(list, json_type_array) ||
	    !json_object_array_length(list))
		return fail(ld, -EINVAL, "pruning", "%s must be a non-empty list", what);
	n = json_object_array_length(list);
	if (n > limit)
		return fail(ld, -EINVAL, "pruning", "%s has %zu entries, more than %u",
			    what, n, limit);
	*out = calloc(n, sizeof(**out));
	if (!*out)
		return fail(ld, -ENOMEM, "pruning", "out of memory");
	for (i = 0; i < n; i++) {
		if (!json_int(json_object_array_get_idx(list, i), 0, (int64_t)limit - 1, &v))
			return fail(ld, -EINVAL, "pruning", "%s: entry %zu out of range 0..%u",
				    what, i, limit - 1);
		if (v <= prev)
			return fail(ld, -EINVAL, "pruning", "%s not strictly increasing at entry %zu",
				    what, i);
		(*out)[i] = (uint32_t)v;
		prev = v;
	}
	*count = (uint32_t)n;
	return 0;
}

static int check_pruning(struct loader *ld)
{
	struct aimc_ssm *m = ld->model;
	struct json_object *modes;
	char what[48];
	uint32_t l;
	int ret;

	ret = index_list(ld, json_get(ld->pruning, "kept_channels"), "kept_channels",
			 m->d_model, &m->kept_channels, &m->hk);
	if (ret)
		return ret;
	modes = json_get(ld->pruning, "kept_modes");
	if (!modes || !json_object_is_type(modes, json_type_array) ||
	    json_object_array_length(modes) != m->n_layers)
		return fail(ld, -EINVAL, "pruning", "kept_modes must hold n_layers = %u lists",
			    m->n_layers);
	m->layers = calloc(m->n_layers, sizeof(*m->layers));
	if (!m->layers)
		return fail(ld, -ENOMEM, "pruning", "out of memory");
	for (l = 0; l < m->n_layers; l++) {
		snprintf(what, sizeof(what), "kept_modes[%u]", l);
		ret = index_list(ld, json_object_array_get_idx(modes, l), what,
				 m->d_state, &m->layers[l].ssm.kept_modes,
				 &m->layers[l].ssm.n_modes);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- tensors (format sections 2.2 and 3) ---- */

static struct raw_tensor *find_raw(struct loader *ld, const char *name)
{
	size_t i;

	for (i = 0; i < ld->n_tensors; i++)
		if (!strcmp(ld->tensors[i].name, name))
			return &ld->tensors[i];
	return NULL;
}

/*
 * Every name section 3 expects of this model, as a callback over
 * (name, rows, cols, is_vector, quantized-kind) so one list serves the
 * unknown-tensor check, the shape checks and the extraction.
 */
enum tensor_kind {
	TK_FLOAT,	/* always F32 */
	TK_QXBAR,	/* Q, crossbar weight: bits 2..8, per_output_channel */
	TK_QSSM,	/* Q, SSM parameter: bits 2..16, either granularity */
	TK_QSSM_D,	/* Q, per_tensor only */
	TK_QVEC,	/* version 2: an F32 vector stored as codes, per_tensor */
};

struct expected {
	char name[64];
	uint32_t rows, cols;
	bool vector;		/* shape [rows] rather than [rows, cols] */
	enum tensor_kind kind;
};

struct expected_list {
	struct expected *items;
	size_t n, cap;
};

static int expect(struct expected_list *el, enum tensor_kind kind,
		  uint32_t rows, uint32_t cols, bool vector, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int expect(struct expected_list *el, enum tensor_kind kind,
		  uint32_t rows, uint32_t cols, bool vector, const char *fmt, ...)
{
	struct expected *e;
	va_list ap;

	if (el->n == el->cap) {
		size_t cap = el->cap ? 2 * el->cap : 64;

		e = realloc(el->items, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		el->items = e;
		el->cap = cap;
	}
	e = &el->items[el->n++];
	va_start(ap, fmt);
	vsnprintf(e->name, sizeof(e->name), fmt, ap);
	va_end(ap);
	e->rows = rows;
	e->cols = vector ? 1 : cols;
	e->vector = vector;
	e->kind = kind;
	return 0;
}

static const char *const ssm_q_names[] = {
	"A_re", "A_im", "B_re", "B_im", "C_re", "C_im",
};

static const char *quant_granularity(struct loader *ld, const char *name)
{
	struct json_object *tensors = json_get(ld->quant, "tensors"), *entry;

	entry = tensors ? json_get(tensors, name) : NULL;
	if (!entry || !json_object_is_type(entry, json_type_object))
		return NULL;
	return json_str(entry, "granularity");
}

/*
 * Version 2: a vector of a quantized model (a bias, an ADC scale, a norm
 * vector, the per-output-channel scale of a Q tensor) with a quantization
 * entry is stored as codes with one F32 scale, "<name>_scale" [1].  From
 * @from on, mark such entries TK_QVEC and expect their scales.
 */
static int mark_qvecs(struct loader *ld, struct expected_list *el, size_t from)
{
	size_t i, n = el->n;
	int ret = 0;

	if (ld->model->format_version < 2)
		return 0;
	for (i = from; i < n && !ret; i++) {
		struct expected *e = &el->items[i];
		size_t len = strlen(e->name);

		if (e->kind != TK_FLOAT || !e->vector || e->rows < 2 ||
		    (len > 9 && !strcmp(e->name + len - 9, ".log_step")) ||
		    !quant_granularity(ld, e->name))
			continue;
		e->kind = TK_QVEC;
		ret = expect(el, TK_FLOAT, 1, 1, true, "%s_scale", e->name);
		e = &el->items[i];	/* expect() may have moved the list */
	}
	return ret;
}

static int build_expected(struct loader *ld, struct expected_list *el)
{
	const struct aimc_ssm *m = ld->model;
	uint32_t hk = m->hk, l, nk;
	size_t i, n_base;
	int ret = 0;

	ret |= expect(el, TK_QXBAR, hk, m->d_input, false, "encoder.weight");
	ret |= expect(el, TK_FLOAT, hk, 1, true, "encoder.bias");
	for (l = 0; l < m->n_layers; l++) {
		nk = m->layers[l].ssm.n_modes;
		for (i = 0; i < 6; i++)
			ret |= expect(el, TK_QSSM, hk, nk, false, "layers.%u.ssm.%s",
				      l, ssm_q_names[i]);
		ret |= expect(el, TK_QSSM_D, hk, 1, true, "layers.%u.ssm.D", l);
		ret |= expect(el, TK_FLOAT, hk, 1, true, "layers.%u.ssm.log_step", l);
		ret |= expect(el, TK_QXBAR, 2 * hk, hk, false, "layers.%u.mix.weight", l);
		ret |= expect(el, TK_FLOAT, 2 * hk, 1, true, "layers.%u.mix.bias", l);
		ret |= expect(el, TK_FLOAT, hk, 1, true, "layers.%u.norm.scale", l);
		ret |= expect(el, TK_FLOAT, hk, 1, true, "layers.%u.norm.shift", l);
	}
	ret |= expect(el, TK_QXBAR, m->n_classes, hk, false, "decoder.weight");
	ret |= expect(el, TK_FLOAT, m->n_classes, 1, true, "decoder.bias");
	if (ret)
		return -ENOMEM;
	if (!m->quantized)
		return 0;
	if (mark_qvecs(ld, el, 0))
		return -ENOMEM;
	n_base = el->n;
	for (i = 0; i < n_base && !ret; i++) {
		struct expected e = el->items[i];
		const char *gran;
		uint32_t rows = 1;

		if (e.kind == TK_FLOAT || e.kind == TK_QVEC)
			continue;
		gran = quant_granularity(ld, e.name);
		if (e.kind != TK_QSSM_D && gran && !strcmp(gran, "per_output_channel"))
			rows = e.rows;
		ret = expect(el, TK_FLOAT, rows, 1, true, "%s_scale", e.name);
		if (!ret && e.kind == TK_QXBAR) {
			size_t plen = strlen(e.name) - strlen(".weight");

			ret = expect(el, TK_FLOAT, 1, 1, true, "%.*s.dac_scale",
				     (int)plen, e.name);
			if (!ret)
				ret = expect(el, TK_FLOAT, e.rows, 1, true,
					     "%.*s.adc_scale", (int)plen, e.name);
		}
	}
	if (!ret)
		ret = mark_qvecs(ld, el, n_base);
	return ret ? -ENOMEM : 0;
}

static bool shape_matches(const struct raw_tensor *t, const struct expected *e)
{
	if (e->vector)
		return t->ndim == 1 && t->shape[0] == e->rows;
	return t->ndim == 2 && t->shape[0] == e->rows && t->shape[1] == e->cols;
}

static void shape_text(const struct raw_tensor *t, char *buf, size_t len)
{
	size_t used = 0;
	uint32_t i;

	used += (size_t)snprintf(buf, len, "[");
	for (i = 0; i < t->ndim && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%llu",
					 i ? ", " : "",
					 (unsigned long long)t->shape[i]);
	if (used < len)
		snprintf(buf + used, len - used, "]");
}

static int check_names_and_shapes(struct loader *ld,
				  const struct expected_list *el)
{
	struct raw_tensor *t;
	char have[96];
	size_t i;

	for (i = 0; i < el->n; i++) {
		t = find_raw(ld, el->items[i].name);
		if (t)
			t->expected = true;
	}
	for (i = 0; i < ld->n_tensors; i++)
		if (!ld->tensors[i].expected)
			return fail(ld, -EINVAL, ld->tensors[i].name,
				    "unknown tensor (newer writer?)");
	for (i = 0; i < el->n; i++) {
		const struct expected *e = &el->items[i];

		if (e->kind != TK_FLOAT && ld->model->quantized &&
		    !json_object_is_type(json_get(json_get(ld->quant, "tensors"), e->name),
					 json_type_object))
			return fail(ld, -EINVAL, e->name, "no quantization entry");
	}
	for (i = 0; i < el->n; i++) {
		const struct expected *e = &el->items[i];

		t = find_raw(ld, e->name);
		if (!t)
			return fail(ld, -EINVAL, e->name, "missing tensor");
		if (!shape_matches(t, e)) {
			shape_text(t, have, sizeof(have));
			if (e->vector)
				return fail(ld, -EINVAL, e->name, "shape %s, expected [%u]",
					    have, e->rows);
			return fail(ld, -EINVAL, e->name, "shape %s, expected [%u, %u]",
				    have, e->rows, e->cols);
		}
	}
	return 0;
}

static float get_f32(const uint8_t *p)
{
	uint32_t bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
			(uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

/* A finite F32 tensor (every scale also > 0) copied out of the file. */
static int extract_floats(struct loader *ld, const char *name, bool positive,
			  float **out)
{
	struct raw_tensor *t = find_raw(ld, name);
	const uint8_t *p;
	uint64_t i;
	float *v;

	if (t->dtype != DT_F32)
		return fail(ld, -EINVAL, name, "dtype %s, expected F32",
			    dtype_names[t->dtype]);
	v = calloc(t->count, sizeof(*v));
	if (!v)
		return fail(ld, -ENOMEM, name, "out of memory");
	p = ld->data + t->begin;
	for (i = 0; i < t->count; i++) {
		v[i] = get_f32(p + 4 * i);
		if (!isfinite(v[i])) {
			free(v);
			return fail(ld, -EINVAL, name, "NaN or infinite value at element %llu",
				    (unsigned long long)i);
		}
		if (positive && !(v[i] > 0)) {
			free(v);
			return fail(ld, -EINVAL, name, "scale <= 0 at element %llu",
				    (unsigned long long)i);
		}
	}
	*out = v;
	return 0;
}

/*
 * A vector that version 2 may store quantized (TK_QVEC): codes of a
 * per_tensor int scheme and one F32 scale; each value is the binary64
 * product code x scale rounded to binary32 (model-format.md, "Changes in
 * version 2").  A scale's codes are >= 1.  Otherwise an F32 vector.
 */
static int extract_vector(struct loader *ld, const char *name, bool positive,
			  float **out)
{
	struct json_object *tensors = json_get(ld->quant, "tensors");
	struct json_object *entry = tensors && ld->model->format_version >= 2 &&
				    ld->model->quantized ? json_get(tensors, name) : NULL;
	const char *scheme, *gran, *scale;
	int64_t bits, qmin, qmax, zp, lo, hi;
	char scale_name[96];
	struct raw_tensor *raw;
	float *sc = NULL, *v;
	enum dtype want;
	uint64_t i;
	int ret;

	if (!entry)
		return extract_floats(ld, name, positive, out);
	if (!json_object_is_type(entry, json_type_object))
		return fail(ld, -EINVAL, name, "quantization entry is not an object");
	scheme = json_str(entry, "scheme");
	if (!scheme || strcmp(scheme, "int"))
		return fail(ld, -EINVAL, name, "scheme must be \"int\" for a quantized vector");
	if (!json_int(json_get(entry, "bits"), 2, 16, &bits))
		return fail(ld, -EINVAL, name, "bits missing or outside 2..16");
	lo = -(1ll << (bits - 1));
	hi = (1ll << (bits - 1)) - 1;
	if (!json_int(json_get(entry, "qmin"), INT64_MIN, INT64_MAX, &qmin) ||
	    !json_int(json_get(entry, "qmax"), INT64_MIN, INT64_MAX, &qmax) ||
	    qmin != lo || qmax != hi)
		return fail(ld, -EINVAL, name, "qmin/qmax inconsistent with int %lld bits (expected %lld/%lld)",
			    (long long)bits, (long long)lo, (long long)hi);
	if (!json_int(json_get(entry, "zero_point"), 0, 0, &zp))
		return fail(ld, -EINVAL, name, "zero_point must be 0");
	gran = json_str(entry, "granularity");
	if (!gran || strcmp(gran, "per_tensor"))
		return fail(ld, -EINVAL, name, "granularity must be \"per_tensor\" for a quantized vector");
	snprintf(scale_name, sizeof(scale_name), "%s_scale", name);
	scale = json_str(entry, "scale");
	if (!scale || strcmp(scale, scale_name))
		return fail(ld, -EINVAL, name, "scale must name \"%s\"", scale_name);
	raw = find_raw(ld, name);
	want = bits <= 8 ? DT_I8 : DT_I16;
	if (raw->dtype != want)
		return fail(ld, -EINVAL, name, "dtype %s, expected %s for %lld bits",
			    dtype_names[raw->dtype], dtype_names[want], (long long)bits);
	ret = extract_floats(ld, scale_name, true, &sc);
	if (ret)
		return ret;
	v = calloc(raw->count, sizeof(*v));
	if (!v) {
		free(sc);
		return fail(ld, -ENOMEM, name, "out of memory");
	}
	for (i = 0; i < raw->count; i++) {
		const uint8_t *p = ld->data + raw->begin + i * dtype_bytes[want];
		int16_t c = want == DT_I8 ? (int8_t)p[0] :
			    (int16_t)(uint16_t)(p[0] | p[1] << 8);

		if (c < lo || c > hi || (positive && c < 1)) {
			free(sc);
			free(v);
			return fail(ld, -EINVAL, name, "code %d at element %llu outside [%lld, %lld]",
				    c, (unsigned long long)i, positive ? 1ll : (long long)lo,
				    (long long)hi);
		}
		v[i] = (float)((double)c * (double)sc[0]);
	}
	free(sc);
	*out = v;
	return 0;
}

static bool is_scale_name(const char *name)
{
	size_t n = strlen(name);

	return n > 6 && !strcmp(name + n - 6, "_scale");
}

/* Float model, or a tensor that is always F32. */
static int load_float_tensor(struct loader *ld, const struct expected *e,
			     struct aimc_ssm_tensor *t)
{
	t->rows = e->rows;
	t->cols = e->cols;
	return extract_floats(ld, e->name, false, &t->values);
}

static int load_quant_tensor(struct loader *ld, const struct expected *e,
			     struct aimc_ssm_tensor *t)
{
	struct json_object *tensors = json_get(ld->quant, "tensors");
	struct json_object *entry = tensors ? json_get(tensors, e->name) : NULL;
	const char *scheme, *gran, *scale;
	int64_t bits, qmin, qmax, zp, lo, hi;
	char scale_name[80];
	struct raw_tensor *raw;
	enum dtype want;
	uint64_t i;
	int ret;

	if (!entry || !json_object_is_type(entry, json_type_object))
		return fail(ld, -EINVAL, e->name, "no quantization entry");
	scheme = json_str(entry, "scheme");
	if (scheme && !strcmp(scheme, "ternary")) {
		if (!json_int(json_get(entry, "bits"), 2, 2, &bits))
			return fail(ld, -EINVAL, e->name, "ternary must have bits = 2");
		lo = -1;
		hi = 1;
		t->ternary = true;
	} else if (scheme && !strcmp(scheme, "int")) {
		int64_t max_bits = e->kind == TK_QXBAR ? 8 : 16;

		if (!json_int(json_get(entry, "bits"), 2, max_bits, &bits))
			return fail(ld, -EINVAL, e->name, "bits missing or outside 2..%lld: the card cannot hold it",
				    (long long)max_bits);
		lo = -(1ll << (bits - 1));
		hi = (1ll << (bits - 1)) - 1;
	} else {
		return fail(ld, -EINVAL, e->name, "unknown scheme \"%.20s\"",
			    scheme ? scheme : "(missing)");
	}
	if (!json_int(json_get(entry, "qmin"), INT64_MIN, INT64_MAX, &qmin) ||
	    !json_int(json_get(entry, "qmax"), INT64_MIN, INT64_MAX, &qmax) ||
	    qmin != lo || qmax != hi)
		return fail(ld, -EINVAL, e->name, "qmin/qmax inconsistent with %s %lld bits (expected %lld/%lld)",
			    scheme, (long long)bits, (long long)lo, (long long)hi);
	if (!json_int(json_get(entry, "zero_point"), 0, 0, &zp))
		return fail(ld, -EINVAL, e->name, "zero_point must be 0 in version 1");
	gran = json_str(entry, "granularity");
	if (!gran || (strcmp(gran, "per_tensor") && strcmp(gran, "per_output_channel")) ||
	    (e->kind == TK_QSSM_D && strcmp(gran, "per_tensor")) ||
	    (e->kind == TK_QXBAR && strcmp(gran, "per_output_channel")))
		return fail(ld, -EINVAL, e->name, "granularity \"%.30s\" not allowed here (%s)",
			    gran ? gran : "(missing)",
			    e->kind == TK_QSSM_D ? "per_tensor" :
			    e->kind == TK_QXBAR ? "per_output_channel" :
			    "per_output_channel or per_tensor");
	snprintf(scale_name, sizeof(scale_name), "%s_scale", e->name);
	scale = json_str(entry, "scale");
	if (!scale || strcmp(scale, scale_name))
		return fail(ld, -EINVAL, e->name, "scale must name \"%s\"", scale_name);
	raw = find_raw(ld, e->name);
	want = bits <= 8 ? DT_I8 : DT_I16;
	if (raw->dtype != want)
		return fail(ld, -EINVAL, e->name, "dtype %s, expected %s for %lld bits",
			    dtype_names[raw->dtype], dtype_names[want], (long long)bits);
	t->rows = e->rows;
	t->cols = e->cols;
	t->bits = (uint32_t)bits;
	t->per_tensor = !strcmp(gran, "per_tensor");
	t->codes = calloc(raw->count, sizeof(*t->codes));
	if (!t->codes)
		return fail(ld, -ENOMEM, e->name, "out of memory");
	for (i = 0; i < raw->count; i++) {
		const uint8_t *p = ld->data + raw->begin + i * dtype_bytes[want];
		int16_t c = want == DT_I8 ? (int8_t)p[0] :
			    (int16_t)(uint16_t)(p[0] | p[1] << 8);

		if (c < lo || c > hi)
			return fail(ld, -EINVAL, e->name, "code %d at element %llu outside [%lld, %lld]",
				    c, (unsigned long long)i, (long long)lo,
				    (long long)hi);
		t->codes[i] = c;
	}
	ret = extract_vector(ld, scale_name, true, &t->scale);
	return ret;
}

struct slot_ref {
	struct aimc_ssm_tensor *tensor;	/* Q-able tensors */
	float **floats;			/* always-F32 vectors */
	float *scalar;			/* dac_scale */
};

/* Where the model keeps the expected tensor @name (NULL: nowhere). */
static struct slot_ref find_slot(struct aimc_ssm *m, const char *name)
{
	struct slot_ref r = { NULL, NULL, NULL };
	struct aimc_ssm_linear *lin = NULL;
	const char *rest;
	unsigned int l = 0;
	int used = 0;
	size_t i;

	if (!strncmp(name, "encoder.", 8)) {
		lin = &m->encoder;
		rest = name + 8;
	} else if (!strncmp(name, "decoder.", 8)) {
		lin = &m->decoder;
		rest = name + 8;
	} else if (sscanf(name, "layers.%u.%n", &l, &used) == 1 && used &&
		   l < m->n_layers) {
		struct aimc_ssm_layer *L = &m->layers[l];

		rest = name + used;
		if (!strncmp(rest, "ssm.", 4)) {
			struct aimc_ssm_tensor *ts[] = {
				&L->ssm.a_re, &L->ssm.a_im, &L->ssm.b_re,
				&L->ssm.b_im, &L->ssm.c_re, &L->ssm.c_im,
			};

			rest += 4;
			for (i = 0; i < 6; i++)
				if (!strcmp(rest, ssm_q_names[i]))
					r.tensor = ts[i];
			if (!strcmp(rest, "D"))
				r.tensor = &L->ssm.d;
			if (!strcmp(rest, "log_step"))
				r.floats = &L->ssm.log_step;
			return r;
		}
		if (!strcmp(rest, "norm.scale"))
			r.floats = &L->norm_scale;
		else if (!strcmp(rest, "norm.shift"))
			r.floats = &L->norm_shift;
		else if (!strncmp(rest, "mix.", 4)) {
			lin = &L->mix;
			rest += 4;
		}
	}
	if (!lin)
		return r;
	if (!strcmp(rest, "weight"))
		r.tensor = &lin->weight;
	else if (!strcmp(rest, "bias"))
		r.floats = &lin->bias;
	else if (!strcmp(rest, "adc_scale"))
		r.floats = &lin->adc_scale;
	else if (!strcmp(rest, "dac_scale"))
		r.scalar = &lin->dac_scale;
	return r;
}

static int load_tensors(struct loader *ld, const struct expected_list *el)
{
	struct aimc_ssm *m = ld->model;
	size_t i;
	int ret = 0;

	for (i = 0; i < el->n && !ret; i++) {
		const struct expected *e = &el->items[i];
		struct slot_ref r = find_slot(m, e->name);
		float *one = NULL;

		if (r.tensor && e->kind != TK_FLOAT && m->quantized) {
			ret = load_quant_tensor(ld, e, r.tensor);
		} else if (r.tensor) {
			ret = load_float_tensor(ld, e, r.tensor);
		} else if (r.floats) {
			ret = extract_vector(ld, e->name, is_scale_name(e->name),
					     r.floats);
		} else if (r.scalar) {
			ret = extract_floats(ld, e->name, true, &one);
			if (!ret)
				*r.scalar = one[0];
			free(one);
		}
		/* the scales of Q tensors: load_quant_tensor() reads them */
	}
	return ret;
}

static int check_quantization(struct loader *ld)
{
	struct aimc_ssm *m = ld->model;
	struct json_object *q = json_get(ld->quant, "quantized");
	int64_t v;

	if (!q || !json_object_is_type(q, json_type_boolean))
		return fail(ld, -EINVAL, "quantization", "quantized must be true or false");
	m->quantized = json_object_get_boolean(q);
	if (!m->quantized)
		return 0;
	if (!json_get(ld->quant, "tensors") ||
	    !json_object_is_type(json_get(ld->quant, "tensors"), json_type_object))
		return fail(ld, -EINVAL, "quantization", "tensors missing or not an object");
	if (!json_int(json_get(ld->quant, "dac_bits"), 2, 16, &v))
		return fail(ld, -EINVAL, "quantization", "dac_bits missing or not in 2..16");
	m->dac_bits = (uint32_t)v;
	if (!json_int(json_get(ld->quant, "adc_bits"), 2, 16, &v))
		return fail(ld, -EINVAL, "quantization", "adc_bits missing or not in 2..16");
	m->adc_bits = (uint32_t)v;
	return 0;
}

static int name_linears(struct aimc_ssm *m)
{
	char buf[32];
	uint32_t l;

	m->encoder.name = strdup("encoder");
	m->decoder.name = strdup("decoder");
	if (!m->encoder.name || !m->decoder.name)
		return -ENOMEM;
	for (l = 0; l < m->n_layers; l++) {
		snprintf(buf, sizeof(buf), "layers.%u.mix", l);
		m->layers[l].mix.name = strdup(buf);
		if (!m->layers[l].mix.name)
			return -ENOMEM;
	}
	return 0;
}

static int load(struct loader *ld, const uint8_t *buf, size_t size)
{
	struct expected_list el = { NULL, 0, 0 };
	struct json_object *meta;
	const char *prov;
	int ret;

	ret = read_container(ld, buf, size);
	if (ret)
		return ret;
	meta = json_get(ld->header, "__metadata__");
	ret = check_version(ld, meta);
	if (!ret)
		ret = meta_json(ld, meta, "config", &ld->config);
	if (!ret)
		ret = meta_json(ld, meta, "quantization", &ld->quant);
	if (!ret)
		ret = meta_json(ld, meta, "pruning", &ld->pruning);
	if (!ret)
		ret = check_config(ld);
	if (!ret)
		ret = check_pruning(ld);
	if (!ret)
		ret = check_quantization(ld);
	if (ret)
		return ret;
	if (build_expected(ld, &el) || name_linears(ld->model)) {
		free(el.items);
		return fail(ld, -ENOMEM, "header", "out of memory");
	}
	ret = check_names_and_shapes(ld, &el);
	if (!ret)
		ret = load_tensors(ld, &el);
	free(el.items);
	if (ret)
		return ret;
	prov = json_str(meta, "provenance");
	if (prov) {
		ld->model->provenance = strdup(prov);
		if (!ld->model->provenance)
			return fail(ld, -ENOMEM, "provenance", "out of memory");
	}
	return 0;
}

int aimc_ssm_load_buffer(const void *data, size_t size, const char *name,
			 struct aimc_ssm **out)
{
	struct loader ld = { .file = name ? name : "(buffer)" };
	int ret;

	if (!out || (!data && size))
		return aimc_set_error(-EINVAL, "aimc_ssm_load_buffer: NULL argument");
	*out = NULL;
	ld.model = calloc(1, sizeof(*ld.model));
	if (!ld.model)
		return fail(&ld, -ENOMEM, "model", "out of memory");
	ld.model->path = strdup(ld.file);
	if (!ld.model->path)
		ret = fail(&ld, -ENOMEM, "model", "out of memory");
	else
		ret = load(&ld, data ? data : (const void *)"", size);
	json_object_put(ld.header);
	json_object_put(ld.config);
	json_object_put(ld.quant);
	json_object_put(ld.pruning);
	free(ld.tensors);
	if (ret) {
		aimc_ssm_free(ld.model);
		return ret;
	}
	*out = ld.model;
	return 0;
}

int aimc_ssm_load(const char *path, struct aimc_ssm **out)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	ssize_t n;
	int fd, err, ret;

	if (!path || !out)
		return aimc_set_error(-EINVAL, "aimc_ssm_load: NULL argument");
	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		return aimc_set_error(-err, "%s: cannot open: %s", path, strerror(err));
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return aimc_set_error(-EINVAL, "%s: not a regular file", path);
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return aimc_set_error(-ENOMEM, "%s: out of memory for %lld bytes",
				      path, (long long)st.st_size);
	}
	while (done < (size_t)st.st_size) {
		n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n <= 0) {
			err = n < 0 ? errno : EIO;
			if (n < 0 && err == EINTR)
				continue;
			free(buf);
			close(fd);
			return aimc_set_error(-err, "%s: read: %s", path,
					      n < 0 ? strerror(err) : "file shrank");
		}
		done += (size_t)n;
	}
	close(fd);
	ret = aimc_ssm_load_buffer(buf, done, path, out);
	free(buf);
	return ret;
}

static void free_tensor(struct aimc_ssm_tensor *t)
{
	free(t->codes);
	free(t->scale);
	free(t->values);
}

static void free_linear(struct aimc_ssm_linear *lin)
{
	free((char *)lin->name);
	free_tensor(&lin->weight);
	free(lin->bias);
	free(lin->adc_scale);
}

void aimc_ssm_free(struct aimc_ssm *m)
{
	uint32_t l;

	if (!m)
		return;
	for (l = 0; m->layers && l < m->n_layers; l++) {
		struct aimc_ssm_layer *L = &m->layers[l];

		free(L->ssm.kept_modes);
		free_tensor(&L->ssm.a_re);
		free_tensor(&L->ssm.a_im);
		free_tensor(&L->ssm.b_re);
		free_tensor(&L->ssm.b_im);
		free_tensor(&L->ssm.c_re);
		free_tensor(&L->ssm.c_im);
		free_tensor(&L->ssm.d);
		free(L->ssm.log_step);
		free_linear(&L->mix);
		free(L->norm_scale);
		free(L->norm_shift);
	}
	free(m->layers);
	free_linear(&m->encoder);
	free_linear(&m->decoder);
	free(m->kept_channels);
	free(m->path);
	free(m->provenance);
	free(m);
}
