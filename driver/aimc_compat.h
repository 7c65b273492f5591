/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Differences between the kernels aimc.ko builds for, in one place.
 */
#ifndef AIMC_COMPAT_H
#define AIMC_COMPAT_H

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>

/*
 * Kernels with drivers/accel (6.2+) give compute-only devices their own
 * /dev/accel/accelN node; older ones get a DRM render node.
 */
#if IS_ENABLED(CONFIG_DRM_ACCEL)
#include <drm/drm_accel.h>
#define AIMC_DRIVER_FEATURES	(DRIVER_COMPUTE_ACCEL | DRIVER_GEM)
#define AIMC_DEFINE_FOPS(name)	DEFINE_DRM_ACCEL_FOPS(name)
#else
#define AIMC_DRIVER_FEATURES	(DRIVER_RENDER | DRIVER_GEM)
#define AIMC_DEFINE_FOPS(name)	DEFINE_DRM_GEM_FOPS(name)
#endif

#endif /* AIMC_COMPAT_H */
