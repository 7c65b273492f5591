// SPDX-License-Identifier: MIT
/*
 * Streaming inference on the sim backend against the two C references:
 * bit-exact with the integer reference on a noise-free card over 1200
 * steps and several chunk sizes, 16 concurrent streams equal to 16
 * sequential ones, the asynchronous form, every bad input with its errno,
 * and the noisy card within a stated bound of the float reference.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "aimc.h"
#include "../../runtime/compile.h"
#include "../../runtime/stream_internal.h"
#include "../../runtime/diag/synth_model.h"

#define I_DIM	3
#define HK	16
#define LAYERS	3
#define MODES	8
#define K	5
#define STEPS	1200

static void make_input(unsigned seed, float *u, uint32_t steps)
{
	uint32_t t, i;

	srand(seed);
	for (t = 0; t < steps; t++)
		for (i = 0; i < I_DIM; i++)
			u[t * I_DIM + i] = (float)(1.2 * sin(0.05 * t * (i + 1) + seed) +
						   0.6 * (rand() / (double)RAND_MAX - 0.5));
}

static struct aimc_device *open_sim(bool noise_free, uint64_t seed)
{
	struct aimc_sim_options o;
	struct aimc_device *dev;

	memset(&o, 0, sizeof(o));
	o.seed = seed;
	o.flags = noise_free ? AIMC_SIM_NOISE_FREE : 0;
	ck_assert_msg(aimc_device_open_sim(&o, &dev) == 0, "%s", aimc_last_error());
	return dev;
}

static struct aimc_net *open_net(struct aimc_device *dev, struct testmodel *tm,
				 uint32_t flags)
{
	struct aimc_net *net;
	int ret = aimc_net_create(dev, &tm->m, NULL, flags, &net);

	ck_assert_msg(ret == 0, "aimc_net_create: %d %s", ret, aimc_last_error());
	return net;
}

/* The integer reference over the whole input: h per step and logits */
static void ref_int_run(const struct aimc_net *net, const float *u,
			uint32_t steps, int32_t *h, int32_t *logits)
{
	struct aimc_ref_int *r;
	int8_t xq[I_DIM];
	uint32_t t;

	ck_assert_int_eq(aimc_ref_int_create(net->im, &r), 0);
	for (t = 0; t < steps; t++) {
		ck_assert_int_eq(aimc_int_quantize_input(net->im, u + t * I_DIM, xq), 0);
		aimc_ref_int_step(r, xq, h + (size_t)t * HK);
	}
	aimc_ref_int_finish(r, logits);
	aimc_ref_int_free(r);
}

/* Push @steps in pushes of @per_push, keeping the card's raw outputs */
static void stream_run(struct aimc_stream *s, const float *u, uint32_t steps,
		       uint32_t per_push, int32_t *h)
{
	uint32_t t = 0;

	while (t < steps) {
		uint32_t n = steps - t < per_push ? steps - t : per_push;
		int ret = aimc_stream_push(s, u + t * I_DIM, I_DIM, n, NULL);

		ck_assert_msg(ret == 0, "push: %d %s", ret, aimc_last_error());
		/* raw holds the last chunk only: push at most one chunk */
		memcpy(h + (size_t)t * HK, aimc_stream_raw(s), sizeof(int32_t) * n * HK);
		t += n;
	}
}

