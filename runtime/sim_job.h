/* SPDX-License-Identifier: MIT */
/*
 * libaimc internal: the job layer (job.h) on the sim backend.  Buffers,
 * reservations, submission and waiting behave as aimc.ko's ioctls do,
 * with the device model (emulator/model/) running each job synchronously
 * inside aimc_sim_job_submit().  job.c dispatches here on the backend.
 *
 * Differences from the drm backend, all documented in job.h:
 * - one device handle is one card and its only user: -EBUSY (another
 *   file owns the tile) cannot happen;
 * - jobs finish before submit returns, so wait never blocks;
 * - no syncobjs (-EOPNOTSUPP), no DRM fd.
 */
#ifndef AIMC_SIM_JOB_H
#define AIMC_SIM_JOB_H

#include <stdint.h>

#include <drm/aimc_accel.h>

#include "aimc_model.h"

struct aimc_device;
struct aimc_job_result;
struct aimc_sim_jobs;

/* Most commands one job takes: the driver's AIMC_MAX_JOB_CMDS. */
#define AIMC_SIM_MAX_JOB_CMDS	64

/*
 * The job state of a sim device, and the DMA callbacks the device model
 * must be created with (ctx = the returned state).
 */
struct aimc_sim_jobs *aimc_sim_jobs_create(uint32_t tiles, uint32_t slots);
void aimc_sim_jobs_destroy(struct aimc_sim_jobs *jobs);
void aimc_sim_jobs_dma(struct aimc_sim_jobs *jobs, struct aimc_model_dma *dma);

int aimc_sim_bo_create(struct aimc_device *dev, uint64_t size,
		       uint32_t *handle);
int aimc_sim_bo_info(struct aimc_device *dev, uint32_t handle,
		     uint64_t *size, uint64_t *mmap_offset);
int aimc_sim_bo_mmap(struct aimc_device *dev, uint32_t handle, void **ptr,
		     uint64_t *size);
int aimc_sim_bo_close(struct aimc_device *dev, uint32_t handle);
int aimc_sim_reserve(struct aimc_device *dev, uint32_t type, uint32_t index,
		     uint32_t *got);
int aimc_sim_release(struct aimc_device *dev, uint32_t type, uint32_t index);
int aimc_sim_job_submit(struct aimc_device *dev,
			const struct drm_aimc_cmd *cmds, uint32_t count,
			uint32_t n_in, uint32_t out_syncobj, uint64_t *job_id);
int aimc_sim_job_wait(struct aimc_device *dev, uint64_t job_id,
		      int64_t abs_timeout_ns, struct aimc_job_result *res);

#endif /* AIMC_SIM_JOB_H */
