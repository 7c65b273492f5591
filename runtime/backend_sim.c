// SPDX-License-Identifier: MIT
/*
 * The sim backend: the card's device model (emulator/model/) running in
 * this process, the same code aimc_emu.ko runs in the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <drm/aimc_accel.h>

#include "aimc_model.h"
#include "internal.h"

/* Answers a param the way aimc.ko answers it from the card's registers. */
static int aimc_sim_get_param(struct aimc_device *dev, uint32_t param,
			      uint64_t *value)
{
	static const uint32_t cap_regs[AIMC_PARAM_COUNT] = {
		[AIMC_PARAM_NUM_TILES] = AIMC_REG_CAP_TILES,
		[AIMC_PARAM_SRAM_KIB] = AIMC_REG_CAP_SRAM_KIB,
		[AIMC_PARAM_G_MIN_NS] = AIMC_REG_CAP_G_MIN_NS,
		[AIMC_PARAM_G_MAX_NS] = AIMC_REG_CAP_G_MAX_NS,
		[AIMC_PARAM_STREAM_SLOTS] = AIMC_REG_CAP_STREAM_SLOTS,
		[AIMC_PARAM_QUEUE_DEPTH] = AIMC_REG_CAP_QUEUE_DEPTH,
	};
	const struct aimc_model *model = dev->sim;
	uint32_t geometry = aimc_model_cap(model, AIMC_REG_CAP_GEOMETRY);
	uint32_t converters = aimc_model_cap(model, AIMC_REG_CAP_CONVERTERS);

	switch (param) {
	case AIMC_PARAM_DEVICE_ID:
		*value = AIMC_ID_MAGIC;
		return 0;
	case AIMC_PARAM_HW_VERSION:
		*value = AIMC_HW_VERSION_MAJOR << 16 | AIMC_HW_VERSION_MINOR;
		return 0;
	case AIMC_PARAM_ABI_VERSION:
		*value = AIMC_ABI_VERSION;
		return 0;
	case AIMC_PARAM_SERIAL:
		*value = 0;
		return 0;
	case AIMC_PARAM_TILE_ROWS:
		*value = AIMC_GEOMETRY_ROWS(geometry);
		return 0;
	case AIMC_PARAM_TILE_COLS:
		*value = AIMC_GEOMETRY_COLS(geometry);
		return 0;
	case AIMC_PARAM_DAC_BITS:
		*value = AIMC_CONVERTERS_DAC_BITS(converters);
		return 0;
	case AIMC_PARAM_ADC_BITS:
		*value = AIMC_CONVERTERS_ADC_BITS(converters);
		return 0;
	}
	if (param < AIMC_PARAM_COUNT && cap_regs[param]) {
		*value = aimc_model_cap(model, cap_regs[param]);
		return 0;
	}
	return aimc_set_error(-EINVAL, "sim: unknown param %u", param);
}

static void aimc_sim_close(struct aimc_device *dev)
{
	aimc_model_destroy(dev->sim);
	free(dev);
}

static const struct aimc_backend_ops aimc_sim_ops = {
	.kind = AIMC_BACKEND_SIM,
	.get_param = aimc_sim_get_param,
	.close = aimc_sim_close,
};

/* No host memory is shared with the sim card yet: every DMA faults. */
static int aimc_sim_dma_read(void *ctx, u64 addr, void *dst, u32 len)
{
	(void)ctx, (void)addr, (void)dst, (void)len;
	return -EFAULT;
}

static int aimc_sim_dma_write(void *ctx, u64 addr, const void *src, u32 len)
{
	(void)ctx, (void)addr, (void)src, (void)len;
	return -EFAULT;
}

int aimc_sim_open(struct aimc_device **out)
{
	static const struct aimc_model_dma no_dma = {
		.read = aimc_sim_dma_read,
		.write = aimc_sim_dma_write,
	};
	struct aimc_model_config cfg;
	struct aimc_device *dev;
	const char *why;

	aimc_model_config_defaults(&cfg);
	if (aimc_model_config_check(&cfg, &why) < 0)
		return aimc_set_error(-EINVAL, "sim: bad model configuration: %s", why);
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return aimc_set_error(-ENOMEM, "out of memory");
	dev->ops = &aimc_sim_ops;
	dev->fd = -1;
	snprintf(dev->node, sizeof(dev->node), "sim");
	dev->sim = aimc_model_create(&cfg, &no_dma);
	if (!dev->sim) {
		free(dev);
		return aimc_set_error(-ENOMEM, "sim: cannot create the device model");
	}
	*out = dev;
	return 0;
}
