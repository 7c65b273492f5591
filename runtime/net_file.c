// SPDX-License-Identifier: MIT
/*
 * Model files: aimc_net_open() (a file through the loader into a net) and
 * aimc_model_info() (a file's shape without a device).
 */
#include <errno.h>

#include "stream_internal.h"

static int net_open(struct aimc_device *dev, const char *path, uint32_t flags,
		    struct aimc_net **out)
{
	struct aimc_ssm *model;
	int ret;

	if (!path || !out || !dev)
		return aimc_set_error(-EINVAL, "NULL argument");
	*out = NULL;
	ret = aimc_ssm_load(path, &model);
	if (ret)
		return ret;
	ret = aimc_net_create(dev, model, aimc_ssm_free, flags, out);
	if (ret)
		aimc_ssm_free(model);
	return ret;
}

int aimc_net_open(struct aimc_device *dev, const char *path, uint32_t flags,
		  struct aimc_net **out)
{
	aimc_api_begin();
	return aimc_api_end(__func__, net_open(dev, path, flags, out));
}

static uint32_t weights_of(const struct aimc_ssm_linear *lin)
{
	return lin->weight.rows * lin->weight.cols;
}

static void describe(const struct aimc_ssm *m, struct aimc_model_info *info)
{
	uint32_t l;

	info->d_input = m->d_input;
	info->d_output = m->hk;
	info->n_classes = m->n_classes;
	info->n_layers = m->n_layers;
	info->crossbars = m->n_layers + 2;
	info->weights = weights_of(&m->encoder) + weights_of(&m->decoder);
	for (l = 0; l < m->n_layers; l++)
		info->weights += weights_of(&m->layers[l].mix);
	info->weight_bits = m->quantized ? m->encoder.weight.bits : 0;
	info->max_chunk = aimc_model_max_chunk(m);
}

int aimc_model_info(const char *path, struct aimc_model_info *info,
		    size_t info_size)
{
	struct aimc_model_info all = { 0 };
	struct aimc_ssm *model = NULL;
	int ret;

	aimc_api_begin();
	ret = aimc_check_out(path, info, info_size,
			     AIMC_SIZE_2_0(struct aimc_model_info, max_chunk));
	if (!ret)
		ret = aimc_ssm_load(path, &model);
	if (!ret) {
		describe(model, &all);
		aimc_copy_out(info, info_size, &all, sizeof(all));
	}
	aimc_ssm_free(model);
	return aimc_api_end(__func__, ret);
}
