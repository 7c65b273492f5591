// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The emulated card's register file (BAR0).
 */
#include <linux/log2.h>

#include "aimc_model.h"
#include "aimc_emu.h"

/* Serial numbers of emulated cards start here so they read as such. */
#define AIMC_EMU_SERIAL_BASE	0xe0000000u

/*
 * Die temperature, milli-degrees Celsius: a card idles near 40 C and runs
 * 5 C warmer while it executes; cards differ by a fraction of a degree.
 * Plausible numbers for hwmon and aimc-smi, not a thermal model.
 */
#define AIMC_EMU_TEMP_IDLE_MC	40000u
#define AIMC_EMU_TEMP_BUSY_MC	5000u
#define AIMC_EMU_TEMP_SPREAD_MC	250u

/**
 * aimc_emu_regs_reset - the register file after power-on or a reset
 * @edev: the card; caller holds @edev->lock or owns @edev exclusively
 *
 * Every interrupt is masked and the ring is stopped; the reset counter
 * survives.  The device model is reset separately (aimc_emu_reset_work()).
 */
void aimc_emu_regs_reset(struct aimc_emu_dev *edev)
{
	u32 reset_count = edev->regs.reset_count;

	memset(&edev->regs, 0, sizeof(edev->regs));
	edev->regs.reset_count = reset_count;
	edev->regs.int_mask = AIMC_INT_ALL;
	edev->regs.status = AIMC_STATUS_READY;
}

static u32 aimc_emu_read_locked(struct aimc_emu_dev *edev, u32 reg)
{
	struct aimc_emu_regs *r = &edev->regs;

	switch (reg) {
	case AIMC_REG_ID:
		return AIMC_ID_MAGIC;
	case AIMC_REG_VERSION:
		return AIMC_HW_VERSION_MAJOR << 16 | AIMC_HW_VERSION_MINOR;
	case AIMC_REG_SERIAL:
		return AIMC_EMU_SERIAL_BASE + edev->id;
	case AIMC_REG_CAP_TILES:
	case AIMC_REG_CAP_GEOMETRY:
	case AIMC_REG_CAP_CONVERTERS:
	case AIMC_REG_CAP_G_MIN_NS:
	case AIMC_REG_CAP_G_MAX_NS:
	case AIMC_REG_CAP_SRAM_KIB:
	case AIMC_REG_CAP_STREAM_SLOTS:
		/* The model's configuration is fixed at creation. */
		return aimc_model_cap(edev->model, reg);
	case AIMC_REG_CAP_QUEUE_DEPTH:
		return AIMC1_QUEUE_DEPTH;
	case AIMC_REG_CONTROL:
		return r->control;
	case AIMC_REG_STATUS:
		return r->status;
	case AIMC_REG_RESET_COUNT:
		return r->reset_count;
	case AIMC_REG_INT_STATUS:
		return r->int_status;
	case AIMC_REG_INT_MASK:
		return r->int_mask;
	case AIMC_REG_RING_BASE_LO:
		return r->ring_base_lo;
	case AIMC_REG_RING_BASE_HI:
		return r->ring_base_hi;
	case AIMC_REG_RING_SIZE:
		return r->ring_size;
	case AIMC_REG_RING_HEAD:
		return r->ring_head;
	case AIMC_REG_RING_TAIL:
		return r->ring_tail;
	case AIMC_REG_CPL_ADDR_LO:
		return r->cpl_addr_lo;
	case AIMC_REG_CPL_ADDR_HI:
		return r->cpl_addr_hi;
	case AIMC_REG_ERR_CODE:
		return r->err_code;
	case AIMC_REG_ERR_ADDR_LO:
		return r->err_addr_lo;
	case AIMC_REG_ERR_ADDR_HI:
		return r->err_addr_hi;
	case AIMC_REG_TEL_BUSY_US_LO:
		return lower_32_bits(r->busy_us);
	case AIMC_REG_TEL_BUSY_US_HI:
		return upper_32_bits(r->busy_us);
	case AIMC_REG_TEL_JOBS:
		return r->jobs;
	case AIMC_REG_TEL_PULSES_LO:
		return lower_32_bits(r->pulses);
	case AIMC_REG_TEL_PULSES_HI:
		return upper_32_bits(r->pulses);
	case AIMC_REG_TEL_ENERGY_NJ_LO:
		return lower_32_bits(r->energy_nj);
	case AIMC_REG_TEL_ENERGY_NJ_HI:
		return upper_32_bits(r->energy_nj);
	case AIMC_REG_TEL_TEMP_MC:
		return AIMC_EMU_TEMP_IDLE_MC + (edev->id % 8) * AIMC_EMU_TEMP_SPREAD_MC +
		       (r->status & AIMC_STATUS_BUSY ? AIMC_EMU_TEMP_BUSY_MC : 0);
	default:
		/* Unimplemented registers read as zero, as on the card. */
		return 0;
	}
}