START_TEST(noise_free_bit_exact_every_chunk_size)
{
	static const uint32_t chunks[] = { 1, 7, 64, 250 };
	struct testmodel *tm = testmodel_new(11, I_DIM, HK, LAYERS, MODES, K);
	struct aimc_device *dev = open_sim(true, 1);
	struct aimc_net *net = open_net(dev, tm, 0);
	static float u[STEPS * I_DIM];
	static int32_t ref[STEPS * HK], card[STEPS * HK];
	int32_t ref_logits[K], logits[K];
	uint32_t c, i, nonzero = 0;

	make_input(3, u, STEPS);
	ref_int_run(net, u, STEPS, ref, ref_logits);
	for (i = 0; i < STEPS * HK; i++)
		nonzero += ref[i] != 0;
	ck_assert_uint_gt(nonzero, STEPS * HK / 2);
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct aimc_stream *s;

		ck_assert_int_eq(aimc_stream_open(net, &s), 0);
		ck_assert_int_eq(aimc_stream_set_chunk(s, chunks[c]), 0);
		stream_run(s, u, STEPS, chunks[c], card);
		for (i = 0; i < STEPS * HK; i++)
			ck_assert_msg(card[i] == ref[i],
				      "chunk %u: step %u channel %u: card %d, reference %d",
				      chunks[c], i / HK, i % HK, card[i], ref[i]);
		ck_assert_int_eq(aimc_stream_finish_raw(s, logits), 0);
		for (i = 0; i < K; i++)
			ck_assert_int_eq(logits[i], ref_logits[i]);
		ck_assert_int_eq(aimc_stream_close(s), 0);
	}
	aimc_net_close(net);
	aimc_device_close(dev);
	testmodel_free(tm);
}
END_TEST

/*
 * One push of many chunks equals the reference, and the next sequence on
 * the same stream does too: a finish starts a new sequence by itself.
 */
START_TEST(push_across_chunks_and_reset)
{
	struct testmodel *tm = testmodel_new(12, I_DIM, HK, 2, MODES, K);
	struct aimc_device *dev = open_sim(true, 2);
	struct aimc_net *net = open_net(dev, tm, 0);
	static float u[300 * I_DIM], out[300 * HK];
	static int32_t ref[300 * HK];
	int32_t ref_logits[K];
	float logits[K];
	struct aimc_stream *s;
	uint32_t i, round;

	make_input(4, u, 300);
	ref_int_run(net, u, 300, ref, ref_logits);
	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	ck_assert_int_eq(aimc_stream_set_chunk(s, 32), 0);
	for (round = 0; round < 2; round++) {
		ck_assert_int_eq(aimc_stream_push(s, u, I_DIM, 300, out), 0);
		for (i = 0; i < 300 * HK; i++)
			ck_assert_msg(out[i] == (float)(ref[i] / 65536.0),
				      "round %u value %u", round, i);
		ck_assert_int_eq(aimc_stream_finish(s, logits, 0), 0);
		for (i = 0; i < K; i++)
			ck_assert(logits[i] == (float)(ref_logits[i] / 65536.0));
	}
	ck_assert_int_eq(aimc_stream_close(s), 0);
	aimc_net_close(net);
	aimc_device_close(dev);
	testmodel_free(tm);
}
END_TEST

/*
 * AIMC_FINISH_KEEP_STATE: the logits of the sequence so far, and the
 * next push carries on from the same state (the reference runs the
 * whole input as one sequence).
 */
START_TEST(finish_keep_state_continues)
{
	struct testmodel *tm = testmodel_new(18, I_DIM, HK, 2, MODES, K);
	struct aimc_device *dev = open_sim(true, 2);
	struct aimc_net *net = open_net(dev, tm, 0);
	static float u[200 * I_DIM], out[100 * HK];
	static int32_t ref[200 * HK];
	int32_t ref_logits[K];
	float logits[K];
	struct aimc_stream *s;
	uint32_t i;

	make_input(8, u, 200);
	ref_int_run(net, u, 200, ref, ref_logits);
	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	ck_assert_int_eq(aimc_stream_push(s, u, I_DIM, 100, NULL), 0);
	ck_assert_int_eq(aimc_stream_finish(s, logits, AIMC_FINISH_KEEP_STATE), 0);
	ck_assert_int_eq(aimc_stream_push(s, u + 100 * I_DIM, I_DIM, 100, out), 0);
	for (i = 0; i < 100 * HK; i++)
		ck_assert_msg(out[i] == (float)(ref[100 * HK + i] / 65536.0),
			      "value %u after a finish that keeps the state", i);
	/* without the flag the same push starts over: the first 100 steps */
	ck_assert_int_eq(aimc_stream_finish(s, logits, 0), 0);
	ck_assert_int_eq(aimc_stream_push(s, u, I_DIM, 100, out), 0);
	for (i = 0; i < 100 * HK; i++)
		ck_assert(out[i] == (float)(ref[i] / 65536.0));
	ck_assert_int_eq(aimc_stream_close(s), 0);
	aimc_net_close(net);
	aimc_device_close(dev);
	testmodel_free(tm);
}
END_TEST

