// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Fault-injection knobs, one directory per card:
 * /sys/kernel/debug/aimc_emu/<id>/.  The "next" knobs are consumed when
 * they fire; the others stay set until rewritten.
 *
 *   hang_next_job        write 1: the next descriptor the card fetches
 *                        never completes; only a reset (CONTROL.RESET)
 *                        frees the card
 *   hang_every_n         write N: every Nth descriptor the card fetches
 *                        (counted since the card was created) hangs like
 *                        hang_next_job; 0 turns it off
 *   fail_next_dma        write 1: the card's next DMA access faults; the
 *                        descriptor completes with AIMC_ST_DMA_FAULT and an
 *                        error interrupt, and the card goes on
 *   fail_next_dma_read   write 1: the same for the next DMA read only (a
 *                        descriptor fetch or a source operand)
 *   fail_next_dma_write  write 1: the same for the next DMA write only (a
 *                        result, or the completion write-back itself,
 *                        which then never reaches the host)
 *   drop_next_irq        write 1: the next interrupt is latched in
 *                        INT_STATUS but its message is lost
 *   irq_storm            write N: the completion vector fires N times
 *                        with nothing latched, whatever INT_MASK says
 *                        (stray MSI-X messages); read: interrupts raised
 *                        by storms so far
 *   irq_storm_status     write N: N interrupts that each latch the
 *                        completion cause without completing anything
 *   error_next_desc      write CODE: the next descriptor completes with
 *                        status CODE (AIMC_ST_*, any non-zero value)
 *                        without running
 *   delay_us             write N: every descriptor takes at least N us
 *                        (a slow card); a reset cuts the wait short
 *   inline_short         1 (default): a doorbell that finds the card idle
 *                        runs short descriptors (NOP, WAIT, STATE_*,
 *                        CALIBRATE) in the writer's context; write 0 to
 *                        leave every descriptor to the card's worker
 *   ran_inline           read: descriptors run that way so far
 *   stick_cell           write "TILE ROW COL gmin|gmax": the cell (COL is
 *                        the physical column) is stuck at that conductance
 *                        from now on; runs on the card's worker, between
 *                        descriptors
 *   surprise_remove      write 1: the card leaves the bus without telling
 *                        the driver, as a PCIe card that is pulled or
 *                        whose link drops: registers read all-ones, writes
 *                        are dropped, the card stops fetching, makes no
 *                        DMA and raises no interrupt.  The platform device
 *                        stays until del_device (the hotplug driver's
 *                        removal, which unbinds aimc.ko)
 *   mapped_pages         read: pages the driver has mapped for the card
 *   selftest             read: runs the device model's PROGRAM/READ/EXEC
 *                        round trip on a private noise-free device:
 *                        "pass", or "fail <errno>"
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

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

static int aimc_emu_storm_get(void *data, u64 *val)
{
	struct aimc_emu_dev *edev = data;

	*val = atomic64_read(&edev->storm.raised);
	return 0;
}

static int aimc_emu_storm_set(void *data, u64 val)
{
	struct aimc_emu_dev *edev = data;

	if (val > U32_MAX)
		return -EINVAL;
	return aimc_emu_irq_storm(edev, val, 0);
}
DEFINE_DEBUGFS_ATTRIBUTE(aimc_emu_storm_fops, aimc_emu_storm_get,
			 aimc_emu_storm_set, "%llu\n");

static int aimc_emu_storm_status_set(void *data, u64 val)
{
	struct aimc_emu_dev *edev = data;

	if (val > U32_MAX)
		return -EINVAL;
	return aimc_emu_irq_storm(edev, val, AIMC_INT_COMPLETION);
}
DEFINE_DEBUGFS_ATTRIBUTE(aimc_emu_storm_status_fops, NULL,
			 aimc_emu_storm_status_set, "%llu\n");

