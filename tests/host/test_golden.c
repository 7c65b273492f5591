// SPDX-License-Identifier: MIT
/*
 * Golden vectors (issue 7): the trainer's own implementation of the
 * integer contract (tools/qat/aimc_qat/golden.py, numpy) against libaimc.
 * A shipped model file is opened with aimc_net_open() on a noise-free sim
 * card; every sequence of its committed vectors file is pushed through a
 * stream, and every per-step output, every logit and every prediction
 * must equal the trainer's, bit for bit (the DAC codes and the C integer
 * reference, ref_int.c, are compared too).  The comparison reports the
 * first mismatching index; corrupted vectors and a changed input must be
 * caught at that index.
 *
 * Files are found relative to the source tree: the current directory
 * (make check-host runs from the top) or $AIMC_SRCDIR.
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"
#include "aimc_net.h"
#include "aimc_stream.h"
#include "../../runtime/compile.h"
#include "../../runtime/stream_internal.h"

struct golden_case {
	const char *model;
	const char *vectors;
};

static const struct golden_case cases[] = {
	{ "tools/qat/models/digits-qat4-pruned.safetensors",
	  "tools/qat/models/golden/digits-qat4-pruned.vectors.safetensors" },
	{ "tools/qat/models/digits-qat8-pruned.safetensors",
	  "tools/qat/models/golden/digits-qat8-pruned.vectors.safetensors" },
};

#define N_CASES	(sizeof(cases) / sizeof(cases[0]))

/* A vectors file (golden.py's docstring): N sequences of T steps */
struct golden {
	uint32_t n, t, d_input, hk, k;
	float *inputs;		/* N x T x I */
	int8_t *dac;		/* N x T x I */
	int32_t *outputs;	/* N x T x Hk, Q16 */
	int32_t *logits;	/* N x K, Q16 */
	int16_t *pred;		/* N */
	char model[256];	/* metadata: the model's file name */
};

/* What one run produced, in the layout of struct golden */
struct run {
	int32_t *outputs;
	int32_t *logits;
	int16_t *pred;
};

static char *path_of(const char *rel)
{
	const char *top = getenv("AIMC_SRCDIR");
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", top ? top : ".", rel), 0);
	return p;
}

static uint8_t *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	ck_assert_msg(f, "%s: %s (run from the source tree or set AIMC_SRCDIR)",
		      path, strerror(errno));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	ck_assert_int_gt(len, 8);
	rewind(f);
	buf = malloc((size_t)len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*size = (size_t)len;
	return buf;
}

static const char *meta_str(struct json_object *hdr, const char *key)
{
	struct json_object *meta, *v;

	ck_assert(json_object_object_get_ex(hdr, "__metadata__", &meta));
	if (!json_object_object_get_ex(meta, key, &v))
		return "";
	return json_object_get_string(v);
}

/*
 * Tensor @name of the container: checks dtype and shape (@ndim entries
 * of @shape, 0 = take the file's and store it) and copies the data.
 */
static void *tensor(struct json_object *hdr, const uint8_t *data,
		    size_t data_size, const char *name, const char *dtype,
		    size_t elem, uint32_t ndim, uint32_t *shape)
{
	struct json_object *t, *v, *sh, *off;
	size_t n = 1, begin, end;
	uint32_t d;
	void *out;

	ck_assert_msg(json_object_object_get_ex(hdr, name, &t), "no tensor %s", name);
	ck_assert(json_object_object_get_ex(t, "dtype", &v));
	ck_assert_msg(!strcmp(json_object_get_string(v), dtype), "%s: dtype %s, want %s",
		      name, json_object_get_string(v), dtype);
	ck_assert(json_object_object_get_ex(t, "shape", &sh));
	ck_assert_uint_eq(json_object_array_length(sh), ndim);
	for (d = 0; d < ndim; d++) {
		uint32_t dim = (uint32_t)json_object_get_int64(json_object_array_get_idx(sh, d));

		if (!shape[d])
			shape[d] = dim;
		ck_assert_msg(dim == shape[d], "%s: dimension %u is %u, want %u",
			      name, d, dim, shape[d]);
		n *= dim;
	}
	ck_assert(json_object_object_get_ex(t, "data_offsets", &off));
	begin = (size_t)json_object_get_int64(json_object_array_get_idx(off, 0));
	end = (size_t)json_object_get_int64(json_object_array_get_idx(off, 1));
	ck_assert_msg(end - begin == n * elem && end <= data_size && begin <= end,
		      "%s: bad data_offsets", name);
	out = malloc(n * elem);
	ck_assert_ptr_nonnull(out);
	memcpy(out, data + begin, n * elem);	/* little-endian host */
	return out;
}

