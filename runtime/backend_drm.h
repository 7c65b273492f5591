/* SPDX-License-Identifier: MIT */
/*
 * libaimc internal: the drm backend's job layer (backend_drm_job.c:
 * aimc.ko's buffer, reservation, submit and wait ioctls and libdrm's
 * syncobj helpers), which backend_drm.c puts in the drm operations table
 * next to discovery, GET_PARAM and close.
 */
#ifndef AIMC_BACKEND_DRM_H
#define AIMC_BACKEND_DRM_H

#include <stdint.h>

#include "internal.h"

extern const struct aimc_job_ops aimc_drm_job_ops;

/* CLOCK_BOOTTIME: a card's cells drift in physical time. */
int aimc_drm_drift_clock(struct aimc_device *dev, uint64_t *now_ns);

/* backend_drm_telemetry.c: sysfs and hwmon of the card's bus device. */
int aimc_drm_telemetry(struct aimc_device *dev, struct aimc_device_telemetry *t);
/* -EOPNOTSUPP: a card's clock cannot be moved. */
int aimc_drm_advance_clock(struct aimc_device *dev, uint64_t ns);

#endif /* AIMC_BACKEND_DRM_H */
