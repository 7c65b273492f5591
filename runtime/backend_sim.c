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
#include "sim_job.h"

/* Serial numbers of sim cards start here (emulated cards: 0xe0000000). */
#define AIMC_SIM_SERIAL_BASE	0xf0000000u

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
	};
	const struct aimc_model *model = aimc_sim_model(dev);
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
		/* tells simulated cards of different seeds apart */
		*value = AIMC_SIM_SERIAL_BASE |
			 (uint32_t)(aimc_model_config(model)->seed & 0x0fffffffu);
		return 0;
	case AIMC_PARAM_QUEUE_DEPTH:
		/* the card's own figure, as the emulator reports it */
		*value = AIMC1_QUEUE_DEPTH;
		return 0;
	case AIMC_PARAM_TILE_ROWS:
		*value = FIELD_GET(AIMC_GEOMETRY_ROWS, geometry);
		return 0;
	case AIMC_PARAM_TILE_COLS:
		*value = FIELD_GET(AIMC_GEOMETRY_COLS, geometry);
		return 0;
	case AIMC_PARAM_DAC_BITS:
		*value = FIELD_GET(AIMC_CONVERTERS_DAC_BITS, converters);
		return 0;
	case AIMC_PARAM_ADC_BITS:
		*value = FIELD_GET(AIMC_CONVERTERS_ADC_BITS, converters);
		return 0;
	case AIMC_PARAM_MAX_JOB_CMDS:
		*value = AIMC_SIM_MAX_JOB_CMDS;
		return 0;
	case AIMC_PARAM_JOB_HISTORY:
		*value = AIMC_SIM_JOB_HISTORY;
		return 0;
	case AIMC_PARAM_MAX_BO_SIZE:
		*value = AIMC_SIM_MAX_BO_SIZE;
		return 0;
	case AIMC_PARAM_MAX_FILE_JOBS:
		*value = AIMC_SIM_MAX_FILE_JOBS;
		return 0;
	case AIMC_PARAM_CAPABILITIES:	/* no syncobjs at all */
	case AIMC_PARAM_MAX_SYNCS:
		*value = 0;
		return 0;
	}
	if (param < AIMC_PARAM_COUNT && cap_regs[param]) {
		*value = aimc_model_cap(model, cap_regs[param]);
		return 0;
	}
	return aimc_set_error(-EINVAL, "sim: unknown param %u", param);
}

/* The sim's cells drift by the card's virtual clock (emulator/README.md). */
static int aimc_sim_drift_clock(struct aimc_device *dev, uint64_t *now_ns)
{
	*now_ns = aimc_model_clock_s(aimc_sim_model(dev)) * 1000000000ull;
	return 0;
}

static int aimc_sim_advance_clock(struct aimc_device *dev, uint64_t ns)
{
	aimc_sim_jobs_advance_clock(aimc_sim_jobs_of(dev), ns);
	return 0;
}

static int aimc_sim_telemetry(struct aimc_device *dev,
			      struct aimc_device_telemetry *t)
{
	aimc_sim_jobs_telemetry(aimc_sim_jobs_of(dev), t);
	return 0;
}

static void aimc_sim_close(struct aimc_device *dev)
{
	aimc_sim_jobs_destroy(aimc_sim_jobs_of(dev));
	free(dev);
}

static const struct aimc_backend_ops aimc_sim_ops = {
	.kind = AIMC_BACKEND_SIM,
	.get_param = aimc_sim_get_param,
	.drift_clock_ns = aimc_sim_drift_clock,
	.advance_clock = aimc_sim_advance_clock,
	.telemetry = aimc_sim_telemetry,
	.close = aimc_sim_close,
	.job = &aimc_sim_job_ops,
};

static uint32_t aimc_sim_last_preset(void)
{
	uint32_t i = 0;

	while (aimc_model_preset_name(i + 1))
		i++;
	return i;
}

const char *aimc_sim_preset_name(uint32_t preset)
{
	return aimc_model_preset_name(preset);
}

/* The device model's configuration for @opts (NULL: all defaults). */
static int aimc_sim_config(const struct aimc_sim_options *opts,
			   struct aimc_model_config *cfg)
{
	const char *why;
	size_t i;

	aimc_model_config_defaults(cfg);
	if (opts) {
		for (i = 0; i < sizeof(opts->reserved) / sizeof(opts->reserved[0]); i++)
			if (opts->reserved[i])
				return aimc_set_error(-EINVAL, "options: reserved field %zu is not zero",
						      i);
		if (opts->flags & ~(AIMC_SIM_NOISE_FREE | AIMC_SIM_STUCK))
			return aimc_set_error(-EINVAL, "options: unknown flags 0x%x",
					      opts->flags);
		if (opts->preset) {
			const char *name = aimc_model_preset_name(opts->preset);

			if (!name || aimc_model_config_preset(cfg, name))
				return aimc_set_error(-EINVAL, "options: no preset %u (the last is %u)",
						      opts->preset, aimc_sim_last_preset());
		}
		if (opts->seed)
			cfg->seed = opts->seed;
		cfg->noise_free = opts->flags & AIMC_SIM_NOISE_FREE;
		if (opts->tiles)
			cfg->tiles = opts->tiles;
		if (opts->rows)
			cfg->rows = opts->rows;
		if (opts->cols)
			cfg->cols = opts->cols;
		if (opts->slots)
			cfg->slots = opts->slots;
		if (opts->flags & AIMC_SIM_STUCK) {
			cfg->stuck_gmin_ppm = opts->stuck_gmin_ppm;
			cfg->stuck_gmax_ppm = opts->stuck_gmax_ppm;
		}
	}
	if (aimc_model_config_check(cfg, &why) < 0)
		return aimc_set_error(-EINVAL, "options: a configuration the device model refuses: %s",
				      why);
	return 0;
}

int aimc_sim_open(const struct aimc_sim_options *opts, struct aimc_device **out)
{
	struct aimc_model_config cfg;
	struct aimc_device *dev;
	int ret;

	*out = NULL;
	ret = aimc_sim_config(opts, &cfg);
	if (ret < 0)
		return ret;
	dev = aimc_device_alloc(&aimc_sim_ops);
	if (!dev)
		return aimc_set_error(-ENOMEM, "out of memory");
	snprintf(dev->node, sizeof(dev->node), "sim");
	dev->backend = aimc_sim_jobs_create(&cfg);
	if (!dev->backend) {
		free(dev);
		return aimc_set_error(-ENOMEM, "out of memory for the device model");
	}
	*out = dev;
	return 0;
}
