// SPDX-License-Identifier: MIT
/*
 * Deployments (deploy_internal.h): a loaded model mapped onto reserved
 * tiles (map.c), programmed with write-verify (program.c) and calibrated
 * (one CALIBRATE per crossbar piece with the gains of map.c).  A net
 * (net.c) owns one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <drm/aimc_accel.h>

#include "aimc_model.h"
#include <math.h>

#include "deploy_internal.h"
#include "internal.h"
#include "job.h"
#include "program.h"

struct aimc_deployment {
	struct aimc_device *dev;
	const struct aimc_ssm *model;
	struct aimc_mapping *map;
	uint32_t *tiles;		/* logical -> physical */
	uint32_t n_reserved;
	struct aimc_wv_tile *wv;	/* one per tile used */
	struct aimc_program_params params;
	struct aimc_program_stats stats;
	bool programmed;
	struct aimc_device_info info;
	uint32_t bo;
	uint8_t *bo_map;
	uint64_t bo_size;
	/*
	 * Drift compensation (aimc_deployment_compensate()): per crossbar
	 * piece, in mapping order, the probe's ADC shift and per output the
	 * reference response measured after programming and the gain the
	 * column's register holds now.
	 */
	struct comp_piece {
		uint32_t shift;
		double *ref;
		uint16_t *gain;
	} *comp;
	uint32_t n_comp;
	bool comp_ref;		/* references measured since programming */
};

void aimc_program_params_init(struct aimc_program_params *p)
{
	if (!p)
		return;
	memset(p, 0, sizeof(*p));
	p->tolerance_nsiemens = 500;
	p->max_rounds = 40;
	p->max_pulses_per_cell = 1500;
	p->max_pulses_per_round = 31;
	p->stall_rounds = 8;
}

static int out_of_range(const char *field, uint32_t value, uint32_t max,
			const char *why)
{
	return aimc_set_error(-EINVAL, "params: %s %u: must be 1..%u%s", field,
			      value, max, why);
}

int aimc_program_params_check(const struct aimc_program_params *p,
			      uint32_t g_range_nsiemens)
{
	size_t i;

	for (i = 0; i < sizeof(p->reserved) / sizeof(p->reserved[0]); i++)
		if (p->reserved[i])
			return aimc_set_error(-EINVAL, "params: reserved[%zu] is %u, must be 0",
					      i, p->reserved[i]);
	if (p->flags & ~(AIMC_PROGRAM_OPEN_LOOP | AIMC_PROGRAM_NAIVE |
			 AIMC_PROGRAM_NO_TARGET_STEP | AIMC_PROGRAM_NO_COMPENSATION |
			 AIMC_PROGRAM_PRECISION_AWARE))
		return aimc_set_error(-EINVAL, "params: unknown flags 0x%x", p->flags);
	if (!p->tolerance_nsiemens || p->tolerance_nsiemens > g_range_nsiemens)
		return out_of_range("tolerance_nsiemens", p->tolerance_nsiemens,
				    g_range_nsiemens, " (the card's conductance range)");
	if (!p->max_rounds || p->max_rounds > AIMC_PROGRAM_MAX_ROUNDS)
		return out_of_range("max_rounds", p->max_rounds,
				    AIMC_PROGRAM_MAX_ROUNDS, "");
	if (!p->max_pulses_per_cell ||
	    p->max_pulses_per_cell > AIMC_PROGRAM_MAX_PULSES_PER_CELL)
		return out_of_range("max_pulses_per_cell", p->max_pulses_per_cell,
				    AIMC_PROGRAM_MAX_PULSES_PER_CELL, "");
	if (!p->max_pulses_per_round ||
	    p->max_pulses_per_round > AIMC_PROGRAM_MAX_PULSES_PER_ROUND)
		return out_of_range("max_pulses_per_round", p->max_pulses_per_round,
				    AIMC_PROGRAM_MAX_PULSES_PER_ROUND,
				    " (a pulse record's count field)");
	if (!p->stall_rounds || p->stall_rounds > p->max_rounds)
		return out_of_range("stall_rounds", p->stall_rounds, p->max_rounds,
				    " (max_rounds)");
	if (p->band_per_code_pct > 200)
		return out_of_range("band_per_code_pct", p->band_per_code_pct, 200, "");
	return 0;
}

