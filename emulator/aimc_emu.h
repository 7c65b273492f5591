/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * aimc_emu.ko: software AIMC-1 cards for aimc.ko to drive.
 */
#ifndef AIMC_EMU_H
#define AIMC_EMU_H

#include <linux/atomic.h>
#include <linux/dma-map-ops.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "aimc_hw_cmd.h"
#include "aimc_hw_regs.h"
#include "aimc_regfile.h"
#include "../driver/aimc_swdev.h"

struct aimc_model;
struct dentry;
struct fwnode_handle;
struct gen_pool;
struct irq_domain;
struct platform_device;

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
 * @hang_every_n: every Nth descriptor fetched never completes (0: off)
 * @fail_next_dma: the next DMA access faults
 * @fail_next_dma_read: the next DMA read (card from host memory) faults
 * @fail_next_dma_write: the next DMA write (card to host memory) faults
 * @drop_next_irq: the next interrupt is latched but never delivered
 * @error_next_desc: the next descriptor completes with this status code
 *		     without running (0: off)
 * @delay_us: every descriptor takes at least this long (0: off)
 * @inline_short: a doorbell that finds the card idle runs short
 *		  descriptors itself (aimc_emu_ring.c); 0 leaves every
 *		  descriptor to the worker
 * @fetched: descriptors fetched since the card was created (for
 *	     @hang_every_n)
 *
 * The "next" knobs are consumed (reset to zero) when they fire; the
 * others stay until rewritten.
 */
struct aimc_emu_knobs {
	u32 hang_next_job;
	u32 hang_every_n;
	u32 fail_next_dma;
	u32 fail_next_dma_read;
	u32 fail_next_dma_write;
	u32 drop_next_irq;
	u32 error_next_desc;
	u32 delay_us;
	u32 inline_short;
	u32 fetched;
};

/**
 * struct aimc_emu_fetch - a descriptor the command processor has fetched
 * @head: its ring index (HEAD when it was fetched)
 * @mask: ring size - 1
 * @ring_base: ring address, as programmed
 * @cpl_addr: completion area address, as programmed
 * @fetch_status: AIMC_ST_DMA_FAULT when reading it faulted, else 0
 * @raw: the descriptor
 */
struct aimc_emu_fetch {
	u32 head;
	u32 mask;
	u64 ring_base;
	u64 cpl_addr;
	u32 fetch_status;
	u8 raw[AIMC_DESC_BYTES];
};

/**
 * struct aimc_emu_storm - an interrupt storm being raised
 * @work: raises the interrupts, on the system unbound workqueue
 * @count: interrupts left to raise
 * @bits: AIMC_INT_* latched with each one (0: nothing pending at all)
 * @raised: interrupts raised by storms since the card was created
 */
struct aimc_emu_storm {
	struct work_struct work;
	atomic_t count;
	u32 bits;
	atomic64_t raised;
};

/**
 * struct aimc_emu_stick - a stick_cell request for the card's worker
 * @work: runs on &aimc_emu_dev.wq, serialised with descriptors
 * @tile: tile index
 * @row: row index
 * @col: physical column index
 * @at_gmax: stuck at g_max rather than g_min
 * @result: what aimc_model_stick_cell() returned
 */
struct aimc_emu_stick {
	struct work_struct work;
	u32 tile;
	u32 row;
	u32 col;
	bool at_gmax;
	int result;
};

