// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HAVE_DRM_SHOW_FDINFO: the DRM core prints fdinfo's common keys and calls
 * drm_driver.show_fdinfo for the rest (6.5).
 */
#include <linux/fs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>

static void probe_show(struct drm_printer *p, struct drm_file *file)
{
}

static const struct drm_driver probe_driver __maybe_unused = {
	.show_fdinfo = probe_show,
};

static void __maybe_unused probe(struct seq_file *m, struct file *f)
{
	drm_show_fdinfo(m, f);
}
