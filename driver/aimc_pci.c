// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * PCI glue: BAR0 registers, MSI-X vectors and the DMA mask of a real card,
 * and what the PCI core asks of a driver beyond probe and remove:
 *
 * - MSI-X only: AIMC-1 has no INTx pin and signals completions and errors
 *   on two vectors; a function without them is refused at probe with a
 *   message saying so (no fallback: one shared vector could not keep the
 *   error and completion causes apart the way the contract's per-vector
 *   acknowledgement does).
 * - Function-level reset through the PCI core (sysfs reset) and PCIe
 *   error recovery (pci_error_handlers): the driver keeps off the card
 *   while it is reset and then treats it as its own reset does: jobs on
 *   the card are aborted, the stream slots' state is lost, queued jobs
 *   run on the fresh ring.  A permanent failure fails every job at once;
 *   the removal follows.
 * - Runtime power management: an idle card suspends after
 *   AIMC_PCI_AUTOSUSPEND_MS (power/autosuspend_delay_ms changes it) and
 *   the PCI core puts it in D3hot; the next job resumes it (aimc_pm.c).
 * - Removal, including surprise removal (hot-unplug): the core aborts
 *   every job and leaves open files to get -ENODEV.
 */
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>

#include "aimc_compat.h"
#include "aimc_drv.h"

/*
 * Provisional IDs until the card's vendor and device IDs are assigned;
 * no device in the field carries them.
 */
#define AIMC_PCI_VENDOR_ID	0x1f1f
#define AIMC_PCI_DEVICE_AIMC1	0x0001

/* An idle card powers down after this long. */
#define AIMC_PCI_AUTOSUSPEND_MS	1000

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

static int aimc_pci_irq_vectors(struct pci_dev *pdev, struct aimc_bus *bus)
{
	int i, ret;

	ret = pci_msix_vec_count(pdev);
	if (ret < AIMC_NUM_VECTORS) {
		dev_err(&pdev->dev, "no MSI-X with %d vectors (the function offers %d): AIMC-1 signals completions and errors on its own MSI-X vectors; not binding\n",
			AIMC_NUM_VECTORS, ret < 0 ? 0 : ret);
		return -ENODEV;
	}
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
		bus->irq[i] = pci_irq_vector(pdev, i);
	return 0;
}

/* Runtime PM with autosuspend; undone by aimc_pci_pm_disable(). */
static void aimc_pci_pm_enable(struct device *dev)
{
	pm_runtime_set_autosuspend_delay(dev, AIMC_PCI_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(dev);
	/* The PCI core forbids runtime PM until a driver allows it. */
	pm_runtime_allow(dev);
	/* Drop the reference the PCI core took for probe. */
	pm_runtime_mark_last_busy(dev);
	pm_runtime_put_autosuspend(dev);
}

static void aimc_pci_pm_disable(struct device *dev)
{
	pm_runtime_get_noresume(dev);
	pm_runtime_forbid(dev);
	pm_runtime_dont_use_autosuspend(dev);
}

static int aimc_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct aimc_device *adev;
	struct aimc_pci *ap;
	struct aimc_bus bus = { .dev = &pdev->dev, .ops = &aimc_pci_reg_ops };
	int ret;

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
	ret = aimc_pci_irq_vectors(pdev, &bus);
	if (ret)
		return ret;

	adev = aimc_device_probe(&bus);
	if (IS_ERR(adev))
		return PTR_ERR(adev);
	pci_set_drvdata(pdev, adev);
	/* What PCIe error recovery restores after a reset. */
	pci_save_state(pdev);
	aimc_pci_pm_enable(&pdev->dev);
	return 0;
}

static void aimc_pci_remove(struct pci_dev *pdev)
{
	/* The PCI core resumed the card for the removal. */
	aimc_pci_pm_disable(&pdev->dev);
	aimc_device_remove(pci_get_drvdata(pdev));
}

/* ---- resets from outside the driver, PCIe error recovery ---------- */

static void aimc_pci_reset_prepare(struct pci_dev *pdev)
{
	dev_info(&pdev->dev, "function reset: stopping the card\n");
	aimc_device_reset_prepare(pci_get_drvdata(pdev));
}

static void aimc_pci_reset_done(struct pci_dev *pdev)
{
	aimc_device_reset_done(pci_get_drvdata(pdev));
}

static pci_ers_result_t aimc_pci_error_detected(struct pci_dev *pdev,
						pci_channel_state_t state)
{
	struct aimc_device *adev = pci_get_drvdata(pdev);

	if (state == pci_channel_io_perm_failure) {
		dev_err(&pdev->dev, "PCIe error, link failed for good: failing every job\n");
		aimc_device_lost(adev);
		return PCI_ERS_RESULT_DISCONNECT;
	}
	dev_err(&pdev->dev, "PCIe error (%s): stopping the card for a reset\n",
		state == pci_channel_io_frozen ? "link frozen" : "link up");
	aimc_device_reset_prepare(adev);
	return PCI_ERS_RESULT_NEED_RESET;
}

static pci_ers_result_t aimc_pci_slot_reset(struct pci_dev *pdev)
{
	struct aimc_device *adev = pci_get_drvdata(pdev);

	/* A secondary bus reset lost the config space: bring it back. */
	pci_restore_state(pdev);
	pci_save_state(pdev);
	pci_set_master(pdev);
	if (aimc_device_reset_done(adev)) {
		dev_err(&pdev->dev, "card did not come back after the PCIe error\n");
		return PCI_ERS_RESULT_DISCONNECT;
	}
	return PCI_ERS_RESULT_RECOVERED;
}

static void aimc_pci_error_resume(struct pci_dev *pdev)
{
	dev_info(&pdev->dev, "recovered from the PCIe error\n");
}

static const struct pci_error_handlers aimc_pci_err_handlers = {
	.error_detected = aimc_pci_error_detected,
	.slot_reset = aimc_pci_slot_reset,
	.resume = aimc_pci_error_resume,
	.reset_prepare = aimc_pci_reset_prepare,
	.reset_done = aimc_pci_reset_done,
};

/* ---- runtime power management ------------------------------------ */

static int aimc_pci_runtime_suspend(struct device *dev)
{
	return aimc_device_suspend(dev_get_drvdata(dev));
}

static int aimc_pci_runtime_resume(struct device *dev)
{
	return aimc_device_resume(dev_get_drvdata(dev));
}

static const struct dev_pm_ops aimc_pci_pm_ops = {
	RUNTIME_PM_OPS(aimc_pci_runtime_suspend, aimc_pci_runtime_resume, NULL)
};

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
	.err_handler = &aimc_pci_err_handlers,
	.driver.pm = pm_ptr(&aimc_pci_pm_ops),
};

int aimc_pci_register(void)
{
	return pci_register_driver(&aimc_pci_driver);
}

void aimc_pci_unregister(void)
{
	pci_unregister_driver(&aimc_pci_driver);
}
