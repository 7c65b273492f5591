/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The aimc-pci QEMU device's test BAR (BAR2): fault injection and the
 * device's own counters, for the guest's test harness.  Not part of the
 * AIMC-1 contract: a card has no such BAR and aimc.ko never touches it;
 * the QEMU device exposes it unless started with fault-injection=off.
 *
 * 4 KiB of little-endian 32-bit registers; other sizes, unaligned
 * accesses and unknown offsets are guest errors (logged, ignored, reads
 * return 0).  The knobs mean what aimc_emu's debugfs knobs of the same
 * name mean (emulator/README.md): "next" knobs are consumed when they
 * fire and read back 0 afterwards; the others stay until rewritten.
 * Unlike the card's BAR0 this BAR keeps answering while the function is
 * in D3hot or has "left the bus" (surprise_remove): it is the test
 * harness's side door, not the card.
 *
 * Freestanding: macros only, like aimc_hw_regs.h.
 */
#ifndef AIMC_PCI_DBG_H
#define AIMC_PCI_DBG_H

#define AIMC_DBG_BAR			2
#define AIMC_DBG_BAR_SIZE		0x1000

/* Identity and the device model's configuration (read-only) */
#define AIMC_DBG_ID			0x000	/* reads AIMC_DBG_ID_MAGIC */
#define AIMC_DBG_ID_MAGIC		0x42444941u	/* "AIDB" */
#define AIMC_DBG_VERSION		0x004	/* 1 */
#define AIMC_DBG_CFG_SEED_LO		0x008	/* the seed property */
#define AIMC_DBG_CFG_SEED_HI		0x00c
#define AIMC_DBG_CFG_NOISE_FREE		0x010	/* the noise-free property */
#define AIMC_DBG_CFG_TILES		0x014	/* the model's configuration */
#define AIMC_DBG_CFG_ROWS		0x018
#define AIMC_DBG_CFG_COLS		0x01c
#define AIMC_DBG_CFG_SLOTS		0x020

/* Fault knobs (read-write) */
#define AIMC_DBG_HANG_NEXT_JOB		0x040
#define AIMC_DBG_HANG_EVERY_N		0x044
#define AIMC_DBG_FAIL_NEXT_DMA		0x048
#define AIMC_DBG_FAIL_NEXT_DMA_READ	0x04c
#define AIMC_DBG_FAIL_NEXT_DMA_WRITE	0x050
#define AIMC_DBG_DROP_NEXT_IRQ		0x054
#define AIMC_DBG_ERROR_NEXT_DESC	0x058
#define AIMC_DBG_DELAY_US		0x05c
/* write N: N stray completion messages; read: messages raised by storms */
#define AIMC_DBG_IRQ_STORM		0x060
/* write N: N interrupts that latch the completion cause */
#define AIMC_DBG_IRQ_STORM_STATUS	0x064
/* write 1: the card leaves the bus (registers all-ones, no DMA, no MSI) */
#define AIMC_DBG_SURPRISE_REMOVE	0x068
/*
 * The card's next operand access (a source or result of a descriptor,
 * not the ring or the completion area) goes to this address instead of
 * the one in the descriptor: a card (or a driver) gone wrong, for the
 * IOMMU test.  Write LO, then HI, then 1 to ARM; ARM reads 1 until it
 * fired.
 */
#define AIMC_DBG_REDIRECT_ADDR_LO	0x06c
#define AIMC_DBG_REDIRECT_ADDR_HI	0x070
#define AIMC_DBG_REDIRECT_ARM		0x074

/*
 * stick_cell: write TILE, ROW, COL (physical column), then CMD (1: stuck
 * at g_min, 2: at g_max).  It runs on the card's worker between
 * descriptors; STATUS reads AIMC_DBG_STICK_PENDING until then, then 0 or
 * AIMC_DBG_STICK_REFUSED (a cell off the card).
 */
#define AIMC_DBG_STICK_TILE		0x080
#define AIMC_DBG_STICK_ROW		0x084
#define AIMC_DBG_STICK_COL		0x088
#define AIMC_DBG_STICK_CMD		0x08c
#define AIMC_DBG_STICK_GMIN		1
#define AIMC_DBG_STICK_GMAX		2
#define AIMC_DBG_STICK_STATUS		0x090
#define AIMC_DBG_STICK_PENDING		1
#define AIMC_DBG_STICK_REFUSED		2

/* Counters since the device was created (read-only) */
#define AIMC_DBG_FETCHED		0x0c0	/* descriptors fetched */
#define AIMC_DBG_DMA_FAULTS		0x0c4	/* DMA accesses that failed */
#define AIMC_DBG_LAST_FAULT_LO		0x0c8	/* address of the last one */
#define AIMC_DBG_LAST_FAULT_HI		0x0cc
#define AIMC_DBG_MSIX_SENT_0		0x0d0	/* completion vector notifies */
#define AIMC_DBG_MSIX_SENT_1		0x0d4	/* error vector notifies */
#define AIMC_DBG_D3HOT_ENTRIES		0x0d8	/* PMCSR D0 -> D3hot */
#define AIMC_DBG_FLRS			0x0dc	/* function-level resets */
#define AIMC_DBG_RESETS			0x0e0	/* resets of any kind */
#define AIMC_DBG_POWER_STATE		0x0e4	/* PMCSR power state, 0..3 */

#endif /* AIMC_PCI_DBG_H */
