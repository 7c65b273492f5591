// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Jobs: SUBMIT and WAIT, and a job's life from its allocation to the
 * release of what it holds.
 *
 * A job ends once (aimc_job_end()): its status is recorded and its fence
 * signalled, whether the card completed it, a reset aborted it, or it
 * never ran.  What it holds (mapped buffers, program copies, tile and slot
 * uses) is released after that, in a context that may sleep
 * (aimc_job_release()), and its file learns how it ended then.
 */
#include <linux/bitmap.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-mapping.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_utils.h>

#include "aimc_compat.h"
#include "aimc_job.h"

static void aimc_job_free(struct kref *ref)
{
	struct aimc_job *job = container_of(ref, struct aimc_job, ref);
	u32 i;

	for (i = 0; i < job->ndeps; i++)
		dma_fence_put(job->deps[i].fence);
	dma_fence_put(job->fence);
	kvfree(job);
}

void aimc_job_put(struct aimc_job *job)
{
	kref_put(&job->ref, aimc_job_free);
}

/*
 * One allocation per job, freed in one piece by aimc_job_free(): the job,
 * then its tile and slot bitmaps, operand maps, program copies and
 * descriptors, sized for @ncmds (at most AIMC_MAX_JOB_CMDS) and the card's
 * tiles and slots, each part a multiple of 8 bytes long so the next one
 * stays aligned.  The fence is allocated apart: it may outlive the job.
 */
static struct aimc_job *aimc_job_alloc(struct aimc_file *afile, u32 ncmds)
{
	struct aimc_device *adev = afile->adev;
	size_t tiles = BITS_TO_LONGS(adev->caps.num_tiles) * sizeof(long);
	size_t slots = BITS_TO_LONGS(adev->caps.stream_slots) * sizeof(long);
	size_t maps = array_size(2 * ncmds, sizeof(struct aimc_operand_map));
	size_t progs = array_size(ncmds, sizeof(struct aimc_prog_copy));
	size_t descs = array_size(ncmds, sizeof(struct aimc_hw_desc));
	struct aimc_job *job;
	u8 *p;

	/*
	 * At most src and dst per command are mapped, one program copied.
	 * The caller sized it and gets -ENOMEM: no log line per failure.
	 */
	job = kvzalloc(size_add(size_add(sizeof(*job), size_add(tiles, slots)),
				size_add(maps, size_add(progs, descs))),
		       GFP_KERNEL | __GFP_NOWARN);
	if (!job)
		return NULL;
	job->fence = aimc_fence_create();
	if (!job->fence) {
		kvfree(job);
		return NULL;
	}
	kref_init(&job->ref);
	job->adev = adev;
	job->afile = afile;
	job->ncmds = ncmds;
	INIT_LIST_HEAD(&job->file_node);
	INIT_LIST_HEAD(&job->wait_node);
	INIT_LIST_HEAD(&job->ring_node);
	p = (u8 *)(job + 1);
	job->tiles_used = (unsigned long *)p;
	p += tiles;
	job->slots_used = (unsigned long *)p;
	p += slots;
	job->maps = (struct aimc_operand_map *)p;
	p += maps;
	job->progs = (struct aimc_prog_copy *)p;
	p += progs;
	job->descs = (struct aimc_hw_desc *)p;
	atomic_inc(&adev->jobs_alive);
	return job;
}

static int aimc_fence_errno(u32 status)
{
	switch (status) {
	case AIMC_JOB_DEVICE_ERROR:
		return -EIO;
	case AIMC_JOB_TIMED_OUT:
		return -ETIMEDOUT;
	default:
		return -ECANCELED;
	}
}

/**
 * aimc_job_end - a job has ended: record how and signal its fence
 * @job: the job; it has not ended before
 * @status: &enum drm_aimc_job_status
 * @device_status: the card's status of the failed command, or 0
 * @failed_cmd: index of the failed command, or 0
 *
 * A fence-signalling path: the caller is in a signalling section (or a
 * fence callback); nothing here allocates, sleeps or takes a mutex.
 */
void aimc_job_end(struct aimc_job *job, u32 status, u32 device_status,
		  u32 failed_cmd)
{
	struct aimc_device *adev = job->adev;
	u32 i;

	if (!job->ran)
		atomic_dec(&adev->jobs_queued);
	/* Results the card wrote into bounce buffers, before anyone looks. */
	for (i = 0; i < job->nmaps && job->ran; i++)
		if (job->maps[i].bounce && job->maps[i].result)
			aimc_bo_bounce_copy_back(job->maps[i].obj, job->maps[i].bounce);
	job->status = status;
	job->device_status = device_status;
	job->failed_cmd = failed_cmd;
	if (status == AIMC_JOB_DONE) {
		atomic64_inc(&adev->jobs_done);
	} else {
		atomic64_inc(&adev->jobs_failed);
		dma_fence_set_error(job->fence, aimc_fence_errno(status));
	}
	dma_fence_signal(job->fence);
}

