// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HAVE_DRM_ACCEL: the kernel has drivers/accel and it is built (6.2,
 * CONFIG_DRM_ACCEL): compute devices get /dev/accel/accelN.
 */
#include <linux/fs.h>
#include <drm/drm_accel.h>
#include <drm/drm_drv.h>

#if !IS_ENABLED(CONFIG_DRM_ACCEL)
#error "CONFIG_DRM_ACCEL is off"
#endif

static const struct drm_driver probe_driver __maybe_unused = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM,
};

static int __maybe_unused probe(struct inode *inode, struct file *filp)
{
	return accel_open(inode, filp);
}
