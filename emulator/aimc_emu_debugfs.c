// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Fault-injection knobs, one directory per card:
 * /sys/kernel/debug/aimc_emu/<id>/.  Each knob is consumed when it fires.
 *
 *   hang_next_job  write 1: the next descriptor the card fetches never
 *                  completes; only a reset (CONTROL.RESET) frees the card
 *   fail_next_dma  write 1: the card's next DMA access faults; the
 *                  descriptor completes with AIMC_ST_DMA_FAULT and an
 *                  error interrupt, and the card goes on
 *   mapped_pages   read: pages the driver has mapped for the card
 *   selftest       read: runs the device model's PROGRAM/READ/EXEC round
 *                  trip on a private noise-free device: "pass", or
 *                  "fail <errno>"
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "aimc_model.h"
#include "aimc_emu.h"

static int aimc_emu_mapped_pages_get(void *data, u64 *val)
{
	struct aimc_emu_dev *edev = data;
	unsigned long flags;

	spin_lock_irqsave(&edev->iommu.lock, flags);
	*val = edev->iommu.mapped_pages;
	spin_unlock_irqrestore(&edev->iommu.lock, flags);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(aimc_emu_mapped_pages_fops, aimc_emu_mapped_pages_get,
			 NULL, "%llu\n");

static int aimc_emu_selftest_show(struct seq_file *m, void *data)
{
	int ret = aimc_model_selftest();

	if (ret)
		seq_printf(m, "fail %d\n", ret);
	else
		seq_puts(m, "pass\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(aimc_emu_selftest);

void aimc_emu_debugfs_init(struct aimc_emu_dev *edev, struct dentry *root)
{
	char name[16];

	snprintf(name, sizeof(name), "%u", edev->id);
	edev->debugfs = debugfs_create_dir(name, root);
	debugfs_create_u32("hang_next_job", 0600, edev->debugfs,
			   &edev->knobs.hang_next_job);
	debugfs_create_u32("fail_next_dma", 0600, edev->debugfs,
			   &edev->knobs.fail_next_dma);
	debugfs_create_file_unsafe("mapped_pages", 0400, edev->debugfs, edev,
				   &aimc_emu_mapped_pages_fops);
	debugfs_create_file("selftest", 0400, edev->debugfs, NULL,
			    &aimc_emu_selftest_fops);
}