/**
 * struct aimc_emu_dev - one emulated card
 * @id: the number it was created with (new_device), unique
 * @node: in the module's device list
 * @pdev: the platform device aimc.ko binds to
 * @lock: protects @regs, @hung and @resetting; taken from hard interrupt
 *	  context
 * @regs: register file (model/aimc_regfile.h)
 * @hung: stuck in a descriptor (hang knobs) until a reset: STATUS.BUSY
 *	  stays set
 * @resetting: CONTROL.RESET was written; the reset finishes on @wq
 * @irq_fwnode: name of @irq_domain
 * @irq_domain: the card's interrupt vectors as Linux IRQs
 * @irq: Linux IRQ number of each vector
 * @model: the device model: cells, converters, digital unit; used by
 *	   one context at a time: work on @wq, or a doorbell running short
 *	   descriptors (@inline_running)
 * @wq: ordered: the ring worker and resets never overlap
 * @worker_active: a work item on @wq is using the model; no doorbell
 *		   may start running descriptors
 * @inline_running: a doorbell is running descriptors; work on @wq waits
 *		    on @runner_wq until it is done
 * @runner_wq: see @inline_running
 * @handoff: a long descriptor a doorbell fetched for the worker to run
 * @handoff_valid: @handoff is waiting for the worker
 * @ran_inline: descriptors run by doorbells since the card was created
 * @ring_work: processes descriptors HEAD..TAIL-1
 * @reset_work: completes a reset requested through CONTROL
 * @iommu: what the card can reach in host memory
 * @fault_addr: address of the last DMA fault
 * @knobs: fault injection
 * @knob_lock: serialises stick_cell and storm requests from debugfs
 * @storm: interrupt storm knob
 * @stick: stick_cell knob
 * @delay_wq: a delayed descriptor waits here; a reset or removal wakes it
 * @gone: surprise removal: the card has vanished from the bus; registers
 *	  read all-ones, writes are dropped, no DMA, no interrupts
 * @debugfs: the card's debugfs directory
 */
struct aimc_emu_dev {
	u32 id;
	struct list_head node;
	struct platform_device *pdev;
	/* protects regs, hung, resetting; taken in hard interrupt context */
	spinlock_t lock;
	struct aimc_regfile regs;
	bool hung;
	bool resetting;
	struct fwnode_handle *irq_fwnode;
	struct irq_domain *irq_domain;
	int irq[AIMC_NUM_VECTORS];
	struct aimc_model *model;
	struct workqueue_struct *wq;
	bool worker_active;
	bool inline_running;
	wait_queue_head_t runner_wq;
	struct aimc_emu_fetch handoff;
	bool handoff_valid;
	u32 ran_inline;
	struct work_struct ring_work;
	struct work_struct reset_work;
	struct aimc_emu_iommu iommu;
	u64 fault_addr;
	struct aimc_emu_knobs knobs;
	struct mutex knob_lock;	/* see above */
	struct aimc_emu_storm storm;
	struct aimc_emu_stick stick;
	wait_queue_head_t delay_wq;
	bool gone;
	struct dentry *debugfs;
};

extern const struct aimc_reg_ops aimc_emu_reg_ops;
void aimc_emu_regs_init(struct aimc_emu_dev *edev);

void aimc_emu_ring_init(struct aimc_emu_dev *edev);
void aimc_emu_ring_work(struct work_struct *work);
void aimc_emu_ring_doorbell(struct aimc_emu_dev *edev);
void aimc_emu_worker_enter(struct aimc_emu_dev *edev);
void aimc_emu_worker_exit(struct aimc_emu_dev *edev);
void aimc_emu_reset_work(struct work_struct *work);

extern const struct dma_map_ops aimc_emu_dma_ops;
int aimc_emu_iommu_init(struct aimc_emu_dev *edev);
void aimc_emu_iommu_fini(struct aimc_emu_dev *edev);
int aimc_emu_dma_access(struct aimc_emu_dev *edev, u64 addr, void *buf,
			u32 len, bool write);

void aimc_emu_debugfs_init(struct aimc_emu_dev *edev, struct dentry *root);
void aimc_emu_knobs_init(struct aimc_emu_dev *edev);

int aimc_emu_irq_init(struct aimc_emu_dev *edev);
void aimc_emu_irq_fini(struct aimc_emu_dev *edev);
void aimc_emu_irq_raise(struct aimc_emu_dev *edev, u32 bits);
int aimc_emu_irq_storm(struct aimc_emu_dev *edev, u32 count, u32 bits);
void aimc_emu_irq_storm_init(struct aimc_emu_dev *edev);
void aimc_emu_irq_storm_stop(struct aimc_emu_dev *edev);

#endif /* AIMC_EMU_H */
