// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The card's command processor front end: fetch descriptors from the
 * host ring, run them through the device model, write completions back
 * and raise interrupts.  Everything here runs on the card's ordered
 * workqueue, one descriptor at a time, as the card would.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include "aimc_model.h"
#include "aimc_emu.h"

static int aimc_emu_model_dma_read(void *ctx, u64 addr, void *dst, u32 len)
{
	return aimc_emu_dma_access(ctx, addr, dst, len, false);
}

static int aimc_emu_model_dma_write(void *ctx, u64 addr, const void *src, u32 len)
{
	return aimc_emu_dma_access(ctx, addr, (void *)src, len, true);
}

/**
 * aimc_emu_ring_init - connect the device model's DMA to the card's IOMMU
 * @edev: the card, with its model created
 */
void aimc_emu_ring_init(struct aimc_emu_dev *edev)
{
	struct aimc_model_dma dma = {
		.read = aimc_emu_model_dma_read,
		.write = aimc_emu_model_dma_write,
		.ctx = edev,
	};

	aimc_model_set_dma(edev->model, &dma);
	INIT_WORK(&edev->ring_work, aimc_emu_ring_work);
	INIT_WORK(&edev->reset_work, aimc_emu_reset_work);
}

struct aimc_emu_fetch {
	u32 head;
	u32 mask;
	u64 ring_base;
	u64 cpl_addr;
};

/* Decide under the lock whether the card has a descriptor to run. */
static bool aimc_emu_next(struct aimc_emu_dev *edev, struct aimc_emu_fetch *f)
{
	struct aimc_emu_regs *r = &edev->regs;
	unsigned long flags;
	bool run = false;

	spin_lock_irqsave(&edev->lock, flags);
	if (edev->gone || !(r->control & AIMC_CONTROL_ENABLE) || r->hung ||
	    r->resetting || r->ring_head == r->ring_tail)
		goto out;
	edev->knobs.fetched++;
	if (xchg(&edev->knobs.hang_next_job, 0) ||
	    (edev->knobs.hang_every_n &&
	     edev->knobs.fetched % edev->knobs.hang_every_n == 0)) {
		/* Stuck inside this descriptor until a reset. */
		r->hung = true;
		r->status |= AIMC_STATUS_BUSY;
		goto out;
	}
	f->head = r->ring_head;
	f->mask = r->ring_size - 1;
	f->ring_base = (u64)r->ring_base_hi << 32 | r->ring_base_lo;
	f->cpl_addr = (u64)r->cpl_addr_hi << 32 | r->cpl_addr_lo;
	r->status |= AIMC_STATUS_BUSY;
	run = true;
out:
	spin_unlock_irqrestore(&edev->lock, flags);
	return run;
}

/* A reset or a surprise removal abandons the descriptor being run. */
static bool aimc_emu_abandoned(struct aimc_emu_dev *edev)
{
	unsigned long flags;
	bool abandoned;

	spin_lock_irqsave(&edev->lock, flags);
	abandoned = edev->gone || edev->regs.resetting;
	spin_unlock_irqrestore(&edev->lock, flags);
	return abandoned;
}

/*
 * The delay_us knob: a slow card.  A reset or removal cuts the wait
 * short, as it would stop a real card mid-command, so that the driver's
 * reset does not wait for the delay.
 */
static void aimc_emu_delay(struct aimc_emu_dev *edev)
{
	u32 delay_us = READ_ONCE(edev->knobs.delay_us);

	if (!delay_us)
		return;
	wait_event_timeout(edev->delay_wq, aimc_emu_abandoned(edev),
			   usecs_to_jiffies(delay_us));
}

/* Returns the descriptor's status; *abandoned when it must not complete. */
static u32 aimc_emu_run_one(struct aimc_emu_dev *edev,
			    const struct aimc_emu_fetch *f, bool *abandoned)
{
	u8 raw[AIMC_DESC_BYTES];
	u64 addr = f->ring_base + (u64)(f->head & f->mask) * AIMC_DESC_BYTES;
	u32 code;

	aimc_emu_delay(edev);
	*abandoned = aimc_emu_abandoned(edev);
	if (*abandoned)
		return AIMC_ST_OK;
	if (aimc_emu_dma_access(edev, addr, raw, sizeof(raw), false))
		return AIMC_ST_DMA_FAULT;
	code = xchg(&edev->knobs.error_next_desc, 0);
	if (code)
		return code;
	return aimc_model_submit(edev->model, raw);
}

void aimc_emu_ring_work(struct work_struct *work)
{
	struct aimc_emu_dev *edev = container_of(work, struct aimc_emu_dev,
						 ring_work);
	struct aimc_emu_fetch f;

	while (aimc_emu_next(edev, &f)) {
		const struct aimc_model_stats *stats;
		struct aimc_emu_regs *r = &edev->regs;
		bool abandoned;
		u32 status = aimc_emu_run_one(edev, &f, &abandoned);
		__le32 cpl_status = cpu_to_le32(status);
		__le32 cpl_head = cpu_to_le32(f.head + 1);
		u64 fault_addr = edev->fault_addr;
		unsigned long flags;
		u32 irq = AIMC_INT_COMPLETION;
		int ret;

		if (abandoned)
			break;

		/* Status first, then head: the host trusts status up to head. */
		ret = aimc_emu_dma_access(edev, f.cpl_addr + AIMC_CPL_STATUS_OFFSET +
					  4 * (f.head & f.mask), &cpl_status, 4, true);
		if (!ret)
			ret = aimc_emu_dma_access(edev, f.cpl_addr + AIMC_CPL_HEAD_OFFSET,
						  &cpl_head, 4, true);
		if (ret) {
			status = AIMC_ST_DMA_FAULT;
			fault_addr = edev->fault_addr;
		}

		stats = aimc_model_stats(edev->model);
		spin_lock_irqsave(&edev->lock, flags);
		r->ring_head = f.head + 1;
		r->jobs++;
		r->pulses = stats->pulses;
		r->busy_us = div_u64(stats->busy_ns, 1000);
		r->status &= ~AIMC_STATUS_BUSY;
		if (status != AIMC_ST_OK) {
			r->err_code = status;
			r->err_addr_lo = lower_32_bits(status == AIMC_ST_DMA_FAULT ?
						       fault_addr : 0);
			r->err_addr_hi = upper_32_bits(status == AIMC_ST_DMA_FAULT ?
						       fault_addr : 0);
			irq |= AIMC_INT_ERROR;
		}
		spin_unlock_irqrestore(&edev->lock, flags);
		aimc_emu_irq_raise(edev, irq);
		cond_resched();
	}
}

void aimc_emu_reset_work(struct work_struct *work)
{
	struct aimc_emu_dev *edev = container_of(work, struct aimc_emu_dev,
						 reset_work);
	unsigned long flags;

	aimc_model_reset(edev->model);
	spin_lock_irqsave(&edev->lock, flags);
	edev->regs.reset_count++;
	aimc_emu_regs_reset(edev);
	spin_unlock_irqrestore(&edev->lock, flags);
}
