// SPDX-License-Identifier: MIT
/*
 * A model on one card: its deployment (deploy.c: mapped onto reserved
 * tiles, calibrated, programmed with write-verify) and the card programs
 * compiled for exactly that placement and calibration, in one buffer
 * every stream of the net executes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "deploy_internal.h"
#include "job.h"
#include "stream_internal.h"

#define ALIGN64(x)	(((x) + 63) & ~(uint64_t)63)

/*
 * The compiler's view of one mapped crossbar: one window of one tile (an
 * MVM micro-op reads one window), with the deployment's calibration.
 */
static int calib_of(const struct aimc_xbar_place *x, struct aimc_xbar_calib *cal)
{
	const struct aimc_xbar_piece *pc = &x->pieces[0];

	if (x->n_pieces != 1)
		return aimc_set_error(-ENOSPC, "%s: %u x %u weights do not fit one tile: the compiler takes one tile window per crossbar",
				      x->lin->name, x->n_out, x->n_in);
	if (x->n_out > AIMC_INT_MAX_IO)
		return aimc_set_error(-ENOSPC, "%s: %u outputs, the compiler takes %u",
				      x->lin->name, x->n_out, AIMC_INT_MAX_IO);
	cal->tile = pc->tile;
	cal->row0 = pc->row0;
	cal->col0 = pc->col0;
	cal->unit_nsiemens = x->unit_nsiemens;
	cal->shift = x->shift;
	memcpy(cal->gain, x->gain, x->n_out * sizeof(*x->gain));
	memcpy(cal->canon, x->canon ? x->canon : x->gain,
	       x->n_out * sizeof(*x->gain));
	return 0;
}

/* The mapping's crossbars are encoder, layers' mix, decoder (map.c). */
static int placement_of(struct aimc_net *net)
{
	const struct aimc_mapping *map = aimc_deployment_mapping(net->dep);
	uint32_t l;
	int ret;

	net->pl.mix = calloc(net->model->n_layers, sizeof(*net->pl.mix));
	if (!net->pl.mix)
		return aimc_set_error(-ENOMEM, "out of memory");
	ret = calib_of(&map->xbars[0], &net->pl.encoder);
	for (l = 0; l < net->model->n_layers && !ret; l++)
		ret = calib_of(&map->xbars[1 + l], &net->pl.mix[l]);
	if (!ret)
		ret = calib_of(&map->xbars[map->n_xbars - 1], &net->pl.decoder);
	return ret;
}

static int net_program(struct aimc_net *net,
		       const struct aimc_program_params *params,
		       aimc_program_progress_fn progress, void *ctx)
{
	int ret;

	if (!net)
		return aimc_set_error(-EINVAL, "no net");
	/* Refused parameters write no cell: the net stays as it was. */
	if (params) {
		ret = aimc_program_params_check(params,
						aimc_deployment_g_range(net->dep));
		if (ret)
			return ret;
	}
	net->programmed = false;
	ret = aimc_deployment_program(net->dep, params, progress, ctx);
	net->programmed = !ret;
	if (!ret)
		aimc_net_mark_programmed(net);
	if (!ret)
		ret = aimc_net_policy_reference(net);
	return ret;
}

int aimc_net_program(struct aimc_net *net,
		     const struct aimc_program_params *params,
		     aimc_program_progress_fn progress, void *ctx)
{
	aimc_api_begin();
	return aimc_api_end(__func__, net_program(net, params, progress, ctx));
}

int aimc_net_program_stats(const struct aimc_net *net,
			   struct aimc_program_stats *stats, size_t stats_size)
{
	const struct aimc_program_stats *s = NULL;
	int ret;

	aimc_api_begin();
	ret = aimc_check_out(net, stats, stats_size,
			     AIMC_SIZE_2_0(struct aimc_program_stats, padding));
	if (!ret) {
		s = aimc_deployment_stats(net->dep);
		if (!s)
			ret = aimc_set_error(-ENODATA, "the net is not programmed");
	}
	if (!ret)
		aimc_copy_out(stats, stats_size, s, sizeof(*s));
	return aimc_api_end(__func__, ret);
}

static int net_refresh(struct aimc_net *net, aimc_program_progress_fn progress,
		       void *ctx)
{
	int ret;

	if (!net)
		return aimc_set_error(-EINVAL, "no net");
	ret = aimc_deployment_refresh(net->dep, progress, ctx);
	net->programmed = !ret;
	if (!ret)
		aimc_net_mark_programmed(net);
	if (!ret)
		ret = aimc_net_policy_reference(net);
	return ret;
}

int aimc_net_compensate(struct aimc_net *net, uint32_t flags)
{
	int ret;

	aimc_api_begin();
	if (!net)
		ret = aimc_set_error(-EINVAL, "no net");
	else if (flags & ~(AIMC_COMPENSATE_REFERENCE | AIMC_COMPENSATE_GLOBAL))
		ret = aimc_set_error(-EINVAL, "unknown flags 0x%x", flags);
	else
		ret = aimc_deployment_compensate(net->dep, flags);
	if (!ret)
		aimc_net_mark_compensated(net);
	return aimc_api_end(__func__, ret);
}