/**
 * aimc_job_release - give back what a job holds; its fence has signalled
 * @job: the job; the scheduler is done with it
 *
 * Unmaps and unpins the operands' buffers, frees the program copies,
 * drops the tile and slot uses, and tells the job's file how it ended.
 * May sleep.
 */
void aimc_job_release(struct aimc_job *job)
{
	struct aimc_device *adev = job->adev;
	struct device *dev = adev->bus.dev;
	struct aimc_file *afile;
	u32 i;

	for (i = 0; i < job->nmaps; i++) {
		aimc_bo_dma_put(job->maps[i].obj, dev, job->maps[i].bounce);
		drm_gem_object_put(job->maps[i].obj);
	}
	for (i = 0; i < job->nprogs; i++)
		dma_free_coherent(dev, job->progs[i].size, job->progs[i].cpu,
				  job->progs[i].dma);
	job->nprogs = 0;
	for_each_set_bit(i, job->tiles_used, adev->caps.num_tiles)
		aimc_resv_unuse(adev, AIMC_RESOURCE_TILE, i);
	bitmap_zero(job->tiles_used, adev->caps.num_tiles);
	for_each_set_bit(i, job->slots_used, adev->caps.stream_slots)
		aimc_resv_unuse(adev, AIMC_RESOURCE_SLOT, i);
	bitmap_zero(job->slots_used, adev->caps.stream_slots);
	if (job->pm_held) {
		job->pm_held = false;
		aimc_pm_put(adev);
	}

	mutex_lock(&adev->sched_lock);
	/* Counted once queued (aimc_job_queue(): ids start at 1). */
	if (job->id)
		adev->stats.pinned_operands -= job->nmaps;
	job->nmaps = 0;
	afile = job->afile;
	if (afile && job->id) {
		struct aimc_job_record *rec = &afile->history[job->id % AIMC_JOB_HISTORY];

		rec->id = job->id;
		rec->status = job->status;
		rec->device_status = job->device_status;
		rec->failed_cmd = job->failed_cmd;
		list_del_init(&job->file_node);
		afile->njobs--;
		afile->engine_ns += job->engine_ns;
	}
	mutex_unlock(&adev->sched_lock);
	if (atomic_dec_and_test(&adev->jobs_alive))
		wake_up_all(&adev->jobs_freed);
}

/* What SUBMIT checks before it looks at a command. */
static int aimc_submit_check_args(const struct drm_aimc_submit *args)
{
	if (args->flags || args->reserved || !args->cmd_count ||
	    args->cmd_size < AIMC_CMD_SIZE_V1 || args->cmd_size > AIMC_CMD_SIZE_MAX)
		return -EINVAL;
	if (args->cmd_count > AIMC_MAX_JOB_CMDS ||
	    args->in_sync_count > AIMC_MAX_IN_SYNCS ||
	    args->out_sync_count > AIMC_MAX_IN_SYNCS)
		return -E2BIG;
	return 0;
}

static int aimc_submit_copy_syncs(u64 uptr, u32 count, struct drm_aimc_sync *syncs)
{
	u32 i;

	if (copy_from_user(syncs, u64_to_user_ptr(uptr), array_size(count, sizeof(*syncs))))
		return -EFAULT;
	for (i = 0; i < count; i++)
		if (syncs[i].flags)
			return -EINVAL;
	return 0;
}

static int aimc_job_add_deps(struct aimc_job *job, struct drm_file *file,
			     const struct drm_aimc_submit *args)
{
	struct drm_aimc_sync syncs[AIMC_MAX_IN_SYNCS];
	u32 i;
	int ret;

	ret = aimc_submit_copy_syncs(args->in_syncs, args->in_sync_count, syncs);
	if (ret)
		return ret;
	for (i = 0; i < args->in_sync_count; i++) {
		/* -ENOENT: no such syncobj; -EINVAL: it has no fence yet. */
		ret = drm_syncobj_find_fence(file, syncs[i].handle, syncs[i].point, 0,
					     &job->deps[i].fence);
		if (ret)
			return ret;
		job->ndeps++;
	}
	return 0;
}

/* The syncobjs that get the job's fence; looked up before it is queued. */
struct aimc_out_syncs {
	u32 count;
	struct drm_syncobj *syncobj[AIMC_MAX_IN_SYNCS];
	struct dma_fence_chain *chain[AIMC_MAX_IN_SYNCS];
	u64 point[AIMC_MAX_IN_SYNCS];
};

