// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HAVE_DRM_SCHED_START_ERRNO: drm_sched_start(sched, int errno) (6.13);
 * some 6.12 point releases take the scheduler alone.
 */
#include <drm/gpu_scheduler.h>

static void (*probe)(struct drm_gpu_scheduler *, int) __maybe_unused =
	drm_sched_start;