uint32_t aimc_deployment_g_range(const struct aimc_deployment *d)
{
	return d->info.g_max_nsiemens - d->info.g_min_nsiemens;
}

/* One write-verify window per tile, as large as its pieces reach. */
static int init_tiles(struct aimc_deployment *d)
{
	const struct aimc_mapping *map = d->map;
	uint32_t rows[64] = { 0 }, cols[64] = { 0 }, x, p, t;
	int ret;

	if (map->tiles_used > 64)
		return aimc_set_error(-ENOSPC, "the model needs more than 64 tiles");
	for (x = 0; x < map->n_xbars; x++) {
		for (p = 0; p < map->xbars[x].n_pieces; p++) {
			const struct aimc_xbar_piece *pc = &map->xbars[x].pieces[p];

			if (pc->row0 + pc->n_in > rows[pc->tile])
				rows[pc->tile] = pc->row0 + pc->n_in;
			if (pc->col0 + 2 * pc->n_out > cols[pc->tile])
				cols[pc->tile] = pc->col0 + 2 * pc->n_out;
		}
	}
	d->wv = calloc(map->tiles_used, sizeof(*d->wv));
	if (!d->wv)
		return aimc_set_error(-ENOMEM, "out of memory");
	for (t = 0; t < map->tiles_used; t++) {
		ret = aimc_wv_tile_init(&d->wv[t], d->tiles[t], rows[t], cols[t]);
		if (ret)
			return aimc_set_error(ret, "out of memory");
	}
	return 0;
}

/* The write-verify window of physical tile @tile. */
static struct aimc_wv_tile *wv_of(struct aimc_deployment *d, uint32_t tile)
{
	uint32_t t;

	for (t = 0; d->wv[t].tile != tile; t++)
		;
	return &d->wv[t];
}

/*
 * Each tile's band: with AIMC_PROGRAM_PRECISION_AWARE band_per_code_pct %
 * of the smallest weight code step on it (never below the tolerance),
 * else 0 (the run's tolerance).
 */
static void set_bands(struct aimc_deployment *d)
{
	const struct aimc_mapping *map = d->map;
	uint32_t pct = d->params.band_per_code_pct ? d->params.band_per_code_pct : 25;
	uint32_t x, p, t;

	for (t = 0; t < map->tiles_used; t++)
		d->wv[t].tol_nsiemens = 0;
	if (!(d->params.flags & AIMC_PROGRAM_PRECISION_AWARE))
		return;
	for (x = 0; x < map->n_xbars; x++) {
		const struct aimc_xbar_place *xb = &map->xbars[x];
		uint64_t band = (uint64_t)xb->unit_nsiemens * pct / 100;

		if (band < d->params.tolerance_nsiemens)
			band = d->params.tolerance_nsiemens;
		if (band > aimc_deployment_g_range(d))
			band = aimc_deployment_g_range(d);
		for (p = 0; p < xb->n_pieces; p++) {
			struct aimc_wv_tile *w = wv_of(d, xb->pieces[p].tile);

			if (!w->tol_nsiemens || band < w->tol_nsiemens)
				w->tol_nsiemens = (uint32_t)band;
		}
	}
}

/*
 * Targets and pair weights of every piece (again before each programming:
 * compensation retargets the partners of stuck cells).
 */
