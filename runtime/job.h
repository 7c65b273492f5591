/* SPDX-License-Identifier: MIT */
/*
 * libaimc internal: the thin layer over aimc.ko's buffer, reservation,
 * submit and wait ioctls (uapi/drm/aimc_accel.h) that model programming
 * and streaming build on; job.c calls the device's operations table
 * (internal.h), so callers never ask which backend runs.  Not installed,
 * not a stable API.
 *
 * Every function returns 0 (or a documented non-negative value) or a
 * negative errno and leaves a message in aimc_last_error().  Errnos from
 * the driver are passed through unchanged, so callers can tell e.g.
 * -EBUSY (another file has the tile) from -EEXIST (we have it already).
 * On the sim backend (sim_job.c) the same functions run the device model
 * in-process with the driver's checks and errnos, except: jobs finish
 * inside aimc_job_submit() (wait returns at once, a fence fd is readable
 * at once), one handle is the card's only user (-EBUSY cannot happen),
 * buffers map from offset 0 (each is a memfd), and there is no DRM fd and
 * no syncobj: aimc_job_fd(), the aimc_syncobj_*() functions and a submit
 * naming syncobjs return -EOPNOTSUPP.
 */
#ifndef AIMC_JOB_H
#define AIMC_JOB_H

#include <stddef.h>
#include <stdint.h>

#include <drm/aimc_accel.h>

#include "aimc.h"

/* A GET_PARAM value (enum drm_aimc_param), on either backend. */
int aimc_job_get_param(struct aimc_device *dev, uint32_t param, uint64_t *value);

/* The DRM file descriptor of a drm-backend device, or -EOPNOTSUPP. */
int aimc_job_fd(struct aimc_device *dev);

/*
 * The clock the device's cells drift by, ns from an arbitrary start:
 * drm, CLOCK_BOOTTIME (a card's cells drift in physical time); sim, the
 * device model's virtual clock (it advances by what the card does).
 */
int aimc_drift_clock_ns(struct aimc_device *dev, uint64_t *now_ns);

/*
 * The deadline of the library's own blocking waits: none, because every
 * job ends by itself (the sim runs it inside the submit; aimc.ko times
 * out a job after job_timeout_ms and resets the card).
 */
#define AIMC_WAIT_FOREVER	INT64_MAX

/* Absolute CLOCK_MONOTONIC time @ms milliseconds from now, in ns. */
int64_t aimc_deadline_ns(uint64_t ms);

/* ---- Buffers (GEM, shmem-backed) ---- */

/* Create a buffer of @size bytes (rounded up to pages by the driver). */
int aimc_bo_create(struct aimc_device *dev, uint64_t size, uint32_t *handle);

/* Size and mmap offset of a buffer; either pointer may be NULL. */
int aimc_bo_info(struct aimc_device *dev, uint32_t handle, uint64_t *size,
		 uint64_t *mmap_offset);

/* Map the whole buffer read-write, shared; *size gets its length. */
int aimc_bo_mmap(struct aimc_device *dev, uint32_t handle, void **ptr,
		 uint64_t *size);

/* Undo aimc_bo_mmap(); NULL is ignored. */
int aimc_bo_munmap(void *ptr, uint64_t size);

/*
 * Drop this file's handle (DRM_IOCTL_GEM_CLOSE); jobs keep their pins.
 * An unknown handle gives -EINVAL (the DRM core's errno, not -ENOENT).
 */
int aimc_bo_close(struct aimc_device *dev, uint32_t handle);

/* ---- Tiles and stream slots ---- */

/*
 * Reserve tile or slot @index (@type is enum drm_aimc_resource), or with
 * @index == AIMC_JOB_ANY any free one.  *got (may be NULL) receives the
 * index reserved.  -EEXIST: this file has it; -EBUSY: another file has
 * it; -ENOSPC: none free; -EINVAL: bad type or index.
 */
#define AIMC_JOB_ANY	UINT32_MAX
int aimc_reserve(struct aimc_device *dev, uint32_t type, uint32_t index,
		 uint32_t *got);

/* Give a tile or slot back; -EACCES if this file does not have it. */
int aimc_release(struct aimc_device *dev, uint32_t type, uint32_t index);

/* ---- Syncobjs (libdrm helpers) ---- */

int aimc_syncobj_create(struct aimc_device *dev, uint32_t *handle);
int aimc_syncobj_destroy(struct aimc_device *dev, uint32_t handle);
/*
 * Wait until all @count syncobjs signal, giving up at @abs_timeout_ns
 * (CLOCK_MONOTONIC): -ETIME then.  A syncobj without a fence yet is
 * waited for (WAIT_FOR_SUBMIT).
 */
int aimc_syncobj_wait(struct aimc_device *dev, uint32_t *handles,
		      uint32_t count, int64_t abs_timeout_ns);
/* A sync_file fd (poll()able) for the syncobj's current fence. */
int aimc_syncobj_export_sync_file(struct aimc_device *dev, uint32_t handle,
				  int *sync_file_fd);

/* ---- Jobs ---- */

/*
 * Queue @count commands (run in order on the card).  The job starts after
 * the fences of the @n_in syncobjs in @in_syncobjs signal; @out_syncobj,
 * if non-zero, gets the job's fence.  *job_id is for aimc_job_wait().
 * Nothing is queued on error.
 */
int aimc_job_submit(struct aimc_device *dev, const struct drm_aimc_cmd *cmds,
		    uint32_t count, const uint32_t *in_syncobjs, uint32_t n_in,
		    uint32_t out_syncobj, uint64_t *job_id);

/*
 * The same without syncobjs, with a fence: on success *fence_fd is a new
 * file descriptor (the caller closes it) that polls readable once the job
 * has finished (drm: a sync_file; sim: an eventfd, readable at once).
 */
int aimc_job_submit_fence_fd(struct aimc_device *dev,
			     const struct drm_aimc_cmd *cmds, uint32_t count,
			     uint64_t *job_id, int *fence_fd);

/* How a job ended (see struct drm_aimc_wait). */
struct aimc_job_result {
	uint32_t status;	/* enum drm_aimc_job_status */
	uint32_t device_status;	/* AIMC_ST_* of the failed command */
	uint32_t failed_cmd;	/* its index in the job */
};

/*
 * Wait for a job until @abs_timeout_ns (CLOCK_MONOTONIC; a time in the
 * past polls).  Returns 0 with *res filled once the job has finished,
 * however it ended (DONE, DEVICE_ERROR, TIMED_OUT, ABORTED); -ETIME if
 * it has not by then; -ENODEV if the device is gone.  Interrupted waits
 * are restarted.  @res may be NULL.
 */
int aimc_job_wait(struct aimc_device *dev, uint64_t job_id,
		  int64_t abs_timeout_ns, struct aimc_job_result *res);

/* "pending", "done", "device error", "timed out", "aborted", "unknown" */
const char *aimc_job_status_name(uint32_t status);

#endif /* AIMC_JOB_H */
