// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * AIMC-1 register file: the decode of BAR0 (aimc_regfile.h).
 */
#include "aimc_regfile.h"
#include "aimc_model.h"

/*
 * Die temperature, milli-degrees Celsius: a card idles near 40 C and runs
 * 5 C warmer while it executes; cards differ by a fraction of a degree.
 * Plausible numbers for hwmon and aimc-smi, not a thermal model.
 */
#define AIMC_REGFILE_TEMP_IDLE_MC	40000u
#define AIMC_REGFILE_TEMP_BUSY_MC	5000u
#define AIMC_REGFILE_TEMP_SPREAD_MC	250u

/**
 * aimc_regfile_init - a card's register file at power-on
 * @rf: the register file
 * @ops: the home's side effects; @reset, @enable and @doorbell required
 * @model: the device model, for the CAP_* registers
 * @serial: what SERIAL reads
 * @unit: tells cards apart (TEL_TEMP_MC)
 * @flags: AIMC_REGFILE_*
 *
 * RESET_COUNT starts at 0; every other register as after a reset.
 */
void aimc_regfile_init(struct aimc_regfile *rf,
		       const struct aimc_regfile_ops *ops,
		       const struct aimc_model *model, u32 serial, u32 unit,
		       u32 flags)
{
	/* Every register not named here is 0. */
	*rf = (struct aimc_regfile) {
		.ops = ops, .model = model, .serial = serial, .unit = unit,
		.flags = flags,
		.status = AIMC_STATUS_READY,
		.int_mask = AIMC_INT_ALL,
	};
}

/**
 * aimc_regfile_reset - finish a reset of the card
 * @rf: the register file
 *
 * RESET_COUNT counts it; every other register returns to its power-on
 * value: every interrupt masked, nothing latched, the ring stopped and
 * unconfigured, no error, the telemetry at zero, STATUS.READY set.
 * The device model is reset separately (aimc_model_reset()).
 */
void aimc_regfile_reset(struct aimc_regfile *rf)
{
	u32 reset_count = rf->reset_count + 1;

	aimc_regfile_init(rf, rf->ops, rf->model, rf->serial, rf->unit,
			  rf->flags);
	rf->reset_count = reset_count;
}

static void aimc_regfile_guest_error(struct aimc_regfile *rf, void *ctx,
				     enum aimc_regfile_error err, u32 reg,
				     u32 val)
{
	if (rf->ops->guest_error)
		rf->ops->guest_error(ctx, err, reg, val);
}

/**
 * aimc_regfile_read - a 32-bit register read
 * @rf: the register file
 * @reg: the register's offset in BAR0 (AIMC_REG_*)
 * @ctx: for the ops this read calls
 *
 * Return: the register's value; unimplemented registers read as zero,
 * as on the card.
 */