static int aimc_out_syncs_get(struct aimc_out_syncs *out, struct drm_file *file,
			      const struct drm_aimc_submit *args)
{
	struct drm_aimc_sync syncs[AIMC_MAX_IN_SYNCS];
	u32 i;
	int ret;

	ret = aimc_submit_copy_syncs(args->out_syncs, args->out_sync_count, syncs);
	if (ret)
		return ret;
	for (i = 0; i < args->out_sync_count; i++) {
		out->syncobj[i] = drm_syncobj_find(file, syncs[i].handle);
		if (!out->syncobj[i])
			return -ENOENT;
		out->count++;
		out->point[i] = syncs[i].point;
		/* A timeline point needs its chain link now: later, no failing. */
		if (syncs[i].point) {
			out->chain[i] = dma_fence_chain_alloc();
			if (!out->chain[i])
				return -ENOMEM;
		}
	}
	return 0;
}

static void aimc_out_syncs_signal_with(struct aimc_out_syncs *out,
				       struct dma_fence *fence)
{
	u32 i;

	for (i = 0; i < out->count; i++) {
		if (out->point[i]) {
			drm_syncobj_add_point(out->syncobj[i], out->chain[i], fence,
					      out->point[i]);
			out->chain[i] = NULL;
		} else {
			drm_syncobj_replace_fence(out->syncobj[i], fence);
		}
	}
}

static void aimc_out_syncs_put(struct aimc_out_syncs *out)
{
	u32 i;

	for (i = 0; i < out->count; i++) {
		dma_fence_chain_free(out->chain[i]);
		drm_syncobj_put(out->syncobj[i]);
	}
}

/* Give the checked job an id and a place in its file; cannot fail later. */
static int aimc_job_enter(struct aimc_job *job)
{
	struct aimc_device *adev = job->adev;
	struct aimc_file *afile = job->afile;
	u32 i;

	mutex_lock(&adev->sched_lock);
	if (adev->dead) {
		mutex_unlock(&adev->sched_lock);
		return -ENODEV;
	}
	if (afile->njobs >= AIMC_MAX_FILE_JOBS) {
		mutex_unlock(&adev->sched_lock);
		return -EAGAIN;
	}
	job->id = afile->next_job_id++;
	adev->stats.pinned_operands += job->nmaps;
	for (i = 0; i < job->ncmds; i++)
		job->descs[i].seq = cpu_to_le32(lower_32_bits(job->id));
	list_add_tail(&job->file_node, &afile->jobs);
	afile->njobs++;
	atomic_inc(&adev->jobs_queued);
	mutex_unlock(&adev->sched_lock);
	return 0;
}

int aimc_ioctl_submit(struct drm_device *drm, void *data,
		      struct drm_file *file)
{
	struct aimc_file *afile = file->driver_priv;
	struct drm_aimc_submit *args = data;
	struct aimc_out_syncs out = {};
	struct aimc_job *job;
	int idx, ret;
	u32 i;

	ret = aimc_submit_check_args(args);
	if (ret)
		return ret;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	job = aimc_job_alloc(afile, args->cmd_count);
	if (!job) {
		ret = -ENOMEM;
		goto out_exit;
	}
	ret = aimc_drm_sched_job_init(&job->base, &afile->entity,
				      AIMC_SCHED_JOB_CREDITS ? args->cmd_count : 1,
				      afile, afile->client_id);
	if (ret)
		goto out_release;
	job->sched_inited = true;
	for (i = 0; i < args->cmd_count; i++) {
		struct drm_aimc_cmd cmd;
		u64 uptr = args->cmds + (u64)i * args->cmd_size;

		ret = copy_struct_from_user(&cmd, sizeof(cmd), u64_to_user_ptr(uptr),
					    args->cmd_size);
		if (ret)
			goto out_release;
		ret = aimc_job_add_cmd(job, file, &cmd, i);
		if (ret)
			goto out_release;
	}
	ret = aimc_job_add_deps(job, file, args);
	if (ret)
		goto out_release;
	ret = aimc_out_syncs_get(&out, file, args);
	if (ret)
		goto out_release;
	/* The card stays powered until the job is released. */
	ret = aimc_pm_get(job->adev);
	if (ret)
		goto out_release;
	job->pm_held = true;
	ret = aimc_job_enter(job);
	if (ret)
		goto out_release;

	/* From here on nothing fails: the job runs or is cancelled. */
	args->job_id = job->id;
	aimc_out_syncs_signal_with(&out, job->fence);
	aimc_sched_queue(job);
	goto out_syncs;

out_release:
	if (job->sched_inited)
		drm_sched_job_cleanup(&job->base);
	aimc_job_release(job);
	aimc_job_put(job);
out_syncs:
	aimc_out_syncs_put(&out);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

static void aimc_wait_fill(struct drm_aimc_wait *args, u32 status,
			   u32 device_status, u32 failed_cmd)
{
	args->status = status;
	args->device_status = device_status;
	args->failed_cmd = failed_cmd;
}

int aimc_ioctl_wait(struct drm_device *drm, void *data,
		    struct drm_file *file)
{
	struct aimc_device *adev = to_aimc_device(drm);
	struct aimc_file *afile = file->driver_priv;
	struct drm_aimc_wait *args = data;
	struct aimc_job *job = NULL, *it;
	const struct aimc_job_record *rec;
	long ret;