static void set_targets(struct aimc_deployment *d)
{
	const struct aimc_mapping *map = d->map;
	uint32_t x, p, i, j;

	for (x = 0; x < map->n_xbars; x++) {
		const struct aimc_xbar_place *xb = &map->xbars[x];

		for (p = 0; p < xb->n_pieces; p++) {
			const struct aimc_xbar_piece *pc = &xb->pieces[p];
			struct aimc_wv_tile *w = wv_of(d, pc->tile);

			for (i = 0; i < pc->n_in; i++) {
				for (j = 0; j < pc->n_out; j++) {
					size_t c = (size_t)(pc->row0 + i) * w->cols +
						   pc->col0 + 2 * j;
					uint16_t gp, gn;

					aimc_xbar_targets(xb, d->info.g_min_nsiemens,
							  pc->out0 + j, pc->in0 + i,
							  &gp, &gn);
					w->target[c] = gp;
					w->target[c + 1] = gn;
					w->want_diff[c / 2] = (int32_t)gp - (int32_t)gn;
				}
			}
		}
	}
}

static int set_gains(struct aimc_deployment *d, const struct aimc_xbar_piece *pc,
		     const uint16_t *gain);

/* Every column's ADC gain register to the calibration of its crossbar. */
static int calibrate(struct aimc_deployment *d)
{
	const struct aimc_mapping *map = d->map;
	uint32_t x, p;
	int ret;

	for (x = 0; x < map->n_xbars; x++) {
		const struct aimc_xbar_place *xb = &map->xbars[x];

		for (p = 0; p < xb->n_pieces; p++) {
			ret = set_gains(d, &xb->pieces[p], &xb->gain[xb->pieces[p].out0]);
			if (ret)
				return ret;
			d->stats.jobs++;
		}
	}
	return 0;
}

static int program_all(struct aimc_deployment *d, int refresh,
		       aimc_program_progress_fn progress, void *ctx)
{
	struct aimc_wv_run run = {
		.dev = d->dev, .bo = d->bo, .map = d->bo_map,
		.g_min = d->info.g_min_nsiemens, .g_max = d->info.g_max_nsiemens,
		.params = d->params, .progress = progress, .ctx = ctx,
		.stats = &d->stats,
	};
	uint32_t t;
	uint64_t total = 0;
	int ret;

	memset(&d->stats, 0, sizeof(d->stats));
	d->stats.tiles_used = d->map->tiles_used;
	d->stats.cells_used = d->map->cells_used;
	for (t = 0; t < d->map->tiles_used; t++)
		for (size_t i = 0; i < (size_t)d->wv[t].rows * d->wv[t].cols; i++)
			total += d->wv[t].target[i] != AIMC_WV_UNUSED;
	run.at.tiles = d->map->tiles_used;
	run.at.cells_total = total;
	for (t = 0; t < d->map->tiles_used; t++) {
		run.at.tile_index = t;
		ret = aimc_wv_program(&run, &d->wv[t], refresh);
		if (ret)
			return ret;
	}
	ret = aimc_wv_finish(&run, d->wv, d->map->tiles_used);
	for (t = 0; t < d->map->tiles_used; t++) {
		uint32_t b = d->wv[t].tol_nsiemens ? d->wv[t].tol_nsiemens :
			     d->params.tolerance_nsiemens;

		if (!t || b < d->stats.tolerance_min_nsiemens)
			d->stats.tolerance_min_nsiemens = b;
		if (b > d->stats.tolerance_max_nsiemens)
			d->stats.tolerance_max_nsiemens = b;
	}
	return ret;
}

int aimc_deployment_create(struct aimc_device *dev,
			   const struct aimc_ssm *model,
			   struct aimc_deployment **out)
{
	struct aimc_deployment *d;
	uint32_t t, x, p;
	int ret;

