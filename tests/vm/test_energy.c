// SPDX-License-Identifier: MIT
/*
 * The card's energy through aimc.ko (TEL_ENERGY_NJ, telemetry/energy_nj,
 * aimc_device_telemetry()'s energy_fj): it grows with the work, in
 * proportion to it, on any card; on the noise-free card the same job
 * sequence costs what an in-process noise-free sim card of the same
 * geometry counts for it.
 *
 * The exact relation: the card's device model counts femtojoules as the
 * sim's does (one model, emulator/model/), and the card reports whole
 * nanojoules rounded down, floor(F / 10^6) of its running total F.  For
 * work that costs the sim S fJ, two readings around the same work on the
 * card differ by floor(S / 10^6) or floor(S / 10^6) + 1 nJ (exactly
 * S / 10^6 when 10^6 divides S).  That holds because on a noise-free
 * card the energy does not depend on the cells' history or the seed:
 * write-verify's first, open-loop round lands every cell on its target,
 * whose programming energy depends on the target alone, and the reads
 * and MVMs then see the targets.
 */
#include <libgen.h>
#include <math.h>

#include "vm_util.h"
#include "../../runtime/compile.h"
#include "../../runtime/stream_internal.h"
#include "../../runtime/diag/synth_model.h"

#define I_DIM	3
#define D_MODEL	16
#define K	5
#define STEPS	300
#define SHORT	64

static void make_input(unsigned int seed, float *u, uint32_t steps)
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

/* /sys/class/<class>/<node>/device/telemetry/energy_nj of @dev's card */
static long long sysfs_energy_nj(struct aimc_device *dev)
{
	struct aimc_device_info info;
	char path[256], node[sizeof(info.node)];
	const char *class;

	ck_assert_int_eq(aimc_device_info(dev, &info, sizeof(info)), 0);
	class = strncmp(info.node, "/dev/accel/", 11) ? "drm" : "accel";
	memcpy(node, info.node, sizeof(node));
	snprintf(path, sizeof(path), "/sys/class/%s/%s/device/telemetry/energy_nj",
		 class, basename(node));
	return vm_read_ll(path);
}

static uint64_t energy_fj(struct aimc_device *dev)
{
	struct aimc_device_telemetry t;

	ck_assert_msg(aimc_device_telemetry(dev, &t, sizeof(t)) == 0, "%s",
		      aimc_last_error());
	ck_assert_msg(t.flags & AIMC_TELEMETRY_ENERGY, "flags %#x", t.flags);
	return t.energy_fj;
}

/* What one job sequence cost: programming a net, and streaming on it. */
struct cost {
	uint64_t program_fj;
	uint64_t stream_fj;
};

/*
 * Create (program) the synthetic model of seed 31, stream @steps steps in
 * chunks of 64 and finish the sequence, close the net.
 */
static struct cost job_sequence(struct aimc_device *dev, uint32_t steps)
{
	struct testmodel *tm = testmodel_new(31, I_DIM, D_MODEL, 2, 8, K);
	static float u[STEPS * I_DIM], out[STEPS * D_MODEL];
	struct aimc_stream *s;
	struct aimc_net *net;
	uint64_t e0, e1, e2;
	struct cost c;
	float lg[K];

	ck_assert_uint_le(steps, STEPS);
	make_input(5, u, steps);
	e0 = energy_fj(dev);
	ck_assert_msg(aimc_net_create(dev, &tm->m, NULL, 0, &net) == 0, "%s",
		      aimc_last_error());
	e1 = energy_fj(dev);
	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	ck_assert_int_eq(aimc_stream_set_chunk(s, 64), 0);
	ck_assert_msg(aimc_stream_push(s, u, I_DIM, steps, out) == 0, "%s",
		      aimc_last_error());
	ck_assert_int_eq(aimc_stream_finish(s, lg, 0), 0);
	ck_assert_int_eq(aimc_stream_close(s), 0);
	e2 = energy_fj(dev);
	aimc_net_close(net);
	testmodel_free(tm);
	c.program_fj = e1 - e0;
	c.stream_fj = e2 - e1;
	return c;
}

/*
 * The library's energy_fj is sysfs's energy_nj in femtojoules, and a card
 * reports a total: no kinds, no preset.
 */
