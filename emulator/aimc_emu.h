/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * aimc_emu.ko: software AIMC-1 cards for aimc.ko to drive.
 */
#ifndef AIMC_EMU_H
#define AIMC_EMU_H

#include <linux/dma-map-ops.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "aimc_hw_regs.h"
#include "../driver/aimc_swdev.h"

struct aimc_model;
struct dentry;
struct fwnode_handle;
struct gen_pool;
struct irq_domain;
struct platform_device;

/**
 * struct aimc_emu_regs - the register file's writable and volatile state
 *
 * Protected by &aimc_emu_dev.lock.  @hung and @resetting are not
 * registers but the card's internal state behind STATUS.
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
	bool hung;
	bool resetting;
};

/**
 * struct aimc_emu_iommu - I/O virtual address space of one card
 * @lock: protects @pages and @mapped_pages
 * @iova: allocator of I/O virtual addresses
 * @pages: I/O page frame number to struct page
 * @mapped_pages: entries in @pages
 */
struct aimc_emu_iommu {
	spinlock_t lock;	/* see above */
	struct gen_pool *iova;
	struct xarray pages;
	unsigned long mapped_pages;
};

/**
 * struct aimc_emu_knobs - fault injection, set through debugfs
 * @hang_next_job: the next descriptor fetched never completes
 * @fail_next_dma: the next DMA access faults
 *
 * Each is consumed (reset to zero) when it fires.
 */
struct aimc_emu_knobs {
	u32 hang_next_job;
	u32 fail_next_dma;
};

/**
 * struct aimc_emu_dev - one emulated card
 * @id: the number it was created with (new_device), unique
 * @node: in the module's device list
 * @pdev: the platform device aimc.ko binds to
 * @lock: protects @regs; taken from hard interrupt context
 * @regs: register file
 * @irq_fwnode: name of @irq_domain
 * @irq_domain: the card's interrupt vectors as Linux IRQs
 * @irq: Linux IRQ number of each vector
 * @model: the device model: cells, converters, digital unit; used only
 *	   from @wq, which serialises it
 * @wq: ordered: the ring worker and resets never overlap
 * @ring_work: processes descriptors HEAD..TAIL-1
 * @reset_work: completes a reset requested through CONTROL
 * @iommu: what the card can reach in host memory
 * @fault_addr: address of the last DMA fault
 * @knobs: fault injection
 * @debugfs: the card's debugfs directory
 */
struct aimc_emu_dev {
	u32 id;
	struct list_head node;
	struct platform_device *pdev;
	/* protects regs; taken in hard interrupt context */
	spinlock_t lock;
	struct aimc_emu_regs regs;
	struct fwnode_handle *irq_fwnode;
	struct irq_domain *irq_domain;
	int irq[AIMC_NUM_VECTORS];
	struct aimc_model *model;
	struct workqueue_struct *wq;
	struct work_struct ring_work;
	struct work_struct reset_work;
	struct aimc_emu_iommu iommu;
	u64 fault_addr;
	struct aimc_emu_knobs knobs;
	struct dentry *debugfs;
};

extern const struct aimc_reg_ops aimc_emu_reg_ops;
void aimc_emu_regs_reset(struct aimc_emu_dev *edev);

void aimc_emu_ring_init(struct aimc_emu_dev *edev);
void aimc_emu_ring_work(struct work_struct *work);
void aimc_emu_reset_work(struct work_struct *work);

extern const struct dma_map_ops aimc_emu_dma_ops;
int aimc_emu_iommu_init(struct aimc_emu_dev *edev);
void aimc_emu_iommu_fini(struct aimc_emu_dev *edev);
int aimc_emu_dma_access(struct aimc_emu_dev *edev, u64 addr, void *buf,
			u32 len, bool write);

void aimc_emu_debugfs_init(struct aimc_emu_dev *edev, struct dentry *root);

int aimc_emu_irq_init(struct aimc_emu_dev *edev);
void aimc_emu_irq_fini(struct aimc_emu_dev *edev);
void aimc_emu_irq_raise(struct aimc_emu_dev *edev, u32 bits);

#endif /* AIMC_EMU_H */