	*out = NULL;
	if (!model->quantized)
		return aimc_set_error(-EINVAL, "%s is a float model: only quantized models have codes to program",
				      model->path ? model->path : "model");
	d = calloc(1, sizeof(*d));
	if (!d)
		return aimc_set_error(-ENOMEM, "out of memory");
	d->dev = dev;
	d->model = model;
	aimc_program_params_init(&d->params);
	ret = aimc_device_query(dev, &d->info);
	/*
	 * Each crossbar in columns of its own while the card has the tiles:
	 * stacked pieces would share their columns' ADC gain registers.
	 */
	if (!ret)
		ret = aimc_map_model_columns(model, d->info.num_tiles,
					     d->info.tile_rows, d->info.tile_cols,
					     true, &d->map);
	if (ret == -ENOSPC)
		ret = aimc_map_model(model, d->info.num_tiles, d->info.tile_rows,
				     d->info.tile_cols, &d->map);
	if (ret)
		goto fail;
	for (x = 0; x < d->map->n_xbars && !ret; x++)
		ret = aimc_calib_xbar(&d->map->xbars[x], d->info.g_min_nsiemens,
				      d->info.g_max_nsiemens);
	if (!ret)
		ret = aimc_calib_shared_columns(d->map);
	if (ret)
		goto fail;
	d->tiles = calloc(d->map->tiles_used, sizeof(*d->tiles));
	if (!d->tiles) {
		ret = aimc_set_error(-ENOMEM, "out of memory");
		goto fail;
	}
	for (t = 0; t < d->map->tiles_used; t++) {
		ret = aimc_reserve(dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY, &d->tiles[t]);
		if (ret) {
			if (ret == -ENOSPC)
				ret = aimc_set_error(-EBUSY, "%s needs %u tiles, only %u are free (other nets or processes hold the rest)",
						     model->path ? model->path : "the model",
						     d->map->tiles_used, t);
			goto fail;
		}
		d->n_reserved++;
	}
	ret = aimc_bo_create(dev, AIMC_WV_BO_BYTES, &d->bo);
	if (!ret)
		ret = aimc_bo_mmap(dev, d->bo, (void **)&d->bo_map, &d->bo_size);
	if (!ret)
		ret = init_tiles(d);
	if (ret)
		goto fail;
	/* from here on the mapping names physical tiles */
	for (x = 0; x < d->map->n_xbars; x++)
		for (p = 0; p < d->map->xbars[x].n_pieces; p++)
			d->map->xbars[x].pieces[p].tile = d->tiles[d->map->xbars[x].pieces[p].tile];
	*out = d;
	return 0;
fail:
	aimc_deployment_free(d);
	return ret;
}

int aimc_deployment_program(struct aimc_deployment *d,
			    const struct aimc_program_params *params,
			    aimc_program_progress_fn progress, void *ctx)
{
	struct aimc_program_params p;
	int ret;

	if (params)
		p = *params;
	else
		aimc_program_params_init(&p);
	ret = aimc_program_params_check(&p, aimc_deployment_g_range(d));
	if (ret)
		return ret;
	d->params = p;
	d->programmed = false;
	d->comp_ref = false;
	set_targets(d);
	set_bands(d);
	ret = program_all(d, 0, progress, ctx);
	if (!ret)
		ret = calibrate(d);
	if (!ret)
		d->programmed = true;
	return ret;
}

const struct aimc_program_stats *aimc_deployment_stats(const struct aimc_deployment *d)
{
	return d->programmed ? &d->stats : NULL;
}

int aimc_deployment_refresh(struct aimc_deployment *d,
			    aimc_program_progress_fn progress, void *ctx)
{
	int ret;

	if (!d->programmed)
		return aimc_set_error(-ENODATA, "the net is not programmed");
	d->comp_ref = false;
	ret = program_all(d, 1, progress, ctx);
	/* the refreshed cells answer as the targets say: the programmed gains */
	if (!ret && d->comp)
		ret = calibrate(d);
	/* a cancelled or failed refresh leaves cells half verified */
	if (ret)
		d->programmed = false;
	return ret;
}

/* ---- drift compensation ---------------------------------------------- */