#define NSTREAMS	16
#define CSTEPS		200

START_TEST(sixteen_concurrent_equal_sequential)
{
	struct testmodel *tm = testmodel_new(13, I_DIM, HK, LAYERS, MODES, K);
	struct aimc_device *dev = open_sim(false, 5);
	struct aimc_net *net = open_net(dev, tm, 0);
	struct aimc_stream *s[NSTREAMS];
	static float u[NSTREAMS][CSTEPS * I_DIM];
	static int32_t conc[NSTREAMS][CSTEPS * HK], seq[CSTEPS * HK];
	int32_t lc[NSTREAMS][K], ls[K];
	uint32_t i, t;

	for (i = 0; i < NSTREAMS; i++) {
		make_input(100 + i, u[i], CSTEPS);
		ck_assert_msg(aimc_stream_open(net, &s[i]) == 0, "stream %u: %s", i,
			      aimc_last_error());
		ck_assert_int_eq(aimc_stream_set_chunk(s[i], 25), 0);
	}
	/*
	 * Noise-free the outputs of a stream cannot depend on the others;
	 * this runs on the default noisy card, where read noise makes each
	 * run differ, so it compares noise-free below and here checks only
	 * that interleaving works and every stream completes.
	 */
	for (t = 0; t < CSTEPS; t += 25)
		for (i = 0; i < NSTREAMS; i++) {
			ck_assert_int_eq(aimc_stream_push(s[i], u[i] + t * I_DIM, I_DIM, 25,
							  NULL), 0);
			memcpy(conc[i] + t * HK, aimc_stream_raw(s[i]),
			       sizeof(int32_t) * 25 * HK);
		}
	for (i = 0; i < NSTREAMS; i++) {
		ck_assert_int_eq(aimc_stream_finish_raw(s[i], lc[i]), 0);
		ck_assert_int_eq(aimc_stream_close(s[i]), 0);
	}
	aimc_net_close(net);
	aimc_device_close(dev);

	/* noise-free: concurrent == sequential, bit for bit */
	dev = open_sim(true, 5);
	net = open_net(dev, tm, 0);
	for (i = 0; i < NSTREAMS; i++) {
		ck_assert_int_eq(aimc_stream_open(net, &s[i]), 0);
		ck_assert_int_eq(aimc_stream_set_chunk(s[i], 25), 0);
	}
	for (t = 0; t < CSTEPS; t += 25)
		for (i = 0; i < NSTREAMS; i++) {
			ck_assert_int_eq(aimc_stream_push(s[i], u[i] + t * I_DIM, I_DIM, 25,
							  NULL), 0);
			memcpy(conc[i] + t * HK, aimc_stream_raw(s[i]),
			       sizeof(int32_t) * 25 * HK);
		}
	for (i = 0; i < NSTREAMS; i++) {
		ck_assert_int_eq(aimc_stream_finish_raw(s[i], lc[i]), 0);
		ck_assert_int_eq(aimc_stream_close(s[i]), 0);
	}
	for (i = 0; i < NSTREAMS; i++) {
		struct aimc_stream *one;
		uint32_t k;

		ck_assert_int_eq(aimc_stream_open(net, &one), 0);
		ck_assert_int_eq(aimc_stream_set_chunk(one, 40), 0);
		stream_run(one, u[i], CSTEPS, 40, seq);
		ck_assert_int_eq(aimc_stream_finish_raw(one, ls), 0);
		ck_assert_int_eq(memcmp(seq, conc[i], sizeof(seq)), 0);
		for (k = 0; k < K; k++)
			ck_assert_int_eq(ls[k], lc[i][k]);
		ck_assert_int_eq(aimc_stream_close(one), 0);
	}
	aimc_net_close(net);
	aimc_device_close(dev);
	testmodel_free(tm);
}
END_TEST

