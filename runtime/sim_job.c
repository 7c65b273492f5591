// SPDX-License-Identifier: MIT
/*
 * The job layer on the sim backend (sim_job.h): buffers are memfds, so
 * aimc_bo_mmap() gives the caller a shared mapping exactly as on drm;
 * each command is checked as aimc.ko checks it, by the same validator
 * (driver/hw/aimc_hw_check.c), and
 * then run through aimc_model_execute() with DMA callbacks that only
 * reach the operands of this handle's buffers.
 *
 * A DMA address is (region << AIMC_SIM_REGION_SHIFT) | offset, where
 * the region is a buffer handle, or AIMC_SIM_PROG_REGION + i for the
 * copy of the EXEC program of command i (programs are copied at submit
 * like the driver does, so changing the buffer afterwards has no
 * effect).  The callbacks bounds-check every access against the region.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "job.h"
#include "sim_job.h"

#define AIMC_SIM_REGION_SHIFT	40
#define AIMC_SIM_OFFSET_MASK	((1ull << AIMC_SIM_REGION_SHIFT) - 1)
/* Handles stay below this; program copies use the regions above it. */
#define AIMC_SIM_PROG_REGION	(1u << 20)

struct aimc_sim_bo {
	uint32_t handle;	/* 0: free entry */
	int memfd;
	uint64_t size;
	uint8_t *cpu;		/* the library's own mapping, for DMA */
};

struct aimc_sim_prog {
	uint8_t *data;
	uint32_t len;
};

struct aimc_sim_jobs {
	struct aimc_model *model;	/* the card, created with our DMA */
	pthread_mutex_t lock;
	struct aimc_sim_bo *bos;
	uint32_t n_bos;
	uint32_t next_handle;
	uint32_t tiles, slots;
	bool *tile_owned;
	bool *slot_owned;
	uint64_t next_job_id;			/* ids start at 1 */
	uint64_t jobs_done, jobs_failed;	/* telemetry */
	struct {
		uint64_t id;
		struct aimc_job_result res;
	} history[AIMC_SIM_JOB_HISTORY];
	/* the programs of the job running now */
	struct aimc_sim_prog progs[AIMC_SIM_MAX_JOB_CMDS];
};

static uint64_t sim_addr(uint32_t region, uint64_t offset)
{
	return (uint64_t)region << AIMC_SIM_REGION_SHIFT | offset;
}

static struct aimc_sim_bo *sim_bo_find(struct aimc_sim_jobs *jobs,
				       uint32_t handle)
{
	uint32_t i;

	if (!handle)
		return NULL;
	for (i = 0; i < jobs->n_bos; i++)
		if (jobs->bos[i].handle == handle)
			return &jobs->bos[i];
	return NULL;
}

/* The host bytes of [addr, addr + len), or NULL if outside a region. */
static uint8_t *sim_dma_resolve(struct aimc_sim_jobs *jobs, uint64_t addr,
				uint32_t len)
{
	uint64_t region = addr >> AIMC_SIM_REGION_SHIFT;
	uint64_t offset = addr & AIMC_SIM_OFFSET_MASK;
	struct aimc_sim_bo *bo;
	struct aimc_sim_prog *prog;

	if (region >= AIMC_SIM_PROG_REGION) {
		if (region - AIMC_SIM_PROG_REGION >= AIMC_SIM_MAX_JOB_CMDS)
			return NULL;
		prog = &jobs->progs[region - AIMC_SIM_PROG_REGION];
		if (!prog->data || offset > prog->len || len > prog->len - offset)
			return NULL;
		return prog->data + offset;
	}
	bo = sim_bo_find(jobs, (uint32_t)region);
	if (!bo || offset > bo->size || len > bo->size - offset)
		return NULL;
	return bo->cpu + offset;
}