static int aimc_emu_surprise_remove_set(void *data, u64 val)
{
	struct aimc_emu_dev *edev = data;
	unsigned long flags;

	if (val != 1)
		return -EINVAL;
	spin_lock_irqsave(&edev->lock, flags);
	edev->gone = true;
	spin_unlock_irqrestore(&edev->lock, flags);
	/* A slowed-down descriptor stops waiting and is abandoned. */
	wake_up(&edev->delay_wq);
	aimc_emu_irq_storm_stop(edev);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(aimc_emu_surprise_remove_fops, NULL,
			 aimc_emu_surprise_remove_set, "%llu\n");

/* Between descriptors: the card's worker, never during a doorbell's run. */
static void aimc_emu_stick_work(struct work_struct *work)
{
	struct aimc_emu_dev *edev = container_of(work, struct aimc_emu_dev,
						 stick.work);
	struct aimc_emu_stick *stick = &edev->stick;

	aimc_emu_worker_enter(edev);
	stick->result = aimc_model_stick_cell(edev->model, stick->tile,
					      stick->row, stick->col,
					      stick->at_gmax);
	aimc_emu_worker_exit(edev);
}

static ssize_t aimc_emu_stick_write(struct file *file, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct aimc_emu_dev *edev = file->private_data;
	char buf[64], level[8];
	u32 tile, row, col;
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = 0;
	if (sscanf(buf, "%u %u %u %7s", &tile, &row, &col, level) != 4 ||
	    (strcmp(level, "gmin") && strcmp(level, "gmax")))
		return -EINVAL;

	mutex_lock(&edev->knob_lock);
	edev->stick.tile = tile;
	edev->stick.row = row;
	edev->stick.col = col;
	edev->stick.at_gmax = !strcmp(level, "gmax");
	queue_work(edev->wq, &edev->stick.work);
	flush_work(&edev->stick.work);
	ret = edev->stick.result;
	mutex_unlock(&edev->knob_lock);
	/* The model returns its own -EINVAL for a cell off the card. */
	return ret ? -EINVAL : count;
}

static const struct file_operations aimc_emu_stick_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = aimc_emu_stick_write,
};

/**
 * aimc_emu_knobs_init - set up the knobs' state
 * @edev: the card, being created, before its worker exists
 */
void aimc_emu_knobs_init(struct aimc_emu_dev *edev)
{
	mutex_init(&edev->knob_lock);
	init_waitqueue_head(&edev->delay_wq);
	INIT_WORK(&edev->stick.work, aimc_emu_stick_work);
	aimc_emu_irq_storm_init(edev);
	edev->knobs.inline_short = 1;
}

void aimc_emu_debugfs_init(struct aimc_emu_dev *edev, struct dentry *root)
{
	struct aimc_emu_knobs *k = &edev->knobs;
	struct dentry *d;
	char name[16];

	snprintf(name, sizeof(name), "%u", edev->id);
	d = debugfs_create_dir(name, root);
	edev->debugfs = d;
	debugfs_create_u32("hang_next_job", 0600, d, &k->hang_next_job);
	debugfs_create_u32("hang_every_n", 0600, d, &k->hang_every_n);
	debugfs_create_u32("fail_next_dma", 0600, d, &k->fail_next_dma);
	debugfs_create_u32("fail_next_dma_read", 0600, d, &k->fail_next_dma_read);
	debugfs_create_u32("fail_next_dma_write", 0600, d,
			   &k->fail_next_dma_write);
	debugfs_create_u32("drop_next_irq", 0600, d, &k->drop_next_irq);
	debugfs_create_u32("error_next_desc", 0600, d, &k->error_next_desc);
	debugfs_create_u32("delay_us", 0600, d, &k->delay_us);
	debugfs_create_u32("inline_short", 0600, d, &k->inline_short);
	debugfs_create_u32("ran_inline", 0400, d, &edev->ran_inline);
	debugfs_create_file_unsafe("irq_storm", 0600, d, edev,
				   &aimc_emu_storm_fops);
	debugfs_create_file_unsafe("irq_storm_status", 0200, d, edev,
				   &aimc_emu_storm_status_fops);
	debugfs_create_file("stick_cell", 0200, d, edev, &aimc_emu_stick_fops);
	debugfs_create_file_unsafe("surprise_remove", 0200, d, edev,
				   &aimc_emu_surprise_remove_fops);
	debugfs_create_file_unsafe("mapped_pages", 0400, d, edev,
				   &aimc_emu_mapped_pages_fops);
	debugfs_create_file("selftest", 0400, d, NULL, &aimc_emu_selftest_fops);
}
