// SPDX-License-Identifier: MIT
/*
 * Streaming through aimc.ko + aimc_emu.ko (the host suite `stream` does
 * the same on the sim backend).  Noise-free phase: the same model gives
 * exactly the outputs and logits of an in-process sim card of the same
 * seed and geometry; 4 processes streaming at once each match the
 * integer reference (isolation) and all complete; the asynchronous form
 * (a sync_file of the job's fence, poll, wait) gives the same outputs as
 * a synchronous push.  Noisy phase: the 4 processes all complete.
 */
#include <poll.h>

#include "vm_util.h"
#include "../../runtime/compile.h"
#include "../../runtime/stream_internal.h"
#include "../../runtime/diag/synth_model.h"

#define I_DIM	3
#define K	5
#define STEPS	300
#define PROCS	4

static void make_input(unsigned seed, float *u, uint32_t steps)
{
	uint32_t t, i;

	for (t = 0; t < steps; t++)
		for (i = 0; i < I_DIM; i++)
			u[t * I_DIM + i] = (float)(1.2 * sin(0.05 * t * (i + 1) + seed) +
						   0.3 * cos(0.31 * t * seed));
}

static struct aimc_device *open_drm(void)
{
	struct aimc_device *dev;

	ck_assert_msg(aimc_device_open(AIMC_BACKEND_DRM, 0, &dev) == 0, "%s",
		      aimc_last_error());
	return dev;
}

/* An in-process card configured like the guest's aimc_emu (seed + 0). */
static struct aimc_device *open_sim_like_emu(void)
{
	struct aimc_sim_options o = { .seed = 1, .flags = AIMC_SIM_NOISE_FREE };
	struct aimc_device_info info;
	struct aimc_device *drm = open_drm(), *sim;

	ck_assert_int_eq(aimc_device_info(drm, &info, sizeof(info)), 0);
	aimc_device_close(drm);
	o.tiles = info.num_tiles;
	o.rows = info.tile_rows;
	o.cols = info.tile_cols;
	o.slots = info.stream_slots;
	ck_assert_msg(aimc_device_open_sim(&o, &sim) == 0, "%s", aimc_last_error());
	return sim;
}

static struct aimc_net *open_net(struct aimc_device *dev, struct testmodel *tm)
{
	struct aimc_net *net;

	ck_assert_msg(aimc_net_create(dev, &tm->m, NULL, 0, &net) == 0, "%s",
		      aimc_last_error());
	return net;
}

/* @steps through a new stream in chunks of @chunk: outputs and logits. */
static void stream_all(struct aimc_net *net, const float *u, uint32_t chunk,
		       float *out, float *logits)
{
	struct aimc_stream *s;

	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	ck_assert_int_eq(aimc_stream_set_chunk(s, chunk), 0);
	ck_assert_msg(aimc_stream_push(s, u, I_DIM, STEPS, out) == 0, "%s",
		      aimc_last_error());
	ck_assert_int_eq(aimc_stream_finish(s, logits, 0), 0);
	ck_assert_int_eq(aimc_stream_close(s), 0);
}

START_TEST(drm_equals_sim)
{
	struct testmodel *tm = testmodel_new(31, I_DIM, 16, 2, 8, K);
	static float u[STEPS * I_DIM], out_drm[STEPS * 16], out_sim[STEPS * 16];
	float lg_drm[K], lg_sim[K];
	struct aimc_device *drm, *sim;
	struct aimc_net *net;
	uint32_t i, nonzero = 0;

	make_input(5, u, STEPS);
	sim = open_sim_like_emu();
	net = open_net(sim, tm);
	stream_all(net, u, 64, out_sim, lg_sim);
	aimc_net_close(net);
	aimc_device_close(sim);

	drm = open_drm();
	net = open_net(drm, tm);
	stream_all(net, u, 64, out_drm, lg_drm);
	aimc_net_close(net);
	aimc_device_close(drm);

	for (i = 0; i < STEPS * 16; i++) {
		ck_assert_msg(out_drm[i] == out_sim[i], "step %u channel %u: drm %g, sim %g",
			      i / 16, i % 16, out_drm[i], out_sim[i]);
		nonzero += out_sim[i] != 0;
	}
	ck_assert_uint_gt(nonzero, STEPS * 16 / 2);
	for (i = 0; i < K; i++)
		ck_assert(lg_drm[i] == lg_sim[i]);
	testmodel_free(tm);
}
END_TEST

/*
 * One process of four: its own file, net (one tile) and stream; waits
 * on @go so that the four stream at once.  Exit status: 0 ok, 1 setup
 * failed, 2 a push failed, 3 an output differs from the reference.
 */
