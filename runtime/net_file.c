// SPDX-License-Identifier: MIT
/* aimc_net_open(): a model file through the loader into a net. */
#include <errno.h>

#include "stream_internal.h"

int aimc_net_open(struct aimc_device *dev, const char *path, uint32_t flags,
		  struct aimc_net **out)
{
	struct aimc_ssm *model;
	int ret;

	if (!path || !out)
		return aimc_set_error(-EINVAL, "aimc_net_open: bad argument");
	*out = NULL;
	ret = aimc_ssm_load(path, &model);
	if (ret)
		return ret;
	ret = aimc_net_create(dev, model, aimc_ssm_free, flags, out);
	if (ret)
		aimc_ssm_free(model);
	return ret;
}
