/* SPDX-License-Identifier: MIT */
/*
 * libaimc internal: the job layer's operations (internal.h, job.h) on the
 * sim backend.  Buffers, reservations, submission and waiting behave as
 * aimc.ko's ioctls do, with the device model (emulator/model/) running
 * each job synchronously inside aimc_sim_job_submit().  backend_sim.c
 * puts these functions in the sim's operations table.
 *
 * Differences from the drm backend, all documented in job.h:
 * - one device handle is one card and its only user: -EBUSY (another
 *   file owns the tile) cannot happen;
 * - jobs finish before submit returns, so wait never blocks and a job's
 *   fence fd (an eventfd) is readable at once;
 * - no syncobjs and no DRM fd (-EOPNOTSUPP).
 */
#ifndef AIMC_SIM_JOB_H
#define AIMC_SIM_JOB_H

#include <stdint.h>

#include <drm/aimc_accel.h>

#include "aimc_model.h"
#include "internal.h"

struct aimc_sim_jobs;

/* Most commands one job takes: the driver's AIMC_MAX_JOB_CMDS. */
#define AIMC_SIM_MAX_JOB_CMDS	64
/* Largest buffer (AIMC_PARAM_MAX_BO_SIZE): the driver's. */
#define AIMC_SIM_MAX_BO_SIZE	(256ull << 20)
/* Finished jobs whose status WAIT still knows (AIMC_PARAM_JOB_HISTORY). */
#define AIMC_SIM_JOB_HISTORY	1024
/* Unfinished jobs a handle may have: none are, sim jobs end in submit. */
#define AIMC_SIM_MAX_FILE_JOBS	UINT32_MAX

/*
 * A sim card: the device model of @cfg, created with DMA callbacks that
 * reach only this card's buffers, and its buffers, reservations and jobs.
 * NULL if out of memory.
 */
struct aimc_sim_jobs *aimc_sim_jobs_create(const struct aimc_model_config *cfg);
void aimc_sim_jobs_destroy(struct aimc_sim_jobs *jobs);

/* The sim state of a device of the sim backend (dev->backend). */
struct aimc_sim_jobs *aimc_sim_jobs_of(struct aimc_device *dev);

/* The device model of a sim device, or NULL for another backend. */
struct aimc_model *aimc_sim_model(struct aimc_device *dev);

/*
 * Telemetry of a sim card (aimc_device_telemetry() but clock_ns): the
 * device model's counters, this handle's jobs and reservations.
 */
void aimc_sim_jobs_telemetry(struct aimc_sim_jobs *jobs,
			     struct aimc_device_telemetry *t);

/* Move the device model's clock on by @ns, between jobs. */
void aimc_sim_jobs_advance_clock(struct aimc_sim_jobs *jobs, uint64_t ns);

/* The job layer of the sim backend, for backend_sim.c's table. */
extern const struct aimc_job_ops aimc_sim_job_ops;

#endif /* AIMC_SIM_JOB_H */
