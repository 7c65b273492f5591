// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Job submission and waiting.
 *
 * Userspace names buffers by handle and offset, tiles and slots by index;
 * everything is checked against the submitting file here, before anything
 * is queued, and the driver writes the DMA addresses into the card's
 * descriptors itself.  Operands' buffers are pinned and mapped only while
 * jobs using them are unfinished (aimc_gem.c), so the card can reach
 * nothing else.  EXEC programs are
 * copied into kernel memory and checked there, so userspace cannot change
 * a program after the check.
 */
#include <linux/bitmap.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_syncobj.h>

#include "aimc_compat.h"
#include "aimc_job.h"

/*
 * Userspace names what the card does with the uapi's values; the driver
 * copies them into descriptors as they are.  So each must be the card's.
 */
#define AIMC_SAME_VALUE(uapi, hw) static_assert((int)(uapi) == (int)(hw))
AIMC_SAME_VALUE(AIMC_OP_NOP, AIMC_CMD_NOP);
AIMC_SAME_VALUE(AIMC_OP_PROGRAM, AIMC_CMD_PROGRAM);
AIMC_SAME_VALUE(AIMC_OP_READ, AIMC_CMD_READ);
AIMC_SAME_VALUE(AIMC_OP_EXEC, AIMC_CMD_EXEC);
AIMC_SAME_VALUE(AIMC_OP_STATE_SAVE, AIMC_CMD_STATE_SAVE);
AIMC_SAME_VALUE(AIMC_OP_STATE_LOAD, AIMC_CMD_STATE_LOAD);
AIMC_SAME_VALUE(AIMC_OP_CALIBRATE, AIMC_CMD_CALIBRATE);
AIMC_SAME_VALUE(AIMC_OP_WAIT, AIMC_CMD_WAIT);
AIMC_SAME_VALUE(AIMC_CMD_F_RESET_STATE, AIMC_EXEC_F_RESET_STATE);
AIMC_SAME_VALUE(AIMC_PROGRAM_TARGET, AIMC_PROG_TARGET);
AIMC_SAME_VALUE(AIMC_PROGRAM_PULSES, AIMC_PROG_PULSE);
AIMC_SAME_VALUE(AIMC_WAIT_UNIT_NS, AIMC_WAIT_NS);
AIMC_SAME_VALUE(AIMC_WAIT_UNIT_US, AIMC_WAIT_US);
AIMC_SAME_VALUE(AIMC_WAIT_UNIT_MS, AIMC_WAIT_MS);
AIMC_SAME_VALUE(AIMC_WAIT_UNIT_S, AIMC_WAIT_S);
AIMC_SAME_VALUE(AIMC_OPERAND_MAX_BYTES, AIMC_IO_MAX_BYTES);
AIMC_SAME_VALUE(AIMC_PROGRAM_MAX_BYTES, AIMC_PROG_MAX_BYTES);
/* The card's status of a failed command reaches WAIT unchanged. */
AIMC_SAME_VALUE(AIMC_DEVICE_OK, AIMC_ST_OK);
AIMC_SAME_VALUE(AIMC_DEVICE_BAD_OPCODE, AIMC_ST_BAD_OPCODE);
AIMC_SAME_VALUE(AIMC_DEVICE_BAD_TILE, AIMC_ST_BAD_TILE);
AIMC_SAME_VALUE(AIMC_DEVICE_BAD_WINDOW, AIMC_ST_BAD_WINDOW);
AIMC_SAME_VALUE(AIMC_DEVICE_BAD_SLOT, AIMC_ST_BAD_SLOT);
AIMC_SAME_VALUE(AIMC_DEVICE_BAD_UOP, AIMC_ST_BAD_UOP);
AIMC_SAME_VALUE(AIMC_DEVICE_BAD_LENGTH, AIMC_ST_BAD_LENGTH);
AIMC_SAME_VALUE(AIMC_DEVICE_DMA_FAULT, AIMC_ST_DMA_FAULT);
AIMC_SAME_VALUE(AIMC_DEVICE_BAD_MODE, AIMC_ST_BAD_MODE);
AIMC_SAME_VALUE(AIMC_DEVICE_BAD_RESERVED, AIMC_ST_BAD_RESERVED);
AIMC_SAME_VALUE(AIMC_DEVICE_BAD_STEPS, AIMC_ST_BAD_STEPS);
AIMC_SAME_VALUE(AIMC_DEVICE_BAD_PROGRAM, AIMC_ST_BAD_PROGRAM);
AIMC_SAME_VALUE(AIMC_DEVICE_BAD_STATE, AIMC_ST_BAD_STATE);
AIMC_SAME_VALUE(AIMC_DEVICE_BAD_OPERAND, AIMC_ST_BAD_OPERAND);
AIMC_SAME_VALUE(AIMC_DEVICE_BAD_OPERAND + 1, AIMC_ST_COUNT);

