// SPDX-License-Identifier: MIT
/*
 * Device handles: choosing a backend, opening, closing, references and
 * queries.  A device lives until the application has closed its handle
 * and every net on it is closed (each net holds a reference), so closing
 * in the wrong order cannot leave a net pointing at freed memory.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <drm/aimc_accel.h>

#include "internal.h"

#ifndef AIMC_PACKAGE_VERSION
#define AIMC_PACKAGE_VERSION "unknown"
#endif

const char *aimc_version(void)
{
	return AIMC_PACKAGE_VERSION;
}

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

static int device_count(enum aimc_backend backend)
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

int aimc_device_count(enum aimc_backend backend)
{
	aimc_api_begin();
	return aimc_api_end(__func__, device_count(backend));
}

static int device_open(enum aimc_backend backend, unsigned int index,
		       struct aimc_device **out)
{
	if (!out)
		return aimc_set_error(-EINVAL, "out is NULL");
	*out = NULL;
	switch (backend) {
	case AIMC_BACKEND_DRM:
		return aimc_drm_open_index(index, out);
	case AIMC_BACKEND_SIM:
		if (index != 0)
			return aimc_set_error(-ENODEV,
					      "sim backend has one device, not %u",
					      index + 1);
		return aimc_sim_open(NULL, out);
	case AIMC_BACKEND_AUTO:
		if (aimc_drm_count() > 0)
			return aimc_drm_open_index(index, out);
		return device_open(AIMC_BACKEND_SIM, index, out);
	}
	return aimc_set_error(-EINVAL, "unknown backend %d", (int)backend);
}

int aimc_device_open(enum aimc_backend backend, unsigned int index,
		     struct aimc_device **out)
{
	aimc_api_begin();
	return aimc_api_end(__func__, device_open(backend, index, out));
}

int aimc_device_open_sim(const struct aimc_sim_options *opts,
			 struct aimc_device **out)
{
	int ret;

	aimc_api_begin();
	if (!out)
		ret = aimc_set_error(-EINVAL, "out is NULL");
	else
		ret = aimc_sim_open(opts, out);
	return aimc_api_end(__func__, ret);
}

int aimc_device_open_node(const char *path, struct aimc_device **out)
{
	int ret;

	aimc_api_begin();
	if (out)
		*out = NULL;
	if (!out || !path)
		ret = aimc_set_error(-EINVAL, "NULL argument");
	else
		ret = aimc_drm_open_node(path, out);
	return aimc_api_end(__func__, ret);
}

struct aimc_device *aimc_device_alloc(const struct aimc_backend_ops *ops)
{
	struct aimc_device *dev = calloc(1, sizeof(*dev));

	if (!dev)
		return NULL;
	dev->ops = ops;
	dev->refs = 1;
	dev->fd = -1;
	return dev;
}

void aimc_device_get(struct aimc_device *dev)
{
	__atomic_add_fetch(&dev->refs, 1, __ATOMIC_RELAXED);
}

void aimc_device_put(struct aimc_device *dev)
{
	if (dev && __atomic_sub_fetch(&dev->refs, 1, __ATOMIC_ACQ_REL) == 0)
		dev->ops->close(dev);
}

void aimc_device_close(struct aimc_device *dev)
{
	aimc_device_put(dev);
}

int aimc_device_query(struct aimc_device *dev, struct aimc_device_info *info)
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
		{ AIMC_PARAM_G_MIN_NS, offsetof(struct aimc_device_info, g_min_nsiemens) },
		{ AIMC_PARAM_G_MAX_NS, offsetof(struct aimc_device_info, g_max_nsiemens) },
		{ AIMC_PARAM_SRAM_KIB, offsetof(struct aimc_device_info, sram_kib) },
		{ AIMC_PARAM_STREAM_SLOTS, offsetof(struct aimc_device_info, stream_slots) },
		{ AIMC_PARAM_QUEUE_DEPTH, offsetof(struct aimc_device_info, queue_depth) },
	};
	size_t i;

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

int aimc_device_info(struct aimc_device *dev, struct aimc_device_info *info,
		     size_t info_size)
{
	struct aimc_device_info all;
	int ret;

	aimc_api_begin();
	ret = aimc_check_out(dev, info, info_size,
			     AIMC_SIZE_2_0(struct aimc_device_info, node));
	if (!ret)
		ret = aimc_device_query(dev, &all);
	if (!ret)
		aimc_copy_out(info, info_size, &all, sizeof(all));
	return aimc_api_end(__func__, ret);
}

int aimc_device_telemetry(struct aimc_device *dev,
			  struct aimc_device_telemetry *telemetry,
			  size_t telemetry_size)
{
	struct aimc_device_telemetry all;
	int ret;

	aimc_api_begin();
	ret = aimc_check_out(dev, telemetry, telemetry_size,
			     AIMC_SIZE_2_1(struct aimc_device_telemetry, preset));
	if (!ret) {
		memset(&all, 0, sizeof(all));
		ret = dev->ops->telemetry(dev, &all);
	}
	if (!ret)
		ret = dev->ops->drift_clock_ns(dev, &all.clock_ns);
	if (!ret)
		aimc_copy_out(telemetry, telemetry_size, &all, sizeof(all));
	return aimc_api_end(__func__, ret);
}

int aimc_device_advance_clock(struct aimc_device *dev, uint64_t ns)
{
	int ret;

	aimc_api_begin();
	if (!dev)
		ret = aimc_set_error(-EINVAL, "no device");
	else
		ret = dev->ops->advance_clock(dev, ns);
	return aimc_api_end(__func__, ret);
}