static int sim_dma_read(void *ctx, u64 addr, void *dst, u32 len)
{
	uint8_t *p = sim_dma_resolve(ctx, addr, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

static int sim_dma_write(void *ctx, u64 addr, const void *src, u32 len)
{
	uint8_t *p = sim_dma_resolve(ctx, addr, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

struct aimc_sim_jobs *aimc_sim_jobs_of(struct aimc_device *dev)
{
	return dev->backend;
}

struct aimc_model *aimc_sim_model(struct aimc_device *dev)
{
	return dev->ops->kind == AIMC_BACKEND_SIM ? aimc_sim_jobs_of(dev)->model : NULL;
}

struct aimc_sim_jobs *aimc_sim_jobs_create(const struct aimc_model_config *cfg)
{
	struct aimc_sim_jobs *jobs = calloc(1, sizeof(*jobs));
	struct aimc_model_dma dma = {
		.read = sim_dma_read,
		.write = sim_dma_write,
		.ctx = jobs,
	};
	uint32_t tiles = cfg->tiles, slots = cfg->slots;

	if (!jobs)
		return NULL;
	jobs->model = aimc_model_create(cfg, &dma);
	if (!jobs->model) {
		free(jobs);
		return NULL;
	}
	jobs->tile_owned = calloc(tiles, sizeof(bool));
	jobs->slot_owned = calloc(slots, sizeof(bool));
	if (!jobs->tile_owned || !jobs->slot_owned) {
		aimc_model_destroy(jobs->model);
		free(jobs->tile_owned);
		free(jobs->slot_owned);
		free(jobs);
		return NULL;
	}
	pthread_mutex_init(&jobs->lock, NULL);
	jobs->tiles = tiles;
	jobs->slots = slots;
	jobs->next_handle = 1;
	jobs->next_job_id = 1;
	return jobs;
}

static void sim_bo_drop(struct aimc_sim_bo *bo)
{
	munmap(bo->cpu, bo->size);
	close(bo->memfd);
	memset(bo, 0, sizeof(*bo));
}

void aimc_sim_jobs_destroy(struct aimc_sim_jobs *jobs)
{
	uint32_t i;

	if (!jobs)
		return;
	for (i = 0; i < jobs->n_bos; i++)
		if (jobs->bos[i].handle)
			sim_bo_drop(&jobs->bos[i]);
	free(jobs->bos);
	aimc_model_destroy(jobs->model);
	free(jobs->tile_owned);
	free(jobs->slot_owned);
	pthread_mutex_destroy(&jobs->lock);
	free(jobs);
}

/* ---- buffers ---- */

static struct aimc_sim_bo *sim_bo_slot(struct aimc_sim_jobs *jobs)
{
	struct aimc_sim_bo *grown;
	uint32_t i, n;

	for (i = 0; i < jobs->n_bos; i++)
		if (!jobs->bos[i].handle)
			return &jobs->bos[i];
	n = jobs->n_bos ? 2 * jobs->n_bos : 16;
	grown = realloc(jobs->bos, n * sizeof(*grown));
	if (!grown)
		return NULL;
	memset(grown + jobs->n_bos, 0, (n - jobs->n_bos) * sizeof(*grown));
	jobs->bos = grown;
	i = jobs->n_bos;
	jobs->n_bos = n;
	return &jobs->bos[i];
}

static int sim_bo_create(struct aimc_device *dev, uint64_t size,
		       uint32_t *handle)
{
	struct aimc_sim_jobs *jobs = aimc_sim_jobs_of(dev);
	long page = sysconf(_SC_PAGESIZE);
	struct aimc_sim_bo *bo;
	uint64_t rounded;
	int fd, err;
	void *cpu;

	if (!size || size > AIMC_SIM_MAX_BO_SIZE)
		return aimc_set_error(-EINVAL, "sim: bo_create: size %llu not in 1..%llu",
				      (unsigned long long)size,
				      (unsigned long long)AIMC_SIM_MAX_BO_SIZE);
	rounded = (size + (uint64_t)page - 1) / (uint64_t)page * (uint64_t)page;
	fd = memfd_create("aimc-sim-bo", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)rounded)) {
		err = errno;
		if (fd >= 0)
			close(fd);
		return aimc_set_error(-err, "sim: bo_create: memfd: %s",
				      strerror(err));
	}
	cpu = mmap(NULL, rounded, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (cpu == MAP_FAILED) {
		err = errno;
		close(fd);
		return aimc_set_error(-err, "sim: bo_create: mmap: %s",
				      strerror(err));
	}
	pthread_mutex_lock(&jobs->lock);
	bo = jobs->next_handle < AIMC_SIM_PROG_REGION ? sim_bo_slot(jobs) : NULL;
	if (!bo) {
		pthread_mutex_unlock(&jobs->lock);
		munmap(cpu, rounded);
		close(fd);
		return aimc_set_error(-ENOMEM, "sim: bo_create: out of handles or memory");
	}
	bo->handle = jobs->next_handle++;
	bo->memfd = fd;
	bo->size = rounded;
	bo->cpu = cpu;
	*handle = bo->handle;
	pthread_mutex_unlock(&jobs->lock);
	return 0;
}

static int sim_bo_info(struct aimc_device *dev, uint32_t handle,
		     uint64_t *size, uint64_t *mmap_offset)
{
	struct aimc_sim_jobs *jobs = aimc_sim_jobs_of(dev);
	struct aimc_sim_bo *bo;

	pthread_mutex_lock(&jobs->lock);
	bo = sim_bo_find(jobs, handle);
	if (bo && size)
		*size = bo->size;
	pthread_mutex_unlock(&jobs->lock);
	if (!bo)
		return aimc_set_error(-ENOENT, "sim: BO_INFO: buffer %u: %s",
				      handle, strerror(ENOENT));
	/* Each buffer is its own memfd: it maps from offset 0. */
	if (mmap_offset)
		*mmap_offset = 0;
	return 0;
}

static int sim_bo_mmap(struct aimc_device *dev, uint32_t handle, void **ptr,
		     uint64_t *size)
{
	struct aimc_sim_jobs *jobs = aimc_sim_jobs_of(dev);
	struct aimc_sim_bo *bo;
	uint64_t bo_size = 0;
	void *p = MAP_FAILED;
	int err = ENOENT;

	pthread_mutex_lock(&jobs->lock);
	bo = sim_bo_find(jobs, handle);
	if (bo) {
		bo_size = bo->size;
		p = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 bo->memfd, 0);
		err = errno;
	}
	pthread_mutex_unlock(&jobs->lock);
	if (!bo)
		return aimc_set_error(-ENOENT, "sim: BO_INFO: buffer %u: %s",
				      handle, strerror(ENOENT));
	if (p == MAP_FAILED)
		return aimc_set_error(-err, "sim: mmap: %s", strerror(err));
	*ptr = p;
	if (size)
		*size = bo_size;
	return 0;
}

static int sim_bo_close(struct aimc_device *dev, uint32_t handle)
{
	struct aimc_sim_jobs *jobs = aimc_sim_jobs_of(dev);
	struct aimc_sim_bo *bo;

	pthread_mutex_lock(&jobs->lock);
	bo = sim_bo_find(jobs, handle);
	/* The caller's own mappings of the memfd stay valid, as on drm. */
	if (bo)
		sim_bo_drop(bo);
	pthread_mutex_unlock(&jobs->lock);
	if (!bo)
		return aimc_set_error(-EINVAL, "sim: GEM_CLOSE: buffer %u: %s",
				      handle, strerror(EINVAL));
	return 0;
}

/* ---- telemetry and the clock ---- */

static uint32_t sim_count_owned(const bool *owned, uint32_t n)
{
	uint32_t i, count = 0;

	for (i = 0; i < n; i++)
		count += owned[i];
	return count;
}

void aimc_sim_jobs_telemetry(struct aimc_sim_jobs *jobs,
			     struct aimc_device_telemetry *t)
{
	const struct aimc_model_stats *st;

	pthread_mutex_lock(&jobs->lock);
	st = aimc_model_stats(jobs->model);
	t->commands = st->commands;
	t->busy_ns = st->busy_ns;
	t->pulses = st->pulses;
	t->jobs_done = jobs->jobs_done;
	t->jobs_failed = jobs->jobs_failed;
	t->tiles_in_use = sim_count_owned(jobs->tile_owned, jobs->tiles);
	t->slots_in_use = sim_count_owned(jobs->slot_owned, jobs->slots);
	t->energy_fj = aimc_model_energy_fj(st);
	t->energy_dac_fj = st->energy_fj[AIMC_ENERGY_DAC];
	t->energy_xbar_fj = st->energy_fj[AIMC_ENERGY_XBAR];
	t->energy_adc_fj = st->energy_fj[AIMC_ENERGY_ADC];
	t->energy_dpu_fj = st->energy_fj[AIMC_ENERGY_DPU];
	t->energy_program_fj = st->energy_fj[AIMC_ENERGY_PROGRAM];
	t->mvms = st->mvms;
	t->dac_conversions = st->dac_conversions;
	t->adc_conversions = st->adc_conversions;
	t->dpu_muls = st->dpu_muls;
	t->dpu_adds = st->dpu_adds;
	t->preset = aimc_model_config(jobs->model)->preset;
	t->flags = AIMC_TELEMETRY_ENERGY | AIMC_TELEMETRY_ENERGY_KINDS |
		   AIMC_TELEMETRY_PRESET;
	pthread_mutex_unlock(&jobs->lock);
	t->resets = 0;
	t->temperature_mc = AIMC_TEMPERATURE_NONE;
}

void aimc_sim_jobs_advance_clock(struct aimc_sim_jobs *jobs, uint64_t ns)
{
	pthread_mutex_lock(&jobs->lock);
	aimc_model_advance_clock(jobs->model, ns);
	pthread_mutex_unlock(&jobs->lock);
}

/* ---- tiles and stream slots ---- */

static bool *sim_owned(struct aimc_sim_jobs *jobs, uint32_t type,
		       uint32_t *count)
{
	if (type == AIMC_RESOURCE_TILE) {
		*count = jobs->tiles;
		return jobs->tile_owned;
	}
	if (type == AIMC_RESOURCE_SLOT) {
		*count = jobs->slots;
		return jobs->slot_owned;
	}
	return NULL;
}

static const char *sim_resource_name(uint32_t type)
{
	return type == AIMC_RESOURCE_TILE ? "tile" :
	       type == AIMC_RESOURCE_SLOT ? "slot" : "resource";
}

static int sim_reserve(struct aimc_device *dev, uint32_t type, uint32_t index,
		     uint32_t *got)
{
	struct aimc_sim_jobs *jobs = aimc_sim_jobs_of(dev);
	uint32_t count, i;
	bool *owned;
	int ret = 0;

	pthread_mutex_lock(&jobs->lock);
	owned = sim_owned(jobs, type, &count);
	if (!owned) {
		ret = aimc_set_error(-EINVAL, "sim: reserve: unknown resource type %u",
				     type);
	} else if (index == AIMC_JOB_ANY) {
		ret = aimc_set_error(-ENOSPC, "sim: reserve any %s: %s (all in use)",
				     sim_resource_name(type), strerror(ENOSPC));
		for (i = 0; i < count; i++) {
			if (!owned[i]) {
				owned[i] = true;
				index = i;
				ret = 0;
				break;
			}
		}
	} else if (index >= count) {
		ret = aimc_set_error(-EINVAL, "sim: reserve %s %u: %s",
				     sim_resource_name(type), index,
				     strerror(EINVAL));
	} else if (owned[index]) {
		ret = aimc_set_error(-EEXIST, "sim: reserve %s %u: %s (already ours)",
				     sim_resource_name(type), index,
				     strerror(EEXIST));
	} else {
		owned[index] = true;
	}
	pthread_mutex_unlock(&jobs->lock);
	if (!ret && got)
		*got = index;
	return ret;
}

static int sim_release(struct aimc_device *dev, uint32_t type, uint32_t index)
{
	struct aimc_sim_jobs *jobs = aimc_sim_jobs_of(dev);
	uint32_t count;
	bool *owned;
	int ret = 0;

	pthread_mutex_lock(&jobs->lock);
	owned = sim_owned(jobs, type, &count);
	if (!owned || index >= count)
		ret = aimc_set_error(-EINVAL, "sim: release %s %u: %s",
				     sim_resource_name(type), index,
				     strerror(EINVAL));
	else if (!owned[index])
		ret = aimc_set_error(-EACCES, "sim: release %s %u: %s (not reserved by us)",
				     sim_resource_name(type), index,
				     strerror(EACCES));
	else
		owned[index] = false;
	pthread_mutex_unlock(&jobs->lock);
	return ret;
}

/* ---- submission ---- */

static bool sim_operand_set(const struct drm_aimc_operand *op)
{
	return op->handle || op->length || op->offset;
}

static int sim_use(struct aimc_sim_jobs *jobs, uint32_t type, uint32_t index,
		   uint32_t i)
{
	uint32_t count;
	bool *owned = sim_owned(jobs, type, &count);

	if (index >= count)
		return aimc_set_error(-EINVAL, "sim: SUBMIT: command %u: %s %u out of range",
				      i, sim_resource_name(type), index);
	if (!owned[index])
		return aimc_set_error(-EACCES, "sim: SUBMIT: command %u: %s %u: %s (a tile or slot not reserved by this file)",
				      i, sim_resource_name(type), index,
				      strerror(EACCES));
	return 0;
}

/* The driver's aimc_operand_lookup(); *addr gets the card address. */
static int sim_operand(struct aimc_sim_jobs *jobs,
		       const struct drm_aimc_operand *op, uint32_t max_len,
		       const char *what, uint32_t i, struct aimc_sim_bo **bop)
{
	struct aimc_sim_bo *bo;
	uint64_t end;
	int err = 0;

	*bop = NULL;
	if (!op->handle) {
		if (op->length || op->offset)
			err = EINVAL;
	} else if (!op->length) {
		err = EINVAL;
	} else if (op->length > max_len) {
		err = E2BIG;
	} else if (!(bo = sim_bo_find(jobs, op->handle))) {
		err = ENOENT;
	} else if (__builtin_add_overflow(op->offset, (uint64_t)op->length, &end)) {
		err = EOVERFLOW;
	} else if (end > bo->size) {
		err = ERANGE;
	} else {
		*bop = bo;
	}
	if (err)
		return aimc_set_error(-err, "sim: SUBMIT: command %u: %s operand (buffer %u, offset %llu, length %u): %s%s",
				      i, what, op->handle,
				      (unsigned long long)op->offset, op->length,
				      strerror(err),
				      err == E2BIG ? " (operand too long)" :
				      err == ENOENT ? " (unknown buffer handle)" :
				      err == ERANGE ? " (operand past the end of its buffer)" : "");
	return 0;
}

/* aimc_hw_use_fn: the ownership question of the shared validator. */
struct sim_use_ctx {
	struct aimc_sim_jobs *jobs;
	uint32_t cmd;
	int err;	/* what sim_use() refused with */
};

static int sim_use_cb(void *ctx, enum aimc_hw_resource type, u32 index)
{
	struct sim_use_ctx *c = ctx;

	c->err = sim_use(c->jobs, type == AIMC_HW_TILE ? AIMC_RESOURCE_TILE :
			 AIMC_RESOURCE_SLOT, index, c->cmd);
	return c->err;
}

/*
 * A verdict of the shared validator (driver/hw/aimc_hw_check.h) as the
 * driver turns it into SUBMIT's errno; a refusal's message sim_use() left.
 */
static int sim_check_errno(u32 status, uint32_t i, uint32_t opcode,
			   int refused)
{
	switch (status) {
	case AIMC_ST_OK:
		return 0;
	case AIMC_CHECK_REFUSED:
		return refused;
	case AIMC_ST_BAD_OPCODE:
		return aimc_set_error(-EINVAL, "sim: SUBMIT: command %u: unknown opcode %u",
				      i, opcode);
	case AIMC_ST_BAD_RESERVED:
		return aimc_set_error(-EINVAL, "sim: SUBMIT: command %u: a field opcode %u does not use is set",
				      i, opcode);
	case AIMC_ST_BAD_MODE:
		return aimc_set_error(-EINVAL, "sim: SUBMIT: command %u: undefined flags",
				      i);
	default:
		return aimc_set_error(-EINVAL, "sim: SUBMIT: command %u: malformed EXEC program (card status %u)",
				      i, status);
	}
}

static int sim_copy_prog(struct aimc_sim_jobs *jobs, struct aimc_sim_bo *bo,
			 const struct drm_aimc_operand *op,
			 const struct aimc_desc *desc, uint32_t i)
{
	struct aimc_sim_prog *copy = &jobs->progs[i];
	struct sim_use_ctx ctx = { jobs, i, 0 };
	u32 n_uops, bad_uop, status;

	copy->data = malloc(op->length);
	if (!copy->data)
		return aimc_set_error(-ENOMEM, "sim: SUBMIT: out of memory");
	copy->len = op->length;
	memcpy(copy->data, bo->cpu + op->offset, op->length);
	status = aimc_hw_check_prog(copy->data, copy->len, desc,
				    aimc_model_limits(jobs->model), sim_use_cb,
				    &ctx, NULL, &n_uops, &bad_uop);
	return sim_check_errno(status, i, desc->opcode, ctx.err);
}

/* Check one command and turn it into the card's descriptor. */
static int sim_add_cmd(struct aimc_sim_jobs *jobs,
		       const struct drm_aimc_cmd *cmd, uint32_t i,
		       struct aimc_desc *desc)
{
	struct aimc_sim_bo *src, *dst, *prog;
	struct sim_use_ctx ctx = { jobs, i, 0 };
	uint32_t used, status;
	int ret;

	memset(desc, 0, sizeof(*desc));
	desc->opcode = cmd->opcode;
	desc->flags = cmd->flags;
	desc->tile = cmd->tile;
	desc->slot = cmd->slot;
	desc->mode = cmd->mode;
	desc->row0 = cmd->row0;
	desc->col0 = cmd->col0;
	desc->rows = cmd->rows;
	desc->cols = cmd->cols;
	desc->steps = cmd->steps;
	desc->in_stride = cmd->in_stride;
	desc->out_stride = cmd->out_stride;
	desc->src_len = cmd->src.length;
	desc->dst_len = cmd->dst.length;
	desc->prog_len = cmd->prog.length;
	ret = sim_check_errno(aimc_hw_check_fields(desc), i, cmd->opcode, 0);
	if (ret)
		return ret;
	used = aimc_desc_fields(cmd->opcode);
	if ((!(used & AIMC_DF_SRC) && sim_operand_set(&cmd->src)) ||
	    (!(used & AIMC_DF_DST) && sim_operand_set(&cmd->dst)) ||
	    (!(used & AIMC_DF_PROG) && sim_operand_set(&cmd->prog)))
		return sim_check_errno(AIMC_ST_BAD_RESERVED, i, cmd->opcode, 0);
	status = aimc_hw_check_resources(desc, sim_use_cb, &ctx);
	ret = sim_check_errno(status, i, cmd->opcode, ctx.err);
	if (ret)
		return ret;
	ret = sim_operand(jobs, &cmd->src, AIMC_IO_MAX_BYTES, "src", i, &src);
	if (!ret)
		ret = sim_operand(jobs, &cmd->dst, AIMC_IO_MAX_BYTES, "dst", i, &dst);
	if (!ret)
		ret = sim_operand(jobs, &cmd->prog, AIMC_PROG_MAX_BYTES, "prog", i,
				  &prog);
	if (ret)
		return ret;

	if (prog) {
		ret = sim_copy_prog(jobs, prog, &cmd->prog, desc, i);
		if (ret)
			return ret;
		desc->prog_addr = sim_addr(AIMC_SIM_PROG_REGION + i, 0);
	}
	if (src)
		desc->src_addr = sim_addr(src->handle, cmd->src.offset);
	if (dst)
		desc->dst_addr = sim_addr(dst->handle, cmd->dst.offset);
	return 0;
}

static void sim_free_progs(struct aimc_sim_jobs *jobs)
{
	uint32_t i;

	for (i = 0; i < AIMC_SIM_MAX_JOB_CMDS; i++) {
		free(jobs->progs[i].data);
		jobs->progs[i].data = NULL;
		jobs->progs[i].len = 0;
	}
}

/* Jobs finish inside submit: the fence is an eventfd already readable. */
static int sim_fence_fd(int *fd)
{
	int err;

	*fd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);
	if (*fd >= 0)
		return 0;
	err = errno;
	return aimc_set_error(-err, "sim: fence eventfd: %s", strerror(err));
}

static int sim_submit(struct aimc_device *dev, const struct aimc_submit *job,
			uint64_t *job_id)
{
	struct aimc_desc descs[AIMC_SIM_MAX_JOB_CMDS];
	struct aimc_sim_jobs *jobs = aimc_sim_jobs_of(dev);
	struct aimc_job_result res = { .status = AIMC_JOB_DONE };
	const struct drm_aimc_cmd *cmds = job->cmds;
	uint32_t i, status, count = job->count;
	int ret = 0, fence = -1;

	if (job->n_in || job->out_syncobj)
		return aimc_set_error(-EOPNOTSUPP,
				      "sim: SUBMIT: syncobjs need a card (drm backend); sim jobs finish inside submit");
	if (count > AIMC_SIM_MAX_JOB_CMDS)
		return aimc_set_error(-E2BIG, "sim: SUBMIT of %u commands: %s (too many commands or operand too long)",
				      count, strerror(E2BIG));
	if (job->fence_fd) {
		ret = sim_fence_fd(&fence);
		if (ret)
			return ret;
	}

	pthread_mutex_lock(&jobs->lock);
	for (i = 0; i < count && !ret; i++)
		ret = sim_add_cmd(jobs, &cmds[i], i, &descs[i]);
	if (ret)
		goto out;

	for (i = 0; i < count; i++) {
		descs[i].seq = (uint32_t)jobs->next_job_id;
		status = aimc_model_execute(jobs->model, &descs[i]);
		if (status != AIMC_ST_OK) {
			res.status = AIMC_JOB_DEVICE_ERROR;
			res.device_status = status;
			res.failed_cmd = i;
			break;
		}
	}
	if (res.status == AIMC_JOB_DONE)
		jobs->jobs_done++;
	else
		jobs->jobs_failed++;
	*job_id = jobs->next_job_id++;
	jobs->history[*job_id % AIMC_SIM_JOB_HISTORY].id = *job_id;
	jobs->history[*job_id % AIMC_SIM_JOB_HISTORY].res = res;
out:
	sim_free_progs(jobs);
	pthread_mutex_unlock(&jobs->lock);
	if (ret && fence >= 0)
		close(fence);
	else if (job->fence_fd)
		*job->fence_fd = fence;
	return ret;
}

static int sim_wait(struct aimc_device *dev, uint64_t job_id,
		      int64_t abs_timeout_ns, struct aimc_job_result *res)
{
	struct aimc_sim_jobs *jobs = aimc_sim_jobs_of(dev);
	int ret = 0;

	/* aimc.ko refuses a negative deadline too */
	if (abs_timeout_ns < 0)
		return aimc_set_error(-EINVAL, "sim: WAIT for job %llu: negative timeout",
				      (unsigned long long)job_id);
	pthread_mutex_lock(&jobs->lock);
	if (!job_id || job_id >= jobs->next_job_id)
		ret = aimc_set_error(-EINVAL, "sim: WAIT for job %llu: %s (never submitted)",
				     (unsigned long long)job_id, strerror(EINVAL));
	else if (jobs->history[job_id % AIMC_SIM_JOB_HISTORY].id != job_id)
		ret = aimc_set_error(-ENOENT, "sim: WAIT for job %llu: %s (only the last %u jobs are kept)",
				     (unsigned long long)job_id, strerror(ENOENT),
				     AIMC_SIM_JOB_HISTORY);
	else
		*res = jobs->history[job_id % AIMC_SIM_JOB_HISTORY].res;
	pthread_mutex_unlock(&jobs->lock);
	return ret;
}

/* ---- what only a card behind aimc.ko has ---- */

static int sim_no_drm(const char *what)
{
	return aimc_set_error(-EOPNOTSUPP, "sim: %s needs a card (drm backend); the sim backend has none",
			      what);
}

static int sim_syncobj_create(struct aimc_device *dev, uint32_t *handle)
{
	(void)dev;
	(void)handle;
	return sim_no_drm("syncobj_create");
}

static int sim_syncobj_destroy(struct aimc_device *dev, uint32_t handle)
{
	(void)dev;
	(void)handle;
	return sim_no_drm("syncobj_destroy");
}

static int sim_syncobj_wait(struct aimc_device *dev, uint32_t *handles,
			  uint32_t count, int64_t abs_timeout_ns)
{
	(void)dev;
	(void)handles;
	(void)count;
	(void)abs_timeout_ns;
	return sim_no_drm("syncobj_wait");
}

static int sim_syncobj_export(struct aimc_device *dev, uint32_t handle,
			    int *sync_file_fd)
{
	(void)dev;
	(void)handle;
	(void)sync_file_fd;
	return sim_no_drm("syncobj_export");
}

static int sim_node_fd(struct aimc_device *dev)
{
	(void)dev;
	return sim_no_drm("fd");
}

const struct aimc_job_ops aimc_sim_job_ops = {
	.bo_create = sim_bo_create,
	.bo_info = sim_bo_info,
	.bo_mmap = sim_bo_mmap,
	.bo_close = sim_bo_close,
	.reserve = sim_reserve,
	.release = sim_release,
	.submit = sim_submit,
	.wait = sim_wait,
	.syncobj_create = sim_syncobj_create,
	.syncobj_destroy = sim_syncobj_destroy,
	.syncobj_wait = sim_syncobj_wait,
	.syncobj_export = sim_syncobj_export,
	.node_fd = sim_node_fd,
};
