// SPDX-License-Identifier: MIT
/*
 * The job layer (runtime/job.h): checks what every backend needs checked
 * and calls the device's operations table (internal.h).  Nothing here
 * knows which backend runs.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <drm/aimc_accel.h>

#include "internal.h"
#include "job.h"

static int need_dev(const struct aimc_device *dev, const char *what)
{
	return dev ? 0 : aimc_set_error(-EINVAL, "%s: no device", what);
}

static int need_ptr(const void *p, const char *what, const char *name)
{
	return p ? 0 : aimc_set_error(-EINVAL, "%s: %s is NULL", what, name);
}

int aimc_job_fd(struct aimc_device *dev)
{
	int ret = need_dev(dev, "fd");

	return ret ? ret : dev->ops->job->node_fd(dev);
}

int aimc_drift_clock_ns(struct aimc_device *dev, uint64_t *now_ns)
{
	return dev->ops->drift_clock_ns(dev, now_ns);
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
	int ret = need_dev(dev, "bo_create");

	if (!ret)
		ret = need_ptr(handle, "bo_create", "handle");
	return ret ? ret : dev->ops->job->bo_create(dev, size, handle);
}

int aimc_bo_info(struct aimc_device *dev, uint32_t handle, uint64_t *size,
		 uint64_t *mmap_offset)
{
	int ret = need_dev(dev, "bo_info");

	return ret ? ret : dev->ops->job->bo_info(dev, handle, size, mmap_offset);
}

int aimc_bo_mmap(struct aimc_device *dev, uint32_t handle, void **ptr,
		 uint64_t *size)
{
	int ret = need_dev(dev, "bo_mmap");

	if (!ret)
		ret = need_ptr(ptr, "bo_mmap", "ptr");
	return ret ? ret : dev->ops->job->bo_mmap(dev, handle, ptr, size);
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
	int ret = need_dev(dev, "bo_close");

	return ret ? ret : dev->ops->job->bo_close(dev, handle);
}

int aimc_reserve(struct aimc_device *dev, uint32_t type, uint32_t index,
		 uint32_t *got)
{
	int ret = need_dev(dev, "reserve");

	return ret ? ret : dev->ops->job->reserve(dev, type, index, got);
}

int aimc_release(struct aimc_device *dev, uint32_t type, uint32_t index)
{
	int ret = need_dev(dev, "release");

	return ret ? ret : dev->ops->job->release(dev, type, index);
}

int aimc_job_get_param(struct aimc_device *dev, uint32_t param, uint64_t *value)
{
	int ret = need_dev(dev, "get_param");

	if (!ret)
		ret = need_ptr(value, "get_param", "value");
	return ret ? ret : dev->ops->get_param(dev, param, value);
}

int aimc_syncobj_create(struct aimc_device *dev, uint32_t *handle)
{
	int ret = need_dev(dev, "syncobj_create");

	if (!ret)
		ret = need_ptr(handle, "syncobj_create", "handle");
	return ret ? ret : dev->ops->job->syncobj_create(dev, handle);
}

int aimc_syncobj_destroy(struct aimc_device *dev, uint32_t handle)
{
	int ret = need_dev(dev, "syncobj_destroy");

	return ret ? ret : dev->ops->job->syncobj_destroy(dev, handle);
}

int aimc_syncobj_wait(struct aimc_device *dev, uint32_t *handles,
		      uint32_t count, int64_t abs_timeout_ns)
{
	int ret = need_dev(dev, "syncobj_wait");

	if (!ret && (!handles || !count))
		ret = aimc_set_error(-EINVAL, "syncobj_wait: no syncobjs");
	return ret ? ret : dev->ops->job->syncobj_wait(dev, handles, count,
						  abs_timeout_ns);
}

int aimc_syncobj_export_sync_file(struct aimc_device *dev, uint32_t handle,
				  int *sync_file_fd)
{
	int ret = need_dev(dev, "syncobj_export");

	if (!ret)
		ret = need_ptr(sync_file_fd, "syncobj_export", "fd pointer");
	return ret ? ret : dev->ops->job->syncobj_export(dev, handle, sync_file_fd);
}

static int submit(struct aimc_device *dev, const struct aimc_submit *job,
		  uint64_t *job_id)
{
	int ret = need_dev(dev, "submit");

	if (!ret)
		ret = need_ptr(job_id, "submit", "job id pointer");
	if (!ret && (!job->cmds || !job->count))
		ret = aimc_set_error(-EINVAL, "submit: no commands");
	return ret ? ret : dev->ops->job->submit(dev, job, job_id);
}

int aimc_job_submit(struct aimc_device *dev, const struct drm_aimc_cmd *cmds,
		    uint32_t count, const uint32_t *in_syncobjs, uint32_t n_in,
		    uint32_t out_syncobj, uint64_t *job_id)
{
	struct aimc_submit job = {
		.cmds = cmds, .count = count, .in_syncobjs = in_syncobjs,
		.n_in = n_in, .out_syncobj = out_syncobj,
	};

	return submit(dev, &job, job_id);
}

int aimc_job_submit_fence_fd(struct aimc_device *dev,
			     const struct drm_aimc_cmd *cmds, uint32_t count,
			     uint64_t *job_id, int *fence_fd)
{
	struct aimc_submit job = { .cmds = cmds, .count = count,
				   .fence_fd = fence_fd };
	int ret = need_ptr(fence_fd, "submit", "fence fd pointer");

	return ret ? ret : submit(dev, &job, job_id);
}

int aimc_job_wait(struct aimc_device *dev, uint64_t job_id,
		  int64_t abs_timeout_ns, struct aimc_job_result *res)
{
	struct aimc_job_result ignored;
	int ret = need_dev(dev, "wait");

	return ret ? ret : dev->ops->job->wait(dev, job_id, abs_timeout_ns,
					  res ? res : &ignored);
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
