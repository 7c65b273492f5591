// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * aimc.ko: driver of the AIMC-1 analog in-memory-computing card.
 *
 * This file holds the module, the DRM device and its ioctl table.  The
 * card is reached through a bus glue (aimc_pci.c for the real card,
 * aimc_swdev.c for software devices such as aimc_emu.ko) that supplies a
 * struct aimc_bus; nothing here knows which one it is.
 */
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_ioctl.h>
#include <drm/aimc_accel.h>

#include "aimc_compat.h"
#include "aimc_job.h"

int aimc_ioctl_get_param(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct aimc_device *adev = to_aimc_device(drm);
	const struct aimc_caps *caps = &adev->caps;
	struct drm_aimc_get_param *args = data;
	int ret = 0;
	int idx;

	if (args->reserved)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	switch (args->param) {
	case AIMC_PARAM_DEVICE_ID:
		args->value = caps->device_id;
		break;
	case AIMC_PARAM_HW_VERSION:
		args->value = caps->hw_version;
		break;
	case AIMC_PARAM_ABI_VERSION:
		args->value = AIMC_ABI_VERSION;
		break;
	case AIMC_PARAM_SERIAL:
		args->value = caps->serial;
		break;
	case AIMC_PARAM_NUM_TILES:
		args->value = caps->num_tiles;
		break;
	case AIMC_PARAM_TILE_ROWS:
		args->value = caps->tile_rows;
		break;
	case AIMC_PARAM_TILE_COLS:
		args->value = caps->tile_cols;
		break;
	case AIMC_PARAM_DAC_BITS:
		args->value = caps->dac_bits;
		break;
	case AIMC_PARAM_ADC_BITS:
		args->value = caps->adc_bits;
		break;
	case AIMC_PARAM_G_MIN_NS:
		args->value = caps->g_min_ns;
		break;
	case AIMC_PARAM_G_MAX_NS:
		args->value = caps->g_max_ns;
		break;
	case AIMC_PARAM_SRAM_KIB:
		args->value = caps->sram_kib;
		break;
	case AIMC_PARAM_STREAM_SLOTS:
		args->value = caps->stream_slots;
		break;
	case AIMC_PARAM_QUEUE_DEPTH:
		args->value = caps->queue_depth;
		break;
	case AIMC_PARAM_MAX_JOB_CMDS:
		args->value = AIMC_MAX_JOB_CMDS;
		break;
	case AIMC_PARAM_JOB_TIMEOUT_MS:
		args->value = READ_ONCE(aimc_job_timeout_ms);
		break;
	case AIMC_PARAM_RESET_COUNT:
		mutex_lock(&adev->sched_lock);
		args->value = adev->stats.resets;
		mutex_unlock(&adev->sched_lock);
		break;
	case AIMC_PARAM_CAPABILITIES:
		args->value = AIMC_CAP_TIMELINE_SYNCS;
		break;
	case AIMC_PARAM_MAX_SYNCS:
		args->value = AIMC_MAX_IN_SYNCS;
		break;
	case AIMC_PARAM_MAX_FILE_JOBS:
		args->value = AIMC_MAX_FILE_JOBS;
		break;
	case AIMC_PARAM_JOB_HISTORY:
		args->value = AIMC_JOB_HISTORY;
		break;
	case AIMC_PARAM_MAX_BO_SIZE:
		args->value = AIMC_MAX_BO_SIZE;
		break;
	default:
		ret = -EINVAL;
		break;
	}

	drm_dev_exit(idx);
	return ret;
}

static const struct drm_ioctl_desc aimc_ioctls[] = {
	DRM_IOCTL_DEF_DRV(AIMC_GET_PARAM, aimc_ioctl_get_param, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AIMC_BO_CREATE, aimc_ioctl_bo_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AIMC_BO_INFO, aimc_ioctl_bo_info, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AIMC_RESERVE, aimc_ioctl_reserve, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AIMC_RELEASE, aimc_ioctl_release, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AIMC_SUBMIT, aimc_ioctl_submit, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(AIMC_WAIT, aimc_ioctl_wait, DRM_RENDER_ALLOW),
};

/* drm-client-id must not repeat across cards: one counter for all. */
static atomic_t aimc_client_ids = ATOMIC_INIT(0);

static int aimc_open(struct drm_device *drm, struct drm_file *file)
{
	struct aimc_device *adev = to_aimc_device(drm);
	struct aimc_file *afile;
	int ret;

	/* Userspace sees -ENOMEM: no log line per failed open. */
	afile = kvzalloc(sizeof(*afile), GFP_KERNEL | __GFP_NOWARN);
	if (!afile)
		return -ENOMEM;
	afile->adev = adev;
	afile->pid = task_tgid_nr(current);
	afile->client_id = atomic_inc_return(&aimc_client_ids);
	ret = aimc_job_file_open(afile);
	if (ret) {
		kvfree(afile);
		return ret;
	}

	mutex_lock(&adev->sched_lock);
	list_add_tail(&afile->node, &adev->files);
	adev->stats.files++;
	mutex_unlock(&adev->sched_lock);
	file->driver_priv = afile;
	return 0;
}

/*
 * Everything the file owns goes: queued jobs are cancelled, jobs on the
 * card finish without it, tiles and slots are released, and its buffers
 * go with its handles (jobs hold their own references).
 */
static void aimc_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct aimc_file *afile = file->driver_priv;
	struct aimc_device *adev = afile->adev;

	aimc_job_file_close(afile);
	aimc_resv_release_file(afile);
	mutex_lock(&adev->sched_lock);
	list_del(&afile->node);
	mutex_unlock(&adev->sched_lock);
	kvfree(afile);
}

