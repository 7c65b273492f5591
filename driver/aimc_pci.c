// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * PCI glue: BAR0 registers, MSI-X vectors and the DMA mask of a real card.
 */
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "aimc_compat.h"
#include "aimc_drv.h"

/*
 * Provisional IDs until the card's vendor and device IDs are assigned;
 * no device in the field carries them.
 */
#define AIMC_PCI_VENDOR_ID	0x1f1f
#define AIMC_PCI_DEVICE_AIMC1	0x0001

struct aimc_pci {
	void __iomem *bar0;
};

static u32 aimc_pci_read32(void *ctx, u32 reg)
{
	struct aimc_pci *ap = ctx;

	return readl(ap->bar0 + reg);
}

static void aimc_pci_write32(void *ctx, u32 reg, u32 val)
{
	struct aimc_pci *ap = ctx;

	writel(val, ap->bar0 + reg);
}

static const struct aimc_reg_ops aimc_pci_reg_ops = {
	.read32 = aimc_pci_read32,
	.write32 = aimc_pci_write32,
};

static void aimc_pci_free_vectors(void *pdev)
{
	pci_free_irq_vectors(pdev);
}

static int aimc_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct aimc_device *adev;
	struct aimc_pci *ap;
	struct aimc_bus bus = { .dev = &pdev->dev, .ops = &aimc_pci_reg_ops };
	int i, ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (pci_resource_len(pdev, 0) < AIMC_BAR0_SIZE) {
		dev_err(&pdev->dev, "BAR0 is %llu bytes, need %u\n",
			(u64)pci_resource_len(pdev, 0), AIMC_BAR0_SIZE);
		return -ENODEV;
	}
	ret = pcim_iomap_regions(pdev, BIT(0), AIMC_DRIVER_NAME);
	if (ret)
		return ret;
	ap = devm_kzalloc(&pdev->dev, sizeof(*ap), GFP_KERNEL);
	if (!ap)
		return -ENOMEM;
	ap->bar0 = pcim_iomap_table(pdev)[0];
	bus.ctx = ap;

	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	/* A descriptor's operand length is 32 bits: so may a segment be. */
	ret = aimc_dma_set_max_seg_size(&pdev->dev, U32_MAX);
	if (ret)
		return ret;

	ret = pci_alloc_irq_vectors(pdev, AIMC_NUM_VECTORS, AIMC_NUM_VECTORS,
				    PCI_IRQ_MSIX);
	if (ret < 0) {
		dev_err(&pdev->dev, "cannot enable %d MSI-X vectors: %d\n",
			AIMC_NUM_VECTORS, ret);
		return ret;
	}
	ret = devm_add_action_or_reset(&pdev->dev, aimc_pci_free_vectors, pdev);
	if (ret)
		return ret;
	for (i = 0; i < AIMC_NUM_VECTORS; i++)
		bus.irq[i] = pci_irq_vector(pdev, i);

	adev = aimc_device_probe(&bus);
	if (IS_ERR(adev))
		return PTR_ERR(adev);
	pci_set_drvdata(pdev, adev);
	return 0;
}

static void aimc_pci_remove(struct pci_dev *pdev)
{
	aimc_device_remove(pci_get_drvdata(pdev));
}

static const struct pci_device_id aimc_pci_ids[] = {
	{ PCI_DEVICE(AIMC_PCI_VENDOR_ID, AIMC_PCI_DEVICE_AIMC1) },
	{ }
};
MODULE_DEVICE_TABLE(pci, aimc_pci_ids);

static struct pci_driver aimc_pci_driver = {
	.name = AIMC_DRIVER_NAME,
	.id_table = aimc_pci_ids,
	.probe = aimc_pci_probe,
	.remove = aimc_pci_remove,
};

int aimc_pci_register(void)
{
	return pci_register_driver(&aimc_pci_driver);
}

void aimc_pci_unregister(void)
{
	pci_unregister_driver(&aimc_pci_driver);
}