/* Set the column registers of piece @p of crossbar @xb to @gain. */
static int set_gains(struct aimc_deployment *d, const struct aimc_xbar_piece *pc,
		     const uint16_t *gain)
{
	struct drm_aimc_cmd c = {
		.opcode = AIMC_OP_CALIBRATE,
		.tile = (uint16_t)pc->tile,
		.col0 = (uint16_t)pc->col0,
		.cols = (uint16_t)(2 * pc->n_out),
		.src = { d->bo, 4 * pc->n_out, 0 },
	};
	struct aimc_job_result res;
	uint64_t id;
	uint32_t j;
	int ret;

	for (j = 0; j < pc->n_out; j++) {
		d->bo_map[4 * j] = (uint8_t)gain[j];
		d->bo_map[4 * j + 1] = (uint8_t)(gain[j] >> 8);
		d->bo_map[4 * j + 2] = 0;
		d->bo_map[4 * j + 3] = 0;
	}
	ret = aimc_job_submit(d->dev, &c, 1, NULL, 0, 0, &id);
	if (!ret)
		ret = aimc_job_wait(d->dev, id, AIMC_WAIT_FOREVER, &res);
	if (!ret && res.status != AIMC_JOB_DONE)
		ret = aimc_set_error(-EIO, "calibrating tile %u: card status %u", pc->tile,
				     res.device_status);
	return ret;
}

static void put_uop(uint8_t *p, uint8_t op, uint8_t dst, uint8_t src, uint16_t len,
		    uint16_t aux, uint32_t imm0, uint32_t imm1)
{
	const struct aimc_uop u = {
		.op = op, .dst = dst, .src_a = src, .len = len, .aux = aux,
		.imm0 = imm0, .imm1 = imm1,
	};

	aimc_hw_put_uop(p, &u);
}

#define PROBE_IN_OFF	4096u
#define PROBE_OUT_OFF	(PROBE_IN_OFF + 65536u)
/* every column's response is the mean of at least this many probes */
#define PROBE_SAMPLES	64u

/*
 * The reference input of aihwkit's drift compensation on one piece: each
 * input row alone at full scale (the one-hot vectors of eye(n_in)), as
 * often as it takes to average PROBE_SAMPLES responses per column; @m[j]
 * = the mean |ADC code| of column j.  One EXEC on @slot.
 */
static int probe(struct aimc_deployment *d, const struct aimc_xbar_piece *pc,
		 uint32_t shift, uint32_t slot, double *m)
{
	uint32_t reps = (PROBE_SAMPLES + pc->n_in - 1) / pc->n_in, steps, i, j;
	int32_t xmax = (1 << (d->info.dac_bits - 1)) - 1;
	uint8_t *p = d->bo_map;
	struct aimc_job_result res;
	struct drm_aimc_cmd c;
	uint64_t id;
	int ret;

	/* within one operand (AIMC_IO_MAX_BYTES) and the input's 64 KiB */
	while (reps > 1 && ((uint64_t)reps * pc->n_in * 4 * pc->n_out > AIMC_IO_MAX_BYTES ||
			    (uint64_t)reps * pc->n_in * pc->n_in > 65536))
		reps--;
	steps = reps * pc->n_in;
	aimc_hw_put_prog_hdr(p, 3, 0);
	put_uop(p + 16, AIMC_UOP_LOAD, 1, 0, (uint16_t)pc->n_in, 0, 0, 1);
	put_uop(p + 32, AIMC_UOP_MVM, 2, 1, (uint16_t)pc->n_in, (uint16_t)pc->tile,
		AIMC_MVM_IMM0(pc->row0, pc->col0), AIMC_MVM_IMM1(2 * pc->n_out, shift));
	put_uop(p + 48, AIMC_UOP_STORE, 0, 2, (uint16_t)pc->n_out, 0, 0, 4);
	memset(p + PROBE_IN_OFF, 0, (size_t)steps * pc->n_in);
	for (i = 0; i < steps; i++)
		p[PROBE_IN_OFF + (size_t)i * pc->n_in + i % pc->n_in] = (uint8_t)xmax;
	memset(&c, 0, sizeof(c));
	c.opcode = AIMC_OP_EXEC;
	c.flags = AIMC_EXEC_F_RESET_STATE;
	c.slot = (uint16_t)slot;
	c.steps = steps;
	c.in_stride = (uint16_t)pc->n_in;
	c.out_stride = (uint16_t)(4 * pc->n_out);
	c.src = (struct drm_aimc_operand){ d->bo, steps * pc->n_in, PROBE_IN_OFF };
	c.dst = (struct drm_aimc_operand){ d->bo, steps * 4 * pc->n_out, PROBE_OUT_OFF };
	c.prog = (struct drm_aimc_operand){ d->bo, 64, 0 };
	ret = aimc_job_submit(d->dev, &c, 1, NULL, 0, 0, &id);
	if (!ret)
		ret = aimc_job_wait(d->dev, id, AIMC_WAIT_FOREVER, &res);
	if (!ret && res.status != AIMC_JOB_DONE)
		ret = aimc_set_error(-EIO, "probing tile %u: card status %u", pc->tile,
				     res.device_status);
	if (ret)
		return ret;
	for (j = 0; j < pc->n_out; j++) {
		double sum = 0;

		for (i = 0; i < steps; i++) {
			const uint8_t *o = p + PROBE_OUT_OFF + ((size_t)i * pc->n_out + j) * 4;
			int32_t v = (int32_t)((uint32_t)o[0] | (uint32_t)o[1] << 8 |
					      (uint32_t)o[2] << 16 | (uint32_t)o[3] << 24);

			sum += v < 0 ? -(double)v : (double)v;
		}
		m[j] = sum / steps;
	}
	return 0;
}

