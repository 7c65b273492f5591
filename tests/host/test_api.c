// SPDX-License-Identifier: MIT
/*
 * libaimc as an application meets it (issue 17): handles closed in any
 * order, NULL arguments, the thread's message (cleared by a success,
 * naming the function called), output structs that grow, model files
 * read without a device, the version.  Public API only, on the shipped
 * digits model and the sim card.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimc.h"

#define MODEL	"tools/qat/models/digits-qat4-pruned.safetensors"

static struct aimc_device *open_sim(uint32_t flags)
{
	struct aimc_sim_options o = { .seed = 1, .flags = flags };
	struct aimc_device *dev;

	ck_assert_msg(aimc_device_open_sim(&o, &dev) == 0, "%s", aimc_last_error());
	return dev;
}

static struct aimc_net *open_net(struct aimc_device *dev, uint32_t flags)
{
	struct aimc_net *net;

	ck_assert_msg(aimc_net_open(dev, MODEL, flags, &net) == 0, "%s (run from the source tree)",
		      aimc_last_error());
	return net;
}

static void sequence(float *x, uint32_t steps, float phase)
{
	uint32_t t;

	for (t = 0; t < steps; t++)
		x[t] = (float)(t % 8) / 8.0f + phase;
}

/*
 * Crash 1: the device closed before its net and stream (the order the
 * docs gave; nothing guarded it: SIGSEGV in job.c via
 * aimc_stream_close).  The net keeps the device, the stream the net.
 */
START_TEST(device_closed_first)
{
	struct aimc_device *dev = open_sim(AIMC_SIM_NOISE_FREE);
	struct aimc_net *net = open_net(dev, 0);
	struct aimc_stream *s;
	float x[64], logits[10], again[10];
	uint32_t k;

	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	aimc_device_close(dev);
	sequence(x, 64, 0);
	ck_assert_int_eq(aimc_stream_push(s, x, 1, 64, NULL), 0);
	ck_assert_int_eq(aimc_stream_finish(s, logits, 0), 0);
	aimc_net_close(net);
	/* the stream still runs: the net lives until its last stream */
	ck_assert_int_eq(aimc_stream_push(s, x, 1, 64, NULL), 0);
	ck_assert_int_eq(aimc_stream_finish(s, again, 0), 0);
	for (k = 0; k < 10; k++)
		ck_assert(again[k] == logits[k]);
	ck_assert_int_eq(aimc_stream_close(s), 0);
}
END_TEST

/* The net closed before its stream, and the device last. */
START_TEST(net_closed_before_stream)
{
	struct aimc_device *dev = open_sim(0);
	struct aimc_net *net = open_net(dev, 0);
	struct aimc_stream *s;
	struct aimc_net *second;
	float x[64], logits[10];

	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	aimc_net_close(net);
	sequence(x, 64, 0.5f);
	ck_assert_int_eq(aimc_stream_push(s, x, 1, 64, NULL), 0);
	ck_assert_int_eq(aimc_stream_finish(s, logits, 0), 0);
	/* the net's tiles are held until its last stream is closed */
	ck_assert_int_eq(aimc_stream_close(s), 0);
	second = open_net(dev, 0);
	aimc_net_close(second);
	aimc_device_close(dev);
}
END_TEST

