// SPDX-License-Identifier: MIT
/*
 * Buffers, tile/slot reservation, submission and waiting over aimc.ko's
 * ioctls (runtime/job.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <xf86drm.h>
#include <drm/aimc_accel.h>

#include "internal.h"
#include "job.h"
#include "sim_job.h"

static int need_drm(struct aimc_device *dev, const char *what)
{
	if (!dev)
		return aimc_set_error(-EINVAL, "%s: no device", what);
	if (dev->ops->kind != AIMC_BACKEND_DRM)
		return aimc_set_error(-EOPNOTSUPP,
				      "%s: needs a card (drm backend); the %s backend has none",
				      what, aimc_backend_name(dev->ops->kind));
	return 0;
}

/* The sim backend implements this function itself (sim_job.c). */
static bool on_sim(struct aimc_device *dev)
{
	return dev && dev->ops->kind == AIMC_BACKEND_SIM;
}

/* -errno of a failed ioctl, with the message */
static int ioctl_error(struct aimc_device *dev, const char *what)
{
	int err = errno;

	return aimc_set_error(-err, "%s: %s: %s", dev->node, what,
			      strerror(err));
}

int aimc_job_fd(struct aimc_device *dev)
{
	int ret = need_drm(dev, "fd");

	return ret < 0 ? ret : dev->fd;
}

int64_t aimc_deadline_ns(uint64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec +
	       (int64_t)ms * 1000000;
}

int aimc_bo_create(struct aimc_device *dev, uint64_t size, uint32_t *handle)
{
	struct drm_aimc_bo_create args = { .size = size };
	int ret;

	if (on_sim(dev))
		return aimc_sim_bo_create(dev, size, handle);
	ret = need_drm(dev, "bo_create");
	if (ret < 0)
		return ret;
	if (!handle)
		return aimc_set_error(-EINVAL, "bo_create: no handle pointer");
	if (drmIoctl(dev->fd, DRM_IOCTL_AIMC_BO_CREATE, &args))
		return ioctl_error(dev, "BO_CREATE");
	*handle = args.handle;
	return 0;
}

int aimc_bo_info(struct aimc_device *dev, uint32_t handle, uint64_t *size,
		 uint64_t *mmap_offset)
{
	struct drm_aimc_bo_info args = { .handle = handle };
	int ret;

	if (on_sim(dev))
		return aimc_sim_bo_info(dev, handle, size, mmap_offset);
	ret = need_drm(dev, "bo_info");
	if (ret < 0)
		return ret;
	if (drmIoctl(dev->fd, DRM_IOCTL_AIMC_BO_INFO, &args))
		return ioctl_error(dev, "BO_INFO");
	if (size)
		*size = args.size;
	if (mmap_offset)
		*mmap_offset = args.mmap_offset;
	return 0;
}

int aimc_bo_mmap(struct aimc_device *dev, uint32_t handle, void **ptr,
		 uint64_t *size)
{
	uint64_t bo_size, offset;
	void *p;
	int ret;

	if (!ptr)
		return aimc_set_error(-EINVAL, "bo_mmap: no pointer");
	if (on_sim(dev))
		return aimc_sim_bo_mmap(dev, handle, ptr, size);
	ret = aimc_bo_info(dev, handle, &bo_size, &offset);
	if (ret < 0)
		return ret;
	if (bo_size > SIZE_MAX)
		return aimc_set_error(-EOVERFLOW, "bo_mmap: %llu bytes",
				      (unsigned long long)bo_size);
	p = mmap(NULL, (size_t)bo_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 dev->fd, (off_t)offset);
	if (p == MAP_FAILED)
		return ioctl_error(dev, "mmap");
	*ptr = p;
	if (size)
		*size = bo_size;
	return 0;
}

int aimc_bo_munmap(void *ptr, uint64_t size)
{
	int err;

	if (!ptr)
		return 0;
	if (munmap(ptr, (size_t)size)) {
		err = errno;
		return aimc_set_error(-err, "munmap: %s", strerror(err));
	}
	return 0;
}