struct aimc_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the fence's own: it may outlive the card */
};

static const char *aimc_fence_driver_name(struct dma_fence *fence)
{
	return AIMC_DRIVER_NAME;
}

static const char *aimc_fence_timeline_name(struct dma_fence *fence)
{
	return "aimc-job";
}

static const struct dma_fence_ops aimc_fence_ops = {
	.get_driver_name = aimc_fence_driver_name,
	.get_timeline_name = aimc_fence_timeline_name,
};

/*
 * Jobs can finish in another order than they were submitted (in-fences),
 * so each fence gets a context of its own: fences of one context must
 * signal in sequence-number order.
 */
static struct dma_fence *aimc_fence_create(void)
{
	struct aimc_fence *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &aimc_fence_ops, &f->lock,
		       dma_fence_context_alloc(1), 1);
	return &f->base;
}

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
	INIT_LIST_HEAD(&job->dev_node);
	INIT_LIST_HEAD(&job->file_node);
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
	return job;
}

/*
 * Give back what the job holds on the card's behalf: mappings, program
 * copies and tile/slot uses.  The card must be done with them.
 */
static void aimc_job_release_resources(struct aimc_job *job)
{
	struct aimc_device *adev = job->adev;
	struct device *dev = adev->bus.dev;
	u32 i;

	for (i = 0; i < job->nmaps; i++) {
		struct aimc_operand_map *map = &job->maps[i];

		aimc_bo_dma_put(map->obj, dev);
		drm_gem_object_put(map->obj);
	}
	/* Counted once queued (aimc_job_queue(): ids start at 1). */
	if (job->id)
		adev->stats.pinned_operands -= job->nmaps;
	job->nmaps = 0;
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
 * aimc_job_finish - a job has ended; record how, signal it, release it
 * @job: queued or on the ring; the caller holds sched_lock
 * @status: &enum drm_aimc_job_status
 * @device_status: the card's status of the failed command, or 0
 * @failed_cmd: index of the failed command, or 0
 *
 * Drops the device's reference to @job.
 */
void aimc_job_finish(struct aimc_job *job, u32 status, u32 device_status,
		     u32 failed_cmd)
{
	struct aimc_device *adev = job->adev;
	struct aimc_file *afile = job->afile;

	lockdep_assert_held(&adev->sched_lock);
	job->status = status;
	job->device_status = device_status;
	job->failed_cmd = failed_cmd;
	list_del_init(&job->dev_node);
	if (afile) {
		struct aimc_job_record *rec = &afile->history[job->id % AIMC_JOB_HISTORY];

		rec->id = job->id;
		rec->status = status;
		rec->device_status = device_status;
		rec->failed_cmd = failed_cmd;
		list_del_init(&job->file_node);
		afile->njobs--;
		if (job->head_ns)
			afile->engine_ns += ktime_get_ns() - job->head_ns;
	}
	if (status == AIMC_JOB_DONE)
		adev->stats.jobs_done++;
	else
		adev->stats.jobs_failed++;
	aimc_job_release_resources(job);
	if (status != AIMC_JOB_DONE)
		dma_fence_set_error(job->fence, aimc_fence_errno(status));
	dma_fence_signal(job->fence);
	aimc_job_put(job);
}

/**
 * aimc_job_cancel - end a job that is not on the ring yet
 * @job: in &aimc_device.queue; the caller holds sched_lock
 */
void aimc_job_cancel(struct aimc_job *job)
{
	u32 i;

	for (i = 0; i < job->ndeps; i++)
		dma_fence_remove_callback(job->deps[i].fence, &job->deps[i].cb);
	job->adev->stats.jobs_queued--;
	aimc_job_finish(job, AIMC_JOB_ABORTED, 0, 0);
}

static void aimc_job_dep_signalled(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct aimc_job_dep *dep = container_of(cb, struct aimc_job_dep, cb);
	struct aimc_device *adev = dep->job->adev;

	if (atomic_dec_and_test(&dep->job->deps_pending))
		queue_work(adev->wq, &adev->run_work);
}

/* Check an operand and look its buffer up; returns a reference. */
static int aimc_operand_lookup(struct drm_file *file,
			       const struct drm_aimc_operand *op, u32 max_len,
			       struct drm_gem_object **objp)
{
	struct drm_gem_object *obj;
	u64 end;

	*objp = NULL;
	if (!op->handle)
		return op->length || op->offset ? -EINVAL : 0;
	if (!op->length)
		return -EINVAL;
	if (op->length > max_len)
		return -E2BIG;
	obj = drm_gem_object_lookup(file, op->handle);
	if (!obj)
		return -ENOENT;
	if (check_add_overflow(op->offset, (u64)op->length, &end)) {
		drm_gem_object_put(obj);
		return -EOVERFLOW;
	}
	if (end > obj->size) {
		drm_gem_object_put(obj);
		return -ERANGE;
	}
	*objp = obj;
	return 0;
}

/*
 * Map the buffer under an operand for the card (aimc_bo_dma_get()).
 * Takes over the reference to @obj, also on failure.
 */
static int aimc_job_map_operand(struct aimc_job *job, struct drm_gem_object *obj,
				const struct drm_aimc_operand *op, u64 *dma)
{
	struct aimc_operand_map *map = &job->maps[job->nmaps];
	dma_addr_t addr;
	int ret;

	ret = aimc_bo_dma_get(obj, job->adev->bus.dev, op->offset, op->length,
			      &addr);
	if (ret) {
		if (ret == -E2BIG)
			drm_dbg(&job->adev->drm,
				"operand is not contiguous for the card\n");
		drm_gem_object_put(obj);
		return ret;
	}
	*dma = addr;
	map->obj = obj;
	job->nmaps++;
	return 0;
}

static int aimc_job_use(struct aimc_job *job, u32 type, u32 index)
{
	unsigned long *used = type == AIMC_RESOURCE_TILE ? job->tiles_used :
							  job->slots_used;
	u32 count = type == AIMC_RESOURCE_TILE ? job->adev->caps.num_tiles :
						 job->adev->caps.stream_slots;
	int ret;

	if (index >= count)
		return -EINVAL;
	if (test_bit(index, used))
		return 0;
	ret = aimc_resv_use(job->afile, type, index);
	if (!ret)
		set_bit(index, used);
	return ret;
}

/* aimc_hw_use_fn: may the job's file use this tile or slot? */
static int aimc_job_use_cb(void *ctx, enum aimc_hw_resource type, u32 index)
{
	struct aimc_job *job = ctx;

	job->check_err = aimc_job_use(job, type == AIMC_HW_TILE ?
				      AIMC_RESOURCE_TILE : AIMC_RESOURCE_SLOT,
				      index);
	return job->check_err;
}

/* A shared validator's verdict as the errno SUBMIT returns. */
static int aimc_job_check_errno(struct aimc_job *job, u32 status)
{
	if (status == AIMC_ST_OK)
		return 0;
	return status == AIMC_CHECK_REFUSED ? job->check_err : -EINVAL;
}

/* Copy an EXEC program into kernel memory the card reads, and check it. */
static int aimc_job_copy_prog(struct aimc_job *job, struct drm_gem_object *obj,
			      const struct drm_aimc_operand *op,
			      const struct aimc_desc *desc, u64 *dma)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);
	struct aimc_prog_copy *copy = &job->progs[job->nprogs];
	struct device *dev = job->adev->bus.dev;
	u32 done = 0, n_uops, bad_uop;
	u64 pos = op->offset;
	int ret;

	/* Program copies are kernel memory: bound what one job can pin. */
	if (job->prog_bytes + op->length > AIMC_MAX_JOB_PROG_BYTES) {
		ret = -E2BIG;
		goto out_put;
	}
	copy->cpu = dma_alloc_coherent(dev, op->length, &copy->dma,
				       GFP_KERNEL | __GFP_NOWARN);
	if (!copy->cpu) {
		ret = -ENOMEM;
		goto out_put;
	}
	copy->size = op->length;
	job->nprogs++;
	job->prog_bytes += op->length;

	ret = drm_gem_shmem_pin(shmem);
	if (ret)
		goto out_put;
	while (done < op->length) {
		u32 off = offset_in_page(pos);
		u32 chunk = min_t(u32, op->length - done, PAGE_SIZE - off);
		void *vaddr = kmap_local_page(shmem->pages[pos >> PAGE_SHIFT]);

		memcpy(copy->cpu + done, vaddr + off, chunk);
		kunmap_local(vaddr);
		done += chunk;
		pos += chunk;
	}
	drm_gem_shmem_unpin(shmem);

	/* Checked like the card checks it, on the copy the card will read. */
	ret = aimc_job_check_errno(job, aimc_hw_check_prog(copy->cpu, op->length,
							   desc, &job->adev->limits,
							   aimc_job_use_cb, job,
							   NULL, &n_uops, &bad_uop));
	if (!ret)
		*dma = copy->dma;