u32 aimc_regfile_read(struct aimc_regfile *rf, u32 reg, void *ctx)
{
	switch (reg) {
	case AIMC_REG_ID:
		return AIMC_ID_MAGIC;
	case AIMC_REG_VERSION:
		return AIMC_HW_VERSION_MAJOR << 16 | AIMC_HW_VERSION_MINOR;
	case AIMC_REG_SERIAL:
		return rf->serial;
	case AIMC_REG_CAP_TILES:
	case AIMC_REG_CAP_GEOMETRY:
	case AIMC_REG_CAP_CONVERTERS:
	case AIMC_REG_CAP_G_MIN_NS:
	case AIMC_REG_CAP_G_MAX_NS:
	case AIMC_REG_CAP_SRAM_KIB:
	case AIMC_REG_CAP_STREAM_SLOTS:
		/*
		 * The model's configuration is fixed at creation: readable
		 * while the card computes.
		 */
		return aimc_model_cap(rf->model, reg);
	case AIMC_REG_CAP_QUEUE_DEPTH:
		return AIMC1_QUEUE_DEPTH;
	case AIMC_REG_CONTROL:
		return rf->control;
	case AIMC_REG_STATUS:
		return rf->status;
	case AIMC_REG_RESET_COUNT:
		return rf->reset_count;
	case AIMC_REG_INT_STATUS:
		return rf->int_status;
	case AIMC_REG_INT_MASK:
		return rf->int_mask;
	case AIMC_REG_RING_BASE_LO:
		return rf->ring_base_lo;
	case AIMC_REG_RING_BASE_HI:
		return rf->ring_base_hi;
	case AIMC_REG_RING_SIZE:
		return rf->ring_size;
	case AIMC_REG_RING_HEAD:
		return rf->ring_head;
	case AIMC_REG_RING_TAIL:
		return rf->ring_tail;
	case AIMC_REG_CPL_ADDR_LO:
		return rf->cpl_addr_lo;
	case AIMC_REG_CPL_ADDR_HI:
		return rf->cpl_addr_hi;
	case AIMC_REG_ERR_CODE:
		return rf->err_code;
	case AIMC_REG_ERR_ADDR_LO:
		return rf->err_addr_lo;
	case AIMC_REG_ERR_ADDR_HI:
		return rf->err_addr_hi;
	/*
	 * No half is latched (aimc_hw_regs.h): the driver reads high, low,
	 * high.
	 */
	case AIMC_REG_TEL_BUSY_US_LO:
		return (u32)rf->busy_us;
	case AIMC_REG_TEL_BUSY_US_HI:
		return (u32)(rf->busy_us >> 32);
	case AIMC_REG_TEL_JOBS:
		return rf->jobs;
	case AIMC_REG_TEL_PULSES_LO:
		return (u32)rf->pulses;
	case AIMC_REG_TEL_PULSES_HI:
		return (u32)(rf->pulses >> 32);
	case AIMC_REG_TEL_ENERGY_NJ_LO:
		return (u32)rf->energy_nj;
	case AIMC_REG_TEL_ENERGY_NJ_HI:
		return (u32)(rf->energy_nj >> 32);
	case AIMC_REG_TEL_TEMP_MC:
		return AIMC_REGFILE_TEMP_IDLE_MC +
		       (rf->unit % 8) * AIMC_REGFILE_TEMP_SPREAD_MC +
		       (rf->status & AIMC_STATUS_BUSY ?
			AIMC_REGFILE_TEMP_BUSY_MC : 0);
	default:
		aimc_regfile_guest_error(rf, ctx, AIMC_REGFILE_READ_UNKNOWN,
					 reg, 0);
		return 0;
	}
}

/* What the contract accepts for CONTROL.ENABLE (aimc_hw_regs.h). */
static bool aimc_regfile_ring_config_ok(const struct aimc_regfile *rf)
{
	return rf->ring_size >= 2 && rf->ring_size <= AIMC1_QUEUE_DEPTH &&
	       !(rf->ring_size & (rf->ring_size - 1)) &&
	       (rf->ring_base_lo || rf->ring_base_hi) &&
	       (rf->cpl_addr_lo || rf->cpl_addr_hi);
}

/**
 * aimc_regfile_write - a 32-bit register write
 * @rf: the register file
 * @reg: the register's offset in BAR0 (AIMC_REG_*)
 * @val: the value written
 * @ctx: for the ops this write calls
 *
 * Writes to read-only or unimplemented registers are ignored.
 *
 * Return: the interrupt causes the write left deliverable that were not
 * before (unmasking or acknowledging one while it is latched again): the
 * home delivers them.
 */
