/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Jobs: what aimc_job.c (submission, validation) and aimc_ring.c (the
 * ring, completion, timeout and recovery) share.
 */
#ifndef AIMC_JOB_H
#define AIMC_JOB_H

#include <linux/dma-direction.h>
#include <linux/dma-fence.h>
#include <linux/kref.h>
#include <linux/scatterlist.h>

#include "aimc_drv.h"
#include "aimc_hw_check.h"

struct drm_gem_object;

/* A buffer an operand uses, mapped for the card (aimc_bo_dma_get()). */
struct aimc_operand_map {
	struct drm_gem_object *obj;
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
 * @ref: held by the device while the job is unfinished, and by waiters
 * @adev: the card
 * @afile: the submitting file; NULL once it has closed
 * @id: id in the submitting file
 * @dev_node: in &aimc_device.queue or &aimc_device.inflight
 * @file_node: in &aimc_file.jobs while unfinished
 * @fence: signalled when the job finishes, however it ends
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
 * @on_ring: the descriptors are on the ring (else the job is queued)
 * @ring_first: ring counter of the first descriptor, once on the ring
 * @deadline: jiffies by which the job must finish, once at the ring's head
 * @head_ns: when the driver saw the job reach the ring's head (fdinfo)
 * @status: &enum drm_aimc_job_status; this and the next two are set
 *	    before @fence is signalled and read under its lock by WAIT
 * @device_status: the card's status of the failed command
 * @failed_cmd: index of the failed command
 */
struct aimc_job {
	struct kref ref;
	struct aimc_device *adev;
	struct aimc_file *afile;
	u64 id;
	struct list_head dev_node;
	struct list_head file_node;
	struct dma_fence *fence;
	u32 ncmds;
	struct aimc_hw_desc *descs;
	struct aimc_operand_map *maps;
	u32 nmaps;
	struct aimc_prog_copy *progs;
	u32 nprogs;
	u32 prog_bytes;
	unsigned long *tiles_used;
	unsigned long *slots_used;
	struct aimc_job_dep deps[AIMC_MAX_IN_SYNCOBJS];
	u32 ndeps;
	int check_err;
	atomic_t deps_pending;
	bool on_ring;
	u32 ring_first;
	unsigned long deadline;
	u64 head_ns;
	u32 status;
	u32 device_status;
	u32 failed_cmd;
};

void aimc_job_put(struct aimc_job *job);
void aimc_job_finish(struct aimc_job *job, u32 status, u32 device_status,
		     u32 failed_cmd);
void aimc_job_cancel(struct aimc_job *job);

int aimc_ring_init(struct aimc_device *adev);
void aimc_ring_fill(struct aimc_device *adev);
void aimc_ring_reap(struct aimc_device *adev);

#endif /* AIMC_JOB_H */
