// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HAVE_DRM_SCHED_JOB_INIT_CLIENT_ID: drm_sched_job_init() also takes the
 * DRM client id (6.17, and Debian's later 6.12 point releases).
 */
#include <drm/gpu_scheduler.h>

static int __maybe_unused probe(struct drm_sched_job *job,
				struct drm_sched_entity *entity)
{
	return drm_sched_job_init(job, entity, 1, NULL, 0);
}
