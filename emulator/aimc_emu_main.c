// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * aimc_emu.ko: creates software AIMC-1 cards that aimc.ko drives like
 * real ones, so the whole stack can be tested without a card.
 *
 * Cards are created at load time (num_devices) and at run time, the
 * netdevsim way:
 *   echo ID > /sys/devices/aimc_emu/new_device
 *   echo ID > /sys/devices/aimc_emu/del_device
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include "../driver/aimc_compat.h"
#include "aimc_model.h"
#include "aimc_emu.h"

#define AIMC_EMU_MAX_ID		1023

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Cards created at load time (default 1)");

/* Geometry: 0 keeps the device model's default (emulator/README.md). */
static unsigned int tiles;
module_param(tiles, uint, 0444);
MODULE_PARM_DESC(tiles, "Crossbar tiles per card (0: model default, 8)");

static unsigned int tile_rows;
module_param(tile_rows, uint, 0444);
MODULE_PARM_DESC(tile_rows, "Rows per tile (0: model default, 256)");

static unsigned int tile_cols;
module_param(tile_cols, uint, 0444);
MODULE_PARM_DESC(tile_cols, "Physical columns per tile, even (0: model default, 256)");

static unsigned int stream_slots;
module_param(stream_slots, uint, 0444);
MODULE_PARM_DESC(stream_slots, "Stream slots per card (0: model default, 16)");

static ulong seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "Manufacture and noise seed of card 0; card N uses seed + N");

static unsigned int noise_free;
module_param(noise_free, uint, 0444);
MODULE_PARM_DESC(noise_free, "1: exact cells, no programming or read noise, no drift, no stuck cells");

static char *preset = "pcm";
module_param(preset, charp, 0444);
MODULE_PARM_DESC(preset, "Cell technology (emulator/model/aimc_presets.def): pcm (default), rram");

static struct device *aimc_emu_root;
static struct dentry *aimc_emu_debugfs_root;
static LIST_HEAD(aimc_emu_devices);
static DEFINE_MUTEX(aimc_emu_devices_lock);

/*
 * libdrm's drmGetDevices2() only lists platform devices that have a
 * devicetree name.  Give the emulated card one, so userspace finds it
 * exactly as it would find a card on a platform bus.
 */
static int aimc_emu_uevent(AIMC_UEVENT_CONST struct device *dev,
			   struct kobj_uevent_env *env)
{
	struct platform_device *pdev = to_platform_device(dev);
	int ret;

	ret = add_uevent_var(env, "OF_FULLNAME=/aimc-emu@%d", pdev->id);
	if (ret)
		return ret;
	ret = add_uevent_var(env, "OF_COMPATIBLE_N=1");
	if (ret)
		return ret;
	return add_uevent_var(env, "OF_COMPATIBLE_0=aimc,aimc1-emu");
}

static const struct device_type aimc_emu_device_type = {
	.name = "aimc-emu",
	.uevent = aimc_emu_uevent,
};

static int aimc_emu_model_config(u32 id, struct aimc_model_config *cfg)
{
	const char *why;
	int ret;

	aimc_model_config_defaults(cfg);
	if (aimc_model_config_preset(cfg, preset)) {
		pr_err("aimc_emu: card %u: unknown preset '%s'\n", id, preset);
		return -EINVAL;
	}
	cfg->seed = seed + id;
	cfg->noise_free = noise_free;
	if (tiles)
		cfg->tiles = tiles;
	if (tile_rows)
		cfg->rows = tile_rows;
	if (tile_cols)
		cfg->cols = tile_cols;
	if (stream_slots)
		cfg->slots = stream_slots;
	ret = aimc_model_config_check(cfg, &why);
	if (ret)
		pr_err("aimc_emu: card %u: bad configuration: %s\n", id, why);
	return ret;
}

static struct aimc_emu_dev *aimc_emu_find(u32 id)
{
	struct aimc_emu_dev *edev;

	list_for_each_entry(edev, &aimc_emu_devices, node)
		if (edev->id == id)
			return edev;
	return NULL;
}

/* Undo what aimc_emu_dev_create() set up before registering the card. */
static void aimc_emu_dev_free(struct aimc_emu_dev *edev)
{
	/* No knob may reach the card while it is torn down. */
	debugfs_remove_recursive(edev->debugfs);
	aimc_emu_irq_storm_stop(edev);
	if (edev->wq)
		destroy_workqueue(edev->wq);
	if (edev->iommu.iova)
		aimc_emu_iommu_fini(edev);
	if (edev->model)
		aimc_model_destroy(edev->model);
	if (edev->irq_domain)
		aimc_emu_irq_fini(edev);
	kfree(edev);
}

