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

static irqreturn_t aimc_irq_handler(int irq, void *arg)
{
	struct aimc_device *adev = arg;
	const struct aimc_bus *bus = &adev->bus;
	u32 pending;
	int i;

	pending = aimc_hw_read(bus, AIMC_REG_INT_STATUS) &
		  ~aimc_hw_read(bus, AIMC_REG_INT_MASK);
	if (!pending)
		return IRQ_NONE;
	aimc_hw_write(bus, AIMC_REG_INT_ACK, pending);
	for (i = 0; i < AIMC_NUM_VECTORS; i++)
		if (pending & aimc_vectors[i].bit)
			atomic64_inc(&adev->irq_count[i]);
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
 * aimc_irq_quiesce - mask every interrupt and wait for running handlers
 * @adev: the card, still present
 */
void aimc_irq_quiesce(struct aimc_device *adev)
{
	int i;

	aimc_hw_write(&adev->bus, AIMC_REG_INT_MASK, AIMC_INT_ALL);
	for (i = 0; i < AIMC_NUM_VECTORS; i++)
		synchronize_irq(adev->bus.irq[i]);
}
