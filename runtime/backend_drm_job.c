// SPDX-License-Identifier: MIT
/*
 * The drm backend's job layer (backend_drm.h): buffers, tile and slot
 * reservation, submission and waiting through aimc.ko's ioctls
 * (uapi/drm/aimc_accel.h), syncobjs through libdrm.  Errnos of the driver
 * are passed through unchanged, with a message that says what they mean
 * for that ioctl.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>
#include <drm/aimc_accel.h>

#include "backend_drm.h"
#include "internal.h"
#include "job.h"

/* -errno of a failed ioctl, with the message */
static int ioctl_error(struct aimc_device *dev, const char *what)
{
	int err = errno;

	return aimc_set_error(-err, "%s: %s: %s", dev->node, what,
			      strerror(err));
}

/* A card's cells drift in physical time, suspend included. */
int aimc_drm_drift_clock(struct aimc_device *dev, uint64_t *now_ns)
{
	struct timespec ts;

	(void)dev;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	*now_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return 0;
}

static int drm_node_fd(struct aimc_device *dev)
{
	return dev->fd;
}

static int drm_bo_create(struct aimc_device *dev, uint64_t size, uint32_t *handle)
{
	struct drm_aimc_bo_create args = { .size = size };

	if (drmIoctl(dev->fd, DRM_IOCTL_AIMC_BO_CREATE, &args))
		return ioctl_error(dev, "BO_CREATE");
	*handle = args.handle;
	return 0;
}

static int drm_bo_info(struct aimc_device *dev, uint32_t handle, uint64_t *size,
		     uint64_t *mmap_offset)
{
	struct drm_aimc_bo_info args = { .handle = handle };

	if (drmIoctl(dev->fd, DRM_IOCTL_AIMC_BO_INFO, &args))
		return ioctl_error(dev, "BO_INFO");
	if (size)
		*size = args.size;
	if (mmap_offset)
		*mmap_offset = args.mmap_offset;
	return 0;
}

static int drm_bo_mmap(struct aimc_device *dev, uint32_t handle, void **ptr,
		     uint64_t *size)
{
	uint64_t bo_size = 0, offset = 0;
	void *p;
	int ret = drm_bo_info(dev, handle, &bo_size, &offset);

	if (ret < 0)
		return ret;
	if (bo_size > SIZE_MAX)
		return aimc_set_error(-EOVERFLOW, "%s: buffer of %llu bytes does not fit the address space",
				      dev->node, (unsigned long long)bo_size);
	p = mmap(NULL, (size_t)bo_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 dev->fd, (off_t)offset);
	if (p == MAP_FAILED)
		return ioctl_error(dev, "mmap");
	*ptr = p;
	if (size)
		*size = bo_size;
	return 0;
}

static int drm_bo_close(struct aimc_device *dev, uint32_t handle)
{
	struct drm_gem_close args = { .handle = handle };

	if (drmIoctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &args))
		return ioctl_error(dev, "GEM_CLOSE");
	return 0;
}

static const char *resource_name(uint32_t type)
{
	switch (type) {
	case AIMC_RESOURCE_TILE:
		return "tile";
	case AIMC_RESOURCE_SLOT:
		return "slot";
	default:
		return "resource";
	}
}

static int drm_reserve(struct aimc_device *dev, uint32_t type, uint32_t index,
		     uint32_t *got)
{
	struct drm_aimc_reserve args = { .type = type, .index = index };
	int err;

	if (index == AIMC_JOB_ANY) {
		args.index = 0;
		args.flags = AIMC_RESERVE_ANY;
	}
	if (drmIoctl(dev->fd, DRM_IOCTL_AIMC_RESERVE, &args)) {
		err = errno;
		if (index == AIMC_JOB_ANY)
			return aimc_set_error(-err, "%s: reserve any %s: %s%s",
					      dev->node, resource_name(type),
					      strerror(err),
					      err == ENOSPC ? " (all in use)" : "");
		return aimc_set_error(-err, "%s: reserve %s %u: %s%s", dev->node,
				      resource_name(type), index, strerror(err),
				      err == EBUSY ? " (another process has it)" :
				      err == EEXIST ? " (already ours)" : "");
	}
	if (got)
		*got = args.index;
	return 0;
}

static int drm_release(struct aimc_device *dev, uint32_t type, uint32_t index)
{
	struct drm_aimc_reserve args = { .type = type, .index = index };
	int err;

	if (drmIoctl(dev->fd, DRM_IOCTL_AIMC_RELEASE, &args)) {
		err = errno;
		return aimc_set_error(-err, "%s: release %s %u: %s%s", dev->node,
				      resource_name(type), index, strerror(err),
				      err == EACCES ? " (not reserved by us)" : "");
	}
	return 0;
}

static int drm_syncobj_create(struct aimc_device *dev, uint32_t *handle)
{
	if (drmSyncobjCreate(dev->fd, 0, handle))
		return ioctl_error(dev, "SYNCOBJ_CREATE");
	return 0;
}

static int drm_syncobj_destroy(struct aimc_device *dev, uint32_t handle)
{
	if (drmSyncobjDestroy(dev->fd, handle))
		return ioctl_error(dev, "SYNCOBJ_DESTROY");
	return 0;
}