/* Called with aimc_emu_devices_lock held. */
static int aimc_emu_dev_create(u32 id)
{
	struct aimc_swdev_pdata pdata = { .ops = &aimc_emu_reg_ops };
	struct resource res[AIMC_NUM_VECTORS];
	struct aimc_model_config cfg;
	struct aimc_emu_dev *edev;
	int i, ret;

	if (id > AIMC_EMU_MAX_ID)
		return -EINVAL;
	if (aimc_emu_find(id))
		return -EEXIST;
	ret = aimc_emu_model_config(id, &cfg);
	if (ret)
		return ret;

	edev = kzalloc(sizeof(*edev), GFP_KERNEL);
	if (!edev)
		return -ENOMEM;
	edev->id = id;
	spin_lock_init(&edev->lock);
	aimc_emu_knobs_init(edev);
	ret = aimc_emu_irq_init(edev);
	if (ret)
		goto err_free;
	/* DMA is set up by aimc_emu_ring_init(): none until then. */
	edev->model = aimc_model_create(&cfg, NULL);
	ret = -ENOMEM;
	if (!edev->model)
		goto err_free;
	aimc_emu_regs_init(edev);
	ret = aimc_emu_iommu_init(edev);
	if (ret)
		goto err_free;
	aimc_emu_ring_init(edev);
	edev->wq = alloc_ordered_workqueue("aimc-emu%u", 0, id);
	if (!edev->wq)
		goto err_free;
	aimc_emu_debugfs_init(edev, aimc_emu_debugfs_root);

	edev->pdev = platform_device_alloc(AIMC_SWDEV_NAME, id);
	if (!edev->pdev) {
		ret = -ENOMEM;
		goto err_free;
	}
	edev->pdev->dev.parent = aimc_emu_root;
	edev->pdev->dev.type = &aimc_emu_device_type;
	set_dma_ops(&edev->pdev->dev, &aimc_emu_dma_ops);
	pdata.ctx = edev;
	ret = platform_device_add_data(edev->pdev, &pdata, sizeof(pdata));
	if (ret)
		goto err_put;
	for (i = 0; i < AIMC_NUM_VECTORS; i++) {
		/* An initializer: a brace list on some kernels, a compound literal on others. */
		struct resource irq_res = DEFINE_RES_IRQ(edev->irq[i]);

		res[i] = irq_res;
	}
	ret = platform_device_add_resources(edev->pdev, res, ARRAY_SIZE(res));
	if (ret)
		goto err_put;
	ret = platform_device_add(edev->pdev);
	if (ret)
		goto err_put;

	list_add_tail(&edev->node, &aimc_emu_devices);
	return 0;

err_put:
	platform_device_put(edev->pdev);
err_free:
	aimc_emu_dev_free(edev);
	return ret;
}

/* Called with aimc_emu_devices_lock held. */
static void aimc_emu_dev_destroy(struct aimc_emu_dev *edev)
{
	list_del(&edev->node);
	/* No stray interrupts while the driver lets go of the card. */
	aimc_emu_irq_storm_stop(edev);
	/*
	 * Unbinds aimc.ko, which stops the card, unmaps all it mapped and
	 * frees the IRQs before this returns.
	 */
	platform_device_unregister(edev->pdev);
	aimc_emu_dev_free(edev);
}

static ssize_t new_device_store(struct device *dev, struct device_attribute *attr,
				const char *buf, size_t count)
{
	u32 id;
	int ret;

	ret = kstrtou32(buf, 0, &id);
	if (ret)
		return ret;
	mutex_lock(&aimc_emu_devices_lock);
	ret = aimc_emu_dev_create(id);
	mutex_unlock(&aimc_emu_devices_lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(new_device);

static ssize_t del_device_store(struct device *dev, struct device_attribute *attr,
				const char *buf, size_t count)
{
	struct aimc_emu_dev *edev;
	u32 id;
	int ret;

	ret = kstrtou32(buf, 0, &id);
	if (ret)
		return ret;
	mutex_lock(&aimc_emu_devices_lock);
	edev = aimc_emu_find(id);
	if (edev)
		aimc_emu_dev_destroy(edev);
	mutex_unlock(&aimc_emu_devices_lock);
	return edev ? count : -ENOENT;
}
static DEVICE_ATTR_WO(del_device);

static struct attribute *aimc_emu_root_attrs[] = {
	&dev_attr_new_device.attr,
	&dev_attr_del_device.attr,
	NULL,
};

static const struct attribute_group aimc_emu_root_group = {
	.attrs = aimc_emu_root_attrs,
};

static void aimc_emu_destroy_all(void)
{
	struct aimc_emu_dev *edev, *tmp;

	mutex_lock(&aimc_emu_devices_lock);
	list_for_each_entry_safe(edev, tmp, &aimc_emu_devices, node)
		aimc_emu_dev_destroy(edev);
	mutex_unlock(&aimc_emu_devices_lock);
}

static int __init aimc_emu_init(void)
{
	unsigned int i;
	int ret;

	if (num_devices > AIMC_EMU_MAX_ID + 1) {
		pr_err("aimc_emu: num_devices=%u, at most %u\n", num_devices,
		       AIMC_EMU_MAX_ID + 1);
		return -EINVAL;
	}
	aimc_emu_root = root_device_register("aimc_emu");
	if (IS_ERR(aimc_emu_root))
		return PTR_ERR(aimc_emu_root);
	aimc_emu_debugfs_root = debugfs_create_dir("aimc_emu", NULL);
	ret = sysfs_create_group(&aimc_emu_root->kobj, &aimc_emu_root_group);
	if (ret)
		goto err_root;

	mutex_lock(&aimc_emu_devices_lock);
	for (i = 0, ret = 0; i < num_devices && !ret; i++)
		ret = aimc_emu_dev_create(i);
	mutex_unlock(&aimc_emu_devices_lock);
	if (ret)
		goto err_devices;
	return 0;

err_devices:
	aimc_emu_destroy_all();
	sysfs_remove_group(&aimc_emu_root->kobj, &aimc_emu_root_group);
err_root:
	debugfs_remove_recursive(aimc_emu_debugfs_root);
	root_device_unregister(aimc_emu_root);
	return ret;
}

static void __exit aimc_emu_exit(void)
{
	sysfs_remove_group(&aimc_emu_root->kobj, &aimc_emu_root_group);
	aimc_emu_destroy_all();
	debugfs_remove_recursive(aimc_emu_debugfs_root);
	root_device_unregister(aimc_emu_root);
}

module_init(aimc_emu_init);
module_exit(aimc_emu_exit);

MODULE_DESCRIPTION("Software AIMC-1 cards for aimc.ko");
MODULE_AUTHOR("The aimc developers");
MODULE_LICENSE("Dual MIT/GPL");
