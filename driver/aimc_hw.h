/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Register access, reset and capability read-out, independent of the bus
 * the card sits on.
 */
#ifndef AIMC_HW_H
#define AIMC_HW_H

#include <linux/types.h>

#include "aimc_hw_regs.h"
#include "aimc_swdev.h"

struct device;

/**
 * struct aimc_bus - what a bus glue hands the core
 * @dev: the DMA-capable device the card is behind
 * @ops: register access
 * @ctx: passed back to @ops
 * @irq: Linux IRQ number of each interrupt vector
 */
struct aimc_bus {
	struct device *dev;
	const struct aimc_reg_ops *ops;
	void *ctx;
	int irq[AIMC_NUM_VECTORS];
};

/**
 * struct aimc_caps - capability registers, read once after reset
 *
 * The values are validated by aimc_hw_read_caps(); everything after
 * probe may rely on them being in range.
 */
struct aimc_caps {
	u32 device_id;
	u32 hw_version;
	u32 serial;
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

/* Limits beyond which a capability register is taken to be broken. */
#define AIMC_MAX_TILES		4096
#define AIMC_MAX_TILE_DIM	4096
#define AIMC_MAX_CONVERTER_BITS	16
#define AIMC_MAX_STREAM_SLOTS	65536
#define AIMC_MAX_QUEUE_DEPTH	65536

static inline u32 aimc_hw_read(const struct aimc_bus *bus, u32 reg)
{
	return bus->ops->read32(bus->ctx, reg);
}

static inline void aimc_hw_write(const struct aimc_bus *bus, u32 reg, u32 val)
{
	bus->ops->write32(bus->ctx, reg, val);
}

/*
 * What a read returns from a card that has left the bus (PCIe surprise
 * removal, a dead link): no AIMC register reads all-ones otherwise.
 */
#define AIMC_HW_GONE	0xffffffffu

/* True if the card no longer answers (surprise removal). */
static inline bool aimc_hw_gone(const struct aimc_bus *bus)
{
	return aimc_hw_read(bus, AIMC_REG_ID) == AIMC_HW_GONE;
}

int aimc_hw_reset(const struct aimc_bus *bus);
int aimc_hw_read_caps(const struct aimc_bus *bus, struct aimc_caps *caps);
u64 aimc_hw_read64(const struct aimc_bus *bus, u32 lo, u32 hi);

#endif /* AIMC_HW_H */
