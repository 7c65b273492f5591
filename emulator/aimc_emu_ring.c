// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The card's command processor front end: fetch descriptors from the
 * host ring, run them through the device model, write completions back
 * and raise interrupts, one descriptor at a time and in ring order, as
 * the card would.
 *
 * Two contexts play the command processor, never both at once.  The
 * card's ordered worker runs everything by default.  A doorbell that
 * finds the card idle runs short descriptors (NOP, WAIT, STATE_SAVE,
 * STATE_LOAD, CALIBRATE: at most a state image, ~18 KiB, of copying)
 * itself, before the register write returns, the way a QEMU device model
 * handles an MMIO write in the vCPU that made it.  Handing each to a
 * worker thread costs the guest two thread switches, 100-200 us in a TCG
 * guest, and the empty-job round trip would measure the emulator's
 * scheduling rather than the driver.  The first long descriptor (PROGRAM,
 * READ, EXEC) the doorbell meets is fetched as usual and handed to the
 * worker, which runs it and the rest.  The inline_short knob turns the
 * doorbell path off.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include "aimc_model.h"
#include "aimc_emu.h"

/*
 * Descriptors one doorbell runs at most, so that a full ring of short
 * ones still returns the register write promptly.
 */
#define AIMC_EMU_INLINE_MAX	32

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
	init_waitqueue_head(&edev->runner_wq);
	INIT_WORK(&edev->ring_work, aimc_emu_ring_work);
	INIT_WORK(&edev->reset_work, aimc_emu_reset_work);
}

/**
 * aimc_emu_worker_enter - the card's worker is about to touch the model
 * @edev: the card
 *
 * Every work item on &aimc_emu_dev.wq brackets its use of the device
 * model with this and aimc_emu_worker_exit(): it waits for a doorbell
 * that is running descriptors, and keeps new doorbells from starting to.
 */
void aimc_emu_worker_enter(struct aimc_emu_dev *edev)
{
	unsigned long flags;

	spin_lock_irqsave(&edev->lock, flags);
	edev->worker_active = true;
	spin_unlock_irqrestore(&edev->lock, flags);
	wait_event(edev->runner_wq, !READ_ONCE(edev->inline_running));
}

/**
 * aimc_emu_worker_exit - undo aimc_emu_worker_enter()
 * @edev: the card
 */
void aimc_emu_worker_exit(struct aimc_emu_dev *edev)
{
	unsigned long flags;

	spin_lock_irqsave(&edev->lock, flags);
	edev->worker_active = false;
	spin_unlock_irqrestore(&edev->lock, flags);
}

/* Decide under the lock whether the card has a descriptor, then fetch it. */
static bool aimc_emu_next(struct aimc_emu_dev *edev, struct aimc_emu_fetch *f)
{
	struct aimc_regfile *r = &edev->regs;
	unsigned long flags;
	u64 addr;

	spin_lock_irqsave(&edev->lock, flags);
	if (edev->gone || !(r->control & AIMC_CONTROL_ENABLE) || edev->hung ||
	    edev->resetting || r->ring_head == r->ring_tail)
		goto idle;
	edev->knobs.fetched++;
	if (xchg(&edev->knobs.hang_next_job, 0) ||
	    (edev->knobs.hang_every_n &&
	     edev->knobs.fetched % edev->knobs.hang_every_n == 0)) {
		/* Stuck inside this descriptor until a reset. */
		edev->hung = true;
		r->status |= AIMC_STATUS_BUSY;
		goto idle;
	}
	f->head = r->ring_head;
	f->mask = r->ring_size - 1;
	f->ring_base = (u64)r->ring_base_hi << 32 | r->ring_base_lo;
	f->cpl_addr = (u64)r->cpl_addr_hi << 32 | r->cpl_addr_lo;
	r->status |= AIMC_STATUS_BUSY;
	spin_unlock_irqrestore(&edev->lock, flags);

	addr = f->ring_base + (u64)(f->head & f->mask) * AIMC_DESC_BYTES;
	f->fetch_status = AIMC_ST_OK;
	if (aimc_emu_dma_access(edev, addr, f->raw, sizeof(f->raw), false))
		f->fetch_status = AIMC_ST_DMA_FAULT;
	return true;
idle:
	spin_unlock_irqrestore(&edev->lock, flags);
	return false;
}

/*
 * Whether emulating @f costs no more than copying a state image, whatever
 * its operands: a descriptor that could not be fetched completes with
 * a fault at once, so it counts as short.
 */
static bool aimc_emu_short(const struct aimc_emu_fetch *f)
{
	struct aimc_desc d;

	if (f->fetch_status)
		return true;
	aimc_desc_decode(f->raw, &d);
	switch (d.opcode) {
	case AIMC_CMD_PROGRAM:
	case AIMC_CMD_READ:
	case AIMC_CMD_EXEC:
		return false;
	default:
		return true;
	}
}