out_put:
	drm_gem_object_put(obj);
	return ret;
}

static bool aimc_operand_set(const struct drm_aimc_operand *op)
{
	return op->handle || op->length || op->offset;
}

/*
 * The operands @used says the opcode does not take must be empty: the
 * descriptor's own fields the shared validator checks.
 */
static int aimc_cmd_check_operands(const struct drm_aimc_cmd *cmd, u32 used)
{
	if ((!(used & AIMC_DF_SRC) && aimc_operand_set(&cmd->src)) ||
	    (!(used & AIMC_DF_DST) && aimc_operand_set(&cmd->dst)) ||
	    (!(used & AIMC_DF_PROG) && aimc_operand_set(&cmd->prog)))
		return -EINVAL;
	return 0;
}

/* Check one command and turn it into the card's descriptor. */
static int aimc_job_add_cmd(struct aimc_job *job, struct drm_file *file,
			    const struct drm_aimc_cmd *cmd, u32 index)
{
	struct drm_gem_object *src, *dst, *prog;
	struct aimc_desc desc = {
		.opcode = cmd->opcode,
		.flags = cmd->flags,
		.tile = cmd->tile,
		.slot = cmd->slot,
		.mode = cmd->mode,
		.row0 = cmd->row0,
		.col0 = cmd->col0,
		.rows = cmd->rows,
		.cols = cmd->cols,
		.steps = cmd->steps,
		.in_stride = cmd->in_stride,
		.out_stride = cmd->out_stride,
		.src_len = cmd->src.length,
		.dst_len = cmd->dst.length,
		.prog_len = cmd->prog.length,
		.seq = lower_32_bits(job->id),
	};
	int ret;

	ret = aimc_job_check_errno(job, aimc_hw_check_fields(&desc));
	if (!ret)
		ret = aimc_cmd_check_operands(cmd, aimc_desc_fields(cmd->opcode));
	if (!ret)
		ret = aimc_job_check_errno(job, aimc_hw_check_resources(&desc,
									aimc_job_use_cb,
									job));
	if (ret)
		return ret;
	if (aimc_desc_fields(cmd->opcode) & AIMC_DF_SLOT) {
		ret = aimc_resv_slot_state(job->afile, cmd->slot,
					   cmd->opcode == AIMC_CMD_STATE_LOAD ||
					   (cmd->flags & AIMC_CMD_F_RESET_STATE));
		if (ret)
			return ret;
	}

	ret = aimc_operand_lookup(file, &cmd->src, AIMC_IO_MAX_BYTES, &src);
	if (ret)
		return ret;
	ret = aimc_operand_lookup(file, &cmd->dst, AIMC_IO_MAX_BYTES, &dst);
	if (ret)
		goto err_put_src;
	ret = aimc_operand_lookup(file, &cmd->prog, AIMC_PROG_MAX_BYTES, &prog);
	if (ret)
		goto err_put_dst;

	/* The map and copy helpers take over the references. */
	if (prog) {
		ret = aimc_job_copy_prog(job, prog, &cmd->prog, &desc,
					 &desc.prog_addr);
		prog = NULL;
		if (ret)
			goto err_put_dst;
	}
	if (src) {
		ret = aimc_job_map_operand(job, src, &cmd->src,
					   &desc.src_addr);
		src = NULL;
		if (ret)
			goto err_put_dst;
	}
	if (dst) {
		ret = aimc_job_map_operand(job, dst, &cmd->dst,
					   &desc.dst_addr);
		if (ret)
			return ret;
	}
	aimc_desc_to_hw(&desc, &job->descs[index]);
	return 0;

err_put_dst:
	if (dst)
		drm_gem_object_put(dst);
err_put_src:
	if (src)
		drm_gem_object_put(src);
	return ret;
}

