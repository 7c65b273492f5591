// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HAVE_DRM_SCHED_INIT_ARGS: drm_sched_init() takes a struct
 * drm_sched_init_args (6.15, and backported by Debian to its 6.1 and
 * later 6.12 point releases); before, positional arguments.
 */
#include <drm/gpu_scheduler.h>

static int __maybe_unused probe(struct drm_gpu_scheduler *sched)
{
	const struct drm_sched_init_args args = { .credit_limit = 1 };

	return drm_sched_init(sched, &args);
}
