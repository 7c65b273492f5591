// SPDX-License-Identifier: MIT
/*
 * Mapping (runtime/map.c) with exact cell and tile counts, and
 * write-verify programming of a net (aimc_net_program(): program.c,
 * deploy.c) on the sim backend
 * with the device model's default physics, checked against the cells'
 * true conductances (aimc_model_peek_cell), not only the noisy reads.
 * AIMC_TEST_VERBOSE=1 prints the figures.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimc.h"
#include "aimc_model.h"
#include "../../runtime/deploy_internal.h"
#include "../../runtime/internal.h"
#include "../../runtime/job.h"
#include "../../runtime/sim_job.h"
#include "../../runtime/stream_internal.h"
#include "ssm_writer.h"

static const struct sw_spec pruned = {
	.d_input = 2, .d_model = 8, .d_state = 4, .n_layers = 2,
	.n_classes = 3, .keep_every = 2, .modes_kept = { 3, 2 },
	.quantized = true, .xbar_bits = 4, .zero_permille = 100, .seed = 5,
};

static struct aimc_ssm *load_spec(const struct sw_spec *s)
{
	struct aimc_ssm *m;
	struct sw_model w;
	uint8_t *buf;
	size_t size;

	sw_build(&w, s);
	buf = sw_serialize(&w, &size);
	ck_assert_msg(aimc_ssm_load_buffer(buf, size, "spec", &m) == 0, "%s",
		      aimc_last_error());
	free(buf);
	sw_free(&w);
	return m;
}

/* Every piece inside its tile, no cell used twice, counts add up. */
static void check_layout(const struct aimc_mapping *map)
{
	uint32_t rows = map->tile_rows, cols = map->tile_cols, x, p, r, c;
	uint8_t *used = calloc((size_t)map->tiles_used * rows * cols, 1);
	uint64_t cells = 0;

	for (x = 0; x < map->n_xbars; x++) {
		const struct aimc_xbar_place *xb = &map->xbars[x];
		uint64_t covered = 0;

		for (p = 0; p < xb->n_pieces; p++) {
			const struct aimc_xbar_piece *pc = &xb->pieces[p];

			ck_assert_uint_lt(pc->tile, map->tiles_used);
			ck_assert_uint_le(pc->row0 + pc->n_in, rows);
			ck_assert_uint_le(pc->col0 + 2 * pc->n_out, cols);
			ck_assert_uint_eq(pc->col0 % 2, 0);
			for (r = 0; r < pc->n_in; r++)
				for (c = 0; c < 2 * pc->n_out; c++) {
					uint8_t *u = &used[((size_t)pc->tile * rows + pc->row0 + r) * cols +
							   pc->col0 + c];

					ck_assert_uint_eq(*u, 0);
					*u = 1;
				}
			covered += (uint64_t)pc->n_in * pc->n_out;
			cells += 2ull * pc->n_in * pc->n_out;
		}
		ck_assert_uint_eq(covered, (uint64_t)xb->n_in * xb->n_out);
	}
	ck_assert_uint_eq(cells, map->cells_used);
	free(used);
}

START_TEST(test_map_exact_counts)
{
	static const struct {
		uint32_t keep_every, rows, cols, tiles;
		uint64_t cells;
	} cases[] = {
		/* pruned: Hk 4: encoder 4x2, mix 8x4 twice, decoder 3x4 */
		{ 2, 256, 256, 1, 2 * (8 + 32 + 32 + 12) },
		{ 2, 8, 8, 3, 168 },	/* 4 half-split mix pieces, 2 per tile */
		{ 2, 4, 16, 3, 168 },
		/* unpruned: Hk 8: encoder 8x2, mix 16x8 twice, decoder 3x8 */
		{ 1, 256, 256, 1, 2 * (16 + 128 + 128 + 24) },
		{ 1, 8, 8, 10, 592 },	/* mix 8 tiles, decoder 1, encoder 1 */
		{ 1, 16, 32, 2, 592 },
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct sw_spec s = pruned;
		struct aimc_mapping *map;
		struct aimc_ssm *m;

		s.keep_every = cases[k].keep_every;
		m = load_spec(&s);
		ck_assert_msg(aimc_map_model(m, 64, cases[k].rows, cases[k].cols, &map) == 0,
			      "%s", aimc_last_error());
		ck_assert_msg(map->tiles_used == cases[k].tiles,
			      "case %zu: %u tiles, expected %u", k, map->tiles_used,
			      cases[k].tiles);
		ck_assert_uint_eq(map->cells_used, cases[k].cells);
		check_layout(map);
		aimc_mapping_free(map);
		aimc_ssm_free(m);
	}
}
END_TEST