static void golden_load(const char *rel, struct golden *g)
{
	char *path = path_of(rel);
	size_t size, hlen = 0;
	uint8_t *buf = read_all(path, &size);
	struct json_object *hdr;
	uint32_t s3[3] = { 0 }, s2[2], s1[1];
	char *text;
	int i;

	memset(g, 0, sizeof(*g));
	for (i = 7; i >= 0; i--)
		hlen = hlen << 8 | buf[i];
	ck_assert_msg(hlen >= 2 && hlen <= size - 8, "%s: bad header length", path);
	text = strndup((const char *)buf + 8, hlen);
	ck_assert_ptr_nonnull(text);
	hdr = json_tokener_parse(text);
	free(text);
	ck_assert_msg(hdr, "%s: header is not JSON", path);
	ck_assert_str_eq(meta_str(hdr, "format"), "aimc-ssm-vectors");
	ck_assert_str_eq(meta_str(hdr, "format_version"), "2");
	ck_assert_str_eq(meta_str(hdr, "contract"), "integer-inference-3");
	ck_assert_str_eq(meta_str(hdr, "exact"), "true");
	snprintf(g->model, sizeof(g->model), "%s", meta_str(hdr, "model"));

	g->inputs = tensor(hdr, buf + 8 + hlen, size - 8 - hlen, "inputs", "F32",
			   4, 3, s3);
	g->n = s3[0];
	g->t = s3[1];
	g->d_input = s3[2];
	g->dac = tensor(hdr, buf + 8 + hlen, size - 8 - hlen, "dac_codes", "I8",
			1, 3, s3);
	s3[2] = 0;
	g->outputs = tensor(hdr, buf + 8 + hlen, size - 8 - hlen, "outputs",
			    "I32", 4, 3, s3);
	g->hk = s3[2];
	s2[0] = g->n;
	s2[1] = 0;
	g->logits = tensor(hdr, buf + 8 + hlen, size - 8 - hlen, "logits", "I32",
			   4, 2, s2);
	g->k = s2[1];
	s1[0] = g->n;
	g->pred = tensor(hdr, buf + 8 + hlen, size - 8 - hlen, "predictions",
			 "I16", 2, 1, s1);
	ck_assert_uint_gt(g->n, 0);
	ck_assert_uint_gt(g->t, 0);
	json_object_put(hdr);
	free(buf);
	free(path);
}

static void golden_free(struct golden *g)
{
	free(g->inputs);
	free(g->dac);
	free(g->outputs);
	free(g->logits);
	free(g->pred);
}

static void run_alloc(const struct golden *g, struct run *r)
{
	r->outputs = calloc((size_t)g->n * g->t * g->hk, sizeof(int32_t));
	r->logits = calloc((size_t)g->n * g->k, sizeof(int32_t));
	r->pred = calloc(g->n, sizeof(int16_t));
	ck_assert(r->outputs && r->logits && r->pred);
}

static void run_free(struct run *r)
{
	free(r->outputs);
	free(r->logits);
	free(r->pred);
}

static int16_t argmax(const int32_t *v, uint32_t k)
{
	uint32_t i, best = 0;

	for (i = 1; i < k; i++)
		if (v[i] > v[best])
			best = i;
	return (int16_t)best;
}

/*
 * Index of the first difference between @r and @g: per-step outputs
 * first (sequence, step, channel order), then the logits, then the
 * predictions, as one index space; -1 if they are equal.  @where says
 * what the index is.
 */
static long first_mismatch(const struct golden *g, const struct run *r,
			   char *where, size_t size)
{
	size_t no = (size_t)g->n * g->t * g->hk, nl = (size_t)g->n * g->k, i;

	for (i = 0; i < no; i++)
		if (r->outputs[i] != g->outputs[i]) {
			snprintf(where, size, "sequence %zu step %zu channel %zu: output %d, golden %d",
				 i / ((size_t)g->t * g->hk), i / g->hk % g->t,
				 i % g->hk, r->outputs[i], g->outputs[i]);
			return (long)i;
		}
	for (i = 0; i < nl; i++)
		if (r->logits[i] != g->logits[i]) {
			snprintf(where, size, "sequence %zu logit %zu: %d, golden %d",
				 i / g->k, i % g->k, r->logits[i], g->logits[i]);
			return (long)(no + i);
		}
	for (i = 0; i < g->n; i++)
		if (r->pred[i] != g->pred[i]) {
			snprintf(where, size, "sequence %zu prediction %d, golden %d",
				 i, r->pred[i], g->pred[i]);
			return (long)(no + nl + i);
		}
	snprintf(where, size, "equal");
	return -1;
}