/* The probe's shift: the largest one-weight response near, not past, full scale. */
static uint32_t probe_shift(const struct aimc_xbar_place *xb, const struct aimc_xbar_piece *pc)
{
	double top = 0;
	uint32_t j, s;

	for (j = 0; j < pc->n_out; j++)
		if (xb->gain[pc->out0 + j] > top)
			top = xb->gain[pc->out0 + j];
	/* 127 x (cmax unit) x gain / 2^(14 + s) <= 127 / 1.25 */
	top *= 1.25 * xb->cmax * xb->unit_nsiemens;
	for (s = 0; s < 40 && top > ldexp(1.0, 14 + (int)s); s++)
		;
	return s;
}

static int comp_alloc(struct aimc_deployment *d)
{
	const struct aimc_mapping *map = d->map;
	uint32_t x, p, k = 0;

	if (d->comp)
		return 0;
	for (x = 0; x < map->n_xbars; x++)
		d->n_comp += map->xbars[x].n_pieces;
	d->comp = calloc(d->n_comp, sizeof(*d->comp));
	if (!d->comp)
		return aimc_set_error(-ENOMEM, "out of memory");
	for (x = 0; x < map->n_xbars; x++) {
		for (p = 0; p < map->xbars[x].n_pieces; p++, k++) {
			uint32_t n = map->xbars[x].pieces[p].n_out;

			d->comp[k].ref = calloc(n, sizeof(double));
			d->comp[k].gain = calloc(n, sizeof(uint16_t));
			if (!d->comp[k].ref || !d->comp[k].gain)
				return aimc_set_error(-ENOMEM, "out of memory");
		}
	}
	return 0;
}