START_TEST(library_energy_is_sysfs)
{
	struct aimc_device *dev = open_drm();
	struct aimc_device_telemetry t;
	long long before, after;

	before = sysfs_energy_nj(dev);
	ck_assert_int_eq(aimc_device_telemetry(dev, &t, sizeof(t)), 0);
	after = sysfs_energy_nj(dev);
	ck_assert_uint_eq(t.flags, AIMC_TELEMETRY_ENERGY);
	ck_assert_uint_eq(t.energy_fj % 1000000, 0);
	ck_assert_uint_ge(t.energy_fj / 1000000, (uint64_t)before);
	ck_assert_uint_le(t.energy_fj / 1000000, (uint64_t)after);
	ck_assert_uint_eq(t.energy_dac_fj | t.energy_xbar_fj | t.energy_adc_fj |
			  t.energy_dpu_fj | t.energy_program_fj | t.mvms |
			  t.dac_conversions | t.adc_conversions | t.dpu_muls |
			  t.dpu_adds | t.preset, 0);
	aimc_device_close(dev);
}
END_TEST

/*
 * Programming costs energy, and streaming in proportion to the steps: 300
 * steps cost between 4 and 5 times 64 (300 / 64 = 4.7; the sequence's
 * end, the decoder, is the same for both, the card's rounding 1 nJ).
 */
START_TEST(energy_grows_with_work)
{
	struct aimc_device *dev = open_drm();
	long long before = sysfs_energy_nj(dev);
	struct cost shorter, longer;

	shorter = job_sequence(dev, SHORT);
	longer = job_sequence(dev, STEPS);
	ck_assert_int_gt(sysfs_energy_nj(dev), before);
	ck_assert_uint_gt(shorter.program_fj, 0);
	ck_assert_uint_gt(longer.program_fj, 0);
	ck_assert_uint_ge(shorter.stream_fj, 100 * 1000000ull);
	ck_assert_msg(longer.stream_fj > 4 * shorter.stream_fj &&
		      longer.stream_fj < 5 * shorter.stream_fj,
		      "%u steps: %llu fJ, %u steps: %llu fJ", SHORT,
		      (unsigned long long)shorter.stream_fj, STEPS,
		      (unsigned long long)longer.stream_fj);
	aimc_device_close(dev);
}
END_TEST

/* @card_fj (whole nJ) is what @sim_fj becomes on the card (above). */
static void assert_card_cost(const char *what, uint64_t card_fj, uint64_t sim_fj)
{
	uint64_t card_nj = card_fj / 1000000, floor_nj = sim_fj / 1000000;

	ck_assert_uint_eq(card_fj % 1000000, 0);
	ck_assert_msg(card_nj == floor_nj ||
		      (card_nj == floor_nj + 1 && sim_fj % 1000000),
		      "%s: the card %llu nJ, the sim %llu fJ", what,
		      (unsigned long long)card_nj, (unsigned long long)sim_fj);
}

START_TEST(drm_energy_is_sims)
{
	struct aimc_sim_options o = { .seed = 1, .flags = AIMC_SIM_NOISE_FREE };
	struct aimc_device *drm = open_drm(), *sim;
	struct aimc_device_info info;
	struct cost on_card, on_sim;

	ck_assert_int_eq(aimc_device_info(drm, &info, sizeof(info)), 0);
	o.tiles = info.num_tiles;
	o.rows = info.tile_rows;
	o.cols = info.tile_cols;
	o.slots = info.stream_slots;
	ck_assert_msg(aimc_device_open_sim(&o, &sim) == 0, "%s", aimc_last_error());

	on_sim = job_sequence(sim, STEPS);
	on_card = job_sequence(drm, STEPS);
	/* large enough for 1 nJ to be a fine check: 42 and 2078 nJ */
	ck_assert_uint_ge(on_sim.program_fj, 10 * 1000000ull);
	ck_assert_uint_ge(on_sim.stream_fj, 1000 * 1000000ull);
	assert_card_cost("programming", on_card.program_fj, on_sim.program_fj);
	assert_card_cost("streaming", on_card.stream_fj, on_sim.stream_fj);
	aimc_device_close(sim);
	aimc_device_close(drm);
}
END_TEST

Suite *vm_energy_suite(void)
{
	Suite *s = suite_create("vm_energy");
	TCase *tc = tcase_create("energy");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, library_energy_is_sysfs);
	tcase_add_test(tc, energy_grows_with_work);
	vm_add_noise_free_test(tc, drm_energy_is_sims);
	suite_add_tcase(s, tc);
	return s;
}