static struct aimc_device *open_noise_free(void)
{
	struct aimc_sim_options o;
	struct aimc_device *dev;

	memset(&o, 0, sizeof(o));
	o.seed = 1;
	o.flags = AIMC_SIM_NOISE_FREE;
	ck_assert_msg(aimc_device_open_sim(&o, &dev) == 0, "%s", aimc_last_error());
	return dev;
}

static struct aimc_net *open_model(struct aimc_device *dev, const char *rel,
				   const struct golden *g)
{
	char *path = path_of(rel);
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	struct aimc_net_info info;
	struct aimc_net *net;
	int ret = aimc_net_open(dev, path, 0, &net);

	ck_assert_msg(ret == 0, "aimc_net_open %s: %d %s", path, ret, aimc_last_error());
	ck_assert_str_eq(g->model, base);
	ck_assert_int_eq(aimc_net_info(net, &info, sizeof(info)), 0);
	ck_assert_uint_eq(info.d_input, g->d_input);
	ck_assert_uint_eq(info.d_output, g->hk);
	ck_assert_uint_eq(info.n_classes, g->k);
	ck_assert_uint_le(g->t, info.max_chunk);
	free(path);
	return net;
}

/* Every sequence from a reset stream, one push of T steps, on the card */
static void run_card(struct aimc_net *net, const struct golden *g,
		     const float *inputs, struct run *r)
{
	size_t step_in = (size_t)g->t * g->d_input, step_out = (size_t)g->t * g->hk;
	struct aimc_stream *s;
	uint32_t i;
	int ret;

	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	ck_assert_int_eq(aimc_stream_set_chunk(s, g->t), 0);
	for (i = 0; i < g->n; i++) {
		if (i)
			ck_assert_int_eq(aimc_stream_reset(s), 0);
		ret = aimc_stream_push(s, inputs + i * step_in, g->d_input, g->t, NULL);
		ck_assert_msg(ret == 0, "push: %d %s", ret, aimc_last_error());
		memcpy(r->outputs + i * step_out, aimc_stream_raw(s),
		       step_out * sizeof(int32_t));
		ck_assert_int_eq(aimc_stream_finish_raw(s, r->logits + (size_t)i * g->k), 0);
		r->pred[i] = argmax(r->logits + (size_t)i * g->k, g->k);
	}
	ck_assert_int_eq(aimc_stream_close(s), 0);
}

/* The same through the C integer reference; DAC codes checked on the way */
static void run_ref_int(struct aimc_net *net, const struct golden *g,
			struct run *r)
{
	size_t step_in = (size_t)g->t * g->d_input;
	struct aimc_ref_int *ref;
	int8_t xq[AIMC_INT_MAX_IO];
	uint32_t i, t, j;

	ck_assert_int_eq(aimc_ref_int_create(net->im, &ref), 0);
	for (i = 0; i < g->n; i++) {
		aimc_ref_int_reset(ref);
		for (t = 0; t < g->t; t++) {
			size_t at = i * step_in + (size_t)t * g->d_input;

			ck_assert_int_eq(aimc_int_quantize_input(net->im, g->inputs + at, xq), 0);
			for (j = 0; j < g->d_input; j++)
				ck_assert_msg(xq[j] == g->dac[at + j],
					      "sequence %u step %u input %u: DAC code %d, golden %d",
					      i, t, j, xq[j], g->dac[at + j]);
			aimc_ref_int_step(ref, xq, r->outputs +
					  ((size_t)i * g->t + t) * g->hk);
		}
		aimc_ref_int_finish(ref, r->logits + (size_t)i * g->k);
		r->pred[i] = argmax(r->logits + (size_t)i * g->k, g->k);
	}
	aimc_ref_int_free(ref);
}

