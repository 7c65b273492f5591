/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Differences between the kernels aimc.ko and aimc_emu.ko build for, in
 * one place.  Every choice here follows a HAVE_* macro that
 * compat/configure.sh decided by compiling a probe (compat/probes/) against
 * the kernel being built for; Kbuild force-includes its result,
 * aimc_config.h, in every file.  A new kernel that changes an API we use
 * costs a probe and a branch here, never a version comparison.
 */
#ifndef AIMC_COMPAT_H
#define AIMC_COMPAT_H

#ifndef AIMC_CONFIG_H
#error "aimc_config.h (driver/compat/configure.sh) is missing: build with Kbuild"
#endif

#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

#if HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * Kernels with drivers/accel give compute-only devices their own
 * /dev/accel/accelN node (it cannot be combined with a render node);
 * older ones get a DRM render node.
 */
#if HAVE_DRM_ACCEL
#include <drm/drm_accel.h>
#define AIMC_DRIVER_FEATURES	(DRIVER_COMPUTE_ACCEL | DRIVER_GEM)
#define AIMC_DRM_FOPS		DRM_ACCEL_FOPS
#else
#define AIMC_DRIVER_FEATURES	(DRIVER_RENDER | DRIVER_GEM)
#define AIMC_DRM_FOPS		DRM_GEM_FOPS
#endif

/*
 * fdinfo (Documentation/gpu/drm-usage-stats.rst): where the DRM core has
 * drm_show_fdinfo() it prints drm-driver, drm-client-id and drm-pdev
 * itself and calls drm_driver.show_fdinfo for the rest; before, the
 * driver's file_operations print everything (aimc_fdinfo.c).
 */
#if HAVE_DRM_SHOW_FDINFO
#define AIMC_CORE_FDINFO	1
#define AIMC_FOPS_SHOW_FDINFO	drm_show_fdinfo
#else
#define AIMC_CORE_FDINFO	0
#define AIMC_FOPS_SHOW_FDINFO	aimc_show_fdinfo
#endif

/*
 * The DRM core's file operations for the node kind (what they must hold,
 * such as 6.12's FOP_UNSIGNED_OFFSET flag, is the kernel's business), with
 * fdinfo added as the DRM core's own drivers do.
 */
#define AIMC_DEFINE_FOPS(name)					\
	static const struct file_operations name = {		\
		.owner = THIS_MODULE,				\
		AIMC_DRM_FOPS,					\
		.show_fdinfo = AIMC_FOPS_SHOW_FDINFO,		\
	}

/* Where dma_set_max_seg_size() cannot fail it returns nothing. */
static inline int aimc_dma_set_max_seg_size(struct device *dev,
					    unsigned int size)
{
#if HAVE_DMA_SET_MAX_SEG_SIZE_VOID
	dma_set_max_seg_size(dev, size);
	return 0;
#else
	return dma_set_max_seg_size(dev, size);
#endif
}

/*
 * A platform driver's remove callback returns void: it is .remove where
 * that returns void, .remove_new on kernels still converting to it.
 */
#if HAVE_PLATFORM_REMOVE_VOID
#define AIMC_PLATFORM_REMOVE(fn)	.remove = (fn)
#else
#define AIMC_PLATFORM_REMOVE(fn)	.remove_new = (fn)
#endif

/* The device a device_type's uevent callback is given is const. */
#if HAVE_DEVICE_TYPE_UEVENT_CONST
#define AIMC_UEVENT_CONST	const
#else
#define AIMC_UEVENT_CONST
#endif

#endif /* AIMC_COMPAT_H */
