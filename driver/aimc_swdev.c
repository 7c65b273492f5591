// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Software-device glue: binds to the platform devices that providers such
 * as aimc_emu.ko register (see aimc_swdev.h).
 */
#include <linux/dma-mapping.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>

#include "aimc_compat.h"
#include "aimc_drv.h"

static int aimc_swdev_probe(struct platform_device *pdev)
{
	const struct aimc_swdev_pdata *pdata = dev_get_platdata(&pdev->dev);
	struct aimc_bus bus = { .dev = &pdev->dev };
	struct aimc_device *adev;
	int i, ret;

	if (!pdata || !pdata->ops || !pdata->ops->read32 || !pdata->ops->write32) {
		dev_err(&pdev->dev, "software device without register access\n");
		return -EINVAL;
	}
	bus.ops = pdata->ops;
	bus.ctx = pdata->ctx;

	for (i = 0; i < AIMC_NUM_VECTORS; i++) {
		ret = platform_get_irq(pdev, i);
		if (ret < 0)
			return ret;
		bus.irq[i] = ret;
	}
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	/* A descriptor's operand length is 32 bits: so may a segment be. */
	ret = aimc_dma_set_max_seg_size(&pdev->dev, U32_MAX);
	if (ret)
		return ret;

	adev = aimc_device_probe(&bus);
	if (IS_ERR(adev))
		return PTR_ERR(adev);
	platform_set_drvdata(pdev, adev);
	return 0;
}

static void aimc_swdev_remove(struct platform_device *pdev)
{
	aimc_device_remove(platform_get_drvdata(pdev));
}

static const struct platform_device_id aimc_swdev_ids[] = {
	{ .name = AIMC_SWDEV_NAME },
	{ }
};
MODULE_DEVICE_TABLE(platform, aimc_swdev_ids);

static struct platform_driver aimc_swdev_driver = {
	.driver = {
		.name = AIMC_SWDEV_NAME,
	},
	.id_table = aimc_swdev_ids,
	.probe = aimc_swdev_probe,
	AIMC_PLATFORM_REMOVE(aimc_swdev_remove),
};

int aimc_swdev_register(void)
{
	return platform_driver_register(&aimc_swdev_driver);
}

void aimc_swdev_unregister(void)
{
	platform_driver_unregister(&aimc_swdev_driver);
}