int aimc_deployment_compensate(struct aimc_deployment *d, uint32_t flags)
{
	const struct aimc_mapping *map = d->map;
	uint32_t x, p, j, k = 0, slot;
	double *now = NULL;
	int ret;

	if (!d->programmed)
		return aimc_set_error(-ENODATA, "the net is not programmed");
	if (!map->own_columns)
		return aimc_set_error(-EOPNOTSUPP, "crossbars share columns on this card (too few tiles): their gain registers cannot be compensated one by one");
	if (!(flags & AIMC_COMPENSATE_REFERENCE) && !d->comp_ref)
		return aimc_set_error(-ENODATA, "no reference: call with AIMC_COMPENSATE_REFERENCE right after programming");
	ret = comp_alloc(d);
	if (ret)
		return ret;
	ret = aimc_reserve(d->dev, AIMC_RESOURCE_SLOT, AIMC_JOB_ANY, &slot);
	if (ret)
		return ret == -ENOSPC ? aimc_set_error(-EBUSY, "no free stream slot to probe with") : ret;
	now = calloc(256, sizeof(double));
	if (!now)
		ret = aimc_set_error(-ENOMEM, "out of memory");
	for (x = 0; !ret && x < map->n_xbars; x++) {
		const struct aimc_xbar_place *xb = &map->xbars[x];

		for (p = 0; !ret && p < xb->n_pieces; p++, k++) {
			const struct aimc_xbar_piece *pc = &xb->pieces[p];
			struct comp_piece *cp = &d->comp[k];
			double sum_ref = 0, sum_now = 0;

			if (flags & AIMC_COMPENSATE_REFERENCE) {
				/* the programmed state, with the gains it was calibrated to */
				cp->shift = probe_shift(xb, pc);
				for (j = 0; j < pc->n_out; j++)
					cp->gain[j] = xb->gain[pc->out0 + j];
				ret = set_gains(d, pc, cp->gain);
				if (!ret)
					ret = probe(d, pc, cp->shift, slot, cp->ref);
				continue;
			}
			ret = probe(d, pc, cp->shift, slot, now);
			if (ret)
				break;
			/* responses are measured through the present gains */
			for (j = 0; j < pc->n_out; j++) {
				now[j] *= (double)xb->gain[pc->out0 + j] /
					  (cp->gain[j] ? cp->gain[j] : 1);
				sum_ref += cp->ref[j];
				sum_now += now[j];
			}
			for (j = 0; j < pc->n_out; j++) {
				double r = flags & AIMC_COMPENSATE_GLOBAL ?
					   (sum_now > 0 ? sum_ref / sum_now : 1) :
					   (now[j] > 0 && cp->ref[j] > 0 ? cp->ref[j] / now[j] : 1);
				double g = floor(xb->gain[pc->out0 + j] * r + 0.5);

				cp->gain[j] = (uint16_t)(g < 0 ? 0 : g > 65535 ? 65535 : g);
			}
			ret = set_gains(d, pc, cp->gain);
		}
	}
	free(now);
	aimc_release(d->dev, AIMC_RESOURCE_SLOT, slot);
	if (!ret && (flags & AIMC_COMPENSATE_REFERENCE))
		d->comp_ref = true;
	return ret;
}

const struct aimc_mapping *aimc_deployment_mapping(const struct aimc_deployment *d)
{
	return d ? d->map : NULL;
}

int aimc_deployment_cell(const struct aimc_deployment *d, uint32_t tile,
			 uint32_t row, uint32_t col, uint16_t *target,
			 int *stuck)
{
	uint32_t t;
	size_t i;

	for (t = 0; t < d->map->tiles_used; t++) {
		const struct aimc_wv_tile *w = &d->wv[t];

		if (w->tile != tile || row >= w->rows || col >= w->cols)
			continue;
		i = (size_t)row * w->cols + col;
		if (w->target[i] == AIMC_WV_UNUSED)
			break;
		*target = w->target[i];
		*stuck = aimc_wv_cell_stuck(w, i);
		return 0;
	}
	return -ENOENT;
}

void aimc_deployment_free(struct aimc_deployment *d)
{
	uint32_t t;

	if (!d)
		return;
	for (t = 0; d->comp && t < d->n_comp; t++) {
		free(d->comp[t].ref);
		free(d->comp[t].gain);
	}
	free(d->comp);
	for (t = 0; d->wv && t < d->map->tiles_used; t++)
		aimc_wv_tile_free(&d->wv[t]);
	free(d->wv);
	for (t = 0; t < d->n_reserved; t++)
		aimc_release(d->dev, AIMC_RESOURCE_TILE, d->tiles[t]);
	if (d->bo_map)
		aimc_bo_munmap(d->bo_map, d->bo_size);
	if (d->bo)
		aimc_bo_close(d->dev, d->bo);
	free(d->tiles);
	aimc_mapping_free(d->map);
	free(d);
}
