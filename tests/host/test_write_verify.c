// SPDX-License-Identifier: MIT
/*
 * Write-verify as an application drives it (issue 17): it stops when
 * nothing is left to gain, its parameters are bounded and named when
 * refused, progress never goes backwards and can cancel, and the refresh
 * policy reports (or makes) a refresh once the cells have drifted long
 * enough.  The shipped digits model on the sim card; the card's clock is
 * moved with the device model's own knob to stand for time passing.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"
#include "aimc_model.h"
#include "../../runtime/internal.h"
#include "../../runtime/sim_job.h"

#define MODEL	"tools/qat/models/digits-qat4-pruned.safetensors"

static struct aimc_device *dev;
static struct aimc_net *net;

static void setup(void)
{
	struct aimc_sim_options o = { .seed = 3 };

	ck_assert_int_eq(aimc_device_open_sim(&o, &dev), 0);
	ck_assert_msg(aimc_net_open(dev, MODEL, AIMC_NET_NO_PROGRAM, &net) == 0,
		      "%s (run from the source tree)", aimc_last_error());
}

static void teardown(void)
{
	aimc_net_close(net);
	aimc_device_close(dev);
}

struct seen {
	unsigned int calls, first_rounds, cancel_at;
	uint64_t last_done, total;
	uint32_t last_tile, last_round;
};

static int watch(const struct aimc_program_progress *p, void *ctx)
{
	struct seen *w = ctx;

	ck_assert_uint_eq(p->size, sizeof(*p));
	ck_assert_uint_ge(p->cells_done, w->last_done);	/* never backwards */
	ck_assert_uint_le(p->cells_done, p->cells_total);
	if (p->round == 0) {
		w->first_rounds++;
	} else {
		/* rounds of a tile come one after another */
		ck_assert_uint_eq(p->tile_index, w->last_tile);
		ck_assert_uint_eq(p->round, w->last_round + 1);
	}
	w->last_tile = p->tile_index;
	w->last_round = p->round;
	w->last_done = p->cells_done;
	w->total = p->cells_total;
	return ++w->calls == w->cancel_at;
}

/*
 * Today's code ran every tile to max_rounds (40 on this model); now a
 * tile stops once its cells have settled.  One callback per job: round
 * 0 (the open-loop targets) and each verify round.
 */
START_TEST(stops_when_nothing_is_left)
{
	struct aimc_program_stats st;
	struct seen w = { 0 };

	ck_assert_int_eq(aimc_net_program(net, NULL, watch, &w), 0);
	ck_assert_int_eq(aimc_net_program_stats(net, &st, sizeof(st)), 0);
	ck_assert_uint_lt(st.rounds, 40);
	ck_assert_uint_eq(st.tiles_settled + st.tiles_stalled, st.tiles_used);
	ck_assert_uint_eq(st.tiles_at_round_cap, 0);
	ck_assert_uint_eq(w.first_rounds, st.tiles_used);
	/* a job per callback, one CALIBRATE per crossbar besides */
	ck_assert_uint_eq(w.calls + 5, st.jobs);
	ck_assert(st.in_tolerance_pct >= 99.5);
	ck_assert_uint_eq(w.total, st.cells_used);
	ck_assert_uint_ge(w.last_done, st.cells_used - st.failed_cells - st.stuck_cells);
}
END_TEST

START_TEST(cancel_leaves_it_unprogrammed)
{
	struct aimc_program_stats st;
	struct aimc_stream *s;
	struct seen w = { .cancel_at = 3 };

	ck_assert_int_eq(aimc_net_program(net, NULL, watch, &w), -ECANCELED);
	ck_assert_uint_eq(w.calls, 3);
	ck_assert_str_eq(aimc_last_error(),
			 "aimc_net_program: cancelled by the progress callback (tile 1 of 2, round 2)");
	ck_assert_int_eq(aimc_stream_open(net, &s), -ENODATA);
	ck_assert_int_eq(aimc_net_program_stats(net, &st, sizeof(st)), -ENODATA);
	/* and it can be programmed again */
	ck_assert_int_eq(aimc_net_program(net, NULL, NULL, NULL), 0);
	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	ck_assert_int_eq(aimc_stream_close(s), 0);
}
END_TEST

static void refused(void (*set)(struct aimc_program_params *), const char *msg)
{
	struct aimc_program_params p;

	aimc_program_params_init(&p);
	set(&p);
	ck_assert_int_eq(aimc_net_program(net, &p, NULL, NULL), -EINVAL);
	ck_assert_str_eq(aimc_last_error(), msg);
}

