/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * AIMC-1 register file (BAR0, aimc_hw_regs.h): the registers' state and
 * the decode of every read and write, one unit for every home that has
 * registers: aimc_emu.ko (aimc_emu_regs.c) and the QEMU device
 * (qemu/aimc_pci.c).  What a home does its own way (wake its command
 * processor, reset, tell the guest's mistakes) it does in the ops it
 * hands to aimc_regfile_init().
 *
 * Not thread-safe: the home serialises every call on one register file
 * (aimc_emu's spinlock, QEMU's BQL) and the ops run inside the call.
 */
#ifndef AIMC_REGFILE_H
#define AIMC_REGFILE_H

#include "aimc_platform.h"

struct aimc_model;
struct aimc_model_stats;

/* Accesses the contract refuses or leaves undefined: what happened. */
enum aimc_regfile_error {
	AIMC_REGFILE_READ_UNKNOWN,	/* unimplemented register: reads 0 */
	AIMC_REGFILE_WRITE_READONLY,	/* read-only or unknown: ignored */
	AIMC_REGFILE_CONTROL_RESERVED,	/* reserved CONTROL bits: the rest acts */
	AIMC_REGFILE_RING_REFUSED,	/* ENABLE refused: ERR_CODE is set */
	AIMC_REGFILE_TAIL_REFUSED,	/* doorbell beyond the ring: ignored */
};

/**
 * struct aimc_regfile_ops - what the home does for its register file
 * @reset: CONTROL.RESET was written and STATUS.READY is now clear.  The
 *	   home abandons what the card is doing and finishes the reset
 *	   (aimc_regfile_reset()) at once or when its command processor is
 *	   free; the write returns no interrupt causes.
 * @enable: CONTROL was written and accepted: CONTROL.ENABLE says whether
 *	    the card processes the ring now.
 * @doorbell: RING_TAIL was written and accepted.
 * @int_ack: optional; INT_ACK has cleared the causes in @val.  Causes it
 *	     latches anew count towards the write's return value.
 * @guest_error: optional; @reg was accessed (@val written, 0 for a read)
 *		 in a way the contract refuses or does not define; @err
 *		 says which and what the register file did about it.
 *
 * Every op gets the @ctx of the aimc_regfile_read() or
 * aimc_regfile_write() that calls it.
 */
struct aimc_regfile_ops {
	void (*reset)(void *ctx);
	void (*enable)(void *ctx);
	void (*doorbell)(void *ctx);
	void (*int_ack)(void *ctx, u32 val);
	void (*guest_error)(void *ctx, enum aimc_regfile_error err, u32 reg,
			    u32 val);
};

/* A doorbell more than RING_SIZE ahead of RING_HEAD is refused. */
#define AIMC_REGFILE_CHECK_TAIL		0x1u

/**
 * struct aimc_regfile - one card's register file
 * @ops: the home's side effects
 * @model: the device model the CAP_* registers describe
 * @serial: what SERIAL reads
 * @unit: tells cards apart: TEL_TEMP_MC idles (@unit % 8) quarter
 *	  degrees above 40 C
 * @flags: AIMC_REGFILE_*
 *
 * The fields above are fixed by aimc_regfile_init(); the registers below
 * are the card's writable and volatile state, read and written by the
 * home's command processor too (under the same lock).  The 64-bit
 * telemetry counters are read as two halves, neither latched.
 */
struct aimc_regfile {
	const struct aimc_regfile_ops *ops;
	const struct aimc_model *model;
	u32 serial;
	u32 unit;
	u32 flags;

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
	u64 energy_nj;
};

void aimc_regfile_init(struct aimc_regfile *rf,
		       const struct aimc_regfile_ops *ops,
		       const struct aimc_model *model, u32 serial, u32 unit,
		       u32 flags);
void aimc_regfile_reset(struct aimc_regfile *rf);
u32 aimc_regfile_read(struct aimc_regfile *rf, u32 reg, void *ctx);
u32 aimc_regfile_write(struct aimc_regfile *rf, u32 reg, u32 val, void *ctx);
u32 aimc_regfile_latch(struct aimc_regfile *rf, u32 bits);
u32 aimc_regfile_complete(struct aimc_regfile *rf, u32 head, u32 status,
			  u64 fault_addr, const struct aimc_model_stats *stats);

#endif /* AIMC_REGFILE_H */