static int aimc_job_add_deps(struct aimc_job *job, struct drm_file *file,
			     const struct drm_aimc_submit *args)
{
	u32 handles[AIMC_MAX_IN_SYNCOBJS];
	u32 i;
	int ret;

	if (!args->in_syncobj_count)
		return 0;
	if (copy_from_user(handles, u64_to_user_ptr(args->in_syncobjs),
			   args->in_syncobj_count * sizeof(handles[0])))
		return -EFAULT;
	for (i = 0; i < args->in_syncobj_count; i++) {
		ret = drm_syncobj_find_fence(file, handles[i], 0, 0,
					     &job->deps[i].fence);
		if (ret)
			return ret;
		job->deps[i].job = job;
		job->ndeps++;
	}
	return 0;
}

/* Queue a checked job; it runs once its in-fences have signalled. */
static int aimc_job_queue(struct aimc_job *job)
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
	list_add_tail(&job->dev_node, &adev->queue);
	adev->stats.jobs_queued++;

	/* One extra count until every callback is installed. */
	atomic_set(&job->deps_pending, job->ndeps + 1);
	for (i = 0; i < job->ndeps; i++)
		if (dma_fence_add_callback(job->deps[i].fence, &job->deps[i].cb,
					   aimc_job_dep_signalled))
			atomic_dec(&job->deps_pending);
	if (atomic_dec_and_test(&job->deps_pending))
		aimc_ring_fill(adev);
	mutex_unlock(&adev->sched_lock);
	return 0;
}

