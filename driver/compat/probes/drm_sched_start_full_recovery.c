// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HAVE_DRM_SCHED_START_FULL_RECOVERY: drm_sched_start(sched, bool
 * full_recovery) (up to 6.11).
 */
#include <drm/gpu_scheduler.h>

static void (*probe)(struct drm_gpu_scheduler *, bool) __maybe_unused =
	drm_sched_start;