u32 aimc_regfile_write(struct aimc_regfile *rf, u32 reg, u32 val, void *ctx)
{
	const struct aimc_regfile_ops *ops = rf->ops;
	u32 was_deliverable = rf->int_status & ~rf->int_mask;

	switch (reg) {
	case AIMC_REG_CONTROL:
		if (val & ~(AIMC_CONTROL_ENABLE | AIMC_CONTROL_RESET))
			aimc_regfile_guest_error(rf, ctx,
						 AIMC_REGFILE_CONTROL_RESERVED,
						 reg, val);
		if (val & AIMC_CONTROL_RESET) {
			/* Not READY until the home has finished the reset. */
			rf->status &= ~AIMC_STATUS_READY;
			ops->reset(ctx);
			return 0;
		}
		if ((val & AIMC_CONTROL_ENABLE) &&
		    !aimc_regfile_ring_config_ok(rf)) {
			aimc_regfile_guest_error(rf, ctx,
						 AIMC_REGFILE_RING_REFUSED,
						 reg, val);
			rf->err_code = AIMC_ERR_RING_CONFIG;
			break;
		}
		rf->control = val & AIMC_CONTROL_ENABLE;
		ops->enable(ctx);
		break;
	case AIMC_REG_INT_MASK:
		rf->int_mask = val & AIMC_INT_ALL;
		break;
	case AIMC_REG_INT_ACK:
		rf->int_status &= ~val;
		if (ops->int_ack)
			ops->int_ack(ctx, val);
		break;
	case AIMC_REG_RING_BASE_LO:
		rf->ring_base_lo = val;
		break;
	case AIMC_REG_RING_BASE_HI:
		rf->ring_base_hi = val;
		break;
	case AIMC_REG_RING_SIZE:
		rf->ring_size = val;
		break;
	case AIMC_REG_RING_TAIL:
		/* At most a ring's worth of descriptors ahead of the card. */
		if ((rf->flags & AIMC_REGFILE_CHECK_TAIL) && rf->ring_size &&
		    val - rf->ring_head > rf->ring_size) {
			aimc_regfile_guest_error(rf, ctx,
						 AIMC_REGFILE_TAIL_REFUSED,
						 reg, val);
			break;
		}
		rf->ring_tail = val;
		ops->doorbell(ctx);
		break;
	case AIMC_REG_CPL_ADDR_LO:
		rf->cpl_addr_lo = val;
		break;
	case AIMC_REG_CPL_ADDR_HI:
		rf->cpl_addr_hi = val;
		break;
	default:
		aimc_regfile_guest_error(rf, ctx, AIMC_REGFILE_WRITE_READONLY,
					 reg, val);
		return 0;
	}
	return rf->int_status & ~rf->int_mask & ~was_deliverable;
}

/**
 * aimc_regfile_latch - latch interrupt causes
 * @rf: the register file
 * @bits: AIMC_INT_* causes to set in INT_STATUS (0: none)
 *
 * Return: every cause latched and not masked: the vectors the home
 * delivers (vector i for bit i).
 */
u32 aimc_regfile_latch(struct aimc_regfile *rf, u32 bits)
{
	rf->int_status |= bits;
	return rf->int_status & ~rf->int_mask;
}

/**
 * aimc_regfile_complete - the registers as the card completes a descriptor
 * @rf: the register file
 * @head: the descriptor's ring index; RING_HEAD moves past it
 * @status: its status (enum aimc_status), as written back
 * @fault_addr: the faulting DMA address, when @status is AIMC_ST_DMA_FAULT
 * @stats: the device model's telemetry after it
 *
 * Counts the job, updates the telemetry, clears STATUS.BUSY and records
 * a failure in ERR_CODE and ERR_ADDR.  Latches nothing.
 *
 * Return: the interrupt causes to raise: AIMC_INT_COMPLETION, and
 * AIMC_INT_ERROR for a failure.
 */
u32 aimc_regfile_complete(struct aimc_regfile *rf, u32 head, u32 status,
			  u64 fault_addr, const struct aimc_model_stats *stats)
{
	u64 err_addr = status == AIMC_ST_DMA_FAULT ? fault_addr : 0;

	rf->ring_head = head + 1;
	rf->jobs++;
	rf->pulses = stats->pulses;
	rf->busy_us = aimc_div64_u64(stats->busy_ns, 1000);
	rf->energy_nj = aimc_div64_u64(aimc_model_energy_fj(stats), 1000000);
	rf->status &= ~AIMC_STATUS_BUSY;
	if (status == AIMC_ST_OK)
		return AIMC_INT_COMPLETION;
	rf->err_code = status;
	rf->err_addr_lo = (u32)err_addr;
	rf->err_addr_hi = (u32)(err_addr >> 32);
	return AIMC_INT_COMPLETION | AIMC_INT_ERROR;
}
