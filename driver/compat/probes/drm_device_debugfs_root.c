// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HAVE_DRM_DEVICE_DEBUGFS_ROOT: a DRM device has a debugfs directory of its
 * own, set up by drm_dev_register() also for accel devices (6.8); before,
 * each minor has one, handed to drm_driver.debugfs_init.
 */
#include <drm/drm_device.h>

static __maybe_unused struct dentry *probe(struct drm_device *drm)
{
	return drm->debugfs_root;
}
