// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Reset and capability read-out.
 */
#include <linux/device.h>
#include <linux/errno.h>
#include <linux/iopoll.h>
#include <linux/log2.h>

#include "aimc_hw.h"

#define AIMC_RESET_TIMEOUT_MS	100

/**
 * aimc_hw_reset - reset the card and wait until it is ready
 * @bus: the card
 *
 * Leaves the card disabled with every interrupt masked.
 *
 * Return: 0, -ETIMEDOUT if the card does not come out of reset, or
 * -ENODEV if it has left the bus (its registers read all-ones, which
 * would otherwise pass for a ready status).
 */
int aimc_hw_reset(const struct aimc_bus *bus)
{
	u32 status;
	int ret;

	if (aimc_hw_gone(bus))
		return -ENODEV;
	aimc_hw_write(bus, AIMC_REG_CONTROL, AIMC_CONTROL_RESET);
	/* All-ones is no ready status: the card left the bus meanwhile. */
	ret = read_poll_timeout(aimc_hw_read, status,
				status == AIMC_HW_GONE || (status & AIMC_STATUS_READY),
				100, AIMC_RESET_TIMEOUT_MS * USEC_PER_MSEC, false,
				bus, AIMC_REG_STATUS);
	if (status == AIMC_HW_GONE)
		return -ENODEV;
	if (ret) {
		dev_err(bus->dev, "no ready status %ums after reset (status %#x)\n",
			AIMC_RESET_TIMEOUT_MS, status);
		return ret;
	}
	aimc_hw_write(bus, AIMC_REG_INT_MASK, AIMC_INT_ALL);
	aimc_hw_write(bus, AIMC_REG_INT_ACK, AIMC_INT_ALL);
	return 0;
}

/**
 * aimc_hw_read64 - read a 64-bit counter the card updates on its own
 * @bus: the card
 * @lo: the counter's _LO register
 * @hi: its _HI register
 *
 * The card latches neither half (aimc_hw_regs.h): read high, low, high,
 * and again while the high half moved, so that both halves are of one
 * value.  A carry happens once in 2^32 counts, so the second pass
 * succeeds; should the high half keep moving, the counter has passed
 * (last high) << 32 between the reads, and that is the value returned.
 *
 * Return: the counter.
 */
u64 aimc_hw_read64(const struct aimc_bus *bus, u32 lo, u32 hi)
{
	u32 vhi, vlo, again = aimc_hw_read(bus, hi);
	int tries = 3;

	do {
		vhi = again;
		vlo = aimc_hw_read(bus, lo);
		again = aimc_hw_read(bus, hi);
	} while (again != vhi && --tries);
	if (again != vhi)
		return (u64)again << 32;
	return (u64)vhi << 32 | vlo;
}

static int aimc_check_range(struct device *dev, const char *what, u32 val,
			    u32 min, u32 max)
{
	if (val >= min && val <= max)
		return 0;
	dev_err(dev, "capability %s = %u is outside [%u, %u]\n", what, val, min, max);
	return -EIO;
}

/**
 * aimc_hw_read_caps - read and validate identity and capability registers
 * @bus: the card
 * @caps: filled on success
 *
 * Return: 0; -ENODEV if the card is not an AIMC card of a hardware major
 * version this driver knows; -EIO if a capability is out of range.
 */
int aimc_hw_read_caps(const struct aimc_bus *bus, struct aimc_caps *caps)
{
	struct device *dev = bus->dev;
	u32 geometry, converters;
	int ret = 0;

	caps->device_id = aimc_hw_read(bus, AIMC_REG_ID);
	if (caps->device_id != AIMC_ID_MAGIC) {
		dev_err(dev, "identity register reads %#x, not an AIMC card\n",
			caps->device_id);
		return -ENODEV;
	}
	caps->hw_version = aimc_hw_read(bus, AIMC_REG_VERSION);
	if ((caps->hw_version >> 16) != AIMC_HW_VERSION_MAJOR) {
		dev_err(dev, "hardware version %u.%u is not supported (need %u.x)\n",
			caps->hw_version >> 16, caps->hw_version & 0xffff,
			AIMC_HW_VERSION_MAJOR);
		return -ENODEV;
	}

	geometry = aimc_hw_read(bus, AIMC_REG_CAP_GEOMETRY);
	converters = aimc_hw_read(bus, AIMC_REG_CAP_CONVERTERS);
	caps->serial = aimc_hw_read(bus, AIMC_REG_SERIAL);
	caps->num_tiles = aimc_hw_read(bus, AIMC_REG_CAP_TILES);
	caps->tile_rows = FIELD_GET(AIMC_GEOMETRY_ROWS, geometry);
	caps->tile_cols = FIELD_GET(AIMC_GEOMETRY_COLS, geometry);
	caps->dac_bits = FIELD_GET(AIMC_CONVERTERS_DAC_BITS, converters);
	caps->adc_bits = FIELD_GET(AIMC_CONVERTERS_ADC_BITS, converters);
	caps->g_min_ns = aimc_hw_read(bus, AIMC_REG_CAP_G_MIN_NS);
	caps->g_max_ns = aimc_hw_read(bus, AIMC_REG_CAP_G_MAX_NS);
	caps->sram_kib = aimc_hw_read(bus, AIMC_REG_CAP_SRAM_KIB);
	caps->stream_slots = aimc_hw_read(bus, AIMC_REG_CAP_STREAM_SLOTS);
	caps->queue_depth = aimc_hw_read(bus, AIMC_REG_CAP_QUEUE_DEPTH);

	ret |= aimc_check_range(dev, "tiles", caps->num_tiles, 1, AIMC_MAX_TILES);
	ret |= aimc_check_range(dev, "rows", caps->tile_rows, 1, AIMC_MAX_TILE_DIM);
	ret |= aimc_check_range(dev, "columns", caps->tile_cols, 1, AIMC_MAX_TILE_DIM);
	ret |= aimc_check_range(dev, "DAC bits", caps->dac_bits, 1,
				AIMC_MAX_CONVERTER_BITS);
	ret |= aimc_check_range(dev, "ADC bits", caps->adc_bits, 1,
				AIMC_MAX_CONVERTER_BITS);
	ret |= aimc_check_range(dev, "stream slots", caps->stream_slots, 1,
				AIMC_MAX_STREAM_SLOTS);
	ret |= aimc_check_range(dev, "queue depth", caps->queue_depth, 2,
				AIMC_MAX_QUEUE_DEPTH);
	if (ret)
		return -EIO;
	if (caps->g_max_ns <= caps->g_min_ns) {
		dev_err(dev, "conductance range [%u, %u] nS is empty\n",
			caps->g_min_ns, caps->g_max_ns);
		return -EIO;
	}
	if (!is_power_of_2(caps->queue_depth)) {
		dev_err(dev, "queue depth %u is not a power of two\n",
			caps->queue_depth);
		return -EIO;
	}
	return 0;
}