START_TEST(test_map_does_not_fit)
{
	struct aimc_mapping *map = (struct aimc_mapping *)&map;
	struct aimc_ssm *m = load_spec(&pruned);

	ck_assert_int_eq(aimc_map_model(m, 2, 8, 8, &map), -ENOSPC);
	ck_assert_ptr_null(map);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "take 3 tiles of 8 x 8, the card has 2"));
	ck_assert_int_eq(aimc_map_model(m, 2, 8, 7, &map), -EINVAL);
	aimc_ssm_free(m);
}
END_TEST

/* Canonical calibration (docs/integer-inference.md section 3). */
START_TEST(test_calibration_canonical)
{
	struct aimc_ssm *m = load_spec(&pruned);
	struct aimc_mapping *map;
	struct aimc_xbar_place *x;
	uint16_t gp, gn, top = 0;
	double r;
	uint32_t j;

	ck_assert_int_eq(aimc_map_model(m, 8, 256, 256, &map), 0);
	x = &map->xbars[0];
	ck_assert_int_eq(aimc_calib_xbar(x, 0, 25000), 0);
	ck_assert_uint_eq(x->cmax, 8);
	ck_assert_uint_eq(x->unit_nsiemens, 3125);
	for (j = 0; j < x->n_out; j++) {
		r = (double)m->encoder.weight.scale[j] * m->encoder.dac_scale /
		    m->encoder.adc_scale[j];
		ck_assert_uint_eq(x->gain[j],
				  (uint16_t)floor(ldexp(r, 14 + (int)x->shift) / 3125 + 0.5));
		ck_assert_uint_le(x->gain[j], AIMC_CALIB_GAIN_MAX);
		top = x->gain[j] > top ? x->gain[j] : top;
	}
	/* the largest shift: one more would take the largest gain past it */
	ck_assert_uint_gt(2 * top + 1, AIMC_CALIB_GAIN_MAX);
	aimc_xbar_targets(x, 0, 1, 1, &gp, &gn);
	ck_assert_int_eq((int)gp - (int)gn, m->encoder.weight.codes[1 * 2 + 1] * 3125);
	ck_assert(gp == 0 || gn == 0);
	aimc_mapping_free(map);
	aimc_ssm_free(m);
}
END_TEST

/* ---- write-verify on the sim card ---- */

static const struct sw_spec medium = {
	.d_input = 4, .d_model = 48, .d_state = 4, .n_layers = 1,
	.n_classes = 10, .keep_every = 1, .quantized = true, .xbar_bits = 4,
	.zero_permille = 200, .seed = 11, .stable_a = true,
};

/* The model file of @s in a temporary file; unlink(path) when done. */
static void model_file(const struct sw_spec *s, char *path)
{
	ck_assert_msg(sw_write_temp(s, path) == 0, "%s: %s", path, strerror(errno));
}

/* aimc_net_open() of @path placed but not programmed. */
static struct aimc_net *net_of(struct aimc_device *dev, const char *path)
{
	struct aimc_net *net;

	ck_assert_msg(aimc_net_open(dev, path, AIMC_NET_NO_PROGRAM, &net) == 0,
		      "%s", aimc_last_error());
	return net;
}

struct truth {
	uint64_t cells, stuck, in_tol;
	uint64_t stuck_pairs;
	double pair_err_sum, pair_err_max;
	double err_sum;
};

/* Compare every used cell's true conductance with its target. */
static struct truth true_errors(struct aimc_device *dev,
				const struct aimc_net *net, uint32_t tol)
{
	const struct aimc_deployment *d = aimc_net_deployment(net);
	const struct aimc_mapping *map = aimc_deployment_mapping(d);
	struct truth t = { 0 };
	uint32_t x, p, i, j;

	for (x = 0; x < map->n_xbars; x++) {
		const struct aimc_xbar_place *xb = &map->xbars[x];

		for (p = 0; p < xb->n_pieces; p++) {
			const struct aimc_xbar_piece *pc = &xb->pieces[p];

			for (i = 0; i < pc->n_in; i++) {
				for (j = 0; j < pc->n_out; j++) {
					uint32_t row = pc->row0 + i, col = pc->col0 + 2 * j;
					uint32_t g[2], now;
					uint16_t tgt[2], want_p, want_n;
					int stuck[2], k;

					for (k = 0; k < 2; k++) {
						ck_assert_int_eq(aimc_deployment_cell(d, pc->tile, row,
										      col + (uint32_t)k,
										      &tgt[k], &stuck[k]), 0);
						ck_assert_int_eq(aimc_model_peek_cell(aimc_sim_model(dev), pc->tile, row,
										      col + (uint32_t)k,
										      &g[k], &now), 0);
						t.cells++;
						if (stuck[k]) {
							t.stuck++;
							continue;
						}
						t.err_sum += fabs((double)g[k] - tgt[k]);
						t.in_tol += fabs((double)g[k] - tgt[k]) <= tol;
					}
					if (stuck[0] || stuck[1]) {
						double e;

						aimc_xbar_targets(xb, 0, pc->out0 + j, pc->in0 + i,
								  &want_p, &want_n);
						e = fabs(((double)g[0] - g[1]) - ((double)want_p - want_n));
						t.stuck_pairs++;
						t.pair_err_sum += e;
						if (e > t.pair_err_max)
							t.pair_err_max = e;
					}
				}
			}
		}
	}
	return t;
}

