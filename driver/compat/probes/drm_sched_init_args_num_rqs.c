// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HAVE_DRM_SCHED_INIT_ARGS_NUM_RQS: struct drm_sched_init_args has
 * num_rqs, which must then be set (6.15; Debian's 6.1 backport lacks it).
 */
#include <drm/gpu_scheduler.h>

static const struct drm_sched_init_args probe_args __maybe_unused = {
	.num_rqs = DRM_SCHED_PRIORITY_COUNT,
};