static void tol0(struct aimc_program_params *p) { p->tolerance_nsiemens = 0; }
static void tol_big(struct aimc_program_params *p) { p->tolerance_nsiemens = 30000; }
static void rounds0(struct aimc_program_params *p) { p->max_rounds = 0; }
static void rounds_big(struct aimc_program_params *p) { p->max_rounds = 1000000; }
static void budget_big(struct aimc_program_params *p) { p->max_pulses_per_cell = 99999999; }
static void round_big(struct aimc_program_params *p) { p->max_pulses_per_round = 128; }
static void stall0(struct aimc_program_params *p) { p->stall_rounds = 0; }
static void reserved(struct aimc_program_params *p) { p->reserved[0] = 7; }
static void band_big(struct aimc_program_params *p) { p->band_per_code_pct = 201; }

/* Each refused parameter is named with its range; nothing is written. */
START_TEST(parameters_bounded_and_named)
{
	struct aimc_net_info ni;

	refused(tol0, "aimc_net_program: params: tolerance_nsiemens 0: must be 1..25000 (the card's conductance range)");
	refused(tol_big, "aimc_net_program: params: tolerance_nsiemens 30000: must be 1..25000 (the card's conductance range)");
	refused(rounds0, "aimc_net_program: params: max_rounds 0: must be 1..1000");
	refused(rounds_big, "aimc_net_program: params: max_rounds 1000000: must be 1..1000");
	refused(budget_big, "aimc_net_program: params: max_pulses_per_cell 99999999: must be 1..65535");
	refused(round_big, "aimc_net_program: params: max_pulses_per_round 128: must be 1..127 (a pulse record's count field)");
	refused(stall0, "aimc_net_program: params: stall_rounds 0: must be 1..40 (max_rounds)");
	refused(reserved, "aimc_net_program: params: reserved[0] is 7, must be 0");
	refused(band_big, "aimc_net_program: params: band_per_code_pct 201: must be 1..200");
	ck_assert_int_eq(aimc_net_info(net, &ni, sizeof(ni)), 0);
	ck_assert_uint_eq(ni.programmed, 0);
}
END_TEST

/* Time passes on the card: the device model's clock, in ns. */
static void card_time_passes(uint64_t seconds)
{
	aimc_model_advance_clock(aimc_sim_model(dev), seconds * 1000000000ull);
}

/* The default: reported due after 10 s of drift, never refreshed by itself. */
START_TEST(refresh_policy_reports)
{
	struct aimc_net_info ni;
	struct aimc_stream *s;
	float x[64] = { 0 }, logits[10];

	ck_assert_int_eq(aimc_net_program(net, NULL, NULL, NULL), 0);
	ck_assert_int_eq(aimc_net_info(net, &ni, sizeof(ni)), 0);
	ck_assert_uint_lt(ni.age_ns, AIMC_REFRESH_DEFAULT_AGE_NS);
	ck_assert_uint_eq(ni.refresh_due, 0);
	card_time_passes(11);
	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	ck_assert_int_eq(aimc_stream_push(s, x, 1, 64, NULL), 0);
	ck_assert_int_eq(aimc_stream_finish(s, logits, 0), 0);
	ck_assert_int_eq(aimc_net_info(net, &ni, sizeof(ni)), 0);
	ck_assert_uint_ge(ni.age_ns, 11000000000ull);
	ck_assert_uint_eq(ni.refresh_due, 1);
	ck_assert_uint_eq(ni.refreshes, 0);
	/* refreshing by hand starts the age again */
	ck_assert_int_eq(aimc_net_refresh(net, NULL, NULL), 0);
	ck_assert_int_eq(aimc_net_info(net, &ni, sizeof(ni)), 0);
	ck_assert_uint_eq(ni.refresh_due, 0);
	ck_assert_uint_lt(ni.age_ns, 1000000000ull);
	ck_assert_int_eq(aimc_stream_close(s), 0);
}
END_TEST

