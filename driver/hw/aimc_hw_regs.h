/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * AIMC-1 register map: the contract between the driver, the emulator and
 * a future card.  BAR0 is AIMC_BAR0_SIZE bytes of little-endian 32-bit
 * registers; 64-bit quantities are split into _LO/_HI pairs and the _LO
 * half is written first.
 *
 * Freestanding (aimc_hw_types.h), so it can be included from the kernel,
 * the emulator, the device model and userspace alike.  Register fields are
 * GENMASK() masks: FIELD_GET() reads them, FIELD_PREP() builds them.
 */
#ifndef AIMC_HW_REGS_H
#define AIMC_HW_REGS_H

#include "aimc_hw_types.h"

#define AIMC_BAR0_SIZE			0x1000

/* Identity */
#define AIMC_REG_ID			0x000	/* reads AIMC_ID_MAGIC */
#define AIMC_ID_MAGIC			0x41494d43u	/* "AIMC" */
#define AIMC_REG_VERSION		0x004	/* major << 16 | minor */
#define AIMC_HW_VERSION_MAJOR		1
#define AIMC_HW_VERSION_MINOR		0
#define AIMC_REG_SERIAL			0x008	/* per-device serial number */

/* Capabilities (read-only) */
#define AIMC_REG_CAP_TILES		0x010	/* number of crossbar tiles */
#define AIMC_REG_CAP_GEOMETRY		0x014	/* rows [15:0], columns [31:16] */
#define AIMC_REG_CAP_CONVERTERS		0x018	/* DAC bits [7:0], ADC bits [15:8] */
#define AIMC_REG_CAP_G_MIN_NS		0x01c	/* lowest conductance, nS */
#define AIMC_REG_CAP_G_MAX_NS		0x020	/* highest conductance, nS */
#define AIMC_REG_CAP_SRAM_KIB		0x024	/* digital-unit SRAM, KiB */
#define AIMC_REG_CAP_STREAM_SLOTS	0x028	/* recurrent-state slots */
#define AIMC_REG_CAP_QUEUE_DEPTH	0x02c	/* largest ring, descriptors */
#define AIMC1_QUEUE_DEPTH		1024	/* what AIMC-1 reports there */

#define AIMC_GEOMETRY_ROWS		GENMASK(15, 0)
#define AIMC_GEOMETRY_COLS		GENMASK(31, 16)
#define AIMC_CONVERTERS_DAC_BITS	GENMASK(7, 0)
#define AIMC_CONVERTERS_ADC_BITS	GENMASK(15, 8)

/* Control and reset */
#define AIMC_REG_CONTROL		0x040
#define AIMC_CONTROL_ENABLE		0x1u	/* process the ring */
#define AIMC_CONTROL_RESET		0x2u	/* self-clearing: full reset */
#define AIMC_REG_STATUS			0x044
#define AIMC_STATUS_READY		0x1u	/* out of reset, registers valid */
#define AIMC_STATUS_BUSY		0x2u	/* executing a descriptor */
#define AIMC_STATUS_HALTED		0x4u	/* stopped on an error */
#define AIMC_REG_RESET_COUNT		0x048	/* resets since power-on */

/* Interrupts: one bit per MSI-X vector */
#define AIMC_REG_INT_STATUS		0x060	/* raw, read-only */
#define AIMC_REG_INT_MASK		0x064	/* 1 = masked */
#define AIMC_REG_INT_ACK		0x068	/* write 1 to clear */
#define AIMC_INT_COMPLETION		0x1u	/* vector 0 */
#define AIMC_INT_ERROR			0x2u	/* vector 1 */
#define AIMC_INT_ALL			(AIMC_INT_COMPLETION | AIMC_INT_ERROR)
#define AIMC_NUM_VECTORS		2

/*
 * Command ring: RING_SIZE 64-byte descriptors (struct aimc_desc in
 * aimc_hw_cmd.h) at RING_BASE.  HEAD and TAIL are free-running 32-bit
 * counters; descriptor n sits at index n & (RING_SIZE - 1).  The host
 * writes descriptors, then TAIL (the doorbell); the card processes
 * descriptors HEAD..TAIL-1 in order while CONTROL.ENABLE is set.
 *
 * Completion write-back at CPL_ADDR (layout: AIMC_CPL_*): for each
 * descriptor the card first writes its status (enum aimc_status) to
 * status[n & (RING_SIZE - 1)], then head = n + 1, then raises the
 * completion interrupt, and also the error interrupt (with ERR_CODE and
 * ERR_ADDR set) if the status is not OK.  A failing descriptor does not
 * stop the ring.  Enabling with a RING_SIZE that is not a power of two
 * in 2..QUEUE_DEPTH, or a zero RING_BASE or CPL_ADDR, is refused:
 * CONTROL.ENABLE stays clear and ERR_CODE reads AIMC_ERR_RING_CONFIG.
 */
#define AIMC_REG_RING_BASE_LO		0x080
#define AIMC_REG_RING_BASE_HI		0x084
#define AIMC_REG_RING_SIZE		0x088	/* descriptors, power of two */
#define AIMC_REG_RING_HEAD		0x08c	/* device: next to fetch */
#define AIMC_REG_RING_TAIL		0x090	/* host: doorbell */
#define AIMC_REG_CPL_ADDR_LO		0x094	/* completion write-back */
#define AIMC_REG_CPL_ADDR_HI		0x098

#define AIMC_CPL_HEAD_OFFSET		0	/* u32 head */
#define AIMC_CPL_STATUS_OFFSET		8	/* u32 status[RING_SIZE] */
#define AIMC_CPL_AREA_BYTES(ring_size)	(AIMC_CPL_STATUS_OFFSET + 4 * (ring_size))

/* Errors */
#define AIMC_REG_ERR_CODE		0x0a0	/* last non-OK status */
#define AIMC_ERR_RING_CONFIG		0x100	/* ENABLE refused */
#define AIMC_REG_ERR_ADDR_LO		0x0a4	/* faulting DMA address */
#define AIMC_REG_ERR_ADDR_HI		0x0a8

/*
 * Telemetry (read-only, cleared by reset except where noted).  The card
 * updates a 64-bit counter as it completes a descriptor and latches
 * neither half: read _HI, _LO, _HI again, and repeat while the two _HI
 * reads differ (a carry came between them), so that the halves are of
 * one value (aimc_hw_read64()).
 */
#define AIMC_REG_TEL_BUSY_US_LO		0x100
#define AIMC_REG_TEL_BUSY_US_HI		0x104
#define AIMC_REG_TEL_JOBS		0x108
#define AIMC_REG_TEL_PULSES_LO		0x10c
#define AIMC_REG_TEL_PULSES_HI		0x110
#define AIMC_REG_TEL_TEMP_MC		0x114	/* milli-degrees Celsius */
/*
 * Energy the card used, nJ: the device model's count (emulator/README.md,
 * "Energy and modelled time"), whole nanojoules rounded down
 */
#define AIMC_REG_TEL_ENERGY_NJ_LO	0x118
#define AIMC_REG_TEL_ENERGY_NJ_HI	0x11c

#endif /* AIMC_HW_REGS_H */