START_TEST(async_submit_poll_wait)
{
	struct testmodel *tm = testmodel_new(14, I_DIM, HK, 2, MODES, K);
	struct aimc_device *dev = open_sim(true, 1);
	struct aimc_net *net = open_net(dev, tm, 0);
	static float u[100 * I_DIM], out[100 * HK];
	static int32_t ref[100 * HK];
	int32_t ref_logits[K];
	float logits[K];
	struct aimc_stream *s;
	struct pollfd p;
	uint32_t i;

	make_input(6, u, 100);
	ref_int_run(net, u, 100, ref, ref_logits);
	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	ck_assert_int_eq(aimc_stream_set_chunk(s, 50), 0);
	ck_assert_int_eq(aimc_stream_fd(s), -EINVAL);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "aimc_stream_fd: nothing is pending"));
	ck_assert_int_eq(aimc_stream_wait(s, 0, out), -EINVAL);
	ck_assert_int_eq(aimc_stream_submit(s, u, I_DIM, 51), -EMSGSIZE);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "at most the chunk, 50"));
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(aimc_stream_submit(s, u + i * 50 * I_DIM, I_DIM, 50), 0);
		ck_assert_int_eq(aimc_stream_push(s, u, I_DIM, 1, NULL), -EBUSY);
		p.fd = aimc_stream_fd(s);
		p.events = POLLIN;
		ck_assert_int_ge(p.fd, 0);
		ck_assert_int_eq(poll(&p, 1, 5000), 1);
		ck_assert_int_eq(aimc_stream_wait(s, -1, out + i * 50 * HK), 0);
	}
	for (i = 0; i < 100 * HK; i++)
		ck_assert(out[i] == (float)(ref[i] / 65536.0));
	/* the finish too: the decoder's logits through the fd */
	ck_assert_int_eq(aimc_stream_submit_finish(s, 0), 0);
	ck_assert_int_eq(aimc_stream_push(s, u, I_DIM, 1, NULL), -EBUSY);
	p.fd = aimc_stream_fd(s);
	ck_assert_int_ge(p.fd, 0);
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	ck_assert_int_eq(aimc_stream_wait(s, 0, logits), 0);
	for (i = 0; i < K; i++)
		ck_assert(logits[i] == (float)(ref_logits[i] / 65536.0));
	ck_assert_int_eq(aimc_stream_wait(s, 0, logits), -EINVAL);
	ck_assert_int_eq(aimc_stream_submit_finish(s, 0x2), -EINVAL);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "unknown flags 0x2"));
	ck_assert_int_eq(aimc_stream_close(s), 0);
	aimc_net_close(net);
	aimc_device_close(dev);
	testmodel_free(tm);
}
END_TEST