START_TEST(card_reproduces_golden_vectors)
{
	const struct golden_case *c = &cases[_i];
	struct aimc_device *dev = open_noise_free();
	struct golden g;
	struct aimc_net *net;
	struct run card, ref;
	char where[160];
	long bad;

	golden_load(c->vectors, &g);
	net = open_model(dev, c->model, &g);
	run_alloc(&g, &card);
	run_alloc(&g, &ref);
	run_card(net, &g, g.inputs, &card);
	bad = first_mismatch(&g, &card, where, sizeof(where));
	ck_assert_msg(bad < 0, "%s: card differs from the golden vectors at %ld: %s (model retrained? regenerate its vectors: tools/qat/README.md)",
		      c->vectors, bad, where);
	run_ref_int(net, &g, &ref);
	bad = first_mismatch(&g, &ref, where, sizeof(where));
	ck_assert_msg(bad < 0, "%s: ref_int differs from the golden vectors at %ld: %s",
		      c->vectors, bad, where);
	if (getenv("AIMC_TEST_VERBOSE"))
		printf("%s: %u sequences x %u steps x %u channels and %u x %u logits bit-exact\n",
		       c->vectors, g.n, g.t, g.hk, g.n, g.k);
	run_free(&card);
	run_free(&ref);
	aimc_net_close(net);
	aimc_device_close(dev);
	golden_free(&g);
}
END_TEST

/* The comparison must fail, at the right index, on wrong vectors */
START_TEST(corrupted_vectors_are_caught)
{
	const struct golden_case *c = &cases[0];
	struct aimc_device *dev = open_noise_free();
	size_t no, nl, at, step_in;
	struct golden g;
	struct aimc_net *net;
	struct run card;
	char where[160];
	float *inputs;
	long bad;

	golden_load(c->vectors, &g);
	net = open_model(dev, c->model, &g);
	no = (size_t)g.n * g.t * g.hk;
	nl = (size_t)g.n * g.k;
	run_alloc(&g, &card);
	run_card(net, &g, g.inputs, &card);
	ck_assert_int_eq(first_mismatch(&g, &card, where, sizeof(where)), -1);

	/* one bit of one per-step output, in the middle */
	at = no / 2 + 3;
	g.outputs[at] ^= 1;
	ck_assert_int_eq(first_mismatch(&g, &card, where, sizeof(where)), (long)at);
	g.outputs[at] ^= 1;
	/* the last output of the last step, and a logit */
	g.outputs[no - 1] += 1;
	ck_assert_int_eq(first_mismatch(&g, &card, where, sizeof(where)), (long)(no - 1));
	g.outputs[no - 1] -= 1;
	g.logits[nl - 2] -= 1;
	ck_assert_int_eq(first_mismatch(&g, &card, where, sizeof(where)), (long)(no + nl - 2));
	g.logits[nl - 2] += 1;
	g.pred[1] = (int16_t)((g.pred[1] + 1) % g.k);
	ck_assert_int_eq(first_mismatch(&g, &card, where, sizeof(where)), (long)(no + nl + 1));
	g.pred[1] = (int16_t)((g.pred[1] + g.k - 1) % g.k);
	ck_assert_int_eq(first_mismatch(&g, &card, where, sizeof(where)), -1);

	/*
	 * A sample at the other end of the DAC's range at step T/2 of
	 * sequence 1: the card's outputs leave the golden ones at that step
	 * (never before it, and within that sequence).
	 */
	step_in = (size_t)g.t * g.d_input;
	inputs = malloc(g.n * step_in * sizeof(float));
	ck_assert_ptr_nonnull(inputs);
	memcpy(inputs, g.inputs, g.n * step_in * sizeof(float));
	at = step_in + (size_t)(g.t / 2) * g.d_input;
	inputs[at] = inputs[at] > 0 ? -1000.0f : 1000.0f;
	run_card(net, &g, inputs, &card);
	bad = first_mismatch(&g, &card, where, sizeof(where));
	ck_assert_msg(bad >= (long)(((size_t)g.t + g.t / 2) * g.hk) &&
		      bad < (long)(2 * (size_t)g.t * g.hk),
		      "changed input at sequence 1 step %u: first mismatch %ld (%s)",
		      g.t / 2, bad, where);
	free(inputs);
	run_free(&card);
	aimc_net_close(net);
	aimc_device_close(dev);
	golden_free(&g);
}
END_TEST

Suite *golden_suite(void)
{
	Suite *s = suite_create("golden");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, card_reproduces_golden_vectors, 0, N_CASES);
	tcase_add_test(tc, corrupted_vectors_are_caught);
	suite_add_tcase(s, tc);
	return s;
}