int aimc_net_refresh(struct aimc_net *net, aimc_program_progress_fn progress,
		     void *ctx)
{
	aimc_api_begin();
	return aimc_api_end(__func__, net_refresh(net, progress, ctx));
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

uint32_t aimc_model_max_chunk(const struct aimc_ssm *model)
{
	uint32_t stride = 4 * model->hk > model->d_input ? 4 * model->hk :
			  model->d_input;

	return AIMC_IO_MAX_BYTES / stride;
}

int aimc_net_create(struct aimc_device *dev, struct aimc_ssm *model,
		    void (*free_model)(struct aimc_ssm *), uint32_t flags,
		    struct aimc_net **out)
{
	struct aimc_device_info info;
	struct aimc_net *net;
	int ret;

	if (!dev || !model || !out)
		return aimc_set_error(-EINVAL, "NULL argument");
	*out = NULL;
	if (flags & ~AIMC_NET_NO_PROGRAM)
		return aimc_set_error(-EINVAL, "unknown flags 0x%x", flags);
	if (model->n_layers > AIMC_SSM_MAX_LAYERS)
		return aimc_set_error(-ENOSPC, "%u layers: the compiler takes at most %u",
				      model->n_layers, AIMC_SSM_MAX_LAYERS);
	ret = aimc_device_query(dev, &info);
	if (ret)
		return ret;
	net = calloc(1, sizeof(*net));
	if (!net)
		return aimc_set_error(-ENOMEM, "out of memory");
	net->refs = 1;
	aimc_device_get(dev);
	net->dev = dev;
	net->model = model;
	net->max_chunk = aimc_model_max_chunk(model);
	aimc_net_set_policy_default(net);
	ret = check_converters(model, &info);
	if (!ret)
		ret = aimc_deployment_create(dev, model, &net->dep);
	if (!ret)
		ret = placement_of(net);
	if (!ret)
		ret = aimc_int_model_build(model, &net->pl, &net->im);
	if (!ret)
		ret = aimc_compile(net->im, &net->ps);
	if (!ret)
		ret = upload_programs(net);
	if (!ret && !(flags & AIMC_NET_NO_PROGRAM))
		ret = net_program(net, NULL, NULL, NULL);
	if (ret) {
		aimc_net_put(net);	/* the caller keeps the model */
		return ret;
	}
	net->free_model = free_model;
	*out = net;
	return 0;
}

int aimc_net_info(const struct aimc_net *net, struct aimc_net_info *info,
		  size_t info_size)
{
	const struct aimc_mapping *map;
	struct aimc_net_info all;
	int ret;

	aimc_api_begin();
	ret = aimc_check_out(net, info, info_size,
			     AIMC_SIZE_2_0(struct aimc_net_info, age_ns));
	if (!ret) {
		map = aimc_deployment_mapping(net->dep);
		memset(&all, 0, sizeof(all));
		all.d_input = net->model->d_input;
		all.d_output = net->model->hk;
		all.n_classes = net->model->n_classes;
		all.n_layers = net->model->n_layers;
		all.slots_per_stream = net->ps->n_slots;
		all.segments = net->ps->n_segments;
		all.mvms_per_step = net->ps->mvms_per_step;
		all.tiles = map->tiles_used;
		all.cells = (uint32_t)map->cells_used;
		all.max_chunk = net->max_chunk;
		all.programmed = net->programmed;
		all.crossbars = map->n_xbars;
		all.refreshes = net->refreshes;
		all.compensations = net->compensations;
		aimc_baseline_energy(net->ps, &all.baseline_fj_per_step,
				     &all.baseline_fj_per_sequence);
		if (net->programmed) {
			ret = aimc_net_age_ns(net, &all.age_ns);
			all.refresh_due = aimc_net_refresh_due(net);
		}
	}
	if (!ret)
		aimc_copy_out(info, info_size, &all, sizeof(all));
	return aimc_api_end(__func__, ret);
}

const struct aimc_deployment *aimc_net_deployment(const struct aimc_net *net)
{
	return net->dep;
}

void aimc_net_get(struct aimc_net *net)
{
	__atomic_add_fetch(&net->refs, 1, __ATOMIC_RELAXED);
}

static void net_free(struct aimc_net *net)
{
	if (net->prog_bo)
		aimc_bo_close(net->dev, net->prog_bo);
	aimc_program_set_free(net->ps);
	aimc_int_model_free(net->im);
	free(net->pl.mix);
	aimc_deployment_free(net->dep);
	if (net->free_model)
		net->free_model(net->model);
	aimc_device_put(net->dev);
	free(net);
}

void aimc_net_put(struct aimc_net *net)
{
	if (net && __atomic_sub_fetch(&net->refs, 1, __ATOMIC_ACQ_REL) == 0)
		net_free(net);
}

void aimc_net_close(struct aimc_net *net)
{
	aimc_net_put(net);
}