/* AIMC_REFRESH_AUTO: a day of drift, repaired before the next job. */
START_TEST(refresh_policy_auto)
{
	struct aimc_refresh_policy p = { .max_age_ns = 3600ull * 1000000000ull,
					 .flags = AIMC_REFRESH_AUTO };
	struct aimc_program_stats before, after;
	struct aimc_net_info ni;
	struct aimc_stream *s;
	float x[64] = { 0 };

	ck_assert_int_eq(aimc_net_program(net, NULL, NULL, NULL), 0);
	ck_assert_int_eq(aimc_net_program_stats(net, &before, sizeof(before)), 0);
	ck_assert_int_eq(aimc_net_set_refresh_policy(net, &p), 0);
	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	ck_assert_int_eq(aimc_stream_push(s, x, 1, 64, NULL), 0);
	ck_assert_int_eq(aimc_net_info(net, &ni, sizeof(ni)), 0);
	ck_assert_uint_eq(ni.refreshes, 0);
	card_time_passes(24 * 3600);
	ck_assert_int_eq(aimc_stream_push(s, x, 1, 64, NULL), 0);
	ck_assert_int_eq(aimc_net_info(net, &ni, sizeof(ni)), 0);
	ck_assert_uint_eq(ni.refreshes, 1);
	ck_assert_uint_eq(ni.refresh_due, 0);
	/* the refresh found drifted cells and pulsed them back */
	ck_assert_int_eq(aimc_net_program_stats(net, &after, sizeof(after)), 0);
	ck_assert_uint_gt(after.pulses, 0);
	ck_assert(after.in_tolerance_pct >= 99.0);
	ck_assert_int_eq(aimc_stream_close(s), 0);

	p.reserved = 1;
	ck_assert_int_eq(aimc_net_set_refresh_policy(net, &p), -EINVAL);
	p.reserved = 0;
	p.flags = 0x8;
	ck_assert_int_eq(aimc_net_set_refresh_policy(net, &p), -EINVAL);
	ck_assert_str_eq(aimc_last_error(), "aimc_net_set_refresh_policy: policy: unknown flags 0x8");
	ck_assert_int_eq(aimc_net_set_refresh_policy(net, NULL), 0);
}
END_TEST

/* Logits of 16 synthetic sequences, 64 steps each, from a reset stream. */
static void logits_of(float *out)
{
	struct aimc_stream *s;
	float x[64];
	int q, t;

	ck_assert_int_eq(aimc_stream_open(net, &s), 0);
	for (q = 0; q < 16; q++) {
		for (t = 0; t < 64; t++)
			x[t] = (float)(0.5 + 0.45 * sin(0.11 * (q + 1) * t + q));
		ck_assert_int_eq(aimc_stream_push(s, x, 1, 64, NULL), 0);
		ck_assert_int_eq(aimc_stream_finish(s, out + 10 * q, 0), 0);
	}
	ck_assert_int_eq(aimc_stream_close(s), 0);
}

static double rms_diff(const float *a, const float *b)
{
	double e = 0;
	int i;

	for (i = 0; i < 160; i++)
		e += (double)(a[i] - b[i]) * (a[i] - b[i]);
	return sqrt(e / 160);
}

/*
 * Drift compensation (API 2.1): a day of PCM drift shrinks the column
 * currents by a third and the logits follow; rescaling the column gains to
 * the reference measured after programming takes most of the error away
 * (per column more than global); without a reference it is refused.  The
 * policy does the same by itself before a stream's next job.
 */
START_TEST(drift_compensation)
{
	struct aimc_refresh_policy p = { .max_age_ns = 3600ull * 1000000000ull,
					 .flags = AIMC_REFRESH_COMPENSATE };
	struct aimc_refresh_policy bad = { .max_age_ns = 1,
					   .flags = AIMC_REFRESH_AUTO | AIMC_REFRESH_COMPENSATE };
	static float fresh[160], again[160], drifted[160], col[160], glob[160], pol[160];
	struct aimc_net_info ni;
	double e_none, e_col, e_glob, e_floor;

	ck_assert_int_eq(aimc_net_compensate(net, 0), -ENODATA);	/* not programmed */
	ck_assert_int_eq(aimc_net_program(net, NULL, NULL, NULL), 0);
	ck_assert_int_eq(aimc_net_compensate(net, 0), -ENODATA);	/* no reference */
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "no reference"));
	ck_assert_int_eq(aimc_net_compensate(net, 0x10), -EINVAL);
	ck_assert_int_eq(aimc_net_set_refresh_policy(net, &bad), -EINVAL);
	bad.flags = AIMC_REFRESH_COMPENSATE_GLOBAL;
	ck_assert_int_eq(aimc_net_set_refresh_policy(net, &bad), -EINVAL);
	ck_assert_int_eq(aimc_net_compensate(net, AIMC_COMPENSATE_REFERENCE), 0);
	logits_of(fresh);
	logits_of(again);	/* read noise alone */
	card_time_passes(24 * 3600);
	logits_of(drifted);
	ck_assert_int_eq(aimc_net_compensate(net, AIMC_COMPENSATE_GLOBAL), 0);
	logits_of(glob);
	ck_assert_int_eq(aimc_net_compensate(net, 0), 0);
	logits_of(col);
	e_none = rms_diff(fresh, drifted);
	e_glob = rms_diff(fresh, glob);
	e_col = rms_diff(fresh, col);
	e_floor = rms_diff(fresh, again);
	if (getenv("AIMC_TEST_VERBOSE"))
		printf("  drift 1 day: logits rms error none %.3f, global %.3f, per column %.3f (read noise alone %.3f)\n",
		       e_none, e_glob, e_col, e_floor);
	ck_assert_double_lt(e_col, e_none / 2);
	ck_assert_double_lt(e_glob, e_none / 1.5);
	ck_assert_double_le(e_col, e_glob);

	/* the policy: reference after programming, compensation once due */
	ck_assert_int_eq(aimc_net_set_refresh_policy(net, &p), 0);
	ck_assert_int_eq(aimc_net_program(net, NULL, NULL, NULL), 0);
	logits_of(fresh);
	card_time_passes(24 * 3600);
	logits_of(pol);
	ck_assert_int_eq(aimc_net_info(net, &ni, sizeof(ni)), 0);
	ck_assert_uint_eq(ni.compensations, 1);
	ck_assert_uint_eq(ni.refreshes, 0);
	ck_assert_double_lt(rms_diff(fresh, pol), e_none / 1.5);
}
END_TEST

