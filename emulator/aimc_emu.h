/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * aimc_emu.ko: software AIMC-1 cards for aimc.ko to drive.
 */
#ifndef AIMC_EMU_H
#define AIMC_EMU_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "aimc_hw_regs.h"
#include "../driver/aimc_swdev.h"

struct fwnode_handle;
struct irq_domain;
struct platform_device;

/**
 * struct aimc_emu_caps - what the emulated card reports in its
 * capability registers
 */
struct aimc_emu_caps {
	u32 num_tiles;
	u32 tile_rows;
	u32 tile_cols;
	u32 dac_bits;
	u32 adc_bits;
	u32 g_min_ns;
	u32 g_max_ns;
	u32 sram_kib;
	u32 stream_slots;
	u32 queue_depth;
};

/**
 * struct aimc_emu_regs - the register file's writable and volatile state
 *
 * Protected by &aimc_emu_dev.lock.
 */
struct aimc_emu_regs {
	u32 control;
	u32 status;
	u32 reset_count;
	u32 int_status;
	u32 int_mask;
	u32 ring_base_lo;
	u32 ring_base_hi;
	u32 ring_size;
	u32 ring_head;
	u32 ring_tail;
	u32 cpl_addr_lo;
	u32 cpl_addr_hi;
	u32 err_code;
	u32 err_addr_lo;
	u32 err_addr_hi;
	u64 busy_us;
	u32 jobs;
	u64 pulses;
};

/**
 * struct aimc_emu_dev - one emulated card
 * @id: the number it was created with (new_device), unique
 * @node: in the module's device list
 * @pdev: the platform device aimc.ko binds to
 * @caps: capability register values
 * @lock: protects @regs; taken from hard interrupt context
 * @regs: register file
 * @irq_fwnode: name of @irq_domain
 * @irq_domain: the card's interrupt vectors as Linux IRQs
 * @irq: Linux IRQ number of each vector
 */
struct aimc_emu_dev {
	u32 id;
	struct list_head node;
	struct platform_device *pdev;
	struct aimc_emu_caps caps;
	/* protects regs; taken in hard interrupt context */
	spinlock_t lock;
	struct aimc_emu_regs regs;
	struct fwnode_handle *irq_fwnode;
	struct irq_domain *irq_domain;
	int irq[AIMC_NUM_VECTORS];
};

extern const struct aimc_reg_ops aimc_emu_reg_ops;
void aimc_emu_regs_reset(struct aimc_emu_dev *edev);

int aimc_emu_irq_init(struct aimc_emu_dev *edev);
void aimc_emu_irq_fini(struct aimc_emu_dev *edev);
void aimc_emu_irq_raise(struct aimc_emu_dev *edev, u32 bits);

#endif /* AIMC_EMU_H */
