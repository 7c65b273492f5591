// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HAVE_DRM_SCHED_JOB_INIT_CREDITS: a job takes credits of the scheduler's
 * credit limit (6.7); before, every job counts one against
 * hw_submission_limit.
 */
#include <drm/gpu_scheduler.h>

static int __maybe_unused probe(struct drm_sched_job *job,
				struct drm_sched_entity *entity)
{
	return drm_sched_job_init(job, entity, 1, NULL);
}
