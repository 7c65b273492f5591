// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HAVE_DRM_SCHED_INIT_SUBMIT_WQ: positional drm_sched_init() with a
 * submission workqueue, run-queue count and credit limit (6.8 to 6.14);
 * before, (ops, hw_submission, hang_limit, timeout, timeout_wq, score,
 * name, dev).
 */
#include <drm/gpu_scheduler.h>

static int __maybe_unused probe(struct drm_gpu_scheduler *sched,
				const struct drm_sched_backend_ops *ops)
{
	return drm_sched_init(sched, ops, NULL, DRM_SCHED_PRIORITY_COUNT, 1, 0,
			      1, NULL, NULL, "probe", NULL);
}
