/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * Userspace interface of aimc.ko, the driver of the AIMC-1 analog
 * in-memory-computing card.
 *
 * Rules this ABI keeps (Documentation/process/botching-up-ioctls.rst):
 * every struct has fixed-size members, explicit padding and a size that
 * is a multiple of 8; every reserved or pad member must be zero and is
 * checked; structs only ever grow at the end; new behaviour is announced
 * by AIMC_PARAM_ABI_VERSION, never guessed.
 */
#ifndef __AIMC_ACCEL_H__
#define __AIMC_ACCEL_H__

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * define AIMC_ABI_VERSION - version of this interface
 *
 * Returned by %AIMC_PARAM_ABI_VERSION.  The major number (bits 31:16)
 * changes only if an existing ioctl changes meaning; the minor number
 * (bits 15:0) grows when ioctls, params or flags are added.  Userspace
 * built against major M works with any driver of major M whose minor
 * is at least the one it needs.
 */
#define AIMC_ABI_VERSION_MAJOR	1
#define AIMC_ABI_VERSION_MINOR	0
#define AIMC_ABI_VERSION \
	((AIMC_ABI_VERSION_MAJOR << 16) | AIMC_ABI_VERSION_MINOR)

#define DRM_AIMC_GET_PARAM	0x00

#define DRM_IOCTL_AIMC_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIMC_GET_PARAM, struct drm_aimc_get_param)

/**
 * enum drm_aimc_param - what %DRM_IOCTL_AIMC_GET_PARAM can query
 *
 * @AIMC_PARAM_DEVICE_ID: identity register of the card ("AIMC", 0x41494d43)
 * @AIMC_PARAM_HW_VERSION: hardware version, major << 16 | minor
 * @AIMC_PARAM_ABI_VERSION: this interface's version, %AIMC_ABI_VERSION
 * @AIMC_PARAM_SERIAL: serial number of the card
 * @AIMC_PARAM_NUM_TILES: number of crossbar tiles
 * @AIMC_PARAM_TILE_ROWS: rows (inputs) per tile
 * @AIMC_PARAM_TILE_COLS: columns (outputs) per tile
 * @AIMC_PARAM_DAC_BITS: input DAC resolution in bits
 * @AIMC_PARAM_ADC_BITS: output ADC resolution in bits
 * @AIMC_PARAM_G_MIN_NS: lowest programmable conductance, nanosiemens
 * @AIMC_PARAM_G_MAX_NS: highest programmable conductance, nanosiemens
 * @AIMC_PARAM_SRAM_KIB: digital-unit SRAM, KiB
 * @AIMC_PARAM_STREAM_SLOTS: number of recurrent-state stream slots
 * @AIMC_PARAM_QUEUE_DEPTH: largest command ring the card supports
 * @AIMC_PARAM_COUNT: number of params; not a param itself
 */
enum drm_aimc_param {
	AIMC_PARAM_DEVICE_ID = 0,
	AIMC_PARAM_HW_VERSION = 1,
	AIMC_PARAM_ABI_VERSION = 2,
	AIMC_PARAM_SERIAL = 3,
	AIMC_PARAM_NUM_TILES = 4,
	AIMC_PARAM_TILE_ROWS = 5,
	AIMC_PARAM_TILE_COLS = 6,
	AIMC_PARAM_DAC_BITS = 7,
	AIMC_PARAM_ADC_BITS = 8,
	AIMC_PARAM_G_MIN_NS = 9,
	AIMC_PARAM_G_MAX_NS = 10,
	AIMC_PARAM_SRAM_KIB = 11,
	AIMC_PARAM_STREAM_SLOTS = 12,
	AIMC_PARAM_QUEUE_DEPTH = 13,
	AIMC_PARAM_COUNT
};

/**
 * struct drm_aimc_get_param - query one device parameter
 * @param: in, one of &enum drm_aimc_param
 * @reserved: in, must be zero
 * @value: out, the parameter's value
 *
 * Errors: -EINVAL for an unknown @param or a non-zero @reserved,
 * -ENODEV once the device has been removed.
 */
struct drm_aimc_get_param {
	__u32 param;
	__u32 reserved;
	__u64 value;
};

#if defined(__cplusplus)
}
#endif

#endif /* __AIMC_ACCEL_H__ */
