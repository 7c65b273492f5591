/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Jobs: what aimc_job.c (submission, validation, waiting), aimc_sched.c
 * (drm_sched: dependencies, admission, timeout, recovery) and aimc_ring.c
 * (the card's ring and completion) share.
 */
#ifndef AIMC_JOB_H
#define AIMC_JOB_H

#include <linux/dma-fence.h>
#include <linux/kref.h>
#include <drm/gpu_scheduler.h>

#include "aimc_drv.h"
#include "aimc_hw_check.h"

struct drm_file;
struct drm_gem_object;

/*
 * A buffer an operand uses, mapped for the card (aimc_bo_dma_get()); the
 * card reaches it through @bounce when it cannot reach the buffer's pages
 * in one piece (no IOMMU), and writes it when it is a @result.
 */
struct aimc_operand_map {
	struct drm_gem_object *obj;
	struct aimc_bounce *bounce;
	bool result;
};

/* A kernel-owned copy of an EXEC program, checked at submit. */
struct aimc_prog_copy {
	void *cpu;
	dma_addr_t dma;
	size_t size;
};

struct aimc_job;

struct aimc_job_dep {
	struct dma_fence *fence;
	struct dma_fence_cb cb;
	struct aimc_job *job;
};

/**
 * struct aimc_job - one submission
 * @base: the scheduler's job; armed and pushed once the in-fences signalled
 * @ref: held by the job's way through the driver (from submit until it is
 *	 freed, by aimc_sched_free_job() or a cancel) and by waiters
 * @adev: the card
 * @afile: the submitting file; NULL once it has closed (sched_lock)
 * @id: id in the submitting file
 * @file_node: in &aimc_file.jobs until the job is freed (sched_lock)
 * @wait_node: in &aimc_file.waiting until pushed to the scheduler
 * @ring_node: in &aimc_device.inflight while on the ring (sched_lock)
 * @fence: signalled when the job ends, however it ends: the hardware
 *	   fence run_job() returns and the out-fence userspace gets
 * @finished_cb: on the scheduler's finished fence: ends a job the
 *		 scheduler dropped without running it
 * @ncmds: commands, one descriptor each
 * @descs: the card's descriptors, DMA addresses filled in; this and the
 *	   next four point into the job's own allocation (aimc_job_alloc())
 * @maps: operand mappings, @nmaps used
 * @progs: program copies, @nprogs used
 * @prog_bytes: bytes of all program copies, at most AIMC_MAX_JOB_PROG_BYTES
 * @tiles_used: tiles the job names (aimc_resv_use() taken once each)
 * @slots_used: slots the job names
 * @deps: in-fences, @ndeps of them
 * @check_err: the errno a tile or slot was refused with (aimc_job_use())
 * @deps_pending: in-fences not yet signalled, plus one until queued
 * @pm_held: the job holds a runtime PM reference on the card (aimc_pm_get())
 * @sched_inited: drm_sched_job_init() succeeded
 * @pushed: armed and pushed to the scheduler
 * @ran: its descriptors went on the ring
 * @ring_first: ring counter of the first descriptor, once on the ring
 * @head_ns: when the driver saw the job reach the ring's head (fdinfo)
 * @engine_ns: from then until it was retired
 * @status: &enum drm_aimc_job_status; this and the next two are set
 *	    before @fence is signalled and read under its lock by WAIT
 * @device_status: the card's status of the failed command
 * @failed_cmd: index of the failed command
 */
struct aimc_job {
	struct drm_sched_job base;
	struct kref ref;
	struct aimc_device *adev;
	struct aimc_file *afile;
	u64 id;
	struct list_head file_node;
	struct list_head wait_node;
	struct list_head ring_node;
	struct dma_fence *fence;
	struct dma_fence_cb finished_cb;
	u32 ncmds;
	struct aimc_hw_desc *descs;
	struct aimc_operand_map *maps;
	u32 nmaps;
	struct aimc_prog_copy *progs;
	u32 nprogs;
	u32 prog_bytes;
	unsigned long *tiles_used;
	unsigned long *slots_used;
	struct aimc_job_dep deps[AIMC_MAX_IN_SYNCS];
	u32 ndeps;
	int check_err;
	atomic_t deps_pending;
	bool pm_held;
	bool sched_inited;
	bool pushed;
	bool ran;
	u32 ring_first;
	u64 head_ns;
	u64 engine_ns;
	u32 status;
	u32 device_status;
	u32 failed_cmd;
};

static inline struct aimc_job *to_aimc_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct aimc_job, base);
}

/* aimc_cmd.c */
int aimc_job_add_cmd(struct aimc_job *job, struct drm_file *file,
		     const struct drm_aimc_cmd *cmd, u32 index);

/* aimc_job.c */
void aimc_job_put(struct aimc_job *job);
void aimc_job_end(struct aimc_job *job, u32 status, u32 device_status,
		  u32 failed_cmd);
void aimc_job_release(struct aimc_job *job);

/* aimc_fence.c */
struct dma_fence *aimc_fence_create(void);
void aimc_fence_module_exit(void);

/* aimc_sched.c */
int aimc_sched_init(struct aimc_device *adev);
void aimc_sched_fini(struct aimc_device *adev);
int aimc_sched_file_open(struct aimc_file *afile);
void aimc_sched_file_close(struct aimc_file *afile);
int aimc_sched_queue(struct aimc_job *job);
void aimc_sched_set_timeout(struct aimc_device *adev, unsigned int ms);

/* aimc_ring.c */
int aimc_ring_init(struct aimc_device *adev);
void aimc_ring_fini(struct aimc_device *adev);
int aimc_ring_hw_start(struct aimc_device *adev);
void aimc_ring_push(struct aimc_device *adev, struct aimc_job *job);
u32 aimc_ring_retire(struct aimc_device *adev);
void aimc_ring_reap(struct aimc_device *adev);
bool aimc_ring_job_done(struct aimc_device *adev, struct aimc_job *job);
void aimc_ring_fail_all(struct aimc_device *adev, u32 first_status);

#endif /* AIMC_JOB_H */