/* Crash 2 and every other NULL: -EINVAL with a message, no crash. */
START_TEST(null_arguments)
{
	struct aimc_device *dev = open_sim(0);
	struct aimc_net *net = open_net(dev, 0);
	struct aimc_program_stats st;
	struct aimc_device_info di;
	struct aimc_net_info ni;
	struct aimc_model_info mi;
	struct aimc_stream *s;

	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	ck_assert_int_eq(aimc_stream_finish(s, NULL, 0), -EINVAL);
	ck_assert_str_eq(aimc_last_error(), "aimc_stream_finish: logits is NULL");
	ck_assert_int_eq(aimc_device_info(NULL, &di, sizeof(di)), -EINVAL);
	ck_assert_int_eq(aimc_device_info(dev, NULL, sizeof(di)), -EINVAL);
	ck_assert_int_eq(aimc_net_info(NULL, &ni, sizeof(ni)), -EINVAL);
	ck_assert_int_eq(aimc_net_program_stats(NULL, &st, sizeof(st)), -EINVAL);
	ck_assert_int_eq(aimc_net_program(NULL, NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(aimc_net_refresh(NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(aimc_net_set_refresh_policy(NULL, NULL), -EINVAL);
	ck_assert_int_eq(aimc_net_open(NULL, MODEL, 0, &net), -EINVAL);
	ck_assert_int_eq(aimc_net_open(dev, NULL, 0, &net), -EINVAL);
	ck_assert_int_eq(aimc_model_info(NULL, &mi, sizeof(mi)), -EINVAL);
	ck_assert_int_eq(aimc_model_info(MODEL, NULL, sizeof(mi)), -EINVAL);
	ck_assert_int_eq(aimc_device_open_sim(NULL, NULL), -EINVAL);
	aimc_program_params_init(NULL);
	aimc_net_close(NULL);
	aimc_device_close(NULL);
	ck_assert_int_eq(aimc_stream_close(NULL), 0);
	ck_assert_int_eq(aimc_stream_close(s), 0);
	aimc_net_close(net);
	aimc_device_close(dev);
}
END_TEST

/* A success leaves no message; a failure's names the function called. */
START_TEST(last_error_fresh_and_named)
{
	struct aimc_device *dev = open_sim(0), *dev2;
	struct aimc_sim_options tiny = { .tiles = 1, .rows = 16, .cols = 16 };
	struct aimc_device_info di;
	struct aimc_net *net, *net2;

	ck_assert_int_eq(aimc_device_open(AIMC_BACKEND_SIM, 1, &dev2), -ENODEV);
	ck_assert_str_eq(aimc_last_error(), "aimc_device_open: sim backend has one device, not 2");
	ck_assert_int_eq(aimc_device_info(dev, &di, sizeof(di)), 0);
	ck_assert_str_eq(aimc_last_error(), "no error");

	/* a card of one small tile: the model does not fit */
	ck_assert_int_eq(aimc_device_open_sim(&tiny, &dev2), 0);
	ck_assert_int_eq(aimc_net_open(dev2, MODEL, 0, &net2), -ENOSPC);
	ck_assert_msg(!strncmp(aimc_last_error(), "aimc_net_open: ", 15), "%s",
		      aimc_last_error());
	ck_assert_ptr_null(strstr(aimc_last_error(), "deploy:"));
	aimc_device_close(dev2);

	/* three tiles, two taken: the second net is told how many are free */
	memset(&tiny, 0, sizeof(tiny));
	tiny.tiles = 3;
	ck_assert_int_eq(aimc_device_open_sim(&tiny, &dev2), 0);
	net = open_net(dev2, AIMC_NET_NO_PROGRAM);
	ck_assert_int_eq(aimc_net_open(dev2, MODEL, AIMC_NET_NO_PROGRAM, &net2), -EBUSY);
	ck_assert_str_eq(aimc_last_error(),
			 "aimc_net_open: " MODEL " needs 2 tiles, only 1 are free (other nets or processes hold the rest)");
	aimc_net_close(net);
	aimc_device_close(dev2);
	aimc_device_close(dev);
}
END_TEST

/* The errnos' own texts fit: not programmed is ENODATA. */
START_TEST(not_programmed_is_enodata)
{
	struct aimc_device *dev = open_sim(0);
	struct aimc_net *net = open_net(dev, AIMC_NET_NO_PROGRAM);
	struct aimc_program_stats st;
	struct aimc_net_info ni;
	struct aimc_stream *s;

	ck_assert_int_eq(aimc_stream_open(net, &s), -ENODATA);
	ck_assert_int_eq(aimc_net_program_stats(net, &st, sizeof(st)), -ENODATA);
	ck_assert_str_eq(aimc_last_error(), "aimc_net_program_stats: the net is not programmed");
	ck_assert_int_eq(aimc_net_refresh(net, NULL, NULL), -ENODATA);
	ck_assert_int_eq(aimc_net_info(net, &ni, sizeof(ni)), 0);
	ck_assert_uint_eq(ni.programmed, 0);
	aimc_net_close(net);
	aimc_device_close(dev);
}
END_TEST

/*
 * Output structs: 2.0's size at least; a caller built against a later,
 * larger struct gets zeros past what this library knows.
 */
START_TEST(output_structs_take_their_size)
{
	struct aimc_device *dev = open_sim(0);
	struct aimc_net *net = open_net(dev, 0);
	union {
		struct aimc_net_info info;
		unsigned char bytes[sizeof(struct aimc_net_info) + 32];
	} big;
	struct aimc_program_stats st;
	struct aimc_device_info di;
	size_t i;

	ck_assert_int_eq(aimc_device_info(dev, &di, sizeof(di) - 1), -EINVAL);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "struct size"));
	ck_assert_int_eq(aimc_net_program_stats(net, &st, 8), -EINVAL);
	memset(&big, 0xff, sizeof(big));
	ck_assert_int_eq(aimc_net_info(net, &big.info, sizeof(big)), 0);
	ck_assert_uint_eq(big.info.d_input, 1);
	ck_assert_uint_eq(big.info.n_classes, 10);
	for (i = sizeof(struct aimc_net_info); i < sizeof(big); i++)
		ck_assert_uint_eq(big.bytes[i], 0);
	aimc_net_close(net);
	aimc_device_close(dev);
}
END_TEST

START_TEST(model_info_without_a_device)
{
	struct aimc_model_info mi;
	char path[] = "/tmp/aimc-notmodel-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_eq(aimc_model_info(MODEL, &mi, sizeof(mi)), 0);
	ck_assert_uint_eq(mi.d_input, 1);
	ck_assert_uint_eq(mi.n_classes, 10);
	ck_assert_uint_eq(mi.n_layers, 3);
	ck_assert_uint_eq(mi.crossbars, 5);
	/* 2 cells a weight: the 12 992 cells of the README */
	ck_assert_uint_eq(2 * mi.weights, 12992);
	ck_assert_uint_eq(mi.weight_bits, 4);
	ck_assert_uint_gt(mi.max_chunk, 0);

	/* a text file named .safetensors is not a model file */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "hello, this is text\n", 20), 20);
	close(fd);
	ck_assert_int_eq(aimc_model_info(path, &mi, sizeof(mi)), -EINVAL);
	ck_assert_msg(strstr(aimc_last_error(), "not a model file"), "%s", aimc_last_error());
	ck_assert_ptr_null(strstr(aimc_last_error(), "16294132773397012515 out of range"));
	unlink(path);
	ck_assert_int_eq(aimc_model_info("/nonexistent.safetensors", &mi, sizeof(mi)), -ENOENT);
}
END_TEST

START_TEST(version_and_api)
{
	ck_assert_str_eq(aimc_version(), AIMC_PACKAGE_VERSION);
	ck_assert_int_eq(AIMC_API_VERSION_MAJOR, 2);
}
END_TEST

Suite *api_suite(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, device_closed_first);
	tcase_add_test(tc, net_closed_before_stream);
	tcase_add_test(tc, null_arguments);
	tcase_add_test(tc, last_error_fresh_and_named);
	tcase_add_test(tc, not_programmed_is_enodata);
	tcase_add_test(tc, output_structs_take_their_size);
	tcase_add_test(tc, model_info_without_a_device);
	tcase_add_test(tc, version_and_api);
	suite_add_tcase(s, tc);
	return s;
}