/* Program @path on a fresh sim card of seed 3 with @flags; its stats. */
static void program_fresh(const char *path, uint32_t flags, uint32_t pct,
			  struct aimc_program_stats *st)
{
	struct aimc_sim_options o = { .seed = 3 };
	struct aimc_program_params p;
	struct aimc_device *d;
	struct aimc_net *n;

	ck_assert_int_eq(aimc_device_open_sim(&o, &d), 0);
	ck_assert_int_eq(aimc_net_open(d, path, AIMC_NET_NO_PROGRAM, &n), 0);
	aimc_program_params_init(&p);
	p.flags = flags;
	p.band_per_code_pct = pct;
	ck_assert_int_eq(aimc_net_program(n, &p, NULL, NULL), 0);
	ck_assert_int_eq(aimc_net_program_stats(n, st, sizeof(*st)), 0);
	aimc_net_close(n);
	aimc_device_close(d);
}

/*
 * Precision-aware programming (API 2.1): the band follows the weights'
 * code step (ternary: the whole 25 uS range, 4-bit: 25000 / 8 nS), never
 * below the tolerance; the ternary model then needs far fewer pulses.
 */
START_TEST(precision_aware_bands)
{
	struct aimc_program_stats fixed, pa, pa4;

	program_fresh("tools/qat/models/digits-qatt-pruned.safetensors", 0, 0, &fixed);
	ck_assert_uint_eq(fixed.tolerance_min_nsiemens, 500);
	ck_assert_uint_eq(fixed.tolerance_max_nsiemens, 500);
	program_fresh("tools/qat/models/digits-qatt-pruned.safetensors",
		      AIMC_PROGRAM_PRECISION_AWARE, 0, &pa);
	ck_assert_uint_eq(pa.tolerance_min_nsiemens, 25000 / 4);
	ck_assert_uint_eq(pa.tolerance_max_nsiemens, 25000 / 4);
	ck_assert_double_lt(2 * pa.pulses_per_cell, fixed.pulses_per_cell);
	ck_assert_uint_le(pa.rounds, fixed.rounds);
	program_fresh(MODEL, AIMC_PROGRAM_PRECISION_AWARE, 10, &pa4);
	/* 10 % of 3125 nS is below the 500 nS tolerance: the tolerance holds */
	ck_assert_uint_eq(pa4.tolerance_min_nsiemens, 500);
	program_fresh(MODEL, AIMC_PROGRAM_PRECISION_AWARE, 50, &pa4);
	ck_assert_uint_eq(pa4.tolerance_min_nsiemens, 25000 / 8 / 2);
}
END_TEST

Suite *write_verify_suite(void)
{
	Suite *s = suite_create("write_verify");
	TCase *tc = tcase_create("write_verify");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, stops_when_nothing_is_left);
	tcase_add_test(tc, cancel_leaves_it_unprogrammed);
	tcase_add_test(tc, parameters_bounded_and_named);
	tcase_add_test(tc, precision_aware_bands);
	tcase_add_test(tc, drift_compensation);
	tcase_add_test(tc, refresh_policy_reports);
	tcase_add_test(tc, refresh_policy_auto);
	suite_add_tcase(s, tc);
	return s;
}