AIMC_DEFINE_FOPS(aimc_fops);

static const struct drm_driver aimc_drm_driver = {
	.driver_features = AIMC_DRIVER_FEATURES | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = aimc_open,
	.postclose = aimc_postclose,
	.gem_create_object = aimc_gem_create_object,
	.fops = &aimc_fops,
#if AIMC_CORE_FDINFO
	.show_fdinfo = aimc_fdinfo_print,
#endif
#if !HAVE_DRM_DEVICE_DEBUGFS_ROOT
	.debugfs_init = aimc_debugfs_minor_init,
#endif
	.ioctls = aimc_ioctls,
	.num_ioctls = ARRAY_SIZE(aimc_ioctls),
	.name = AIMC_DRIVER_NAME,
	.desc = "AIMC-1 analog in-memory-computing accelerator",
	.date = "20261128",
	.major = AIMC_ABI_VERSION_MAJOR,
	.minor = AIMC_ABI_VERSION_MINOR,
};

/**
 * aimc_device_probe - bring up a card found by a bus glue
 * @bus: register access, DMA device and IRQs; copied
 *
 * Resets the card, reads its capabilities, takes its interrupts and
 * registers the DRM device.  Everything is managed by @bus->dev: a failed
 * probe or an unbind releases it.
 *
 * Return: the card, or an ERR_PTR().
 */
struct aimc_device *aimc_device_probe(const struct aimc_bus *bus)
{
	struct aimc_device *adev;
	int ret;

	adev = devm_drm_dev_alloc(bus->dev, &aimc_drm_driver,
				  struct aimc_device, drm);
	if (IS_ERR(adev))
		return adev;
	adev->bus = *bus;
	INIT_LIST_HEAD(&adev->files);
	dev_set_drvdata(bus->dev, adev);
	aimc_reset_init(adev);

	ret = aimc_hw_reset(&adev->bus);
	if (ret)
		return ERR_PTR(ret);
	ret = aimc_hw_read_caps(&adev->bus, &adev->caps);
	if (ret)
		return ERR_PTR(ret);
	adev->limits.tiles = adev->caps.num_tiles;
	adev->limits.rows = adev->caps.tile_rows;
	adev->limits.cols = adev->caps.tile_cols;
	adev->limits.slots = adev->caps.stream_slots;
	ret = aimc_resv_init(adev);
	if (ret)
		return ERR_PTR(ret);
	ret = aimc_job_init(adev);
	if (ret)
		return ERR_PTR(ret);
	ret = aimc_irq_init(adev);
	if (ret)
		goto err_job;
	ret = aimc_sysfs_init(adev);
	if (ret)
		goto err_irq;
	ret = drm_dev_register(&adev->drm, 0);
	if (ret)
		goto err_irq;
#if HAVE_DRM_DEVICE_DEBUGFS_ROOT
	aimc_debugfs_init(adev);
#endif

	drm_info(&adev->drm, "AIMC-1 v%u.%u serial %u: %u tiles of %ux%u, DAC %u bit, ADC %u bit, %u stream slots\n",
		 adev->caps.hw_version >> 16, adev->caps.hw_version & 0xffff,
		 adev->caps.serial, adev->caps.num_tiles, adev->caps.tile_rows,
		 adev->caps.tile_cols, adev->caps.dac_bits, adev->caps.adc_bits,
		 adev->caps.stream_slots);
	return adev;

err_irq:
	aimc_irq_quiesce(adev);
err_job:
	aimc_job_fini(adev);
	return ERR_PTR(ret);
}

/**
 * aimc_device_remove - take a card away; open files see -ENODEV from now on
 * @adev: the card
 *
 * Called by the bus glue on unbind while the card's registers are still
 * reachable.
 */
void aimc_device_remove(struct aimc_device *adev)
{
	drm_dev_unplug(&adev->drm);
	aimc_reset_fini(adev);
	aimc_irq_quiesce(adev);
	aimc_job_fini(adev);
}

static int __init aimc_init(void)
{
	int ret;

	ret = aimc_swdev_register();
	if (ret)
		return ret;
	ret = aimc_pci_register();
	if (ret)
		aimc_swdev_unregister();
	return ret;
}

static void __exit aimc_exit(void)
{
	aimc_pci_unregister();
	aimc_swdev_unregister();
	aimc_fence_module_exit();
}

module_init(aimc_init);
module_exit(aimc_exit);

MODULE_DESCRIPTION("AIMC-1 analog in-memory-computing accelerator");
MODULE_AUTHOR("The aimc developers");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_VERSION(AIMC_PACKAGE_VERSION);
