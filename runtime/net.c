// SPDX-License-Identifier: MIT
/*
 * A model on one card: tiles reserved, crossbars placed column by column,
 * calibrated canonically (docs/integer-inference.md, section 3), cells
 * programmed open loop (exact on a noise-free card), and the compiled
 * programs in one buffer every stream of the net executes.
 *
 * The placement and programming here are the minimal ones streaming
 * needs; the issue-5 mapper and write-verify programmer are meant to
 * replace place() and program_xbar() once their interface lands.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "stream_internal.h"

#define ALIGN64(x)	(((x) + 63) & ~(uint64_t)63)

struct xbar_ref {
	const struct aimc_ssm_linear *lin;
	struct aimc_xbar_calib *cal;
};

static uint32_t list_xbars(struct aimc_net *net, struct xbar_ref *x)
{
	uint32_t n = 0, l;

	x[n++] = (struct xbar_ref){ &net->model->encoder, &net->pl.encoder };
	for (l = 0; l < net->model->n_layers; l++)
		x[n++] = (struct xbar_ref){ &net->model->layers[l].mix,
					    &net->pl.mix[l] };
	x[n++] = (struct xbar_ref){ &net->model->decoder, &net->pl.decoder };
	return n;
}

/* Column-by-column packing, a new tile when a window does not fit. */
static int place(struct aimc_net *net, const struct aimc_device_info *info)
{
	struct xbar_ref x[AIMC_NET_MAX_TILES];
	uint32_t n = list_xbars(net, x), i, col = info->tile_cols, tile = 0;
	int ret;

	for (i = 0; i < n; i++) {
		uint32_t rows = x[i].lin->weight.cols;
		uint32_t cols = 2 * x[i].lin->weight.rows;

		if (rows > info->tile_rows || cols > info->tile_cols)
			return aimc_set_error(-E2BIG, "%s: %u x %u cells do not fit a %u x %u tile",
					      x[i].lin->name, rows, cols,
					      info->tile_rows, info->tile_cols);
		if (col + cols > info->tile_cols) {
			ret = aimc_reserve(net->dev, AIMC_RESOURCE_TILE,
					   AIMC_JOB_ANY, &tile);
			if (ret)
				return aimc_set_error(ret, "%s: no free tile (%d of the model's placed)",
						      x[i].lin->name,
						      (int)net->n_tiles);
			net->tiles[net->n_tiles++] = tile;
			col = 0;
		}
		ret = aimc_calib_canonical(x[i].lin, info->g_max_ns, x[i].cal);
		if (ret)
			return ret;
		x[i].cal->tile = tile;
		x[i].cal->row0 = 0;
		x[i].cal->col0 = col;
		col += cols;
		net->cells += rows * cols;
	}
	return 0;
}

static int run_job(struct aimc_device *dev, const struct drm_aimc_cmd *c,
		   uint32_t n, const char *what)
{
	struct aimc_job_result res;
	uint64_t job;
	int ret = aimc_job_submit(dev, c, n, NULL, 0, 0, &job);

	if (!ret)
		ret = aimc_job_wait(dev, job, aimc_deadline_ns(60000), &res);
	if (ret)
		return ret;
	if (res.status != AIMC_JOB_DONE)
		return aimc_set_error(-EIO, "%s: job %s, card status %u at command %u",
				      what, aimc_job_status_name(res.status),
				      res.device_status, res.failed_cmd);
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v & 0xff);
	p[1] = (uint8_t)(v >> 8);
}

/* PROGRAM the window's targets, then CALIBRATE its columns. */
static int program_xbar(struct aimc_net *net, const struct xbar_ref *x,
			uint32_t bo, uint8_t *map)
{
	const struct aimc_ssm_linear *lin = x->lin;
	const struct aimc_xbar_calib *cal = x->cal;
	uint32_t rows = lin->weight.cols, outs = lin->weight.rows, i, j;
	uint32_t tgt_bytes = rows * outs * 4, cal_off = (uint32_t)ALIGN64(tgt_bytes);
	struct drm_aimc_cmd c[2];

	for (i = 0; i < rows; i++) {
		for (j = 0; j < outs; j++) {
			uint16_t gp, gn;

			aimc_calib_cells(lin, cal, j, i, &gp, &gn);
			put16(map + 4 * ((size_t)i * outs + j), gp);
			put16(map + 4 * ((size_t)i * outs + j) + 2, gn);
		}
	}
	for (j = 0; j < outs; j++) {
		put16(map + cal_off + 4 * j, cal->gain[j]);
		put16(map + cal_off + 4 * j + 2, 0);
	}
	memset(c, 0, sizeof(c));
	c[0].opcode = AIMC_OP_PROGRAM;
	c[0].tile = (uint16_t)cal->tile;
	c[0].mode = AIMC_PROG_TARGET;
	c[0].row0 = (uint16_t)cal->row0;
	c[0].col0 = (uint16_t)cal->col0;
	c[0].rows = (uint16_t)rows;
	c[0].cols = (uint16_t)(2 * outs);
	c[0].src = (struct drm_aimc_operand){ bo, tgt_bytes, 0 };
	c[1].opcode = AIMC_OP_CALIBRATE;
	c[1].tile = (uint16_t)cal->tile;
	c[1].col0 = (uint16_t)cal->col0;
	c[1].cols = (uint16_t)(2 * outs);
	c[1].src = (struct drm_aimc_operand){ bo, 4 * outs, cal_off };
	return run_job(net->dev, c, 2, lin->name);
}