static int drm_syncobj_wait(struct aimc_device *dev, uint32_t *handles,
			  uint32_t count, int64_t abs_timeout_ns)
{
	/* libdrm returns -errno here, but errno is still set */
	if (drmSyncobjWait(dev->fd, handles, count, abs_timeout_ns,
			   DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL |
			   DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL))
		return ioctl_error(dev, "SYNCOBJ_WAIT");
	return 0;
}

static int drm_syncobj_export(struct aimc_device *dev, uint32_t handle,
			    int *sync_file_fd)
{
	if (drmSyncobjExportSyncFile(dev->fd, handle, sync_file_fd))
		return ioctl_error(dev, "SYNCOBJ_FD_TO_HANDLE (export sync file)");
	return 0;
}

/* The job layer names binary syncobjs; the ioctl takes (handle, point). */
#define DRM_MAX_SYNCS	64

static int submit_ioctl(struct aimc_device *dev, const struct aimc_submit *job,
			uint32_t out_syncobj, uint64_t *job_id)
{
	struct drm_aimc_sync in[DRM_MAX_SYNCS], out = { .handle = out_syncobj };
	struct drm_aimc_submit args = {
		.cmds = (uintptr_t)job->cmds,
		.cmd_count = job->count,
		.cmd_size = sizeof(*job->cmds),
		.in_syncs = (uintptr_t)in,
		.in_sync_count = job->n_in,
		.out_syncs = (uintptr_t)&out,
		.out_sync_count = out_syncobj ? 1 : 0,
	};
	uint32_t i;
	int err;

	if (job->n_in > DRM_MAX_SYNCS)
		return aimc_set_error(-E2BIG, "%s: SUBMIT: %u in-syncobjs, at most %u",
				      dev->node, job->n_in, DRM_MAX_SYNCS);
	for (i = 0; i < job->n_in; i++)
		in[i] = (struct drm_aimc_sync){ .handle = job->in_syncobjs[i] };

	if (drmIoctl(dev->fd, DRM_IOCTL_AIMC_SUBMIT, &args)) {
		err = errno;
		return aimc_set_error(-err, "%s: SUBMIT of %u commands: %s%s",
				      dev->node, job->count, strerror(err),
				      err == EACCES ? " (a tile or slot not reserved by this file)" :
				      err == E2BIG ? " (too many commands or syncobjs, or an operand too long)" :
				      err == ENOENT ? " (unknown buffer or syncobj handle)" :
				      err == ERANGE ? " (operand past the end of its buffer)" :
				      err == EIO ? " (a card reset wiped a slot's state: replace it first)" : "");
	}
	*job_id = args.job_id;
	return 0;
}

/*
 * A fence fd without state kept between jobs: a syncobj of its own gets
 * the job's fence and hands it on as a sync_file, which outlives it.
 */
static int submit_fenced(struct aimc_device *dev, const struct aimc_submit *job,
			 uint64_t *job_id)
{
	uint32_t syncobj;
	int ret;

	if (job->out_syncobj)
		return aimc_set_error(-EINVAL, "submit: an out syncobj and a fence fd at once");
	ret = drm_syncobj_create(dev, &syncobj);
	if (ret)
		return ret;
	ret = submit_ioctl(dev, job, syncobj, job_id);
	if (!ret)
		ret = drm_syncobj_export(dev, syncobj, job->fence_fd);
	drmSyncobjDestroy(dev->fd, syncobj);
	return ret;
}

static int drm_submit(struct aimc_device *dev, const struct aimc_submit *job,
		    uint64_t *job_id)
{
	if (job->fence_fd)
		return submit_fenced(dev, job, job_id);
	return submit_ioctl(dev, job, job->out_syncobj, job_id);
}

static int drm_wait(struct aimc_device *dev, uint64_t job_id,
		  int64_t abs_timeout_ns, struct aimc_job_result *res)
{
	struct drm_aimc_wait args = {
		.job_id = job_id,
		.timeout_ns = abs_timeout_ns,
	};
	int err;

	/* drmIoctl restarts on EINTR and EAGAIN */
	if (drmIoctl(dev->fd, DRM_IOCTL_AIMC_WAIT, &args)) {
		err = errno;
		return aimc_set_error(-err, "%s: WAIT for job %llu: %s%s",
				      dev->node, (unsigned long long)job_id,
				      strerror(err),
				      err == ETIME ? " (not finished by the deadline)" :
				      err == ENODEV ? " (device removed)" : "");
	}
	res->status = args.status;
	res->device_status = args.device_status;
	res->failed_cmd = args.failed_cmd;
	return 0;
}

const struct aimc_job_ops aimc_drm_job_ops = {
	.bo_create = drm_bo_create,
	.bo_info = drm_bo_info,
	.bo_mmap = drm_bo_mmap,
	.bo_close = drm_bo_close,
	.reserve = drm_reserve,
	.release = drm_release,
	.submit = drm_submit,
	.wait = drm_wait,
	.syncobj_create = drm_syncobj_create,
	.syncobj_destroy = drm_syncobj_destroy,
	.syncobj_wait = drm_syncobj_wait,
	.syncobj_export = drm_syncobj_export,
	.node_fd = drm_node_fd,
};