int aimc_ioctl_submit(struct drm_device *drm, void *data,
		      struct drm_file *file)
{
	struct aimc_device *adev = to_aimc_device(drm);
	struct aimc_file *afile = file->driver_priv;
	struct drm_aimc_submit *args = data;
	struct drm_syncobj *out_syncobj = NULL;
	struct aimc_job *job;
	int idx, ret;
	u32 i;

	if (args->flags || args->reserved || !args->cmd_count ||
	    args->cmd_size < sizeof(struct drm_aimc_cmd) ||
	    args->in_syncobj_count > AIMC_MAX_IN_SYNCOBJS)
		return -EINVAL;
	if (args->cmd_count > AIMC_MAX_JOB_CMDS)
		return -E2BIG;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	job = aimc_job_alloc(afile, args->cmd_count);
	if (!job) {
		ret = -ENOMEM;
		goto out_exit;
	}
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
	if (args->out_syncobj) {
		out_syncobj = drm_syncobj_find(file, args->out_syncobj);
		if (!out_syncobj) {
			ret = -ENOENT;
			goto out_release;
		}
	}

	/*
	 * Once queued, the job can run, retire and drop its last reference
	 * before this ioctl reads its id and fence: hold one until then.
	 */
	kref_get(&job->ref);
	ret = aimc_job_queue(job);
	if (ret) {
		aimc_job_put(job);
		goto out_release;
	}
	args->job_id = job->id;
	if (out_syncobj)
		drm_syncobj_replace_fence(out_syncobj, job->fence);
	aimc_job_put(job);
	goto out_syncobj;

out_release:
	mutex_lock(&adev->sched_lock);
	aimc_job_release_resources(job);
	mutex_unlock(&adev->sched_lock);
	aimc_job_put(job);
out_syncobj:
	if (out_syncobj)
		drm_syncobj_put(out_syncobj);
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

/* Absolute CLOCK_MONOTONIC nanoseconds to a relative jiffies timeout. */
static long aimc_timeout_jiffies(s64 timeout_ns)
{
	s64 remaining = timeout_ns - ktime_get_ns();
	u64 j;

	if (remaining <= 0)
		return 0;
	/* Round up: never give up before the deadline. */
	j = nsecs_to_jiffies64(remaining) + 1;
	return min_t(u64, j, MAX_SCHEDULE_TIMEOUT - 1);
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
	if (job->on_ring && !dma_fence_is_signaled(job->fence))
		aimc_ring_reap(adev);
	mutex_unlock(&adev->sched_lock);

	ret = dma_fence_wait_timeout(job->fence, true,
				     aimc_timeout_jiffies(args->timeout_ns));
	if (ret > 0 || (ret == 0 && dma_fence_is_signaled(job->fence))) {
		unsigned long flags;

		/*
		 * aimc_job_finish() sets the status before it signals the
		 * fence, which takes the fence's lock: read it under that
		 * lock, not sched_lock, which the worker that woke us may
		 * still hold.
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
 * aimc_job_file_close - a file is closing: cancel its queued jobs
 * @afile: the file
 *
 * Jobs already on the ring cannot be recalled from the card; they finish
 * (or time out) on their own and then release what they hold.
 */
void aimc_job_file_close(struct aimc_file *afile)
{
	struct aimc_device *adev = afile->adev;
	struct aimc_job *job, *tmp;

	mutex_lock(&adev->sched_lock);
	list_for_each_entry_safe(job, tmp, &afile->jobs, file_node)
		if (!job->on_ring)
			aimc_job_cancel(job);
	list_for_each_entry_safe(job, tmp, &afile->jobs, file_node) {
		job->afile = NULL;
		list_del_init(&job->file_node);
	}
	afile->njobs = 0;
	adev->stats.files--;
	mutex_unlock(&adev->sched_lock);
}