	if (args->flags || args->timeout_ns < 0)
		return -EINVAL;

	/*
	 * No drm_dev_enter() here: removal signals every fence, and it must
	 * not wait for sleepers in this ioctl to leave first.  The job
	 * reference keeps what the waiter reads alive.
	 */
	mutex_lock(&adev->sched_lock);
	if (!args->job_id || args->job_id >= afile->next_job_id) {
		mutex_unlock(&adev->sched_lock);
		return -EINVAL;
	}
	list_for_each_entry(it, &afile->jobs, file_node) {
		if (it->id == args->job_id) {
			job = it;
			kref_get(&job->ref);
			break;
		}
	}
	if (!job) {
		rec = &afile->history[args->job_id % AIMC_JOB_HISTORY];
		ret = rec->id == args->job_id ? 0 : -ENOENT;
		if (!ret)
			aimc_wait_fill(args, rec->status, rec->device_status,
				       rec->failed_cmd);
		mutex_unlock(&adev->sched_lock);
		return ret;
	}
	if (!list_empty(&job->ring_node))
		aimc_ring_reap(adev);
	mutex_unlock(&adev->sched_lock);

	ret = dma_fence_wait_timeout(job->fence, true,
				     drm_timeout_abs_to_jiffies(args->timeout_ns));
	if (ret > 0 || (ret == 0 && dma_fence_is_signaled(job->fence))) {
		unsigned long flags;

		/*
		 * aimc_job_end() sets the status before it signals the fence,
		 * which takes the fence's lock: read it under that lock.
		 */
		spin_lock_irqsave(job->fence->lock, flags);
		aimc_wait_fill(args, job->status, job->device_status,
			       job->failed_cmd);
		spin_unlock_irqrestore(job->fence->lock, flags);
		ret = 0;
	} else if (ret == 0) {
		aimc_wait_fill(args, AIMC_JOB_PENDING, 0, 0);
		ret = -ETIME;
	}
	aimc_job_put(job);
	return ret;
}

/**
 * aimc_job_file_open - a file's job bookkeeping and scheduler entity
 * @afile: the new file
 *
 * Return: 0 or a negative errno.
 */
int aimc_job_file_open(struct aimc_file *afile)
{
	afile->next_job_id = 1;
	INIT_LIST_HEAD(&afile->jobs);
	return aimc_sched_file_open(afile);
}

/**
 * aimc_job_file_close - a file is closing: cancel its queued jobs
 * @afile: the file
 *
 * Jobs on the card finish without it; they no longer tell it how.
 */
void aimc_job_file_close(struct aimc_file *afile)
{
	struct aimc_device *adev = afile->adev;
	struct aimc_job *job, *tmp;

	aimc_sched_file_close(afile);
	mutex_lock(&adev->sched_lock);
	list_for_each_entry_safe(job, tmp, &afile->jobs, file_node) {
		job->afile = NULL;
		list_del_init(&job->file_node);
	}
	afile->njobs = 0;
	adev->stats.files--;
	mutex_unlock(&adev->sched_lock);
}

/**
 * aimc_stats_snapshot - the driver's counters, read together
 * @adev: the card
 * @stats: filled
 */
void aimc_stats_snapshot(struct aimc_device *adev, struct aimc_stats *stats)
{
	mutex_lock(&adev->sched_lock);
	*stats = adev->stats;
	mutex_unlock(&adev->sched_lock);
	stats->jobs_queued = atomic_read(&adev->jobs_queued);
	stats->jobs_done = atomic64_read(&adev->jobs_done);
	stats->jobs_failed = atomic64_read(&adev->jobs_failed);
}

/**
 * aimc_job_init - set up the ring and the scheduler
 * @adev: the card, reset, capabilities read
 *
 * Return: 0 or a negative errno; undone by aimc_job_fini().
 */
int aimc_job_init(struct aimc_device *adev)
{
	int ret;

	ret = drmm_mutex_init(&adev->drm, &adev->sched_lock);
	if (ret)
		return ret;
	init_waitqueue_head(&adev->jobs_freed);
	ret = aimc_ring_init(adev);
	if (ret)
		return ret;
	ret = aimc_sched_init(adev);
	if (ret)
		aimc_ring_fini(adev);
	return ret;
}

/**
 * aimc_job_fini - the card is going away: end every job, free the ring
 * @adev: the card, unplugged, interrupts quiesced, registers still there
 */
void aimc_job_fini(struct aimc_device *adev)
{
	aimc_sched_fini(adev);
	aimc_ring_fini(adev);
}
