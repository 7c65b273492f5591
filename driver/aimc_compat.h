/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Differences between the kernels aimc.ko builds for, in one place.
 */
#ifndef AIMC_COMPAT_H
#define AIMC_COMPAT_H

#include <linux/fs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

/*
 * Kernels with drivers/accel (6.2+) give compute-only devices their own
 * /dev/accel/accelN node; older ones get a DRM render node.
 */
#if IS_ENABLED(CONFIG_DRM_ACCEL)
#include <drm/drm_accel.h>
#define AIMC_DRIVER_FEATURES	(DRIVER_COMPUTE_ACCEL | DRIVER_GEM)
#define AIMC_FOPS_OPEN		accel_open
#else
#define AIMC_DRIVER_FEATURES	(DRIVER_RENDER | DRIVER_GEM)
#define AIMC_FOPS_OPEN		drm_open
#endif

/*
 * fdinfo (Documentation/gpu/drm-usage-stats.rst): from 6.5 the DRM core
 * prints drm-driver, drm-client-id and drm-pdev itself and calls
 * drm_driver.show_fdinfo for the rest; before, the driver's
 * file_operations print everything (aimc_fdinfo.c).  driver/Kbuild sets
 * AIMC_HAVE_DRM_SHOW_FDINFO from the headers.
 */
#if AIMC_HAVE_DRM_SHOW_FDINFO
#define AIMC_CORE_FDINFO	1
#define AIMC_FOPS_SHOW_FDINFO	drm_show_fdinfo
#else
#define AIMC_CORE_FDINFO	0
#define AIMC_FOPS_SHOW_FDINFO	aimc_show_fdinfo
#endif

/* DEFINE_DRM_GEM_FOPS / DEFINE_DRM_ACCEL_FOPS, written out for fdinfo. */
#define AIMC_DEFINE_FOPS(name)					\
	static const struct file_operations name = {		\
		.owner = THIS_MODULE,				\
		.open = AIMC_FOPS_OPEN,				\
		.release = drm_release,				\
		.unlocked_ioctl = drm_ioctl,			\
		.compat_ioctl = drm_compat_ioctl,		\
		.poll = drm_poll,				\
		.read = drm_read,				\
		.llseek = noop_llseek,				\
		.mmap = drm_gem_mmap,				\
		.show_fdinfo = AIMC_FOPS_SHOW_FDINFO,		\
	}

#endif /* AIMC_COMPAT_H */