static int child(unsigned idx, int go)
{
	struct testmodel *tm = testmodel_new(40 + idx, I_DIM, 8, 1, 8, 4);
	static float u[STEPS * I_DIM];
	static int32_t card[STEPS * 8];
	int32_t ref[8];
	struct aimc_ref_int *r;
	struct aimc_stream *s;
	struct aimc_device *dev;
	struct aimc_net *net;
	int8_t xq[I_DIM];
	uint32_t t, c;
	char byte;

	make_input(7 + idx, u, STEPS);
	if (aimc_device_open(AIMC_BACKEND_DRM, 0, &dev) ||
	    aimc_net_create(dev, &tm->m, NULL, 0, &net) ||
	    aimc_stream_open(net, &s) || aimc_stream_set_chunk(s, 10) ||
	    aimc_ref_int_create(net->im, &r)) {
		fprintf(stderr, "process %u: %s\n", idx, aimc_last_error());
		return 1;
	}
	if (read(go, &byte, 1) < 0)
		return 1;
	for (t = 0; t < STEPS; t += 10) {
		if (aimc_stream_push(s, u + t * I_DIM, I_DIM, 10, NULL)) {
			fprintf(stderr, "process %u: %s\n", idx, aimc_last_error());
			return 2;
		}
		memcpy(card + t * 8, aimc_stream_raw(s), sizeof(int32_t) * 10 * 8);
	}
	for (t = 0; t < STEPS && noise_free_phase(); t++) {
		aimc_int_quantize_input(net->im, u + t * I_DIM, xq);
		aimc_ref_int_step(r, xq, ref);
		for (c = 0; c < 8; c++)
			if (card[t * 8 + c] != ref[c])
				return 3;
	}
	aimc_ref_int_free(r);
	aimc_stream_close(s);
	aimc_net_close(net);
	aimc_device_close(dev);
	testmodel_free(tm);
	return 0;
}

START_TEST(four_processes_isolated)
{
	pid_t pid[PROCS];
	int pipefd[2], status;
	unsigned i;

	ck_assert_int_eq(pipe(pipefd), 0);
	for (i = 0; i < PROCS; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			close(pipefd[1]);
			_exit(child(i, pipefd[0]));
		}
	}
	close(pipefd[0]);
	vm_sleep_ms(300);	/* each has opened, placed and programmed */
	close(pipefd[1]);	/* go: every read() returns 0 at once */
	for (i = 0; i < PROCS; i++) {
		status = vm_waitpid_ms(pid[i], 30000);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "process %u: status 0x%x (1 setup, 2 push, 3 wrong output)",
			      i, status);
	}
}
END_TEST

START_TEST(async_sync_file)
{
	struct testmodel *tm = testmodel_new(33, I_DIM, 16, 1, 8, K);
	static float u[64 * I_DIM], out_sync[64 * 16], out_async[64 * 16];
	float lg_sync[K], lg_async[K];
	struct aimc_device *dev = open_drm();
	struct aimc_net *net = open_net(dev, tm);
	struct aimc_stream *a, *b;
	struct pollfd pfd;
	uint32_t i;

	make_input(9, u, 64);
	ck_assert_int_eq(aimc_stream_open(net, &a), 0);
	ck_assert_int_eq(aimc_stream_open(net, &b), 0);
	ck_assert_int_eq(aimc_stream_fd(b), -EINVAL);
	ck_assert_int_eq(aimc_stream_push(a, u, I_DIM, 64, out_sync), 0);
	ck_assert_msg(aimc_stream_submit(b, u, I_DIM, 64) == 0, "%s",
		      aimc_last_error());
	ck_assert_int_eq(aimc_stream_push(b, u, I_DIM, 1, NULL), -EBUSY);
	pfd.fd = aimc_stream_fd(b);
	pfd.events = POLLIN;
	ck_assert_int_ge(pfd.fd, 0);
	ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
	ck_assert(pfd.revents & POLLIN);
	ck_assert_int_eq(aimc_stream_wait(b, 0, out_async), 0);
	ck_assert_int_eq(aimc_stream_wait(b, 0, out_async), -EINVAL);
	for (i = 0; i < 64 * 16 && noise_free_phase(); i++)
		ck_assert_msg(out_async[i] == out_sync[i], "value %u: async %g, push %g",
			      i, out_async[i], out_sync[i]);
	/* an asynchronous finish: its logits through the sync_file too */
	ck_assert_int_eq(aimc_stream_finish(a, lg_sync, 0), 0);
	ck_assert_msg(aimc_stream_submit_finish(b, 0) == 0, "%s", aimc_last_error());
	pfd.fd = aimc_stream_fd(b);
	ck_assert_int_ge(pfd.fd, 0);
	ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
	ck_assert_int_eq(aimc_stream_wait(b, -1, lg_async), 0);
	for (i = 0; i < K && noise_free_phase(); i++)
		ck_assert(lg_async[i] == lg_sync[i]);
	ck_assert_int_eq(aimc_stream_close(a), 0);
	ck_assert_int_eq(aimc_stream_close(b), 0);
	aimc_net_close(net);
	aimc_device_close(dev);
	testmodel_free(tm);
}
END_TEST

Suite *vm_stream_suite(void)
{
	Suite *s = suite_create("vm_stream");
	TCase *tc = tcase_create("stream");

	tcase_set_timeout(tc, 60);
	vm_add_noise_free_test(tc, drm_equals_sim);
	tcase_add_test(tc, four_processes_isolated);
	tcase_add_test(tc, async_sync_file);
	suite_add_tcase(s, tc);
	return s;
}