/* A reset or a surprise removal abandons the descriptor being run. */
static bool aimc_emu_abandoned(struct aimc_emu_dev *edev)
{
	unsigned long flags;
	bool abandoned;

	spin_lock_irqsave(&edev->lock, flags);
	abandoned = edev->gone || edev->resetting;
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

/*
 * Returns the descriptor's status; *abandoned when it must not complete.
 * Only the worker may wait out delay_us; a doorbell never sleeps.
 */
static u32 aimc_emu_execute(struct aimc_emu_dev *edev,
			    const struct aimc_emu_fetch *f, bool may_sleep,
			    bool *abandoned)
{
	u32 code;

	if (may_sleep)
		aimc_emu_delay(edev);
	*abandoned = aimc_emu_abandoned(edev);
	if (*abandoned)
		return AIMC_ST_OK;
	if (f->fetch_status)
		return f->fetch_status;
	code = xchg(&edev->knobs.error_next_desc, 0);
	if (code)
		return code;
	return aimc_model_submit(edev->model, f->raw);
}

/* Write the completion back, advance HEAD and interrupt. */
static void aimc_emu_complete(struct aimc_emu_dev *edev,
			      const struct aimc_emu_fetch *f, u32 status)
{
	const struct aimc_model_stats *stats;
	__le32 cpl_status = cpu_to_le32(status);
	__le32 cpl_head = cpu_to_le32(f->head + 1);
	u64 fault_addr = edev->fault_addr;
	unsigned long flags;
	u32 irq;
	int ret;

	/* Status first, then head: the host trusts status up to head. */
	ret = aimc_emu_dma_access(edev, f->cpl_addr + AIMC_CPL_STATUS_OFFSET +
				  4 * (f->head & f->mask), &cpl_status, 4, true);
	if (!ret)
		ret = aimc_emu_dma_access(edev, f->cpl_addr + AIMC_CPL_HEAD_OFFSET,
					  &cpl_head, 4, true);
	if (ret) {
		status = AIMC_ST_DMA_FAULT;
		fault_addr = edev->fault_addr;
	}

	stats = aimc_model_stats(edev->model);
	spin_lock_irqsave(&edev->lock, flags);
	irq = aimc_regfile_complete(&edev->regs, f->head, status, fault_addr,
				    stats);
	spin_unlock_irqrestore(&edev->lock, flags);
	aimc_emu_irq_raise(edev, irq);
}

/**
 * aimc_emu_ring_doorbell - run short descriptors in the doorbell's context
 * @edev: the card; the caller set @edev->inline_running under the lock
 *
 * Called with no lock held, from the context of the RING_TAIL write.
 * Never sleeps.  Whatever is left is handed to the worker.
 */
void aimc_emu_ring_doorbell(struct aimc_emu_dev *edev)
{
	struct aimc_emu_fetch f;
	unsigned long flags;
	bool abandoned, kick;
	u32 n, status;

	for (n = 0; n < AIMC_EMU_INLINE_MAX; n++) {
		if (!aimc_emu_next(edev, &f))
			break;
		if (!aimc_emu_short(&f)) {
			/* Fetched once, run once: the worker takes it over. */
			spin_lock_irqsave(&edev->lock, flags);
			edev->handoff = f;
			edev->handoff_valid = true;
			spin_unlock_irqrestore(&edev->lock, flags);
			break;
		}
		status = aimc_emu_execute(edev, &f, false, &abandoned);
		if (abandoned)
			break;
		aimc_emu_complete(edev, &f, status);
		edev->ran_inline++;
	}

	spin_lock_irqsave(&edev->lock, flags);
	edev->inline_running = false;
	kick = edev->handoff_valid || edev->regs.ring_head != edev->regs.ring_tail;
	spin_unlock_irqrestore(&edev->lock, flags);
	wake_up(&edev->runner_wq);
	if (kick)
		queue_work(edev->wq, &edev->ring_work);
}

/* Take the descriptor a doorbell fetched and left to the worker, if any. */
static bool aimc_emu_take_handoff(struct aimc_emu_dev *edev,
				  struct aimc_emu_fetch *f)
{
	unsigned long flags;
	bool valid;

	spin_lock_irqsave(&edev->lock, flags);
	valid = edev->handoff_valid;
	if (valid)
		*f = edev->handoff;
	edev->handoff_valid = false;
	spin_unlock_irqrestore(&edev->lock, flags);
	return valid;
}

void aimc_emu_ring_work(struct work_struct *work)
{
	struct aimc_emu_dev *edev = container_of(work, struct aimc_emu_dev,
						 ring_work);
	struct aimc_emu_fetch f;
	bool have;

	aimc_emu_worker_enter(edev);
	have = aimc_emu_take_handoff(edev, &f) || aimc_emu_next(edev, &f);
	while (have) {
		bool abandoned;
		u32 status = aimc_emu_execute(edev, &f, true, &abandoned);

		if (abandoned)
			break;
		aimc_emu_complete(edev, &f, status);
		cond_resched();
		have = aimc_emu_next(edev, &f);
	}
	aimc_emu_worker_exit(edev);
}

void aimc_emu_reset_work(struct work_struct *work)
{
	struct aimc_emu_dev *edev = container_of(work, struct aimc_emu_dev,
						 reset_work);
	unsigned long flags;

	aimc_emu_worker_enter(edev);
	aimc_model_reset(edev->model);
	spin_lock_irqsave(&edev->lock, flags);
	edev->handoff_valid = false;
	aimc_regfile_reset(&edev->regs);
	edev->hung = false;
	edev->resetting = false;
	spin_unlock_irqrestore(&edev->lock, flags);
	aimc_emu_worker_exit(edev);
}