int aimc_bo_close(struct aimc_device *dev, uint32_t handle)
{
	struct drm_gem_close args = { .handle = handle };
	int ret;

	if (on_sim(dev))
		return aimc_sim_bo_close(dev, handle);
	ret = need_drm(dev, "bo_close");
	if (ret < 0)
		return ret;
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

int aimc_reserve(struct aimc_device *dev, uint32_t type, uint32_t index,
		 uint32_t *got)
{
	struct drm_aimc_reserve args = { .type = type, .index = index };
	int ret, err;

	if (on_sim(dev))
		return aimc_sim_reserve(dev, type, index, got);
	ret = need_drm(dev, "reserve");
	if (ret < 0)
		return ret;
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

int aimc_release(struct aimc_device *dev, uint32_t type, uint32_t index)
{
	struct drm_aimc_reserve args = { .type = type, .index = index };
	int ret, err;

	if (on_sim(dev))
		return aimc_sim_release(dev, type, index);
	ret = need_drm(dev, "release");
	if (ret < 0)
		return ret;
	if (drmIoctl(dev->fd, DRM_IOCTL_AIMC_RELEASE, &args)) {
		err = errno;
		return aimc_set_error(-err, "%s: release %s %u: %s%s", dev->node,
				      resource_name(type), index, strerror(err),
				      err == EACCES ? " (not reserved by us)" : "");
	}
	return 0;
}

int aimc_syncobj_create(struct aimc_device *dev, uint32_t *handle)
{
	int ret = need_drm(dev, "syncobj_create");

	if (ret < 0)
		return ret;
	if (!handle)
		return aimc_set_error(-EINVAL, "syncobj_create: no handle pointer");
	if (drmSyncobjCreate(dev->fd, 0, handle))
		return ioctl_error(dev, "SYNCOBJ_CREATE");
	return 0;
}

int aimc_syncobj_destroy(struct aimc_device *dev, uint32_t handle)
{
	int ret = need_drm(dev, "syncobj_destroy");

	if (ret < 0)
		return ret;
	if (drmSyncobjDestroy(dev->fd, handle))
		return ioctl_error(dev, "SYNCOBJ_DESTROY");
	return 0;
}

int aimc_syncobj_wait(struct aimc_device *dev, uint32_t *handles,
		      uint32_t count, int64_t abs_timeout_ns)
{
	int ret = need_drm(dev, "syncobj_wait");

	if (ret < 0)
		return ret;
	if (!handles || !count)
		return aimc_set_error(-EINVAL, "syncobj_wait: no syncobjs");
	/* libdrm returns -errno here, but errno is still set */
	if (drmSyncobjWait(dev->fd, handles, count, abs_timeout_ns,
			   DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL |
			   DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL))
		return ioctl_error(dev, "SYNCOBJ_WAIT");
	return 0;
}

int aimc_syncobj_export_sync_file(struct aimc_device *dev, uint32_t handle,
				  int *sync_file_fd)
{
	int ret = need_drm(dev, "syncobj_export");

	if (ret < 0)
		return ret;
	if (!sync_file_fd)
		return aimc_set_error(-EINVAL, "syncobj_export: no fd pointer");
	if (drmSyncobjExportSyncFile(dev->fd, handle, sync_file_fd))
		return ioctl_error(dev, "SYNCOBJ_FD_TO_HANDLE (export sync file)");
	return 0;
}

int aimc_job_submit(struct aimc_device *dev, const struct drm_aimc_cmd *cmds,
		    uint32_t count, const uint32_t *in_syncobjs, uint32_t n_in,
		    uint32_t out_syncobj, uint64_t *job_id)
{
	struct drm_aimc_submit args = {
		.cmds = (uintptr_t)cmds,
		.cmd_count = count,
		.cmd_size = sizeof(*cmds),
		.in_syncobjs = (uintptr_t)in_syncobjs,
		.in_syncobj_count = n_in,
		.out_syncobj = out_syncobj,
	};
	int ret, err;

	if (on_sim(dev))
		return aimc_sim_job_submit(dev, cmds, count, n_in, out_syncobj,
					   job_id);
	ret = need_drm(dev, "submit");
	if (ret < 0)
		return ret;
	if (!job_id)
		return aimc_set_error(-EINVAL, "submit: no job id pointer");
	if (drmIoctl(dev->fd, DRM_IOCTL_AIMC_SUBMIT, &args)) {
		err = errno;
		return aimc_set_error(-err, "%s: SUBMIT of %u commands: %s%s",
				      dev->node, count, strerror(err),
				      err == EACCES ? " (a tile or slot not reserved by this file)" :
				      err == E2BIG ? " (too many commands or operand too long)" :
				      err == ENOENT ? " (unknown buffer or syncobj handle)" :
				      err == ERANGE ? " (operand past the end of its buffer)" :
				      err == EIO ? " (a card reset wiped a slot's state: replace it first)" : "");
	}
	*job_id = args.job_id;
	return 0;
}

int aimc_job_wait(struct aimc_device *dev, uint64_t job_id,
		  int64_t abs_timeout_ns, struct aimc_job_result *res)
{
	struct drm_aimc_wait args = {
		.job_id = job_id,
		.timeout_ns = abs_timeout_ns,
	};
	int ret, err;

	if (on_sim(dev))
		return aimc_sim_job_wait(dev, job_id, abs_timeout_ns, res);
	ret = need_drm(dev, "wait");
	if (ret < 0)
		return ret;
	/* drmIoctl restarts on EINTR and EAGAIN */
	if (drmIoctl(dev->fd, DRM_IOCTL_AIMC_WAIT, &args)) {
		err = errno;
		return aimc_set_error(-err, "%s: WAIT for job %llu: %s%s",
				      dev->node, (unsigned long long)job_id,
				      strerror(err),
				      err == ETIME ? " (not finished by the deadline)" :
				      err == ENODEV ? " (device removed)" : "");
	}
	if (res) {
		res->status = args.status;
		res->device_status = args.device_status;
		res->failed_cmd = args.failed_cmd;
	}
	return 0;
}

const char *aimc_job_status_name(uint32_t status)
{
	switch (status) {
	case AIMC_JOB_PENDING:
		return "pending";
	case AIMC_JOB_DONE:
		return "done";
	case AIMC_JOB_DEVICE_ERROR:
		return "device error";
	case AIMC_JOB_TIMED_OUT:
		return "timed out";
	case AIMC_JOB_ABORTED:
		return "aborted";
	default:
		return "unknown";
	}
}
