// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Interrupt handling: one vector for completions, one for errors.
 */
#include <linux/device.h>
#include <linux/interrupt.h>

#include "aimc_drv.h"

struct aimc_vector {
	u32 bit;
	const char *name;
};

static const struct aimc_vector aimc_vectors[AIMC_NUM_VECTORS] = {
	{ AIMC_INT_COMPLETION, "aimc-completion" },
	{ AIMC_INT_ERROR, "aimc-error" },
};

/*
 * Interrupt storms.  An interrupt that finds nothing pending is answered
 * IRQ_NONE, and the kernel's spurious-interrupt detector would disable
 * the line for good after 100000 of them (with a "nobody cared" stack
 * dump): the card would then only be noticed by polling until it is
 * rebound.  The driver contains a storm itself, sooner and reversibly:
 * AIMC_IRQ_STORM_BURST spurious interrupts on one vector, each within
 * AIMC_IRQ_STORM_GAP_MS of the last, disable that vector for
 * AIMC_IRQ_STORM_PAUSE_MS; meanwhile the ring's poll (aimc_ring.c)
 * retires completions.  Masking INT_MASK would not do: a stray message
 * does not come from a latched cause the mask gates.
 */
#define AIMC_IRQ_STORM_BURST	1000
#define AIMC_IRQ_STORM_GAP_MS	100
#define AIMC_IRQ_STORM_PAUSE_MS	1000

static void aimc_irq_spurious(struct aimc_device *adev, int vector)
{
	unsigned long now = jiffies;
	u32 *burst = &adev->irq_storm[vector].burst;

	atomic64_inc(&adev->irq_spurious);
	if (time_after(now, adev->irq_storm[vector].last +
		       msecs_to_jiffies(AIMC_IRQ_STORM_GAP_MS)))
		*burst = 0;
	adev->irq_storm[vector].last = now;
	if (++*burst < AIMC_IRQ_STORM_BURST || READ_ONCE(adev->irq_stopping))
		return;
	*burst = 0;
	if (test_and_set_bit(vector, &adev->irq_off))
		return;
	disable_irq_nosync(adev->bus.irq[vector]);
	atomic_inc(&adev->irq_storms);
	dev_err_ratelimited(adev->bus.dev,
			    "interrupt storm on %s: vector off for %u ms, polling\n",
			    aimc_vectors[vector].name, AIMC_IRQ_STORM_PAUSE_MS);
	schedule_delayed_work(&adev->irq_rearm_work,
			      msecs_to_jiffies(AIMC_IRQ_STORM_PAUSE_MS));
}

static void aimc_irq_rearm(struct aimc_device *adev)
{
	int i;

	for (i = 0; i < AIMC_NUM_VECTORS; i++)
		if (test_and_clear_bit(i, &adev->irq_off))
			enable_irq(adev->bus.irq[i]);
}

static void aimc_irq_rearm_work(struct work_struct *work)
{
	struct aimc_device *adev = container_of(to_delayed_work(work),
						struct aimc_device,
						irq_rearm_work);

	aimc_irq_rearm(adev);
}

static irqreturn_t aimc_irq_handler(int irq, void *arg)
{
	struct aimc_device *adev = arg;
	const struct aimc_bus *bus = &adev->bus;
	int vector = irq == bus->irq[0] ? 0 : 1;
	u32 status, pending;

	status = aimc_hw_read(bus, AIMC_REG_INT_STATUS);
	/* All-ones: the card has left the bus; it cannot have interrupted. */
	if (status == AIMC_HW_GONE)
		return IRQ_NONE;
	/* Each vector acknowledges only its own cause. */
	pending = status & ~aimc_hw_read(bus, AIMC_REG_INT_MASK) &
		  aimc_vectors[vector].bit;
	if (!pending) {
		aimc_irq_spurious(adev, vector);
		return IRQ_NONE;
	}
	adev->irq_storm[vector].burst = 0;
	aimc_hw_write(bus, AIMC_REG_INT_ACK, pending);
	atomic64_inc(&adev->irq_count[vector]);
	/* Errors are reported per descriptor in the completion area too. */
	aimc_job_irq(adev);
	return IRQ_HANDLED;
}

/**
 * aimc_irq_init - request the card's interrupts and unmask them
 * @adev: the card, reset and with interrupts masked
 *
 * The IRQs are device-managed: they are freed after aimc_device_remove()
 * when the bus device is unbound.
 *
 * Return: 0 or a negative errno from request_irq().
 */
int aimc_irq_init(struct aimc_device *adev)
{
	struct device *dev = adev->bus.dev;
	int i, ret;

	INIT_DELAYED_WORK(&adev->irq_rearm_work, aimc_irq_rearm_work);
	for (i = 0; i < AIMC_NUM_VECTORS; i++) {
		ret = devm_request_irq(dev, adev->bus.irq[i], aimc_irq_handler, 0,
				       aimc_vectors[i].name, adev);
		if (ret) {
			dev_err(dev, "cannot request IRQ %d (%s): %d\n",
				adev->bus.irq[i], aimc_vectors[i].name, ret);
			return ret;
		}
	}
	aimc_hw_write(&adev->bus, AIMC_REG_INT_MASK, 0);
	return 0;
}

/**
 * aimc_irq_mask_sync - mask the card's interrupts and wait for handlers
 * @adev: the card
 *
 * For a pause (aimc_device_reset_prepare(), a suspend): programming the
 * ring unmasks them again (aimc_ring.c).
 */
void aimc_irq_mask_sync(struct aimc_device *adev)
{
	int i;

	aimc_hw_write(&adev->bus, AIMC_REG_INT_MASK, AIMC_INT_ALL);
	for (i = 0; i < AIMC_NUM_VECTORS; i++)
		synchronize_irq(adev->bus.irq[i]);
}

/**
 * aimc_irq_quiesce - mask every interrupt and wait for running handlers
 * @adev: the card, still present
 */
void aimc_irq_quiesce(struct aimc_device *adev)
{
	int i;

	WRITE_ONCE(adev->irq_stopping, true);
	aimc_hw_write(&adev->bus, AIMC_REG_INT_MASK, AIMC_INT_ALL);
	for (i = 0; i < AIMC_NUM_VECTORS; i++)
		synchronize_irq(adev->bus.irq[i]);
	/* Handlers disable no vector any more: undo a storm's disable. */
	cancel_delayed_work_sync(&adev->irq_rearm_work);
	aimc_irq_rearm(adev);
}
