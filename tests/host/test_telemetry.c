// SPDX-License-Identifier: MIT
/*
 * API 2.1 on the sim card: aimc_device_telemetry() counts what the card
 * did and what is reserved on it, and aimc_device_advance_clock() ages
 * the nets on it (their cells drift).  Public API only, on the shipped
 * digits model.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "aimc.h"

#define MODEL	"tools/qat/models/digits-qat4-pruned.safetensors"
#define NS_PER_S	1000000000ull

static struct aimc_device *open_sim(uint32_t flags)
{
	struct aimc_sim_options o = { .seed = 1, .flags = flags };
	struct aimc_device *dev;

	ck_assert_msg(aimc_device_open_sim(&o, &dev) == 0, "%s", aimc_last_error());
	return dev;
}

static struct aimc_device_telemetry telemetry(struct aimc_device *dev)
{
	struct aimc_device_telemetry t;

	ck_assert_msg(aimc_device_telemetry(dev, &t, sizeof(t)) == 0, "%s",
		      aimc_last_error());
	return t;
}

START_TEST(telemetry_counts_the_sims_work)
{
	/* noisy: a noise-free card programs exactly, without pulses */
	struct aimc_device *dev = open_sim(0);
	struct aimc_device_telemetry t0 = telemetry(dev), t1, t2;
	struct aimc_net_info ni;
	struct aimc_stream *s;
	struct aimc_net *net;
	float x[64] = { 0.5f }, logits[10];

	ck_assert_uint_eq(t0.commands, 0);
	ck_assert_uint_eq(t0.busy_ns, 0);
	ck_assert_uint_eq(t0.pulses, 0);
	ck_assert_uint_eq(t0.jobs_done + t0.jobs_failed, 0);
	ck_assert_uint_eq(t0.tiles_in_use + t0.slots_in_use + t0.resets, 0);
	ck_assert_uint_eq(t0.clock_ns, 0);
	ck_assert_int_eq(t0.temperature_mc, AIMC_TEMPERATURE_NONE);

	ck_assert_msg(aimc_net_open(dev, MODEL, 0, &net) == 0, "%s", aimc_last_error());
	ck_assert_int_eq(aimc_net_info(net, &ni, sizeof(ni)), 0);
	t1 = telemetry(dev);
	ck_assert_uint_eq(t1.tiles_in_use, ni.tiles);
	ck_assert_uint_eq(t1.slots_in_use, 0);
	ck_assert_uint_gt(t1.pulses, 0);
	ck_assert_uint_gt(t1.commands, t1.jobs_done);
	ck_assert_uint_gt(t1.jobs_done, 0);
	ck_assert_uint_eq(t1.jobs_failed, 0);
	ck_assert_uint_gt(t1.busy_ns, 0);

	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	ck_assert_uint_eq(telemetry(dev).slots_in_use, ni.slots_per_stream);
	ck_assert_int_eq(aimc_stream_push(s, x, 1, 64, NULL), 0);
	ck_assert_int_eq(aimc_stream_finish(s, logits, 0), 0);
	t2 = telemetry(dev);
	ck_assert_uint_gt(t2.commands, t1.commands);
	ck_assert_uint_gt(t2.busy_ns, t1.busy_ns);
	ck_assert_uint_eq(t2.pulses, t1.pulses);	/* streaming programs nothing */
	ck_assert_uint_eq(t2.jobs_done, t1.jobs_done + 2);	/* one chunk, one finish */

	ck_assert_int_eq(aimc_stream_close(s), 0);
	ck_assert_uint_eq(telemetry(dev).slots_in_use, 0);
	aimc_net_close(net);
	ck_assert_uint_eq(telemetry(dev).tiles_in_use, 0);
	aimc_device_close(dev);
}
END_TEST

START_TEST(telemetry_takes_its_size)
{
	struct aimc_device *dev = open_sim(0);
	union {
		struct aimc_device_telemetry t;
		unsigned char bytes[sizeof(struct aimc_device_telemetry) + 16];
	} big;
	struct aimc_device_telemetry t;
	size_t i;

	ck_assert_int_eq(aimc_device_telemetry(dev, &t, sizeof(t) - 1), -EINVAL);
	ck_assert_msg(strstr(aimc_last_error(), "aimc_device_telemetry: struct size"), "%s",
		      aimc_last_error());
	ck_assert_int_eq(aimc_device_telemetry(NULL, &t, sizeof(t)), -EINVAL);
	ck_assert_int_eq(aimc_device_telemetry(dev, NULL, sizeof(t)), -EINVAL);
	memset(&big, 0xff, sizeof(big));
	ck_assert_int_eq(aimc_device_telemetry(dev, &big.t, sizeof(big)), 0);
	ck_assert_uint_eq(big.t.commands, 0);
	for (i = sizeof(struct aimc_device_telemetry); i < sizeof(big); i++)
		ck_assert_uint_eq(big.bytes[i], 0);
	aimc_device_close(dev);
}
END_TEST

/*
 * The clock moves by exactly what was asked, nets age by it, and the
 * cells drift: past the policy's age the net is due, and a refresh then
 * finds drifted cells to re-verify.
 */
START_TEST(advance_clock_ages_and_drifts)
{
	struct aimc_device *dev = open_sim(0);
	struct aimc_net_info before, after;
	struct aimc_program_stats st;
	uint64_t clock0;
	struct aimc_net *net;

	ck_assert_msg(aimc_net_open(dev, MODEL, 0, &net) == 0, "%s", aimc_last_error());
	ck_assert_int_eq(aimc_net_info(net, &before, sizeof(before)), 0);
	ck_assert_uint_eq(before.refresh_due, 0);
	clock0 = telemetry(dev).clock_ns;

	ck_assert_int_eq(aimc_device_advance_clock(dev, 30 * NS_PER_S), 0);
	ck_assert_str_eq(aimc_last_error(), "no error");
	ck_assert_uint_eq(telemetry(dev).clock_ns, clock0 + 30 * NS_PER_S);
	ck_assert_int_eq(aimc_net_info(net, &after, sizeof(after)), 0);
	ck_assert_uint_eq(after.age_ns, before.age_ns + 30 * NS_PER_S);
	ck_assert_uint_eq(after.refresh_due, 1);	/* the default policy: 10 s */

	/* a day of drift takes cells out of the band: the refresh pulses */
	ck_assert_int_eq(aimc_device_advance_clock(dev, 86400 * NS_PER_S), 0);
	ck_assert_int_eq(aimc_net_refresh(net, NULL, NULL), 0);
	ck_assert_int_eq(aimc_net_program_stats(net, &st, sizeof(st)), 0);
	ck_assert_uint_gt(st.pulses, 0);
	ck_assert_int_eq(aimc_net_info(net, &after, sizeof(after)), 0);
	ck_assert_uint_lt(after.age_ns, 10 * NS_PER_S);

	ck_assert_int_eq(aimc_device_advance_clock(NULL, 1), -EINVAL);
	ck_assert_msg(strstr(aimc_last_error(), "aimc_device_advance_clock: "), "%s",
		      aimc_last_error());
	aimc_net_close(net);
	aimc_device_close(dev);
}
END_TEST

Suite *telemetry_suite(void)
{
	Suite *s = suite_create("telemetry");
	TCase *tc = tcase_create("api_2_1");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, telemetry_counts_the_sims_work);
	tcase_add_test(tc, telemetry_takes_its_size);
	tcase_add_test(tc, advance_clock_ages_and_drifts);
	suite_add_tcase(s, tc);
	return s;
}