int aimc_net_program(struct aimc_net *net, aimc_progress_fn progress,
		     void *ctx)
{
	struct xbar_ref x[AIMC_NET_MAX_TILES];
	uint32_t n, i, bo;
	uint64_t size;
	uint8_t *map;
	int ret;

	if (!net)
		return aimc_set_error(-EINVAL, "no net");
	n = list_xbars(net, x);
	ret = aimc_bo_create(net->dev, 4 * AIMC_IO_MAX_BYTES, &bo);
	if (ret)
		return ret;
	ret = aimc_bo_mmap(net->dev, bo, (void **)&map, &size);
	for (i = 0; i < n && !ret; i++) {
		ret = program_xbar(net, &x[i], bo, map);
		if (!ret && progress)
			progress(ctx, i + 1, n);
	}
	if (map)
		aimc_bo_munmap(map, size);
	aimc_bo_close(net->dev, bo);
	if (!ret)
		net->programmed = true;
	return ret;
}

/* All program images in one buffer the streams' EXECs point at. */
static int upload_programs(struct aimc_net *net)
{
	const struct aimc_program_set *ps = net->ps;
	uint64_t total = 0, size;
	uint8_t *map;
	uint32_t i;
	int ret;

	for (i = 0; i < ps->n_segments; i++) {
		net->seg_off[i] = total;
		total = ALIGN64(total + ps->seg[i].len);
	}
	net->dec_off = total;
	total += ps->decoder.len;
	ret = aimc_bo_create(net->dev, total, &net->prog_bo);
	if (ret)
		return ret;
	ret = aimc_bo_mmap(net->dev, net->prog_bo, (void **)&map, &size);
	if (ret)
		return ret;
	for (i = 0; i < ps->n_segments; i++)
		memcpy(map + net->seg_off[i], ps->seg[i].image, ps->seg[i].len);
	memcpy(map + net->dec_off, ps->decoder.image, ps->decoder.len);
	return aimc_bo_munmap(map, size);
}

static int check_converters(const struct aimc_ssm *m,
			    const struct aimc_device_info *info)
{
	if (m->quantized && (m->dac_bits != info->dac_bits ||
			     m->adc_bits != info->adc_bits))
		return aimc_set_error(-EINVAL, "model trained for %u-bit DAC / %u-bit ADC, the card has %u / %u",
				      m->dac_bits, m->adc_bits, info->dac_bits,
				      info->adc_bits);
	return 0;
}

int aimc_net_create(struct aimc_device *dev, struct aimc_ssm *model,
		    void (*free_model)(struct aimc_ssm *), uint32_t flags,
		    struct aimc_net **out)
{
	struct aimc_device_info info;
	struct aimc_net *net;
	uint32_t stride;
	int ret;

	if (!dev || !model || !out || (flags & ~AIMC_NET_NO_PROGRAM))
		return aimc_set_error(-EINVAL, "aimc_net_create: bad argument");
	if (model->n_layers + 2 > AIMC_NET_MAX_TILES)
		return aimc_set_error(-E2BIG, "%u layers", model->n_layers);
	ret = aimc_device_info(dev, &info);
	if (ret)
		return ret;
	net = calloc(1, sizeof(*net));
	if (!net)
		return aimc_set_error(-ENOMEM, "out of memory");
	net->dev = dev;
	net->model = model;
	net->free_model = free_model;
	net->is_drm = info.backend == AIMC_BACKEND_DRM;
	net->pl.mix = calloc(model->n_layers, sizeof(*net->pl.mix));
	ret = net->pl.mix ? check_converters(model, &info) :
	      aimc_set_error(-ENOMEM, "out of memory");
	if (!ret && !model->quantized)
		ret = aimc_set_error(-EINVAL, "%s: a float model does not run on the card",
				     model->path ? model->path : "model");
	if (!ret)
		ret = place(net, &info);
	if (!ret)
		ret = aimc_int_model_build(model, &net->pl, &net->im);
	if (!ret)
		ret = aimc_compile(net->im, &net->ps);
	if (!ret)
		ret = upload_programs(net);
	if (!ret && !(flags & AIMC_NET_NO_PROGRAM))
		ret = aimc_net_program(net, NULL, NULL);
	if (ret) {
		net->free_model = NULL;	/* the caller keeps it */
		aimc_net_close(net);
		return ret;
	}
	stride = 4 * model->hk > model->d_input ? 4 * model->hk : model->d_input;
	net->max_chunk = AIMC_IO_MAX_BYTES / stride;
	*out = net;
	return 0;
}

int aimc_net_info(const struct aimc_net *net, struct aimc_net_info *info)
{
	if (!net || !info)
		return aimc_set_error(-EINVAL, "aimc_net_info: bad argument");
	memset(info, 0, sizeof(*info));
	info->d_input = net->model->d_input;
	info->d_output = net->model->hk;
	info->n_classes = net->model->n_classes;
	info->n_layers = net->model->n_layers;
	info->slots_per_stream = net->ps->n_slots;
	info->segments = net->ps->n_segments;
	info->mvms_per_step = net->ps->mvms_per_step;
	info->tiles = net->n_tiles;
	info->cells = net->cells;
	info->max_chunk = net->max_chunk;
	info->programmed = net->programmed;
	return 0;
}

void aimc_stream_destroy(struct aimc_stream *s);

void aimc_net_close(struct aimc_net *net)
{
	uint32_t i;

	if (!net)
		return;
	while (net->streams) {
		struct aimc_stream *s = net->streams;

		net->streams = s->next;
		aimc_stream_destroy(s);
	}
	for (i = 0; i < net->n_tiles; i++)
		aimc_release(net->dev, AIMC_RESOURCE_TILE, net->tiles[i]);
	if (net->prog_bo)
		aimc_bo_close(net->dev, net->prog_bo);
	aimc_program_set_free(net->ps);
	aimc_int_model_free(net->im);
	free(net->pl.mix);
	if (net->free_model)
		net->free_model(net->model);
	free(net);
}