static void print_stats(const char *what, const struct aimc_program_stats *s,
			const struct truth *t)
{
	if (!getenv("AIMC_TEST_VERBOSE"))
		return;
	printf("%s: %llu cells, %u tiles, %u rounds, %.2f pulses/cell, read error mean %.0f rms %.0f p99 %.0f max %.0f nS, "
	       "in band %.3f %% (reads), stuck %llu, compensated pairs %llu of %llu, pair error mean %.0f max %.0f nS; "
	       "true: in band %.3f %% of %llu non-stuck cells, mean error %.0f nS, stuck pairs %llu error mean %.0f max %.0f nS\n",
	       what, (unsigned long long)s->cells_used, s->tiles_used, s->rounds,
	       s->pulses_per_cell, s->err_mean_nsiemens, s->err_rms_nsiemens, s->err_p99_nsiemens,
	       s->err_max_nsiemens, s->in_tolerance_pct, (unsigned long long)s->stuck_cells,
	       (unsigned long long)s->compensated_pairs,
	       (unsigned long long)s->pairs_with_stuck, s->pair_err_mean_nsiemens,
	       s->pair_err_max_nsiemens,
	       100.0 * (double)t->in_tol / (double)(t->cells - t->stuck),
	       (unsigned long long)(t->cells - t->stuck),
	       t->err_sum / (double)(t->cells - t->stuck),
	       (unsigned long long)t->stuck_pairs,
	       t->stuck_pairs ? t->pair_err_sum / (double)t->stuck_pairs : 0,
	       t->pair_err_max);
}

static uint64_t progress_calls, progress_last_done;

static int count_progress(const struct aimc_program_progress *p, void *ctx)
{
	(void)ctx;
	ck_assert_uint_le(p->cells_done, p->cells_total);
	ck_assert_uint_lt(p->tile_index, p->tiles);
	ck_assert_uint_ge(p->cells_done, progress_last_done);
	progress_calls++;
	progress_last_done = p->cells_done;
	return 0;
}

/*
 * Default physics (open-loop sigma several %, 1 % read noise, c2c and
 * d2d 30 %, 0.5 % + 0.5 % stuck cells): >= 99.5 % of the non-stuck
 * cells end within the 500 nS band, measured on the true conductances.
 */
START_TEST(test_write_verify_default_physics)
{
	struct aimc_program_stats s;
	struct aimc_device *dev;
	struct aimc_net *net;
	struct truth t;
	char path[32];
	uint32_t got;

	model_file(&medium, path);
	ck_assert_int_eq(aimc_device_open_sim(NULL, &dev), 0);
	net = net_of(dev, path);
	progress_calls = 0;
	progress_last_done = 0;
	ck_assert_int_eq(aimc_net_program_stats(net, &s, sizeof(s)), -ENODATA);
	ck_assert_msg(aimc_net_program(net, NULL, count_progress, NULL) == 0,
		      "%s", aimc_last_error());
	ck_assert_int_eq(aimc_net_program_stats(net, &s, sizeof(s)), 0);
	t = true_errors(dev, net, 500);
	print_stats("write-verify", &s, &t);
	ck_assert_uint_gt(progress_calls, 1);
	ck_assert_uint_ge(progress_last_done, 0.99 * (double)s.cells_used);
	ck_assert_uint_eq(s.cells_used, 2 * (48 * 4 + 96 * 48 + 10 * 48));
	ck_assert_uint_eq(t.cells, s.cells_used);
	ck_assert_msg(t.in_tol >= 0.995 * (double)(t.cells - t.stuck),
		      "%llu of %llu non-stuck cells in band", (unsigned long long)t.in_tol,
		      (unsigned long long)(t.cells - t.stuck));
	/* the reads carry 1 % read noise: a little less is seen in band */
	ck_assert_msg(s.in_tolerance_pct >= 99.0, "%.2f %% in band (reads)",
		      s.in_tolerance_pct);
	/* about 1 % stuck: detected, not far from the model's rate */
	ck_assert_uint_gt(s.stuck_cells, 0);
	ck_assert_uint_lt(s.stuck_cells, s.cells_used / 40);
	ck_assert(s.pulses_per_cell > 0 && s.pulses_per_cell < 100);
	/* the tiles are ours until closed */
	ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_TILE, 0, NULL), -EEXIST);
	aimc_net_close(net);
	ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_TILE, 0, &got), 0);
	aimc_device_close(dev);
	unlink(path);
}
END_TEST

