/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Differences between the kernels aimc.ko and aimc_emu.ko build for, in
 * one place.  Every choice here follows a HAVE_* macro that
 * compat/configure.sh decided by compiling a probe (compat/probes/) against
 * the kernel being built for; Kbuild force-includes its result,
 * aimc_config.h, in every file.  A new kernel that changes an API we use
 * costs a probe and a branch here, never a version comparison.
 */
#ifndef AIMC_COMPAT_H
#define AIMC_COMPAT_H

#ifndef AIMC_CONFIG_H
#error "aimc_config.h (driver/compat/configure.sh) is missing: build with Kbuild"
#endif

#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <drm/drm_drv.h>
#include <drm/gpu_scheduler.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>

#if HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * Kernels with drivers/accel give compute-only devices their own
 * /dev/accel/accelN node (it cannot be combined with a render node);
 * older ones get a DRM render node.
 */
#if HAVE_DRM_ACCEL
#include <drm/drm_accel.h>
#define AIMC_DRIVER_FEATURES	(DRIVER_COMPUTE_ACCEL | DRIVER_GEM)
#define AIMC_DRM_FOPS		DRM_ACCEL_FOPS
#else
#define AIMC_DRIVER_FEATURES	(DRIVER_RENDER | DRIVER_GEM)
#define AIMC_DRM_FOPS		DRM_GEM_FOPS
#endif

/*
 * fdinfo (Documentation/gpu/drm-usage-stats.rst): where the DRM core has
 * drm_show_fdinfo() it prints drm-driver, drm-client-id and drm-pdev
 * itself and calls drm_driver.show_fdinfo for the rest; before, the
 * driver's file_operations print everything (aimc_fdinfo.c).
 */
#if HAVE_DRM_SHOW_FDINFO
#define AIMC_CORE_FDINFO	1
#define AIMC_FOPS_SHOW_FDINFO	drm_show_fdinfo
#else
#define AIMC_CORE_FDINFO	0
#define AIMC_FOPS_SHOW_FDINFO	aimc_show_fdinfo
#endif

/*
 * The DRM core's file operations for the node kind (what they must hold,
 * such as 6.12's FOP_UNSIGNED_OFFSET flag, is the kernel's business), with
 * fdinfo added as the DRM core's own drivers do.
 */
#define AIMC_DEFINE_FOPS(name)					\
	static const struct file_operations name = {		\
		.owner = THIS_MODULE,				\
		AIMC_DRM_FOPS,					\
		.show_fdinfo = AIMC_FOPS_SHOW_FDINFO,		\
	}

/* Where dma_set_max_seg_size() cannot fail it returns nothing. */
static inline int aimc_dma_set_max_seg_size(struct device *dev,
					    unsigned int size)
{
#if HAVE_DMA_SET_MAX_SEG_SIZE_VOID
	dma_set_max_seg_size(dev, size);
	return 0;
#else
	return dma_set_max_seg_size(dev, size);
#endif
}

/*
 * A platform driver's remove callback returns void: it is .remove where
 * that returns void, .remove_new on kernels still converting to it.
 */
#if HAVE_PLATFORM_REMOVE_VOID
#define AIMC_PLATFORM_REMOVE(fn)	.remove = (fn)
#else
#define AIMC_PLATFORM_REMOVE(fn)	.remove_new = (fn)
#endif

/* The device a device_type's uevent callback is given is const. */
#if HAVE_DEVICE_TYPE_UEVENT_CONST
#define AIMC_UEVENT_CONST	const
#else
#define AIMC_UEVENT_CONST
#endif

/*
 * Pinning a shmem buffer's pages while holding its reservation lock: the
 * _locked helpers where the lock protects the pages; before, the helpers
 * lock on their own (a lock of theirs, never the reservation lock).
 */
#if HAVE_DRM_GEM_SHMEM_PIN_LOCKED
#define aimc_shmem_pin_resv_held	drm_gem_shmem_pin_locked
#define aimc_shmem_unpin_resv_held	drm_gem_shmem_unpin_locked
#else
#define aimc_shmem_pin_resv_held	drm_gem_shmem_pin
#define aimc_shmem_unpin_resv_held	drm_gem_shmem_unpin
#endif

/*
 * The GPU scheduler.  Where jobs take credits the limit is the ring's
 * descriptors and a job takes one per command; before, every job counted
 * one against the limit, which then is how many of the largest jobs fit.
 */
#define AIMC_SCHED_JOB_CREDITS \
	(HAVE_DRM_SCHED_JOB_INIT_CREDITS || HAVE_DRM_SCHED_JOB_INIT_CLIENT_ID)

static inline int aimc_drm_sched_init(struct drm_gpu_scheduler *sched,
				      const struct drm_sched_backend_ops *ops,
				      u32 credit_limit, long timeout,
				      const char *name, struct device *dev)
{
#if HAVE_DRM_SCHED_INIT_ARGS
	const struct drm_sched_init_args args = {
		.ops = ops,
#if HAVE_DRM_SCHED_INIT_ARGS_NUM_RQS
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
#endif
		.credit_limit = credit_limit,
		.timeout = timeout,
		.name = name,
		.dev = dev,
	};

	return drm_sched_init(sched, &args);
#elif HAVE_DRM_SCHED_INIT_SUBMIT_WQ
	return drm_sched_init(sched, ops, NULL, DRM_SCHED_PRIORITY_COUNT,
			      credit_limit, 0, timeout, NULL, NULL, name, dev);
#else
	return drm_sched_init(sched, ops, credit_limit, 0, timeout, NULL, NULL,
			      name, dev);
#endif
}

static inline int aimc_drm_sched_job_init(struct drm_sched_job *job,
					  struct drm_sched_entity *entity,
					  u32 credits, void *owner,
					  u64 client_id)
{
#if HAVE_DRM_SCHED_JOB_INIT_CLIENT_ID
	return drm_sched_job_init(job, entity, credits, owner, client_id);
#elif HAVE_DRM_SCHED_JOB_INIT_CREDITS
	return drm_sched_job_init(job, entity, credits, owner);
#else
	return drm_sched_job_init(job, entity, owner);
#endif
}

/* Restart after drm_sched_stop(): the stopped jobs end as cancelled. */
static inline void aimc_drm_sched_start(struct drm_gpu_scheduler *sched)
{
#if HAVE_DRM_SCHED_START_FULL_RECOVERY
	drm_sched_start(sched, true);
#elif HAVE_DRM_SCHED_START_ERRNO
	drm_sched_start(sched, -ECANCELED);
#else
	drm_sched_start(sched);
#endif
}

#endif /* AIMC_COMPAT_H */
