// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Commands: what userspace asks for, turned into the card's descriptors.
 *
 * Userspace names buffers by handle and offset, tiles and slots by index;
 * everything is checked against the submitting file here, with the one
 * validator the card also runs (driver/hw/aimc_hw_check.c), and the
 * driver writes the DMA addresses into the descriptors itself.  Operands'
 * buffers are pinned and mapped only while jobs using them are unfinished
 * (aimc_gem.c), so the card can reach nothing else.  EXEC programs are
 * copied into kernel memory and checked there, so userspace cannot change
 * a program after the check.
 */
#include <linux/bitmap.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/overflow.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_print.h>

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
 * Map the buffer under an operand for the card (aimc_bo_dma_get()); the
 * card writes a result operand.  Takes over the reference to @obj, also
 * on failure.
 */
static int aimc_job_map_operand(struct aimc_job *job, struct drm_gem_object *obj,
				const struct drm_aimc_operand *op, bool result,
				u64 *dma)
{
	struct aimc_operand_map *map = &job->maps[job->nmaps];
	dma_addr_t addr;
	int ret;

	ret = aimc_bo_dma_get(obj, job->adev->bus.dev, op->offset, op->length,
			      &map->bounce, &addr);
	if (ret) {
		drm_gem_object_put(obj);
		return ret;
	}
	*dma = addr;
	map->obj = obj;
	map->result = result;
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

/**
 * aimc_job_add_cmd - check one command and turn it into the card's descriptor
 * @job: the job being built
 * @file: the submitting file, whose handles the operands name
 * @cmd: the command, copied from userspace
 * @index: its place in the job
 *
 * Takes the tiles and slots the command names (once per job), maps its
 * operands' buffers and copies its EXEC program.  Everything it took is
 * given back by aimc_job_release(), also after a failure.
 *
 * Return: 0 or the errno SUBMIT returns (uapi/drm/aimc_accel.h).
 */
int aimc_job_add_cmd(struct aimc_job *job, struct drm_file *file,
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
		ret = aimc_job_map_operand(job, src, &cmd->src, false,
					   &desc.src_addr);
		src = NULL;
		if (ret)
			goto err_put_dst;
	}
	if (dst) {
		ret = aimc_job_map_operand(job, dst, &cmd->dst, true,
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

