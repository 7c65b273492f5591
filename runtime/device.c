// SPDX-License-Identifier: MIT
/*
 * Device handles: choosing a backend, opening, closing and queries.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <drm/aimc_accel.h>

#include "internal.h"

const char *aimc_backend_name(enum aimc_backend backend)
{
	switch (backend) {
	case AIMC_BACKEND_AUTO:
		return "auto";
	case AIMC_BACKEND_DRM:
		return "drm";
	case AIMC_BACKEND_SIM:
		return "sim";
	}
	return "unknown";
}

int aimc_device_count(enum aimc_backend backend)
{
	int n;

	switch (backend) {
	case AIMC_BACKEND_DRM:
		return aimc_drm_count();
	case AIMC_BACKEND_SIM:
		return 1;
	case AIMC_BACKEND_AUTO:
		n = aimc_drm_count();
		return n > 0 ? n : 1;
	}
	return aimc_set_error(-EINVAL, "unknown backend %d", (int)backend);
}

int aimc_device_open(enum aimc_backend backend, unsigned int index,
		     struct aimc_device **out)
{
	if (!out)
		return aimc_set_error(-EINVAL, "aimc_device_open: out is NULL");
	*out = NULL;
	switch (backend) {
	case AIMC_BACKEND_DRM:
		return aimc_drm_open_index(index, out);
	case AIMC_BACKEND_SIM:
		if (index != 0)
			return aimc_set_error(-ENODEV,
					      "sim backend has one device, not %u",
					      index + 1);
		return aimc_sim_open(out);
	case AIMC_BACKEND_AUTO:
		if (aimc_drm_count() > 0)
			return aimc_drm_open_index(index, out);
		return aimc_device_open(AIMC_BACKEND_SIM, index, out);
	}
	return aimc_set_error(-EINVAL, "unknown backend %d", (int)backend);
}

int aimc_device_open_node(const char *path, struct aimc_device **out)
{
	if (!out || !path)
		return aimc_set_error(-EINVAL, "aimc_device_open_node: NULL argument");
	*out = NULL;
	return aimc_drm_open_node(path, out);
}

void aimc_device_close(struct aimc_device *dev)
{
	if (dev)
		dev->ops->close(dev);
}

int aimc_device_info(struct aimc_device *dev, struct aimc_device_info *info)
{
	static const struct {
		uint32_t param;
		size_t offset;
	} fields[] = {
		{ AIMC_PARAM_DEVICE_ID, offsetof(struct aimc_device_info, device_id) },
		{ AIMC_PARAM_HW_VERSION, offsetof(struct aimc_device_info, hw_version) },
		{ AIMC_PARAM_ABI_VERSION, offsetof(struct aimc_device_info, abi_version) },
		{ AIMC_PARAM_SERIAL, offsetof(struct aimc_device_info, serial) },
		{ AIMC_PARAM_NUM_TILES, offsetof(struct aimc_device_info, num_tiles) },
		{ AIMC_PARAM_TILE_ROWS, offsetof(struct aimc_device_info, tile_rows) },
		{ AIMC_PARAM_TILE_COLS, offsetof(struct aimc_device_info, tile_cols) },
		{ AIMC_PARAM_DAC_BITS, offsetof(struct aimc_device_info, dac_bits) },
		{ AIMC_PARAM_ADC_BITS, offsetof(struct aimc_device_info, adc_bits) },
		{ AIMC_PARAM_G_MIN_NS, offsetof(struct aimc_device_info, g_min_ns) },
		{ AIMC_PARAM_G_MAX_NS, offsetof(struct aimc_device_info, g_max_ns) },
		{ AIMC_PARAM_SRAM_KIB, offsetof(struct aimc_device_info, sram_kib) },
		{ AIMC_PARAM_STREAM_SLOTS, offsetof(struct aimc_device_info, stream_slots) },
		{ AIMC_PARAM_QUEUE_DEPTH, offsetof(struct aimc_device_info, queue_depth) },
	};
	size_t i;

	if (!dev || !info)
		return aimc_set_error(-EINVAL, "aimc_device_info: NULL argument");
	memset(info, 0, sizeof(*info));
	info->backend = dev->ops->kind;
	memcpy(info->node, dev->node, sizeof(info->node));
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t value;
		int ret = dev->ops->get_param(dev, fields[i].param, &value);

		if (ret < 0)
			return ret;
		*(uint32_t *)((char *)info + fields[i].offset) = (uint32_t)value;
	}
	return 0;
}