START_TEST(bad_inputs_exact_errors_others_unharmed)
{
	struct testmodel *tm = testmodel_new(15, I_DIM, HK, 2, MODES, K);
	struct aimc_device *dev = open_sim(true, 1);
	struct aimc_net *net = open_net(dev, tm, 0), *raw_net;
	struct aimc_stream *s[17], *good, *closed;
	static float u[64 * I_DIM];
	static int32_t ref[64 * HK], card[64 * HK];
	int32_t ref_logits[K];
	float bad[2 * I_DIM];
	uint32_t i, n = 0;
	int ret;

	make_input(7, u, 64);
	ref_int_run(net, u, 64, ref, ref_logits);
	ck_assert_int_eq(aimc_stream_open(net, &good), 0);
	ck_assert_int_eq(aimc_stream_push(good, u, I_DIM, 32, NULL), 0);
	memcpy(card, aimc_stream_raw(good), sizeof(int32_t) * 32 * HK);

	ck_assert_int_eq(aimc_stream_push(good, u, I_DIM + 1, 1, NULL), -EINVAL);
	ck_assert_int_eq(aimc_stream_push(good, u, I_DIM, 0, NULL), -EINVAL);
	memcpy(bad, u, sizeof(bad));
	bad[I_DIM + 1] = NAN;
	ck_assert_int_eq(aimc_stream_push(good, bad, I_DIM, 2, NULL), -EDOM);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "NaN"));
	bad[I_DIM + 1] = INFINITY;
	ck_assert_int_eq(aimc_stream_push(good, bad, I_DIM, 2, NULL), -EDOM);
	ck_assert_int_eq(aimc_stream_set_chunk(good, 0), -EINVAL);

	ck_assert_int_eq(aimc_net_create(dev, &tm->m, NULL, AIMC_NET_NO_PROGRAM,
					 &raw_net), 0);
	ck_assert_int_eq(aimc_stream_open(raw_net, &closed), -ENODATA);
	ck_assert_str_eq(aimc_last_error(),
			 "aimc_stream_open: the net is not programmed (aimc_net_program())");
	aimc_net_close(raw_net);

	/* NULL everywhere: -EINVAL, never a crash */
	ck_assert_int_eq(aimc_stream_finish(good, NULL, 0), -EINVAL);
	ck_assert_str_eq(aimc_last_error(), "aimc_stream_finish: logits is NULL");
	ck_assert_int_eq(aimc_stream_finish(NULL, bad, 0), -EINVAL);
	ck_assert_int_eq(aimc_stream_push(NULL, u, I_DIM, 1, NULL), -EINVAL);
	ck_assert_int_eq(aimc_stream_push(good, NULL, I_DIM, 1, NULL), -EINVAL);
	ck_assert_int_eq(aimc_stream_submit(NULL, u, I_DIM, 1), -EINVAL);
	ck_assert_int_eq(aimc_stream_submit_finish(NULL, 0), -EINVAL);
	ck_assert_int_eq(aimc_stream_wait(NULL, 0, NULL), -EINVAL);
	ck_assert_int_eq(aimc_stream_fd(NULL), -EINVAL);
	ck_assert_int_eq(aimc_stream_reset(NULL), -EINVAL);
	ck_assert_int_eq(aimc_stream_set_chunk(NULL, 1), -EINVAL);
	ck_assert_int_eq(aimc_stream_open(NULL, &closed), -EINVAL);
	ck_assert_int_eq(aimc_stream_open(net, NULL), -EINVAL);
	ck_assert_int_eq(aimc_stream_close(NULL), 0);
	ck_assert_int_eq(aimc_stream_finish(good, bad, 0x4), -EINVAL);

	/* 16 slots: `good` has one, 15 more fit, the 16th fails */
	for (;;) {
		ret = aimc_stream_open(net, &s[n]);
		if (ret)
			break;
		n++;
		ck_assert_uint_le(n, 16);
	}
	ck_assert_int_eq(ret, -ENOSPC);
	ck_assert_uint_eq(n, 15);

	ck_assert_int_eq(aimc_stream_push(good, u + 32 * I_DIM, I_DIM, 32, NULL), 0);
	memcpy(card + 32 * HK, aimc_stream_raw(good), sizeof(int32_t) * 32 * HK);
	for (i = 0; i < 64 * HK; i++)
		ck_assert_int_eq(card[i], ref[i]);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(aimc_stream_close(s[i]), 0);
	ck_assert_int_eq(aimc_stream_close(good), 0);
	aimc_net_close(net);
	aimc_device_close(dev);
	testmodel_free(tm);
}
END_TEST

