/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The software-device interface: how a device without a bus of its own
 * offers itself to aimc.ko.  The driver defines it, a provider such as
 * aimc_emu.ko implements it: it registers a platform device named
 * AIMC_SWDEV_NAME whose platform data is a struct aimc_swdev_pdata and
 * whose IRQ resources 0..AIMC_NUM_VECTORS-1 stand for the card's MSI-X
 * vectors.  The platform device is also the DMA device.
 */
#ifndef AIMC_SWDEV_H
#define AIMC_SWDEV_H

#include <linux/types.h>

#define AIMC_SWDEV_NAME		"aimc-swdev"

/**
 * struct aimc_reg_ops - 32-bit register access to BAR0
 * @read32: return the register at byte offset @reg
 * @write32: write @val to the register at byte offset @reg
 *
 * Both may be called from hard interrupt context and must not sleep.
 * Like an MSI that arrives as soon as a CPU's MMIO write retires, the
 * card's interrupt handler may run inside @write32, on the writer's CPU
 * and with whatever locks the writer holds (a doorbell that runs short
 * descriptors at once): the handler must not take them.
 */
struct aimc_reg_ops {
	u32 (*read32)(void *ctx, u32 reg);
	void (*write32)(void *ctx, u32 reg, u32 val);
};

/**
 * struct aimc_swdev_pdata - platform data of a software AIMC device
 * @ops: register access
 * @ctx: passed back to @ops; valid while the platform device exists
 */
struct aimc_swdev_pdata {
	const struct aimc_reg_ops *ops;
	void *ctx;
};

#endif /* AIMC_SWDEV_H */
