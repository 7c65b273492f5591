// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The emulated card's register file (BAR0): the device model's
 * (model/aimc_regfile.c), under the card's lock, with this home's side
 * effects: a worker or the doorbell's own context processes the ring,
 * a reset finishes on the worker, interrupts are the card's IRQ domain's.
 */
#include "aimc_model.h"
#include "aimc_regfile.h"
#include "aimc_emu.h"

/* Serial numbers of emulated cards start here so they read as such. */
#define AIMC_EMU_SERIAL_BASE	0xe0000000u

/*
 * One register access: the ops record what it leaves to do once
 * &aimc_emu_dev.lock is dropped.
 */
struct aimc_emu_access {
	struct aimc_emu_dev *edev;
	struct work_struct *kick;	/* to queue on the card's worker */
	bool run_inline;		/* this write runs descriptors itself */
};

static void aimc_emu_reg_reset(void *ctx)
{
	struct aimc_emu_access *a = ctx;
	struct aimc_emu_dev *edev = a->edev;

	/* Finishes on the worker, after the current descriptor. */
	edev->resetting = true;
	/* A slowed-down descriptor (delay_us) stops waiting. */
	wake_up(&edev->delay_wq);
	a->kick = &edev->reset_work;
}

static void aimc_emu_reg_enable(void *ctx)
{
	struct aimc_emu_access *a = ctx;

	if (a->edev->regs.control)
		a->kick = &a->edev->ring_work;
}

static void aimc_emu_reg_doorbell(void *ctx)
{
	struct aimc_emu_access *a = ctx;
	struct aimc_emu_dev *edev = a->edev;

	a->kick = &edev->ring_work;
	/*
	 * An idle card runs short descriptors in this write
	 * (aimc_emu_ring.c).  A slowed-down card (delay_us) sleeps per
	 * descriptor, which only its worker may.
	 */
	if (edev->knobs.inline_short && !edev->knobs.delay_us &&
	    !edev->worker_active && !edev->inline_running &&
	    !edev->handoff_valid) {
		edev->inline_running = true;
		a->kick = NULL;
		a->run_inline = true;
	}
}

static const struct aimc_regfile_ops aimc_emu_regfile_ops = {
	.reset = aimc_emu_reg_reset,
	.enable = aimc_emu_reg_enable,
	.doorbell = aimc_emu_reg_doorbell,
};

/**
 * aimc_emu_regs_init - the register file at power-on
 * @edev: the card, its model created; caller owns @edev exclusively
 *
 * Every interrupt is masked and the ring is stopped.
 */
void aimc_emu_regs_init(struct aimc_emu_dev *edev)
{
	aimc_regfile_init(&edev->regs, &aimc_emu_regfile_ops, edev->model,
			  AIMC_EMU_SERIAL_BASE + edev->id, edev->id, 0);
	edev->hung = false;
	edev->resetting = false;
}

static u32 aimc_emu_read32(void *ctx, u32 reg)
{
	struct aimc_emu_access a = { .edev = ctx };
	struct aimc_emu_dev *edev = a.edev;
	unsigned long flags;
	u32 val;

	spin_lock_irqsave(&edev->lock, flags);
	/* A read from a device that left the bus completes with all-ones. */
	val = edev->gone ? ~0u : aimc_regfile_read(&edev->regs, reg, &a);
	spin_unlock_irqrestore(&edev->lock, flags);
	return val;
}

static void aimc_emu_write32(void *ctx, u32 reg, u32 val)
{
	struct aimc_emu_access a = { .edev = ctx };
	struct aimc_emu_dev *edev = a.edev;
	unsigned long flags;
	u32 raise = 0;

	spin_lock_irqsave(&edev->lock, flags);
	/* Writes to a device that left the bus go nowhere. */
	if (!edev->gone)
		raise = aimc_regfile_write(&edev->regs, reg, val, &a);
	spin_unlock_irqrestore(&edev->lock, flags);
	if (a.kick)
		queue_work(edev->wq, a.kick);
	/* Unmasking or acknowledging may leave a cause deliverable. */
	if (raise)
		aimc_emu_irq_raise(edev, 0);
	if (a.run_inline)
		aimc_emu_ring_doorbell(edev);
}

const struct aimc_reg_ops aimc_emu_reg_ops = {
	.read32 = aimc_emu_read32,
	.write32 = aimc_emu_write32,
};