START_TEST(float_model_refused)
{
	struct testmodel *tm = testmodel_new(16, I_DIM, HK, 1, MODES, K);
	struct aimc_device *dev = open_sim(true, 1);
	struct aimc_net *net;

	tm->m.quantized = false;
	ck_assert_int_eq(aimc_net_create(dev, &tm->m, NULL, 0, &net), -EINVAL);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "float model"));
	aimc_device_close(dev);
	testmodel_free(tm);
}
END_TEST

/*
 * Precision: noise-free integer path vs the float reference (the
 * contract's rounding alone), and the default noisy card (programming
 * open loop, read noise, stuck cells) vs the float reference.  Relative
 * RMS error over all steps and channels of the last layer's output.
 */
#define NSTEPS	600
#define INT_BOUND	0.12	/* measured 0.071: Q4 GELU and gate tables, Q8 SSM input */
#define NOISY_BOUND	0.20	/* measured 0.099: open-loop programming, 1 % read noise */

static double rel_rms_vs_float(struct testmodel *tm, bool noise_free,
			       uint64_t seed)
{
	struct aimc_device *dev = open_sim(noise_free, seed);
	struct aimc_net *net = open_net(dev, tm, 0);
	struct aimc_ref_float *rf;
	struct aimc_stream *s;
	static float u[NSTEPS * I_DIM], out[NSTEPS * HK];
	double h[HK], num = 0, den = 0;
	uint32_t t, c;

	make_input(9, u, NSTEPS);
	ck_assert_int_eq(aimc_ref_float_create(&tm->m, &rf), 0);
	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	ck_assert_int_eq(aimc_stream_push(s, u, I_DIM, NSTEPS, out), 0);
	for (t = 0; t < NSTEPS; t++) {
		aimc_ref_float_step(rf, u + t * I_DIM, h);
		for (c = 0; c < HK; c++) {
			num += pow(out[t * HK + c] - h[c], 2);
			den += h[c] * h[c];
		}
	}
	aimc_ref_float_free(rf);
	aimc_stream_close(s);
	aimc_net_close(net);
	aimc_device_close(dev);
	return sqrt(num / den);
}

START_TEST(within_bound_of_float_reference)
{
	struct testmodel *tm = testmodel_new(17, I_DIM, HK, LAYERS, MODES, K);
	double e_int = rel_rms_vs_float(tm, true, 1);
	double e_noisy = rel_rms_vs_float(tm, false, 21);

	if (getenv("AIMC_TEST_VERBOSE"))
		printf("stream vs float reference, %u steps: noise-free rel RMS %.4f, default noise %.4f\n",
		       NSTEPS, e_int, e_noisy);
	ck_assert_msg(e_int < INT_BOUND, "noise-free rel RMS %.4f", e_int);
	ck_assert_msg(e_noisy < NOISY_BOUND, "noisy rel RMS %.4f", e_noisy);
	ck_assert_msg(e_noisy > e_int, "the noisy card is not noisy");
	testmodel_free(tm);
}
END_TEST

Suite *stream_suite(void)
{
	Suite *s = suite_create("stream");
	TCase *tc = tcase_create("sim");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, noise_free_bit_exact_every_chunk_size);
	tcase_add_test(tc, push_across_chunks_and_reset);
	tcase_add_test(tc, finish_keep_state_continues);
	tcase_add_test(tc, sixteen_concurrent_equal_sequential);
	tcase_add_test(tc, async_submit_poll_wait);
	tcase_add_test(tc, bad_inputs_exact_errors_others_unharmed);
	tcase_add_test(tc, float_model_refused);
	tcase_add_test(tc, within_bound_of_float_reference);
	suite_add_tcase(s, tc);
	return s;
}