static u32 aimc_emu_read32(void *ctx, u32 reg)
{
	struct aimc_emu_dev *edev = ctx;
	unsigned long flags;
	u32 val;

	spin_lock_irqsave(&edev->lock, flags);
	/* A read from a device that left the bus completes with all-ones. */
	val = edev->gone ? ~0u : aimc_emu_read_locked(edev, reg);
	spin_unlock_irqrestore(&edev->lock, flags);
	return val;
}

static bool aimc_emu_ring_config_ok(const struct aimc_emu_regs *r)
{
	return r->ring_size >= 2 && r->ring_size <= AIMC1_QUEUE_DEPTH &&
	       is_power_of_2(r->ring_size) &&
	       (r->ring_base_lo || r->ring_base_hi) &&
	       (r->cpl_addr_lo || r->cpl_addr_hi);
}

/*
 * Returns the interrupt bits that became deliverable; sets *kick when
 * the ring worker or a reset must run, *run_inline when this write is
 * to run descriptors itself.
 */
static u32 aimc_emu_write_locked(struct aimc_emu_dev *edev, u32 reg, u32 val,
				 struct work_struct **kick, bool *run_inline)
{
	struct aimc_emu_regs *r = &edev->regs;
	u32 was_deliverable = r->int_status & ~r->int_mask;

	switch (reg) {
	case AIMC_REG_CONTROL:
		if (val & AIMC_CONTROL_RESET) {
			/* Finishes on the worker, after the current descriptor. */
			r->status &= ~AIMC_STATUS_READY;
			r->resetting = true;
			/* A slowed-down descriptor (delay_us) stops waiting. */
			wake_up(&edev->delay_wq);
			*kick = &edev->reset_work;
			return 0;
		}
		if ((val & AIMC_CONTROL_ENABLE) && !aimc_emu_ring_config_ok(r)) {
			r->err_code = AIMC_ERR_RING_CONFIG;
			break;
		}
		r->control = val & AIMC_CONTROL_ENABLE;
		if (r->control)
			*kick = &edev->ring_work;
		break;
	case AIMC_REG_INT_MASK:
		r->int_mask = val & AIMC_INT_ALL;
		break;
	case AIMC_REG_INT_ACK:
		r->int_status &= ~val;
		break;
	case AIMC_REG_RING_BASE_LO:
		r->ring_base_lo = val;
		break;
	case AIMC_REG_RING_BASE_HI:
		r->ring_base_hi = val;
		break;
	case AIMC_REG_RING_SIZE:
		r->ring_size = val;
		break;
	case AIMC_REG_RING_TAIL:
		r->ring_tail = val;
		*kick = &edev->ring_work;
		/*
		 * An idle card runs short descriptors in this write
		 * (aimc_emu_ring.c).  A slowed-down card (delay_us) sleeps
		 * per descriptor, which only its worker may.
		 */
		if (edev->knobs.inline_short && !edev->knobs.delay_us &&
		    !edev->worker_active && !edev->inline_running &&
		    !edev->handoff_valid) {
			edev->inline_running = true;
			*kick = NULL;
			*run_inline = true;
		}
		break;
	case AIMC_REG_CPL_ADDR_LO:
		r->cpl_addr_lo = val;
		break;
	case AIMC_REG_CPL_ADDR_HI:
		r->cpl_addr_hi = val;
		break;
	default:
		/* Writes to read-only or unimplemented registers are ignored. */
		break;
	}
	return r->int_status & ~r->int_mask & ~was_deliverable;
}

static void aimc_emu_write32(void *ctx, u32 reg, u32 val)
{
	struct aimc_emu_dev *edev = ctx;
	struct work_struct *kick = NULL;
	bool run_inline = false;
	unsigned long flags;
	u32 raise = 0;

	spin_lock_irqsave(&edev->lock, flags);
	/* Writes to a device that left the bus go nowhere. */
	if (!edev->gone)
		raise = aimc_emu_write_locked(edev, reg, val, &kick, &run_inline);
	spin_unlock_irqrestore(&edev->lock, flags);
	if (kick)
		queue_work(edev->wq, kick);
	if (raise)
		aimc_emu_irq_raise(edev, 0);
	if (run_inline)
		aimc_emu_ring_doorbell(edev);
}

const struct aimc_reg_ops aimc_emu_reg_ops = {
	.read32 = aimc_emu_read32,
	.write32 = aimc_emu_write32,
};