/*
 * 1 % stuck cells (0.5 % at g_min, 0.5 % at g_max, another seed): the
 * partner of a stuck cell takes the whole weight where the range allows.
 * Compensation must beat leaving the pairs alone, and the compensated
 * weights' mean error stays within two tolerance bands.
 */
START_TEST(test_stuck_cells_compensated)
{
	struct aimc_sim_options o = { .seed = 99, .flags = AIMC_SIM_STUCK,
				      .stuck_gmin_ppm = 5000, .stuck_gmax_ppm = 5000 };
	struct aimc_program_params p;
	struct aimc_program_stats s, s_off;
	struct aimc_device *dev;
	struct aimc_net *net;
	struct truth t, t_off;
	char path[32];

	model_file(&medium, path);
	ck_assert_int_eq(aimc_device_open_sim(&o, &dev), 0);
	net = net_of(dev, path);
	ck_assert_msg(aimc_net_program(net, NULL, NULL, NULL) == 0, "%s",
		      aimc_last_error());
	aimc_net_program_stats(net, &s, sizeof(s));
	t = true_errors(dev, net, 500);
	print_stats("stuck, compensated", &s, &t);
	aimc_net_close(net);
	aimc_device_close(dev);

	aimc_program_params_init(&p);
	p.flags = AIMC_PROGRAM_NO_COMPENSATION;
	ck_assert_int_eq(aimc_device_open_sim(&o, &dev), 0);
	net = net_of(dev, path);
	ck_assert_int_eq(aimc_net_program(net, &p, NULL, NULL), 0);
	aimc_net_program_stats(net, &s_off, sizeof(s_off));
	t_off = true_errors(dev, net, 500);
	print_stats("stuck, not compensated", &s_off, &t_off);
	aimc_net_close(net);
	aimc_device_close(dev);

	ck_assert_uint_gt(t.stuck_pairs, 0);
	ck_assert_uint_gt(s.compensated_pairs, 0);
	ck_assert_msg(t.pair_err_sum / t.stuck_pairs < t_off.pair_err_sum / t_off.stuck_pairs,
		      "compensation does not help: %.0f vs %.0f nS",
		      t.pair_err_sum / t.stuck_pairs, t_off.pair_err_sum / t_off.stuck_pairs);
	/*
	 * Bounded: at most half the error of leaving stuck pairs alone.  What
	 * remains is the pairs no partner can fix (a cell stuck at g_min
	 * whose own target is the weight), reported as failed.
	 */
	ck_assert_msg(t.pair_err_sum / t.stuck_pairs <= 0.5 * t_off.pair_err_sum / t_off.stuck_pairs,
		      "compensated pairs: mean error %.0f nS",
		      t.pair_err_sum / t.stuck_pairs);
	ck_assert_uint_gt(s.compensated_pairs, s_off.compensated_pairs);
	unlink(path);
}
END_TEST

/*
 * A cell read out of band with its pulse budget spent is given up, not
 * planned zero pulses in every round left (which kept a refresh running
 * all max_rounds rounds); a refresh gives the cells it re-verifies a
 * new budget.
 */
START_TEST(test_refresh_after_budget_spent)
{
	struct aimc_program_params p;
	struct aimc_program_stats s;
	struct aimc_device *dev;
	struct aimc_net *net;
	char path[32];

	model_file(&medium, path);
	ck_assert_int_eq(aimc_device_open_sim(NULL, &dev), 0);
	net = net_of(dev, path);
	aimc_program_params_init(&p);
	p.flags = AIMC_PROGRAM_NO_TARGET_STEP;
	p.max_pulses_per_cell = 3;
	ck_assert_int_eq(aimc_net_program(net, &p, NULL, NULL), 0);
	aimc_net_program_stats(net, &s, sizeof(s));
	ck_assert_uint_gt(s.failed_cells, 0);
	ck_assert_int_eq(aimc_net_refresh(net, NULL, NULL), 0);
	aimc_net_program_stats(net, &s, sizeof(s));
	ck_assert_uint_gt(s.failed_cells, 0);
	ck_assert_uint_lt(s.rounds, p.max_rounds);
	aimc_net_close(net);
	aimc_device_close(dev);
	unlink(path);
}
END_TEST

