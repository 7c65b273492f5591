// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The emulated card's interrupt vectors.  Each card owns a small IRQ
 * domain, so its vectors are ordinary Linux IRQs that aimc.ko requests as
 * it would MSI-X vectors.  (irq_sim would do, but Debian does not build
 * it.)
 */
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/workqueue.h>

#include "aimc_emu.h"

static void aimc_emu_irq_noop(struct irq_data *data)
{
}

static struct irq_chip aimc_emu_irq_chip = {
	.name = "aimc-emu",
	.irq_mask = aimc_emu_irq_noop,
	.irq_unmask = aimc_emu_irq_noop,
};

static int aimc_emu_irq_map(struct irq_domain *domain, unsigned int virq,
			    irq_hw_number_t hwirq)
{
	irq_set_chip_and_handler(virq, &aimc_emu_irq_chip, handle_simple_irq);
	irq_set_chip_data(virq, domain->host_data);
	irq_modify_status(virq, IRQ_NOREQUEST | IRQ_NOAUTOEN, IRQ_NOPROBE);
	return 0;
}

static void aimc_emu_irq_unmap(struct irq_domain *domain, unsigned int virq)
{
	irq_set_chip_and_handler(virq, NULL, NULL);
	irq_set_chip_data(virq, NULL);
}

static const struct irq_domain_ops aimc_emu_irq_domain_ops = {
	.map = aimc_emu_irq_map,
	.unmap = aimc_emu_irq_unmap,
};

/**
 * aimc_emu_irq_init - create the card's IRQ domain and map its vectors
 * @edev: the card, not yet registered
 *
 * Return: 0 or -ENOMEM.
 */
int aimc_emu_irq_init(struct aimc_emu_dev *edev)
{
	int i;

	edev->irq_fwnode = irq_domain_alloc_named_id_fwnode("aimc-emu", edev->id);
	if (!edev->irq_fwnode)
		return -ENOMEM;
	edev->irq_domain = irq_domain_create_linear(edev->irq_fwnode,
						    AIMC_NUM_VECTORS,
						    &aimc_emu_irq_domain_ops, edev);
	if (!edev->irq_domain)
		goto err_fwnode;
	for (i = 0; i < AIMC_NUM_VECTORS; i++) {
		edev->irq[i] = irq_create_mapping(edev->irq_domain, i);
		if (!edev->irq[i])
			goto err_domain;
	}
	return 0;

err_domain:
	aimc_emu_irq_fini(edev);
	return -ENOMEM;
err_fwnode:
	irq_domain_free_fwnode(edev->irq_fwnode);
	edev->irq_fwnode = NULL;
	return -ENOMEM;
}

/**
 * aimc_emu_irq_fini - undo aimc_emu_irq_init()
 * @edev: the card; nobody holds its IRQs any more
 */
void aimc_emu_irq_fini(struct aimc_emu_dev *edev)
{
	int i;

	for (i = 0; i < AIMC_NUM_VECTORS; i++) {
		if (edev->irq[i])
			irq_dispose_mapping(edev->irq[i]);
		edev->irq[i] = 0;
	}
	irq_domain_remove(edev->irq_domain);
	edev->irq_domain = NULL;
	irq_domain_free_fwnode(edev->irq_fwnode);
	edev->irq_fwnode = NULL;
}

/* Deliver vector @i: the card's MSI-X message for it reaches the host. */
static void aimc_emu_irq_deliver(struct aimc_emu_dev *edev, unsigned int i)
{
	generic_handle_domain_irq_safe(edev->irq_domain, i);
}

static void __aimc_emu_irq_raise(struct aimc_emu_dev *edev, u32 bits,
				 bool may_drop)
{
	unsigned long flags;
	u32 deliver;
	int i;

	spin_lock_irqsave(&edev->lock, flags);
	if (edev->gone) {
		spin_unlock_irqrestore(&edev->lock, flags);
		return;
	}
	deliver = aimc_regfile_latch(&edev->regs, bits);
	/* drop_next_irq: the cause stays latched, the message is lost. */
	if (may_drop && bits && edev->knobs.drop_next_irq) {
		edev->knobs.drop_next_irq = 0;
		deliver = 0;
	}
	spin_unlock_irqrestore(&edev->lock, flags);

	for (i = 0; i < AIMC_NUM_VECTORS; i++)
		if (deliver & BIT(i))
			aimc_emu_irq_deliver(edev, i);
}

/**
 * aimc_emu_irq_raise - latch interrupt causes and deliver unmasked ones
 * @edev: the card
 * @bits: AIMC_INT_* causes to latch in the status register; 0 only
 *	  delivers what is already latched and unmasked
 *
 * Callable from any context; must not be called with @edev->lock held,
 * as the driver's handler reads the registers.
 */
void aimc_emu_irq_raise(struct aimc_emu_dev *edev, u32 bits)
{
	__aimc_emu_irq_raise(edev, bits, true);
}

/*
 * The irq_storm knobs.  With bits, each interrupt latches them and is
 * delivered if unmasked: a card that keeps signalling completions it
 * has not made.  Without, the completion vector's message arrives with
 * nothing latched and regardless of INT_MASK: a card (or a bus) sending
 * stray MSI-X messages, which only the host's interrupt controller can
 * stop.  A storm runs on an unbound workqueue and yields the CPU every
 * few interrupts, as the emulator has to share it with the guest.
 */
static void aimc_emu_storm_work(struct work_struct *work)
{
	struct aimc_emu_dev *edev = container_of(work, struct aimc_emu_dev,
						 storm.work);
	u32 n = 0;

	while (atomic_dec_if_positive(&edev->storm.count) >= 0) {
		if (READ_ONCE(edev->gone))
			break;
		if (edev->storm.bits)
			__aimc_emu_irq_raise(edev, edev->storm.bits, false);
		else
			aimc_emu_irq_deliver(edev, 0);
		atomic64_inc(&edev->storm.raised);
		if (++n % 32 == 0)
			cond_resched();
	}
}

/**
 * aimc_emu_irq_storm - start raising @count interrupts
 * @edev: the card
 * @count: how many
 * @bits: AIMC_INT_* to latch with each, or 0 for stray messages
 *
 * Return: 0, or -EBUSY while the previous storm still runs.
 */
int aimc_emu_irq_storm(struct aimc_emu_dev *edev, u32 count, u32 bits)
{
	if (work_busy(&edev->storm.work))
		return -EBUSY;
	edev->storm.bits = bits;
	atomic_set(&edev->storm.count, count);
	queue_work(system_unbound_wq, &edev->storm.work);
	return 0;
}

/**
 * aimc_emu_irq_storm_init - set up the storm knob's work
 * @edev: the card, being created
 */
void aimc_emu_irq_storm_init(struct aimc_emu_dev *edev)
{
	INIT_WORK(&edev->storm.work, aimc_emu_storm_work);
}

/**
 * aimc_emu_irq_storm_stop - end a storm and wait until it has stopped
 * @edev: the card
 */
void aimc_emu_irq_storm_stop(struct aimc_emu_dev *edev)
{
	atomic_set(&edev->storm.count, 0);
	cancel_work_sync(&edev->storm.work);
}