/* Drift over a simulated month, then refresh: back in band. */
START_TEST(test_refresh_after_drift)
{
	struct aimc_program_stats s;
	struct aimc_device *dev;
	struct aimc_net *net;
	struct truth t;
	char path[32];

	model_file(&medium, path);
	ck_assert_int_eq(aimc_device_open_sim(NULL, &dev), 0);
	net = net_of(dev, path);
	ck_assert_int_eq(aimc_net_refresh(net, NULL, NULL), -ENODATA);
	ck_assert_int_eq(aimc_net_program(net, NULL, NULL, NULL), 0);
	aimc_model_advance_clock(aimc_sim_model(dev), 30ull * 24 * 3600 * 1000000000ull);
	ck_assert_msg(aimc_net_refresh(net, NULL, NULL) == 0, "%s",
		      aimc_last_error());
	aimc_net_program_stats(net, &s, sizeof(s));
	t = true_errors(dev, net, 500);
	print_stats("refresh after 30 days", &s, &t);
	ck_assert_uint_gt(s.pulses, 0);		/* drift was repaired */
	ck_assert_msg(t.in_tol >= 0.995 * (double)(t.cells - t.stuck), "%.2f %%",
		      100.0 * (double)t.in_tol / (double)(t.cells - t.stuck));
	aimc_net_close(net);
	aimc_device_close(dev);
	unlink(path);
}
END_TEST

START_TEST(test_deploy_errors)
{
	struct sw_spec fs = medium;
	struct aimc_net *net = (struct aimc_net *)&net;
	struct aimc_program_params p;
	struct aimc_net_info info;
	struct aimc_device *dev;
	struct aimc_sim_options tiny = { .tiles = 1, .rows = 16, .cols = 16 };
	char path[32];

	fs.quantized = false;
	model_file(&fs, path);
	ck_assert_int_eq(aimc_device_open_sim(NULL, &dev), 0);
	ck_assert_int_eq(aimc_net_open(dev, path, 0, &net), -EINVAL);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "float model"));
	unlink(path);

	model_file(&medium, path);
	ck_assert_int_eq(aimc_net_open(dev, path, 0x2, &net), -EINVAL);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "unknown flags 0x2"));
	net = net_of(dev, path);
	ck_assert_int_eq(aimc_net_program(net, NULL, NULL, NULL), 0);
	aimc_program_params_init(&p);
	p.reserved[0] = 1;
	ck_assert_int_eq(aimc_net_program(net, &p, NULL, NULL), -EINVAL);
	aimc_program_params_init(&p);
	p.max_pulses_per_round = 128;
	ck_assert_int_eq(aimc_net_program(net, &p, NULL, NULL), -EINVAL);
	/* Refused parameters leave the programmed net as it was. */
	ck_assert_int_eq(aimc_net_info(net, &info, sizeof(info)), 0);
	ck_assert(info.programmed);
	aimc_net_close(net);
	aimc_device_close(dev);

	ck_assert_int_eq(aimc_device_open_sim(&tiny, &dev), 0);
	net = (struct aimc_net *)&net;
	ck_assert_int_eq(aimc_net_open(dev, path, 0, &net), -ENOSPC);
	ck_assert_ptr_null(net);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "does not fit"));
	ck_assert_int_eq(aimc_net_open(dev, "/nonexistent", 0, &net), -ENOENT);
	aimc_device_close(dev);
	unlink(path);
}
END_TEST

Suite *runtime_deploy_suite(void)
{
	Suite *s = suite_create("runtime_deploy");
	TCase *tc = tcase_create("deploy");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_map_exact_counts);
	tcase_add_test(tc, test_map_does_not_fit);
	tcase_add_test(tc, test_calibration_canonical);
	tcase_add_test(tc, test_write_verify_default_physics);
	tcase_add_test(tc, test_stuck_cells_compensated);
	tcase_add_test(tc, test_refresh_after_drift);
	tcase_add_test(tc, test_refresh_after_budget_spent);
	tcase_add_test(tc, test_deploy_errors);
	suite_add_tcase(s, tc);
	return s;
}
